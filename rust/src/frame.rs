//! Request frames (wasm/ABI.md, "Requests: frames"), built from the one
//! table of ops, `ops.json` (a copy of internal/api/ops.json that
//! `make wasm` writes beside the module).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::Error;

/// The frame's first four bytes.
pub const MAGIC: &[u8; 4] = b"LVR2";

/// The largest request the module accepts, in bytes (72 MiB): the largest
/// document any op takes (a 64 MiB revocation set) and an 8 MiB envelope.
pub const MAX_REQUEST: usize = 72 << 20;

/// The largest header, in bytes (4 MiB).
pub const MAX_HEADER: usize = 4 << 20;

/// The table of ops as the module was built with it.
pub const OPS_JSON: &str = include_str!("../ops.json");

#[derive(Deserialize)]
pub(crate) struct Table {
    pub(crate) abi_version: i32,
    pub(crate) ops: BTreeMap<String, OpSpec>,
}

#[derive(Deserialize)]
pub(crate) struct OpSpec {
    pub(crate) members: BTreeMap<String, MemberSpec>,
}

#[derive(Deserialize)]
pub(crate) struct MemberSpec {
    pub(crate) kind: String,
}

impl MemberSpec {
    /// Whether the member travels as a part (kinds `bytes` and `bytes[]`)
    /// rather than in the header.
    pub(crate) fn is_part(&self) -> bool {
        self.kind == "bytes" || self.kind == "bytes[]"
    }
}

pub(crate) fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    // The table is compiled in and its parse is tested: it cannot fail at
    // run time unless the crate itself was built from a broken copy.
    T.get_or_init(|| serde_json::from_str(OPS_JSON).expect("ops.json is the crate's own table"))
}

/// A request to the module: an op, its header members and its parts,
/// checked against the table of ops when encoded. The typed methods of
/// [`Verifier`](crate::Verifier) build these; build one yourself to send
/// an op through [`Verifier::call`](crate::Verifier::call).
///
/// ```
/// use licverify::Request;
///
/// let frame = Request::new("canonicalize")
///     .part("document", br#"{"b":1,"a":2}"#.to_vec())
///     .encode()?;
/// assert_eq!(&frame[..4], b"LVR2");
///
/// // A member the op does not have is refused before anything is sent.
/// assert!(Request::new("canonicalize").header("now", "2026-01-01T00:00:00Z").encode().is_err());
/// # Ok::<(), licverify::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    op: String,
    header: BTreeMap<String, Value>,
    parts: Vec<(String, Vec<u8>)>,
}

impl Request {
    /// A request for `op` (a key of ops.json's `ops`).
    pub fn new(op: &str) -> Request {
        Request { op: op.to_string(), header: BTreeMap::new(), parts: Vec::new() }
    }

    /// Sets a header member (kinds `string`, `strings`, `time`, `int`,
    /// `bool`, `handle`) to a JSON value.
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Request {
        self.header.insert(name.to_string(), value.into());
        self
    }

    /// Adds a part (kind `bytes` once, `bytes[]` once per item, in order):
    /// a document's bytes exactly as the caller has them.
    pub fn part(mut self, name: &str, data: impl Into<Vec<u8>>) -> Request {
        self.parts.push((name.to_string(), data.into()));
        self
    }

    pub(crate) fn header_opt(self, name: &str, value: Option<impl Into<Value>>) -> Request {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    pub(crate) fn part_opt(self, name: &str, data: Option<&[u8]>) -> Request {
        match data {
            Some(d) => self.part(name, d),
            None => self,
        }
    }

    pub(crate) fn set_header(&mut self, name: &str, value: Value) {
        self.header.insert(name.to_string(), value);
    }

    /// The op's name.
    pub fn op(&self) -> &str {
        &self.op
    }

    /// The frame: `LVR2`, the header's length, the header (`op` first,
    /// then the members sorted by name, as native Go writes it), the
    /// parts. A member the table does not list for the op, or one sent
    /// as a part that the table puts in the header (or the reverse), is
    /// [`Error::BadRequest`]; the module checks every value's bounds.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let bad = |m: String| Err(Error::BadRequest(format!("licverify: bad request: {m}")));
        let Some(spec) = table().ops.get(&self.op) else {
            return bad(format!("unknown op {:?} (internal/api/ops.json)", self.op));
        };
        let mut header = String::from("{\"op\":");
        header.push_str(&Value::String(self.op.clone()).to_string());
        for (name, value) in &self.header {
            match spec.members.get(name) {
                Some(m) if !m.is_part() => {}
                Some(_) => return bad(format!("{} is a part of op {}, not a header member", name, self.op)),
                None => return bad(format!("op {} has no member {name:?}", self.op)),
            }
            header.push(',');
            header.push_str(&Value::String(name.clone()).to_string());
            header.push(':');
            header.push_str(&value.to_string());
        }
        header.push('}');
        for (name, _) in &self.parts {
            match spec.members.get(name) {
                Some(m) if m.is_part() => {}
                Some(_) => return bad(format!("{name} is a header member of op {}, not a part", self.op)),
                None => return bad(format!("op {} has no member {name:?}", self.op)),
            }
        }
        let parts: Vec<(&str, &[u8])> = self.parts.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
        encode_frame(header.as_bytes(), &parts)
    }
}

/// Frames a header's JSON text and parts as they are, without consulting
/// the table (for runners that must send exactly a given header, such as
/// the test vectors' "as spelled" tokens). Fails only on what a frame
/// cannot carry: a header over 4 MiB, a name of 0 or more than 64 bytes,
/// a part over 4 GiB.
pub fn encode_frame(header: &[u8], parts: &[(&str, &[u8])]) -> Result<Vec<u8>, Error> {
    let bad = |m: String| Err(Error::BadRequest(format!("licverify: bad request: {m}")));
    if header.len() > MAX_HEADER {
        return bad(format!("header is {} bytes, limit is {MAX_HEADER}", header.len()));
    }
    let size = 8 + header.len() + parts.iter().map(|(n, d)| 5 + n.len() + d.len()).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header);
    for (name, data) in parts {
        if name.is_empty() || name.len() > 64 || !name.is_ascii() {
            return bad(format!("part name {name:?} is not 1 to 64 ASCII bytes"));
        }
        let Ok(n) = u32::try_from(data.len()) else {
            return bad(format!("part {name} is {} bytes", data.len()));
        };
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(data);
    }
    Ok(out)
}

/// The module's answer to a frame larger than any request: its `alloc`
/// refuses a buffer that large, so the bad request native Go gives is
/// answered here, and every runtime answers the same.
pub(crate) fn oversized_response(size: usize) -> Option<Vec<u8>> {
    if size <= MAX_REQUEST {
        return None;
    }
    let msg = format!("licverify: bad request: request is {size} bytes, limit is {MAX_REQUEST}");
    Some(serde_json::json!({ "error": msg }).to_string().into_bytes())
}
