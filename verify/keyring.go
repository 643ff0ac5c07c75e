package verify

import (
	"bytes"
	"encoding/pem"
	"slices"
	"strings"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/internal/msg"
)

// Bounds of a keyring, whatever its form. A document without a key id is
// tried against every key, so MaxKeys bounds that work: at most 64
// signature checks per document.
const (
	MaxKeyringBytes = 1 << 20
	MaxKeys         = 64
)

// Key is one Ed25519 public key of a [Keyring].
type Key struct {
	// KID is the key id documents name in issuer_kid; it may be empty.
	KID string
	// PublicKey is the key's 32 bytes (RFC 8032 §5.1.5): natively an
	// ed25519.PublicKey; a []byte in the wasm build, which leaves
	// crypto/ed25519 out (see ed25519_wasmimpl.go).
	PublicKey publicKey
	// NotBefore and NotAfter bound the issue times of documents the key may
	// sign; a zero value leaves that side open.
	NotBefore, NotAfter time.Time
	// Forms lists the signed forms the key's signatures may be over
	// (formats.md "Signed forms"); empty means every form in
	// canonical.Forms, the default.
	Forms []canonical.Form
}

// allows reports whether k's signatures may be over form f.
func (k *Key) allows(f canonical.Form) bool {
	if len(k.Forms) == 0 {
		return true
	}
	for _, g := range k.Forms {
		if g == f {
			return true
		}
	}
	return false
}

// parseForms reads a key's list of signed form names: at least one, each
// a form of canonical.Forms, none twice.
func parseForms(names []string, key string) ([]canonical.Form, *Error) {
	if len(names) == 0 {
		return nil, fail(CodeInvalidField, "%s: forms is empty; leave it out to allow every form", key)
	}
	forms := make([]canonical.Form, 0, len(names))
	for _, n := range names {
		f, ok := canonical.ParseForm(n)
		if !ok {
			return nil, fail(CodeInvalidField, "%s: forms names %q; the signed forms are \"rfc8785\" and \"python\"", key, truncate(n))
		}
		for _, g := range forms {
			if g == f {
				return nil, fail(CodeInvalidField, "%s: forms names %q twice", key, n)
			}
		}
		forms = append(forms, f)
	}
	return forms, nil
}

// optForms reads the optional "forms" member of a key object. A
// restriction must not be lost to a spelling: a member named "forms" in
// another case is refused, not ignored as unknown members are.
func (f fields) optForms(key string) ([]canonical.Form, *Error) {
	for name := range f {
		if name != "forms" && strings.EqualFold(name, "forms") {
			return nil, fail(CodeInvalidField, "%s: member %q: the signed forms are given as \"forms\", in lower case", key, truncate(name))
		}
	}
	names, ok, err := f.strings("forms", false)
	if err != nil || !ok {
		return nil, err
	}
	return parseForms(names, key)
}

// Keyring is a set of trusted public keys, each checked once when the ring
// is built. The zero value is empty; build one with [ParseKeyring] or
// [NewKeyring]. A Keyring is immutable and safe for concurrent use.
type Keyring struct {
	keys  []Key
	byKID map[string]int
	// source is the text ParseKeyring read, nil for NewKeyring.
	source []byte
}

// NewKeyring checks keys and returns a ring holding them. A key that is not
// 32 bytes, not a canonical point encoding, or of small order is refused
// with CodeWeakKey; two keys with one non-empty kid, or more than
// [MaxKeys] keys, are refused with CodeInvalidField. It returns an error wrapping [ErrMisuse] for no keys.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, misuse("keyring has no keys")
	}
	if len(keys) > MaxKeys {
		return nil, fail(CodeInvalidField, "keyring has %d keys, limit is %d", len(keys), MaxKeys)
	}
	ring := &Keyring{byKID: make(map[string]int, len(keys))}
	for i, k := range keys {
		if err := checkPublicKey(k.PublicKey); err != nil {
			return nil, fail(CodeWeakKey, "key %d (kid %q): %s", i, truncate(k.KID), err.Message)
		}
		for _, w := range []time.Time{k.NotBefore, k.NotAfter} {
			if y := w.UTC().Year(); !w.IsZero() && (y < 0 || y > 9999) {
				return nil, fail(CodeInvalidField, "key %d (kid %q): a window time outside years 0000-9999", i, truncate(k.KID))
			}
		}
		if !k.NotBefore.IsZero() && !k.NotAfter.IsZero() && !k.NotBefore.Before(k.NotAfter) {
			return nil, fail(CodeInvalidField, "key %d (kid %q): not_before is not before not_after", i, truncate(k.KID))
		}
		if k.KID != "" {
			if _, dup := ring.byKID[k.KID]; dup {
				return nil, fail(CodeInvalidField, "kid %q appears twice in the keyring", truncate(k.KID))
			}
			ring.byKID[k.KID] = i
		}
		names := make([]string, len(k.Forms))
		for j, f := range k.Forms {
			names[j] = f.String()
		}
		if len(k.Forms) > 0 {
			if _, err := parseForms(names, msg.Sprintf("key %d (kid %q)", i, truncate(k.KID))); err != nil {
				return nil, err
			}
		}
		k.PublicKey = bytes.Clone(k.PublicKey)
		k.Forms = slices.Clone(k.Forms)
		ring.keys = append(ring.keys, k)
	}
	return ring, nil
}

// Keys returns a copy of the ring's keys; changing it, public key bytes
// included, does not change the ring.
func (r *Keyring) Keys() []Key {
	if r == nil {
		return nil
	}
	keys := append([]Key(nil), r.keys...)
	for i := range keys {
		keys[i].PublicKey = bytes.Clone(keys[i].PublicKey)
		keys[i].Forms = slices.Clone(keys[i].Forms)
	}
	return keys
}

// Source returns a copy of the bytes [ParseKeyring] read this ring from,
// or nil for a ring built by [NewKeyring]. Hosts that hand a keyring to
// another verifier (the module, through package host) send these bytes, so
// that both read the very same keyring.
func (r *Keyring) Source() []byte {
	if r == nil || r.source == nil {
		return nil
	}
	return bytes.Clone(r.source)
}

// Len returns the number of keys in the ring.
func (r *Keyring) Len() int {
	if r == nil {
		return 0
	}
	return len(r.keys)
}

// checkPublicKey enforces the key rule of the specification: 32 bytes, a
// canonical encoding of a point on the curve, and not of small order.
// Small-order keys let one signature verify for many messages (RFC 8032
// §5.1.7 does not exclude them), so they are refused before any use. The
// point arithmetic is classifyPublicKey's: filippo.io/edwards25519
// natively, internal/ed25519wasm in the wasm build (ed25519_native.go,
// ed25519_wasmimpl.go), with the same answers.
func checkPublicKey(pub []byte) *Error {
	if len(pub) != publicKeySize {
		return fail(CodeWeakKey, "public key is %d bytes, want %d", len(pub), publicKeySize)
	}
	onCurve, isCanonical, smallOrder := classifyPublicKey(pub)
	if !onCurve {
		return fail(CodeWeakKey, "public key is not a point on the curve")
	}
	// The decoding takes y >= p mod p and the sign bit on x = 0 as
	// crypto/ed25519 does; RFC 8032 §5.1.3 does not.
	if !isCanonical {
		return fail(CodeWeakKey, "public key is not canonically encoded")
	}
	if smallOrder {
		return fail(CodeWeakKey, "public key has small order")
	}
	return nil
}

// ParseKeyring reads a keyring in any of the accepted forms, told apart by
// their first non-space byte:
//
//   - '[': the native form, a JSON array of {"kid", "alg": "ed25519",
//     "public_key": base64, "not_before"?, "not_after"?};
//   - '{': a JWKS, {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": base64url,
//     "kid"?}]};
//   - '-': one or more PEM "PUBLIC KEY" blocks (Ed25519 SPKI), each with an
//     optional "Kid" header.
//
// Private key material in any form is refused, and so is a keyring over
// [MaxKeyringBytes] (CodeInputTooLarge). Errors are [*Error] with the
// code of the problem (CodeWeakKey, CodeUnsupportedAlg, CodeInvalidField,
// CodeMissingField, or a JSON code), or wrap [ErrMisuse] for an empty ring.
func ParseKeyring(data []byte) (*Keyring, error) {
	if len(data) > MaxKeyringBytes {
		return nil, fail(CodeInputTooLarge, "keyring is %d bytes, limit is %d", len(data), MaxKeyringBytes)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, misuse("keyring is empty")
	}
	var keys []Key
	var err error
	switch trimmed[0] {
	case '[':
		keys, err = parseNativeKeys(data)
	case '{':
		keys, err = parseJWKS(data)
	case '-':
		keys, err = parsePEMKeys(trimmed)
	default:
		if hasBOM(trimmed) {
			return nil, bomError("keyring")
		}
		return nil, fail(CodeMalformedJSON, "keyring is neither a JSON array, a JWKS nor PEM")
	}
	if err != nil {
		return nil, err
	}
	ring, err := NewKeyring(keys...)
	if err != nil {
		return nil, err
	}
	ring.source = bytes.Clone(data)
	return ring, nil
}

// parseKeyList reads a JSON array of objects that canonical has already
// checked (duplicate names, big integers, bad UTF-8).
func parseKeyList(data []byte, what string) ([]fields, *Error) {
	raw, ok := jsontext.Array(data)
	if !ok {
		// null reads as no keys, as it always has (NewKeyring then
		// names the empty ring).
		if string(bytes.TrimSpace(data)) != "null" {
			return nil, fail(CodeInvalidField, "%s is not an array", what)
		}
	}
	list := make([]fields, len(raw))
	for i, r := range raw {
		f, err := parseFields(r, msg.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		list[i] = f
	}
	return list, nil
}

func parseNativeKeys(data []byte) ([]Key, error) {
	if _, err := canonical.Transform(data, canonical.DefaultLimit); err != nil {
		return nil, asError(err)
	}
	list, err := parseKeyList(data, "keyring")
	if err != nil {
		return nil, err
	}
	keys := make([]Key, 0, len(list))
	for i, f := range list {
		if f.has("private_key") || f.has("seed") || f.has("d") {
			return nil, fail(CodeInvalidField, "key %d holds private key material; a keyring takes public keys only", i)
		}
		alg, _, err := f.str("alg", true)
		if err != nil {
			return nil, err
		}
		if alg != "ed25519" {
			return nil, fail(CodeUnsupportedAlg, "key %d: alg %q is not ed25519", i, truncate(alg))
		}
		b64, _, err := f.str("public_key", true)
		if err != nil {
			return nil, err
		}
		pub, ok := decodeBase64(b64)
		if !ok {
			return nil, fail(CodeWeakKey, "key %d: public_key %s", i, whyNotKey(b64, "base64"))
		}
		k := Key{PublicKey: pub}
		if k.KID, _, err = f.str("kid", false); err != nil {
			return nil, err
		}
		if k.NotBefore, _, err = f.time("not_before", false); err != nil {
			return nil, err
		}
		if k.NotAfter, _, err = f.time("not_after", false); err != nil {
			return nil, err
		}
		if k.Forms, err = f.optForms(msg.Sprintf("key %d", i)); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func parseJWKS(data []byte) ([]Key, error) {
	if _, err := canonical.Transform(data, canonical.DefaultLimit); err != nil {
		return nil, asError(err)
	}
	set, ferr := parseFields(data, "JWKS")
	if ferr != nil {
		return nil, ferr
	}
	raw, ok := set["keys"]
	if !ok {
		return nil, notJWKS(set)
	}
	list, ferr := parseKeyList(raw, "keys")
	if ferr != nil {
		return nil, ferr
	}
	keys := make([]Key, 0, len(list))
	for i, f := range list {
		if f.has("d") {
			return nil, fail(CodeInvalidField, "JWK %d holds a private key (d); a keyring takes public keys only", i)
		}
		kty, _, err := f.str("kty", true)
		if err != nil {
			return nil, err
		}
		crv, _, err := f.str("crv", true)
		if err != nil {
			return nil, err
		}
		alg, hasAlg, err := f.str("alg", false)
		if err != nil {
			return nil, err
		}
		if kty != "OKP" || crv != "Ed25519" || (hasAlg && alg != "EdDSA" && alg != "Ed25519") {
			return nil, fail(CodeUnsupportedAlg, "JWK %d is not an Ed25519 OKP key", i)
		}
		x, _, err := f.str("x", true)
		if err != nil {
			return nil, err
		}
		pub, ok := decodeBase64(x)
		if !ok {
			return nil, fail(CodeWeakKey, "JWK %d: x %s", i, whyNotKey(x, "base64url"))
		}
		k := Key{PublicKey: pub}
		if k.KID, _, err = f.str("kid", false); err != nil {
			return nil, err
		}
		if k.Forms, err = f.optForms(msg.Sprintf("JWK %d", i)); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// notJWKS is the error for a JSON object without a keys member: a JWKS
// lacking it, or, as the members tell, another file given as the keyring.
// Private key material is refused as it is in the other forms.
func notJWKS(obj fields) *Error {
	for _, m := range []string{"private_key", "seed", "d"} {
		if obj.has(m) {
			return fail(CodeInvalidField, "keyring is a private key (it has %s), not a keyring: a keyring takes public keys only; give the keyring of its public key, never the private key", m)
		}
	}
	switch {
	case obj.has("kty"):
		return fail(CodeMissingField, "keyring is one JWK, not a JWKS: put it in a keys array, {\"keys\": [...]}")
	case obj.has("public_key"):
		return fail(CodeMissingField, "keyring is one key object, not a keyring: put it in a JSON array, [{...}]")
	}
	return fail(CodeMissingField, "JWKS has no keys member: a keyring is a JSON array of keys, a JWKS {\"keys\": [...]} or PEM")
}

// whyNotKey says why s, a public key's text in enc (base64, padding
// optional, or base64url), does not decode: a character outside the
// alphabet, a length that is not a 32-byte key's, or stray bits.
func whyNotKey(s, enc string) string {
	body := strings.TrimRight(s, "=")
	std, url, bad := base64Alphabets(body)
	if bad >= 0 {
		return msg.Sprintf("is not %s: it holds %s at offset %d", enc, byteText(body[bad]), bad)
	}
	switch {
	case std && url:
		return msg.Sprintf("is not %s: it mixes the standard (+/) and URL-safe (-_) alphabets", enc)
	case len(body) != 43:
		return msg.Sprintf("is %d characters of %s; an Ed25519 public key is 32 bytes, 43 characters (44 with = padding)", len(body), enc)
	}
	return msg.Sprintf("is not canonical %s: its last character sets bits beyond the key's 32 bytes, or its padding is wrong", enc)
}

// byteText names a byte in a message: quoted when it is printable ASCII,
// in hex otherwise.
func byteText(c byte) string {
	if c > ' ' && c < 0x7f {
		return msg.Sprintf("%q", string(rune(c)))
	}
	const hex = "0123456789ABCDEF"
	return "the byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
}

// ed25519SPKIPrefix is the DER of an Ed25519 SubjectPublicKeyInfo up to the
// key bytes (RFC 8410 §4). Matching it exactly keeps crypto/x509, and its
// weight, out of the module.
var ed25519SPKIPrefix = []byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}

func parsePEMKeys(data []byte) ([]Key, error) {
	var keys []Key
	rest := data
	for {
		// pem.Decode skips any text before a block, and a block it cannot
		// parse; a trust anchor must not lose a key, or hide private key
		// material, that way. So each block is cut out exactly: one BEGIN
		// line at the start, up to its END line, with only whitespace around.
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		end := bytes.Index(rest, []byte("-----END "))
		if !bytes.HasPrefix(rest, []byte("-----BEGIN ")) || end < 0 {
			return nil, fail(CodeMalformedJSON, "keyring PEM has data that is not a PEM block")
		}
		if nl := bytes.IndexByte(rest[end:], '\n'); nl >= 0 {
			end += nl + 1
		} else {
			end = len(rest)
		}
		text := rest[:end]
		rest = rest[end:]
		block, tail := pem.Decode(text)
		if block == nil || bytes.Count(text, []byte("-----BEGIN ")) != 1 || len(bytes.TrimSpace(tail)) != 0 {
			return nil, fail(CodeMalformedJSON, "keyring PEM block %d is malformed", len(keys))
		}
		if block.Type != "PUBLIC KEY" {
			return nil, fail(CodeInvalidField, "PEM block %q is not a PUBLIC KEY", truncate(block.Type))
		}
		if len(block.Bytes) != len(ed25519SPKIPrefix)+publicKeySize ||
			!bytes.HasPrefix(block.Bytes, ed25519SPKIPrefix) {
			return nil, fail(CodeUnsupportedAlg, "PEM key %d is not an Ed25519 SubjectPublicKeyInfo", len(keys))
		}
		k := Key{KID: block.Headers["Kid"], PublicKey: block.Bytes[len(ed25519SPKIPrefix):]}
		if err := checkFormsHeader(text, len(keys)); err != nil {
			return nil, err
		}
		if v, ok := block.Headers["Forms"]; ok {
			var names []string
			for _, n := range strings.Split(v, ",") {
				names = append(names, strings.TrimSpace(n))
			}
			if v == "" {
				names = nil
			}
			var err *Error
			if k.Forms, err = parseForms(names, msg.Sprintf("PEM key %d", len(keys))); err != nil {
				return nil, err
			}
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fail(CodeMalformedJSON, "keyring PEM has no PUBLIC KEY block")
	}
	return keys, nil
}

// checkFormsHeader refuses a PEM block whose Forms header is spelled in
// another case or given twice: encoding/pem would keep one silently, and a
// restriction must not be lost that way.
func checkFormsHeader(block []byte, i int) *Error {
	n := 0
	for _, line := range bytes.Split(block, []byte("\n")) {
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.EqualFold(bytes.TrimSpace(name), []byte("Forms")) {
			continue
		}
		if string(name) != "Forms" {
			return fail(CodeInvalidField, "PEM key %d: header %q: the signed forms are given as \"Forms:\"", i, truncate(string(name)))
		}
		if n++; n > 1 {
			return fail(CodeInvalidField, "PEM key %d: the Forms header is given twice", i)
		}
	}
	return nil
}

// parseRFC3339 parses a date-time member with [ParseTime]'s grammar.
func parseRFC3339(field, v string) (time.Time, *Error) {
	t, ok := parseTime(v)
	if !ok {
		return time.Time{}, fail(CodeInvalidField, "%s %q is not an RFC 3339 date-time within years 0000-9999", field, truncate(v))
	}
	return t, nil
}

func truncate(v string) string {
	const max = 40
	if len(v) <= max {
		return v
	}
	return v[:max] + "…"
}
