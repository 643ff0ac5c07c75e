//! The result codes of docs/formats.md ("Result codes").

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A result code of docs/formats.md ("Result codes"): the `code` of every
/// result, and of [`Error::Keyring`](crate::Error::Keyring). Stable and
/// meant for programs (the `message` beside it is for people). A module
/// newer than this crate may answer a code this list lacks: that is
/// [`Code::Other`], with the code's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `ok`: every check passed.
    Ok,
    /// `malformed_json`: not strict I-JSON: bad syntax or UTF-8, lone surrogate, trailing data, nesting over 64, an integer beyond ±2^53, a number outside the double range; or input that is neither JSON nor an accepted encoding of it.
    MalformedJson,
    /// `duplicate_key`: an object has the same member name twice, at any depth.
    DuplicateKey,
    /// `input_too_large`: the input exceeds the size limit.
    InputTooLarge,
    /// `missing_field`: a required member is absent; the message names a document of another kind when the input looks like one.
    MissingField,
    /// `invalid_field`: a member has the wrong type or format, or values that contradict each other (e.g. `valid_until` not after the issue time).
    InvalidField,
    /// `unsupported_schema`: `license.key` `schema_version` is not 1.
    UnsupportedSchema,
    /// `unsupported_alg`: `signature_alg` is not `ed25519`, or a keyring key is not Ed25519.
    UnsupportedAlg,
    /// `malformed_signature`: the signature is not base64 of exactly 64 bytes.
    MalformedSignature,
    /// `weak_key`: the keyring holds a key that is not 32 bytes, not canonical, or of small order.
    WeakKey,
    /// `signature_missing`: the document has no `signature` (a `.qkey` may be allowed unsigned by the caller).
    SignatureMissing,
    /// `unknown_key`: the document names a key id the keyring does not have.
    UnknownKey,
    /// `key_not_valid`: the key was outside its `not_before`/`not_after` at the document's issue time.
    KeyNotValid,
    /// `bad_signature`: the signature does not verify: the document was changed, or signed by another key.
    BadSignature,
    /// `not_yet_valid`: the document's issue or check time is later than now plus the skew.
    NotYetValid,
    /// `proof_expired`: now is at or after the status proof's `valid_until`.
    ProofExpired,
    /// `ttl_too_long`: the status proof's lifetime exceeds the maximum (168 h by default).
    TtlTooLong,
    /// `license_mismatch`: the status proof is for another license than the one expected.
    LicenseMismatch,
    /// `product_mismatch`: the license is for another product than the one expected.
    ProductMismatch,
    /// `device_required`: the document is bound to a device and no fingerprint was given.
    DeviceRequired,
    /// `device_mismatch`: the document is bound to another device.
    DeviceMismatch,
    /// `epoch_rollback`: the document's revocation epoch is older than the epoch the host stored.
    EpochRollback,
    /// `revoked`: the license is revoked.
    Revoked,
    /// `suspended`: the license is suspended.
    Suspended,
    /// `expired`: the license has expired.
    Expired,
    /// `trial_expired`: the trial period is over.
    TrialExpired,
    /// `set_expired`: now is at or after the revocation set's (or delta's) `valid_until`, and stale sets were not allowed.
    SetExpired,
    /// `delta_base_mismatch`: a revocation delta does not fit the set it is applied to.
    DeltaBaseMismatch,
    /// `offline_too_long`: the application has not validated online for longer than the policy allows.
    OfflineTooLong,
    /// `decrypt_failed`: a `.qkey` file could not be decrypted: wrong password or a changed byte.
    DecryptFailed,
    /// `clock_rollback`: a license within its term by the host's clock is past it by the clock guard's trusted time: the clock ran ahead once or was set back; a successful online check (`server_time`) resets the guard.
    ClockRollback,
    /// `proof_missing`: no status proof is cached (`plan`, formats.md "The lifecycle ops").
    ProofMissing,
    /// `not_newer`: a fetched document verifies but is older than the cached one, which is kept (`accept`).
    NotNewer,
    /// A code this crate does not know yet, as the module spelt it.
    Other(String),
}

impl Code {
    /// Every code this crate knows, in the order of docs/formats.md.
    pub const ALL: [Code; 33] = [
        Code::Ok,
        Code::MalformedJson,
        Code::DuplicateKey,
        Code::InputTooLarge,
        Code::MissingField,
        Code::InvalidField,
        Code::UnsupportedSchema,
        Code::UnsupportedAlg,
        Code::MalformedSignature,
        Code::WeakKey,
        Code::SignatureMissing,
        Code::UnknownKey,
        Code::KeyNotValid,
        Code::BadSignature,
        Code::NotYetValid,
        Code::ProofExpired,
        Code::TtlTooLong,
        Code::LicenseMismatch,
        Code::ProductMismatch,
        Code::DeviceRequired,
        Code::DeviceMismatch,
        Code::EpochRollback,
        Code::Revoked,
        Code::Suspended,
        Code::Expired,
        Code::TrialExpired,
        Code::SetExpired,
        Code::DeltaBaseMismatch,
        Code::OfflineTooLong,
        Code::DecryptFailed,
        Code::ClockRollback,
        Code::ProofMissing,
        Code::NotNewer,
    ];

    /// The code as the module and the vectors spell it (`"bad_signature"`).
    pub fn as_str(&self) -> &str {
        match self {
            Code::Ok => "ok",
            Code::MalformedJson => "malformed_json",
            Code::DuplicateKey => "duplicate_key",
            Code::InputTooLarge => "input_too_large",
            Code::MissingField => "missing_field",
            Code::InvalidField => "invalid_field",
            Code::UnsupportedSchema => "unsupported_schema",
            Code::UnsupportedAlg => "unsupported_alg",
            Code::MalformedSignature => "malformed_signature",
            Code::WeakKey => "weak_key",
            Code::SignatureMissing => "signature_missing",
            Code::UnknownKey => "unknown_key",
            Code::KeyNotValid => "key_not_valid",
            Code::BadSignature => "bad_signature",
            Code::NotYetValid => "not_yet_valid",
            Code::ProofExpired => "proof_expired",
            Code::TtlTooLong => "ttl_too_long",
            Code::LicenseMismatch => "license_mismatch",
            Code::ProductMismatch => "product_mismatch",
            Code::DeviceRequired => "device_required",
            Code::DeviceMismatch => "device_mismatch",
            Code::EpochRollback => "epoch_rollback",
            Code::Revoked => "revoked",
            Code::Suspended => "suspended",
            Code::Expired => "expired",
            Code::TrialExpired => "trial_expired",
            Code::SetExpired => "set_expired",
            Code::DeltaBaseMismatch => "delta_base_mismatch",
            Code::OfflineTooLong => "offline_too_long",
            Code::DecryptFailed => "decrypt_failed",
            Code::ClockRollback => "clock_rollback",
            Code::ProofMissing => "proof_missing",
            Code::NotNewer => "not_newer",
            Code::Other(s) => s,
        }
    }

    /// The code for its spelling; an unknown one is [`Code::Other`].
    pub fn from_name(s: &str) -> Code {
        match s {
            "ok" => Code::Ok,
            "malformed_json" => Code::MalformedJson,
            "duplicate_key" => Code::DuplicateKey,
            "input_too_large" => Code::InputTooLarge,
            "missing_field" => Code::MissingField,
            "invalid_field" => Code::InvalidField,
            "unsupported_schema" => Code::UnsupportedSchema,
            "unsupported_alg" => Code::UnsupportedAlg,
            "malformed_signature" => Code::MalformedSignature,
            "weak_key" => Code::WeakKey,
            "signature_missing" => Code::SignatureMissing,
            "unknown_key" => Code::UnknownKey,
            "key_not_valid" => Code::KeyNotValid,
            "bad_signature" => Code::BadSignature,
            "not_yet_valid" => Code::NotYetValid,
            "proof_expired" => Code::ProofExpired,
            "ttl_too_long" => Code::TtlTooLong,
            "license_mismatch" => Code::LicenseMismatch,
            "product_mismatch" => Code::ProductMismatch,
            "device_required" => Code::DeviceRequired,
            "device_mismatch" => Code::DeviceMismatch,
            "epoch_rollback" => Code::EpochRollback,
            "revoked" => Code::Revoked,
            "suspended" => Code::Suspended,
            "expired" => Code::Expired,
            "trial_expired" => Code::TrialExpired,
            "set_expired" => Code::SetExpired,
            "delta_base_mismatch" => Code::DeltaBaseMismatch,
            "offline_too_long" => Code::OfflineTooLong,
            "decrypt_failed" => Code::DecryptFailed,
            "clock_rollback" => Code::ClockRollback,
            "proof_missing" => Code::ProofMissing,
            "not_newer" => Code::NotNewer,
            other => Code::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        Ok(Code::from_name(&String::deserialize(d)?))
    }
}
