package verify

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// krKey derives a fixed Ed25519 key pair from a label.
func krKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licverify keyring test: " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func krPub(label string) ed25519.PublicKey {
	return krKey(label).Public().(ed25519.PublicKey)
}

func krHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// krPEM encodes pub as a PEM SPKI block with crypto/x509, an encoder
// independent of the parser under test.
func krPEM(t testing.TB, pub any, headers map[string]string) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: headers, Bytes: der}))
}

// krSmallOrder are the eight points of order dividing 8, canonically
// encoded: the identity, the point of order 2, two of order 4 and four of
// order 8. [8]A is the identity for each.
var krSmallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
}

const (
	// krNonCanonical encodes y = p + 3 (RFC 8032 §5.1.3 requires y < p).
	// The point y = 3 has mixed order, not small order, so only the
	// canonicity check can refuse it.
	krNonCanonical = "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
	// krMixedOrder is the canonical encoding of that same point: it has a
	// torsion component but [8]A is not the identity, so it is accepted.
	krMixedOrder = "0300000000000000000000000000000000000000000000000000000000000000"
	// krNegativeZero is the identity with the sign bit of x = 0 set.
	krNegativeZero = "0100000000000000000000000000000000000000000000000000000000000080"
)

func TestParseKeyringNative(t *testing.T) {
	a, b := krPub("a"), krPub("b")
	ring, err := ParseKeyring([]byte(fmt.Sprintf(` [
		{"kid": "k1", "alg": "ed25519", "public_key": %q,
		 "not_before": "2026-01-01T00:00:00Z", "not_after": "2027-01-01T01:00:00+01:00"},
		{"alg": "ed25519", "public_key": %q, "comment": "unknown members are ignored"}
	]`, base64.StdEncoding.EncodeToString(a), base64.RawURLEncoding.EncodeToString(b))))
	require.NoError(t, err)
	require.Equal(t, 2, ring.Len())
	keys := ring.Keys()
	assert.Equal(t, "k1", keys[0].KID)
	assert.Equal(t, a, keys[0].PublicKey)
	assert.True(t, keys[0].NotBefore.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.True(t, keys[0].NotAfter.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)), "offset applied")
	assert.Equal(t, "", keys[1].KID)
	assert.Equal(t, b, keys[1].PublicKey)
	assert.True(t, keys[1].NotBefore.IsZero() && keys[1].NotAfter.IsZero())

	// Keys returns a copy: changing it does not change the ring.
	keys[0].KID = "changed"
	assert.Equal(t, "k1", ring.Keys()[0].KID)
}

func TestParseKeyringJWKS(t *testing.T) {
	a, b := krPub("a"), krPub("b")
	ring, err := ParseKeyring([]byte(fmt.Sprintf(`{"keys": [
		{"kty": "OKP", "crv": "Ed25519", "x": %q, "kid": "j1", "alg": "EdDSA", "use": "sig"},
		{"kty": "OKP", "crv": "Ed25519", "x": %q}
	]}`, base64.RawURLEncoding.EncodeToString(a), base64.RawURLEncoding.EncodeToString(b))))
	require.NoError(t, err)
	require.Equal(t, 2, ring.Len())
	assert.Equal(t, "j1", ring.Keys()[0].KID)
	assert.Equal(t, a, ring.Keys()[0].PublicKey)
	assert.Equal(t, "", ring.Keys()[1].KID)
	assert.Equal(t, b, ring.Keys()[1].PublicKey)
}

func TestParseKeyringPEM(t *testing.T) {
	a, b := krPub("a"), krPub("b")

	ring, err := ParseKeyring([]byte(krPEM(t, a, nil)))
	require.NoError(t, err)
	require.Equal(t, 1, ring.Len())
	assert.Equal(t, a, ring.Keys()[0].PublicKey)
	assert.Equal(t, "", ring.Keys()[0].KID)

	several := "\n  " + krPEM(t, a, map[string]string{"Kid": "p1"}) + "\r\n\n" +
		strings.ReplaceAll(krPEM(t, b, map[string]string{"Kid": "p2"}), "\n", "\r\n")
	ring, err = ParseKeyring([]byte(several))
	require.NoError(t, err)
	require.Equal(t, 2, ring.Len())
	assert.Equal(t, "p1", ring.Keys()[0].KID)
	assert.Equal(t, a, ring.Keys()[0].PublicKey)
	assert.Equal(t, "p2", ring.Keys()[1].KID)
	assert.Equal(t, b, ring.Keys()[1].PublicKey)
}

// krNative is a one-key native keyring with the given public_key text.
func krNative(publicKey string) string {
	return fmt.Sprintf(`[{"kid":"k","alg":"ed25519","public_key":%q}]`, publicKey)
}

func krJWKS(members string) string {
	return `{"keys":[{` + members + `}]}`
}

type krRefusal struct {
	name string
	in   string
	code Code
}

// keyringRefusals are keyrings ParseKeyring must refuse, each with its code.
func keyringRefusals(t testing.TB) []krRefusal {
	good := base64.StdEncoding.EncodeToString(krPub("a"))
	goodURL := base64.RawURLEncoding.EncodeToString(krPub("a"))
	std := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	privDER, err := x509.MarshalPKCS8PrivateKey(krKey("a"))
	require.NoError(t, err)
	x25519, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	onePEM := krPEM(t, krPub("a"), nil)

	rs := []krRefusal{
		// Length (spec §0: a key that is not 32 bytes is weak_key).
		{"31-byte key", krNative(std(make([]byte, 31))), CodeWeakKey},
		{"33-byte key", krNative(std(append(krPub("a"), 0))), CodeWeakKey},
		{"64-byte key (a private key)", krNative(std(krKey("a"))), CodeWeakKey},
		{"empty key", krNative(""), CodeWeakKey},
		// Encoding (RFC 8032 §5.1.3).
		{"non-canonical y >= p", krNative(std(krHex(t, krNonCanonical))), CodeWeakKey},
		{"x = 0 with the sign bit set", krNative(std(krHex(t, krNegativeZero))), CodeWeakKey},
		{"not a point", krNative(std(krHex(t, "0200000000000000000000000000000000000000000000000000000000000000"))), CodeWeakKey},
		// Bad base64: one value, one spelling.
		{"base64 with a space", krNative(good[:10] + " " + good[10:]), CodeWeakKey},
		{"base64 with a newline", krNative(good[:10] + "\n" + good[10:]), CodeWeakKey},
		{"base64 mixed alphabets", krNative("+" + goodURL[1:20] + "_" + goodURL[21:]), CodeWeakKey},
		{"base64 non-zero trailing bits", krNative(good[:42] + "B="), CodeWeakKey},
		{"base64 wrong padding", krNative(good[:43] + "=="), CodeWeakKey},
		{"base64 padding inside", krNative(good[:20] + "=" + good[21:]), CodeWeakKey},
		{"hex instead of base64", krNative(hex.EncodeToString(krPub("a"))), CodeWeakKey},
		// Private key material is never accepted anywhere (spec §0).
		{"native private_key", `[{"kid":"k","alg":"ed25519","public_key":"` + good + `","private_key":"x"}]`, CodeInvalidField},
		{"native seed", `[{"kid":"k","alg":"ed25519","public_key":"` + good + `","seed":"x"}]`, CodeInvalidField},
		{"native d", `[{"kid":"k","alg":"ed25519","public_key":"` + good + `","d":"x"}]`, CodeInvalidField},
		{"JWKS d", krJWKS(`"kty":"OKP","crv":"Ed25519","x":"` + goodURL + `","d":"` + goodURL + `"`), CodeInvalidField},
		{"PEM PRIVATE KEY", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), CodeInvalidField},
		{"PEM PRIVATE KEY after a public one", onePEM + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), CodeInvalidField},
		// Algorithm.
		{"native alg EdDSA", `[{"alg":"EdDSA","public_key":"` + good + `"}]`, CodeUnsupportedAlg},
		{"native alg Ed25519", `[{"alg":"Ed25519","public_key":"` + good + `"}]`, CodeUnsupportedAlg},
		{"native alg ed448", `[{"alg":"ed448","public_key":"` + good + `"}]`, CodeUnsupportedAlg},
		{"native alg missing", `[{"public_key":"` + good + `"}]`, CodeMissingField},
		{"native alg not a string", `[{"alg":1,"public_key":"` + good + `"}]`, CodeInvalidField},
		{"JWK kty EC", krJWKS(`"kty":"EC","crv":"Ed25519","x":"` + goodURL + `"`), CodeUnsupportedAlg},
		{"JWK crv X25519", krJWKS(`"kty":"OKP","crv":"X25519","x":"` + goodURL + `"`), CodeUnsupportedAlg},
		{"JWK crv Ed448", krJWKS(`"kty":"OKP","crv":"Ed448","x":"` + goodURL + `"`), CodeUnsupportedAlg},
		{"JWK alg ES256", krJWKS(`"kty":"OKP","crv":"Ed25519","alg":"ES256","x":"` + goodURL + `"`), CodeUnsupportedAlg},
		{"JWK kty missing", krJWKS(`"crv":"Ed25519","x":"` + goodURL + `"`), CodeMissingField},
		{"JWK x missing", krJWKS(`"kty":"OKP","crv":"Ed25519"`), CodeMissingField},
		{"JWK short x", krJWKS(`"kty":"OKP","crv":"Ed25519","x":"` + goodURL[:40] + `"`), CodeWeakKey},
		{"PEM X25519 key", krPEM(t, x25519.PublicKey(), nil), CodeUnsupportedAlg},
		// Shape.
		{"native public_key missing", `[{"alg":"ed25519"}]`, CodeMissingField},
		{"native public_key not a string", `[{"alg":"ed25519","public_key":["` + good + `"]}]`, CodeInvalidField},
		{"native kid not a string", `[{"kid":7,"alg":"ed25519","public_key":"` + good + `"}]`, CodeInvalidField},
		{"native entry not an object", `["` + good + `"]`, CodeInvalidField},
		{"native not_before not RFC 3339", `[{"alg":"ed25519","public_key":"` + good + `","not_before":"2026-01-01"}]`, CodeInvalidField},
		{"native not_after not a string", `[{"alg":"ed25519","public_key":"` + good + `","not_after":1767225600}]`, CodeInvalidField},
		{"native window empty", `[{"alg":"ed25519","public_key":"` + good + `","not_before":"2026-01-01T00:00:00Z","not_after":"2026-01-01T00:00:00Z"}]`, CodeInvalidField},
		{"native window reversed", `[{"alg":"ed25519","public_key":"` + good + `","not_before":"2027-01-01T00:00:00Z","not_after":"2026-01-01T00:00:00Z"}]`, CodeInvalidField},
		{"JWKS without keys", `{"kty":"OKP","crv":"Ed25519","x":"` + goodURL + `"}`, CodeMissingField},
		{"JWKS keys not an array", `{"keys":{"kty":"OKP"}}`, CodeInvalidField},
		// Duplicates: kid (ambiguous key choice) and JSON members (spec §0).
		{"native duplicate kid", `[{"kid":"k","alg":"ed25519","public_key":"` + good + `"},{"kid":"k","alg":"ed25519","public_key":"` +
			base64.StdEncoding.EncodeToString(krPub("b")) + `"}]`, CodeInvalidField},
		{"JWKS duplicate kid", `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"` + goodURL + `"},{"kty":"OKP","crv":"Ed25519","kid":"k","x":"` +
			base64.RawURLEncoding.EncodeToString(krPub("b")) + `"}]}`, CodeInvalidField},
		{"PEM duplicate Kid", krPEM(t, krPub("a"), map[string]string{"Kid": "k"}) + krPEM(t, krPub("b"), map[string]string{"Kid": "k"}), CodeInvalidField},
		{"native duplicate member", `[{"kid":"k","alg":"ed25519","public_key":"` + good + `","public_key":"` +
			base64.StdEncoding.EncodeToString(krPub("b")) + `"}]`, CodeDuplicateKey},
		{"native duplicate escaped member", `[{"alg":"ed25519","public_key":"` + good + `","\u0061lg":"ed25519"}]`, CodeDuplicateKey},
		{"JWKS duplicate x", krJWKS(`"kty":"OKP","crv":"Ed25519","x":"` + goodURL + `","x":"` + goodURL + `"`), CodeDuplicateKey},
		{"JWKS duplicate keys", `{"keys":[],"keys":[]}`, CodeDuplicateKey},
		// Syntax.
		{"not JSON nor PEM", `hello`, CodeMalformedJSON},
		{"truncated JSON array", `[{"alg":"ed25519"`, CodeMalformedJSON},
		{"JSON trailing data", krNative(good) + `]`, CodeMalformedJSON},
		{"big integer member", `[{"alg":"ed25519","public_key":"` + good + `","n":9007199254740993}]`, CodeMalformedJSON},
		{"PEM trailing text", onePEM + "trailing", CodeMalformedJSON},
		{"PEM text between blocks", onePEM + "comment\n" + krPEM(t, krPub("b"), nil), CodeMalformedJSON},
		{"PEM text before the first block", "-- keys --\n" + onePEM, CodeMalformedJSON},
		{"PEM broken block before a good one", strings.Replace(onePEM, "-----END PUBLIC KEY-----", "-----END PUBLIC KEY----", 1) + krPEM(t, krPub("b"), nil), CodeMalformedJSON},
		{"PEM truncated", onePEM[:len(onePEM)-10], CodeMalformedJSON},
		{"PEM bad base64 body", strings.Replace(onePEM, "MCow", "MC!w", 1), CodeMalformedJSON},
	}
	// Small order: [8]A is the identity (spec §0).
	for i, k := range krSmallOrder {
		b := krHex(t, k)
		rs = append(rs,
			krRefusal{fmt.Sprintf("small-order key %d native", i), krNative(std(b)), CodeWeakKey},
			krRefusal{fmt.Sprintf("small-order key %d JWK", i), krJWKS(`"kty":"OKP","crv":"Ed25519","x":"` + base64.RawURLEncoding.EncodeToString(b) + `"`), CodeWeakKey},
		)
	}
	spki, err := x509.MarshalPKIXPublicKey(krPub("a"))
	require.NoError(t, err)
	spki = append(spki[:len(spki)-32], krHex(t, krSmallOrder[4])...)
	rs = append(rs, krRefusal{"small-order key PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})), CodeWeakKey})
	return rs
}

func TestParseKeyringRefusals(t *testing.T) {
	for _, tc := range keyringRefusals(t) {
		t.Run(tc.name, func(t *testing.T) {
			ring, err := ParseKeyring([]byte(tc.in))
			assert.Nil(t, ring)
			var ve *Error
			require.True(t, errors.As(err, &ve), "want *Error with %s, got %v", tc.code, err)
			assert.Equal(t, tc.code, ve.Code, "%v", err)
			assert.False(t, errors.Is(err, ErrMisuse))
			assert.Equal(t, tc.code, Rejected(err).Code)
		})
	}
}

func TestParseKeyringEmpty(t *testing.T) {
	for _, in := range []string{"", " \n\t", "[]", " [ ] ", `{"keys":[]}`} {
		ring, err := ParseKeyring([]byte(in))
		assert.Nil(t, ring)
		assert.ErrorIs(t, err, ErrMisuse, "%q", in)
	}
	_, err := NewKeyring()
	assert.ErrorIs(t, err, ErrMisuse)
	var nilRing *Keyring
	assert.Equal(t, 0, nilRing.Len())
	assert.Nil(t, nilRing.Keys())
}

func TestNewKeyring(t *testing.T) {
	// The key check refuses small order only, not a torsion component:
	// a mixed-order key verifies with the cofactorless equation like any
	// other (the CCTV low_order_component_A vectors).
	ring, err := NewKeyring(Key{KID: "m", PublicKey: krHex(t, krMixedOrder)})
	require.NoError(t, err)
	assert.Equal(t, 1, ring.Len())

	_, err = NewKeyring(Key{PublicKey: krHex(t, krNonCanonical)})
	require.Equal(t, CodeWeakKey, Rejected(err).Code)
	assert.Contains(t, err.Error(), "canonical", "refused by the encoding check, not the order check")

	for i, k := range krSmallOrder {
		_, err := NewKeyring(Key{PublicKey: krHex(t, k)})
		assert.Equal(t, CodeWeakKey, Rejected(err).Code, "small-order key %d", i)
	}

	// Several keys without a kid are fine; the ring keeps its own copy.
	pub := krPub("a")
	ring, err = NewKeyring(Key{PublicKey: pub}, Key{PublicKey: krPub("b")})
	require.NoError(t, err)
	pub[0] ^= 0xff
	assert.Equal(t, krPub("a"), ring.Keys()[0].PublicKey)
	// ... and Keys hands out copies: a ring is immutable once built, which
	// the request codec's keyring cache relies on.
	ring.Keys()[0].PublicKey[0] ^= 0xff
	assert.Equal(t, krPub("a"), ring.Keys()[0].PublicKey)

	// Messages stay short whatever the kid (they end up in logs).
	long := strings.Repeat("k", 5000)
	_, err = NewKeyring(Key{KID: long, PublicKey: krPub("a")}, Key{KID: long, PublicKey: krPub("b")})
	require.Equal(t, CodeInvalidField, Rejected(err).Code)
	assert.Less(t, len(err.Error()), 200)
	_, err = NewKeyring(Key{KID: long, PublicKey: nil})
	require.Equal(t, CodeWeakKey, Rejected(err).Code)
	assert.Less(t, len(err.Error()), 200)

	// An open-ended window on either side is allowed.
	_, err = NewKeyring(Key{PublicKey: krPub("a"), NotBefore: time.Unix(0, 0)})
	assert.NoError(t, err)
	_, err = NewKeyring(Key{PublicKey: krPub("a"), NotAfter: time.Unix(0, 0)})
	assert.NoError(t, err)
}

// TestDecodeBase64 pins spec §0: standard or URL-safe alphabet, padding
// optional, nothing else.
func TestDecodeBase64(t *testing.T) {
	// 0xfb 0xff encodes to "+/" (std) and "-_" (url).
	b := bytes.Repeat([]byte{0xfb, 0xff, 0xbf}, 21)
	b = append(b, 0xfb)
	require.Len(t, b, 64)
	accept := map[string]string{
		"std padded":     base64.StdEncoding.EncodeToString(b),
		"std unpadded":   base64.RawStdEncoding.EncodeToString(b),
		"url padded":     base64.URLEncoding.EncodeToString(b),
		"url unpadded":   base64.RawURLEncoding.EncodeToString(b),
		"std no symbols": base64.StdEncoding.EncodeToString([]byte("abc")),
	}
	require.Contains(t, accept["std padded"], "+/")
	require.Contains(t, accept["url padded"], "-_")
	require.True(t, strings.HasSuffix(accept["std padded"], "=="))
	for name, s := range accept {
		got, ok := decodeBase64(s)
		assert.True(t, ok, name)
		want := b
		if name == "std no symbols" {
			want = []byte("abc")
		}
		assert.Equal(t, want, got, name)
	}
	std := accept["std padded"]
	reject := map[string]string{
		"mixed alphabets":      strings.Replace(std, "/", "_", 1),
		"space":                std[:8] + " " + std[8:],
		"newline":              std[:8] + "\n" + std[8:],
		"leading space":        " " + std,
		"trailing newline":     std + "\n",
		"non-zero pad bits":    std[:len(std)-3] + "B==",
		"one pad of two":       std[:len(std)-1],
		"three pads":           std[:len(std)-2] + "===",
		"pad inside":           std[:4] + "=" + std[5:],
		"pad only":             "==",
		"dot":                  std[:4] + "." + std[5:],
		"single char":          "A",
		"five chars":           "AAAAA",
		"non-ASCII":            "AAA\u00e9",
		"padded five":          "AAAAA===",
		"padding not needed":   "AAAA=",
		"padding not needed 2": "AAAA====",
	}
	for name, s := range reject {
		_, ok := decodeBase64(s)
		assert.False(t, ok, "%s: %q", name, s)
	}
}

// TestSignatureEncoding: the signature member is a base64 string in any of
// the four spellings of spec §0; anything else is malformed_signature.
func TestSignatureEncoding(t *testing.T) {
	priv := krKey("sig")
	payload := []byte(`{"a":1}`)
	sig := ed25519.Sign(priv, payload)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		doc := fmt.Sprintf(`{"a":1,"signature":%q}`, enc.EncodeToString(sig))
		d, err := parseDocument([]byte(doc), 0, "document", nil)
		require.Nil(t, err)
		require.Nil(t, d.requireSignature(), doc)
		assert.Equal(t, sig, d.signature)
		assert.Equal(t, payload, d.payload)
	}
	std := base64.StdEncoding.EncodeToString(sig)
	bad := map[string]string{
		"63 bytes":        fmt.Sprintf("%q", base64.StdEncoding.EncodeToString(sig[:63])),
		"65 bytes":        fmt.Sprintf("%q", base64.StdEncoding.EncodeToString(append(bytes.Clone(sig), 0))),
		"empty string":    `""`,
		"hex":             fmt.Sprintf("%q", hex.EncodeToString(sig)),
		"space inside":    fmt.Sprintf("%q", std[:10]+" "+std[10:]),
		"trailing bits":   fmt.Sprintf("%q", std[:len(std)-3]+"B=="),
		"mixed alphabets": fmt.Sprintf("%q", strings.Replace(strings.Replace(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 32)), "+", "-", 1), "=", "", -1)),
		"number":          `12345`,
		"null":            `null`,
		"array":           fmt.Sprintf("[%q]", std),
		"object":          fmt.Sprintf(`{"sig":%q}`, std),
		"true":            `true`,
	}
	for name, value := range bad {
		d, err := parseDocument([]byte(`{"a":1,"signature":`+value+`}`), 0, "document", nil)
		require.Nil(t, err, name)
		e := d.requireSignature()
		if assert.NotNil(t, e, name) {
			assert.Equal(t, CodeMalformedSignature, e.Code, "%s: %s", name, e.Message)
		}
	}
	d, err := parseDocument([]byte(`{"a":1}`), 0, "document", nil)
	require.Nil(t, err)
	assert.Equal(t, CodeSignatureMissing, d.requireSignature().Code)
}

// TestVerifySignatureSteps covers the key and signature steps and the key
// window, in the check order of spec §0.
func TestVerifySignatureSteps(t *testing.T) {
	k1, k2 := krKey("k1"), krKey("k2")
	ring, err := NewKeyring(
		Key{KID: "k1", PublicKey: k1.Public().(ed25519.PublicKey),
			NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		Key{KID: "k2", PublicKey: k2.Public().(ed25519.PublicKey)},
	)
	require.NoError(t, err)
	signedAs := func(priv ed25519.PrivateKey, body, as string) *document {
		t.Helper()
		payload, perr := parseDocument([]byte(body), 0, "document", nil)
		require.Nil(t, perr)
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, payload.payload))
		d, perr := parseDocument([]byte(as[:len(as)-1]+`,"signature":"`+sig+`"}`), 0, "document", nil)
		require.Nil(t, perr)
		return d
	}
	signed := func(priv ed25519.PrivateKey, body string) *document { return signedAs(priv, body, body) }
	body := `{"id":"x","issuer_kid":"k1"}`

	k, _, verr := signed(k1, body).verifySignature(ring, "k1", true, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	require.Nil(t, verr)
	assert.Equal(t, "k1", k.KID)

	// Without a kid every key is tried.
	k, _, verr = signed(k2, body).verifySignature(ring, "", false, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	require.Nil(t, verr)
	assert.Equal(t, "k2", k.KID)

	// A kid names one key only: k2's signature under kid k1 does not verify.
	_, _, verr = signed(k2, body).verifySignature(ring, "k1", true, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, CodeBadSignature, verr.Code)
	_, _, verr = signed(k1, body).verifySignature(ring, "k3", true, time.Time{})
	assert.Equal(t, CodeUnknownKey, verr.Code)
	_, _, verr = signed(krKey("other"), body).verifySignature(ring, "", false, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, CodeBadSignature, verr.Code)

	// A tampered document reports bad_signature.
	d := signedAs(k1, body, strings.Replace(body, `"x"`, `"y"`, 1))
	_, _, verr = d.verifySignature(ring, "k1", true, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, CodeBadSignature, verr.Code)

	// The envelope comes before the key: no signature is signature_missing
	// even for an unknown kid.
	plain, perr := parseDocument([]byte(body), 0, "document", nil)
	require.Nil(t, perr)
	_, _, verr = plain.verifySignature(ring, "k3", true, time.Time{})
	assert.Equal(t, CodeSignatureMissing, verr.Code)

	// The key window, at the document's issue time; both ends inclusive.
	key := &ring.Keys()[0]
	for _, tc := range []struct {
		at   time.Time
		code Code
	}{
		{time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC), CodeKeyNotValid},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), CodeOK},
		{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), CodeOK},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), CodeOK},
		{time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC), CodeKeyNotValid},
	} {
		got := CodeOK
		if e := key.checkWindow(tc.at); e != nil {
			got = e.Code
		}
		assert.Equal(t, tc.code, got, "%s", tc.at)
	}
	assert.Nil(t, ring.Keys()[1].checkWindow(time.Unix(0, 0)), "no window")
}

// TestEd25519Checks: the key check and the length check come before
// crypto/ed25519, which panics on a short key.
func TestEd25519Checks(t *testing.T) {
	priv := krKey("e")
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("message")
	sig := ed25519.Sign(priv, msg)
	require.NoError(t, Ed25519(pub, msg, sig))
	for _, tc := range []struct {
		name     string
		pub, sig []byte
		code     Code
	}{
		{"nil key", nil, sig, CodeWeakKey},
		{"short key", pub[:31], sig, CodeWeakKey},
		{"long key", append(bytes.Clone(pub), 0), sig, CodeWeakKey},
		{"identity key", krHex(t, krSmallOrder[0]), sig, CodeWeakKey},
		{"nil signature", pub, nil, CodeMalformedSignature},
		{"short signature", pub, sig[:63], CodeMalformedSignature},
		{"long signature", pub, append(bytes.Clone(sig), 0), CodeMalformedSignature},
		{"zero signature", pub, make([]byte, 64), CodeBadSignature},
		{"weak key and bad signature", krHex(t, krSmallOrder[2]), nil, CodeWeakKey},
	} {
		err := Ed25519(tc.pub, msg, tc.sig)
		var ve *Error
		if assert.True(t, errors.As(err, &ve), tc.name) {
			assert.Equal(t, tc.code, ve.Code, tc.name)
		}
	}
}

// FuzzParseKeyring: no input makes ParseKeyring panic, and whatever it
// accepts is a non-empty ring of keys that pass the key check.
func FuzzParseKeyring(f *testing.F) {
	a := base64.StdEncoding.EncodeToString(krPub("a"))
	seeds := []string{
		krNative(a),
		`[{"kid":"k","alg":"ed25519","public_key":"` + a + `","not_before":"2026-01-01T00:00:00Z","not_after":"2027-01-01T00:00:00Z"}]`,
		krJWKS(`"kty":"OKP","crv":"Ed25519","x":"` + base64.RawURLEncoding.EncodeToString(krPub("a")) + `","kid":"j"`),
		krPEM(f, krPub("a"), map[string]string{"Kid": "p"}) + krPEM(f, krPub("b"), nil),
	}
	for _, r := range keyringRefusals(f) {
		seeds = append(seeds, r.in)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed loaded")
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ring, err := ParseKeyring(data)
		if err != nil {
			var ve *Error
			if !errors.As(err, &ve) && !errors.Is(err, ErrMisuse) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if ring.Len() == 0 {
			t.Fatal("empty ring accepted")
		}
		for _, k := range ring.Keys() {
			if e := checkPublicKey(k.PublicKey); e != nil {
				t.Fatalf("ring holds a refused key: %v", e)
			}
		}
	})
}

// TestKeyringBounds: one size limit for every keyring form, and at most
// MaxKeys keys, so that a document without a kid is tried against a
// bounded number of keys however the ring is written.
func TestKeyringBounds(t *testing.T) {
	var pems strings.Builder
	for i := range MaxKeys + 1 {
		pems.WriteString(krPEM(t, krPub(fmt.Sprintf("bound-%d", i)), nil))
	}
	_, err := ParseKeyring([]byte(pems.String()))
	assert.Equal(t, CodeInvalidField, asError(err).Code, "65 PEM keys")

	one := krPEM(t, krPub("bound-0"), nil)
	ring, err := ParseKeyring([]byte(one + strings.Repeat("\n", MaxKeyringBytes-len(one))))
	require.NoError(t, err, "a PEM keyring of exactly 1 MiB")
	assert.Equal(t, 1, ring.Len())
	_, err = ParseKeyring([]byte(one + strings.Repeat("\n", MaxKeyringBytes-len(one)+1)))
	assert.Equal(t, CodeInputTooLarge, asError(err).Code, "a PEM keyring over 1 MiB")

	keys := make([]Key, MaxKeys)
	for i := range keys {
		keys[i] = Key{PublicKey: krPub(fmt.Sprintf("bound-%d", i))}
	}
	_, err = NewKeyring(keys...)
	require.NoError(t, err)
	_, err = NewKeyring(append(keys, Key{PublicKey: krPub("bound-64")})...)
	assert.Equal(t, CodeInvalidField, asError(err).Code)
}

// TestKeyForms: a key's forms are checked when the ring is built, from Go
// as from text, and a ring's keys are copies.
func TestKeyForms(t *testing.T) {
	pub := krKey("k1").Public().(ed25519.PublicKey)
	for _, forms := range [][]canonical.Form{{canonical.Form(7)}, {canonical.Python, canonical.Python}} {
		_, err := NewKeyring(Key{KID: "k1", PublicKey: pub, Forms: forms})
		require.Error(t, err)
		assert.Equal(t, CodeInvalidField, asError(err).Code)
	}
	ring, err := NewKeyring(Key{KID: "k1", PublicKey: pub, Forms: []canonical.Form{canonical.RFC8785}})
	require.NoError(t, err)
	keys := ring.Keys()
	keys[0].Forms[0] = canonical.Python
	assert.Equal(t, []canonical.Form{canonical.RFC8785}, ring.Keys()[0].Forms)

	pemRing, err := ParseKeyring([]byte("-----BEGIN PUBLIC KEY-----\nKid: k1\nForms: python\n\n" +
		base64.StdEncoding.EncodeToString(append(append([]byte(nil), ed25519SPKIPrefix...), pub...)) + "\n-----END PUBLIC KEY-----\n"))
	require.NoError(t, err)
	assert.Equal(t, []canonical.Form{canonical.Python}, pemRing.Keys()[0].Forms)
}
