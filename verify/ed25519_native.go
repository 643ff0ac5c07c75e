//go:build !wasm && !licverify_ed25519wasm

package verify

import (
	"bytes"
	"crypto/ed25519"

	"filippo.io/edwards25519"
)

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

// classifyPublicKey gives checkPublicKey the facts it decides on, for a
// 32-byte key: whether pub decodes as a point (RFC 8032 §5.1.3, leniently
// as crypto/ed25519 decodes keys: y >= p taken mod p, either sign bit on
// x = 0), whether it is that point's canonical encoding (§5.1.2), and
// whether the point has small order ([8]A is the identity). Natively it is
// filippo.io/edwards25519, the point code crypto/ed25519 runs; the wasm
// build asks internal/ed25519wasm, which answers the same
// (ed25519_wasmimpl.go).
func classifyPublicKey(pub []byte) (onCurve, canonical, smallOrder bool) {
	p, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false, false, false
	}
	return true, bytes.Equal(p.Bytes(), pub),
		new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1
}
