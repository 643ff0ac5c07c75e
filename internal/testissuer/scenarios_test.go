package testissuer_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

var scenarioPath = filepath.Join("..", "..", "testvectors", "lifecycle", "scenarios.json")

// TestScenariosLoad: the shared scenario file passes the strict loader
// (schema, step kinds, expect keys and values), so a typo fails here even
// before a session runs it.
func TestScenariosLoad(t *testing.T) {
	f, err := testissuer.LoadScenarios(scenarioPath)
	require.NoError(t, err)
	assert.Equal(t, 24, f.Session.TTLHours)
	assert.Equal(t, testissuer.Policy{}, f.Session.Policy, "the op's defaults: 75 %, 300 s, 30 s to 3600 s")

	kinds := map[string]bool{}
	for _, sc := range f.Scenarios {
		for _, st := range sc.Steps {
			kinds[st.Kind()] = true
		}
	}
	for _, k := range []string{"issuer", "revoke", "restore", "advance", "session_clock", "unreachable", "restart", "crash", "tamper", "check"} {
		assert.True(t, kinds[k], "no scenario uses the step %q", k)
	}
}

// TestScenariosCover lists the situations the lifecycle must be tested in;
// each has a scenario.
func TestScenariosCover(t *testing.T) {
	f, err := testissuer.LoadScenarios(scenarioPath)
	require.NoError(t, err)
	ids := map[string]bool{}
	for _, sc := range f.Scenarios {
		ids[sc.ID] = true
	}
	for _, id := range []string{
		"first-start-online", "restart-offline-within-proof-life", "restart-offline-past-proof-life",
		"refresh-at-refresh-point", "server-down-backoff", "slow-server-beyond-timeout", "error500",
		"rollback-served", "bad-signature-served", "unchained-delta", "proof-for-another-license",
		"revoked-found-at-refresh", "revoked-found-by-sync", "revoked-not-undone",
		"crash-set-written", "crash-proof-written", "tampered-proof-refetched", "tampered-set-refetched",
		"clock-set-back",
	} {
		assert.True(t, ids[id], "no scenario %q", id)
	}
}

// TestScenariosUnreachableHitsNothing: a session pointed at a closed port
// cannot reach the issuer, so every check made meanwhile expects no hits.
// A scenario that says otherwise has an error in it.
func TestScenariosUnreachableHitsNothing(t *testing.T) {
	f, err := testissuer.LoadScenarios(scenarioPath)
	require.NoError(t, err)
	for _, sc := range f.Scenarios {
		unreachable := false
		for i, st := range sc.Steps {
			switch {
			case st.Unreachable != nil:
				unreachable = *st.Unreachable
			case st.Check != nil && unreachable && st.Expect.Hits != nil:
				assert.Equal(t, testissuer.Hits{}, *st.Expect.Hits, "%s step %d", sc.ID, i)
			}
		}
	}
}

// TestScenariosStrict: each kind of mistake in a scenario file is refused,
// with a message that names it.
func TestScenariosStrict(t *testing.T) {
	good := `{"check": {}, "expect": {"valid": true, "code": "ok"}}`
	file := func(steps ...string) string {
		return `{"schema": "licverify-lifecycle-v1", "session": {"ttl_hours": 24, "timeout_ms": 1000, "policy": {}},
			"scenarios": [{"id": "a-b", "comment": "c", "steps": [` + strings.Join(steps, ",") + `]}]}`
	}
	_, err := testissuer.ParseScenarios([]byte(file(good)))
	require.NoError(t, err, "the base file of the cases below is good")

	for _, tc := range []struct{ name, file, want string }{
		{"schema", strings.Replace(file(good), "-v1", "-v2", 1), "schema"},
		{"unknown top-level member", strings.Replace(file(good), `"schema"`, `"x": 1, "schema"`, 1), "unknown field"},
		{"duplicate member", strings.Replace(file(good), `"timeout_ms": 1000`, `"timeout_ms": 1000, "timeout_ms": 2`, 1), "duplicate"},
		{"unknown policy member", strings.Replace(file(good), `"policy": {}`, `"policy": {"refresh": 75}`, 1), "unknown field"},
		{"policy out of range", strings.Replace(file(good), `"policy": {}`, `"policy": {"refresh_percent": 0}`, 1), "refresh_percent"},
		{"ttl out of range", strings.Replace(file(good), `"ttl_hours": 24`, `"ttl_hours": 169`, 1), "ttl_hours"},
		{"id", strings.Replace(file(good), `"a-b"`, `"A b"`, 1), "id"},
		{"no comment", strings.Replace(file(good), `"comment": "c"`, `"comment": " "`, 1), "comment"},
		{"no steps", file(), "no steps"},
		{"unknown step", file(`{"chek": {}}`, good), "unknown field"},
		{"two actions", file(`{"advance": 1, "restart": true}`, good), "exactly one"},
		{"no action", file(`{}`, good), "exactly one"},
		{"expect beside another action", file(`{"advance": 1, "expect": {"valid": true}}`, good), "only a check"},
		{"check without expect", file(`{"check": {}}`), "without expect"},
		{"check with members", file(`{"check": {"now": 1}, "expect": {"valid": true}}`), "unknown field"},
		{"empty expect", file(`{"check": {}, "expect": {}}`), "nothing expected"},
		{"unknown expect key", file(`{"check": {}, "expect": {"vaild": true}}`), "unknown field"},
		{"unknown code", file(`{"check": {}, "expect": {"code": "expired_proof"}}`), "unknown code"},
		{"valid and code disagree", file(`{"check": {}, "expect": {"valid": true, "code": "revoked"}}`), "valid true"},
		{"refresh value", file(`{"check": {}, "expect": {"refresh": "accept"}}`), "expect.refresh"},
		{"refused ok", file(`{"check": {}, "expect": {"sync": "refused:ok"}}`), "expect.sync"},
		{"refused unknown code", file(`{"check": {}, "expect": {"sync": "refused:rollback"}}`), "expect.sync"},
		{"hits missing a member", file(`{"check": {}, "expect": {"hits": {"proof": 1}}}`), "both"},
		{"hits extra member", file(`{"check": {}, "expect": {"hits": {"proof": 1, "revocation": 0, "set": 0}}}`), "unknown field"},
		{"unknown file", file(`{"check": {}, "expect": {"files": ["proof"]}}`), "unknown file"},
		{"offline as a string", file(`{"check": {}, "expect": {"offline": "true"}}`), "cannot unmarshal"},
		{"unknown proof mode", file(`{"issuer": {"proof": "old_epoch"}}`, good), "unknown proof mode"},
		{"unknown revocation mode", file(`{"issuer": {"revocation": "slowly"}}`, good), "unknown revocation mode"},
		{"issuer without a mode", file(`{"issuer": {}}`, good), "no mode"},
		{"unknown license", file(`{"revoke": "b28a923a"}`, good), "not a license"},
		{"advance not positive", file(`{"advance": 0}`, good), "advance"},
		{"advance not an integer", file(`{"advance": 1.5}`, good), "cannot unmarshal"},
		{"session clock", file(`{"session_clock": "2026-03-01 00:00:00Z"}`, good), "session_clock"},
		{"restart false", file(good, `{"restart": false}`, good), "restart"},
		{"unknown crash", file(good, `{"crash": "deltas_written"}`, good), "crash"},
		{"unknown tamper file", file(good, `{"tamper": "epochs.json"}`, good), "tamper"},
		{"restart before any check", file(`{"restart": true}`, good), "before any check"},
		{"tamper before any check", file(`{"tamper": "proof.json"}`, good), "before any check"},
		{"last step not a check", file(good, `{"advance": 1}`), "last step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testissuer.ParseScenarios([]byte(tc.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestTamper(t *testing.T) {
	in := []byte(`{"a":"bcd"}`)
	out := testissuer.Tamper(in)
	assert.Equal(t, `{"a":"bcd"}`, string(in), "the input is not changed")
	assert.Equal(t, `{"a":#bcd"}`, string(out), "byte len/2 = 5 ('\"', 0x22) XOR 0x01 is '#'")
}

// TestTamperBreaksIssuerDocuments: the tamper step's byte, in what the
// issuer serves and a session stores, makes the document fail to verify;
// so the tamper scenarios' refetch does not depend on luck.
func TestTamperBreaksIssuerDocuments(t *testing.T) {
	is := start(t)
	set1 := is.revocation("")
	is.control("/_test/revoke", `{"license_id":"`+testissuer.OtherLicenseID+`"}`)
	proof := is.proof(withDevice)
	set := is.revocation("")
	delta := is.revocation("?since_epoch=1")
	opts := verify.StatusProofOptions{Now: start0, Fingerprint: []byte(testissuer.Fingerprint)}
	require.True(t, checkProof(t, proof, opts).Valid)
	res := checkProof(t, testissuer.Tamper(proof), opts)
	assert.False(t, res.Valid, "proof: %s", res.Code)

	ropts := verify.RevocationOptions{Now: start0}
	for name, doc := range map[string][]byte{"set": set, "delta": delta} {
		base := checkSet(t, set1, ropts)
		require.True(t, base.Valid)
		var r *verify.RevocationSetResult
		if name == "set" {
			require.True(t, checkSet(t, doc, ropts).Valid)
			r = checkSet(t, testissuer.Tamper(doc), ropts)
		} else {
			ok, err := base.Set.ApplyDelta(doc, ring(t), ropts)
			require.NoError(t, err)
			require.True(t, ok.Valid, ok.Message)
			r, err = base.Set.ApplyDelta(testissuer.Tamper(doc), ring(t), ropts)
			require.NoError(t, err)
		}
		assert.False(t, r.Valid, "%s: %s", name, r.Code)
	}
}
