package host

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRevocationSetLookups: a set loaded into the module answers lookups
// and deltas as verify's VerifiedSet does, for every valid vector with
// lookups or deltas; loaded with its deltas and lookups in one call, it
// answers what RevocationSetWith does.
func TestRevocationSetLookups(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	v := newVerifier(t, Options{})
	ctx := context.Background()
	n := 0
	for _, f := range files {
		for _, tc := range f.Tests {
			a := &vectorArgs{f: parseFrame(t, tc.Frame)}
			if a.f.op != "revocation_set" || tc.IsBadRequest() || (a.f.header["lookup"] == nil && a.f.parts["deltas"] == nil) {
				continue
			}
			ring, err := verify.ParseKeyring(a.part("keys"))
			if err != nil {
				continue
			}
			set, all := a.part("set"), a.revocationOptions()
			if a.bad {
				continue
			}
			opts, now := all.RevocationOptions, all.Now
			native, err := verify.RevocationSet(set, ring, opts)
			require.NoError(t, err)
			if !native.Valid {
				continue
			}
			n++
			t.Run(tc.ID, func(t *testing.T) {
				s, res, err := v.LoadRevocationSet(ctx, set, ring, opts)
				require.NoError(t, err)
				require.NotNil(t, s)
				defer s.Close(ctx)
				requireSameJSON(t, native, res)
				want := native.Set
				for _, d := range all.Deltas {
					// The module applies a delta as a chain of one, and
					// names a delta it refuses (wasm/ABI.md).
					nres, err := want.ApplyDeltas([][]byte{d}, ring, opts)
					require.NoError(t, err)
					hres, err := s.ApplyDelta(ctx, d, ring, opts)
					require.NoError(t, err)
					requireSameJSON(t, nres, hres)
					if !nres.Valid {
						return
					}
					want = nres.Set
				}
				ids := append([]string{"nobody"}, all.Lookup...)
				got, err := s.Lookup(ctx, now, ids...)
				require.NoError(t, err)
				require.True(t, got.Valid, got.Message)
				require.Equal(t, want.Epoch(), got.Epoch)
				for i, id := range ids {
					requireSameJSON(t, want.Lookup(id, now), got.Lookups[i])
				}
				// Too many ids is misuse, and the set stays usable.
				_, err = s.Lookup(ctx, now, make([]string, 1<<16+1)...)
				var re *RequestError
				require.ErrorAs(t, err, &re)
				_, err = s.Lookup(ctx, now, "nobody")
				require.NoError(t, err)

				// The same in one call: load with the deltas and lookups.
				one, wres, err := v.LoadRevocationSetWith(ctx, set, ring, all)
				require.NoError(t, err)
				require.NotNil(t, one)
				defer one.Close(ctx)
				direct, err := v.RevocationSetWith(ctx, set, ring, all)
				require.NoError(t, err)
				requireSameJSON(t, direct, wres)
				again, err := one.Lookup(ctx, now, ids...)
				require.NoError(t, err)
				requireSameJSON(t, got, again)
			})
		}
	}
	require.NotZero(t, n)
}

// TestRevocationSetCloseReusesInstance: Close frees the set in the module
// and hands its instance to the pool, where the next call uses it; a
// pool that is full closes it instead.
func TestRevocationSetCloseReusesInstance(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	set, ring, now := validRevocationVector(t)
	s, res, err := v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	inst := s.inst
	require.NoError(t, s.Close(ctx))
	require.Equal(t, []*instance{inst}, v.idleInstances())
	_, err = s.Lookup(ctx, now, "a")
	require.ErrorIs(t, err, ErrClosed)
	// The handle is gone from the instance: the pooled instance no
	// longer knows it.
	resp, err := v.Call(ctx, mustEncode(api.NewRequest("revocation_lookup").Set("handle", s.handle).Set("now", now.Format(time.RFC3339)).Set("ids", []string{"a"})))
	require.NoError(t, err)
	require.Contains(t, string(resp), "no revocation set is loaded under handle")

	// The pool holds one idle instance already: a second set's instance
	// is closed rather than kept.
	s2, _, err := v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
	require.NoError(t, err)
	require.NoError(t, s2.Close(ctx))
	require.Equal(t, []*instance{inst}, v.idleInstances())
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

// TestLoadedSetLiftedByDeltas: the documented sync flow for a loaded set.
// A base loaded on its own terms and lifted by its stored deltas, with the
// stored epoch, answers as the set the chain reaches; the base alone below
// the stored epoch is refused.
func TestLoadedSetLiftedByDeltas(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	var tc *testvectors.Test
	for _, f := range files {
		for i := range f.Tests {
			if f.Tests[i].ID == "revocation/chain-of-two-reaches-stored-epoch" {
				tc = &f.Tests[i]
			}
		}
	}
	require.NotNil(t, tc)
	a := &vectorArgs{f: parseFrame(t, tc.Frame)}
	ring, err := verify.ParseKeyring(a.part("keys"))
	require.NoError(t, err)
	all := a.revocationOptions()
	require.EqualValues(t, 45, all.MinEpoch)
	v := newVerifier(t, Options{})
	ctx := context.Background()

	s, res, err := v.LoadRevocationSet(ctx, a.part("set"), ring, all.RevocationOptions)
	require.NoError(t, err)
	assert.Nil(t, s, "the base alone is below the stored epoch")
	assert.Equal(t, verify.CodeEpochRollback, res.Code)

	base := all.RevocationOptions
	base.MinEpoch = 0
	s, res, err = v.LoadRevocationSet(ctx, a.part("set"), ring, base)
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	defer s.Close(ctx)
	lifted, err := s.ApplyDeltas(ctx, all.Deltas, ring, all.RevocationOptions)
	require.NoError(t, err)
	require.True(t, lifted.Valid, lifted.Message)
	assert.EqualValues(t, 45, lifted.Epoch)
	assert.EqualValues(t, 45, *lifted.StoreEpoch)
	got, err := s.Lookup(ctx, all.Now, "c0ffee00-0000-4000-8000-000000000001")
	require.NoError(t, err)
	assert.Equal(t, verify.LookupRevoked, got.Lookups[0].Status)
}
