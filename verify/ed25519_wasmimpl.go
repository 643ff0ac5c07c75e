//go:build wasm || licverify_ed25519wasm

package verify

import "github.com/licverify/licverify/internal/ed25519wasm"

// ed25519Impl names the Ed25519 verification this build uses.
const ed25519Impl = "internal/ed25519wasm"

// ed25519Verify is the signature check of every verifier, in the wasm
// build: internal/ed25519wasm, which decides exactly as crypto/ed25519
// (RFC 8032 §5.1.7, cofactorless, S < L, R compared by its encoding) with
// a field arithmetic whose products are single 64-bit multiplies, about
// 1.7× faster than crypto/ed25519 in V8 (see that package).
//
// The tag licverify_ed25519wasm selects this file natively too (it is
// not named *_wasm.go, which would tie it to GOARCH=wasm alone), so that
// `go test -tags licverify_ed25519wasm ./verify/` runs every verify test,
// the conformance data included, through it.
func ed25519Verify(pub, msg, sig []byte) bool {
	return ed25519wasm.Verify(pub, msg, sig)
}

// newStreamCheck starts one key's check of sig over a message written in
// pieces (see ed25519_native.go).
func newStreamCheck(pub, sig []byte) streamCheck { return ed25519wasm.NewChecker(pub, sig) }

// classifyPublicKey gives checkPublicKey the facts it decides on (on the
// curve as crypto/ed25519 decodes keys, canonically encoded, of small
// order; see ed25519_native.go), in the wasm build: internal/ed25519wasm's
// CheckPublicKey, proven to answer as filippo.io/edwards25519 does
// natively, so that the module does not link filippo.io/edwards25519.
func classifyPublicKey(pub []byte) (onCurve, canonical, smallOrder bool) {
	return ed25519wasm.CheckPublicKey(pub)
}
