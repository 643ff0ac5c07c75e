package verify

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var rvtNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func rvtSet(epoch int64, revoked []string) map[string]any {
	ids := make([]any, len(revoked))
	for i, id := range revoked {
		ids[i] = id
	}
	return map[string]any{
		"epoch": epoch, "revoked_ids": ids, "issuer_kid": "k1",
		"issued_at": "2026-03-01T11:00:00Z", "valid_until": "2026-03-01T13:00:00Z",
	}
}

func rvtDelta(since, epoch int64, added, removed []string, suspended map[string]string) map[string]any {
	d := map[string]any{
		"epoch": epoch, "since_epoch": since, "added": orEmpty(added), "removed": orEmpty(removed), "issuer_kid": "k1",
		"issued_at": "2026-03-01T11:30:00Z", "valid_until": "2026-03-01T13:30:00Z",
	}
	if len(suspended) > 0 {
		var list []any
		for id, until := range suspended {
			list = append(list, map[string]any{"license_id": id, "until": until})
		}
		d["suspended"] = list
	}
	return d
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func rvtVerify(t testing.TB, ring *Keyring, doc map[string]any, opts RevocationOptions) *RevocationSetResult {
	if opts.Now.IsZero() {
		opts.Now = rvtNow
	}
	res, err := RevocationSet(sptSign(t, "k1", doc), ring, opts)
	require.NoError(t, err)
	return res
}

func TestRevocationMisuse(t *testing.T) {
	ring := sptRing(t, "k1")
	set := sptSign(t, "k1", rvtSet(1, nil))
	for name, tt := range map[string]struct {
		keys *Keyring
		opts RevocationOptions
	}{
		"nil keyring":        {nil, RevocationOptions{Now: rvtNow}},
		"zero now":           {ring, RevocationOptions{}},
		"negative min epoch": {ring, RevocationOptions{Now: rvtNow, MinEpoch: -1}},
		"negative limit":     {ring, RevocationOptions{Now: rvtNow, Limit: -1}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := RevocationSet(set, tt.keys, tt.opts)
			assert.ErrorIs(t, err, ErrMisuse)
		})
	}
	res := rvtVerify(t, ring, rvtSet(1, nil), RevocationOptions{})
	require.True(t, res.Valid, res.Message)
	_, err := res.Set.ApplyDelta(set, ring, RevocationOptions{})
	assert.ErrorIs(t, err, ErrMisuse, "zero now")
	var none *VerifiedSet
	_, err = none.ApplyDelta(set, ring, RevocationOptions{Now: rvtNow})
	assert.ErrorIs(t, err, ErrMisuse, "nil set")
}

// TestRevocationSetOnlyValidHasSet: lookups are only possible on a set
// that was accepted, and claims only on an authentic one.
func TestRevocationSetOnlyValidHasSet(t *testing.T) {
	ring := sptRing(t, "k1")
	tests := []struct {
		name   string
		opts   RevocationOptions
		code   Code
		claims bool
	}{
		{"fresh", RevocationOptions{}, CodeOK, true},
		{"stale allowed", RevocationOptions{Now: rvtNow.Add(2 * time.Hour), AllowStale: true}, CodeOK, true},
		{"stale", RevocationOptions{Now: rvtNow.Add(2 * time.Hour)}, CodeSetExpired, true},
		{"rollback", RevocationOptions{MinEpoch: 9}, CodeEpochRollback, true},
		{"too large", RevocationOptions{Limit: 10}, CodeInputTooLarge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rvtVerify(t, ring, rvtSet(5, []string{"x"}), tt.opts)
			assert.Equal(t, tt.code, res.Code, res.Message)
			assert.Equal(t, res.Valid, res.Set != nil)
			assert.Equal(t, tt.claims, res.SetClaims != nil)
		})
	}
}

// TestRevocationSetMillion verifies a set of 1,000,000 UUID-sized ids and
// looks every one of them up.
func TestRevocationSetMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 40 MB set")
	}
	const n = 1_000_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7919)
	}
	ring := sptRing(t, "k1")
	doc := sptSign(t, "k1", rvtSet(100, ids))
	t.Logf("set: %d ids, %d bytes", n, len(doc))

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	res, err := RevocationSet(doc, ring, RevocationOptions{Now: rvtNow})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	t.Logf("verify: %v, %d MB allocated", elapsed, (after.TotalAlloc-before.TotalAlloc)>>20)

	assert.Equal(t, n, res.Revoked)
	for _, id := range ids {
		if res.Set.Lookup(id, rvtNow).Status != LookupRevoked {
			t.Fatalf("%s is not revoked", id)
		}
	}
	assert.Equal(t, LookupNotRevoked, res.Set.Lookup("00000000-0000-4000-8000-000000000001", rvtNow).Status)
	t.Logf("the verified set holds %d MB", rvtRetained(&res))
}

// rvtRetained reports the heap a result holds, in MB, by dropping it.
func rvtRetained(res **RevocationSetResult) int64 {
	keep := *res
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	*res = nil
	runtime.KeepAlive(keep)
	keep = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	return (int64(with.HeapAlloc) - int64(without.HeapAlloc)) >> 20
}

// rvtModel is the meaning of a set as a plain map: id → "revoked" or a
// suspension's until.
type rvtModel map[string]string

func (m rvtModel) check(t *testing.T, s *VerifiedSet, ids []string) {
	t.Helper()
	revoked, suspended := 0, 0
	for _, v := range m {
		if v == "revoked" {
			revoked++
		} else {
			suspended++
		}
	}
	c := s.Claims(rvtNow)
	require.Equal(t, revoked, c.Revoked)
	require.Equal(t, suspended, c.Suspended)
	for _, id := range ids {
		got := s.Lookup(id, rvtNow)
		switch v, ok := m[id]; {
		case !ok:
			require.Equal(t, LookupNotRevoked, got.Status, id)
		case v == "revoked":
			require.Equal(t, LookupRevoked, got.Status, id)
		default:
			require.Equal(t, LookupSuspended, got.Status, id)
			require.Equal(t, v, got.Until.Format(time.RFC3339))
		}
	}
}

// TestApplyDeltaModel applies a long chain of random deltas, large enough
// to cross the compaction threshold several times, and compares every
// intermediate set with a plain map. Earlier sets must not change.
func TestApplyDeltaModel(t *testing.T) {
	ring := sptRing(t, "k1")
	rng := rand.New(rand.NewPCG(1, 2))
	universe := make([]string, 5000)
	for i := range universe {
		universe[i] = fmt.Sprintf("id-%04d", i)
	}
	model := rvtModel{}
	var initial []string
	for _, id := range universe[:2000] {
		initial = append(initial, id)
		model[id] = "revoked"
	}
	res := rvtVerify(t, ring, rvtSet(1, initial), RevocationOptions{})
	require.True(t, res.Valid, res.Message)
	type snapshot struct {
		set   *VerifiedSet
		model rvtModel
	}
	var history []snapshot
	set := res.Set
	compactions := 0
	for epoch := int64(2); epoch <= 40; epoch++ {
		history = append(history, snapshot{set, clone(model)})
		var added, removed []string
		suspended := map[string]string{}
		used := map[string]bool{}
		for range 300 {
			id := universe[rng.IntN(len(universe))]
			if used[id] {
				continue
			}
			used[id] = true
			switch cur, listed := model[id]; {
			case listed && rng.IntN(2) == 0:
				removed = append(removed, id)
				delete(model, id)
			case cur != "revoked" && rng.IntN(2) == 0:
				added = append(added, id)
				model[id] = "revoked"
			default:
				until := fmt.Sprintf("2026-04-%02dT00:00:00Z", 1+rng.IntN(28))
				suspended[id] = until
				model[id] = until
			}
		}
		out, err := set.ApplyDelta(sptSign(t, "k1", rvtDelta(epoch-1, epoch, added, removed, suspended)), ring, RevocationOptions{Now: rvtNow})
		require.NoError(t, err)
		require.True(t, out.Valid, "epoch %d: %s", epoch, out.Message)
		require.Equal(t, epoch, out.Set.Epoch())
		if out.Set.over == nil {
			compactions++
		}
		set = out.Set
		model.check(t, set, universe)
	}
	assert.GreaterOrEqual(t, compactions, 2, "the chain should cross the compaction threshold")
	for _, h := range history {
		h.model.check(t, h.set, universe)
	}
}

func clone(m rvtModel) rvtModel {
	out := make(rvtModel, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestApplyDeltaRollback: the stored epoch bounds where a chain ends: a
// delta whose epoch is below it is epoch_rollback, with the claims of the
// set it would have made (as a full set's rollback has), and no Set.
func TestApplyDeltaRollback(t *testing.T) {
	ring := sptRing(t, "k1")
	res := rvtVerify(t, ring, rvtSet(5, []string{"a"}), RevocationOptions{})
	require.True(t, res.Valid, res.Message)
	delta := sptSign(t, "k1", rvtDelta(5, 6, []string{"b"}, nil, nil))
	out, err := res.Set.ApplyDelta(delta, ring, RevocationOptions{Now: rvtNow, MinEpoch: 7})
	require.NoError(t, err)
	assert.Equal(t, CodeEpochRollback, out.Code)
	require.NotNil(t, out.SetClaims)
	assert.EqualValues(t, 6, out.Epoch)
	assert.Nil(t, out.StoreEpoch, "nothing to store after a rollback")
	assert.Nil(t, out.Set)
	// The base set is untouched by the failed delta.
	assert.Equal(t, LookupNotRevoked, res.Set.Lookup("b", rvtNow).Status)

	out, err = res.Set.ApplyDelta(delta, ring, RevocationOptions{Now: rvtNow, MinEpoch: 6})
	require.NoError(t, err)
	require.True(t, out.Valid, out.Message)
	require.NotNil(t, out.StoreEpoch)
	assert.Equal(t, int64(6), *out.StoreEpoch)
	assert.Equal(t, LookupRevoked, out.Set.Lookup("b", rvtNow).Status)
	assert.Equal(t, LookupNotRevoked, res.Set.Lookup("b", rvtNow).Status)
}

// TestZeroVerifiedSet: a VerifiedSet not made by the verifier answers
// without panicking, claims nothing, and takes no delta.
func TestZeroVerifiedSet(t *testing.T) {
	var s VerifiedSet
	assert.Equal(t, LookupNotRevoked, s.Lookup("a", rvtNow).Status)
	assert.True(t, s.Expired(rvtNow))
	ring := sptRing(t, "k1")
	delta := sptSign(t, "k1", rvtDelta(0, 1, []string{"b"}, nil, nil))
	_, err := s.ApplyDelta(delta, ring, RevocationOptions{Now: rvtNow})
	assert.ErrorIs(t, err, ErrMisuse)
}

func TestLookupSuspension(t *testing.T) {
	ring := sptRing(t, "k1")
	doc := rvtSet(1, nil)
	doc["suspended"] = []any{map[string]any{"license_id": "s", "until": "2026-03-01T12:00:00+02:00"}}
	res := rvtVerify(t, ring, doc, RevocationOptions{})
	require.True(t, res.Valid, res.Message)
	until := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		now  time.Time
		want string
	}{
		{until.Add(-time.Nanosecond), LookupSuspended},
		{until, LookupNotRevoked},
		{until.Add(time.Hour), LookupNotRevoked},
	} {
		got := res.Set.Lookup("s", tt.now)
		assert.Equal(t, tt.want, got.Status, tt.now)
		if tt.want == LookupSuspended {
			assert.Equal(t, "2026-03-01T10:00:00Z", got.Until.Format(time.RFC3339Nano))
		} else {
			assert.True(t, got.Until.IsZero())
		}
	}
	out, err := json.Marshal(res.Set.Lookup("s", rvtNow.Add(-5*time.Hour)))
	require.NoError(t, err)
	assert.JSONEq(t, `{"license_id":"s","status":"suspended","until":"2026-03-01T10:00:00Z"}`, string(out))
	out, err = json.Marshal(res.Set.Lookup("t", rvtNow))
	require.NoError(t, err)
	assert.JSONEq(t, `{"license_id":"t","status":"not_revoked"}`, string(out))
}

func TestEachID(t *testing.T) {
	tests := []struct {
		name, raw string
		want      []string
		err       bool
	}{
		{"empty", `[]`, nil, false},
		{"one", `["a"]`, []string{"a"}, false},
		{"escapes", `["a\"b","c\\d","\u001f","é"]`, []string{`a"b`, `c\d`, "\x1f", "é"}, false},
		{"number", `["a",1]`, nil, true},
		{"nested", `[["a"]]`, nil, true},
		{"empty id", `["a",""]`, nil, true},
		{"not array", `{"a":1}`, nil, true},
		{"unterminated", `["a]`, nil, true},
		{"trailing backslash", `["a\`, nil, true},
		{"junk after string", `["a"x]`, nil, true},
		{"short", `[`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := eachID([]byte(tt.raw), "ids", func(_ int, id string) *Error {
				got = append(got, id)
				return nil
			})
			if tt.err {
				require.NotNil(t, err)
				assert.Equal(t, CodeInvalidField, err.Code)
				return
			}
			require.Nil(t, err)
			assert.Equal(t, tt.want, got)
			assert.GreaterOrEqual(t, countElements([]byte(tt.raw)), len(tt.want))
		})
	}
}

// TestRevocationCanonicalIDs: ids are compared after JSON unescaping, so
// an id spelled with escapes is the same id, as JCS makes it.
func TestRevocationCanonicalIDs(t *testing.T) {
	ring := sptRing(t, "k1")
	signed := string(sptSign(t, "k1", rvtSet(1, []string{"abc", "x/y"})))
	escaped := strings.Replace(signed, `"abc"`, `"\u0061bc"`, 1)
	escaped = strings.Replace(escaped, `"x/y"`, `"x\/y"`, 1)
	require.NotEqual(t, signed, escaped)
	res, err := RevocationSet([]byte(escaped), ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	assert.Equal(t, LookupRevoked, res.Set.Lookup("abc", rvtNow).Status)
	assert.Equal(t, LookupRevoked, res.Set.Lookup("x/y", rvtNow).Status)
}

// rvtSignRaw signs canonical text directly, for documents json.Marshal
// cannot write.
func rvtSignRaw(t testing.TB, kid, doc string) []byte {
	payload, _, err := canonical.Signed([]byte(doc), 0)
	require.NoError(t, err)
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(sptKey(kid), payload))
	return []byte(doc[:len(doc)-1] + `,"signature":"` + sig + `"}`)
}

// TestRevocationDuplicateAfterUnescape: "a" and "\u0061" in revoked_ids
// are one id listed twice.
func TestRevocationDuplicateAfterUnescape(t *testing.T) {
	ring := sptRing(t, "k1")
	doc := rvtSignRaw(t, "k1", `{"epoch":1,"revoked_ids":["a","\u0061"],"issued_at":"2026-03-01T11:00:00Z","valid_until":"2026-03-01T13:00:00Z","issuer_kid":"k1"}`)
	res, err := RevocationSet(doc, ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	assert.Equal(t, CodeInvalidField, res.Code, res.Message)
}

func BenchmarkRevocationSetMillion(b *testing.B) {
	const n = 1_000_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7919)
	}
	ring := sptRing(b, "k1")
	doc := sptSign(b, "k1", rvtSet(100, ids))
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := RevocationSet(doc, ring, RevocationOptions{Now: rvtNow})
		if err != nil || !res.Valid {
			b.Fatal(err, res.Message)
		}
	}
}
