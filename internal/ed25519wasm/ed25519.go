// Package ed25519wasm verifies Ed25519 signatures (RFC 8032 §5.1) with a
// field arithmetic made for WebAssembly, and decides exactly as
// crypto/ed25519.Verify does.
//
// It is verify-only and variable-time by design. A verifier handles only
// public data — the key, the message and the signature — so nothing here
// needs to run in constant time, and the double-scalar multiplication
// uses NAF digits, tables and early exits that depend on the inputs. There
// is no signing and no private key code.
//
// Why it exists: Go's crypto/ed25519 represents GF(2^255 − 19) with five
// 51-bit limbs and multiplies them into 128-bit products. WebAssembly has
// a 64×64→64-bit multiply but no 64×64→128, so in the wasm build every
// such product is assembled from four 32-bit multiplies, and that field
// code was 62–64 % of a status proof's time in Node and Chromium
// (bench/results.md). Here the field has ten limbs of 25.5 bits (the
// representation of ref10), so that each limb product is one i64.mul.
// In Node, Verify is about 1.7× faster than crypto/ed25519.Verify, and a
// status proof through the module about 1.35× faster; on amd64, where Go's
// field code is assembly, Verify is about 2.1× slower. So licverify uses
// this package only in its wasm build, and crypto/ed25519 natively.
//
// What it implements:
//
//   - the field, mod 2^255 − 19: addition, subtraction, multiplication,
//     squaring, inversion and the (p−5)/8 power, with canonical encoding
//     (field.go);
//   - point decoding as RFC 8032 §5.1.3, in its strict form and in the
//     lenient form crypto/ed25519 applies to public keys, and encoding as
//     §5.1.2; point addition and doubling in extended coordinates with
//     complete formulas (point.go);
//   - the reduction of the 64-byte hash mod L (RFC 8032 §5.1.7 step 2),
//     by Barrett reduction in 64-bit words (scalar.go);
//   - verification as RFC 8032 §5.1.7 without the cofactor, in Go's
//     decision procedure ([Verify]);
//   - the facts licverify's key rule decides on — on the curve as Go
//     decodes keys, canonically encoded, of small order
//     ([CheckPublicKey]).
//
// So the wasm build links no other Ed25519 code: not crypto/ed25519, and
// not filippo.io/edwards25519 either.
//
// The tests prove it equal to crypto/ed25519: the field against math/big,
// decoding, the reduction mod L and CheckPublicKey against
// filippo.io/edwards25519 (at the edges and under fuzzing), and Verify
// against crypto/ed25519.Verify on every public conformance vector
// (Wycheproof, CCTV, speccheck, sign.input, ZIP 215) and under fuzzing.
package ed25519wasm

import (
	"crypto/sha512"
	"hash"
	"strconv"
	"sync"
)

const (
	// PublicKeySize is the size of a public key, in bytes.
	PublicKeySize = 32
	// SignatureSize is the size of a signature, in bytes.
	SignatureSize = 64
)

// hashPiece is the most of a message hashed in one call (see Verify).
const hashPiece = 64 << 10

// Verify reports whether sig is a valid signature of message by
// publicKey, with the answer of crypto/ed25519.Verify for every input. It
// panics, as crypto/ed25519.Verify does, if publicKey is not 32 bytes.
//
// The decision is RFC 8032 §5.1.7, cofactorless, as Go decides it:
//
//   - the signature is 64 bytes, R || S;
//   - S < L (a signature with S >= L is refused, although [S]B is the
//     same point for S and S + L);
//   - A decodes per RFC 8032 §5.1.3, leniently as Go does: y >= p is
//     taken mod p and x = 0 takes either sign bit. (licverify's keyring
//     refuses such keys, and small-order ones, before they get here.)
//     Mixed-order and small-order A are used as they are;
//   - k = SHA-512(R || A || message) mod L, over the bytes as given;
//   - R' = [S]B − [k]A, and the signature is valid exactly when the
//     canonical encoding of R' equals the 32 bytes of R. R itself is never
//     decoded: a non-canonical encoding of R, or one of no point, cannot
//     equal a canonical encoding, so it fails; a small-order or mixed-order
//     R is accepted whenever the equation holds, with no cofactor.
func Verify(publicKey, message, sig []byte) bool {
	return VerifyStream(publicKey, sig, func(write func([]byte)) { write(message) })
}

// VerifyStream is [Verify] for a message given in pieces: message calls
// write with each piece in order, and is called at most once. A message
// written as it is produced is hashed without ever being held whole.
func VerifyStream(publicKey, sig []byte, message func(write func([]byte))) bool {
	c := NewChecker(publicKey, sig)
	message(c.Write)
	return c.Verify()
}

// Checker is one signature's check under one key over a message written
// to it in pieces, so that one pass over a message can feed the checks of
// several keys. Its answer is [Verify]'s on the whole message.
type Checker struct {
	h      hash.Hash
	minusA *nafTable5
	sig    []byte
}

// NewChecker starts the check of sig under publicKey. It panics, as
// crypto/ed25519.Verify does, if publicKey is not 32 bytes.
func NewChecker(publicKey, sig []byte) *Checker {
	if l := len(publicKey); l != PublicKeySize {
		panic("ed25519: bad public key length: " + strconv.Itoa(l))
	}
	if len(sig) != SignatureSize || sig[63]&0xe0 != 0 {
		return &Checker{}
	}
	minusA, ok := keyTable(publicKey)
	if !ok || !scalarIsCanonical(sig[32:]) {
		return &Checker{}
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(publicKey)
	return &Checker{h: h, minusA: minusA, sig: sig}
}

// Write hashes the next piece of the message.
func (c *Checker) Write(piece []byte) {
	if c.h == nil {
		return
	}
	// In pieces: V8 runs a wasm function that is already running in the
	// tier it was entered in, so one Write of a 39 MB revocation set would
	// hash it all in the baseline tier (1.7 s against 0.44 s once
	// optimized); each piece is a new call, which picks up optimized code.
	for len(piece) > hashPiece {
		c.h.Write(piece[:hashPiece])
		piece = piece[hashPiece:]
	}
	c.h.Write(piece)
}

// Verify reports whether the signature is valid for the message written.
func (c *Checker) Verify() bool {
	if c.h == nil {
		return false
	}
	var digest [sha512.Size]byte
	k := reduceDigest(c.h.Sum(digest[:0]))
	S := [32]byte(c.sig[32:])
	R := varTimeDoubleScalarBaseMultTable(&k, c.minusA, &S)
	return R.bytes() == [32]byte(c.sig[:32])
}

// keyCacheSize bounds the keys keyTable remembers: a keyring holds at most
// 64 (verify.MaxKeys).
const keyCacheSize = 64

// keyCache maps a public key's 32 bytes to what keyTable computed for
// them. Entries are never changed once stored, so a table may be read
// while another call replaces the map.
var keyCache struct {
	sync.Mutex
	m map[[32]byte]*keyEntry
}

type keyEntry struct {
	minusA nafTable5 // −A, −3A, …, −15A
	ok     bool      // the key decoded
}

// keyTable returns the width-5 table of −A's odd multiples for the public
// key, or false when it does not decode (RFC 8032 §5.1.3, leniently, as
// Verify decodes A). It remembers the last keyCacheSize keys: decoding A
// takes a square root (about 250 field squarings) and the table seven
// point additions, together about a tenth of a verification, and a
// verifier checks many documents against the few keys of its ring. What
// it returns depends only on the key's bytes, so a remembered answer is
// the one a new computation would give.
func keyTable(publicKey []byte) (*nafTable5, bool) {
	k := [32]byte(publicKey)
	keyCache.Lock()
	e := keyCache.m[k]
	keyCache.Unlock()
	if e != nil {
		return &e.minusA, e.ok
	}
	e = new(keyEntry)
	var A, minusA point
	if A.setBytes(publicKey, false) {
		minusA.neg(&A)
		e.minusA.fromP3(&minusA)
		e.ok = true
	}
	keyCache.Lock()
	if len(keyCache.m) >= keyCacheSize {
		keyCache.m = nil // the simplest bound; rings are small
	}
	if keyCache.m == nil {
		keyCache.m = make(map[[32]byte]*keyEntry, keyCacheSize)
	}
	keyCache.m[k] = e
	keyCache.Unlock()
	return &e.minusA, e.ok
}
