//go:build !wasm && !licverify_ed25519wasm

package verify

import "crypto/ed25519"

// ed25519Impl names the Ed25519 verification this build uses.
const ed25519Impl = "crypto/ed25519"

// ed25519Verify is the signature check of every verifier: RFC 8032
// §5.1.7 as crypto/ed25519 decides it (cofactorless, S < L, R compared
// by its encoding). Natively it is crypto/ed25519.Verify, whose field
// arithmetic is assembly on amd64 and arm64. The wasm build uses
// internal/ed25519wasm instead, which decides exactly the same and is
// faster there (ed25519_wasmimpl.go); the public key has passed
// checkPublicKey in both.
func ed25519Verify(pub, msg, sig []byte) bool {
	return ed25519.Verify(pub, msg, sig)
}
