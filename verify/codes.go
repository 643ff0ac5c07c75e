package verify

import (
	"errors"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/msg"
)

// Code is a stable, machine-readable result code. The same strings appear in
// Go results, in the result JSON of every runtime and in the test vectors.
type Code string

// The result codes of the licverify specification. A result with CodeOK is
// the only valid one.
const (
	CodeOK                 Code = "ok"
	CodeMalformedJSON      Code = "malformed_json"
	CodeDuplicateKey       Code = "duplicate_key"
	CodeInputTooLarge      Code = "input_too_large"
	CodeMissingField       Code = "missing_field"
	CodeInvalidField       Code = "invalid_field"
	CodeUnsupportedSchema  Code = "unsupported_schema"
	CodeUnsupportedAlg     Code = "unsupported_alg"
	CodeMalformedSignature Code = "malformed_signature"
	CodeWeakKey            Code = "weak_key"
	CodeSignatureMissing   Code = "signature_missing"
	CodeUnknownKey         Code = "unknown_key"
	CodeKeyNotValid        Code = "key_not_valid"
	CodeBadSignature       Code = "bad_signature"
	CodeNotYetValid        Code = "not_yet_valid"
	CodeProofExpired       Code = "proof_expired"
	CodeTTLTooLong         Code = "ttl_too_long"
	CodeLicenseMismatch    Code = "license_mismatch"
	CodeProductMismatch    Code = "product_mismatch"
	CodeDeviceRequired     Code = "device_required"
	CodeDeviceMismatch     Code = "device_mismatch"
	CodeEpochRollback      Code = "epoch_rollback"
	CodeRevoked            Code = "revoked"
	CodeSuspended          Code = "suspended"
	CodeExpired            Code = "expired"
	CodeTrialExpired       Code = "trial_expired"
	CodeSetExpired         Code = "set_expired"
	CodeDeltaBaseMismatch  Code = "delta_base_mismatch"
	CodeOfflineTooLong     Code = "offline_too_long"
	CodeDecryptFailed      Code = "decrypt_failed"
	// CodeClockRollback blocks a license that is still within its term
	// by the host's clock but past it by the clock guard's trusted time
	// (a clock that ran ahead once, or was set back after running later).
	// A successful online check ([LicenseOptions.ServerTime]) resets the
	// guard.
	CodeClockRollback Code = "clock_rollback"
	// CodeProofMissing is the lifecycle verdict when no status proof is
	// cached ([Plan]).
	CodeProofMissing Code = "proof_missing"
	// CodeNotNewer refuses a fetched document that verifies but is older
	// than the cached one, which is kept ([Accept]).
	CodeNotNewer Code = "not_newer"
)

// Codes lists every result code, in the order of the specification.
var Codes = []Code{
	CodeOK, CodeMalformedJSON, CodeDuplicateKey, CodeInputTooLarge,
	CodeMissingField, CodeInvalidField, CodeUnsupportedSchema, CodeUnsupportedAlg,
	CodeMalformedSignature, CodeWeakKey, CodeSignatureMissing, CodeUnknownKey, CodeKeyNotValid,
	CodeBadSignature, CodeNotYetValid, CodeProofExpired, CodeTTLTooLong,
	CodeLicenseMismatch, CodeProductMismatch, CodeDeviceRequired, CodeDeviceMismatch,
	CodeEpochRollback, CodeRevoked, CodeSuspended, CodeExpired, CodeTrialExpired,
	CodeSetExpired, CodeDeltaBaseMismatch, CodeOfflineTooLong, CodeDecryptFailed,
	CodeClockRollback, CodeProofMissing, CodeNotNewer,
}

// Error is a rejection with its result code. Verifiers turn it into a
// [Result]; functions that return an error return this type for everything
// but API misuse ([ErrMisuse]).
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return "verify: " + string(e.Code) + ": " + e.Message }

// ErrMisuse is wrapped by errors caused by the caller rather than by the
// input being verified: a nil keyring, a zero time, an unknown option.
var ErrMisuse = errors.New("verify: misuse")

func misuse(format string, args ...any) error {
	return msg.Errorf("%w: "+format, append([]any{ErrMisuse}, args...)...)
}

func fail(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: msg.Sprintf(format, args...)}
}

// asError converts any error from canonical or this package into an *Error.
func asError(err error) *Error {
	var ve *Error
	if errors.As(err, &ve) {
		return ve
	}
	var ce *canonical.Error
	if errors.As(err, &ce) {
		return &Error{Code: Code(ce.Code), Message: ce.Error()}
	}
	return &Error{Code: CodeMalformedJSON, Message: err.Error()}
}

// Result is the part every verification result shares. Valid is true only
// with CodeOK; a false Valid is a normal answer, not an error.
type Result struct {
	Valid   bool   `json:"valid"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// ok returns a valid Result.
func ok(message string) Result { return Result{Valid: true, Code: CodeOK, Message: message} }

// rejected returns the Result for err.
func rejected(err error) Result {
	e := asError(err)
	return Result{Valid: false, Code: e.Code, Message: e.Message}
}

// Rejected returns the Result a verifier would give for err, an error from
// [ParseKeyring] or from this package.
func Rejected(err error) Result { return rejected(err) }
