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

// sptKey derives a fixed test key from its name.
func sptKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licverify status proof test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func sptRing(t testing.TB, kids ...string) *Keyring {
	var keys []Key
	for _, kid := range kids {
		keys = append(keys, Key{KID: kid, PublicKey: sptKey(kid).Public().(ed25519.PublicKey)})
	}
	ring, err := NewKeyring(keys...)
	require.NoError(t, err)
	return ring
}

// sptSign returns doc as JSON text signed by the key named kid.
func sptSign(t testing.TB, kid string, doc map[string]any) []byte {
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	payload, _, err := canonical.Signed(raw, DefaultRevocationLimit)
	require.NoError(t, err)
	signed := make(map[string]any, len(doc)+1)
	for k, v := range doc {
		signed[k] = v
	}
	signed["signature"] = base64.StdEncoding.EncodeToString(ed25519.Sign(sptKey(kid), payload))
	out, err := json.Marshal(signed)
	require.NoError(t, err)
	return out
}

func sptProof() map[string]any {
	return map[string]any{
		"license_id": "lic-1", "status": "valid",
		"checked_at": "2026-03-01T00:00:00Z", "valid_until": "2026-03-03T00:00:00Z",
		"revocation_epoch": 7, "issuer_kid": "k1",
	}
}

var sptNow = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func TestStatusProofMisuse(t *testing.T) {
	ring := sptRing(t, "k1")
	proof := sptSign(t, "k1", sptProof())
	tests := []struct {
		name string
		keys *Keyring
		opts StatusProofOptions
	}{
		{"nil keyring", nil, StatusProofOptions{Now: sptNow}},
		{"empty keyring", &Keyring{}, StatusProofOptions{Now: sptNow}},
		{"zero now", ring, StatusProofOptions{}},
		{"negative min epoch", ring, StatusProofOptions{Now: sptNow, MinEpoch: -1}},
		{"negative max ttl", ring, StatusProofOptions{Now: sptNow, MaxTTL: -time.Hour}},
		{"negative limit", ring, StatusProofOptions{Now: sptNow, Limit: -1}},
		{"fingerprint not JSON", ring, StatusProofOptions{Now: sptNow, Fingerprint: []byte("cpu=1")}},
		{"fingerprint not an object", ring, StatusProofOptions{Now: sptNow, Fingerprint: []byte(`["cpu"]`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := StatusProof(proof, tt.keys, tt.opts)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrMisuse), "%v", err)
			assert.Nil(t, res)
		})
	}
}

// TestStatusProofSkewOption pins the meaning of Skew's zero and negative
// values: zero is the default five minutes, negative is none.
func TestStatusProofSkewOption(t *testing.T) {
	ring := sptRing(t, "k1")
	proof := sptSign(t, "k1", sptProof())
	checkedAt := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		early time.Duration // how long before checked_at now is
		skew  time.Duration
		want  Code
	}{
		{"default tolerates 5m", 5 * time.Minute, 0, CodeOK},
		{"default refuses 5m1s", 5*time.Minute + time.Second, 0, CodeNotYetValid},
		{"negative tolerates nothing", time.Nanosecond, -1, CodeNotYetValid},
		{"negative accepts exactly checked_at", 0, -1, CodeOK},
		{"explicit 1h", time.Hour, time.Hour, CodeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := StatusProof(proof, ring, StatusProofOptions{Now: checkedAt.Add(-tt.early), Skew: tt.skew})
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Code, res.Message)
		})
	}
}

func TestRefreshAfter(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"48h", "2025-12-30T15:30:00Z", "2026-01-01T15:30:00Z", "2026-01-01T03:30:00Z"},
		{"1h", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T00:45:00Z"},
		{"odd nanoseconds round down", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000003Z", "2026-01-01T00:00:00.000000002Z"},
		{"odd seconds", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:00.75Z"},
		{"borrowing nanoseconds", "2026-01-01T00:00:00.9Z", "2026-01-01T00:00:01.1Z", "2026-01-01T00:00:01.05Z"},
		// Beyond time.Duration's 292 years: no overflow.
		// 3,651,694 days; three quarters is 2,738,770.5 days (Python: datetime(1,1,1) + (datetime(9999,1,1) - datetime(1,1,1)) * 3 / 4).
		{"9999 years", "0001-01-01T00:00:00Z", "9999-01-01T00:00:00Z", "7499-07-02T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refreshAfter(at(tt.from), at(tt.to))
			assert.Equal(t, tt.want, got.UTC().Format(time.RFC3339Nano))
		})
	}
}

// TestStatusProofClaimsOnlyWhenAuthentic: a result carries claims exactly
// when the signature verified with a key valid at checked_at.
func TestStatusProofClaimsOnlyWhenAuthentic(t *testing.T) {
	ring := sptRing(t, "k1")
	good := sptSign(t, "k1", sptProof())
	forged := strings.Replace(string(good), `"lic-1"`, `"lic-2"`, 1)
	windowed, err := NewKeyring(Key{KID: "k1", PublicKey: sptKey("k1").Public().(ed25519.PublicKey),
		NotAfter: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	tests := []struct {
		name   string
		proof  []byte
		keys   *Keyring
		now    time.Time
		code   Code
		claims bool
	}{
		{"valid", good, ring, sptNow, CodeOK, true},
		{"expired", good, ring, sptNow.Add(30 * 24 * time.Hour), CodeProofExpired, true},
		{"forged", []byte(forged), ring, sptNow, CodeBadSignature, false},
		{"key window", good, windowed, sptNow, CodeKeyNotValid, false},
		{"not json", []byte("{"), ring, sptNow, CodeMalformedJSON, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := StatusProof(tt.proof, tt.keys, StatusProofOptions{Now: tt.now})
			require.NoError(t, err)
			assert.Equal(t, tt.code, res.Code, res.Message)
			assert.Equal(t, tt.code == CodeOK, res.Valid)
			assert.Equal(t, tt.claims, res.ProofClaims != nil)
		})
	}
}

// TestStatusProofResultJSON: results round-trip through JSON, as a host
// decoding the module's response into the same type needs.
func TestStatusProofResultJSON(t *testing.T) {
	ring := sptRing(t, "k1")
	p := sptProof()
	p["status"] = "grace_period"
	p["checked_at"] = "2026-03-01T01:00:00.25+01:00"
	res, err := StatusProof(sptSign(t, "k1", p), ring, StatusProofOptions{Now: sptNow, MinEpoch: 3})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	out, err := json.Marshal(res)
	require.NoError(t, err)
	assert.JSONEq(t, `{"valid":true,"code":"ok","message":"`+res.Message+`",
		"license_id":"lic-1","status":"grace_period","checked_at":"2026-03-01T00:00:00.25Z",
		"valid_until":"2026-03-03T00:00:00Z","epoch":7,"entitlements":[],"kid":"k1","signed_form":"rfc8785","bound":false,
		"refresh_after":"2026-03-02T12:00:00.0625Z","grace":true,"store_epoch":7}`, string(out))
	var back StatusProofResult
	require.NoError(t, json.Unmarshal(out, &back))
	again, err := json.Marshal(back)
	require.NoError(t, err)
	assert.JSONEq(t, string(out), string(again))

	rejected, err := StatusProof([]byte(`{}`), ring, StatusProofOptions{Now: sptNow})
	require.NoError(t, err)
	out, err = json.Marshal(rejected)
	require.NoError(t, err)
	assert.JSONEq(t, `{"valid":false,"code":"signature_missing","message":"document has no signature"}`, string(out))
}

// TestStatusProofEveryMemberSigned flips each byte of each member value of
// a signed proof in turn: nothing may verify.
func TestStatusProofEveryMemberSigned(t *testing.T) {
	ring := sptRing(t, "k1", "k2")
	p := sptProof()
	p["entitlements"] = []any{"a", "b"}
	p["binding_hash"] = "sha256:" + strings.Repeat("0", 64)
	p["extra"] = map[string]any{"n": 1}
	good := string(sptSign(t, "k1", p))
	sigStart := strings.Index(good, `"signature"`)
	require.Positive(t, sigStart)
	checked := 0
	for i := 0; i < len(good); i++ {
		c := good[i]
		var r byte
		switch {
		case c >= 'a' && c < 'z', c >= '0' && c < '9':
			r = c + 1
		default:
			continue
		}
		forged := good[:i] + string(r) + good[i+1:]
		res, err := StatusProof([]byte(forged), ring, StatusProofOptions{Now: sptNow, Fingerprint: []byte(`{}`)})
		require.NoError(t, err)
		require.False(t, res.Valid, "byte %d changed %q→%q verified: %s", i, c, r, forged)
		checked++
	}
	assert.Greater(t, checked, 100)
}

func TestCheckEpoch(t *testing.T) {
	tests := []struct {
		name              string
		stored, presented int64
		want              int64
		code              Code // "" for no error
		misuse            bool
	}{
		{"first use", 0, 0, 0, "", false},
		{"newer", 41, 42, 42, "", false},
		{"equal", 42, 42, 42, "", false},
		{"older", 42, 41, 42, CodeEpochRollback, false},
		{"much older", 1 << 53, 0, 1 << 53, CodeEpochRollback, false},
		{"negative stored", -1, 3, -1, "", true},
		{"negative presented", 3, -1, 3, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckEpoch(tt.stored, tt.presented)
			assert.Equal(t, tt.want, got)
			switch {
			case tt.misuse:
				assert.ErrorIs(t, err, ErrMisuse)
			case tt.code != "":
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tt.code, e.Code)
			default:
				assert.NoError(t, err)
			}
		})
	}
}

func TestSpIsHash(t *testing.T) {
	h := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	assert.True(t, isFingerprintHash(h))
	for _, bad := range []string{
		"", "sha256:", h[:len(h)-1], h + "0", "SHA256:" + h[7:], strings.ToUpper(h),
		h[:len(h)-1] + "g", "sha512:" + h[7:], " " + h[1:],
	} {
		assert.False(t, isFingerprintHash(bad), bad)
	}
}

// TestStatusProofLimit: the limit applies to what the caller passes,
// whichever form it is in.
func TestStatusProofLimit(t *testing.T) {
	ring := sptRing(t, "k1")
	proof := sptSign(t, "k1", sptProof())
	compact := []byte(base64.StdEncoding.EncodeToString(proof))
	for _, in := range [][]byte{proof, compact} {
		res, err := StatusProof(in, ring, StatusProofOptions{Now: sptNow, Limit: len(in) - 1})
		require.NoError(t, err)
		assert.Equal(t, CodeInputTooLarge, res.Code)
		res, err = StatusProof(in, ring, StatusProofOptions{Now: sptNow, Limit: len(in)})
		require.NoError(t, err)
		assert.Equal(t, CodeOK, res.Code, res.Message)
	}
}

func TestStatusProofEmptyBindingHashIsUnbound(t *testing.T) {
	ring := sptRing(t, "k1")
	doc := sptProof()
	doc["binding_hash"] = ""
	proof := sptSign(t, "k1", doc)
	for name, fp := range map[string][]byte{"no fingerprint": nil, "a fingerprint": []byte(`{"cpu_id":"x"}`)} {
		t.Run(name, func(t *testing.T) {
			res, err := StatusProof(proof, ring, StatusProofOptions{Now: sptNow, Fingerprint: fp})
			require.NoError(t, err)
			require.True(t, res.Valid, res.Message)
			assert.False(t, res.Bound)
		})
	}
}
