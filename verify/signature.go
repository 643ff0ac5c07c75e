package verify

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/internal/timefmt"
)

// Sizes of an Ed25519 public key and signature (RFC 8032 §5.1.5, §5.1.6).
const (
	publicKeySize = 32
	signatureSize = 64
)

// hasBOM reports whether b starts with the UTF-8 byte order mark, which
// is refused, never stripped (formats.md "Inputs"), and named as such
// where an input is told apart by its first byte before canonical sees it.
func hasBOM(b []byte) bool { return len(b) >= 3 && string(b[:3]) == "\xef\xbb\xbf" }

func bomError(what string) *Error {
	return fail(CodeMalformedJSON, "%s starts with a byte order mark (EF BB BF), refused rather than stripped (RFC 8259 §8.1): save it as UTF-8 without one", what)
}

// decodeBase64 decodes standard or URL-safe base64, padding optional, and
// nothing else: no whitespace, no mixed alphabets, no stray bits after the
// last byte (which would let many strings stand for one value).
func decodeBase64(s string) ([]byte, bool) {
	body := strings.TrimRight(s, "=")
	pad := len(s) - len(body)
	if pad > 2 || (pad > 0 && len(s)%4 != 0) {
		return nil, false
	}
	std, url, bad := base64Alphabets(body)
	if bad >= 0 || std && url {
		return nil, false
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	b, err := enc.Strict().DecodeString(body)
	if err != nil {
		return nil, false
	}
	return b, true
}

// base64Alphabets reports whether body, base64 without its padding, uses
// characters of the standard alphabet only (+/) and of the URL-safe one
// only (-_), and the offset of the first character of neither, or -1.
func base64Alphabets(body string) (std, url bool, bad int) {
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '+' || c == '/':
			std = true
		case c == '-' || c == '_':
			url = true
		default:
			return std, url, i
		}
	}
	return std, url, -1
}

// document is a signed document after the parse step: its signed bytes
// in RFC 8785 form, its members (read from those bytes), its message in
// every signed form, and its signature.
type document struct {
	payload   []byte
	msg       *canonical.Message
	fields    fields
	signature []byte // nil when the document has no signature member
	sigErr    *Error // why signature could not be decoded, if it could not
}

// parseDocument runs the parse step shared by every format: size limit,
// strict JSON, the signed bytes, and the members read from those bytes:
// those named in keep, or every one when keep is nil. The signature is
// decoded but not yet required; see [document.requireSignature].
func parseDocument(doc []byte, limit int, what string, keep *memberSet) (*document, *Error) {
	m, err := canonical.NewMessage(doc, limit)
	if err != nil {
		return nil, asError(err)
	}
	f, ferr := canonicalMembers(m.Payload, what, keep)
	if ferr != nil {
		return nil, ferr
	}
	d := &document{payload: m.Payload, msg: m, fields: f}
	if m.Signature != nil {
		d.signature, d.sigErr = decodeSignature(m.Signature)
	}
	return d, nil
}

// decodeSignature reads the signature member's canonical JSON value.
func decodeSignature(raw []byte) ([]byte, *Error) {
	s, ok := jsontext.Unquote(raw)
	if len(raw) == 0 || raw[0] != '"' || !ok {
		return nil, fail(CodeMalformedSignature, "signature is not a string")
	}
	sig, ok := decodeBase64(s)
	if !ok {
		return nil, fail(CodeMalformedSignature, "signature is not base64 or base64url")
	}
	if len(sig) != signatureSize {
		return nil, fail(CodeMalformedSignature, "signature is %d bytes, want %d", len(sig), signatureSize)
	}
	return sig, nil
}

// requireSignature is the signature-envelope check: present and well formed.
func (d *document) requireSignature() *Error {
	if d.sigErr != nil {
		return d.sigErr
	}
	if d.signature == nil {
		return fail(CodeSignatureMissing, "document has no signature")
	}
	return nil
}

// verifySignature runs the key, signature and key-window steps, the window
// measured at issuedAt, the document's own issue time. With a kid, only
// that key is tried (CodeUnknownKey if the ring lacks it). Without one,
// every key is, and the answer does not depend on the ring's order: the
// first key that verifies and whose window holds issuedAt is returned;
// only when every key that verifies is outside its window is the result
// CodeKeyNotValid (a ring may list one public key twice, an old window and
// a current one). At most [MaxKeys] keys are tried.
//
// A key verifies when the signature is over one of the document's signed
// forms that the key allows (formats.md "Signed forms"); it returns the
// form that verified, the first in canonical.Forms.
func (d *document) verifySignature(ring *Keyring, kid string, hasKID bool, issuedAt time.Time) (*Key, canonical.Form, *Error) {
	if err := d.requireSignature(); err != nil {
		return nil, 0, err
	}
	if hasKID {
		i, found := ring.byKID[kid]
		if !found {
			return nil, 0, fail(CodeUnknownKey, "no key with kid %q in the keyring", truncate(kid))
		}
		k := &ring.keys[i]
		var form canonical.Form
		verified := false
		d.verifyForms([]*Key{k}, func(_ int, f canonical.Form) bool {
			form, verified = f, true
			return true
		})
		if !verified {
			return nil, 0, fail(CodeBadSignature, "signature does not verify with key %q", truncate(kid))
		}
		if err := k.checkWindow(issuedAt); err != nil {
			return nil, 0, err
		}
		return k, form, nil
	}
	keys := make([]*Key, len(ring.keys))
	for i := range ring.keys {
		keys[i] = &ring.keys[i]
	}
	var outside *Error
	var found *Key
	var form canonical.Form
	d.verifyForms(keys, func(i int, f canonical.Form) bool {
		err := keys[i].checkWindow(issuedAt)
		if err == nil {
			found, form = keys[i], f
			return true
		}
		if outside == nil {
			outside = err
		}
		return false
	})
	switch {
	case found != nil:
		return found, form, nil
	case outside != nil:
		return nil, 0, outside
	}
	return nil, 0, fail(CodeBadSignature, "signature does not verify with any key in the keyring")
}

// verifyForms calls verified, in the keys' order, with each key the
// signature verifies under and the first signed form it allows that the
// signature is over, until verified returns true. The forms with Payload's
// bytes are checked first, key by key, so a genuine RFC 8785 document
// costs one check; then a form that may differ is written once, in
// pieces, into the checks of every key still unverified that allows it,
// and never held whole.
func (d *document) verifyForms(keys []*Key, verified func(i int, f canonical.Form) bool) {
	forms := make([]int, len(keys))
	for i, k := range keys {
		forms[i] = -1
		for _, f := range canonical.Forms {
			if k.allows(f) && !d.msg.Differs(f) {
				if ed25519Verify(k.PublicKey, d.payload, d.signature) {
					forms[i] = int(f)
					if verified(i, f) {
						return
					}
				}
				break
			}
		}
	}
	for _, f := range canonical.Forms {
		if !d.msg.Differs(f) {
			continue
		}
		var checks []streamCheck
		var which []int
		for i, k := range keys {
			if forms[i] < 0 && k.allows(f) {
				checks = append(checks, newStreamCheck(k.PublicKey, d.signature))
				which = append(which, i)
			}
		}
		if len(checks) == 0 {
			continue
		}
		d.msg.Stream(f, func(piece []byte) {
			for _, c := range checks {
				c.Write(piece)
			}
		})
		for j, c := range checks {
			if c.Verify() {
				forms[which[j]] = int(f)
				if verified(which[j], f) {
					return
				}
			}
		}
	}
}

// streamCheck is one key's Ed25519 check over a message written to it in
// pieces (newStreamCheck, per build).
type streamCheck interface {
	Write(piece []byte)
	Verify() bool
}

// ed25519VerifyStream is ed25519Verify for a message written in pieces.
func ed25519VerifyStream(pub, sig []byte, msg func(write func([]byte))) bool {
	c := newStreamCheck(pub, sig)
	msg(c.Write)
	return c.Verify()
}

// checkWindow applies the key's not_before/not_after to the issue time of
// a document it verified. It runs after the signature step, so the issue
// time it reads is one the key really signed.
func (k *Key) checkWindow(issuedAt time.Time) *Error {
	if !k.NotBefore.IsZero() && issuedAt.Before(k.NotBefore) {
		return fail(CodeKeyNotValid, "key %q is valid from %s; the document was issued at %s",
			truncate(k.KID), timefmt.RFC3339(k.NotBefore.UTC(), false), timefmt.RFC3339(issuedAt.UTC(), false))
	}
	if !k.NotAfter.IsZero() && issuedAt.After(k.NotAfter) {
		return fail(CodeKeyNotValid, "key %q was valid until %s; the document was issued at %s",
			truncate(k.KID), timefmt.RFC3339(k.NotAfter.UTC(), false), timefmt.RFC3339(issuedAt.UTC(), false))
	}
	return nil
}

// Ed25519 applies the signature rule of the specification to one message:
// the public key must pass the keyring check (32 bytes, canonical, not of
// small order: CodeWeakKey), the signature must be 64 bytes
// (CodeMalformedSignature), and the signature must verify under RFC 8032
// §5.1.7 without the cofactor, with S < L and R canonical, as
// crypto/ed25519 does (CodeBadSignature). It returns nil or an [*Error].
func Ed25519(publicKey, message, signature []byte) error {
	if err := checkPublicKey(publicKey); err != nil {
		return err
	}
	if len(signature) != signatureSize {
		return fail(CodeMalformedSignature, "signature is %d bytes, want %d", len(signature), signatureSize)
	}
	if !ed25519Verify(publicKey, message, signature) {
		return fail(CodeBadSignature, "signature does not verify")
	}
	return nil
}
