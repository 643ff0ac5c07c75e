//! What the tests share: the repository, native Go's responses, the
//! vectors as frames (wasm/ABI.md, "Running the test vectors").

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Native Go's response text to every vector, by id: the file
/// `LICVERIFY_NATIVE` names (run-tests.sh writes it fresh each run), else
/// rust/target/native.json, written here with the command every runner
/// uses (`go run ./internal/cmd/nativeresponses`) when it is missing.
pub fn native() -> &'static HashMap<String, String> {
    static N: OnceLock<HashMap<String, String>> = OnceLock::new();
    N.get_or_init(|| {
        let path = std::env::var_os("LICVERIFY_NATIVE")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join("rust/target/native.json"));
        if !path.is_file() {
            let st = Command::new("go")
                .args(["run", "./internal/cmd/nativeresponses", "-out"])
                .arg(&path)
                .current_dir(repo())
                .status()
                .expect("go is needed for native Go's responses (go run ./internal/cmd/nativeresponses)");
            assert!(st.success(), "go run ./internal/cmd/nativeresponses failed");
        }
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    })
}

#[derive(Deserialize)]
struct File {
    schema: String,
    tests: Vec<RawTest>,
}

#[derive(Deserialize)]
struct RawTest {
    id: String,
    request: Box<RawValue>,
    expected: Value,
    #[serde(default)]
    pad: Option<Pad>,
}

#[derive(Deserialize)]
struct Pad {
    member: String,
    to: usize,
}

/// One vector, split into what a frame carries.
pub struct Vector {
    pub id: String,
    pub op: String,
    /// The header's members other than op, as their raw JSON text
    /// (whitespace between tokens removed, tokens as spelled), by name.
    pub header: BTreeMap<String, String>,
    /// The parts, in the order of the request's members (sorted by
    /// name), each bytes[] item a part.
    pub parts: Vec<(String, Vec<u8>)>,
    pub expected: Value,
}

impl Vector {
    /// The frame native Go builds: `{"op":...` then the members sorted by
    /// name, no whitespace.
    pub fn frame(&self) -> Vec<u8> {
        let mut h = format!("{{\"op\":{}", Value::String(self.op.clone()));
        for (k, v) in &self.header {
            h.push_str(&format!(",{}:{}", Value::String(k.clone()), v));
        }
        h.push('}');
        let parts: Vec<(&str, &[u8])> = self.parts.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
        licverify::encode_frame(h.as_bytes(), &parts).unwrap()
    }

    pub fn part(&self, name: &str) -> Option<&[u8]> {
        self.parts.iter().find(|(n, _)| n == name).map(|(_, d)| d.as_slice())
    }

    pub fn parts_named(&self, name: &str) -> Vec<&[u8]> {
        self.parts.iter().filter(|(n, _)| n == name).map(|(_, d)| d.as_slice()).collect()
    }
}

/// A JSON value's text without insignificant whitespace, every token kept
/// as spelled (escapes, number spelling): parsing and writing again could
/// repair what the module must refuse.
pub fn strip_ws(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut in_str, mut esc) = (false, false);
    for c in raw.chars() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            if c == '"' {
                in_str = true;
            }
            out.push(c);
        }
    }
    out
}

fn is_part(table: &Value, op: &str, name: &str) -> bool {
    let kind = &table["ops"][op]["members"][name]["kind"];
    kind == "bytes" || kind == "bytes[]"
}

/// Every vector of testvectors/*.json, files in name order.
pub fn vectors() -> Vec<Vector> {
    let table: Value = serde_json::from_str(licverify::OPS_JSON).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("testvectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::new();
    for f in files {
        let file: File = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        assert_eq!(file.schema, "licverify-vectors-v2", "{}", f.display());
        for t in file.tests {
            let members: BTreeMap<String, Box<RawValue>> = serde_json::from_str(t.request.get()).unwrap();
            let op: String = serde_json::from_str(members["op"].get()).unwrap();
            let mut v =
                Vector { id: t.id, op: op.clone(), header: BTreeMap::new(), parts: Vec::new(), expected: t.expected };
            for (name, raw) in &members {
                if name == "op" {
                    continue;
                }
                let (base, is_b64) = match name.strip_suffix("_b64") {
                    Some(b) => (b, true),
                    None => (name.as_str(), false),
                };
                if !is_part(&table, &op, base) {
                    v.header.insert(name.clone(), strip_ws(raw.get()));
                    continue;
                }
                let val: Value = serde_json::from_str(raw.get()).unwrap();
                let items = match val {
                    Value::Array(a) => a,
                    s => vec![s],
                };
                for item in items {
                    let s = item.as_str().unwrap_or_else(|| panic!("{}: part {name} is not a string", v.id));
                    let data = if is_b64 { b64.decode(s).unwrap() } else { s.as_bytes().to_vec() };
                    v.parts.push((base.to_string(), data));
                }
            }
            if let Some(p) = t.pad {
                let part = v.parts.iter_mut().find(|(n, _)| *n == p.member).expect("pad: no such part");
                assert!(part.1.len() <= p.to, "{}: pad: part already longer", v.id);
                part.1.resize(p.to, b'\t');
            }
            out.push(v);
        }
    }
    out
}

/// ABI.md "Running the test vectors": the response checked against the
/// vector's expected value. Returns a description of the mismatch.
pub fn check_expected(expected: &Value, response: &[u8]) -> Result<(), String> {
    let resp: Value = serde_json::from_slice(response).map_err(|e| format!("response not JSON: {e}"))?;
    let obj = resp.as_object().ok_or("response not an object")?;
    let err = |what: &str| Err(format!("{what}: {}", String::from_utf8_lossy(response)));
    match expected.get("error").and_then(Value::as_str) {
        Some("bad_request") => {
            if expected.as_object().unwrap().len() != 1 {
                return err("a bad_request expectation has other members");
            }
            if obj.len() != 1 || !obj["error"].as_str().is_some_and(|e| e.starts_with("licverify: bad request: ")) {
                return err("want a bad request");
            }
        }
        Some("keyring") => {
            if obj.len() != 2
                || !obj.get("error").and_then(Value::as_str).is_some_and(|e| e.starts_with("licverify: keyring: "))
                || obj.get("code") != expected.get("code")
            {
                return err("want a keyring error with its code");
            }
        }
        Some(other) => return Err(format!("unknown expected error {other:?}")),
        None => {
            if !obj.get("message").and_then(Value::as_str).is_some_and(|m| !m.is_empty()) {
                return err("message must be a non-empty string");
            }
            let mut less = obj.clone();
            less.remove("message");
            let mut less = Value::Object(less);
            drop_nested_messages(&mut less);
            if less != *expected {
                return err(&format!("response less message differs from expected {expected}"));
            }
            if obj["valid"].as_bool() != Some(obj["code"] == "ok") {
                return err("valid must be true exactly when code is ok");
            }
        }
    }
    Ok(())
}

/// A serialized typed result less its absent (null) members, at the top,
/// in lookups and in the results `plan` nests (`proof`, `set`): the module
/// omits an absent claim, so this must equal the response's JSON value (a
/// license's state, kept as the module wrote it, has nulls of its own, and
/// `accept`'s `result` is the module's own JSON).
pub fn without_nulls(v: Value) -> Value {
    let strip = |v: Value| match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        v => v,
    };
    match strip(v) {
        Value::Object(mut m) => {
            if let Some(Value::Array(a)) = m.remove("lookups") {
                m.insert("lookups".into(), Value::Array(a.into_iter().map(strip).collect()));
            }
            for nested in ["proof", "set", "refresh_proof", "sync_set"] {
                if let Some(x @ Value::Object(_)) = m.remove(nested) {
                    m.insert(nested.into(), without_nulls(x));
                }
            }
            Value::Object(m)
        }
        v => v,
    }
}

/// One verifier for a test binary, compiled (or loaded from the cache)
/// once; two instances, as the machine has two cores.
pub fn verifier() -> &'static licverify::Verifier {
    static V: OnceLock<licverify::Verifier> = OnceLock::new();
    V.get_or_init(|| licverify::Verifier::builder().max_instances(2).build().unwrap())
}

/// Drops, in place, the `message` of every result nested in `v` (an object
/// with a `valid` member, as the lifecycle ops answer): it is for people,
/// as the response's own is (wasm/ABI.md, "Running the test vectors").
fn drop_nested_messages(v: &mut Value) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(drop_nested_messages),
        Value::Object(o) => {
            if o.contains_key("valid") {
                o.remove("message");
            }
            o.values_mut().for_each(drop_nested_messages);
        }
        _ => {}
    }
}
