package host

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// TestVectors runs every vector through the real module under wazero: the
// response must meet the vector's expectation and equal the native
// handler's response byte for byte.
func TestVectors(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	v := newVerifier(t, Options{})
	total, identical := 0, 0
	for _, f := range files {
		for _, tc := range f.Tests {
			total++
			t.Run(f.Topic+"/"+tc.ID, func(t *testing.T) {
				got, err := v.Call(context.Background(), tc.Frame)
				require.NoError(t, err)
				native := api.Handle(tc.Frame)
				if bytes.Equal(got, native) {
					identical++
				}
				require.Equal(t, string(native), string(got), "wazero and native responses differ (is host/licverify.wasm stale? run make wasm)")
				require.NoError(t, testvectors.Check(tc.Expected, got), tc.Comment)
			})
		}
	}
	// Printed, not logged, so that a plain `go test` shows it.
	fmt.Printf("wazero vs native: %d/%d identical\n", identical, total)
	require.Equal(t, total, identical)
}

// TestInterpreterVectors runs every vector that fits in the interpreter
// (InterpreterLimit) through it, as the first calls of a process run
// while the module compiles: the responses must equal the native
// handler's byte for byte. Encrypted .qkey files are left out: their
// 100,000 rounds of PBKDF2 take minutes there (in a process, such a call
// is stopped and run compiled once the module is ready).
func TestInterpreterVectors(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	v := newVerifier(t, Options{interpretOnly: true})
	total, identical := 0, 0
	for _, f := range files {
		for _, tc := range f.Tests {
			if len(tc.Frame) > InterpreterLimit || decryptsQKey(t, tc.Frame) {
				continue
			}
			total++
			t.Run(f.Topic+"/"+tc.ID, func(t *testing.T) {
				got, err := v.Call(context.Background(), tc.Frame)
				require.NoError(t, err)
				native := api.Handle(tc.Frame)
				require.Equal(t, string(native), string(got), "the interpreter and native responses differ")
				identical++
			})
		}
	}
	require.False(t, v.isReady(), "the module was compiled: the vectors did not all run in the interpreter")
	fmt.Printf("wazero interpreter vs native: %d/%d identical\n", identical, total)
	require.Equal(t, total, identical)
}

// decryptsQKey reports whether frame is a qkey request for an encrypted
// file (docs/formats.md: anything but a plain JSON object in UTF-8).
func decryptsQKey(t *testing.T, frame []byte) bool {
	header, parts, err := api.SplitFrame(frame)
	if err != nil || !bytes.Contains(header, []byte(`"op":"qkey"`)) {
		return false
	}
	for _, p := range parts {
		if p.Name == "qkey" {
			body := bytes.TrimLeft(p.Data, " \t\r\n")
			return !(len(body) > 0 && body[0] == '{' && utf8.Valid(p.Data))
		}
	}
	return false
}
