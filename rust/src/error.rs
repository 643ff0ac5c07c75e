use std::fmt;

use crate::Code;

/// Why a call gave no result. A verification that fails is not an error:
/// it is a result whose `valid` is false and whose `code` says why.
///
/// The kinds follow wasm/ABI.md's responses: a request the module cannot
/// act on, a keyring that does not load (the host's configuration, never
/// a result that would look like a bad document), and the module failing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The module's `{"error": "licverify: bad request: ..."}` (an unknown
    /// op or member, a value out of bounds, an empty option), with its
    /// text; or a request this crate refused before sending it for the
    /// same reasons.
    BadRequest(String),
    /// The keyring does not load: `code` is the result code the problem
    /// has (`weak_key`, `unsupported_alg`, `malformed_json`, ...), as the
    /// module's `{"error": "licverify: keyring: ...", "code": ...}` says.
    Keyring {
        /// The problem's result code.
        code: Code,
        /// The module's text, starting `licverify: keyring: `.
        message: String,
    },
    /// The module trapped, exited, ran out of its memory limit, or
    /// reported an internal error, on a fresh instance too: the request
    /// itself brings it down. The text holds what the module wrote to fd 2.
    Crash(String),
    /// The verifier, or the loaded revocation set, was closed.
    Closed,
    /// The module cannot be used: it does not compile, lacks an export,
    /// or speaks another ABI version.
    Module(String),
    /// A loaded revocation set that did not verify holds nothing to look
    /// up: its `result()` says why (the code here).
    NotLoaded(Code),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadRequest(m) | Error::Crash(m) | Error::Module(m) => f.write_str(m),
            Error::Keyring { message, .. } => f.write_str(message),
            Error::Closed => f.write_str("licverify: closed"),
            Error::NotLoaded(code) => {
                write!(f, "licverify: the revocation set was not loaded: {code}")
            }
        }
    }
}

impl std::error::Error for Error {}
