package verify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/timefmt"
)

// DefaultQKeyPassword is the password of a .qkey file when none is given.
const DefaultQKeyPassword = "quantummeta"

// The .qkey container (qkey-license-format): salt ‖ nonce ‖ GCM tag ‖
// ciphertext, the key PBKDF2-HMAC-SHA256 of the password.
const (
	qkeySaltSize   = 16
	qkeyNonceSize  = 12
	qkeyTagSize    = 16
	qkeyHeaderSize = qkeySaltSize + qkeyNonceSize + qkeyTagSize
	qkeyKeySize    = 32
)

// qkeyIterations is the PBKDF2 iteration count of the format. It is a
// variable only so that the fuzz test can make decryption cheap; nothing
// else changes it.
var qkeyIterations = 100_000

// QKeyOptions are the inputs of [QKey] besides the file and keys.
type QKeyOptions struct {
	// Now is the host's clock. Required.
	Now time.Time
	// Password decrypts the file; empty means [DefaultQKeyPassword].
	Password string
	// Package, when set, is the package the host is: a license for another
	// package is CodeProductMismatch. Compared trimmed and lower-cased.
	Package string
	// MachineID, when set, is this machine's 32-hex-digit id (from
	// [FingerprintHash]): a license for another machine is
	// CodeDeviceMismatch. Compared case-insensitively.
	MachineID string
	// AllowUnsigned accepts a license with no signature member. A license
	// that has one is always verified.
	AllowUnsigned bool
	// Limit is the largest file accepted, in bytes; 0 means 1 MiB.
	Limit int
}

// QKeyResult is the outcome of [QKey]. The claims are set once the
// signature has verified (or, for an unsigned license the caller allowed,
// once the fields are valid); before that only Result is.
type QKeyResult struct {
	Result
	// Package is trimmed and lower-cased.
	Package string `json:"package"`
	User    string `json:"user"`
	// MachineID is lower-cased.
	MachineID string `json:"machine_id"`
	// Features are lower-cased, without duplicates, sorted.
	Features []string `json:"features"`
	// Issued and Expires are in UTC.
	Issued  time.Time `json:"issued"`
	Expires time.Time `json:"expires"`
	// DaysLeft is the whole days from Now to Expires, rounded down;
	// negative once expired.
	DaysLeft int64 `json:"days_left"`
	// Signed is false only for an unsigned license accepted with
	// AllowUnsigned.
	Signed bool `json:"signed"`
	// SignedForm names the signed form the signature is over: "rfc8785"
	// or "python" (formats.md "Signed forms"); empty when unsigned.
	SignedForm string `json:"signed_form,omitempty"`
}

// Has reports whether the license is valid and grants feature, compared
// case-insensitively.
func (r *QKeyResult) Has(feature string) bool {
	return r != nil && r.Valid && slices.Contains(r.Features, qkeyLower(feature))
}

// QKey verifies a QuantumMeta .qkey license (formats.md §4): an
// AES-256-GCM encrypted file, or the same JSON in plain text.
//
// A file whose first non-space byte is '{' and that is valid UTF-8 is
// plain JSON; anything else is salt ‖ nonce ‖ tag ‖ ciphertext, and any
// failure to decrypt it (wrong password, a changed byte, a file shorter
// than the 44-byte header) is CodeDecryptFailed. The JSON's fields are then
// checked, and its signature verified against every key in keys, with the
// key's window measured at issued. No signature is CodeSignatureMissing
// unless opts.AllowUnsigned.
//
// The error is non-nil only for misuse, and wraps [ErrMisuse]: no keys, a
// zero Now, a blank Package or a MachineID that is not 32 hex digits.
func QKey(file []byte, keys *Keyring, opts QKeyOptions) (*QKeyResult, error) {
	if keys.Len() == 0 {
		return nil, misuse("QKey needs a keyring with at least one key")
	}
	if opts.Now.IsZero() {
		return nil, misuse("QKey needs Now")
	}
	wantPackage := qkeyNormalize(opts.Package)
	if opts.Package != "" && wantPackage == "" {
		return nil, misuse("Package is blank")
	}
	if opts.MachineID != "" && !qkeyIsMachineID(opts.MachineID) {
		return nil, misuse("MachineID %q is not 32 hex digits", truncate(opts.MachineID))
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = canonical.DefaultLimit
	}
	if len(file) > limit {
		return &QKeyResult{Result: rejected(fail(CodeInputTooLarge, "file is %d bytes, limit is %d", len(file), limit))}, nil
	}
	plain := file
	if !qkeyIsPlain(file) {
		password := opts.Password
		if password == "" {
			password = DefaultQKeyPassword
		}
		var err *Error
		if plain, err = qkeyDecrypt(file, password); err != nil {
			if hasBOM(file) {
				err.Message += " (the file starts with a byte order mark (EF BB BF), so it was read as encrypted: a plain .qkey is UTF-8 JSON without one)"
			}
			return &QKeyResult{Result: rejected(err)}, nil
		}
	}

	doc, err := parseDocument(plain, limit, "license", nil)
	if err != nil {
		return &QKeyResult{Result: rejected(err)}, nil
	}
	signed := doc.signature != nil || doc.sigErr != nil
	if signed || !opts.AllowUnsigned {
		if err := doc.requireSignature(); err != nil {
			return &QKeyResult{Result: rejected(err)}, nil
		}
	}
	r, err := parseQKey(doc.fields)
	if err != nil {
		return &QKeyResult{Result: rejected(doc.fields.spMissing(err, kindQKey))}, nil
	}
	if signed {
		_, form, err := doc.verifySignature(keys, "", false, r.Issued)
		if err != nil {
			return &QKeyResult{Result: rejected(err)}, nil
		}
		r.SignedForm = form.String()
	}
	r.Signed = signed

	now := opts.Now.UTC()
	r.DaysLeft = licFloorDays(now, r.Expires)
	switch {
	case wantPackage != "" && r.Package != wantPackage:
		r.Result = Result{Code: CodeProductMismatch, Message: "the license is for package " + licQuote(r.Package) + ", not " + licQuote(wantPackage)}
	case opts.MachineID != "" && r.MachineID != qkeyLower(opts.MachineID):
		r.Result = Result{Code: CodeDeviceMismatch, Message: "the license is for another machine"}
	case r.Issued.After(now.Add(DefaultSkew)):
		r.Result = Result{Code: CodeNotYetValid, Message: "the license is issued at " + timefmt.RFC3339(r.Issued, true) + ", after now"}
	case !now.Before(r.Expires):
		r.Result = Result{Code: CodeExpired, Message: "the license expired at " + timefmt.RFC3339(r.Expires, true)}
	case signed:
		r.Result = ok("the license is valid")
	default:
		r.Result = ok("the unsigned license is valid (unsigned licenses allowed)")
	}
	return r, nil
}

// qkeyIsPlain tells a plain JSON file from an encrypted one: the first
// non-space byte is '{' and the whole file is UTF-8. The UTF-8 test keeps
// the 1 in 256 encrypted files whose salt starts with '{' on the
// decryption path: 28 more random bytes all forming UTF-8 is
// vanishingly unlikely.
func qkeyIsPlain(file []byte) bool {
	for i, c := range file {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return utf8.Valid(file[i:])
		}
		return false
	}
	return false
}

// qkeyDecrypt opens salt ‖ nonce ‖ tag ‖ ciphertext. Go's GCM wants the
// tag after the ciphertext, so the two are swapped before opening.
func qkeyDecrypt(file []byte, password string) ([]byte, *Error) {
	if len(file) < qkeyHeaderSize {
		return nil, fail(CodeDecryptFailed, "file is %d bytes, shorter than the %d-byte salt, nonce and tag of an encrypted .qkey", len(file), qkeyHeaderSize)
	}
	salt := file[:qkeySaltSize]
	nonce := file[qkeySaltSize : qkeySaltSize+qkeyNonceSize]
	tag := file[qkeySaltSize+qkeyNonceSize : qkeyHeaderSize]
	ciphertext := file[qkeyHeaderSize:]
	key, err := pbkdf2.Key(sha256.New, password, salt, qkeyIterations, qkeyKeySize)
	if err != nil {
		return nil, fail(CodeDecryptFailed, "key derivation failed: %v", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fail(CodeDecryptFailed, "%v", err)
	}
	gcm, err := cipher.NewGCM(block) // 12-byte nonce, 16-byte tag
	if err != nil {
		return nil, fail(CodeDecryptFailed, "%v", err)
	}
	sealed := make([]byte, 0, len(ciphertext)+qkeyTagSize)
	sealed = append(append(sealed, ciphertext...), tag...)
	plain, err := gcm.Open(sealed[:0], nonce, sealed, nil)
	if err != nil {
		return nil, fail(CodeDecryptFailed, "the file does not decrypt: wrong password, or the file was changed")
	}
	return plain, nil
}

// parseQKey runs the field rules of formats.md §4.
func parseQKey(f fields) (*QKeyResult, *Error) {
	r := &QKeyResult{}
	pkg, _, err := f.str("package", true)
	if err != nil {
		return nil, err
	}
	if r.Package = qkeyNormalize(pkg); r.Package == "" {
		return nil, fail(CodeInvalidField, "package is empty")
	}
	if r.User, _, err = f.str("user", true); err != nil {
		return nil, err
	}
	if qkeyTrim(r.User) == "" {
		return nil, fail(CodeInvalidField, "user is empty")
	}
	id, _, err := f.str("machine_id", true)
	if err != nil {
		return nil, err
	}
	if !qkeyIsMachineID(id) {
		return nil, fail(CodeInvalidField, "machine_id %q is not 32 hex digits (it has %d characters)", truncate(id), utf8.RuneCountInString(id))
	}
	r.MachineID = qkeyLower(id)
	for _, m := range []struct {
		name string
		t    *time.Time
	}{{"issued", &r.Issued}, {"expires", &r.Expires}} {
		s, _, err := f.str(m.name, true)
		if err != nil {
			return nil, err
		}
		if *m.t, err = qkeyParseTime(m.name, s); err != nil {
			return nil, err
		}
	}
	if !r.Expires.After(r.Issued) {
		return nil, fail(CodeInvalidField, "expires is not after issued")
	}
	features, _, err := f.strings("features", true)
	if err != nil {
		return nil, err
	}
	r.Features = make([]string, 0, len(features))
	for i, x := range features {
		if qkeyTrim(x) == "" {
			return nil, fail(CodeInvalidField, "features[%d] is empty", i)
		}
		r.Features = append(r.Features, qkeyLower(x))
	}
	slices.Sort(r.Features)
	r.Features = slices.Compact(r.Features)
	return r, nil
}

// qkeyNormalize is the package-name rule: trimmed, lower-cased.
func qkeyNormalize(s string) string { return qkeyLower(qkeyTrim(s)) }

// qkeyLower lower-cases ASCII letters only. Unicode case mapping differs
// between languages (Go and JavaScript disagree on U+0130), so other
// characters compare exactly and every binding can reproduce the rule.
func qkeyLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// qkeyTrim removes ASCII white space at both ends, for the same reason.
func qkeyTrim(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' }
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// qkeyIsMachineID reports whether s is exactly 32 hex digits, either case.
func qkeyIsMachineID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !licIsDigit(c) && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
