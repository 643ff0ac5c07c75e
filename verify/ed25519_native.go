//go:build !wasm && !licverify_ed25519wasm

package verify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"hash"

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

// newStreamCheck starts one key's check of sig over a message written in
// pieces, so that a signed form written for the check (the Python form of
// a 64 MiB set, up to three times its size) is hashed as it is written,
// never held whole, and one pass over it feeds every key's check.
// crypto/ed25519 takes a whole message only, so this is its verification
// step by step, on the same point code (filippo.io/edwards25519), and
// decides exactly as it does; TestVerifyStreamMatchesCryptoEd25519 holds
// the two together.
func newStreamCheck(pub, sig []byte) streamCheck {
	c := &nativeCheck{sig: sig}
	if len(sig) != ed25519.SignatureSize || sig[63]&224 != 0 {
		return c
	}
	var err error
	if c.minusA, err = new(edwards25519.Point).SetBytes(pub); err != nil {
		return c
	}
	c.minusA.Negate(c.minusA)
	c.h = sha512.New()
	c.h.Write(sig[:32])
	c.h.Write(pub)
	return c
}

type nativeCheck struct {
	h      hash.Hash // nil when the check failed before the message
	minusA *edwards25519.Point
	sig    []byte
}

func (c *nativeCheck) Write(piece []byte) {
	if c.h != nil {
		c.h.Write(piece)
	}
}

func (c *nativeCheck) Verify() bool {
	if c.h == nil {
		return false
	}
	var digest [sha512.Size]byte
	k, err := edwards25519.NewScalar().SetUniformBytes(c.h.Sum(digest[:0]))
	if err != nil {
		return false
	}
	S, err := edwards25519.NewScalar().SetCanonicalBytes(c.sig[32:])
	if err != nil {
		return false
	}
	R := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, c.minusA, S)
	return bytes.Equal(c.sig[:32], R.Bytes())
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
