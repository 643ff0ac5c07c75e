package verify

import (
	"time"
)

// Accessors the license formats need beyond those of fields.go.

// licUTC returns a member holding an RFC 3339 UTC time. A required member
// that is absent is CodeMissingField; null is accepted (ok false) only when
// nullable.
func (f fields) licUTC(name string, required, nullable bool) (t time.Time, ok bool, err *Error) {
	if nullable && f.isNull(name) {
		return time.Time{}, false, nil
	}
	s, ok, err := f.str(name, required)
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	t, err = licParseUTC(name, s)
	if err != nil {
		return time.Time{}, false, err
	}
	return t, true, nil
}

// licHash returns a member that is absent, null, "" or a fingerprint hash
// "sha256:<64 lowercase hex>"; the first three mean no hash (""), as a
// status proof's binding_hash "" does: Python issuers write "" for a hash
// not set yet.
func (f fields) licHash(name string) (string, *Error) {
	v, ok, err := f.optStr(name)
	if err != nil || !ok || v == "" {
		return "", err
	}
	if !isFingerprintHash(v) {
		return "", fail(CodeInvalidField, "%s %q is not sha256:<64 lowercase hex>", name, truncate(v))
	}
	return v, nil
}

// licDays returns an optional day count in [min, licenseMaxDays], or def
// when the member is absent. null is not absent: it is CodeInvalidField.
func (f fields) licDays(name string, def, min int64) (int64, *Error) {
	v, ok, err := f.integer(name, false, min)
	if err != nil {
		return 0, err
	}
	if !ok {
		return def, nil
	}
	if v > licenseMaxDays {
		return 0, fail(CodeInvalidField, "%s is %d, above the maximum %d", name, v, licenseMaxDays)
	}
	return v, nil
}

// licStrPtr is optStr returning nil for absent and null.
func (f fields) licStrPtr(name string) (*string, *Error) {
	v, ok, err := f.optStr(name)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}
