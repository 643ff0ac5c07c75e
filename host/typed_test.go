package host

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/testvectors"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// vectorRequest is the union of the members of the vectors' requests.
type vectorRequest struct {
	Op              string    `json:"op"`
	Keys            *string   `json:"keys"`
	Now             string    `json:"now"`
	Document        string    `json:"document"`
	Limit           int       `json:"limit"`
	Components      string    `json:"components"`
	Proof           string    `json:"proof"`
	LicenseID       string    `json:"license_id"`
	Fingerprint     *string   `json:"fingerprint"`
	MinEpoch        int64     `json:"min_epoch"`
	MaxTTLSeconds   int64     `json:"max_ttl_seconds"`
	SkewSeconds     *int64    `json:"skew_seconds"`
	Set             string    `json:"set"`
	Deltas          []string  `json:"deltas"`
	AllowStale      bool      `json:"allow_stale"`
	Lookup          *[]string `json:"lookup"`
	License         string    `json:"license"`
	ProductID       string    `json:"product_id"`
	FingerprintHash string    `json:"fingerprint_hash"`
	State           *string   `json:"state"`
	ReleaseDate     string    `json:"release_date"`
	QKey            string    `json:"qkey"`
	Password        string    `json:"password"`
	Package         string    `json:"package"`
	MachineID       string    `json:"machine_id"`
	AllowUnsigned   bool      `json:"allow_unsigned"`
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func skewOf(s *int64) time.Duration {
	switch {
	case s == nil:
		return 0
	case *s == 0:
		return -1
	}
	return time.Duration(*s) * time.Second
}

// typedPair runs a vector's request through the typed host method and the
// verify function it mirrors. ok is false for requests the typed API has
// no form for (a refused keyring, deltas, lookups, bad requests).
func typedPair(t *testing.T, v *Verifier, req vectorRequest) (got, want any, gotErr, wantErr error, ok bool) {
	ctx := context.Background()
	var ring *verify.Keyring
	if req.Keys != nil {
		var err error
		if ring, err = verify.ParseKeyring([]byte(*req.Keys)); err != nil {
			return nil, nil, nil, nil, false
		}
	}
	now := parseTime(req.Now)
	switch req.Op {
	case "canonicalize":
		g, gerr := v.Canonicalize(ctx, []byte(req.Document), req.Limit)
		w, werr := canonical.Transform([]byte(req.Document), req.Limit)
		var ce *canonical.Error
		if errors.As(werr, &ce) {
			werr = &canonical.Error{Code: ce.Code, Offset: -1, Msg: ce.Error()[len("canonical: "):]}
		}
		return string(g), string(w), gerr, werr, true
	case "fingerprint":
		g, gerr := v.Fingerprint(ctx, []byte(req.Components))
		w, werr := verify.FingerprintHash([]byte(req.Components))
		return g, w, gerr, werr, true
	case "status_proof":
		opts := verify.StatusProofOptions{Now: now, LicenseID: req.LicenseID, MinEpoch: req.MinEpoch,
			MaxTTL: time.Duration(req.MaxTTLSeconds) * time.Second, Skew: skewOf(req.SkewSeconds), Limit: req.Limit}
		if req.Fingerprint != nil {
			opts.Fingerprint = []byte(*req.Fingerprint)
		}
		g, gerr := v.StatusProof(ctx, []byte(req.Proof), ring, opts)
		w, werr := verify.StatusProof([]byte(req.Proof), ring, opts)
		return g, w, gerr, werr, true
	case "revocation_set":
		if req.Deltas != nil || req.Lookup != nil {
			return nil, nil, nil, nil, false
		}
		opts := verify.RevocationOptions{Now: now, MinEpoch: req.MinEpoch, AllowStale: req.AllowStale, Skew: skewOf(req.SkewSeconds), Limit: req.Limit}
		g, gerr := v.RevocationSet(ctx, []byte(req.Set), ring, opts)
		w, werr := verify.RevocationSet([]byte(req.Set), ring, opts)
		return g, w, gerr, werr, true
	case "license":
		opts := verify.LicenseOptions{Now: now, ProductID: req.ProductID, FingerprintHash: req.FingerprintHash}
		if req.State != nil {
			opts.State = []byte(*req.State)
		}
		if req.ReleaseDate != "" {
			opts.ReleaseDate = parseTime(req.ReleaseDate)
		}
		g, gerr := v.License(ctx, []byte(req.License), ring, opts)
		w, werr := verify.License([]byte(req.License), ring, opts)
		return g, w, gerr, werr, true
	case "qkey":
		file, err := base64.StdEncoding.DecodeString(req.QKey)
		require.NoError(t, err)
		opts := verify.QKeyOptions{Now: now, Password: req.Password, Package: req.Package, MachineID: req.MachineID, AllowUnsigned: req.AllowUnsigned, Limit: req.Limit}
		g, gerr := v.QKey(ctx, file, ring, opts)
		w, werr := verify.QKey(file, ring, opts)
		return g, w, gerr, werr, true
	}
	t.Fatalf("no typed method for op %q", req.Op)
	return
}

// TestTypedMatchesVerify: every typed method returns what the verify
// function it mirrors returns, for every vector it can express: the same
// result as JSON, and an error exactly when verify gives one.
func TestTypedMatchesVerify(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	v := newVerifier(t, Options{})
	n := 0
	for _, f := range files {
		for _, tc := range f.Tests {
			var req vectorRequest
			require.NoError(t, json.Unmarshal(tc.Request, &req), tc.ID)
			t.Run(tc.ID, func(t *testing.T) {
				got, want, gotErr, wantErr, ok := typedPair(t, v, req)
				if !ok {
					t.Skip("no typed form")
				}
				n++
				if wantErr != nil {
					require.Error(t, gotErr)
					require.Equal(t, errors.Is(wantErr, verify.ErrMisuse), errors.Is(gotErr, verify.ErrMisuse), "%v / %v", gotErr, wantErr)
					var we *verify.Error
					if errors.As(wantErr, &we) {
						require.Equal(t, we, gotErr)
					}
					var ce *canonical.Error
					if errors.As(wantErr, &ce) {
						require.Equal(t, ce, gotErr)
					}
					return
				}
				require.NoError(t, gotErr)
				g, err := json.Marshal(got)
				require.NoError(t, err)
				w, err := json.Marshal(want)
				require.NoError(t, err)
				require.JSONEq(t, string(w), string(g))
			})
		}
	}
	fmt.Printf("typed host methods: %d vectors equal to verify\n", n)
	require.NotZero(t, n)
}

func TestTypedMisuse(t *testing.T) {
	v := newVerifier(t, Options{})
	ctx := context.Background()
	ring := testRing(t)
	_, err := v.StatusProof(ctx, []byte(`{}`), nil, verify.StatusProofOptions{Now: time.Now()})
	require.ErrorIs(t, err, verify.ErrMisuse)
	_, err = v.StatusProof(ctx, []byte(`{}`), ring, verify.StatusProofOptions{})
	require.ErrorIs(t, err, verify.ErrMisuse)
	_, err = v.StatusProof(ctx, []byte(`{}`), ring, verify.StatusProofOptions{Now: time.Now(), MaxTTL: time.Millisecond})
	require.ErrorIs(t, err, verify.ErrMisuse)
	// The module refuses it: a RequestError, which is misuse too.
	_, err = v.License(ctx, []byte(`{}`), ring, verify.LicenseOptions{Now: time.Now()})
	var re *RequestError
	require.ErrorAs(t, err, &re)
	require.ErrorIs(t, err, verify.ErrMisuse)
}

func testRing(t *testing.T) *verify.Keyring {
	ring, err := verify.ParseKeyring([]byte(`[{"kid":"k1","alg":"ed25519","public_key":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","not_before":"2020-01-01T00:00:00.5Z"}]`))
	require.NoError(t, err)
	return ring
}

func TestKeyringRoundTrip(t *testing.T) {
	ring := testRing(t)
	text, err := keyringText(ring)
	require.NoError(t, err)
	again, err := verify.ParseKeyring([]byte(text))
	require.NoError(t, err)
	require.Equal(t, ring.Keys(), again.Keys())
}
