package host

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/licverify/licverify/testvectors"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// TestRevocationSetLookups: a set loaded into the module answers lookups
// and deltas as verify's VerifiedSet does, for every valid vector with
// lookups or deltas.
func TestRevocationSetLookups(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	v := newVerifier(t, Options{})
	ctx := context.Background()
	n := 0
	for _, f := range files {
		for _, tc := range f.Tests {
			var req vectorRequest
			require.NoError(t, json.Unmarshal(tc.Request, &req))
			if req.Op != "revocation_set" || (req.Lookup == nil && req.Deltas == nil) {
				continue
			}
			ring, err := verify.ParseKeyring([]byte(*req.Keys))
			if err != nil {
				continue
			}
			now := parseTime(req.Now)
			opts := verify.RevocationOptions{Now: now, MinEpoch: req.MinEpoch, AllowStale: req.AllowStale, Skew: skewOf(req.SkewSeconds), Limit: req.Limit}
			native, err := verify.RevocationSet([]byte(req.Set), ring, opts)
			require.NoError(t, err)
			if !native.Valid {
				continue
			}
			n++
			t.Run(tc.ID, func(t *testing.T) {
				set, res, err := v.LoadRevocationSet(ctx, []byte(req.Set), ring, opts)
				require.NoError(t, err)
				require.NotNil(t, set)
				defer set.Close(ctx)
				requireSameJSON(t, native, res)
				want := native.Set
				for _, d := range req.Deltas {
					nres, err := want.ApplyDelta([]byte(d), ring, opts)
					require.NoError(t, err)
					hres, err := set.ApplyDelta(ctx, []byte(d), ring, opts)
					require.NoError(t, err)
					requireSameJSON(t, nres, hres)
					if !nres.Valid {
						return
					}
					want = nres.Set
				}
				ids := []string{"nobody"}
				if req.Lookup != nil {
					ids = append(ids, *req.Lookup...)
				}
				got, err := set.Lookup(ctx, now, ids...)
				require.NoError(t, err)
				require.True(t, got.Valid, got.Message)
				require.Equal(t, want.Epoch(), got.Epoch)
				for i, id := range ids {
					requireSameJSON(t, want.Lookup(id, now), got.Lookups[i])
				}
				// Too many ids is misuse, and the set stays usable.
				_, err = set.Lookup(ctx, now, make([]string, 1<<16+1)...)
				var re *RequestError
				require.ErrorAs(t, err, &re)
				_, err = set.Lookup(ctx, now, "nobody")
				require.NoError(t, err)
			})
		}
	}
	require.NotZero(t, n)
}

func requireSameJSON(t *testing.T, want, got any) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(g))
}

func TestRevocationSetClosed(t *testing.T) {
	s := &RevocationSet{}
	_, err := s.Lookup(context.Background(), time.Now(), "a")
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, s.Close(context.Background()))
}
