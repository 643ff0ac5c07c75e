package host

import (
	"context"
	"path/filepath"
	"testing"
	"time"

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

	entries, err := filepath.Glob(filepath.Join(dir, "licverify-*.code"))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	forgetCompiled(t)
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

// TestDeadlineInInterpreter: without Options.Interruptible a caller's
// deadline bounds only the wait for an instance, in the interpreter as in
// the compiled module: a first call (the instance's start and the
// verification take longer than the deadline there) is answered.
func TestDeadlineInInterpreter(t *testing.T) {
	ctx := context.Background()
	proof := vectorFrame(t, "statusproof/valid")
	v, err := New(ctx, Options{CacheDir: t.TempDir(), MaxInstances: 1})
	require.NoError(t, err)
	defer v.Close(ctx)
	require.NotNil(t, v.interp)
	dctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	got, err := v.Call(dctx, proof)
	require.NoError(t, err)
	require.Equal(t, string(api.Handle(proof)), string(got))
}

// TestCallAfterClose: once Close has begun (it waits for the background
// compilation), a call is refused with ErrClosed, not answered in the
// interpreter.
func TestCallAfterClose(t *testing.T) {
	ctx := context.Background()
	proof := vectorFrame(t, "statusproof/valid")
	v, err := New(ctx, Options{CacheDir: t.TempDir(), MaxInstances: 2})
	require.NoError(t, err)
	require.NotNil(t, v.interp)
	_, err = v.Call(ctx, proof)
	require.NoError(t, err)
	closed := make(chan error, 1)
	go func() { closed <- v.Close(ctx) }()
	// Close marks the Verifier closed before it waits.
	require.Eventually(t, func() bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return v.closed
	}, time.Minute, time.Millisecond)
	_, err = v.Call(ctx, proof)
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, <-closed)
	require.True(t, v.interp.closed)
}

// TestCloseWithoutDiskCache: without a disk cache nothing would keep the
// compiled module, so Close frees the interpreter and returns without
// compiling (a command-line tool exits as soon as it has answered).
func TestCloseWithoutDiskCache(t *testing.T) {
	ctx := context.Background()
	proof := vectorFrame(t, "statusproof/valid")
	v, err := New(ctx, Options{NoDiskCache: true, interpretOnly: true})
	require.NoError(t, err)
	require.False(t, v.diskCache)
	got, err := v.Call(ctx, proof)
	require.NoError(t, err)
	require.Equal(t, string(api.Handle(proof)), string(got))
	require.NoError(t, v.Close(ctx))
	require.True(t, v.interp.closed, "the interpreter was not freed")
	require.False(t, v.isReady(), "Close compiled")
	// A compile asked for after Close (the timer New set) gives up at once.
	v.compileNow()
	require.True(t, v.isReady())
	require.Nil(t, v.runtime, "nothing compiled")
	_, err = v.Call(ctx, proof)
	require.ErrorIs(t, err, ErrClosed)
}
