package api_test

import (
	"encoding/json"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// revocationVectors returns the requests of the valid revocation_set
// vectors, decoded.
func revocationVectors(t *testing.T) map[string]map[string]any {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	out := map[string]map[string]any{}
	for _, f := range files {
		for _, v := range f.Tests {
			var req, exp map[string]any
			require.NoError(t, json.Unmarshal(v.Request, &req))
			require.NoError(t, json.Unmarshal(v.Expected, &exp))
			if req["op"] == "revocation_set" && exp["valid"] == true {
				out[v.ID] = req
			}
		}
	}
	require.NotEmpty(t, out, "no valid revocation_set vectors")
	return out
}

func call(t *testing.T, req map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(req)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(api.Handle(api.MustFromJSON(string(b))), &out))
	return out
}

func with(req map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range req {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// TestRevocationLoadMatchesSet: loading a set and looking ids up later
// gives what revocation_set gives in one call, for every valid vector.
func TestRevocationLoadMatchesSet(t *testing.T) {
	for id, req := range revocationVectors(t) {
		t.Run(id, func(t *testing.T) {
			want := call(t, req)
			loaded := call(t, with(req, "op", "revocation_load"))
			h, ok := loaded["handle"].(float64)
			require.True(t, ok, "no handle: %v", loaded)
			delete(loaded, "handle")
			require.Equal(t, want, loaded)

			if ids, ok := req["lookup"]; ok {
				got := call(t, map[string]any{"op": "revocation_lookup", "handle": h, "now": req["now"], "ids": ids})
				require.Equal(t, true, got["valid"], got)
				require.Equal(t, want["epoch"], got["epoch"])
				if wl, ok := want["lookups"]; ok {
					require.Equal(t, wl, got["lookups"])
				} else {
					require.Equal(t, []any{}, got["lookups"])
				}
			}
			require.Equal(t, true, call(t, map[string]any{"op": "revocation_free", "handle": h})["valid"])
			gone := call(t, map[string]any{"op": "revocation_lookup", "handle": h, "now": req["now"], "ids": []string{"x"}})
			require.Contains(t, gone["error"], "no revocation set is loaded")
		})
	}
}

// TestRevocationApplyMatchesDeltas: applying a vector's deltas to its
// loaded set gives the result of revocation_set with those deltas. The
// base is loaded on its own terms (no stored epoch, stale allowed), since
// rollback and freshness are decided where the chain ends: the apply, with
// the vector's options, decides them.
func TestRevocationApplyMatchesDeltas(t *testing.T) {
	n := 0
	for id, req := range revocationVectors(t) {
		deltas, ok := req["deltas"]
		if !ok {
			continue
		}
		n++
		t.Run(id, func(t *testing.T) {
			want := call(t, with(req, "lookup", nil))
			loaded := call(t, with(req, "op", "revocation_load", "deltas", nil, "lookup", nil, "min_epoch", nil, "allow_stale", true))
			require.Equal(t, true, loaded["valid"], loaded)
			apply := with(req, "op", "revocation_apply", "handle", loaded["handle"], "set", nil, "lookup", nil, "deltas", deltas)
			got := call(t, apply)
			require.Equal(t, loaded["handle"], got["handle"])
			delete(got, "handle")
			require.Equal(t, want, got)
			// The handle now holds the new set: the same deltas no longer fit.
			again := call(t, apply)
			require.Equal(t, false, again["valid"], again)
			call(t, map[string]any{"op": "revocation_free", "handle": loaded["handle"]})
		})
	}
	require.NotZero(t, n, "no vector has deltas")
}

// TestRevocationLookupStale: a set loaded while fresh answers set_expired
// once now passes its valid_until, unless it was loaded with allow_stale.
func TestRevocationLookupStale(t *testing.T) {
	req := revocationVectors(t)["revocation/valid"]
	require.NotNil(t, req, "vector revocation/valid")
	loaded := call(t, with(req, "op", "revocation_load"))
	later := "2100-01-01T00:00:00Z"
	got := call(t, map[string]any{"op": "revocation_lookup", "handle": loaded["handle"], "now": later, "ids": []string{"a"}})
	require.Equal(t, false, got["valid"])
	require.Equal(t, "set_expired", got["code"])
	require.NotContains(t, got, "lookups")
	call(t, map[string]any{"op": "revocation_free", "handle": loaded["handle"]})

	stale := call(t, with(req, "op", "revocation_load", "allow_stale", true))
	got = call(t, map[string]any{"op": "revocation_lookup", "handle": stale["handle"], "now": later, "ids": []string{"a"}})
	require.Equal(t, true, got["valid"])
	require.Equal(t, true, got["stale"])
	require.Len(t, got["lookups"], 1)
	call(t, map[string]any{"op": "revocation_free", "handle": stale["handle"]})
}

func TestRevocationStateBadRequests(t *testing.T) {
	tests := []struct {
		name string
		req  map[string]any
	}{
		{"lookup without handle", map[string]any{"op": "revocation_lookup", "now": "2025-01-01T00:00:00Z", "ids": []string{}}},
		{"lookup unknown handle", map[string]any{"op": "revocation_lookup", "handle": 987654, "now": "2025-01-01T00:00:00Z", "ids": []string{}}},
		{"lookup without ids", map[string]any{"op": "revocation_lookup", "handle": 1, "now": "2025-01-01T00:00:00Z"}},
		{"lookup without now", map[string]any{"op": "revocation_lookup", "handle": 1, "ids": []string{}}},
		{"free unknown handle", map[string]any{"op": "revocation_free", "handle": 987654}},
		{"apply without deltas", map[string]any{"op": "revocation_apply", "handle": 1, "keys": "[]", "now": "2025-01-01T00:00:00Z"}},
		{"unknown member", map[string]any{"op": "revocation_free", "handle": 1, "extra": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := call(t, tc.req)
			require.Contains(t, got, "error")
			require.NotContains(t, got, "valid")
		})
	}
}

// TestRevocationLoadBounded: a host that never frees cannot hold more
// than api.MaxLoadedSets sets.
func TestRevocationLoadBounded(t *testing.T) {
	req := with(revocationVectors(t)["revocation/valid"], "op", "revocation_load")
	room := api.MaxLoadedSets - api.LoadedSets()
	var handles []any
	defer func() {
		for _, h := range handles {
			call(t, map[string]any{"op": "revocation_free", "handle": h})
		}
	}()
	for {
		got := call(t, req)
		if e, ok := got["error"]; ok {
			require.Contains(t, e, "free one first")
			break
		}
		handles = append(handles, got["handle"])
		require.LessOrEqual(t, len(handles), api.MaxLoadedSets)
	}
	require.Len(t, handles, room)
}

// TestLookupLimit: more than api.MaxLookups ids in one request is a bad
// request in every op that looks ids up; api.MaxLookups is answered.
func TestLookupLimit(t *testing.T) {
	req := revocationVectors(t)["revocation/valid"]
	require.NotNil(t, req)
	ids := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = "id"
		}
		return s
	}

	out := call(t, with(req, "lookup", ids(api.MaxLookups)))
	require.Equal(t, true, out["valid"], out)
	require.Len(t, out["lookups"], api.MaxLookups)
	out = call(t, with(req, "lookup", ids(api.MaxLookups+1)))
	require.Contains(t, out["error"], "lookup has 65537 ids, limit is 65536")

	load := call(t, with(req, "op", "revocation_load", "lookup", ids(api.MaxLookups+1)))
	require.Contains(t, load["error"], "limit is 65536")
	load = call(t, with(req, "op", "revocation_load"))
	require.Equal(t, true, load["valid"], load)
	lookup := map[string]any{"op": "revocation_lookup", "handle": load["handle"], "now": req["now"]}
	out = call(t, with(lookup, "ids", ids(api.MaxLookups+1)))
	require.Contains(t, out["error"], "ids has 65537 ids, limit is 65536")
	out = call(t, with(lookup, "ids", ids(1)))
	require.Equal(t, true, out["valid"], out)
	call(t, map[string]any{"op": "revocation_free", "handle": load["handle"]})
}
