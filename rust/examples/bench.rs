//! Speed of the crate, as JSON lines on stdout (one object a line, each
//! with "runtime": "rust" and a "metric"), for bench/run.mjs's Rust rows:
//!
//! - `status_proof`: per-call latency of a typed status proof
//!   verification, and `status_proof_raw_call` of the same frame sent raw;
//! - `revocation_lookup`: per-call latency of one id looked up in a loaded
//!   100,000-id set (and what loading it took);
//! - `first_verdict`: a new process, from spawn to its first verified
//!   status proof and to its exit, with an empty and with a warm
//!   compilation cache.
//!
//! ```text
//! cargo run --example bench -- [--fixtures DIR] [--quick]
//! ```
//!
//! DIR is bench/gen's output (`make bench` writes bench/out/fixtures);
//! without it, bench/gen writes the fixtures into a temporary directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use base64::Engine as _;
use licverify::{RevocationOptions, StatusProofOptions, Verifier};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn fixtures(arg: Option<String>) -> PathBuf {
    if let Some(d) = arg {
        return PathBuf::from(d);
    }
    let made = repo().join("bench/out/fixtures");
    if made.join("meta.json").is_file() && made.join("revocation-100000.json").is_file() {
        return made;
    }
    let out = std::env::temp_dir().join(format!("licverify-bench-rs-{}", std::process::id()));
    let st = Command::new("go")
        .args(["run", "./bench/gen", "-out"])
        .arg(&out)
        .args(["-vectors", "testvectors"])
        .current_dir(repo())
        .status()
        .expect("go run ./bench/gen");
    assert!(st.success(), "bench/gen failed");
    out
}

/// A request file of bench/gen: the vectors' JSON form, `<member>_b64` as bytes.
fn request(path: &Path) -> serde_json::Map<String, Value> {
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v.as_object().unwrap().clone()
}

fn bytes(req: &serde_json::Map<String, Value>, name: &str) -> Vec<u8> {
    match (req.get(name), req.get(&format!("{name}_b64"))) {
        (Some(Value::String(s)), _) => s.as_bytes().to_vec(),
        (_, Some(Value::String(b))) => base64::engine::general_purpose::STANDARD.decode(b).unwrap(),
        _ => panic!("no member {name}"),
    }
}

/// Median and spread of `rounds` rounds of `n` calls, in microseconds per call.
fn timed(rounds: usize, n: usize, mut f: impl FnMut()) -> Value {
    f(); // a warm-up call
    let mut per_call: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .collect();
    per_call.sort_by(|a, b| a.total_cmp(b));
    json!({
        "median_us": (per_call[rounds / 2] * 10.0).round() / 10.0,
        "min_us": (per_call[0] * 10.0).round() / 10.0,
        "max_us": (per_call[rounds - 1] * 10.0).round() / 10.0,
        "rounds": rounds,
        "calls_per_round": n,
    })
}

fn line(metric: &str, mut v: Value) {
    let o = v.as_object_mut().unwrap();
    o.insert("runtime".into(), "rust".into());
    o.insert("metric".into(), metric.into());
    println!("{v}");
}

/// The child: one new process's first verdict.
fn first(req_file: &str) {
    let t0 = Instant::now();
    let req = request(Path::new(req_file));
    let v = Verifier::new().unwrap();
    let t1 = Instant::now();
    let r = v
        .status_proof(
            bytes(&req, "proof"),
            bytes(&req, "keys"),
            req["now"].as_str().unwrap(),
            &StatusProofOptions::default(),
        )
        .unwrap();
    let t2 = Instant::now();
    assert!(r.valid, "{r:?}");
    let ms = |d: std::time::Duration| (d.as_secs_f64() * 1e4).round() / 10.0;
    println!("{}", json!({"module_ms": ms(t1 - t0), "first_call_ms": ms(t2 - t1), "source": v.load_info().source}));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("first") {
        return first(&args[1]);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let fx = fixtures(args.iter().position(|a| a == "--fixtures").map(|i| args[i + 1].clone()));
    let (rounds, n) = if quick { (5, 20) } else { (15, 100) };

    // Per-call latency on a warm verifier (the module compiled or loaded).
    let v = Verifier::builder().max_instances(1).build().unwrap();
    let proof = request(&fx.join("request-statusproof.json"));
    let (p, k, now) = (bytes(&proof, "proof"), bytes(&proof, "keys"), proof["now"].as_str().unwrap().to_string());
    assert!(v.status_proof(&p, &k, &now, &Default::default()).unwrap().valid);
    line(
        "status_proof",
        timed(rounds, n, || {
            v.status_proof(&p, &k, &now, &Default::default()).unwrap();
        }),
    );
    let frame = licverify::Request::new("status_proof")
        .part("proof", p.clone())
        .part("keys", k.clone())
        .header("now", now.as_str())
        .encode()
        .unwrap();
    line(
        "status_proof_raw_call",
        timed(rounds, n, || {
            v.call(&frame).unwrap();
        }),
    );

    // A loaded 100,000-id set: one id a call.
    let meta: Value = serde_json::from_slice(&std::fs::read(fx.join("meta.json")).unwrap()).unwrap();
    let set = meta["sets"].as_array().unwrap().iter().find(|s| s["ids"] == 100_000).unwrap();
    let data = std::fs::read(fx.join(set["file"].as_str().unwrap())).unwrap();
    let keys =
        meta["keys"].as_str().map(|s| s.as_bytes().to_vec()).unwrap_or_else(|| meta["keys"].to_string().into_bytes());
    let now = meta["now"].as_str().unwrap();
    let revoked = set["revoked"].as_str().unwrap();
    let t = Instant::now();
    let loaded = v.load_revocation_set(&data, &keys, now, &RevocationOptions::default()).unwrap();
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    assert!(loaded.valid(), "{:?}", loaded.result());
    let mut lat = timed(rounds, n, || {
        loaded.lookup(&[revoked], now).unwrap();
    });
    lat["ids"] = 100_000.into();
    lat["set_bytes"] = data.len().into();
    lat["load_ms"] = ((load_ms * 10.0).round() / 10.0).into();
    line("revocation_lookup", lat);
    drop(loaded);

    // New processes: spawn to first verdict and to exit, empty then warm cache.
    let cache = std::env::temp_dir().join(format!("licverify-bench-rs-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let exe = std::env::current_exe().unwrap();
    let req_file = fx.join("request-statusproof.json");
    let spawn = || {
        let t = Instant::now();
        let out = Command::new(&exe).arg("first").arg(&req_file).env("LICVERIFY_CACHE_DIR", &cache).output().unwrap();
        let exit_ms = t.elapsed().as_secs_f64() * 1e3;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut inner: Value = serde_json::from_slice(&out.stdout).unwrap();
        let first_ms = exit_ms.min(inner["module_ms"].as_f64().unwrap() + inner["first_call_ms"].as_f64().unwrap());
        inner["exit_ms"] = ((exit_ms * 10.0).round() / 10.0).into();
        inner["first_verdict_in_process_ms"] = ((first_ms * 10.0).round() / 10.0).into();
        inner
    };
    let cold = spawn();
    assert_eq!(cold["source"], "compiled");
    line("first_verdict", json!({"cache": "empty", "runs": 1, "sample": cold}));
    let mut warm: Vec<Value> = (0..if quick { 3 } else { 7 }).map(|_| spawn()).collect();
    assert!(warm.iter().all(|w| w["source"] == "disk"));
    warm.sort_by(|a, b| a["exit_ms"].as_f64().unwrap().total_cmp(&b["exit_ms"].as_f64().unwrap()));
    let runs = warm.len();
    line("first_verdict", json!({"cache": "warm", "runs": runs, "median": warm[runs / 2]}));
    let _ = std::fs::remove_dir_all(&cache);
}
