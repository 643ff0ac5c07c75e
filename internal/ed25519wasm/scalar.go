package ed25519wasm

import (
	"encoding/binary"

	"filippo.io/edwards25519"
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

// reduceDigest returns SHA-512 output, read as a 512-bit little-endian
// number, mod L (RFC 8032 §5.1.7 step 2). This one reduction is not hot,
// so it is filippo.io/edwards25519's — the code crypto/ed25519 runs for it.
func reduceDigest(digest []byte) [32]byte {
	k, err := edwards25519.NewScalar().SetUniformBytes(digest)
	if err != nil {
		panic("ed25519wasm: digest is not 64 bytes")
	}
	return [32]byte(k.Bytes())
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
