//! Offline verification of signed software licenses and license status
//! proofs, with the same answers as every other licverify runtime: this
//! crate runs the one licverify WebAssembly module (embedded, built from
//! the repository's Go sources) under wasmtime.
//!
//! For most uses, make one [`Verifier`] per process, share it between
//! threads, and call its typed methods:
//!
//! - [`Verifier::status_proof`]: a license status proof (signed, short-lived);
//! - [`Verifier::revocation_set`] and [`Verifier::load_revocation_set`]: a
//!   revocation set and its deltas, with lookups;
//! - [`Verifier::license`]: a license.key with its license.state.json;
//! - [`Verifier::qkey`]: a QuantumMeta .qkey file;
//! - [`Verifier::canonicalize`], [`Verifier::fingerprint`]: RFC 8785 and
//!   the device binding hash.
//!
//! Documents and keyrings are bytes (`&[u8]`, `&str`, `Vec<u8>`: anything
//! `AsRef<[u8]>`), handed to the module exactly as they are. Times are
//! RFC 3339 strings; every decision uses the `now` given, never a clock
//! ([`rfc3339`] formats a [`SystemTime`](std::time::SystemTime)).
//!
//! # Results and errors
//!
//! A document that fails verification is a result, not an error: `valid`
//! is false and `code` ([`Code`]) says why, with a `message` for people.
//! [`Error`] is for what is not the document's fault: a request the module
//! cannot act on ([`Error::BadRequest`]), a keyring that does not load
//! ([`Error::Keyring`], with its code), the module failing
//! ([`Error::Crash`]).
//!
//! ```
//! use licverify::{Code, StatusProofOptions, Verifier};
//!
//! let v = Verifier::new()?;
//! let keys = r#"[{"kid":"k1","alg":"ed25519","public_key":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}]"#;
//! let r = v.status_proof(r#"{"license_id":"L-1"}"#, keys, "2026-01-01T00:00:00Z", &StatusProofOptions::default())?;
//! assert!(!r.valid);
//! assert_eq!(r.code, Code::SignatureMissing); // an unsigned document
//! # Ok::<(), licverify::Error>(())
//! ```
//!
//! # The module
//!
//! [`Verifier::call`] takes a raw request frame (wasm/ABI.md) and answers
//! the module's response bytes; [`Request`] builds frames from the table
//! of ops ([`OPS_JSON`]). The compiled module is cached on disk between
//! processes, under the rules of RATIONALE.md ("A compilation cache is
//! code"); see [`Builder::cache_dir`].

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod cache;
mod code;
mod error;
mod frame;
mod results;
mod revocation;
mod runtime;
mod time;
mod verifier;

pub use code::Code;
pub use error::Error;
pub use frame::{encode_frame, Request, MAX_REQUEST, OPS_JSON};
pub use results::{
    Accept, Canonicalized, Decision, Due, Fingerprint, License, LicensePolicy, Lookup, LookupStatus, Lookups, Outcome,
    Plan, QKey, RevocationSet, StatusProof,
};
pub use revocation::{ApplyOptions, LoadedRevocationSet};
pub use time::rfc3339;
pub use verifier::{
    AcceptOptions, Builder, LicenseOptions, LoadInfo, PlanOptions, QKeyOptions, RevocationOptions, StatusProofOptions,
    Verifier, DEFAULT_MEMORY_LIMIT, WASM,
};

#[doc(hidden)]
pub mod testing {
    //! For this crate's tests only: not part of the API.
    use crate::{Error, Verifier};

    /// Makes one pooled instance trap for real, as a crash would, and
    /// returns the error it gave; the pool discards it.
    pub fn trap_one_instance(v: &Verifier) -> Error {
        v.inner.trap_for_test()
    }

    /// Makes a loaded set's instance trap for real; `None` when it holds
    /// no instance.
    pub fn trap_loaded_set(set: &crate::LoadedRevocationSet) -> Option<Error> {
        set.trap_for_test()
    }

    /// The compilation cache's secret's file name and an entry's name.
    pub fn cache_names() -> (&'static str, String) {
        use sha2::Digest;
        let d: [u8; 32] = sha2::Sha256::digest(crate::WASM).into();
        (crate::cache::SECRET_NAME, crate::cache::entry_name(&d))
    }

    /// Checks (and creates) a cache directory and its secret as a
    /// verifier does: its resolved path, or why it is refused.
    pub fn open_cache(dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
        crate::cache::CacheDir::open(dir).map(|c| c.path().to_path_buf())
    }

    /// The wasmtime version in the cache's entry names.
    pub const WASMTIME_VERSION: &str = crate::cache::WASMTIME_VERSION;
}

/// The README's examples, compiled by `cargo test` (those marked `no_run`
/// are compiled, not run).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
