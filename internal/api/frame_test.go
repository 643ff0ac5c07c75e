package api

import (
	"encoding/binary"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answer decodes a response into a map.
func answer(t *testing.T, frame []byte) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal(Handle(frame), &out))
	return out
}

// TestFrameBadRequests: every malformed frame is a bad request naming what
// is wrong, never a result and never a panic.
func TestFrameBadRequests(t *testing.T) {
	partsBound, membersBound := boundMessages()
	header := `{"op":"canonicalize"}`
	doc := Part{"document", []byte(`{}`)}
	raw := func(b ...[]byte) []byte {
		var out []byte
		for _, x := range b {
			out = append(out, x...)
		}
		return out
	}
	u32 := func(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }
	tests := []struct {
		name  string
		frame []byte
		want  string
	}{
		{"empty", nil, "does not start"},
		{"a JSON request of ABI 1", []byte(`{"op":"canonicalize","document":"{}"}`), "ABI version 1"},
		{"other magic", []byte("LVR1\x00\x00\x00\x00"), "does not start"},
		{"no header length", []byte("LVR2\x01"), "header length"},
		{"header longer than the frame", raw([]byte("LVR2"), u32(100), []byte(header)), "ends inside the header"},
		{"header over its limit", raw([]byte("LVR2"), u32(MaxHeader+1)), "limit"},
		{"part name of length 0", append(Frame([]byte(header)), 0), "name length"},
		{"part name longer than the frame", append(Frame([]byte(header)), 9, 'd'), "name length"},
		{"part without its length", append(Frame([]byte(header)), 1, 'x', 0), "inside its length"},
		{"part longer than the frame", raw(Frame([]byte(header)), []byte{8}, []byte("document"), u32(10), []byte("{}")), "remain"},
		{"header not JSON", Frame([]byte(`{"op":`), doc), "header"},
		{"header an array", Frame([]byte(`["op"]`), doc), "header"},
		{"header not UTF-8", Frame([]byte("{\"op\":\"canonicalize\",\"x\":\"\xff\"}"), doc), "UTF-8"},
		{"header with a lone surrogate escape", Frame([]byte(`{"op":"canonicalize","limit":1,"x":"\ud800"}`), doc), "surrogate"},
		{"header with a BOM", Frame([]byte("\xef\xbb\xbf"+header), doc), "header"},
		{"header member twice", Frame([]byte(`{"op":"canonicalize","limit":5,"limit":6}`), doc), "duplicate"},
		{"no op", Frame([]byte(`{}`), doc), "no op"},
		{"op not a string", Frame([]byte(`{"op":1}`), doc), "no op"},
		{"unknown op", Frame([]byte(`{"op":"verify"}`), doc), "unknown op"},
		{"unknown header member", Frame([]byte(`{"op":"canonicalize","limits":5}`), doc), "limits"},
		{"document in the header", Frame([]byte(`{"op":"canonicalize","document":"{}"}`)), "part"},
		{"header member as a part", Frame([]byte(header), doc, Part{"limit", []byte("5")}), "header member"},
		{"unknown part", Frame([]byte(header), doc, Part{"documents", []byte("{}")}), "documents"},
		{"one-part member twice", Frame([]byte(header), doc, doc), "twice"},
		{"required part missing", Frame([]byte(header)), "document is required"},
		{"limit zero", Frame([]byte(`{"op":"canonicalize","limit":0}`), doc), "limit"},
		{"limit above the default", Frame([]byte(`{"op":"canonicalize","limit":1048577}`), doc), "limit"},
		{"limit not an integer", Frame([]byte(`{"op":"canonicalize","limit":1.5}`), doc), "limit"},
		{"limit a string", Frame([]byte(`{"op":"canonicalize","limit":"5"}`), doc), "limit"},
		{"more parts than any op takes", Frame([]byte(header), deltaParts(MaxParts+1)...), partsBound},
		{"more parts than any op takes, the last one cut", Frame([]byte(header), deltaParts(MaxParts+1)...)[:len(Frame([]byte(header), deltaParts(MaxParts+1)...))-1], partsBound},
		{"a part cut short before the count is reached", Frame([]byte(header), deltaParts(MaxParts)...)[:len(Frame([]byte(header), deltaParts(MaxParts)...))-1], "inside its length"},
		{"more deltas than a request holds", Frame([]byte(`{"op":"revocation_apply"}`), deltaParts(4097)...), "deltas has more than 4096 parts"},
		{"more header members than any op takes", Frame([]byte(`{"op":"canonicalize"`+strings.Repeat(`,"a":1`, MaxHeaderMembers)+`}`), doc), membersBound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := answer(t, tt.frame)
			msg, ok := got["error"].(string)
			require.True(t, ok, "want an error, got %v", got)
			assert.True(t, strings.HasPrefix(msg, "licverify: bad request: "), msg)
			assert.Contains(t, msg, tt.want)
		})
	}
}

// deltaParts returns n empty deltas parts.
func deltaParts(n int) []Part {
	parts := make([]Part, n)
	for i := range parts {
		parts[i].Name = "deltas"
	}
	return parts
}

// boundMessages are the bad requests' words for the count bounds.
func boundMessages() (parts, members string) {
	return "more than " + strconv.Itoa(MaxParts) + " parts", "more than " + strconv.Itoa(MaxHeaderMembers) + " members"
}

// TestFrameCostIndependentOfParts: what a frame costs to read depends on
// its size, not on how finely it is cut. A frame at the request limit
// holding millions of empty parts once allocated 17 to 32 times its size
// before the first part was checked; now it is refused for its count
// with next to nothing allocated, and so is a header of half a million
// members.
func TestFrameCostIndependentOfParts(t *testing.T) {
	partsBound, membersBound := boundMessages()
	fill := func(head []byte, name string) []byte {
		part := binary.LittleEndian.AppendUint32(append([]byte{byte(len(name))}, name...), 0)
		b := make([]byte, len(head), MaxRequest)
		copy(b, head)
		for len(b)+len(part) <= MaxRequest {
			b = append(b, part...)
		}
		return b
	}
	setHead := Frame([]byte(`{"op":"revocation_set","now":"2026-01-01T00:00:00Z"}`), Part{"keys", []byte(spAPIKeys)}, Part{"set", []byte(`{}`)})
	var h strings.Builder
	h.WriteString(`{"op":"revocation_set"`)
	for i := 0; h.Len() < MaxHeader-16; i++ {
		h.WriteString(`,"m` + strconv.Itoa(i) + `":0`)
	}
	h.WriteString("}")
	tests := []struct {
		name  string
		frame []byte
		want  string
	}{
		{"empty deltas", fill(setHead, "deltas"), partsBound},
		{"one-byte names", fill(Frame([]byte(`{"op":"canonicalize"}`)), "x"), partsBound},
		{"header of many members", Frame([]byte(h.String())), membersBound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			resp := Handle(tt.frame)
			runtime.ReadMemStats(&after)
			assert.Contains(t, string(resp), tt.want)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<10), "bytes allocated for a %d-byte frame", len(tt.frame))
		})
	}
	// At the bound, the parts are kept in one slice of their exact size.
	frame := Frame([]byte(`{"op":"revocation_set","now":"2026-01-01T00:00:00Z"}`), append([]Part{{"keys", []byte(spAPIKeys)}, {"set", []byte(`{}`)}}, deltaParts(4096)...)...)
	r, err := parseRequest(frame)
	require.NoError(t, err)
	assert.Len(t, r.parts["deltas"], 4096)
	assert.Equal(t, 4096, cap(r.parts["deltas"]))
}

// TestFramePartsAreExactBytes: a part reaches the verifier as it is: bytes
// that are not UTF-8, a BOM, and escapes are never repaired or decoded.
func TestFramePartsAreExactBytes(t *testing.T) {
	canon := func(doc string) map[string]any {
		return answer(t, Frame([]byte(`{"op":"canonicalize"}`), Part{"document", []byte(doc)}))
	}
	assert.Equal(t, "malformed_json", canon("{\"k\":\"\xff\"}")["code"])
	assert.Equal(t, "malformed_json", canon("\xef\xbb\xbf{}")["code"])
	assert.Equal(t, "malformed_json", canon(`{"k":"\ud800"}`)["code"])
	ok := canon(`{"b":"\u00e9","a":1}`)
	assert.Equal(t, `{"a":1,"b":"é"}`, ok["canonical"])
	// A document at its limit fits, whatever its spelling.
	big := `{"k":"` + strings.Repeat(`\"`, (canonical.DefaultLimit-8)/2) + `"}`
	assert.Len(t, big, canonical.DefaultLimit)
	assert.Equal(t, "ok", canon(big)["code"])
}

// TestFrameDeltasInOrder: repeated parts of a bytes[] member arrive in
// frame order; the first failing one is named by its index.
func TestFrameDeltasInOrder(t *testing.T) {
	frame := Frame([]byte(`{"op":"revocation_set","now":"2026-01-01T00:00:00Z"}`),
		Part{"keys", []byte(spAPIKeys)}, Part{"set", []byte(`{}`)},
		Part{"deltas", []byte(`{}`)}, Part{"deltas", []byte(`{}`)})
	got := answer(t, frame)
	assert.Equal(t, false, got["valid"], got) // the set itself is refused first
	assert.Equal(t, "signature_missing", got["code"])
}

// TestTableMatchesHandlers: every op of ops.json has a handler and the
// bounds the table states are the verifiers' own.
func TestTableMatchesHandlers(t *testing.T) {
	assert.Equal(t, ABIVersion, Ops.ABIVersion)
	for _, name := range Ops.OpNames() {
		assert.Contains(t, handlers, name)
		for member, m := range Ops.Ops[name].Members {
			assert.Contains(t, Ops.Kinds, m.Kind, "%s.%s", name, member)
		}
		if doc := Ops.Ops[name].Document; doc != "" {
			assert.Contains(t, Ops.Ops[name].Members, doc, "%s document", name)
		}
	}
	assert.Len(t, handlers, len(Ops.Ops))
	max := func(op, member string) int64 { return *Ops.Ops[op].Members[member].Max }
	assert.EqualValues(t, canonical.DefaultLimit, max("canonicalize", "limit"))
	assert.EqualValues(t, canonical.DefaultLimit, max("status_proof", "limit"))
	assert.EqualValues(t, canonical.DefaultLimit, max("qkey", "limit"))
	for _, op := range []string{"revocation_set", "revocation_load", "revocation_apply"} {
		assert.EqualValues(t, verify.DefaultRevocationLimit, max(op, "limit"))
	}
	assert.EqualValues(t, MaxLookups, Ops.Ops["revocation_lookup"].Members["ids"].MaxItems)
	assert.EqualValues(t, MaxLookups, Ops.Ops["revocation_set"].Members["lookup"].MaxItems)
	assert.EqualValues(t, int64(1)<<53, max("status_proof", "min_epoch"))
	for _, name := range Ops.OpNames() {
		for member, m := range Ops.Ops[name].Members {
			if m.Kind == KindBytesN || m.Kind == KindStrings {
				assert.Positive(t, m.MaxItems, "%s.%s has no max_items: a frame could hold any number of them", name, member)
			}
		}
	}
	for _, op := range []string{"plan", "accept"} {
		assert.EqualValues(t, verify.MaxCachedDeltas, Ops.Ops[op].Members["deltas"].MaxItems, op)
		assert.EqualValues(t, verify.MaxCachedDeltas, max(op, "max_deltas"), op)
	}
	assert.EqualValues(t, verify.MaxFailures, max("plan", "proof_failures"))
	assert.EqualValues(t, verify.MaxFailures, max("plan", "set_failures"))
	assert.EqualValues(t, 100, max("plan", "refresh_percent"))
	// accept takes the most parts (the fetched document, keys, proof,
	// set, fingerprint and the deltas) and plan the most header members
	// (op and fifteen options); both stay far below what a frame can cut.
	assert.Equal(t, 5+4096, MaxParts, "fetched, keys, proof, set, fingerprint and the deltas of accept")
	assert.Equal(t, 16, MaxHeaderMembers, "op and the fifteen options of plan")
	assert.Less(t, verify.DefaultRevocationLimit+(1<<20), MaxRequest-MaxHeader+1, "a largest set, a keyring and a header fit")
}

// TestUndeliverableLoadKeepsNoHandle: if a load's answer could not be
// encoded, the host never learns its handle, so the set must not stay
// loaded (64 such calls would otherwise fill the instance for good).
func TestUndeliverableLoadKeepsNoHandle(t *testing.T) {
	frame := MustFromJSON(`{"op":"revocation_load","keys":` + spQuote(spAPIKeys) + `,"now":"2026-01-01T00:00:00Z","set":"{}"}`)
	real := handlers["revocation_load"]
	defer func() { handlers["revocation_load"] = real }()
	handlers["revocation_load"] = loadHandler(func(r *request) (*revocationLoadResponse, error) {
		// A loaded set whose result cannot be written: a year RFC 3339
		// has no spelling for (the strict time parser keeps real
		// documents from ever getting here).
		loadedMu.Lock()
		lastHandle++
		h := lastHandle
		loaded[h] = &loadedSet{}
		loadedMu.Unlock()
		res := &verify.RevocationSetResult{Result: verify.Result{Valid: true, Code: verify.CodeOK, Message: "ok"},
			SetClaims: &verify.SetClaims{IssuedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}
		return &revocationLoadResponse{revocationResponse: revocationResponse{RevocationSetResult: res}, Handle: h}, nil
	})
	before := LoadedSets()
	got := answer(t, frame)
	assert.Contains(t, got["error"], "internal: encoding the result")
	assert.Equal(t, before, LoadedSets(), "the handle was freed")
}

// TestFirstFaultNamed: of several faults in a request, the same one is
// named on every call: the first missing member in name order, the first
// unknown member in header order.
func TestFirstFaultNamed(t *testing.T) {
	missing := Frame([]byte(`{"op":"license"}`))
	unknown := Frame([]byte(`{"op":"canonicalize","zz":1,"aa":2,"mm":3}`))
	for range 50 {
		assert.Equal(t, `{"error":"licverify: bad request: keys is required"}`, string(Handle(missing)))
		assert.Equal(t, `{"error":"licverify: bad request: canonicalize has no member \"zz\""}`, string(Handle(unknown)))
	}
}
