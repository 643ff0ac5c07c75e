package verify

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// refMarshal is encoding/json with HTML escaping off: the reference the
// hand-written encoders are held to.
func refMarshal(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}

// refLicense is LicenseResult.MarshalJSON as it was written with
// encoding/json.
func refLicense(t testing.TB, r LicenseResult) string {
	if r.TrustedTime.IsZero() {
		d, reasons := r.Decision, r.Reasons
		if d == "" {
			d, reasons = DecisionBlock, []string{string(r.Code)}
		}
		return refMarshal(t, struct {
			Result
			Decision Decision `json:"decision"`
			Reasons  []string `json:"reasons"`
		}{r.Result, d, reasons})
	}
	type plain LicenseResult
	p := plain(r)
	if p.Reasons == nil {
		p.Reasons = []string{}
	}
	return refMarshal(t, p)
}

// refQKey is QKeyResult.MarshalJSON as it was written with encoding/json.
func refQKey(t testing.TB, r QKeyResult) string {
	if r.Package == "" {
		return refMarshal(t, r.Result)
	}
	type plain QKeyResult
	p := plain(r)
	if p.Features == nil {
		p.Features = []string{}
	}
	return refMarshal(t, p)
}

// gen makes values with each member set or not, at random from a fixed
// seed.
type gen struct{ r *rand.Rand }

func (g gen) maybe() bool { return g.r.IntN(2) == 0 }

var genStrings = []string{"", "a", "LIC-1", `q"uote\`, "A<B>&C", "é😂", "\u2028", "\x01\n\t", "\xff"}

func (g gen) str() string { return genStrings[g.r.IntN(len(genStrings))] }

func (g gen) strs() []string {
	switch g.r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	return []string{g.str(), g.str()}
}

func (g gen) int() int64 {
	return []int64{0, 1, -1, 30, 1 << 53, -1 << 63, 1<<63 - 1}[g.r.IntN(7)]
}

func (g gen) time() time.Time {
	switch g.r.IntN(5) {
	case 0:
		return time.Time{}
	case 1:
		return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	case 2:
		return time.Date(2026, 1, 2, 3, 4, 5, 250_000_000, time.UTC)
	case 3:
		return time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("", 3600))
	}
	return time.Date(1, 1, 1, 0, 0, 0, 1, time.FixedZone("", -90*60))
}

func (g gen) optTime() *time.Time {
	if g.maybe() {
		return nil
	}
	t := g.time()
	return &t
}

func (g gen) optStr() *string {
	if g.maybe() {
		return nil
	}
	s := g.str()
	return &s
}

func (g gen) result() Result {
	return Result{Valid: g.maybe(), Code: Code(g.str()), Message: g.str()}
}

func (g gen) license() LicenseResult {
	r := LicenseResult{
		Result: g.result(), Decision: Decision(g.str()), Reasons: g.strs(),
		LicenseID: g.str(), ProductID: g.str(), CustomerID: g.str(), CustomerName: g.str(),
		Plan: g.str(), Status: g.str(), IssuedAt: g.time(), ExpiresAt: g.time(),
		UpdatesUntil: g.optTime(), TrialDays: g.int(), TrialEndsAt: g.optTime(), Bound: g.maybe(),
		FingerprintHash: g.str(),
		Policy:          LicensePolicy{g.int(), g.int(), g.int(), g.int()},
		TrustedTime:     g.time(), DaysToExpiry: g.int(), DaysOffline: g.int(), CheckDue: g.maybe(),
	}
	if g.maybe() {
		b := g.maybe()
		r.UpdateAllowed = &b
	}
	if g.maybe() {
		r.State = &LicenseState{
			SchemaVersion: int(g.int()), LicenseID: g.str(), ProductID: g.str(),
			FirstActivatedAt: g.time(), LastSuccessCheckAt: g.optTime(), NextCheckDueAt: g.time(),
			LastServerStatus: g.optStr(), LastServerMessage: g.optStr(), LockedToFingerprintHash: g.optStr(),
			ClockGuard: ClockGuard{LastSeenTime: g.time(), RollbackCount: g.int()},
		}
	}
	return r
}

func (g gen) qkey() QKeyResult {
	return QKeyResult{
		Result: g.result(), Package: g.str(), User: g.str(), MachineID: g.str(), Features: g.strs(),
		Issued: g.time(), Expires: g.time(), DaysLeft: g.int(), Signed: g.maybe(),
	}
}

// TestResultJSONMatchesEncodingJSON: the hand-written MarshalJSON of the
// license and .qkey results writes, for every combination of members set
// and unset, the bytes encoding/json wrote for the same struct.
func TestResultJSONMatchesEncodingJSON(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(14, 1))}
	for i := range 20000 {
		l := g.license()
		got, err := l.MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, refLicense(t, l), string(got), "license %d", i)

		q := g.qkey()
		got, err = q.MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, refQKey(t, q), string(got), "qkey %d", i)
	}
}

// TestResultJSONYearRange: a time RFC 3339 cannot write is an error, as
// with encoding/json, not text.
func TestResultJSONYearRange(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := LicenseResult{TrustedTime: far}.MarshalJSON()
	require.Error(t, err)
	_, err = QKeyResult{Package: "p", Expires: far}.MarshalJSON()
	require.Error(t, err)
	_, err = json.Marshal(QKeyResult{Package: "p", Expires: far})
	require.Error(t, err)
}
