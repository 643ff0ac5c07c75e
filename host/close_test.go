package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// TestCloseWithCallsInFlight: Close while 8 goroutines call compiled
// instances. Every call gets its answer or ErrClosed, none crashes the
// process, and Close returns only once no call is still running in the
// module. Closing the runtime under a running call once unmapped memory
// the call was using: a SIGSEGV in the caller's process.
func TestCloseWithCallsInFlight(t *testing.T) {
	const goroutines = 8
	proof := vectorFrame(t, "statusproof/valid")
	want := api.Handle(proof)
	for round := range 6 {
		v := newVerifier(t, Options{MaxInstances: goroutines})
		var inCall atomic.Int32
		var started, wg sync.WaitGroup
		errs := make(chan error, goroutines)
		for g := range goroutines {
			wg.Add(1)
			started.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					inCall.Add(1)
					got, err := v.Call(context.Background(), proof)
					inCall.Add(-1)
					if i == 0 {
						started.Done()
					}
					if errors.Is(err, ErrClosed) {
						return
					}
					if err != nil || !bytes.Equal(got, want) {
						errs <- fmt.Errorf("round %d goroutine %d call %d: %v %s", round, g, i, err, got)
						return
					}
				}
			}()
		}
		started.Wait()
		time.Sleep(time.Duration(round) * time.Millisecond)
		require.NoError(t, v.Close(context.Background()))
		// Calls that were running have returned; the goroutines may
		// still be between calls, each about to get ErrClosed.
		require.Zero(t, v.inFlight(), "calls still in the module after Close")
		_, err := v.Call(context.Background(), proof)
		require.ErrorIs(t, err, ErrClosed)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		require.Zero(t, inCall.Load())
	}
}

// TestLoadedSetAfterClose: a loaded set belongs to its Verifier. Once the
// Verifier is closed, a lookup, a delta and a load return ErrClosed, and
// closing the set does nothing; the set's instance went with the
// Verifier. A lookup once ran in an instance whose memory Close had
// unmapped: a SIGSEGV.
func TestLoadedSetAfterClose(t *testing.T) {
	ctx := context.Background()
	set, ring, now := validRevocationVector(t)
	v := newVerifier(t, Options{MaxInstances: 1})
	s, res, err := v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	_, err = s.Lookup(ctx, now, "a")
	require.NoError(t, err)
	require.NoError(t, v.Close(ctx))
	_, err = s.Lookup(ctx, now, "a")
	require.ErrorIs(t, err, ErrClosed)
	_, err = s.ApplyDelta(ctx, []byte(`{}`), ring, verify.RevocationOptions{Now: now})
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, s.Close(ctx))
	_, err = s.Lookup(ctx, now, "a")
	require.ErrorIs(t, err, ErrClosed)
	_, _, err = v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
	require.ErrorIs(t, err, ErrClosed)
}

// TestCloseWithLookupsInFlight: Close while goroutines look ids up in
// loaded sets and load and close others. Each lookup gets its answer or
// ErrClosed, and Close waits for those running.
func TestCloseWithLookupsInFlight(t *testing.T) {
	ctx := context.Background()
	set, ring, now := validRevocationVector(t)
	for round := range 4 {
		v := newVerifier(t, Options{MaxInstances: 2})
		var started, wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 4 {
			s, res, err := v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
			require.NoError(t, err)
			require.True(t, res.Valid)
			wg.Add(2)
			started.Add(2)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					_, err := s.Lookup(ctx, now, "a", "b28a923a-c747-49b2-bc90-d87004c10379")
					if i == 0 {
						started.Done()
					}
					if errors.Is(err, ErrClosed) {
						return
					}
					if err != nil {
						errs <- fmt.Errorf("round %d lookups %d: %w", round, g, err)
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					s2, _, err := v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
					if i == 0 {
						started.Done()
					}
					if errors.Is(err, ErrClosed) {
						return
					}
					if err != nil {
						errs <- fmt.Errorf("round %d loads %d: %w", round, g, err)
						return
					}
					require.NoError(t, s2.Close(ctx))
				}
			}()
		}
		started.Wait()
		time.Sleep(time.Duration(round) * time.Millisecond)
		require.NoError(t, v.Close(ctx))
		require.Zero(t, v.inFlight(), "calls still in the module after Close")
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// TestCloseContextEnds: when Close's context ends before the calls in
// flight do, Close returns its error at once, the call still gets its
// answer, and the module is released when that call returns: here the
// instance of a set still loaded is closed then, and not before.
func TestCloseContextEnds(t *testing.T) {
	ctx := context.Background()
	set, ring, now := validRevocationVector(t)
	slow := vectorFrame(t, "qkey/encrypted/default-password") // PBKDF2: hundreds of ms
	v := newVerifier(t, Options{MaxInstances: 1})
	s, res, err := v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
	require.NoError(t, err)
	require.True(t, res.Valid)
	answered := make(chan error, 1)
	go func() {
		got, err := v.Call(ctx, slow)
		if err == nil && !bytes.Equal(got, api.Handle(slow)) {
			err = fmt.Errorf("got %s", got)
		}
		answered <- err
	}()
	require.Eventually(t, func() bool { return v.inFlight() == 1 }, time.Minute, time.Millisecond)
	done, cancel := context.WithCancel(ctx)
	cancel()
	mod := s.inst.mod
	require.ErrorIs(t, v.Close(done), context.Canceled)
	v.mu.Lock() // while the call is counted, nothing can be released
	early := v.active == 1 && mod.IsClosed()
	v.mu.Unlock()
	require.False(t, early, "the module was released under a running call")
	require.NoError(t, <-answered)
	require.Eventually(t, mod.IsClosed, time.Minute, time.Millisecond)
	_, err = s.Lookup(ctx, now, "a")
	require.ErrorIs(t, err, ErrClosed)
}
