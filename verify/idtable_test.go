package verify

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// itIDs are ids that exercise the table's rules: escapes of every kind,
// ids that are prefixes of others, and text that spans two elements of
// the array ("ab\",\"abc" is the text from ab to abc).
var itIDs = []string{
	"ab", "abc", "a", "b", `a"b`, `a\b`, `"`, `\`, `\\`, `""`, "\x01", "\x1f", "\t", "x\ny",
	"é", "日本", "\U0001F600", "\u2028", "/", "a/b", "<>&", "\x7f", `ab","abc`,
	"00000000-0000-4000-8000-000000000000",
}

// itArray is the canonical text of a JSON array of ids.
func itArray(t testing.TB, ids []string) []byte {
	raw, err := json.Marshal(ids)
	require.NoError(t, err)
	c, err := canonical.Transform(raw, DefaultRevocationLimit)
	require.NoError(t, err)
	return c
}

// itBuild builds the table of a canonical array as readSetLists does.
func itBuild(t testing.TB, raw []byte) (*idTable, *Error) {
	tab := newIDTable(raw, countElements(raw))
	err := scanIDs(raw, "ids", func(_, off int, id []byte, escaped bool) *Error {
		if !tab.add(off, id, escaped) {
			return fail(CodeInvalidField, "ids lists %q twice", truncate(string(id)))
		}
		return nil
	})
	return tab, err
}

// itProbes are the ids to look up for a list: every id, and ids near
// them (prefixes, extensions, the text between two ids).
func itProbes(ids []string) []string {
	probes := []string{"", `","`, `"`, `\`, "]", "["}
	for i, id := range ids {
		probes = append(probes, id, id+"x", "x"+id, id+`"`, `"`+id, id+`\`)
		if len(id) > 1 {
			probes = append(probes, id[:len(id)-1], id[1:])
		}
		if i+1 < len(ids) {
			probes = append(probes, id+`","`+ids[i+1], id+`,`+ids[i+1])
		}
	}
	return probes
}

// itCheck compares a table with the set of ids it should hold.
func itCheck(t *testing.T, tab *idTable, want map[string]bool, probes []string) {
	t.Helper()
	require.Equal(t, len(want), tab.len())
	for _, p := range probes {
		if tab.has(p) != want[p] {
			t.Fatalf("has(%q) is %v, want %v", p, !want[p], want[p])
		}
	}
	seen := map[string]bool{}
	tab.each(func(id []byte) {
		require.True(t, want[string(id)], "each gave %q", id)
		require.False(t, seen[string(id)], "each gave %q twice", id)
		seen[string(id)] = true
	})
	require.Len(t, seen, len(want))
}

// TestIDTableMatchesMap: a table built from canonical text, and the one
// compaction writes from it, hold exactly the ids a map of strings holds,
// for ids with escapes and for many random ids.
func TestIDTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "0", `"`, `\`, "\x00", "\n", "/", "é", "\U0001F600", ","}
	random := func(n int) []string {
		seen := map[string]bool{}
		var ids []string
		for len(ids) < n {
			var sb strings.Builder
			for range 1 + rng.IntN(6) {
				sb.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			if id := sb.String(); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return ids
	}
	uuids := make([]string, 100_000)
	for i := range uuids {
		uuids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.Uint32(), i)
	}
	for _, tt := range []struct {
		name string
		ids  []string
	}{
		{"none", nil},
		{"one", []string{"a"}},
		{"escapes", itIDs},
		{"random", random(3000)},
		{"uuids", uuids},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]bool{}
			for _, id := range tt.ids {
				want[id] = true
			}
			probes := itProbes(tt.ids)
			if len(probes) > 20_000 {
				probes = probes[:20_000]
			}
			for _, id := range tt.ids[:min(len(tt.ids), 1000)] {
				probes = append(probes, strings.ToUpper(id))
			}
			tab, err := itBuild(t, itArray(t, orEmpty(tt.ids)))
			require.Nil(t, err)
			itCheck(t, tab, want, probes)

			// Compaction writes the ids the changes leave alone to a
			// fresh buffer: drop every third id and add new ones.
			w := newIDWriter(tab.size + 64)
			kept := map[string]bool{}
			i := 0
			tab.each(func(id []byte) {
				if i++; i%3 != 0 {
					writeID(w, id)
					kept[string(id)] = true
				}
			})
			for _, id := range []string{`new"id`, "new\\id", "newid", "new\x01"} {
				writeID(w, id)
				kept[id] = true
			}
			itCheck(t, w.table(), kept, append(probes, "newid", `new"id`, "new"))
		})
	}
}

// TestIDTableDuplicates: an id listed twice is found whether it is
// spelled with escapes or not, and the message names the decoded id.
func TestIDTableDuplicates(t *testing.T) {
	for _, tt := range []struct{ raw, dup string }{
		{`["a","b","a"]`, "a"},
		{`["a\"b","c","a\"b"]`, `a"b`},
		{`["\u0001","\u0001"]`, "\x01"},
		{`["x\\y","x\\y"]`, `x\y`},
		// Not canonical, but the table must still see one id: an id
		// spelled raw once and escaped once.
		{`["ab","\u0061b"]`, "ab"},
		{`["\u0061b","ab"]`, "ab"},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := itBuild(t, []byte(tt.raw))
			require.NotNil(t, err)
			assert.Equal(t, CodeInvalidField, err.Code)
			assert.Equal(t, fmt.Sprintf("ids lists %q twice", tt.dup), err.Message)
		})
	}
}

// TestRevocationEscapedIDs: ids whose canonical text holds escapes are
// looked up by their value, through a full set, deltas and compaction;
// no text between two ids is ever taken for an id.
func TestRevocationEscapedIDs(t *testing.T) {
	ring := sptRing(t, "k1")
	res := rvtVerify(t, ring, rvtSet(1, itIDs), RevocationOptions{})
	require.True(t, res.Valid, res.Message)
	assert.Equal(t, len(itIDs), res.Revoked)
	model := rvtModel{}
	for _, id := range itIDs {
		model[id] = "revoked"
	}
	probes := itProbes(itIDs)
	model.check(t, res.Set, probes)

	// A delta that lifts escaped ids and revokes others.
	added := []string{`new"`, "new\x02", "ab,abc"}
	removed := []string{`a"b`, "\x01", "ab"}
	out, err := res.Set.ApplyDelta(sptSign(t, "k1", rvtDelta(1, 2, added, removed, map[string]string{`\\`: "2026-04-01T00:00:00Z"})), ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	require.True(t, out.Valid, out.Message)
	before := clone(model)
	for _, id := range added {
		model[id] = "revoked"
	}
	for _, id := range removed {
		delete(model, id)
	}
	model[`\\`] = "2026-04-01T00:00:00Z"
	probes = append(probes, added...)
	model.check(t, out.Set, probes)
	before.check(t, res.Set, probes)

	// Enough one-id deltas to compact, then the same lookups.
	set := out.Set
	for epoch := int64(3); set.over != nil; epoch++ {
		id := fmt.Sprintf("fill\"%d", epoch)
		out, err = set.ApplyDelta(sptSign(t, "k1", rvtDelta(epoch-1, epoch, []string{id}, nil, nil)), ring, RevocationOptions{Now: rvtNow})
		require.NoError(t, err)
		require.True(t, out.Valid, out.Message)
		model[id] = "revoked"
		set = out.Set
		require.Less(t, epoch, int64(3000), "no compaction")
	}
	model.check(t, set, probes)
	out, err = set.ApplyDelta(sptSign(t, "k1", rvtDelta(set.Epoch(), set.Epoch()+1, nil, []string{`"`, "fill\"3"}, nil)), ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	require.True(t, out.Valid, out.Message)
	delete(model, `"`)
	delete(model, "fill\"3")
	model.check(t, out.Set, append(probes, "fill\"3", "fill\"4"))
}

// TestRevocationEscapedIDConflicts: the lists' rules hold for escaped ids.
func TestRevocationEscapedIDConflicts(t *testing.T) {
	ring := sptRing(t, "k1")
	twice := rvtSignRaw(t, "k1", `{"epoch":1,"revoked_ids":["a\"b","a\"b"],"issued_at":"2026-03-01T11:00:00Z","valid_until":"2026-03-01T13:00:00Z","issuer_kid":"k1"}`)
	res, err := RevocationSet(twice, ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	assert.Equal(t, CodeInvalidField, res.Code)
	assert.Equal(t, `revoked_ids lists "a\"b" twice`, res.Message)

	doc := rvtSet(1, []string{"\x01", "ok"})
	doc["suspended"] = []any{map[string]any{"license_id": "\x01", "until": "2026-04-01T00:00:00Z"}}
	res = rvtVerify(t, ring, doc, RevocationOptions{})
	assert.Equal(t, CodeInvalidField, res.Code)
	assert.Equal(t, `"\x01" is both revoked and suspended`, res.Message)

	res = rvtVerify(t, ring, rvtSet(1, []string{"a", ""}), RevocationOptions{})
	assert.Equal(t, CodeInvalidField, res.Code)
	assert.Equal(t, "revoked_ids[1] is empty", res.Message)
}

// TestRevocationSetKeepsNoInput: a verified set does not share memory
// with the document it was read from, which a host may reuse.
func TestRevocationSetKeepsNoInput(t *testing.T) {
	ring := sptRing(t, "k1")
	doc := sptSign(t, "k1", rvtSet(1, []string{"abc", "def"}))
	res, err := RevocationSet(doc, ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	for i := range doc {
		if doc[i] >= 'a' && doc[i] <= 'f' {
			doc[i] = 'x'
		}
	}
	assert.Equal(t, LookupRevoked, res.Set.Lookup("abc", rvtNow).Status)
	assert.Equal(t, LookupRevoked, res.Set.Lookup("def", rvtNow).Status)
	assert.Equal(t, LookupNotRevoked, res.Set.Lookup("xxx", rvtNow).Status)
}

// TestLookupConcurrent: lookups on a set run while deltas are applied to
// it from other goroutines (run with -race).
func TestLookupConcurrent(t *testing.T) {
	ring := sptRing(t, "k1")
	ids := make([]string, 2000)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%d", i)
	}
	res := rvtVerify(t, ring, rvtSet(1, ids), RevocationOptions{})
	require.True(t, res.Valid, res.Message)
	deltas := make([][]byte, 1100) // past compaction
	for i := range deltas {
		deltas[i] = sptSign(t, "k1", rvtDelta(int64(i+1), int64(i+2), []string{fmt.Sprintf("new-%d", i)}, nil, nil))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g == 0 {
				out, err := res.Set.ApplyDeltas(deltas, ring, RevocationOptions{Now: rvtNow})
				assert.NoError(t, err)
				assert.True(t, out.Valid)
				return
			}
			for range 20 {
				for _, id := range ids {
					if res.Set.Lookup(id, rvtNow).Status != LookupRevoked {
						t.Errorf("%s is not revoked", id)
						return
					}
				}
				if res.Set.Lookup("new-1", rvtNow).Status != LookupNotRevoked {
					t.Error("the base set changed")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestLookupAllocations: a lookup allocates nothing.
func TestLookupAllocations(t *testing.T) {
	ring := sptRing(t, "k1")
	res := rvtVerify(t, ring, rvtSet(1, itIDs), RevocationOptions{})
	require.True(t, res.Valid, res.Message)
	probes := itProbes(itIDs)
	allocs := testing.AllocsPerRun(10, func() {
		for _, p := range probes {
			res.Set.Lookup(p, rvtNow)
		}
	})
	assert.Zero(t, allocs)
}

// rvtUnknownMembers is the canonical text of a set with n unknown
// top-level members, some of them with escaped names.
func rvtUnknownMembers(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"epoch":1,"issued_at":"2026-03-01T11:00:00Z","issuer_kid":"k1"`)
	for i := range n {
		fmt.Fprintf(&sb, `,"m%07d":[%d]`, i, i)
	}
	sb.WriteString(`,"n\"epoch":2,"n\\epoch":3,"revoked_ids":["a"],"valid_until":"2026-03-01T13:00:00Z"}`)
	return sb.String()
}

// TestRevocationUnknownMembers: a set's unknown top-level members are in
// the signed bytes but not in the members read, however many there are.
func TestRevocationUnknownMembers(t *testing.T) {
	const n = 100_000
	ring := sptRing(t, "k1")
	text := rvtUnknownMembers(n)
	payload, _, cerr := canonical.Signed([]byte(text), DefaultRevocationLimit)
	require.NoError(t, cerr)
	require.Equal(t, text, string(payload), "the text is canonical")
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(sptKey("k1"), payload))
	doc := []byte(text[:len(text)-1] + `,"signature":"` + sig + `"}`)
	d, err := parseDocument(doc, DefaultRevocationLimit, "revocation set", revMembers)
	require.Nil(t, err)
	names := make([]string, 0, len(d.fields))
	for name := range d.fields {
		names = append(names, name)
	}
	assert.ElementsMatch(t, []string{"epoch", "issued_at", "issuer_kid", "revoked_ids", "valid_until"}, names)
	assert.Equal(t, `1`, string(d.fields["epoch"]))

	res, rerr := RevocationSet(doc, ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, rerr)
	require.True(t, res.Valid, res.Message)
	assert.Equal(t, LookupRevoked, res.Set.Lookup("a", rvtNow).Status)

	// An unknown member is covered by the signature all the same.
	forged := strings.Replace(string(doc), `"m0050000":[50000]`, `"m0050000":[50001]`, 1)
	require.NotEqual(t, string(doc), forged)
	res, rerr = RevocationSet([]byte(forged), ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, rerr)
	assert.Equal(t, CodeBadSignature, res.Code)
}

// TestRevocationMembersChangeNothing: reading only revMembers gives, for
// every revocation vector and for documents of every other kind, the
// result reading every member gives, message included.
func TestRevocationMembersChangeNothing(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testvectors", "revocation.json"))
	require.NoError(t, err)
	var file struct {
		Tests []struct {
			ID      string `json:"id"`
			Request struct {
				Keys       string   `json:"keys"`
				Set        string   `json:"set"`
				Deltas     []string `json:"deltas"`
				Lookup     []string `json:"lookup"`
				Now        string   `json:"now"`
				MinEpoch   int64    `json:"min_epoch"`
				AllowStale bool     `json:"allow_stale"`
			} `json:"request"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	type input struct {
		name, keys, set string
		deltas          []string
		lookup          []string
		opts            RevocationOptions
	}
	var inputs []input
	for _, tc := range file.Tests {
		r := tc.Request
		now, err := time.Parse(time.RFC3339Nano, r.Now)
		require.NoError(t, err, tc.ID)
		inputs = append(inputs, input{tc.ID, r.Keys, r.Set, r.Deltas, r.Lookup,
			RevocationOptions{Now: now, MinEpoch: r.MinEpoch, AllowStale: r.AllowStale}})
	}
	require.GreaterOrEqual(t, len(inputs), 100, "vectors loaded")
	// Documents of other kinds given as a set and as a delta.
	ringText := `[{"kid":"k1","alg":"ed25519","public_key":"` + base64Key("k1") + `"}]`
	set := string(sptSign(t, "k1", rvtSet(1, []string{"a"})))
	delta := string(sptSign(t, "k1", rvtDelta(1, 2, []string{"b"}, nil, nil)))
	proof := string(sptSign(t, "k1", sptProof()))
	license := string(sptSign(t, "k1", map[string]any{"schema_version": 1, "signature_alg": "ed25519", "license_id": "l"}))
	for _, other := range []struct{ name, doc string }{{"delta", delta}, {"proof", proof}, {"license", license}, {"set", set}} {
		inputs = append(inputs,
			input{name: other.name + " as a set", keys: ringText, set: other.doc, opts: RevocationOptions{Now: rvtNow}},
			input{name: other.name + " as a delta", keys: ringText, set: set, deltas: []string{other.doc}, opts: RevocationOptions{Now: rvtNow}})
	}

	run := func(in input) (*RevocationSetResult, []LookupResult) {
		ring, err := ParseKeyring([]byte(in.keys))
		if err != nil {
			return nil, nil
		}
		deltas := make([][]byte, len(in.deltas))
		for i, d := range in.deltas {
			deltas[i] = []byte(d)
		}
		res, err := RevocationChain([]byte(in.set), deltas, ring, in.opts)
		require.NoError(t, err, in.name)
		var lookups []LookupResult
		if res.Set != nil {
			for _, id := range in.lookup {
				lookups = append(lookups, res.Set.Lookup(id, in.opts.Now))
			}
		}
		res.Set = nil
		return res, lookups
	}
	keep := revMembers
	defer func() { revMembers = keep }()
	for _, in := range inputs {
		revMembers = keep
		got, gotLookups := run(in)
		revMembers = nil
		want, wantLookups := run(in)
		assert.Equal(t, want, got, in.name)
		assert.Equal(t, wantLookups, gotLookups, in.name)
	}
}

func base64Key(kid string) string {
	return base64.StdEncoding.EncodeToString(sptKey(kid).Public().(ed25519.PublicKey))
}

// FuzzIDTable holds scanIDs and the table to encoding/json: for every
// array of strings canonical accepts, the ids are the strings
// encoding/json decodes, and the table holds exactly them.
func FuzzIDTable(f *testing.F) {
	for _, s := range []string{`[]`, `["a"]`, `["ab","abc","a"]`, `["a\"b","\u0001","c\\d","é"]`, `["a","a"]`, `["\ud83d\ude00","x\/y"]`} {
		f.Add([]byte(s))
	}
	f.Add(itArray(f, itIDs))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := canonical.Transform(in, 0)
		if err != nil {
			return
		}
		var want []string
		jerr := json.Unmarshal(c, &want)
		var got []string
		serr := eachID(c, "ids", func(_ int, id string) *Error {
			got = append(got, id)
			return nil
		})
		empty := false
		for _, id := range want {
			empty = empty || id == ""
		}
		if jerr != nil || c[0] != '[' || empty {
			if serr == nil {
				t.Fatalf("%q: eachID took what encoding/json does not (%v)", c, jerr)
			}
			return
		}
		if serr != nil {
			t.Fatalf("%q: %v", c, serr)
		}
		if !assert.Equal(t, orEmpty(want), orEmpty(got)) {
			return
		}
		tab, terr := itBuild(t, c)
		m := map[string]bool{}
		dup := false
		for _, id := range want {
			dup = dup || m[id]
			m[id] = true
		}
		if dup {
			if terr == nil {
				t.Fatalf("%q: no duplicate found", c)
			}
			return
		}
		if terr != nil {
			t.Fatalf("%q: %v", c, terr)
		}
		itCheck(t, tab, m, itProbes(want))
	})
}
