package verify

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWrongKindHints: every verifier given a document of another kind
// says what it looks like, not only which member is missing.
func TestWrongKindHints(t *testing.T) {
	ring := sptRing(t, "k1")
	proof := sptSign(t, "k1", sptProof())
	qkey := sptSign(t, "k1", qkTestDoc())
	license := sptSign(t, "k1", licTestDoc())

	lr, err := License(proof, ring, LicenseOptions{Now: sptNow, ProductID: "calcpro"})
	require.NoError(t, err)
	assert.Equal(t, CodeMissingField, lr.Code)
	assert.Equal(t, "schema_version is missing (this looks like a status proof, not a license.key)", lr.Message)

	qr, err := QKey(proof, ring, QKeyOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Equal(t, CodeMissingField, qr.Code)
	assert.Equal(t, "package is missing (this looks like a status proof, not a .qkey license)", qr.Message)

	qr, err = QKey(license, ring, QKeyOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Contains(t, qr.Message, "(this looks like a license.key, not a .qkey license)")

	pr, err := StatusProof(qkey, ring, StatusProofOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Contains(t, pr.Message, "(this looks like a .qkey license, not a status proof)")
	pr, err = StatusProof(license, ring, StatusProofOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Contains(t, pr.Message, "(this looks like a license.key, not a status proof)")
}

// TestKeyringMessagesNameTheFile: a file that is not a keyring at all is
// named for what it is; a public key of the wrong length is named so, not
// "not base64".
func TestKeyringMessagesNameTheFile(t *testing.T) {
	pub := krPub("a")
	std := base64.StdEncoding.EncodeToString(pub)
	url := base64.RawURLEncoding.EncodeToString(pub)
	// What licverify keygen writes.
	seed := make([]byte, ed25519.SeedSize)
	keygen := fmt.Sprintf(`{"kid":"key-1","alg":"ed25519","private_key":%q,"public_key":%q}`, base64.StdEncoding.EncodeToString(seed), std)
	jwk := `{"kty":"OKP","crv":"Ed25519","x":"` + url + `"}`
	for _, tc := range []struct {
		name, ring string
		code       Code
		message    string
	}{
		{"a keygen private key file", keygen, CodeInvalidField,
			"keyring is a private key (it has private_key), not a keyring: a keyring takes public keys only; give the keyring of its public key, never the private key"},
		{"a private JWK on its own", `{"kty":"OKP","crv":"Ed25519","x":"` + url + `","d":"` + url + `"}`, CodeInvalidField,
			"keyring is a private key (it has d), not a keyring: a keyring takes public keys only; give the keyring of its public key, never the private key"},
		{"one JWK", jwk, CodeMissingField, `keyring is one JWK, not a JWKS: put it in a keys array, {"keys": [...]}`},
		{"one native key", `{"kid":"a","alg":"ed25519","public_key":"` + std + `"}`, CodeMissingField,
			"keyring is one key object, not a keyring: put it in a JSON array, [{...}]"},
		{"another object", `{"a":1}`, CodeMissingField, `JWKS has no keys member: a keyring is a JSON array of keys, a JWKS {"keys": [...]} or PEM`},
		{"x one character short", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + url[:42] + `"}]}`, CodeWeakKey,
			"JWK 0: x is 42 characters of base64url; an Ed25519 public key is 32 bytes, 43 characters (44 with = padding)"},
		{"x two characters long", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + url + `AA"}]}`, CodeWeakKey,
			"JWK 0: x is 45 characters of base64url; an Ed25519 public key is 32 bytes, 43 characters (44 with = padding)"},
		{"x with a space", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + url[:10] + " " + url[11:] + `"}]}`, CodeWeakKey,
			"JWK 0: x is not base64url: it holds the byte 0x20 at offset 10"},
		{"x with stray bits", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + url[:42] + `B"}]}`, CodeWeakKey,
			"JWK 0: x is not canonical base64url: its last character sets bits beyond the key's 32 bytes, or its padding is wrong"},
		{"public_key short", `[{"kid":"a","alg":"ed25519","public_key":"` + std[:41] + `"}]`, CodeWeakKey,
			"key 0: public_key is 41 characters of base64; an Ed25519 public key is 32 bytes, 43 characters (44 with = padding)"},
		{"public_key with both alphabets", `[{"kid":"a","alg":"ed25519","public_key":"-+` + std[2:] + `"}]`, CodeWeakKey,
			"key 0: public_key is not base64: it mixes the standard (+/) and URL-safe (-_) alphabets"},
		{"a byte order mark", "\xef\xbb\xbf[]", CodeMalformedJSON,
			"keyring starts with a byte order mark (EF BB BF), refused rather than stripped (RFC 8259 §8.1): save it as UTF-8 without one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeyring([]byte(tc.ring))
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.message, e.Message)
		})
	}
}

// TestByteOrderMarkNamed: a document with a byte order mark is
// malformed_json, and the message says so, whatever its format.
func TestByteOrderMarkNamed(t *testing.T) {
	qkCheap(t)
	ring := sptRing(t, "k1")
	bom := func(b []byte) []byte { return append([]byte("\xef\xbb\xbf"), b...) }
	pr, err := StatusProof(bom(sptSign(t, "k1", sptProof())), ring, StatusProofOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Equal(t, CodeMalformedJSON, pr.Code)
	assert.Equal(t, "status proof starts with a byte order mark (EF BB BF), refused rather than stripped (RFC 8259 §8.1): save it as UTF-8 without one", pr.Message)

	lr, err := License(bom(sptSign(t, "k1", licTestDoc())), ring, LicenseOptions{Now: sptNow, ProductID: "calcpro"})
	require.NoError(t, err)
	assert.Equal(t, CodeMalformedJSON, lr.Code)
	assert.Contains(t, lr.Message, "starts with a byte order mark (EF BB BF)")

	rr, err := RevocationSet(bom([]byte(`{"epoch":1}`)), ring, RevocationOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Contains(t, rr.Message, "starts with a byte order mark (EF BB BF)")

	// A plain .qkey with one is read as encrypted (formats.md), and the
	// message says why it did not decrypt.
	qr, err := QKey(bom(sptSign(t, "k1", qkTestDoc())), ring, QKeyOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Equal(t, CodeDecryptFailed, qr.Code)
	assert.Contains(t, qr.Message, "(the file starts with a byte order mark (EF BB BF), so it was read as encrypted: a plain .qkey is UTF-8 JSON without one)")
}

// TestProofLifetimeMessage: a lifetime beyond time.Duration's range (a
// proof checked in year 0000) is written as it is, not saturated.
func TestProofLifetimeMessage(t *testing.T) {
	ring := sptRing(t, "k1")
	p := sptProof()
	p["checked_at"] = "0000-01-01T00:00:00Z"
	res, err := StatusProof(sptSign(t, "k1", p), ring, StatusProofOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Equal(t, CodeTTLTooLong, res.Code)
	from := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	sec := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC).Unix() - from.Unix()
	assert.Equal(t, fmt.Sprintf("proof lifetime %dh0m0s (checked_at 0000-01-01T00:00:00Z to valid_until 2026-03-03T00:00:00Z) exceeds the maximum 168h0m0s", sec/3600), res.Message)

	p = sptProof()
	p["valid_until"] = "2026-03-09T00:00:00.5Z"
	res, err = StatusProof(sptSign(t, "k1", p), ring, StatusProofOptions{Now: sptNow})
	require.NoError(t, err)
	assert.Equal(t, "proof lifetime 192h0m0.5s (checked_at 2026-03-01T00:00:00Z to valid_until 2026-03-09T00:00:00.5Z) exceeds the maximum 168h0m0s", res.Message)

	// 10,000 years are 3,652,425 days; 0000 to 1000, 365,243.
	assert.Equal(t, "87658199h59m59.999999999s", span(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)))
	assert.Equal(t, "8765831h59m59.9999995s", span(time.Date(0, 1, 1, 0, 0, 0, 500, time.UTC), time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, "1h30m0s", span(sptNow, sptNow.Add(90*time.Minute)))
}
