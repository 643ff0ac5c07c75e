package main

import (
	"encoding/json"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
)

// FuzzCall: whatever bytes a host sends, call answers one JSON object, a
// result (with "valid") or an error, and never panics out of the export.
func FuzzCall(f *testing.F) {
	files, err := testvectors.Load(testvectors.Dir())
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, file := range files {
		for _, v := range file.Tests {
			if v.Pad != nil {
				continue // 64 MiB seeds would make every mutation slow
			}
			f.Add(v.Frame)
			n++
		}
	}
	if n == 0 {
		f.Fatal("no seeds")
	}
	f.Add(api.MustFromJSON(`{"op":"revocation_lookup","handle":1,"now":"2025-01-01T00:00:00Z","ids":["a"]}`))
	f.Fuzz(func(t *testing.T, req []byte) {
		before := len(buffers)
		p := allocBuffer(int64(len(req)))
		copy(buffers[p], req)
		rp, rn := callRequest(p, int64(len(req)))
		resp := append([]byte(nil), buffers[rp][:rn]...)
		freeBuffer(p)
		freeBuffer(rp)
		if len(buffers) != before {
			t.Fatalf("%d buffers leaked", len(buffers)-before)
		}
		var out map[string]json.RawMessage
		if err := json.Unmarshal(resp, &out); err != nil {
			t.Fatalf("response is not a JSON object: %q", resp)
		}
		_, valid := out["valid"]
		_, isErr := out["error"]
		if valid == isErr {
			t.Fatalf("response is neither a result nor an error: %s", resp)
		}
		if isErr && string(resp[:min(len(resp), 20)]) == `{"error":"internal: ` {
			t.Fatalf("internal error: %s", resp)
		}
	})
}
