//! A program as a user writes it: verify a license status proof file with
//! a keyring file, print the verdict, exit 0 when valid, 1 when not, 2 on
//! an error (a keyring that does not load, a file that cannot be read).
//!
//! ```text
//! cargo run --example verify -- PROOF KEYRING [NOW] [LICENSE_ID]
//! cargo run --example verify -- ../examples/demo/proof.json ../examples/demo/keyring.json 2026-03-01T12:00:00Z LIC-DEMO-0001
//! ```
//!
//! NOW defaults to the current time.

use std::process::ExitCode;

use licverify::{StatusProofOptions, Verifier};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: verify PROOF KEYRING [NOW] [LICENSE_ID]");
        return ExitCode::from(2);
    }
    let read = |p: &str| std::fs::read(p).map_err(|e| format!("{p}: {e}"));
    let now = args.get(2).cloned().unwrap_or_else(|| licverify::rfc3339(std::time::SystemTime::now()));
    let run = || -> Result<bool, String> {
        let (proof, keys) = (read(&args[0])?, read(&args[1])?);
        let v = Verifier::new().map_err(|e| e.to_string())?;
        let opts = StatusProofOptions { license_id: args.get(3).map(String::as_str), ..Default::default() };
        let r = v.status_proof(&proof, &keys, &now, &opts).map_err(|e| e.to_string())?;
        if r.valid {
            println!(
                "valid: {} is {} until {}",
                r.license_id.unwrap_or_default(),
                r.status.unwrap_or_default(),
                r.valid_until.unwrap_or_default()
            );
        } else {
            println!("refused: {} ({})", r.code, r.message);
        }
        Ok(r.valid)
    };
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
