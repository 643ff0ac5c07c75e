//! Every vector of testvectors/*.json through the embedded module on
//! wasmtime: as a raw frame, the response must be byte-identical to native
//! Go's and match the vector's expected value; through the typed API, for
//! every vector it can express, the result must equal that response, with
//! documents given as bytes and as strings.

mod common;

use std::collections::BTreeMap;

use licverify::{
    AcceptOptions, ApplyOptions, Error, LicenseOptions, PlanOptions, QKeyOptions, RevocationOptions,
    StatusProofOptions, Verifier,
};
use serde::Serialize;
use serde_json::Value;

use common::{check_expected, native, vectors, verifier, without_nulls, Vector};

#[test]
fn vectors_raw_frames_equal_native_go() {
    let native = native();
    let v = verifier();
    let all = vectors();
    let mut ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
    ids.sort();
    let mut want: Vec<&str> = native.keys().map(String::as_str).collect();
    want.sort();
    assert_eq!(ids, want, "the vector ids and nativeresponses' ids differ");

    let mut failures = Vec::new();
    for t in &all {
        let got = match v.call(&t.frame()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", t.id));
                continue;
            }
        };
        if got != native[&t.id].as_bytes() {
            failures.push(format!(
                "{}: differs from native Go\n  rust:   {}\n  native: {}",
                t.id,
                String::from_utf8_lossy(&got),
                native[&t.id]
            ));
        }
        if let Err(e) = check_expected(&t.expected, &got) {
            failures.push(format!("{}: {e}", t.id));
        }
    }
    println!("vectors (raw frames): {} of {} identical to native Go", all.len() - failures.len(), all.len());
    assert!(failures.is_empty(), "{} vectors failed:\n{}", failures.len(), failures.join("\n"));
}

/// The header members of a vector as the typed API's arguments; `None`
/// when a member is not what the typed API can send (a lone surrogate, a
/// null, a number out of range, a member the op does not have: vectors of
/// requests only a raw frame can make).
struct Header(BTreeMap<String, Value>);

impl Header {
    fn of(t: &Vector, allowed: &[&str]) -> Option<Header> {
        let mut m = BTreeMap::new();
        for (k, raw) in &t.header {
            if !allowed.contains(&k.as_str()) {
                return None;
            }
            let v: Value = serde_json::from_str(raw).ok()?;
            if v.is_null() {
                return None;
            }
            m.insert(k.clone(), v);
        }
        Some(Header(m))
    }
    fn str(&self, k: &str) -> Result<Option<&str>, ()> {
        match self.0.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(()),
        }
    }
    fn u64(&self, k: &str) -> Result<Option<u64>, ()> {
        match self.0.get(k) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or(()),
        }
    }
    fn flag(&self, k: &str) -> Result<bool, ()> {
        match self.0.get(k) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(()),
        }
    }
    fn strs(&self, k: &str) -> Result<Vec<&str>, ()> {
        match self.0.get(k) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a.iter().map(|x| x.as_str().ok_or(())).collect(),
            Some(_) => Err(()),
        }
    }
}

/// The typed result as the JSON the module wrote, or the error.
fn json<T: Serialize>(r: Result<T, Error>) -> Result<Value, Error> {
    r.map(|x| without_nulls(serde_json::to_value(x).unwrap()))
}

/// Runs a vector through the typed method of its op, documents converted
/// by `doc` (to bytes or to a string; `None` when it cannot be).
fn typed<'a, D: AsRef<[u8]>>(
    v: &Verifier,
    t: &'a Vector,
    doc: impl Fn(&'a [u8]) -> Option<D>,
) -> Option<Result<Value, Error>> {
    let h = |allowed: &[&str]| Header::of(t, allowed);
    // A part the typed API takes as a document, or None to skip the vector.
    let part = |name: &str| -> Option<Option<D>> {
        match t.part(name) {
            None => Some(None),
            Some(p) => doc(p).map(Some),
        }
    };
    // The typed API sends each document once (deltas aside) and only the
    // op's parts: a vector with a part twice or a stray one is raw-only.
    let only_parts = |allowed: &[&str]| {
        t.parts.iter().all(|(n, _)| allowed.contains(&n.as_str()))
            && t.parts.iter().all(|(n, _)| n == "deltas" || t.parts.iter().filter(|(m, _)| m == n).count() == 1)
    };
    Some(match t.op.as_str() {
        "canonicalize" => {
            let h = h(&["limit"])?;
            let d = part("document")?;
            if !only_parts(&["document"]) {
                return None;
            }
            json(v.canonicalize(d?, h.u64("limit").ok()?))
        }
        "fingerprint" => {
            h(&[])?;
            if !only_parts(&["components"]) {
                return None;
            }
            json(v.fingerprint(part("components")??))
        }
        "status_proof" => {
            let h = h(&["now", "license_id", "min_epoch", "max_ttl_seconds", "skew_seconds", "limit"])?;
            if !only_parts(&["proof", "keys", "fingerprint"]) {
                return None;
            }
            let opts = StatusProofOptions {
                license_id: h.str("license_id").ok()?,
                fingerprint: t.part("fingerprint"),
                min_epoch: h.u64("min_epoch").ok()?,
                max_ttl_seconds: h.u64("max_ttl_seconds").ok()?,
                skew_seconds: h.u64("skew_seconds").ok()?,
                limit: h.u64("limit").ok()?,
            };
            json(v.status_proof(part("proof")??, part("keys")??, h.str("now").ok()??, &opts))
        }
        "revocation_set" => {
            let h = h(&["now", "min_epoch", "allow_stale", "skew_seconds", "limit", "lookup"])?;
            if !only_parts(&["set", "keys", "deltas"]) {
                return None;
            }
            let opts = RevocationOptions {
                deltas: t.parts_named("deltas"),
                min_epoch: h.u64("min_epoch").ok()?,
                allow_stale: h.flag("allow_stale").ok()?,
                lookup: h.strs("lookup").ok()?,
                skew_seconds: h.u64("skew_seconds").ok()?,
                limit: h.u64("limit").ok()?,
            };
            // An empty lookup list is sent as no lookup by the typed API.
            if h.0.get("lookup").is_some_and(|l| l.as_array().is_some_and(Vec::is_empty)) {
                return None;
            }
            json(v.revocation_set(part("set")??, part("keys")??, h.str("now").ok()??, &opts))
        }
        "license" => {
            let h = h(&["now", "product_id", "fingerprint_hash", "release_date", "server_time"])?;
            if !only_parts(&["license", "keys", "state"]) {
                return None;
            }
            let opts = LicenseOptions {
                fingerprint_hash: h.str("fingerprint_hash").ok()?,
                state: t.part("state"),
                release_date: h.str("release_date").ok()?,
                server_time: h.str("server_time").ok()?,
            };
            json(v.license(part("license")??, part("keys")??, h.str("now").ok()??, h.str("product_id").ok()??, &opts))
        }
        "qkey" => {
            let h = h(&["now", "password", "package", "machine_id", "allow_unsigned", "limit"])?;
            if !only_parts(&["qkey", "keys"]) {
                return None;
            }
            let opts = QKeyOptions {
                password: h.str("password").ok()?,
                package: h.str("package").ok()?,
                machine_id: h.str("machine_id").ok()?,
                allow_unsigned: h.flag("allow_unsigned").ok()?,
                limit: h.u64("limit").ok()?,
            };
            json(v.qkey(part("qkey")??, part("keys")??, h.str("now").ok()??, &opts))
        }
        "plan" => {
            let h = h(&[
                "now",
                "license_id",
                "min_epoch",
                "max_ttl_seconds",
                "skew_seconds",
                "synced_at",
                "proof_failures",
                "proof_failed_at",
                "set_failures",
                "set_failed_at",
                "refresh_percent",
                "sync_interval_seconds",
                "backoff_seconds",
                "backoff_max_seconds",
                "max_deltas",
            ])?;
            if !only_parts(&["keys", "proof", "set", "deltas", "fingerprint"]) {
                return None;
            }
            let opts = PlanOptions {
                proof: t.part("proof"),
                set: t.part("set"),
                deltas: t.parts_named("deltas"),
                license_id: h.str("license_id").ok()?,
                fingerprint: t.part("fingerprint"),
                min_epoch: h.u64("min_epoch").ok()?,
                max_ttl_seconds: h.u64("max_ttl_seconds").ok()?,
                skew_seconds: h.u64("skew_seconds").ok()?,
                synced_at: h.str("synced_at").ok()?,
                proof_failures: h.u64("proof_failures").ok()?,
                proof_failed_at: h.str("proof_failed_at").ok()?,
                set_failures: h.u64("set_failures").ok()?,
                set_failed_at: h.str("set_failed_at").ok()?,
                refresh_percent: h.u64("refresh_percent").ok()?,
                sync_interval_seconds: h.u64("sync_interval_seconds").ok()?,
                backoff_seconds: h.u64("backoff_seconds").ok()?,
                backoff_max_seconds: h.u64("backoff_max_seconds").ok()?,
                max_deltas: h.u64("max_deltas").ok()?,
            };
            json(v.plan(part("keys")??, h.str("now").ok()??, &opts))
        }
        "accept" => {
            let h = h(&["kind", "now", "license_id", "min_epoch", "max_ttl_seconds", "skew_seconds", "max_deltas"])?;
            if !only_parts(&["fetched", "keys", "proof", "set", "deltas", "fingerprint"]) {
                return None;
            }
            let opts = AcceptOptions {
                proof: t.part("proof"),
                set: t.part("set"),
                deltas: t.parts_named("deltas"),
                license_id: h.str("license_id").ok()?,
                fingerprint: t.part("fingerprint"),
                min_epoch: h.u64("min_epoch").ok()?,
                max_ttl_seconds: h.u64("max_ttl_seconds").ok()?,
                skew_seconds: h.u64("skew_seconds").ok()?,
                max_deltas: h.u64("max_deltas").ok()?,
            };
            json(v.accept(part("fetched")??, h.str("kind").ok()??, part("keys")??, h.str("now").ok()??, &opts))
        }
        _ => return None,
    })
}

/// The raw response as the typed API answers it: a result's JSON value, or
/// the error it becomes.
fn raw_as_typed(resp: &[u8]) -> Result<Value, Error> {
    let v: Value = serde_json::from_slice(resp).unwrap();
    match (v.get("error").and_then(Value::as_str), v.get("code").and_then(Value::as_str)) {
        (Some(e), Some(code)) => Err(Error::Keyring { code: licverify::Code::from_name(code), message: e.to_string() }),
        (Some(e), None) => Err(Error::BadRequest(e.to_string())),
        _ => Ok(v),
    }
}

#[test]
fn vectors_typed_api_equals_raw_answers() {
    let native = native();
    let v = verifier();
    let all = vectors();
    let (mut as_bytes, mut as_str, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for t in &all {
        let want = raw_as_typed(native[&t.id].as_bytes());
        let by_bytes = typed(v, t, |p: &[u8]| Some(p));
        let by_str = typed(v, t, |p: &[u8]| std::str::from_utf8(p).ok());
        if by_bytes.is_none() {
            skipped += 1;
        }
        for (how, got, count) in [("bytes", by_bytes, &mut as_bytes), ("str", by_str, &mut as_str)] {
            let Some(got) = got else { continue };
            *count += 1;
            if got != want {
                failures.push(format!("{} (documents as {how}):\n  typed: {got:?}\n  raw:   {want:?}", t.id));
            }
        }
    }
    println!(
        "vectors (typed API): {as_bytes} as bytes and {as_str} as strings equal to native Go's answers; \
         {skipped} of {} only a raw frame can express",
        all.len()
    );
    assert!(as_bytes > all.len() / 2, "the typed API expressed only {as_bytes} vectors");
    assert!(failures.is_empty(), "{} typed calls differ:\n{}", failures.len(), failures.join("\n"));
}

/// The revocation vectors once more through a loaded set: the load's
/// result equals revocation_set's answer less its lookups, and looking the
/// same ids up in the loaded set gives the same lookups.
#[test]
fn vectors_loaded_revocation_sets_answer_as_revocation_set() {
    let native = native();
    let v = verifier();
    let mut checked = 0;
    let mut failures = Vec::new();
    for t in vectors().iter().filter(|t| t.op == "revocation_set") {
        let Some(h) = Header::of(t, &["now", "min_epoch", "allow_stale", "skew_seconds", "limit", "lookup"]) else {
            continue;
        };
        let (Some(set), Some(keys), Ok(Some(now))) = (t.part("set"), t.part("keys"), h.str("now")) else { continue };
        let (Ok(min_epoch), Ok(allow_stale), Ok(lookup), Ok(skew), Ok(limit)) =
            (h.u64("min_epoch"), h.flag("allow_stale"), h.strs("lookup"), h.u64("skew_seconds"), h.u64("limit"))
        else {
            continue;
        };
        if h.0.get("lookup").is_some_and(|l| l.as_array().is_some_and(Vec::is_empty)) {
            continue;
        }
        let want = raw_as_typed(native[&t.id].as_bytes());
        let opts = RevocationOptions {
            deltas: t.parts_named("deltas"),
            min_epoch,
            allow_stale,
            lookup: lookup.clone(),
            skew_seconds: skew,
            limit,
        };
        let loaded = v.load_revocation_set(set, keys, now, &opts);
        checked += 1;
        let got =
            loaded.as_ref().map(|l| without_nulls(serde_json::to_value(l.result()).unwrap())).map_err(Clone::clone);
        if got != want {
            failures.push(format!("{}: load\n  loaded: {got:?}\n  raw:    {want:?}", t.id));
            continue;
        }
        let Ok(l) = loaded else { continue };
        if !l.valid() {
            assert!(matches!(l.lookup(&["x"], now), Err(Error::NotLoaded(_))), "{}", t.id);
            continue;
        }
        if !lookup.is_empty() {
            let r = l.lookup(&lookup, now).unwrap();
            if r.lookups != l.result().lookups {
                failures.push(format!("{}: lookup {:?} vs {:?}", t.id, r.lookups, l.result().lookups));
            }
        }
        // Applying nothing more is a bad request, not a change of state.
        assert!(
            matches!(l.apply_deltas(&[], keys, now, &ApplyOptions::default()), Err(Error::BadRequest(_))),
            "{}",
            t.id
        );
    }
    println!("vectors (loaded revocation sets): {checked} loaded, equal to revocation_set's answers");
    assert!(checked > 50);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
