package host

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// vectorFrame returns the frame of one test vector.
func vectorFrame(t *testing.T, id string) []byte {
	t.Helper()
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	for _, f := range files {
		for _, tc := range f.Tests {
			if tc.ID == id {
				return tc.Frame
			}
		}
	}
	t.Fatalf("no vector %s", id)
	return nil
}

// TestInterpreterFirst: a Verifier whose module is not in its cache
// answers in the interpreter while it compiles, hands a heavy call over to
// the compiled module, leaves the module compiled in the cache at Close,
// and the next Verifier on that cache starts compiled.
func TestInterpreterFirst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	proof := vectorFrame(t, "statusproof/valid")
	qkey := vectorFrame(t, "qkey/encrypted/default-password")
	require.True(t, decryptsQKey(t, qkey))

	v, err := New(ctx, Options{CacheDir: dir})
	require.NoError(t, err)
	require.NotNil(t, v.interp, "a cold cache must start in the interpreter")
	got, err := v.Call(ctx, proof)
	require.NoError(t, err)
	require.Equal(t, string(api.Handle(proof)), string(got))
	// The key derivation takes minutes in the interpreter: it is stopped
	// there and run again compiled.
	got, err = v.Call(ctx, qkey)
	require.NoError(t, err)
	require.Equal(t, string(api.Handle(qkey)), string(got))
	require.True(t, v.isReady())
	got, err = v.Call(ctx, proof)
	require.NoError(t, err)
	require.Equal(t, string(api.Handle(proof)), string(got))
	require.NoError(t, v.Close(ctx))
	require.True(t, v.interp.closed, "the interpreter was not freed")

	marks, err := filepath.Glob(filepath.Join(dir, "licverify-*.compiled"))
	require.NoError(t, err)
	require.Len(t, marks, 1)
	w, err := New(ctx, Options{CacheDir: dir})
	require.NoError(t, err)
	defer w.Close(ctx)
	require.Nil(t, w.interp, "a warm cache must start compiled")
	got, err = w.Call(ctx, proof)
	require.NoError(t, err)
	require.Equal(t, string(api.Handle(proof)), string(got))
}

// TestInterpreterLargeWaits: a request over InterpreterLimit waits for
// the compiled module, and a closed Verifier still finishes compiling.
func TestInterpreterLargeWaits(t *testing.T) {
	ctx := context.Background()
	frame := vectorFrame(t, "transport/proof/keyring-at-limit")
	require.Greater(t, len(frame), InterpreterLimit)
	v, err := New(ctx, Options{CacheDir: t.TempDir(), MaxInstances: 1})
	require.NoError(t, err)
	require.NotNil(t, v.interp)
	got, err := v.Call(ctx, frame)
	require.NoError(t, err)
	require.True(t, v.isReady())
	require.Equal(t, string(api.Handle(frame)), string(got))
	require.NoError(t, v.Close(ctx))
}

// TestWaitForCompile: with WaitForCompile, New compiles before it returns.
func TestWaitForCompile(t *testing.T) {
	ctx := context.Background()
	v, err := New(ctx, Options{CacheDir: t.TempDir(), WaitForCompile: true})
	require.NoError(t, err)
	defer v.Close(ctx)
	require.Nil(t, v.interp)
	require.True(t, v.isReady())
}
