package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"
)

// The qkey topic pins .qkey decryption and the JSON rules of formats.md §4
// through the "qkey" request. Encrypted files are built here with the
// standard library, their salt and nonce derived from SHA-256 of the vector
// id; PBKDF2 at 100,000 iterations is slow, so only the container vectors
// are encrypted and the JSON rules use plain-JSON files.
func init() {
	register(topic{
		name: "qkey",
		notes: map[string]string{
			"Encrypted": "salt(16) ‖ nonce(12) ‖ tag(16) ‖ ciphertext, PBKDF2-HMAC-SHA256 100,000 iterations, AES-256-GCM",
			"Flip":      "one byte of an encrypted file changed: GCM authentication fails",
			"Password":  "the password: default quantummeta, or given",
			"Plain":     "plain JSON (first non-space byte '{', UTF-8) accepted unencrypted",
			"Seed":      "the example licenses of qkey-license-format, verbatim or re-signed",
			"Envelope":  "signature present and well formed, or explicitly not required",
			"Shape":     "field rules: package, user, machine_id (32 hex), ISO 8601 dates, features",
			"Dates":     "ISO 8601 forms: date, date-time, fraction, offset; no offset is UTC",
			"Features":  "features lower-cased, duplicates removed, sorted",
			"Signature": "Ed25519 over the JCS form minus signature, tried against every key",
			"Tamper":    "a signed license changed after signing",
			"Unknown":   "unknown members are ignored for meaning and covered by the signature",
			"Match":     "expected package (trimmed, lower-cased) and machine id (case-insensitive)",
			"Time":      "not yet valid (5-minute skew), expired (now >= expires)",
			"Limit":     "file over the request's size limit",
			"PythonUTC": "a UTC time as CPython's datetime.isoformat() writes an aware one: +00:00, with .ffffff when there are microseconds",
		},
		tests: qkeyTests,
	})
}

const qkNow = "2026-03-01T12:00:00Z"

var qkKeys = keyring(ringKey{kid: "qkey-2025", name: "qkey"})

// qkDoc is the seed's enterprise license.
func qkDoc() map[string]any {
	return map[string]any{
		"package":    "quantum-cloud",
		"user":       "admin@enterprise.com",
		"machine_id": "123456789abcdef01234567890abcdef",
		"issued":     "2025-01-01T00:00:00Z",
		"expires":    "2027-01-01T00:00:00Z",
		"features":   []any{"core", "pro", "enterprise", "unlimited", "priority-support", "custom-integrations"},
	}
}

// qkEncrypt builds a .qkey file: salt and nonce from SHA-256 of label.
func qkEncrypt(label string, plain []byte, password string) []byte {
	seed := sha256.Sum256([]byte("licverify qkey " + label))
	return qkSeal(seed[:16], seed[16:28], plain, password)
}

// qkGCM is the AES-256-GCM of a .qkey file: its key derived from password
// and salt with PBKDF2-HMAC-SHA256, 100,000 iterations.
func qkGCM(salt []byte, password string) cipher.AEAD {
	key, err := pbkdf2.Key(sha256.New, password, salt, 100_000, 32)
	if err != nil {
		log.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		log.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		log.Fatal(err)
	}
	return gcm
}

func qkSeal(salt, nonce, plain []byte, password string) []byte {
	sealed := qkGCM(salt, password).Seal(nil, nonce, plain, nil) // ciphertext ‖ tag
	ct, tag := sealed[:len(plain)], sealed[len(plain):]
	out := append(append([]byte{}, salt...), nonce...)
	return append(append(out, tag...), ct...)
}

// qkTime is the expected rendering of an ISO 8601 value: UTC, RFC 3339,
// fraction only when non-zero.
func qkTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	log.Fatalf("qkey: bad time %q", s)
	return time.Time{}
}

// qkExpect is the valid result for doc at now: the normalization rules of
// the format applied to its members.
func qkExpect(doc map[string]any, now string, signed bool) map[string]any {
	var features []string
	for _, f := range doc["features"].([]any) {
		features = append(features, qkLower(f.(string)))
	}
	slices.Sort(features)
	features = slices.Compact(features)
	if features == nil {
		features = []string{}
	}
	issued, expires := qkTime(doc["issued"].(string)), qkTime(doc["expires"].(string))
	e := map[string]any{
		"valid": true, "code": "ok",
		"package":    qkLower(strings.TrimSpace(doc["package"].(string))),
		"user":       doc["user"],
		"machine_id": qkLower(doc["machine_id"].(string)),
		"features":   features,
		"issued":     licFmt(issued), "expires": licFmt(expires),
		"days_left": licFloorDays(licTime(now), expires),
		"signed":    signed,
	}
	if signed {
		e["signed_form"] = "rfc8785" // sign writes RFC 8785
	}
	return e
}

func qkLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// qkCode turns a valid expectation into a failure with code, claims kept
// (the failures after the signature step).
func qkCode(exp map[string]any, code string) map[string]any {
	exp["valid"], exp["code"] = false, code
	return exp
}

func qkRejected(code string) map[string]any { return map[string]any{"valid": false, "code": code} }

func qkeyTests() []test {
	var tests []test
	add := func(id, comment string, flags []string, file []byte, opts map[string]any, expected map[string]any) {
		req := map[string]any{"op": "qkey", "keys": qkKeys, "now": qkNow, "qkey_b64": base64.StdEncoding.EncodeToString(file)}
		for k, v := range opts {
			req[k] = v
		}
		tests = append(tests, test{ID: "qkey/" + id, Comment: comment, Flags: flags, Request: req, Expected: expected})
	}
	signedText := func(doc map[string]any) []byte { return []byte(text(sign(doc, "qkey"))) }
	valid := qkExpect(qkDoc(), qkNow, true)

	// The container. Every vector here runs PBKDF2 once.
	enc := func(id string) []byte { return qkEncrypt(id, signedText(qkDoc()), "quantummeta") }
	add("encrypted/default-password", "a signed license encrypted with the default password", []string{"Encrypted", "Password"},
		enc("encrypted/default-password"), nil, valid)
	add("encrypted/given-password", "encrypted with a password the request gives", []string{"Encrypted", "Password"},
		qkEncrypt("encrypted/given-password", signedText(qkDoc()), "correct horse"), map[string]any{"password": "correct horse"}, valid)
	add("encrypted/wrong-password", "encrypted with another password; the default is tried", []string{"Encrypted", "Password"},
		qkEncrypt("encrypted/wrong-password", signedText(qkDoc()), "correct horse"), nil, qkRejected("decrypt_failed"))
	for _, f := range []struct {
		part string
		at   func(n int) int
	}{
		{"salt", func(int) int { return 0 }},             // another key
		{"nonce", func(int) int { return 16 + 5 }},       // another keystream and tag mask
		{"tag", func(int) int { return 28 + 15 }},        // the tag itself
		{"ciphertext", func(n int) int { return n - 1 }}, // the authenticated data
	} {
		id := "flip/" + f.part
		file := enc(id)
		file[f.at(len(file))] ^= 0x01
		add(id, "one bit of the "+f.part+" flipped", []string{"Encrypted", "Flip"}, file, nil, qkRejected("decrypt_failed"))
	}
	add("encrypted/short", "43 bytes: shorter than salt, nonce and tag", []string{"Encrypted"},
		enc("encrypted/short")[:43], nil, qkRejected("decrypt_failed"))
	// A salt starting with '{' must still take the decryption path: find a
	// label whose derived salt does, deterministically.
	var braceFile []byte
	for i := 0; ; i++ {
		label := fmt.Sprintf("encrypted/salt-brace#%d", i)
		if seed := sha256.Sum256([]byte("licverify qkey " + label)); seed[0] == '{' {
			braceFile = qkEncrypt(label, signedText(qkDoc()), "quantummeta")
			break
		}
	}
	add("encrypted/salt-brace", "the salt's first byte is '{': not valid UTF-8 after it, so still decrypted",
		[]string{"Encrypted", "Plain"}, braceFile, nil, valid)
	add("encrypted/unsigned", "an unsigned license, encrypted", []string{"Encrypted", "Envelope"},
		qkEncrypt("encrypted/unsigned", []byte(text(qkDoc())), "quantummeta"), nil, qkRejected("signature_missing"))
	add("encrypted/not-json", "decrypts, but to text that is not JSON", []string{"Encrypted"},
		qkEncrypt("encrypted/not-json", []byte("license: yes"), "quantummeta"), nil, qkRejected("malformed_json"))
	add("encrypted/empty", "exactly 44 bytes: a valid tag over an empty plaintext", []string{"Encrypted"},
		qkEncrypt("encrypted/empty", nil, "quantummeta"), nil, qkRejected("malformed_json"))

	// Plain JSON from here on.
	plain := func(id, comment string, flags []string, doc map[string]any, opts map[string]any, expected map[string]any) {
		add(id, comment, append([]string{"Plain"}, flags...), signedText(doc), opts, expected)
	}
	add("plain/signed", "the same license, plain JSON", []string{"Plain"}, signedText(qkDoc()), nil, valid)
	add("plain/leading-space", "white space before the '{'", []string{"Plain"}, append([]byte(" \r\n\t"), signedText(qkDoc())...), nil, valid)
	add("plain/not-brace", "text that does not start with '{' is taken for an encrypted file", []string{"Plain", "Encrypted"},
		[]byte(`["not","a","license"]`), nil, qkRejected("decrypt_failed"))

	// The seed's examples, verbatim and re-signed.
	seedStructure := `{
"package": "quantum-metalearn",
"user": "user@company.com",
"machine_id": "abc123def456789012345678901234567890",
"issued": "2025-07-15T10:30:00",
"expires": "2026-07-15T10:30:00",
"features": ["core", "pro"],
"signature": "base64-encoded-ed25519-signature"
}`
	seedBasic := `{
"package": "quantum-sim",
"user": "researcher@university.edu",
"machine_id": "a1b2c3d4e5f67890123456789abcdef01",
"issued": "2025-07-15T09:00:00",
"expires": "2025-12-31T23:59:59",
"features": ["core"]
}`
	seedPro := `{
"package": "ai-models",
"user": "developer@company.com",
"machine_id": "f1e2d3c4b5a6978012345678fedcba09",
"issued": "2025-07-15T10:30:00.123456",
"expires": "2026-07-15T10:30:00.123456",
"features": ["core", "pro", "api"],
"signature": "Rx8kKZ...ed25519-signature...abc123="
}`
	seedEnterprise := `{
"package": "quantum-cloud",
"user": "admin@enterprise.com",
"machine_id": "123456789abcdef01234567890abcdef",
"issued": "2025-01-01T00:00:00Z",
"expires": "2027-01-01T00:00:00Z",
"features": [
"core",
"pro",
"enterprise",
"unlimited",
"priority-support",
"custom-integrations"
],
"signature": "4B7hKL...enterprise-signature...xyz789="
}`
	seedFlags := []string{"Seed"}
	add("seed/structure-verbatim", `"base64-encoded-ed25519-signature" decodes to 24 bytes, not 64`,
		[]string{"Seed", "Envelope"}, []byte(seedStructure), nil, qkRejected("malformed_signature"))
	structure := qkDoc()
	structure["package"], structure["user"], structure["machine_id"] = "quantum-metalearn", "user@company.com", "abc123def456789012345678901234567890"
	structure["issued"], structure["expires"], structure["features"] = "2025-07-15T10:30:00", "2026-07-15T10:30:00", []any{"core", "pro"}
	plain("seed/structure-resigned", "the seed's structure example signed for real: its machine_id has 36 characters",
		append(seedFlags, "Shape"), structure, nil, qkRejected("invalid_field"))
	add("seed/basic-verbatim", "the seed's basic license has no signature", []string{"Seed", "Envelope"},
		[]byte(seedBasic), nil, qkRejected("signature_missing"))
	add("seed/basic-unsigned-allowed", "unsigned allowed: its 33-character machine_id still fails", []string{"Seed", "Envelope", "Shape"},
		[]byte(seedBasic), map[string]any{"allow_unsigned": true}, qkRejected("invalid_field"))
	basic := qkDoc()
	basic["package"], basic["user"], basic["machine_id"] = "quantum-sim", "researcher@university.edu", "a1b2c3d4e5f67890123456789abcdef01"
	basic["issued"], basic["expires"], basic["features"] = "2025-07-15T09:00:00", "2025-12-31T23:59:59", []any{"core"}
	plain("seed/basic-resigned", "the seed's basic license signed: 33-character machine_id", append(seedFlags, "Shape"),
		basic, nil, qkRejected("invalid_field"))
	add("seed/pro-verbatim", "the seed's pro license: its placeholder signature is not base64", []string{"Seed", "Envelope"},
		[]byte(seedPro), nil, qkRejected("malformed_signature"))
	pro := qkDoc()
	pro["package"], pro["user"], pro["machine_id"] = "ai-models", "developer@company.com", "f1e2d3c4b5a6978012345678fedcba09"
	pro["issued"], pro["expires"], pro["features"] = "2025-07-15T10:30:00.123456", "2026-07-15T10:30:00.123456", []any{"core", "pro", "api"}
	plain("seed/pro-resigned", "the seed's pro license signed: microseconds, no offset (UTC)", append(seedFlags, "Dates"),
		pro, nil, qkExpect(pro, qkNow, true))
	add("seed/enterprise-verbatim", "the seed's enterprise license: placeholder signature", []string{"Seed", "Envelope"},
		[]byte(seedEnterprise), nil, qkRejected("malformed_signature"))
	plain("seed/enterprise-resigned", "the seed's enterprise license signed", seedFlags, qkDoc(), nil, valid)

	// Envelope and signature.
	add("envelope/unsigned-allowed", "no signature, unsigned explicitly allowed", []string{"Plain", "Envelope"},
		[]byte(text(qkDoc())), map[string]any{"allow_unsigned": true}, qkExpect(qkDoc(), qkNow, false))
	badSig := clone(qkDoc())
	badSig["signature"] = base64.StdEncoding.EncodeToString(make([]byte, 64))
	add("envelope/bad-signature-allowed", "unsigned allowed, but a signature present is still verified", []string{"Plain", "Envelope", "Signature"},
		[]byte(text(badSig)), map[string]any{"allow_unsigned": true}, qkRejected("bad_signature"))
	tampered := sign(qkDoc(), "qkey")
	tampered["features"] = []any{"core", "pro", "enterprise", "unlimited", "priority-support", "custom-integrations", "admin"}
	add("tamper/features", "a feature added after signing", []string{"Plain", "Tamper", "Signature"}, []byte(text(tampered)), nil, qkRejected("bad_signature"))
	tampered = sign(qkDoc(), "qkey")
	tampered["expires"] = "2099-01-01T00:00:00Z"
	add("tamper/expires", "expires pushed on after signing", []string{"Plain", "Tamper", "Signature"}, []byte(text(tampered)), nil, qkRejected("bad_signature"))
	add("signature/other-key", "signed by a key not in the ring", []string{"Plain", "Signature"},
		[]byte(text(sign(qkDoc(), "stranger"))), nil, qkRejected("bad_signature"))
	add("signature/key-window", "the key's window starts after issued", []string{"Plain", "Signature"}, signedText(qkDoc()),
		map[string]any{"keys": keyring(ringKey{kid: "qkey-2026", name: "qkey", notBefore: "2025-06-01T00:00:00Z"})}, qkRejected("key_not_valid"))
	unknown := qkDoc()
	unknown["tier"] = "gold"
	plain("unknown/member", "an unknown member is signed and ignored", []string{"Unknown"}, unknown, nil, valid)
	dup := strings.Replace(string(signedText(qkDoc())), `"expires":"2027-01-01T00:00:00Z"`, `"expires":"2027-01-01T00:00:00Z","expires":"2099-01-01T00:00:00Z"`, 1)
	add("parse/duplicate", `"expires" twice`, []string{"Plain", "Shape"}, []byte(dup), nil, qkRejected("duplicate_key"))
	add("limit", "a 300-byte limit and a larger file", []string{"Plain", "Limit"}, signedText(qkDoc()), map[string]any{"limit": 300}, qkRejected("input_too_large"))

	// Fields.
	set := func(kv ...any) map[string]any {
		d := qkDoc()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(d, kv[i].(string))
			} else {
				d[kv[i].(string)] = kv[i+1]
			}
		}
		return d
	}
	shape := []string{"Shape"}
	plain("shape/package-blank", "package of white space only", shape, set("package", "  "), nil, qkRejected("invalid_field"))
	plain("shape/package-missing", "no package", shape, set("package", nil), nil, qkRejected("missing_field"))
	plain("shape/user-empty", "empty user", shape, set("user", ""), nil, qkRejected("invalid_field"))
	plain("shape/user-missing", "no user", shape, set("user", nil), nil, qkRejected("missing_field"))
	plain("shape/machine-31", "machine_id of 31 hex digits", shape, set("machine_id", "123456789abcdef01234567890abcde"), nil, qkRejected("invalid_field"))
	plain("shape/machine-non-hex", "machine_id with a 'g'", shape, set("machine_id", "123456789abcdef01234567890abcdeg"), nil, qkRejected("invalid_field"))
	upper := set("machine_id", "123456789ABCDEF01234567890ABCDEF")
	plain("shape/machine-upper", "upper-case hex is a machine_id; it is reported lower-cased", shape, upper, nil, qkExpect(upper, qkNow, true))
	plain("shape/features-missing", "no features", shape, set("features", nil), nil, qkRejected("missing_field"))
	plain("shape/features-string", "features as a string", shape, set("features", "core"), nil, qkRejected("invalid_field"))
	plain("shape/features-number", "a feature that is a number", shape, set("features", []any{"core", 1}), nil, qkRejected("invalid_field"))
	plain("shape/features-blank", "an empty feature name", shape, set("features", []any{"core", ""}), nil, qkRejected("invalid_field"))
	empty := set("features", []any{})
	plain("features/empty", "no features is allowed", []string{"Features"}, empty, nil, qkExpect(empty, qkNow, true))
	mixed := set("features", []any{"Pro", "core", "PRO", "pro", "API"})
	plain("features/normalized", "case folded, duplicates dropped, sorted", []string{"Features"}, mixed, nil, qkExpect(mixed, qkNow, true))
	plain("shape/expires-before-issued", "expires before issued", shape, set("expires", "2024-12-31T00:00:00Z"), nil, qkRejected("invalid_field"))
	plain("shape/expires-equals-issued", "expires equal to issued: not after it", shape, set("expires", "2025-01-01T00:00:00Z"), nil, qkRejected("invalid_field"))
	for _, d := range []struct{ id, value, comment string }{
		{"no-seconds", "2027-01-01T00:00", "HH:MM without seconds"},
		{"space", "2027-01-01 00:00:00", "a space instead of T"},
		{"slashes", "01/01/2027", "not ISO 8601"},
		{"feb-30", "2027-02-30", "February 30"},
		{"hour-24", "2027-01-01T24:00:00", "24:00"},
		{"offset-no-colon", "2027-01-01T00:00:00+0100", "an offset without a colon"},
		{"fraction-10", "2027-01-01T00:00:00.1234567891", "ten fractional digits"},
		{"date-offset", "2027-01-01+01:00", "a date with an offset"},
	} {
		plain("dates/bad-"+d.id, d.comment, []string{"Shape", "Dates"}, set("expires", d.value), nil, qkRejected("invalid_field"))
	}
	for _, d := range []struct{ id, issued, expires, comment string }{
		{"date-only", "2025-01-01", "2027-01-01", "dates only: midnight UTC"},
		{"offset", "2025-01-01T05:30:00+05:30", "2026-12-31T19:00:00-05:00", "offsets converted to UTC"},
		{"fraction", "2025-01-01T00:00:00.5", "2027-01-01T00:00:00.000001Z", "fractional seconds kept"},
	} {
		doc := set("issued", d.issued, "expires", d.expires)
		plain("dates/"+d.id, d.comment, []string{"Dates"}, doc, nil, qkExpect(doc, qkNow, true))
	}

	py := set("issued", "2025-01-01T00:00:00.123456+00:00", "expires", "2027-01-01T00:00:00+00:00")
	plain("dates/python-isoformat", "issued and expires as CPython's isoformat() writes an aware UTC time", []string{"Dates", "PythonUTC"},
		py, nil, qkExpect(py, qkNow, true))

	// Expected package and machine, and time.
	plain("match/package", "the expected package, trimmed and in another case", []string{"Match"}, qkDoc(),
		map[string]any{"package": "  Quantum-Cloud "}, valid)
	plain("match/package-other", "another package expected", []string{"Match"}, qkDoc(),
		map[string]any{"package": "quantum-sim"}, qkCode(qkExpect(qkDoc(), qkNow, true), "product_mismatch"))
	plain("match/machine", "the expected machine id in upper case", []string{"Match"}, qkDoc(),
		map[string]any{"machine_id": "123456789ABCDEF01234567890ABCDEF"}, valid)
	plain("match/machine-other", "another machine", []string{"Match"}, qkDoc(),
		map[string]any{"machine_id": "00000000000000000000000000000000"}, qkCode(qkExpect(qkDoc(), qkNow, true), "device_mismatch"))
	early := set("issued", "2026-03-01T12:06:00Z")
	plain("time/not-yet-valid", "issued 6 minutes after now, beyond the 5-minute skew", []string{"Time"}, early, nil,
		qkCode(qkExpect(early, qkNow, true), "not_yet_valid"))
	skewed := set("issued", "2026-03-01T12:04:00Z")
	plain("time/within-skew", "issued 4 minutes after now: within the skew", []string{"Time"}, skewed, nil, qkExpect(skewed, qkNow, true))
	gone := set("expires", "2026-03-01T12:00:00Z")
	plain("time/expired-boundary", "now equal to expires: expired", []string{"Time"}, gone, nil, qkCode(qkExpect(gone, qkNow, true), "expired"))
	last := set("expires", "2026-03-01T12:00:00.000001Z")
	plain("time/last-microsecond", "one microsecond before expires: valid, 0 days left", []string{"Time"}, last, nil, qkExpect(last, qkNow, true))
	add("time/expired-basic", "the seed's basic license (unsigned allowed, machine id corrected) after its expiry",
		[]string{"Plain", "Seed", "Time", "Envelope"}, []byte(strings.Replace(seedBasic, "a1b2c3d4e5f67890123456789abcdef01", "a1b2c3d4e5f67890123456789abcdef0", 1)),
		map[string]any{"allow_unsigned": true}, qkCode(qkExpect(func() map[string]any {
			b := clone(basic)
			b["machine_id"] = "a1b2c3d4e5f67890123456789abcdef0"
			return b
		}(), qkNow, false), "expired"))
	return tests
}
