package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// TestResponsesCoverEveryVector requires exactly one response per vector,
// each a result object, or an error for a vector that expects one.
// Whether the results meet the expectations is testvectors.TestNative's
// job.
func TestResponsesCoverEveryVector(t *testing.T) {
	data, err := responses(testvectors.Dir())
	require.NoError(t, err)
	var got map[string]string
	require.NoError(t, json.Unmarshal(data, &got))
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		for _, v := range f.Tests {
			n++
			resp, ok := got[v.ID]
			require.True(t, ok, "no response for %s", v.ID)
			var r struct {
				Valid *bool   `json:"valid"`
				Error *string `json:"error"`
			}
			require.NoError(t, json.Unmarshal([]byte(resp), &r), v.ID)
			if v.IsBadRequest() || v.IsKeyringError() {
				require.NotNil(t, r.Error, "%s: not an error: %s", v.ID, resp)
			} else {
				require.NotNil(t, r.Valid, "%s: not a result: %s", v.ID, resp)
			}
		}
	}
	require.Len(t, got, n)
}

// vectorFile is a hand-written vector file; its expectation follows from
// RFC 8785 (members sorted, 1.50 written 1.5).
const vectorFile = `{
  "schema": "licverify-vectors-v2",
  "topic": "t",
  "notes": {},
  "tests": [
    {
      "id": "t/sorted",
      "comment": "",
      "flags": [],
      "request": {"op": "canonicalize", "document": "{\"b\":1.50,\"a\":true}"},
      "expected": {"valid": true, "code": "ok", "canonical": "{\"a\":true,\"b\":1.5}"}
    }
  ]
}
`

// TestRunWritesFile answers a vector directory into a file, and refuses a
// directory without vectors rather than writing an empty answer.
func TestRunWritesFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "t.json"), []byte(vectorFile), 0o644))
	out := filepath.Join(t.TempDir(), "native.json")
	require.NoError(t, run(dir, out))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var got map[string]string
	require.NoError(t, json.Unmarshal(data, &got))
	require.Len(t, got, 1)
	require.NoError(t, testvectors.Check(json.RawMessage(`{"valid": true, "code": "ok", "canonical": "{\"a\":true,\"b\":1.5}"}`), []byte(got["t/sorted"])))

	require.Error(t, run(t.TempDir(), ""), "a directory without vectors")
}
