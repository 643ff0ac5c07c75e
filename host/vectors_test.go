package host

import (
	"bytes"
	"context"
	"fmt"
	"testing"

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
