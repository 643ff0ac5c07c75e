package verify

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLifecycleMisuse: options out of range, deltas without a set and an
// unknown kind are misuse, never a result.
func TestLifecycleMisuse(t *testing.T) {
	ring := sptRing(t, "k1")
	now := sptNow
	for name, tt := range map[string]struct {
		cache Cache
		opts  PlanOptions
	}{
		"zero now":              {opts: PlanOptions{}},
		"negative epoch":        {opts: PlanOptions{Now: now, MinEpoch: -1}},
		"negative failures":     {opts: PlanOptions{Now: now, SetFailures: -1}},
		"refresh percent 101":   {opts: PlanOptions{Now: now, RefreshPercent: 101}},
		"max deltas 4097":       {opts: PlanOptions{Now: now, MaxDeltas: MaxCachedDeltas + 1}},
		"failures above max":    {opts: PlanOptions{Now: now, ProofFailures: MaxFailures + 1}},
		"negative backoff":      {opts: PlanOptions{Now: now, Backoff: -time.Second}},
		"deltas without a set":  {cache: Cache{Deltas: [][]byte{[]byte(`{}`)}}, opts: PlanOptions{Now: now}},
		"more deltas than held": {cache: Cache{Set: []byte(`{}`), Deltas: make([][]byte, MaxCachedDeltas+1)}, opts: PlanOptions{Now: now}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Plan(tt.cache, ring, tt.opts)
			require.ErrorIs(t, err, ErrMisuse)
		})
	}
	_, err := Plan(Cache{}, nil, PlanOptions{Now: now})
	require.ErrorIs(t, err, ErrMisuse)
	_, err = Accept("set", []byte(`{}`), Cache{}, ring, AcceptOptions{Now: now})
	require.ErrorIs(t, err, ErrMisuse)
	_, err = Accept(AcceptRevocation, []byte(`{}`), Cache{Deltas: [][]byte{{}}}, ring, AcceptOptions{Now: now})
	require.ErrorIs(t, err, ErrMisuse)
	_, err = Accept(AcceptProof, []byte(`{}`), Cache{}, ring, AcceptOptions{})
	require.ErrorIs(t, err, ErrMisuse)
}

// TestRefreshPoint: from + ⌊pct/100 · (to − from)⌋ to the nanosecond, as
// big-integer arithmetic computes it, also beyond time.Duration's range.
func TestRefreshPoint(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	spans := [][2]string{
		{"2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"},
		{"2026-01-01T00:00:00.9Z", "2026-01-01T00:00:01.1Z"},
		{"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000003Z"},
		{"0001-01-01T00:00:00.123456789Z", "9999-12-31T23:59:59.999999999Z"},
	}
	for _, s := range spans {
		from, to := at(s[0]), at(s[1])
		ns := func(t time.Time) *big.Int {
			n := big.NewInt(t.Unix())
			n.Mul(n, big.NewInt(int64(time.Second)))
			return n.Add(n, big.NewInt(int64(t.Nanosecond())))
		}
		life := new(big.Int).Sub(ns(to), ns(from))
		for _, pct := range []int64{1, 33, 60, 75, 99, 100} {
			want := new(big.Int).Mul(life, big.NewInt(pct))
			want.Quo(want, big.NewInt(100))
			want.Add(want, ns(from))
			got := refreshPoint(from, to, pct)
			assert.Equal(t, want.String(), ns(got).String(), "%v %d%%", s, pct)
		}
	}
}

// TestPlanTimesStayWritable: no time plan answers lies beyond the last
// one RFC 3339 can carry, and the backoff doubling never overflows.
func TestPlanTimesStayWritable(t *testing.T) {
	ring := sptRing(t, "k1")
	now := time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)
	res, err := Plan(Cache{Set: sptSign(t, "k1", map[string]any{"epoch": 1, "revoked_ids": []string{},
		"issued_at": "9999-12-31T22:00:00Z", "valid_until": "9999-12-31T23:59:59Z", "issuer_kid": "k1"})}, ring,
		PlanOptions{Now: now, SyncedAt: now, SyncInterval: 1 << 31 * time.Second,
			ProofFailures: MaxFailures, ProofFailedAt: now, Backoff: time.Duration(1) << 61, BackoffMax: time.Duration(1<<63 - 1)})
	require.NoError(t, err)
	require.True(t, res.Set.Valid, res.Set.Message)
	assert.Equal(t, ReasonInterval, res.SyncSet.Reason)
	assert.Equal(t, lastTime, res.SyncSet.At)
	assert.Equal(t, ReasonBackoff, res.RefreshProof.Reason)
	assert.Equal(t, lastTime, res.RefreshProof.At)
	assert.Equal(t, lastTime, res.NextAt)
}

// TestAcceptUnknownKindIsNotAResult: the error names the kind.
func TestAcceptUnknownKindIsNotAResult(t *testing.T) {
	_, err := Accept("delta", nil, Cache{}, sptRing(t, "k1"), AcceptOptions{Now: sptNow})
	require.True(t, errors.Is(err, ErrMisuse))
	assert.Contains(t, err.Error(), `"delta"`)
}
