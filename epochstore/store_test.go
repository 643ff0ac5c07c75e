package epochstore_test

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/epochstore"
)

// checkSemantics runs the rules every Store follows on a store that holds
// nothing yet under the namespaces "a", "b" and "c".
func checkSemantics(t *testing.T, s epochstore.Store) {
	t.Helper()

	// Nothing stored is 0.
	got, err := s.Get("a")
	require.NoError(t, err)
	require.Zero(t, got)
	got, err = s.Raise("a", 0)
	require.NoError(t, err)
	require.Zero(t, got)

	// Raise stores a newer epoch and returns it.
	got, err = s.Raise("a", 7)
	require.NoError(t, err)
	require.EqualValues(t, 7, got)
	got, err = s.Get("a")
	require.NoError(t, err)
	require.EqualValues(t, 7, got)

	// Raising to the same or an older epoch keeps what is stored and says so.
	for _, older := range []int64{7, 6, 0} {
		got, err = s.Raise("a", older)
		require.NoError(t, err)
		require.EqualValues(t, 7, got, "Raise(%d) over 7", older)
		got, err = s.Get("a")
		require.NoError(t, err)
		require.EqualValues(t, 7, got, "after Raise(%d)", older)
	}

	// Namespaces are independent.
	got, err = s.Get("b")
	require.NoError(t, err)
	require.Zero(t, got)
	got, err = s.Raise("b", 3)
	require.NoError(t, err)
	require.EqualValues(t, 3, got)
	got, err = s.Get("a")
	require.NoError(t, err)
	require.EqualValues(t, 7, got)

	// The whole range: up to 2^53 and no further.
	got, err = s.Raise("c", epochstore.MaxEpoch)
	require.NoError(t, err)
	require.Equal(t, epochstore.MaxEpoch, got)
	got, err = s.Get("c")
	require.NoError(t, err)
	require.Equal(t, epochstore.MaxEpoch, got)

	// Misuse changes nothing.
	for _, bad := range []int64{-1, math.MinInt64, epochstore.MaxEpoch + 1, math.MaxInt64} {
		_, err = s.Raise("a", bad)
		require.ErrorIs(t, err, epochstore.ErrMisuse, "epoch %d", bad)
	}
	for _, ns := range []string{"", "\xff\xfe"} {
		_, err = s.Get(ns)
		require.ErrorIs(t, err, epochstore.ErrMisuse, "namespace %q", ns)
		_, err = s.Raise(ns, 1)
		require.ErrorIs(t, err, epochstore.ErrMisuse, "namespace %q", ns)
	}
	got, err = s.Get("a")
	require.NoError(t, err)
	require.EqualValues(t, 7, got)
}

// checkConcurrent raises namespace ns from many goroutines at once, across
// the given store values (which share one backing store), while readers
// watch it never go down.
func checkConcurrent(t *testing.T, ns string, stores ...epochstore.Store) {
	t.Helper()
	const writers, perWriter = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter+4)
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%len(stores)]
			for i := range perWriter {
				// Interleaved epochs, so that older ones arrive late.
				e := int64(i*writers + (writers - w))
				got, err := s.Raise(ns, e)
				if err != nil {
					errs <- err
					return
				}
				if got < e {
					errs <- fmt.Errorf("Raise(%d) returned %d", e, got)
				}
			}
		}()
	}
	var readers sync.WaitGroup
	for r := range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			s := stores[r%len(stores)]
			var last int64
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := s.Get(ns)
				if err != nil {
					errs <- err
					return
				}
				if got < last {
					errs <- fmt.Errorf("Get went down from %d to %d", last, got)
					return
				}
				last = got
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, s := range stores {
		got, err := s.Get(ns)
		require.NoError(t, err)
		require.EqualValues(t, writers*perWriter, got)
	}
}
