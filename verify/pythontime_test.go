package verify

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pythonISOFormat returns what CPython's datetime.isoformat() writes for
// each of times as an aware UTC datetime: the real producer's spelling
// (+00:00, and .ffffff when there are microseconds), not one written here.
// Without python3 the test is skipped, except under CI=true, where it fails.
func pythonISOFormat(t *testing.T, times ...time.Time) []string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is not on PATH; CI must check the times CPython writes")
		}
		t.Skip("python3 is not on PATH: the times CPython writes are not checked")
	}
	const script = `import platform, sys
from datetime import datetime, timezone
print(platform.python_implementation())
for a in sys.argv[1:]:
    print(datetime(*map(int, a.split(",")), tzinfo=timezone.utc).isoformat())`
	args := []string{"-c", script}
	for _, tm := range times {
		require.Zero(t, tm.Nanosecond()%1000, "datetime holds microseconds")
		u := tm.UTC()
		args = append(args, strings.Join([]string{
			strconv.Itoa(u.Year()), strconv.Itoa(int(u.Month())), strconv.Itoa(u.Day()),
			strconv.Itoa(u.Hour()), strconv.Itoa(u.Minute()), strconv.Itoa(u.Second()), strconv.Itoa(u.Nanosecond() / 1000),
		}, ","))
	}
	out, err := exec.Command(python, args...).Output()
	require.NoError(t, err, "python3 -c")
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.Len(t, lines, len(times)+1)
	require.Equal(t, "CPython", lines[0], "python3 must be CPython, the issuers' interpreter")
	lines = lines[1:]
	for i, s := range lines {
		// The producer's instant, read by Go's own parser: what the
		// verifier must read too.
		got, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err, s)
		require.True(t, got.Equal(times[i]), "%s is not %s", s, times[i])
	}
	return lines
}

// TestPythonUTC feeds every time member of every format exactly what
// CPython's datetime.isoformat() writes for an aware UTC time, with and
// without microseconds: each is read as its instant, in UTC.
func TestPythonUTC(t *testing.T) {
	for _, micro := range []int{0, 123456} {
		now := time.Date(2026, 3, 1, 12, 0, 0, micro*1000, time.UTC)
		t.Run("microseconds="+strconv.Itoa(micro), func(t *testing.T) {
			testPythonUTC(t, now)
		})
	}
}

func testPythonUTC(t *testing.T, now time.Time) {
	day := 24 * time.Hour
	at := map[string]time.Time{
		"now":               now,
		"minus 1 hour":      now.Add(-time.Hour),
		"plus 1 hour":       now.Add(time.Hour),
		"minus 1 day":       now.Add(-day),
		"minus 2 days":      now.Add(-2 * day),
		"minus 5 days":      now.Add(-5 * day),
		"minus 10 days":     now.Add(-10 * day),
		"minus 30 days":     now.Add(-30 * day),
		"plus 1 day":        now.Add(day),
		"plus 5 days":       now.Add(5 * day),
		"plus 10 days":      now.Add(10 * day),
		"plus 30 days":      now.Add(30 * day),
		"plus 100 days":     now.Add(100 * day),
		"plus 365 days":     now.Add(365 * day),
		"minus 40 minutes":  now.Add(-40 * time.Minute),
		"plus 80 minutes":   now.Add(80 * time.Minute),
		"plus 20 days":      now.Add(20 * day),
		"plus 200 days":     now.Add(200 * day),
		"release, +50 days": now.Add(50 * day),
	}
	names := make([]string, 0, len(at))
	list := make([]time.Time, 0, len(at))
	for name, tm := range at {
		names = append(names, name)
		list = append(list, tm)
	}
	spelled := pythonISOFormat(t, list...)
	py := map[string]string{}
	for i, name := range names {
		py[name] = spelled[i]
	}
	same := func(t *testing.T, want string, got time.Time) {
		t.Helper()
		assert.True(t, at[want].Equal(got), "%s: got %s", want, got)
		assert.Equal(t, time.UTC, got.Location(), "%s: read in UTC, so that results write Z", want)
	}

	t.Run("options", func(t *testing.T) {
		// now, release_date and server_time reach every op through ParseTime.
		for _, name := range []string{"now", "release, +50 days", "minus 1 hour"} {
			got, err := ParseTime(py[name])
			require.NoError(t, err, py[name])
			assert.True(t, at[name].Equal(got), py[name])
		}
	})

	t.Run("status proof", func(t *testing.T) {
		doc := sptProof()
		doc["checked_at"], doc["valid_until"] = py["minus 1 hour"], py["plus 1 day"]
		nowOpt, err := ParseTime(py["now"])
		require.NoError(t, err)
		res, err := StatusProof(sptSign(t, "k1", doc), sptRing(t, "k1"), StatusProofOptions{Now: nowOpt})
		require.NoError(t, err)
		require.True(t, res.Valid, res.Message)
		same(t, "minus 1 hour", res.CheckedAt)
		same(t, "plus 1 day", res.ValidUntil)
	})

	t.Run("keyring windows", func(t *testing.T) {
		pub := base64.StdEncoding.EncodeToString(sptKey("k1").Public().(ed25519.PublicKey))
		ringJSON, err := json.Marshal([]map[string]string{{
			"kid": "k1", "alg": "ed25519", "public_key": pub,
			"not_before": py["minus 30 days"], "not_after": py["plus 30 days"],
		}})
		require.NoError(t, err)
		ring, err := ParseKeyring(ringJSON)
		require.NoError(t, err)
		doc := sptProof()
		doc["checked_at"], doc["valid_until"] = py["minus 1 hour"], py["plus 1 day"]
		res, err := StatusProof(sptSign(t, "k1", doc), ring, StatusProofOptions{Now: now})
		require.NoError(t, err)
		require.True(t, res.Valid, res.Message)
	})

	t.Run("revocation set and delta", func(t *testing.T) {
		ring := sptRing(t, "k1")
		set := rvtSet(1, []string{"r1"})
		set["issued_at"], set["valid_until"] = py["minus 1 hour"], py["plus 1 hour"]
		set["suspended"] = []any{map[string]any{"license_id": "s1", "until": py["plus 10 days"]}}
		res := rvtVerify(t, ring, set, RevocationOptions{Now: now})
		require.True(t, res.Valid, res.Message)
		same(t, "minus 1 hour", res.IssuedAt)
		same(t, "plus 1 hour", res.ValidUntil)
		same(t, "plus 10 days", res.Set.Lookup("s1", now).Until)

		delta := rvtDelta(1, 2, []string{"r2"}, nil, map[string]string{"s2": py["plus 20 days"]})
		delta["issued_at"], delta["valid_until"] = py["minus 40 minutes"], py["plus 80 minutes"]
		next, err := res.Set.ApplyDelta(sptSign(t, "k1", delta), ring, RevocationOptions{Now: now})
		require.NoError(t, err)
		require.True(t, next.Valid, next.Message)
		same(t, "minus 40 minutes", next.IssuedAt)
		same(t, "plus 80 minutes", next.ValidUntil)
		same(t, "plus 20 days", next.Set.Lookup("s2", now).Until)
	})

	t.Run("license.key and license.state.json", func(t *testing.T) {
		doc := licTestDoc()
		doc["issued_at"], doc["expires_at"], doc["updates_until"] = py["minus 10 days"], py["plus 365 days"], py["plus 100 days"]
		doc["policy"] = map[string]any{"check_interval_days": 30}
		state, err := json.Marshal(map[string]any{
			"schema_version": 1, "license_id": doc["license_id"], "product_id": doc["product_id"],
			"first_activated_at":         py["minus 5 days"],
			"last_success_check_at":      py["minus 2 days"],
			"next_check_due_at":          py["plus 5 days"],
			"last_server_status":         nil,
			"last_server_message":        nil,
			"locked_to_fingerprint_hash": licTestMachineA,
			"clock_guard":                map[string]any{"last_seen_time": py["minus 1 day"], "rollback_count": 0},
		})
		require.NoError(t, err)
		release, err := ParseTime(py["release, +50 days"])
		require.NoError(t, err)
		res, err := License(licSign(t, licTestKey("vendor"), doc), licTestRing(t, "vendor"), LicenseOptions{
			Now: now, ProductID: "calcpro", FingerprintHash: licTestMachineA, State: state, ReleaseDate: release,
		})
		require.NoError(t, err)
		require.True(t, res.Valid, res.Message)
		assert.Equal(t, DecisionRun, res.Decision, "no state_* reason: the state was read")
		assert.Empty(t, res.Reasons)
		same(t, "minus 10 days", res.IssuedAt)
		same(t, "plus 365 days", res.ExpiresAt)
		same(t, "plus 100 days", *res.UpdatesUntil)
		same(t, "minus 5 days", res.State.FirstActivatedAt)
		same(t, "minus 2 days", *res.State.LastSuccessCheckAt)
		assert.Equal(t, int64(2), res.DaysOffline)
		require.NotNil(t, res.UpdateAllowed)
		assert.True(t, *res.UpdateAllowed)
	})

	t.Run("qkey", func(t *testing.T) {
		doc := qkTestDoc()
		doc["issued"], doc["expires"] = py["minus 10 days"], py["plus 200 days"]
		res, err := QKey(licSign(t, licTestKey("vendor"), doc), licTestRing(t, "vendor"), QKeyOptions{Now: now})
		require.NoError(t, err)
		require.True(t, res.Valid, res.Message)
		same(t, "minus 10 days", res.Issued)
		same(t, "plus 200 days", res.Expires)
	})
}
