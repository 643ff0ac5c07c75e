//! Typed results: the module's result objects, member for member
//! (wasm/ABI.md, the op sections). `valid` is true exactly when `code` is
//! [`Code::Ok`]; claims are `Some` only once the document's signature has
//! verified. Times are the module's RFC 3339 text in UTC, exactly as it
//! wrote them (nanoseconds included): parse them with the time crate of
//! your choice.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::{Code, Error};

/// What every result has.
pub trait Outcome {
    /// Whether every check passed (`code` is `ok`; for a license, the
    /// decision is run or warn).
    fn valid(&self) -> bool;
    /// The result code: stable, for programs.
    fn code(&self) -> &Code;
    /// A sentence for people; its wording may change, the code does not.
    fn message(&self) -> &str;
}

macro_rules! outcome {
    ($($t:ty),*) => {$(
        impl Outcome for $t {
            fn valid(&self) -> bool { self.valid }
            fn code(&self) -> &Code { &self.code }
            fn message(&self) -> &str { &self.message }
        }
    )*};
}

outcome!(Canonicalized, Fingerprint, StatusProof, RevocationSet, Lookups, License, QKey, Freed);

/// The result of [`Verifier::canonicalize`](crate::Verifier::canonicalize).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Canonicalized {
    /// Whether every check passed: `code` is `ok`.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// The RFC 8785 canonical form; present when valid.
    pub canonical: Option<String>,
}

/// The result of [`Verifier::fingerprint`](crate::Verifier::fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Whether every check passed: `code` is `ok`.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// `"sha256:" + hex(SHA-256(JCS(components)))`: a status proof's
    /// `binding_hash`, a license's `fingerprint_hash`.
    pub binding_hash: Option<String>,
    /// The first 32 hex digits of the same digest: a .qkey's `machine_id`.
    pub machine_id: Option<String>,
}

/// The result of [`Verifier::status_proof`](crate::Verifier::status_proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusProof {
    /// Whether every check passed: `code` is `ok`.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// The license the document is about.
    pub license_id: Option<String>,
    /// `"valid"`, `"revoked"`, `"expired"` or `"grace_period"`.
    pub status: Option<String>,
    /// When the issuer checked the license (RFC 3339, UTC).
    pub checked_at: Option<String>,
    /// The end of the document's validity (RFC 3339, UTC).
    pub valid_until: Option<String>,
    /// The document's anti-rollback epoch.
    pub epoch: Option<u64>,
    /// What the license entitles to, as the issuer wrote it.
    pub entitlements: Option<Vec<String>>,
    /// The kid of the key that verified the proof.
    pub kid: Option<String>,
    /// The signed form the signature is over: `"rfc8785"` or `"python"`
    /// (docs/formats.md, "Signed forms").
    pub signed_form: Option<String>,
    /// Whether the proof is bound to a device.
    pub bound: Option<bool>,
    /// `checked_at` + 75 % of the TTL: when to fetch a fresh proof.
    pub refresh_after: Option<String>,
    /// True for a proof in its grace period (still valid).
    pub grace: Option<bool>,
    /// The epoch to store as the new anti-rollback epoch, once valid.
    pub store_epoch: Option<u64>,
}

/// A license id's status in a revocation set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupStatus {
    /// The set revokes the license.
    Revoked,
    /// The set suspends the license (until `until`, when given).
    Suspended,
    /// The set does not list the license.
    NotRevoked,
}

/// One answer of a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookup {
    /// The license the document is about.
    pub license_id: String,
    /// The license's status as the issuer wrote it.
    pub status: LookupStatus,
    /// The end of a suspension.
    #[serde(default)]
    pub until: Option<String>,
}

/// The result of [`Verifier::revocation_set`](crate::Verifier::revocation_set),
/// of loading a set and of applying deltas to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationSet {
    /// Whether every check passed: `code` is `ok`.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// The document's anti-rollback epoch.
    pub epoch: Option<u64>,
    /// When the document was issued (RFC 3339, UTC).
    pub issued_at: Option<String>,
    /// The end of the document's validity (RFC 3339, UTC).
    pub valid_until: Option<String>,
    /// The id of the key whose signature verified.
    pub kid: Option<String>,
    /// The signed form of the last document applied (the set, or a
    /// chain's last delta): `"rfc8785"` or `"python"`.
    pub signed_form: Option<String>,
    /// How many licenses the set revokes.
    pub revoked_count: Option<u64>,
    /// How many licenses the set suspends.
    pub suspended_count: Option<u64>,
    /// Accepted past `valid_until` because `allow_stale` was set.
    pub stale: Option<bool>,
    /// The epoch to store as the new anti-rollback epoch, once valid.
    pub store_epoch: Option<u64>,
    /// The answers for `lookup`, in request order.
    pub lookups: Option<Vec<Lookup>>,
    /// The module's handle of a loaded set (`revocation_load`,
    /// `revocation_apply`); managed by [`LoadedRevocationSet`](crate::LoadedRevocationSet),
    /// `None` in the results it gives.
    #[serde(skip_serializing)]
    pub(crate) handle: Option<i64>,
}

/// The result of [`LoadedRevocationSet::lookup`](crate::LoadedRevocationSet::lookup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookups {
    /// Whether every check passed: `code` is `ok`.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// The set's epoch (after any deltas applied).
    pub epoch: Option<u64>,
    /// Past `valid_until`, accepted because the set allows stale lookups.
    pub stale: Option<bool>,
    /// One entry per id asked for, in order.
    pub lookups: Option<Vec<Lookup>>,
}

/// `revocation_free`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Freed {
    /// Whether every check passed: `code` is `ok`.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
}

/// What a license's evaluation decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Run.
    Run,
    /// Run, and tell the user (`reasons` says why).
    Warn,
    /// Do not run.
    Block,
}

/// A license.key's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensePolicy {
    /// Days between online checks.
    pub check_interval_days: i64,
    /// Days offline after which the decision is warn.
    pub warn_after_days: i64,
    /// Days offline after which the decision is block (`offline_too_long`).
    pub max_offline_days: i64,
    /// How many times the license may move to another device.
    pub max_transfers: i64,
}

/// The result of [`Verifier::license`](crate::Verifier::license).
/// `decision` and `reasons` are always there, also for a license refused
/// before its evaluation (then [`Decision::Block`] and `[code]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct License {
    /// Whether the license may run: the decision is run or warn.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// Run, warn or block.
    pub decision: Decision,
    /// Everything that applies: blocking codes first, then warnings, then
    /// notices.
    pub reasons: Vec<String>,
    /// The license the document is about.
    pub license_id: Option<String>,
    /// The product the license is for.
    pub product_id: Option<String>,
    /// The customer's id.
    pub customer_id: Option<String>,
    /// The customer's name.
    pub customer_name: Option<String>,
    /// The plan, as the issuer wrote it.
    pub plan: Option<String>,
    /// The license's status as the issuer wrote it.
    pub status: Option<String>,
    /// When the document was issued (RFC 3339, UTC).
    pub issued_at: Option<String>,
    /// When the license expires (RFC 3339, UTC); `None` for a perpetual one.
    pub expires_at: Option<String>,
    /// The end of the update entitlement (RFC 3339, UTC).
    pub updates_until: Option<String>,
    /// The trial's length in days.
    pub trial_days: Option<i64>,
    /// When the trial ends (RFC 3339, UTC).
    pub trial_ends_at: Option<String>,
    /// Whether the document is bound to a device.
    pub bound: Option<bool>,
    /// The device hash the license is bound to (`sha256:<hex>`).
    pub fingerprint_hash: Option<String>,
    /// The signed form the signature is over: `"rfc8785"` or `"python"` (docs/formats.md, "Signed forms").
    pub signed_form: Option<String>,
    /// The license's policy.
    pub policy: Option<LicensePolicy>,
    /// max(now, the state's `last_seen_time`): every decision is taken at
    /// this time.
    pub trusted_time: Option<String>,
    /// Whole days from `trusted_time` to `expires_at`.
    pub days_to_expiry: Option<i64>,
    /// Whole days since the last successful online check.
    pub days_offline: Option<i64>,
    /// Whether an online check is due.
    pub check_due: Option<bool>,
    /// Whether updates cover `release_date` (when it was given).
    pub update_allowed: Option<bool>,
    /// The new license.state.json, as the module wrote it: write these
    /// bytes (atomically) and pass them back as `state` next time.
    #[serde(default, deserialize_with = "raw_json", serialize_with = "raw_json_out")]
    pub state: Option<String>,
}

/// The result of [`Verifier::qkey`](crate::Verifier::qkey).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QKey {
    /// Whether every check passed: `code` is `ok`.
    pub valid: bool,
    /// The result code (docs/formats.md): stable, for programs.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// The package the license is for.
    pub package: Option<String>,
    /// The licensed user.
    pub user: Option<String>,
    /// The machine id the license is bound to (32 hex digits).
    pub machine_id: Option<String>,
    /// Lower-cased, without duplicates, sorted.
    pub features: Option<Vec<String>>,
    /// When the license was issued (RFC 3339, UTC).
    pub issued: Option<String>,
    /// When the license expires (RFC 3339, UTC).
    pub expires: Option<String>,
    /// Whole days until `expires`.
    pub days_left: Option<i64>,
    /// False only for an unsigned license accepted with `allow_unsigned`.
    pub signed: Option<bool>,
    /// The signed form the signature is over: `"rfc8785"` or `"python"` (docs/formats.md, "Signed forms").
    pub signed_form: Option<String>,
}

impl QKey {
    /// Whether a valid license has `feature`, compared case-insensitively
    /// in ASCII only (the module lower-cases features that way).
    pub fn has(&self, feature: &str) -> bool {
        let want = feature.to_ascii_lowercase();
        self.valid && self.features.as_ref().is_some_and(|f| f.iter().any(|x| *x == want))
    }
}

fn raw_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw: Option<Box<RawValue>> = Option::deserialize(d)?;
    Ok(raw.map(|r| r.get().to_string()))
}

fn raw_json_out<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(text) => {
            let raw = RawValue::from_string(text.clone()).map_err(serde::ser::Error::custom)?;
            raw.serialize(s)
        }
        None => s.serialize_none(),
    }
}

/// The error a response carries, or the result it is.
#[derive(Deserialize)]
struct Probe {
    error: Option<String>,
    code: Option<String>,
}

/// Reads a response: `{"error": ...}` is an [`Error`], anything else the
/// result `T`.
pub(crate) fn parse<T: DeserializeOwned>(resp: &[u8]) -> Result<T, Error> {
    let not_json = |e: serde_json::Error| {
        let head = String::from_utf8_lossy(&resp[..resp.len().min(200)]).into_owned();
        Error::Crash(format!("licverify: the module answered something unexpected ({e}): {head}"))
    };
    let probe: Probe = serde_json::from_slice(resp).map_err(not_json)?;
    if let Some(message) = probe.error {
        return Err(match probe.code {
            Some(code) => Error::Keyring { code: Code::from_name(&code), message },
            None if message.starts_with("internal: ") => Error::Crash(format!("licverify: {message}")),
            None => Error::BadRequest(message),
        });
    }
    serde_json::from_slice(resp).map_err(not_json)
}

/// When to fetch a document and why: `plan`'s `refresh_proof` and
/// `sync_set` (docs/formats.md, "The lifecycle ops").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// When (RFC 3339, UTC); never before the plan's `now`, which means
    /// at once.
    pub at: String,
    /// Why: `missing`, `rejected`, `behind`, `refresh_point`, `deltas`,
    /// `expired`, `interval` or `backoff`.
    pub reason: String,
    /// For the set only: the epoch a delta is asked from; `None` when a
    /// full set is due.
    pub since_epoch: Option<u64>,
}

/// The result of [`Verifier::plan`](crate::Verifier::plan): what holds now
/// and when to fetch each document again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Whether the verdict is `ok`.
    pub valid: bool,
    /// The verdict: `proof_missing`, the proof's own code, `revoked` or
    /// `suspended` by the cached chain, else `ok`.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// The cached proof's result, as `status_proof` answers it.
    pub proof: Option<StatusProof>,
    /// The cached chain's result, as `revocation_set` answers it.
    pub set: Option<RevocationSet>,
    /// The epoch to raise the stored anti-rollback epoch to.
    pub store_epoch: Option<u64>,
    /// When to fetch a status proof.
    pub refresh_proof: Due,
    /// When to sync the revocation set, and from which epoch.
    pub sync_set: Due,
    /// The earlier of the two fetch times (RFC 3339, UTC).
    pub next_at: String,
}

/// The result of [`Verifier::accept`](crate::Verifier::accept): whether a
/// fetched document replaces the cached one, and what to persist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accept {
    /// Whether the verdict on the fetched document is `ok`.
    pub valid: bool,
    /// The fetched document's code, or why it is not taken although it
    /// verifies (`not_newer`, `epoch_rollback`, `delta_base_mismatch`,
    /// `input_too_large`). A taken proof may be a genuine `revoked`.
    pub code: Code,
    /// A sentence for people; its wording may change, `code` does not.
    pub message: String,
    /// Whether the document replaces or extends the cache.
    pub accept: bool,
    /// What to write when taken: `proof`, `set` (replace the base, drop
    /// the deltas) or `delta` (append it).
    pub persist: Option<String>,
    /// The epoch to store once the document is written.
    pub store_epoch: Option<u64>,
    /// The fetched document's full result: a [`StatusProof`]'s JSON for a
    /// proof, a [`RevocationSet`]'s for a set or delta
    /// (`serde_json::from_value` reads it as either).
    pub result: serde_json::Value,
}
