package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// TestTableDecodes: decodeTable reads ops.json as encoding/json does, and
// refuses what the table must not hold.
func TestTableDecodes(t *testing.T) {
	var want Table
	require.NoError(t, json.Unmarshal(OpsJSON, &want))
	got, err := decodeTable(OpsJSON)
	require.Empty(t, err)
	require.Equal(t, want, got)
	for _, bad := range []string{`[]`, `{"ops":{"x":{"members":{"m":{"kind":"string","colour":1}}}}}`,
		`{"abi_version":"2"}`, `{"ops":{"x":{"members":{"m":{"min":1.5}}}}}`, `{"extra":1}`} {
		_, err := decodeTable([]byte(bad))
		require.NotEmpty(t, err, bad)
	}
}

// refMarshal is encoding/json with HTML escaping off.
func refMarshal(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}

type gen struct{ r *rand.Rand }

func (g gen) maybe() bool { return g.r.IntN(2) == 0 }

func (g gen) str() string {
	s := []string{"", "a", "LIC-1", `q"uote\`, "A<B>&C", "é😂", "\u2028", "\x01\n\t", "\xff"}
	return s[g.r.IntN(len(s))]
}

func (g gen) strs() []string {
	switch g.r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	return []string{g.str(), g.str()}
}

func (g gen) int() int64 { return []int64{0, 1, -1, 1 << 53, -1 << 63, 1<<63 - 1}[g.r.IntN(6)] }

func (g gen) time() time.Time {
	switch g.r.IntN(4) {
	case 0:
		return time.Time{}
	case 1:
		return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	case 2:
		return time.Date(2026, 1, 2, 3, 4, 5, 120_000_000, time.FixedZone("", -3600))
	}
	return time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC)
}

func (g gen) optInt() *int64 {
	if g.maybe() {
		return nil
	}
	n := g.int()
	return &n
}

func (g gen) result() verify.Result {
	return verify.Result{Valid: g.maybe(), Code: verify.Code(g.str()), Message: g.str()}
}

func (g gen) lookups() []verify.LookupResult {
	switch g.r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []verify.LookupResult{}
	}
	return []verify.LookupResult{{LicenseID: g.str(), Status: g.str(), Until: g.time()}, {LicenseID: g.str(), Status: g.str(), Until: g.time()}}
}

func (g gen) revocation() revocationResponse {
	var r revocationResponse
	if g.r.IntN(4) > 0 {
		r.RevocationSetResult = &verify.RevocationSetResult{Result: g.result()}
		if g.maybe() {
			r.SetClaims = &verify.SetClaims{Epoch: g.int(), IssuedAt: g.time(), ValidUntil: g.time(), KID: g.str(),
				Revoked: int(g.int()), Suspended: int(g.int()), Stale: g.maybe(), StoreEpoch: g.optInt()}
		}
	}
	r.Lookups = g.lookups()
	return r
}

func (g gen) fetch() verify.Fetch {
	return verify.Fetch{At: g.time(), Reason: g.str(), SinceEpoch: g.optInt()}
}

// values are results of every type a handler returns, with each member
// set or not.
func (g gen) values() []any {
	sp := &verify.StatusProofResult{Result: g.result()}
	if g.maybe() {
		sp.ProofClaims = &verify.ProofClaims{LicenseID: g.str(), Status: g.str(), CheckedAt: g.time(), ValidUntil: g.time(),
			Epoch: g.int(), Entitlements: g.strs(), KID: g.str(), Bound: g.maybe(), RefreshAfter: g.time(),
			Grace: g.maybe(), StoreEpoch: g.optInt()}
	}
	canon := canonicalizeResult{Result: g.result()}
	if g.maybe() {
		s := g.str()
		canon.Canonical = &s
	}
	fp := fingerprintResult{Result: g.result()}
	if g.maybe() {
		fp.Fingerprint = &verify.Fingerprint{Hash: g.str(), MachineID: g.str()}
	}
	pl := planResponse{Result: g.result(), StoreEpoch: g.optInt(), RefreshProof: g.fetch(), SyncSet: g.fetch(), NextAt: g.time()}
	if g.maybe() {
		pl.Proof = sp
	}
	if g.maybe() {
		rv := g.revocation()
		pl.Set = &rv
	}
	ac := acceptValue{Result: g.result(), Accept: g.maybe(), StoreEpoch: g.optInt()}
	if g.maybe() {
		ac.Persist = g.str()
	}
	switch g.r.IntN(3) {
	case 0:
		ac.Doc = sp
	case 1:
		if rv := g.revocation(); rv.RevocationSetResult != nil {
			ac.Doc = revocationResponse{RevocationSetResult: rv.RevocationSetResult}
		}
	}
	return []any{
		pl, ac,
		g.result(), sp, g.revocation(),
		&revocationLoadResponse{revocationResponse: g.revocation(), Handle: g.int()},
		revocationApplyResponse{revocationResponse: g.revocation(), Handle: g.int()},
		revocationLookupResponse{Result: g.result(), Epoch: g.int(), Stale: g.maybe(), Lookups: g.lookups()},
		canon, fp,
	}
}

// TestResultJSONMatchesEncodingJSON: every result type a handler returns
// is written as encoding/json writes it, with each member set and unset.
func TestResultJSONMatchesEncodingJSON(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(14, 2))}
	for i := range 10000 {
		for _, v := range g.values() {
			got, err := writeValue(v)
			require.NoError(t, err)
			require.Equal(t, refMarshal(t, v), string(got), "%d: %T", i, v)
		}
	}
}

// writeValue writes v with the writer its handler is registered with.
func writeValue(v any) ([]byte, error) {
	var write func(*jsontext.Writer)
	switch v := v.(type) {
	case verify.Result:
		write = func(w *jsontext.Writer) { appendResultObject(w, v) }
	case *verify.StatusProofResult:
		write = func(w *jsontext.Writer) { appendStatusProof(w, v) }
	case revocationResponse:
		write = func(w *jsontext.Writer) { appendRevocation(w, v, 0) }
	case *revocationLoadResponse:
		write = func(w *jsontext.Writer) { appendRevocation(w, v.revocationResponse, v.Handle) }
	case revocationApplyResponse:
		write = func(w *jsontext.Writer) { appendRevocation(w, v.revocationResponse, v.Handle) }
	case revocationLookupResponse:
		write = func(w *jsontext.Writer) { appendLookupResponse(w, v) }
	case canonicalizeResult:
		write = func(w *jsontext.Writer) { appendCanonicalize(w, v) }
	case fingerprintResult:
		write = func(w *jsontext.Writer) { appendFingerprint(w, v) }
	case planResponse:
		write = func(w *jsontext.Writer) { appendPlan(w, v) }
	case acceptValue:
		write = func(w *jsontext.Writer) { appendAccept(w, v.response()) }
	default:
		panic("no writer for this type")
	}
	e, err := respond(nil, write)
	if err != nil {
		return nil, err
	}
	return e.json, e.err
}
