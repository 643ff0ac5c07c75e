package verify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// licTestKey derives a fixed test key from its name.
func licTestKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licverify unit test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func licTestRing(t testing.TB, names ...string) *Keyring {
	var keys []Key
	for _, n := range names {
		keys = append(keys, Key{KID: n, PublicKey: licTestKey(n).Public().(ed25519.PublicKey)})
	}
	ring, err := NewKeyring(keys...)
	require.NoError(t, err)
	return ring
}

// licSign returns doc as JSON with a signature by key over its JCS form.
func licSign(t testing.TB, key ed25519.PrivateKey, doc map[string]any) []byte {
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	payload, _, err := canonical.Signed(raw, 0)
	require.NoError(t, err)
	signed := map[string]any{}
	for k, v := range doc {
		signed[k] = v
	}
	signed["signature"] = base64.StdEncoding.EncodeToString(ed25519.Sign(key, payload))
	out, err := json.Marshal(signed)
	require.NoError(t, err)
	return out
}

var (
	licTestMachineA = "sha256:" + strings.Repeat("a1", 32)
	licTestMachineB = "sha256:" + strings.Repeat("b2", 32)
)

// licTestDoc is a perpetual license for "calcpro", bound at first
// activation, with a short policy so that tests cross it quickly.
func licTestDoc() map[string]any {
	return map[string]any{
		"schema_version": 1,
		"license_id":     "LIC-TEST0001",
		"product_id":     "calcpro",
		"customer":       map[string]any{"customer_id": "C-1", "name": "Test Customer"},
		"plan":           "perpetual",
		"status":         "ACTIVE",
		"issued_at":      "2026-01-01T00:00:00Z",
		"expires_at":     "2030-01-01T00:00:00Z",
		"updates_until":  "2027-01-01T00:00:00Z",
		"trial":          map[string]any{"trial_days": nil},
		"fingerprint":    map[string]any{"mode": "machine", "bound": true, "fingerprint_hash": nil},
		"policy":         map[string]any{"check_interval_days": 7, "warn_after_days": 14, "max_offline_days": 30},
		"signature_alg":  "ed25519",
	}
}

func licAt(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLicenseMisuse(t *testing.T) {
	ring := licTestRing(t, "vendor")
	doc := licSign(t, licTestKey("vendor"), licTestDoc())
	good := LicenseOptions{Now: licAt("2026-02-01T00:00:00Z"), ProductID: "calcpro"}
	tests := []struct {
		name string
		ring *Keyring
		opts func(o *LicenseOptions)
	}{
		{"nil keyring", nil, func(*LicenseOptions) {}},
		{"empty keyring", &Keyring{}, func(*LicenseOptions) {}},
		{"zero now", ring, func(o *LicenseOptions) { o.Now = time.Time{} }},
		{"now after 9999", ring, func(o *LicenseOptions) { o.Now = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"no product", ring, func(o *LicenseOptions) { o.ProductID = "" }},
		{"hash without prefix", ring, func(o *LicenseOptions) { o.FingerprintHash = strings.Repeat("a1", 32) }},
		{"hash upper case", ring, func(o *LicenseOptions) { o.FingerprintHash = strings.ToUpper(licTestMachineA) }},
		{"release after 9999", ring, func(o *LicenseOptions) { o.ReleaseDate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := good
			tt.opts(&opts)
			res, err := License(doc, tt.ring, opts)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrMisuse), "%v", err)
			assert.Nil(t, res)
		})
	}
	res, err := License(doc, ring, good)
	require.NoError(t, err)
	assert.Equal(t, CodeDeviceRequired, res.Code, "the good options reach the evaluation")
}

// TestLicenseTamperNeverEvaluates changes every byte of a signed license in
// turn: no change may give a valid result, and none may reach the
// evaluation (which would report claims read from forged content).
func TestLicenseTamperNeverEvaluates(t *testing.T) {
	ring := licTestRing(t, "vendor")
	doc := licSign(t, licTestKey("vendor"), licTestDoc())
	opts := LicenseOptions{Now: licAt("2026-02-01T00:00:00Z"), ProductID: "calcpro", FingerprintHash: licTestMachineA}
	res, err := License(doc, ring, opts)
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	for i := range doc {
		for _, delta := range []byte{0x01, 0x20} {
			forged := append([]byte(nil), doc...)
			forged[i] ^= delta
			res, err := License(forged, ring, opts)
			require.NoError(t, err)
			if res.Valid || res.Decision != DecisionBlock || !res.TrustedTime.IsZero() ||
				len(res.Reasons) != 1 || res.Reasons[0] != string(res.Code) || res.LicenseID != "" {
				t.Fatalf("byte %d ^ %#x: %s gave %s %s %v", i, delta, forged, res.Code, res.Decision, res.Reasons)
			}
		}
	}
}

func TestLicenseKeyOrder(t *testing.T) {
	doc := licSign(t, licTestKey("second"), licTestDoc())
	opts := LicenseOptions{Now: licAt("2026-02-01T00:00:00Z"), ProductID: "calcpro", FingerprintHash: licTestMachineA}
	res, err := License(doc, licTestRing(t, "first", "second", "third"), opts)
	require.NoError(t, err)
	assert.True(t, res.Valid, "a license has no kid: every key is tried")
	res, err = License(doc, licTestRing(t, "first", "third"), opts)
	require.NoError(t, err)
	assert.Equal(t, CodeBadSignature, res.Code, "no key of the ring signed it: never unknown_key")
}

// licSteps carries the state from one evaluation to the next.
type licSteps struct {
	t     *testing.T
	doc   []byte
	ring  *Keyring
	state []byte
}

func (s *licSteps) at(now, machine string) *LicenseResult {
	s.t.Helper()
	res, err := License(s.doc, s.ring, LicenseOptions{Now: licAt(now), ProductID: "calcpro", FingerprintHash: machine, State: s.state})
	require.NoError(s.t, err)
	if res.State != nil {
		s.state, err = json.Marshal(res.State)
		require.NoError(s.t, err)
	}
	return res
}

func TestLicenseBindAtFirstActivation(t *testing.T) {
	s := &licSteps{t: t, doc: licSign(t, licTestKey("vendor"), licTestDoc()), ring: licTestRing(t, "vendor")}
	res := s.at("2026-02-01T00:00:00Z", "")
	assert.Equal(t, CodeDeviceRequired, res.Code)
	require.NotNil(t, res.State)
	assert.Nil(t, res.State.LockedToFingerprintHash, "nothing to lock without a machine hash")

	res = s.at("2026-02-01T01:00:00Z", licTestMachineA)
	assert.Equal(t, DecisionRun, res.Decision)
	require.NotNil(t, res.State.LockedToFingerprintHash)
	assert.Equal(t, licTestMachineA, *res.State.LockedToFingerprintHash)
	assert.Equal(t, licAt("2026-02-01T00:00:00Z"), res.State.FirstActivatedAt, "first activation is kept")

	res = s.at("2026-02-01T02:00:00Z", licTestMachineB)
	assert.Equal(t, CodeDeviceMismatch, res.Code)
	assert.Equal(t, licTestMachineA, *res.State.LockedToFingerprintHash, "a mismatch never rebinds")

	res = s.at("2026-02-01T03:00:00Z", licTestMachineA)
	assert.Equal(t, DecisionRun, res.Decision, "machine A still runs after B was refused")
}

// TestLicenseClockGuard walks a clock that jumps back and forth: trusted
// time never decreases, and every step back beyond the skew is counted.
func TestLicenseClockGuard(t *testing.T) {
	s := &licSteps{t: t, doc: licSign(t, licTestKey("vendor"), licTestDoc()), ring: licTestRing(t, "vendor")}
	clock := []struct {
		now      string
		trusted  string
		rollback bool
	}{
		{"2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", false},
		{"2026-02-03T00:00:00Z", "2026-02-03T00:00:00Z", false},
		{"2026-02-02T00:00:00Z", "2026-02-03T00:00:00Z", true},
		{"2026-01-01T00:00:00Z", "2026-02-03T00:00:00Z", true},
		{"2026-02-02T23:56:00Z", "2026-02-03T00:00:00Z", false}, // within the 5-minute skew
		{"2026-02-04T00:00:00Z", "2026-02-04T00:00:00Z", false},
	}
	count := int64(0)
	for i, c := range clock {
		res := s.at(c.now, licTestMachineA)
		if c.rollback {
			count++
		}
		assert.Equal(t, licAt(c.trusted), res.TrustedTime, "step %d", i)
		assert.Equal(t, c.rollback, licContains(res.Reasons, ReasonClockRollback), "step %d: %v", i, res.Reasons)
		assert.Equal(t, count, res.State.ClockGuard.RollbackCount, "step %d", i)
		assert.Equal(t, res.TrustedTime, res.State.ClockGuard.LastSeenTime, "step %d", i)
	}
}

func licContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestLicenseOffline crosses warn_after_days (14) and max_offline_days
// (30), then records a server check as a host does.
func TestLicenseOffline(t *testing.T) {
	s := &licSteps{t: t, doc: licSign(t, licTestKey("vendor"), licTestDoc()), ring: licTestRing(t, "vendor")}
	steps := []struct {
		now      string
		days     int64
		decision Decision
		code     Code
		checkDue bool
	}{
		{"2026-02-01T00:00:00Z", 0, DecisionRun, CodeOK, false},
		{"2026-02-07T23:59:59Z", 6, DecisionRun, CodeOK, false},
		{"2026-02-08T00:00:00Z", 7, DecisionRun, CodeOK, true}, // check_due is a notice
		{"2026-02-15T23:59:59Z", 14, DecisionRun, CodeOK, true},
		{"2026-02-16T00:00:00Z", 15, DecisionWarn, CodeOK, true},
		{"2026-03-03T23:59:59Z", 30, DecisionWarn, CodeOK, true},
		{"2026-03-04T00:00:00Z", 31, DecisionBlock, CodeOfflineTooLong, true},
	}
	for _, st := range steps {
		res := s.at(st.now, licTestMachineA)
		assert.Equal(t, st.days, res.DaysOffline, st.now)
		assert.Equal(t, st.decision, res.Decision, st.now)
		assert.Equal(t, st.code, res.Code, st.now)
		assert.Equal(t, st.checkDue, res.CheckDue, st.now)
		assert.Equal(t, res.Valid, res.Code == CodeOK)
	}
	// The host validates online and writes the check into the state.
	var state map[string]any
	require.NoError(t, json.Unmarshal(s.state, &state))
	state["last_success_check_at"] = "2026-03-04T00:00:00Z"
	state["last_server_status"] = "ACTIVE"
	s.state, _ = json.Marshal(state)
	res := s.at("2026-03-05T00:00:00Z", licTestMachineA)
	assert.Equal(t, DecisionRun, res.Decision)
	assert.Equal(t, int64(1), res.DaysOffline)
	assert.Equal(t, licAt("2026-03-11T00:00:00Z"), res.State.NextCheckDueAt)
	require.NotNil(t, res.State.LastServerStatus)
	assert.Equal(t, "ACTIVE", *res.State.LastServerStatus)
}

// TestLicenseReasonsOrder: every reason that applies is listed, blocking
// codes first, and the code is the first of them.
func TestLicenseReasonsOrder(t *testing.T) {
	doc := licTestDoc()
	doc["status"] = "SUSPENDED"
	doc["expires_at"] = "2026-01-15T00:00:00Z"
	signed := licSign(t, licTestKey("vendor"), doc)
	state := `{"schema_version":1,"license_id":"LIC-TEST0001","product_id":"calcpro","first_activated_at":"2026-01-01T00:00:00Z",
		"locked_to_fingerprint_hash":"` + licTestMachineA + `","clock_guard":{"last_seen_time":"2026-03-01T00:00:00Z","rollback_count":0}}`
	res, err := License(signed, licTestRing(t, "vendor"), LicenseOptions{
		Now: licAt("2026-02-01T00:00:00Z"), ProductID: "calcpro", FingerprintHash: licTestMachineB,
		State: []byte(state), ReleaseDate: licAt("2028-01-01T00:00:00Z"),
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"suspended", "device_mismatch", "expired", "offline_too_long",
		ReasonClockRollback, ReasonCheckDue, ReasonUpdateNotAllowed}, res.Reasons)
	assert.Equal(t, CodeSuspended, res.Code)
	assert.Equal(t, DecisionBlock, res.Decision)
	assert.False(t, res.Valid)
	require.NotNil(t, res.UpdateAllowed)
	assert.False(t, *res.UpdateAllowed)
}

func TestLicenseStateIgnored(t *testing.T) {
	signed := licSign(t, licTestKey("vendor"), licTestDoc())
	ring := licTestRing(t, "vendor")
	valid := `{"schema_version":1,"license_id":"LIC-TEST0001","product_id":"calcpro","first_activated_at":"2026-01-20T00:00:00Z",` +
		`"last_success_check_at":null,"clock_guard":{"last_seen_time":"2026-01-25T00:00:00Z","rollback_count":0}}`
	tests := []struct {
		name   string
		state  string
		reason string
	}{
		{"valid", valid, ""},
		{"not an object", `[]`, ReasonStateInvalid},
		{"deep", strings.Repeat("[", 65) + strings.Repeat("]", 65), ReasonStateInvalid},
		{"huge rollback", strings.Replace(valid, `"rollback_count":0`, `"rollback_count":1e300`, 1), ReasonStateInvalid},
		{"hash upper", strings.Replace(valid, `"last_success_check_at":null`, `"locked_to_fingerprint_hash":"`+strings.ToUpper(licTestMachineA)+`"`, 1), ReasonStateInvalid},
		{"License_ID", strings.Replace(valid, `"license_id"`, `"License_ID"`, 1), ReasonStateInvalid},
		{"other license", strings.Replace(valid, "LIC-TEST0001", "LIC-TEST0002", 1), ReasonStateMismatch},
		{"activation ahead", strings.Replace(valid, `"first_activated_at":"2026-01-20T00:00:00Z"`, `"first_activated_at":"2026-02-02T00:00:00Z"`, 1), ReasonStateFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := License(signed, ring, LicenseOptions{Now: licAt("2026-02-01T00:00:00Z"), ProductID: "calcpro",
				FingerprintHash: licTestMachineA, State: []byte(tt.state)})
			require.NoError(t, err)
			if tt.reason == "" {
				assert.Equal(t, []string{ReasonCheckDue}, res.Reasons, "12 days since activation, interval 7")
				assert.Equal(t, licAt("2026-01-20T00:00:00Z"), res.State.FirstActivatedAt)
				return
			}
			assert.Equal(t, []string{tt.reason}, res.Reasons)
			assert.Equal(t, DecisionWarn, res.Decision)
			assert.Equal(t, licAt("2026-02-01T00:00:00Z"), res.State.FirstActivatedAt, "an ignored state is a fresh activation")
			assert.Equal(t, int64(0), res.State.ClockGuard.RollbackCount)
		})
	}
}

// TestLicenseStateReadable: the state written is always one the engine
// reads back, even at the end of the writable time range.
func TestLicenseStateReadable(t *testing.T) {
	doc := licTestDoc()
	doc["expires_at"] = "9999-12-31T00:00:00Z"
	doc["policy"] = map[string]any{"check_interval_days": 36500, "warn_after_days": 36500, "max_offline_days": 36500}
	s := &licSteps{t: t, doc: licSign(t, licTestKey("vendor"), doc), ring: licTestRing(t, "vendor")}
	res := s.at("9999-12-30T23:59:59.5Z", licTestMachineA)
	require.True(t, res.Valid, res.Message)
	assert.Equal(t, "9999-12-31T23:59:59Z", res.State.NextCheckDueAt.Format(time.RFC3339Nano), "clamped")
	_, perr := parseLicenseState(s.state)
	require.Nil(t, perr)
	res = s.at("9999-12-30T23:59:59.5Z", licTestMachineA)
	assert.Empty(t, res.Reasons, "the state written was read back")
}

func TestLicenseJSON(t *testing.T) {
	ring := licTestRing(t, "vendor")
	res, err := License([]byte(`{"schema_version":1}`), ring, LicenseOptions{Now: licAt("2026-02-01T00:00:00Z"), ProductID: "calcpro"})
	require.NoError(t, err)
	out, err := json.Marshal(res)
	require.NoError(t, err)
	assert.JSONEq(t, `{"valid":false,"code":"signature_missing","message":"document has no signature","decision":"block","reasons":["signature_missing"]}`, string(out),
		"before the signature: valid, code, message, and the decision block with the code as its reason")

	doc := licTestDoc()
	doc["customer"] = map[string]any{"customer_id": "C-1", "name": "A<B>&C"}
	res, err = License(licSign(t, licTestKey("vendor"), doc), ring,
		LicenseOptions{Now: licAt("2026-02-01T00:00:00.25Z"), ProductID: "calcpro", FingerprintHash: licTestMachineA})
	require.NoError(t, err)
	out, err = json.Marshal(res)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, []any{}, got["reasons"], "reasons is an empty array, never null")
	assert.Equal(t, "2026-02-01T00:00:00.25Z", got["trusted_time"], "a fraction of the input is kept")
	assert.Equal(t, "2026-01-01T00:00:00Z", got["issued_at"])
	assert.NotContains(t, got, "update_allowed", "no release date, no update_allowed")
	assert.NotContains(t, got, "trial_days")
	for _, k := range []string{"decision", "license_id", "customer_name", "policy", "days_to_expiry", "days_offline", "check_due", "state"} {
		assert.Contains(t, got, k)
	}
	enc, err := res.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(enc), `"A<B>&C"`, "no HTML escaping in the result")

	// Same inputs, same bytes.
	again, err := License(licSign(t, licTestKey("vendor"), doc), ring,
		LicenseOptions{Now: licAt("2026-02-01T00:00:00.25Z"), ProductID: "calcpro", FingerprintHash: licTestMachineA})
	require.NoError(t, err)
	out2, _ := json.Marshal(again)
	assert.Equal(t, string(out), string(out2))
}

func TestLicParseUTC(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"plain", "2026-01-02T03:04:05Z", true},
		{"fraction", "2026-01-02T03:04:05.123456789Z", true},
		{"one digit", "2026-01-02T03:04:05.1Z", true},
		{"ten digits", "2026-01-02T03:04:05.1234567891Z", false},
		{"empty fraction", "2026-01-02T03:04:05.Z", false},
		{"offset zero", "2026-01-02T03:04:05+00:00", true},
		{"offset zero, microseconds", "2026-01-02T03:04:05.123456+00:00", true},
		{"offset zero, nine digits", "2026-01-02T03:04:05.123456789+00:00", true},
		{"offset zero, ten digits", "2026-01-02T03:04:05.1234567891+00:00", false},
		{"offset zero, empty fraction", "2026-01-02T03:04:05.+00:00", false},
		{"unknown offset", "2026-01-02T03:04:05-00:00", false},
		{"offset one hour", "2026-01-02T04:04:05+01:00", false},
		{"offset without colon", "2026-01-02T03:04:05+0000", false},
		{"offset and Z", "2026-01-02T03:04:05+00:00Z", false},
		{"Z and offset", "2026-01-02T03:04:05Z+00:00", false},
		{"offset alone", "+00:00", false},
		{"lower z", "2026-01-02T03:04:05z", false},
		{"lower t", "2026-01-02t03:04:05Z", false},
		{"space", "2026-01-02 03:04:05Z", false},
		{"no seconds", "2026-01-02T03:04Z", false},
		{"date", "2026-01-02", false},
		{"month 13", "2026-13-02T03:04:05Z", false},
		{"feb 29 2026", "2026-02-29T00:00:00Z", false},
		{"feb 29 2028", "2028-02-29T00:00:00Z", true},
		{"leap second", "2026-12-31T23:59:60Z", false},
		{"hour 24", "2026-01-02T24:00:00Z", false},
		{"comma fraction", "2026-01-02T03:04:05,5Z", false},
		{"sign", "+2026-01-02T03:04:05Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := licParseUTC("t", tt.in)
			if tt.ok {
				require.Nil(t, err)
				want, perr := time.Parse(time.RFC3339Nano, tt.in)
				require.NoError(t, perr)
				assert.True(t, want.Equal(got), "the same instant")
				assert.Equal(t, time.UTC, got.Location(), "read in UTC, so that results write Z")
			} else {
				require.NotNil(t, err)
				assert.Equal(t, CodeInvalidField, err.Code)
			}
		})
	}
}

func TestLicFloorDays(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     int64
	}{
		{"zero", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 0},
		{"23h59", "2026-01-01T00:00:00Z", "2026-01-01T23:59:59.999Z", 0},
		{"one day", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", 1},
		{"one day less a nanosecond", "2026-01-01T00:00:00.5Z", "2026-01-02T00:00:00.499999999Z", 0},
		{"one hour back", "2026-01-02T00:00:00Z", "2026-01-01T23:00:00Z", -1},
		{"one day back", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", -1},
		{"a nanosecond back", "2026-01-01T00:00:00.000000001Z", "2026-01-01T00:00:00Z", -1},
		{"beyond a Duration", "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", 3652058},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, licFloorDays(licAt(tt.from), licAt(tt.to)))
		})
	}
}

func BenchmarkLicense(b *testing.B) {
	ring := licTestRing(b, "vendor")
	doc := licSign(b, licTestKey("vendor"), licTestDoc())
	first, err := License(doc, ring, LicenseOptions{Now: licAt("2026-02-01T00:00:00Z"), ProductID: "calcpro", FingerprintHash: licTestMachineA})
	require.NoError(b, err)
	state, _ := json.Marshal(first.State)
	opts := LicenseOptions{Now: licAt("2026-02-10T00:00:00Z"), ProductID: "calcpro", FingerprintHash: licTestMachineA, State: state}
	b.ReportAllocs()
	for b.Loop() {
		res, _ := License(doc, ring, opts)
		if !res.Valid {
			b.Fatal(res.Message)
		}
	}
}

func TestLicenseEmptyFingerprintHashIsNoHash(t *testing.T) {
	ring := licTestRing(t, "vendor")
	now := licAt("2026-02-01T00:00:00Z")
	doc := licTestDoc()
	doc["fingerprint"] = map[string]any{"mode": "machine", "bound": true, "fingerprint_hash": ""}
	res, err := License(licSign(t, licTestKey("vendor"), doc), ring, LicenseOptions{Now: now, ProductID: "calcpro", FingerprintHash: licTestMachineA})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	assert.Empty(t, res.FingerprintHash, "no claim for no hash")
	require.NotNil(t, res.State.LockedToFingerprintHash)
	assert.Equal(t, licTestMachineA, *res.State.LockedToFingerprintHash, "bound at the first activation")

	state, err := json.Marshal(res.State)
	require.NoError(t, err)
	state = []byte(strings.Replace(string(state), licTestMachineA, "", 1))
	again, err := License(licSign(t, licTestKey("vendor"), doc), ring, LicenseOptions{Now: now, ProductID: "calcpro", FingerprintHash: licTestMachineB, State: state})
	require.NoError(t, err)
	require.True(t, again.Valid, again.Message)
	assert.Empty(t, again.Reasons, `a state's "" lock is no lock, as null: the state is read, not ignored`)
	assert.Equal(t, licTestMachineB, *again.State.LockedToFingerprintHash)
}

// TestLicenseStateTimesBeforeIssuedAt: a state whose times lie before the
// license's issued_at is read as the state with those times at issued_at,
// the earliest a genuine run of this license writes, whatever the clock.
func TestLicenseStateTimesBeforeIssuedAt(t *testing.T) {
	ring := licTestRing(t, "vendor")
	doc := licTestDoc() // issued 2026-01-01, max_offline_days 30
	doc["fingerprint"] = map[string]any{"mode": "machine", "bound": true, "fingerprint_hash": licTestMachineA}
	license := licSign(t, licTestKey("vendor"), doc)
	state := func(first, check, seen string) []byte {
		b, err := json.Marshal(map[string]any{
			"schema_version": 1, "license_id": "LIC-TEST0001", "product_id": "calcpro",
			"first_activated_at": first, "last_success_check_at": check, "next_check_due_at": check,
			"locked_to_fingerprint_hash": licTestMachineA,
			"clock_guard":                map[string]any{"last_seen_time": seen, "rollback_count": 3},
		})
		require.NoError(t, err)
		return b
	}
	before := state("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "2024-06-01T00:00:00Z")
	atIssue := state("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
	for _, now := range []string{"2024-03-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-12-31T23:58:00Z", "2026-01-01T00:00:00Z", "2026-01-20T00:00:00Z", "2026-03-01T00:00:00Z"} {
		t.Run(now, func(t *testing.T) {
			run := func(st []byte) string {
				res, err := License(license, ring, LicenseOptions{Now: licAt(now), ProductID: "calcpro", FingerprintHash: licTestMachineA, State: st})
				require.NoError(t, err)
				out, err := json.Marshal(res)
				require.NoError(t, err)
				return string(out)
			}
			assert.Equal(t, run(atIssue), run(before))
		})
	}
	res, err := License(license, ring, LicenseOptions{Now: licAt("2026-01-20T00:00:00Z"), ProductID: "calcpro", FingerprintHash: licTestMachineA, State: before})
	require.NoError(t, err)
	assert.True(t, res.Valid, res.Message)
	assert.Equal(t, int64(19), res.DaysOffline, "counted from issued_at, not from the last check 598 days ago")
}
