package api

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// licAPIKeys is a one-key native keyring.
func licAPIKeys() string {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	return `[{"kid":"k","alg":"ed25519","public_key":"` + base64.StdEncoding.EncodeToString(pub) + `"}]`
}

func licAPIRequest(t *testing.T, members map[string]any) map[string]any {
	t.Helper()
	req, err := json.Marshal(members)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(Handle(MustFromJSON(string(req))), &out))
	return out
}

// TestLicenseAndQKeyRequests: what is a bad request ({"error"}) and what
// is a result ({"valid"}).
func TestLicenseAndQKeyRequests(t *testing.T) {
	keys := licAPIKeys()
	license := func(kv ...any) map[string]any {
		m := map[string]any{"op": "license", "keys": keys, "now": "2026-01-01T00:00:00Z", "license": "{}", "product_id": "calcpro"}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	qkey := func(kv ...any) map[string]any {
		m := map[string]any{"op": "qkey", "keys": keys, "now": "2026-01-01T00:00:00Z", "qkey_b64": base64.StdEncoding.EncodeToString([]byte("{}"))}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		req  map[string]any
		code string // "" for a bad request
	}{
		{"license result", license(), "signature_missing"},
		{"license without product_id", license("product_id", nil), ""},
		{"license without license", license("license", nil), ""},
		{"license without now", license("now", nil), ""},
		{"license without keys", license("keys", nil), ""},
		{"license with an empty product_id", license("product_id", ""), ""},
		{"license with a bad fingerprint_hash", license("fingerprint_hash", "sha256:ABC"), ""},
		{"license with a bad release_date", license("release_date", "2026-01-01"), ""},
		{"license with an unknown member", license("fingerprint", "x"), ""},
		{"license with a non-UTF-8 state", license("state_b64", base64.StdEncoding.EncodeToString([]byte{0xff})), "signature_missing"},
		{"license with an empty fingerprint_hash", license("fingerprint_hash", ""), ""},
		{"license with release_date out of range", license("release_date", "0000-01-01T00:00:00+00:01"), ""},
		{"qkey result", qkey(), "signature_missing"},
		{"qkey zero limit", qkey("limit", 0), ""},
		{"qkey limit above the default", qkey("limit", 1<<20+1), ""},
		{"qkey empty machine_id", qkey("machine_id", ""), ""},
		{"qkey bad machine_id", qkey("machine_id", "abc"), ""},
		{"qkey allow_unsigned as a string", qkey("allow_unsigned", "yes"), ""},
		{"qkey short file", qkey("qkey_b64", base64.StdEncoding.EncodeToString([]byte("xx"))), "decrypt_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := licAPIRequest(t, tt.req)
			if tt.code == "" {
				require.Contains(t, out, "error", "%v", out)
				assert.True(t, strings.HasPrefix(out["error"].(string), "licverify: bad request: "))
				assert.NotContains(t, out, "valid")
				return
			}
			require.Contains(t, out, "valid", "%v", out)
			assert.Equal(t, tt.code, out["code"])
		})
	}
}
