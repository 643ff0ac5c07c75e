#!/usr/bin/env bash
# Tests of the Rust crate, for `make test`: native Go's responses to every
# vector (written fresh, with the command every runner uses), cargo test
# (the vectors byte for byte, the typed API, threads, crashes, the
# compilation cache, the rustdoc examples), then the sample program on the
# demo files. Exits non-zero on any failure.
#
#   rust/run-tests.sh [cargo test arguments...]
#   rust/run-tests.sh --setup    # only fetch the crates (what .ci/run does first)
#
# The first run on a machine builds wasmtime and Cranelift (minutes on two
# cores) and compiles the module once into the user cache directory
# (LICVERIFY_CACHE_DIR overrides it).
set -euo pipefail

cd "$(dirname "$0")"
started=$(date +%s)
# rustup installs cargo here; a non-login shell may not have it on PATH.
if ! command -v cargo >/dev/null && [ -x "$HOME/.cargo/bin/cargo" ]; then
	PATH="$HOME/.cargo/bin:$PATH"
fi

if [ "${1:-}" = "--setup" ]; then
	cargo fetch --locked
	echo "rust crates fetched ($(cargo --version))"
	exit 0
fi

mkdir -p target
(cd .. && go run ./internal/cmd/nativeresponses -out rust/target/native.json)
export LICVERIFY_NATIVE="$PWD/target/native.json"

status=0
if cargo fmt --version >/dev/null 2>&1; then
	echo "cargo fmt --check"
	cargo fmt --check || status=1
fi
if [ $# -eq 0 ]; then
	# --show-output: the runners' summary lines (vectors identical to Go).
	cargo test --locked -- --show-output 2>&1 | grep -Ev '^(---- .* stdout ----|successes:|    [^ ].*)$' || status=$?
else
	cargo test --locked "$@" || status=$?
fi

if [ $status -eq 0 ] && [ $# -eq 0 ]; then
	echo "sample program (examples/verify.rs) on examples/demo:"
	out=$(cargo run --locked --quiet --example verify -- ../examples/demo/proof.json ../examples/demo/keyring.json 2026-03-01T12:00:00Z LIC-DEMO-0001)
	echo "  $out"
	case "$out" in "valid: LIC-DEMO-0001 "*) ;; *) echo "want a valid proof"; status=1 ;; esac
	rc=0
	out=$(cargo run --locked --quiet --example verify -- ../examples/demo/proof-tampered.json ../examples/demo/keyring.json 2026-03-01T12:00:00Z) || rc=$?
	echo "  $out (exit $rc)"
	case "$rc:$out" in "1:refused: bad_signature "*) ;; *) echo "want bad_signature and exit 1"; status=1 ;; esac
fi
echo "rust-test: $(( $(date +%s) - started )) s"
exit $status
