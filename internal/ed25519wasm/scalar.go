package ed25519wasm

import (
	"encoding/binary"
	"math/bits"
)

// order is L = 2^252 + 27742317777372353535851937790883648493, the order
// of the base point (RFC 8032 §5.1), little-endian.
var order = [32]byte{
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10}

// scalarIsCanonical reports whether the 32-byte little-endian s is below
// L, the range RFC 8032 §5.1.7 allows for S ("if any of the decodings
// fail, including S being out of range, the signature is invalid").
func scalarIsCanonical(s []byte) bool {
	for i := 31; i >= 0; i-- {
		switch {
		case s[i] < order[i]:
			return true
		case s[i] > order[i]:
			return false
		}
	}
	return false // s == L
}

// lWords is L in four little-endian 64-bit words.
var lWords = [4]uint64{0x5812631a5cf5d3ed, 0x14def9dea2f79cd6, 0, 0x1000000000000000}

// barrettMu is μ = ⌊2^512 / L⌋, a 260-bit number, in five little-endian
// 64-bit words: the constant of Barrett reduction for 512-bit inputs (HAC
// Algorithm 14.42, with b = 2^64 and k = 4).
var barrettMu = [5]uint64{0xed9ce5a30a2c131b, 0x2106215d086329a7, 0xffffffffffffffeb, 0xffffffffffffffff, 0xf}

// reduceDigest returns SHA-512 output, read as a 512-bit little-endian
// number x, mod L (RFC 8032 §5.1.7 step 2: "interpret the 64-octet digest
// as a little-endian integer k"; the group equation takes k mod L), as
// 32 little-endian bytes. It is the value filippo.io/edwards25519's
// Scalar.SetUniformBytes gives, which is what crypto/ed25519 computes.
//
// It is Barrett reduction (HAC Algorithm 14.42) in 64-bit words. With
// q1 = ⌊x / 2^192⌋ and q3 = ⌊q1·μ / 2^320⌋, q3 is ⌊x / L⌋ or one less:
// writing x = q1·2^192 + x0 and μ = (2^512 − m)/L with m = 2^512 mod L,
//
//	x/L − q1·μ/2^320 = x0/L + q1·m/(2^320·L) < (2^192 + m)/L < 0.23,
//
// as x0 < 2^192, q1 < 2^320 and m < 0.23·L (TestScalarConstants checks
// it). HAC allows for two corrections, which this L never needs. So
// r = x − q3·L is in [0, 2L), below 2^254: it is computed mod 2^256 from
// the low four words of x and of q3·L, and L is subtracted once if
// r >= L. Variable time, like the rest of the package: x is public.
func reduceDigest(digest []byte) [32]byte {
	if len(digest) != 64 {
		panic("ed25519wasm: digest is not 64 bytes")
	}
	var x [8]uint64
	for i := range x {
		x[i] = binary.LittleEndian.Uint64(digest[8*i:])
	}

	// q3 is words 5 to 9 of q1·μ; only its low four words reach q3·L
	// mod 2^256.
	var q1mu [10]uint64
	mulWords(q1mu[:], x[3:], barrettMu[:])
	var q3L [4]uint64
	mulWords(q3L[:], q1mu[5:9], lWords[:])

	var r, rMinusL [4]uint64
	var borrow uint64
	for i := range r {
		r[i], borrow = bits.Sub64(x[i], q3L[i], borrow)
	}
	borrow = 0
	for i := range r {
		rMinusL[i], borrow = bits.Sub64(r[i], lWords[i], borrow)
	}
	if borrow == 0 { // r >= L
		r = rMinusL
	}

	var out [32]byte
	for i := range r {
		binary.LittleEndian.PutUint64(out[8*i:], r[i])
	}
	return out
}

// mulWords sets z to a·b mod 2^(64·len(z)), all three little-endian
// 64-bit words; z must not overlap a or b. Schoolbook: each step adds
// a[i]·b[j], z[i+j] and the carry, at most (2^64 − 1)² + 2·(2^64 − 1) =
// 2^128 − 1, so the high word of the sum cannot overflow.
func mulWords(z, a, b []uint64) {
	clear(z)
	for i := range a {
		var carry uint64
		for j := range b {
			if i+j >= len(z) {
				break
			}
			hi, lo := bits.Mul64(a[i], b[j])
			var c uint64
			lo, c = bits.Add64(lo, z[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			z[i+j], carry = lo, hi
		}
		if k := i + len(b); k < len(z) {
			z[k] = carry
		}
	}
}

// nonAdjacentForm returns the width-w NAF of the scalar s < 2^255: digits
// that are zero or odd with |digit| < 2^(w−1), any nonzero digit followed
// by at least w−1 zeros, and s = Σ naf[i]·2^i. It is the algorithm of
// curve25519-dalek and crypto/internal/fips140/edwards25519.
func nonAdjacentForm(s *[32]byte, w uint) [256]int8 {
	if s[31] > 127 {
		panic("ed25519wasm: scalar has its high bit set")
	}
	if w < 2 || w > 8 {
		panic("ed25519wasm: NAF width out of range")
	}
	var naf [256]int8
	var digits [5]uint64
	for i := 0; i < 4; i++ {
		digits[i] = binary.LittleEndian.Uint64(s[i*8:])
	}

	width := uint64(1) << w
	windowMask := width - 1

	pos := uint(0)
	carry := uint64(0)
	for pos < 256 {
		indexU64 := pos / 64
		indexBit := pos % 64
		var bitBuf uint64
		if indexBit < 64-w {
			bitBuf = digits[indexU64] >> indexBit
		} else {
			bitBuf = (digits[indexU64] >> indexBit) | (digits[1+indexU64] << (64 - indexBit))
		}

		window := carry + (bitBuf & windowMask)
		if window&1 == 0 {
			// An even window: the carry stays as it is (a carry of 1 with an
			// even window means this bit was 1, and it still is).
			pos++
			continue
		}
		if window < width/2 {
			carry = 0
			naf[pos] = int8(window)
		} else {
			carry = 1
			naf[pos] = int8(window) - int8(width)
		}
		pos += w
	}
	return naf
}
