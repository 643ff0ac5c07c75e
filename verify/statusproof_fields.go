package verify

import "time"

// Accessors the status proof and revocation formats need beyond those of
// fields.go.

// maxEpoch is 2^53: epochs are integers every runtime holds exactly
// (formats.md §0), so a larger one is refused rather than compared wrongly
// in a JavaScript host.
const maxEpoch = 1 << 53

// spPresent reports whether name is present and not null. Optional members
// may be written as null by issuers whose serializers emit every field;
// null then means the same as absent.
func (f fields) spPresent(name string) bool {
	return f.has(name) && !f.isNull(name)
}

// spEpoch returns a required epoch: an integer in [0, 2^53].
func (f fields) spEpoch(name string) (int64, *Error) {
	v, _, err := f.integer(name, true, 0)
	if err != nil {
		return 0, err
	}
	if v > maxEpoch {
		return 0, fail(CodeInvalidField, "%s is %d, above 2^53", name, v)
	}
	return v, nil
}

// spArray returns the raw JSON of a member that must be an array. A
// missing member is CodeMissingField when required; absent or null give
// ok false otherwise.
func (f fields) spArray(name string, required bool) (raw []byte, ok bool, err *Error) {
	if !f.has(name) || (!required && f.isNull(name)) {
		if required {
			return nil, false, fail(CodeMissingField, "%s is missing", name)
		}
		return nil, false, nil
	}
	raw = f[name]
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false, fail(CodeInvalidField, "%s is not an array", name)
	}
	return raw, true, nil
}

// Document kinds, for messages about a document of the wrong kind.
const (
	kindProof   = "status proof"
	kindSet     = "full revocation set"
	kindDelta   = "revocation delta"
	kindLicense = "license.key"
	kindQKey    = ".qkey license"
)

// kind guesses what kind of document f is from members only that kind
// has; "" when it cannot tell.
func (f fields) kind() string {
	switch {
	case f.has("since_epoch") || (f.has("added") && f.has("removed")):
		return kindDelta
	case f.has("revoked_ids"):
		return kindSet
	case f.has("license_id") && f.has("checked_at"):
		return kindProof
	case f.has("schema_version") || f.has("signature_alg"):
		return kindLicense
	case f.has("package") && f.has("machine_id"):
		return kindQKey
	}
	return ""
}

// spMissing adds to a missing-member error, for a document expected to be
// of kind want, the kind it looks like instead, so that a wrong-kind
// document gets a clear message and not only "x is missing".
func (f fields) spMissing(err *Error, want string) *Error {
	if err != nil && err.Code == CodeMissingField {
		if k := f.kind(); k != "" && k != want {
			err.Message += " (this looks like a " + k + ", not a " + want + ")"
		}
	}
	return err
}

// claimTime is how a time appears in claims: UTC, so that it marshals
// with "Z" and keeps fractional seconds only when the input had them.
func claimTime(t time.Time) time.Time { return t.UTC() }
