package verify

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chainDeltas signs n one-id deltas after a set at epoch 1: delta i
// revokes id-i.
func chainDeltas(t testing.TB, n int) [][]byte {
	deltas := make([][]byte, n)
	for i := range deltas {
		deltas[i] = sptSign(t, "k1", rvtDelta(int64(i+1), int64(i+2), []string{fmt.Sprintf("id-%d", i)}, nil, nil))
	}
	return deltas
}

// TestChainEqualsStepByStep: RevocationChain and ApplyDeltas reach the
// set that applying each delta in turn reaches, and the intermediate sets
// of the one-by-one path are left as they were (the chain updates only a
// map it owns).
func TestChainEqualsStepByStep(t *testing.T) {
	ring := sptRing(t, "k1")
	set := sptSign(t, "k1", rvtSet(1, []string{"base"}))
	deltas := chainDeltas(t, 3000) // past the 1024-change compaction point, twice
	opts := RevocationOptions{Now: rvtNow}
	chained, err := RevocationChain(set, deltas, ring, opts)
	require.NoError(t, err)
	require.True(t, chained.Valid, chained.Message)

	res, err := RevocationSet(set, ring, opts)
	require.NoError(t, err)
	steps := []*VerifiedSet{res.Set}
	for _, d := range deltas {
		res, err = steps[len(steps)-1].ApplyDelta(d, ring, opts)
		require.NoError(t, err)
		require.True(t, res.Valid, res.Message)
		steps = append(steps, res.Set)
	}
	applied, err := steps[0].ApplyDeltas(deltas, ring, opts)
	require.NoError(t, err)
	for _, got := range []*RevocationSetResult{chained, applied} {
		assert.Equal(t, res.SetClaims, got.SetClaims)
		assert.Equal(t, 3001, got.Set.Claims(rvtNow).Revoked)
	}
	for i, s := range steps {
		// Step i revokes base and id-0 .. id-(i-1), nothing after.
		assert.EqualValues(t, i+1, s.Epoch())
		for _, k := range []int{0, i - 1, i, 2999} {
			if k < 0 || k >= 3000 {
				continue
			}
			want := LookupNotRevoked
			if k < i {
				want = LookupRevoked
			}
			id := fmt.Sprintf("id-%d", k)
			for _, final := range []*VerifiedSet{chained.Set, applied.Set} {
				assert.Equal(t, LookupRevoked, final.Lookup(id, rvtNow).Status, id)
			}
			if got := s.Lookup(id, rvtNow).Status; got != want {
				t.Fatalf("step %d: %s is %s, want %s", i, id, got, want)
			}
		}
	}
}

// TestChainRejectedDeltaLeavesNoTrace: a delta that does not fit, after
// others that did, is rejected by name and the base set is unchanged.
func TestChainRejectedDeltaLeavesNoTrace(t *testing.T) {
	ring := sptRing(t, "k1")
	set := sptSign(t, "k1", rvtSet(1, []string{"base"}))
	deltas := chainDeltas(t, 4)
	deltas = append(deltas, sptSign(t, "k1", rvtDelta(5, 6, []string{"id-0"}, nil, nil))) // id-0 is already revoked
	res, err := RevocationSet(set, ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	out, err := res.Set.ApplyDeltas(deltas, ring, RevocationOptions{Now: rvtNow})
	require.NoError(t, err)
	assert.Equal(t, CodeDeltaBaseMismatch, out.Code)
	assert.Contains(t, out.Message, "delta 4: ")
	assert.Nil(t, out.SetClaims)
	assert.Nil(t, out.Set)
	assert.Equal(t, LookupNotRevoked, res.Set.Lookup("id-0", rvtNow).Status)
	_, err = res.Set.ApplyDeltas(nil, ring, RevocationOptions{Now: rvtNow})
	assert.ErrorIs(t, err, ErrMisuse)
}

// BenchmarkDeltaChain: n one-id deltas applied to a set, as one chain and
// one call at a time. The chain's cost per delta must stay flat as n
// grows (formats.md: O(m + the ids the deltas list)).
func BenchmarkDeltaChain(b *testing.B) {
	ring := sptRing(b, "k1")
	set := sptSign(b, "k1", rvtSet(1, []string{"base"}))
	for _, n := range []int{1000, 10000} {
		deltas := chainDeltas(b, n)
		b.Run(fmt.Sprintf("chain/%d", n), func(b *testing.B) {
			for b.Loop() {
				res, err := RevocationChain(set, deltas, ring, RevocationOptions{Now: rvtNow})
				if err != nil || !res.Valid {
					b.Fatal(err, res.Message)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/delta")
		})
	}
}
