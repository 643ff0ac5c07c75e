//! The crate's contract beyond the vectors: the embedded files are the
//! repository's, the table and the codes match their sources, threads share
//! one verifier, a crash or exhausted memory is an error and the instance is
//! replaced, a loaded set survives its instance's crash.

mod common;

use std::sync::Arc;

use licverify::{Code, Error, Request, RevocationOptions, StatusProofOptions, Verifier};
use serde_json::Value;

use common::{native, repo, vectors, verifier};

#[test]
fn embedded_module_is_host_licverify_wasm() {
    let host = std::fs::read(repo().join("host/licverify.wasm")).unwrap();
    assert!(licverify::WASM == host.as_slice(), "rust/licverify.wasm differs from host/licverify.wasm: run make wasm");
}

#[test]
fn embedded_table_is_internal_api_ops_json() {
    let src = std::fs::read_to_string(repo().join("internal/api/ops.json")).unwrap();
    assert_eq!(licverify::OPS_JSON, src, "rust/ops.json differs from internal/api/ops.json: run make wasm");
}

#[test]
fn codes_are_docs_formats_md_result_codes_in_order() {
    let doc = std::fs::read_to_string(repo().join("docs/formats.md")).unwrap();
    let section = doc.split("### Result codes").nth(1).unwrap();
    let documented: Vec<&str> = section
        .lines()
        .skip_while(|l| !l.starts_with("| `"))
        .take_while(|l| l.starts_with("| `"))
        .map(|l| l.split('`').nth(1).unwrap())
        .collect();
    let ours: Vec<&str> = Code::ALL.iter().map(Code::as_str).collect();
    assert_eq!(ours, documented);
    for c in &Code::ALL {
        assert_eq!(&Code::from_name(c.as_str()), c);
    }
    assert_eq!(Code::from_name("newer_code"), Code::Other("newer_code".into()));
}

#[test]
fn pinned_wasmtime_is_the_cache_entries_version() {
    let toml = std::fs::read_to_string(repo().join("rust/Cargo.toml")).unwrap();
    let pin = format!("wasmtime = {{ version = \"={}\"", licverify::testing::WASMTIME_VERSION);
    assert!(toml.contains(&pin), "Cargo.toml does not pin {pin}");
}

/// Every op and member of the table is reachable through the typed API:
/// the frames the typed methods send, over the vectors, name them all
/// (revocation_lookup/apply/free through a loaded set).
#[test]
fn request_builder_follows_the_table() {
    let table: Value = serde_json::from_str(licverify::OPS_JSON).unwrap();
    for (op, spec) in table["ops"].as_object().unwrap() {
        for (name, m) in spec["members"].as_object().unwrap() {
            let kind = m["kind"].as_str().unwrap();
            let part = kind == "bytes" || kind == "bytes[]";
            // The right place is accepted, the wrong one refused before sending.
            let right =
                if part { Request::new(op).part(name, b"x".to_vec()) } else { Request::new(op).header(name, 1) };
            let wrong =
                if part { Request::new(op).header(name, 1) } else { Request::new(op).part(name, b"x".to_vec()) };
            assert!(right.encode().is_ok(), "{op}.{name}");
            assert!(matches!(wrong.encode(), Err(Error::BadRequest(_))), "{op}.{name}");
        }
        assert!(matches!(Request::new(op).header("no_such_member", 1).encode(), Err(Error::BadRequest(_))));
    }
    assert!(matches!(Request::new("no_such_op").encode(), Err(Error::BadRequest(_))));
}

fn demo(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("examples/demo").join(name)).unwrap()
}

const DEMO_NOW: &str = "2026-03-01T12:00:00Z";

#[test]
fn demo_files_verify_and_a_tampered_proof_does_not() {
    let v = verifier();
    let keys = demo("keyring.json");
    let ok = v
        .status_proof(
            demo("proof.json"),
            &keys,
            DEMO_NOW,
            &StatusProofOptions { license_id: Some("LIC-DEMO-0001"), ..Default::default() },
        )
        .unwrap();
    assert!(ok.valid, "{ok:?}");
    assert_eq!(ok.code, Code::Ok);
    assert_eq!(ok.license_id.as_deref(), Some("LIC-DEMO-0001"));
    let bad = v.status_proof(demo("proof-tampered.json"), &keys, DEMO_NOW, &StatusProofOptions::default()).unwrap();
    assert!(!bad.valid);
    assert_eq!(bad.code, Code::BadSignature);

    let set = v
        .revocation_set(
            demo("revocation-set.json"),
            &keys,
            DEMO_NOW,
            &RevocationOptions { lookup: vec!["LIC-DEMO-0001"], ..Default::default() },
        )
        .unwrap();
    assert!(set.valid, "{set:?}");
    assert_eq!(set.lookups.as_ref().unwrap().len(), 1);

    let lic = v.license(demo("license.key"), &keys, DEMO_NOW, "calcpro", &Default::default()).unwrap();
    assert!(lic.valid, "{lic:?}");
    // The state the module wrote is JSON to pass back next time.
    let state = lic.state.expect("a state to write");
    let again = v
        .license(
            demo("license.key"),
            &keys,
            DEMO_NOW,
            "calcpro",
            &licverify::LicenseOptions { state: Some(state.as_bytes()), ..Default::default() },
        )
        .unwrap();
    assert!(again.valid, "{again:?}");
}

#[test]
fn keyring_errors_carry_their_code_and_bad_requests_are_errors() {
    let v = verifier();
    // A 31-byte key: weak_key, the host's configuration, not a result.
    let weak = r#"[{"kid":"k","alg":"ed25519","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}]"#;
    match v.status_proof(demo("proof.json"), weak, DEMO_NOW, &Default::default()) {
        Err(Error::Keyring { code, message }) => {
            assert_eq!(code, Code::WeakKey);
            assert!(message.starts_with("licverify: keyring: "), "{message}");
        }
        other => panic!("want a keyring error, got {other:?}"),
    }
    // An empty option is misuse, not "absent".
    let opts = StatusProofOptions { license_id: Some(""), ..Default::default() };
    match v.status_proof(demo("proof.json"), demo("keyring.json"), DEMO_NOW, &opts) {
        Err(Error::BadRequest(m)) => assert!(m.starts_with("licverify: bad request: "), "{m}"),
        other => panic!("want a bad request, got {other:?}"),
    }
}

#[test]
fn raw_call_answers_bad_frames_and_oversized_ones_like_native_go() {
    let v = verifier();
    let r = v.call(b"not a frame").unwrap();
    assert!(r.starts_with(b"{\"error\":\"licverify: bad request: "), "{}", String::from_utf8_lossy(&r));
    let big = vec![0u8; licverify::MAX_REQUEST + 1];
    let r = v.call(&big).unwrap();
    assert_eq!(
        String::from_utf8(r).unwrap(),
        format!("{{\"error\":\"licverify: bad request: request is {} bytes, limit is 75497472\"}}", big.len())
    );
}

/// Many threads on one verifier of two instances: every answer equals
/// native Go's, and no more than two instances are made.
#[test]
fn threads_share_one_verifier() {
    let native = native();
    let v = Arc::new(Verifier::builder().max_instances(2).build().unwrap());
    let all: Vec<_> =
        vectors().into_iter().filter(|t| t.op == "status_proof" || t.op == "canonicalize").take(120).collect();
    let all = Arc::new(all);
    let handles: Vec<_> = (0..6)
        .map(|k| {
            let (v, all) = (v.clone(), all.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                for t in all.iter().skip(k % 3).step_by(2) {
                    let got = v.call(&t.frame()).unwrap();
                    assert_eq!(String::from_utf8(got).unwrap(), native[&t.id], "{}", t.id);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert!(total >= 300, "{total}");
    assert!(v.instances_created() <= 2, "{} instances for 2 slots", v.instances_created());
    println!("threads: 6 threads, {total} calls, {} instances", v.instances_created());
}

#[test]
fn a_trap_is_an_error_and_the_instance_is_replaced() {
    let v = Verifier::builder().max_instances(1).build().unwrap();
    let ok = |v: &Verifier| v.canonicalize("[1]", None).unwrap();
    assert!(ok(&v).valid);
    assert_eq!(v.instances_created(), 1);
    match licverify::testing::trap_one_instance(&v) {
        Error::Crash(m) => assert!(m.contains("trap"), "{m}"),
        e => panic!("want a crash, got {e:?}"),
    }
    // The crashed instance was discarded: the next call runs on a new one.
    assert!(ok(&v).valid);
    assert_eq!(v.instances_created(), 2);
}

/// A request that needs more memory than the limit ends the Go runtime
/// (out of memory) or makes its alloc fail: an error, never a panic or an
/// abort, on a fresh instance too; the verifier keeps working.
#[test]
fn exhausted_memory_is_an_error() {
    let v = Verifier::builder().max_instances(1).memory_limit(16 << 20).build().unwrap();
    let frame = Request::new("revocation_set").part("set", vec![b' '; 14 << 20]).encode().unwrap();
    match v.call(&frame) {
        Err(Error::Crash(m)) => assert!(m.starts_with("licverify: "), "{m}"),
        other => panic!("want a crash, got {:?}", other.map(|r| String::from_utf8_lossy(&r).into_owned())),
    }
    assert!(v.canonicalize("[1]", None).unwrap().valid);
    assert!(v.instances_created() >= 2);
}

#[test]
fn closed_verifier_refuses_calls() {
    let v = Verifier::builder().max_instances(1).build().unwrap();
    assert!(v.canonicalize("{}", None).unwrap().valid);
    v.close();
    assert_eq!(v.canonicalize("{}", None), Err(Error::Closed));
}

/// A loaded set whose instance crashes is loaded again from the requests
/// that built it, on a fresh instance: the next lookup answers as before.
#[test]
fn a_loaded_set_survives_its_instance_crashing() {
    let v = Verifier::builder().max_instances(1).build().unwrap();
    let keys = demo("keyring.json");
    let set = v.load_revocation_set(demo("revocation-set.json"), &keys, DEMO_NOW, &Default::default()).unwrap();
    assert!(set.valid(), "{:?}", set.result());
    let before = set.lookup(&["LIC-DEMO-0001", "LIC-NOT-THERE"], DEMO_NOW).unwrap();
    assert!(before.valid);
    let created = v.instances_created();
    match licverify::testing::trap_loaded_set(&set) {
        Some(Error::Crash(m)) => assert!(m.contains("trap"), "{m}"),
        other => panic!("want a crash, got {other:?}"),
    }
    let after = set.lookup(&["LIC-DEMO-0001", "LIC-NOT-THERE"], DEMO_NOW).unwrap();
    assert_eq!(after, before);
    assert_eq!(v.instances_created(), created + 1);
}
