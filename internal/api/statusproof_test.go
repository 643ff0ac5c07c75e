package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A valid Ed25519 public key (the base point), enough for requests that
// must fail before any signature is checked.
const spAPIKeys = `[{"kid":"k","alg":"ed25519","public_key":"WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="}]`

// TestProofAndSetBadRequests: misuse of the status_proof and revocation_set
// requests is an {"error"} response, never a result.
func TestProofAndSetBadRequests(t *testing.T) {
	proof := func(extra string) string {
		return `{"op":"status_proof","keys":` + spQuote(spAPIKeys) + `,"now":"2026-01-01T00:00:00Z","proof":"{}"` + extra + `}`
	}
	set := func(extra string) string {
		return `{"op":"revocation_set","keys":` + spQuote(spAPIKeys) + `,"now":"2026-01-01T00:00:00Z","set":"{}"` + extra + `}`
	}
	tests := []struct{ name, req, want string }{
		{"proof: no keys", `{"op":"status_proof","now":"2026-01-01T00:00:00Z","proof":"{}"}`, "keys is required"},
		{"proof: no now", `{"op":"status_proof","keys":` + spQuote(spAPIKeys) + `,"proof":"{}"}`, "now is required"},
		{"proof: no proof", `{"op":"status_proof","keys":` + spQuote(spAPIKeys) + `,"now":"2026-01-01T00:00:00Z"}`, "proof is required"},
		{"proof: unknown member", proof(`,"minepoch":1`), "minepoch"},
		{"proof: negative min_epoch", proof(`,"min_epoch":-1`), "min_epoch"},
		{"proof: fractional min_epoch", proof(`,"min_epoch":1.5`), "min_epoch"},
		{"proof: zero max ttl", proof(`,"max_ttl_seconds":0`), "max_ttl_seconds"},
		{"proof: huge max ttl", proof(`,"max_ttl_seconds":9223372037`), "max_ttl_seconds"},
		{"proof: max ttl beyond 2^53", proof(`,"max_ttl_seconds":9223372036854775807`), "2^53"},
		{"proof: negative skew", proof(`,"skew_seconds":-1`), "skew_seconds"},
		{"proof: zero limit", proof(`,"limit":0`), "limit"},
		{"proof: empty license id", proof(`,"license_id":""`), "license_id"},
		{"proof: fingerprint not JSON", proof(`,"fingerprint":"cpu"`), "fingerprint"},
		{"proof: empty fingerprint", proof(`,"fingerprint":""`), "fingerprint"},
		{"proof: fingerprint not UTF-8", proof(`,"fingerprint_b64":"/w=="`), "fingerprint"},
		{"proof: limit above the default", proof(`,"limit":1048577`), "limit"},
		{"proof: min_epoch above 2^53", proof(`,"min_epoch":9007199254740993`), "9007199254740993"},
		{"proof: lone surrogate in license_id", proof(`,"license_id":"lic-\ud800"`), "surrogate"},
		{"proof: now out of range", `{"op":"status_proof","keys":` + spQuote(spAPIKeys) + `,"now":"0000-01-01T00:00:00+00:01","proof":"{}"}`, "now"},
		{"proof: now with a one-digit hour", `{"op":"status_proof","keys":` + spQuote(spAPIKeys) + `,"now":"2026-06-15T9:00:00Z","proof":"{}"}`, "now"},
		{"proof: null member", proof(`,"license_id":null`), "license_id"},
		{"set: no set", `{"op":"revocation_set","keys":` + spQuote(spAPIKeys) + `,"now":"2026-01-01T00:00:00Z"}`, "set is required"},
		{"set: no keys", `{"op":"revocation_set","now":"2026-01-01T00:00:00Z","set":"{}"}`, "keys is required"},
		{"set: bad now", `{"op":"revocation_set","keys":` + spQuote(spAPIKeys) + `,"now":"yesterday","set":"{}"}`, "now"},
		{"set: limit above the default", set(`,"limit":67108865`), "limit"},
		{"set: lookup not strings", set(`,"lookup":"x"`), "lookup"},
		{"set: allow_stale not bool", set(`,"allow_stale":"yes"`), "allow_stale"},
		{"set: negative min_epoch", set(`,"min_epoch":-5`), "min_epoch"},
		{"set: unknown member", set(`,"delta":["{}"]`), "delta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp map[string]any
			require.NoError(t, json.Unmarshal(Handle(MustFromJSON(tt.req)), &resp))
			msg, ok := resp["error"].(string)
			require.True(t, ok, "want an error response, got %v", resp)
			assert.Contains(t, msg, tt.want)
			assert.NotContains(t, resp, "valid")
		})
	}
}

// TestRefusedKeyringIsAnError: a keyring that does not load is the host's
// configuration, not a document: every op that takes keys answers an
// error carrying the code, never a result that looks like a bad document.
func TestRefusedKeyringIsAnError(t *testing.T) {
	weak := spQuote(`[{"kid":"w","alg":"ed25519","public_key":"` + "AQ" + strings.Repeat("A", 41) + `="}]`)
	for _, tc := range []struct{ req, code string }{
		{`{"op":"status_proof","keys":` + weak + `,"now":"2026-01-01T00:00:00Z","proof":"{}"}`, "weak_key"},
		{`{"op":"revocation_set","keys":` + weak + `,"now":"2026-01-01T00:00:00Z","set":"{}","lookup":["a"]}`, "weak_key"},
		{`{"op":"revocation_load","keys":` + weak + `,"now":"2026-01-01T00:00:00Z","set":"{}"}`, "weak_key"},
		{`{"op":"license","keys":` + weak + `,"now":"2026-01-01T00:00:00Z","license":"{}","product_id":"p"}`, "weak_key"},
		{`{"op":"qkey","keys":` + weak + `,"now":"2026-01-01T00:00:00Z","qkey":"{}"}`, "weak_key"},
		{`{"op":"status_proof","keys":"{\"keys\":[]}","now":"2026-01-01T00:00:00Z","proof":"{}"}`, ""},
		{`{"op":"status_proof","keys":"not a keyring","now":"2026-01-01T00:00:00Z","proof":"{}"}`, "malformed_json"},
		// A private key given as the keyring: private key material, as
		// in every form.
		{`{"op":"status_proof","keys":` + spQuote(`{"kty":"OKP","crv":"Ed25519","x":"AA","d":"AA"}`) + `,"now":"2026-01-01T00:00:00Z","proof":"{}"}`, "invalid_field"},
		{`{"op":"status_proof","keys":` + spQuote(`{"kty":"OKP","crv":"Ed25519","x":"AA"}`) + `,"now":"2026-01-01T00:00:00Z","proof":"{}"}`, "missing_field"},
	} {
		var resp map[string]any
		require.NoError(t, json.Unmarshal(Handle(MustFromJSON(tc.req)), &resp))
		assert.NotContains(t, resp, "valid", resp)
		msg, _ := resp["error"].(string)
		if tc.code == "" {
			assert.True(t, strings.HasPrefix(msg, "licverify: bad request: "), "an empty keyring is misuse: %v", resp)
			continue
		}
		assert.True(t, strings.HasPrefix(msg, "licverify: keyring: "), "%v", resp)
		assert.Equal(t, tc.code, resp["code"], resp)
	}
}

func spQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
