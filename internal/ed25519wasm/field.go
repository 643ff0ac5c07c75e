package ed25519wasm

import "encoding/binary"

// fe is an element of GF(2^255 - 19) in radix 2^25.5: ten limbs, the even
// ones 26 bits wide and the odd ones 25, limb i standing for
// 2^ceil(25.5·i). The value of an fe is Σ fe[i]·2^ceil(25.5·i), which
// only reduce (and so bytes) brings into [0, p).
//
// Every limb is held in a uint64 so that a product of two limbs is one
// 64-bit multiply. That is the point of this representation: WebAssembly
// has i64.mul but no 64×64→128-bit multiply, which a 51-bit-limb field
// (crypto/internal/fips140/edwards25519/field) needs for every product and
// must build from four 32-bit ones.
//
// Bounds. An fe is "tight" when limb i is at most tightMax[i] =
// 2^width(i) − 1 + 2^15. Every operation here takes tight inputs and
// returns a tight result; fe values read by setBytes are tight too. The
// arithmetic behind each bound is in the comment of the operation, and
// TestFieldBounds and FuzzFieldOps check them at the extremes.
type fe [10]uint64

const (
	mask26 = 1<<26 - 1
	mask25 = 1<<25 - 1

	// tightSlack is what a tight limb may exceed its width by.
	tightSlack = 1 << 15
)

// limbWidth is the width of each limb, and limbShift where it starts.
var (
	limbWidth = [10]uint{26, 25, 26, 25, 26, 25, 26, 25, 26, 25}
	limbShift = [10]uint{0, 26, 51, 77, 102, 128, 153, 179, 204, 230}
)

// tightMax is the largest value of each limb of a tight fe.
var tightMax = fe{
	mask26 + tightSlack, mask25 + tightSlack, mask26 + tightSlack, mask25 + tightSlack, mask26 + tightSlack,
	mask25 + tightSlack, mask26 + tightSlack, mask25 + tightSlack, mask26 + tightSlack, mask25 + tightSlack,
}

// twoP is 2·p limb by limb, the constants sub adds: 2·(2^26 − 19) in
// limb 0, then 2·(2^width − 1). Each of its limbs is at least the matching
// tightMax, so a + twoP − b cannot go below zero for tight b.
var twoP = fe{
	2 * (mask26 - 18), 2 * mask25, 2 * mask26, 2 * mask25, 2 * mask26,
	2 * mask25, 2 * mask26, 2 * mask25, 2 * mask26, 2 * mask25,
}

var (
	feZero = fe{}
	feOne  = fe{1}
)

// add sets v = a + b. The sums of tight limbs are below 2^27.01; each is
// then carried one limb up, all in parallel, the carry out of limb 9
// folding into limb 0 times 19 (2^255 ≡ 19 mod p). For sums below 2^28
// every carry is at most 7 (limb 0 gains at most 19·7), so the result is
// tight. (The carry is written out here and in sub: a call would cost more
// than it does in the wasm build.)
func (v *fe) add(a, b *fe) *fe {
	h0, h1, h2, h3, h4 := a[0]+b[0], a[1]+b[1], a[2]+b[2], a[3]+b[3], a[4]+b[4]
	h5, h6, h7, h8, h9 := a[5]+b[5], a[6]+b[6], a[7]+b[7], a[8]+b[8], a[9]+b[9]
	v[0] = h0&mask26 + 19*(h9>>25)
	v[1] = h1&mask25 + h0>>26
	v[2] = h2&mask26 + h1>>25
	v[3] = h3&mask25 + h2>>26
	v[4] = h4&mask26 + h3>>25
	v[5] = h5&mask25 + h4>>26
	v[6] = h6&mask26 + h5>>25
	v[7] = h7&mask25 + h6>>26
	v[8] = h8&mask26 + h7>>25
	v[9] = h9&mask25 + h8>>26
	return v
}

// sub sets v = a − b as a + 2p − b, which has no negative limb for tight b
// (twoP[i] >= tightMax[i]) and limbs below 2^27.6, then carries as add.
func (v *fe) sub(a, b *fe) *fe {
	h0 := a[0] + 2*(mask26-18) - b[0]
	h1 := a[1] + 2*mask25 - b[1]
	h2 := a[2] + 2*mask26 - b[2]
	h3 := a[3] + 2*mask25 - b[3]
	h4 := a[4] + 2*mask26 - b[4]
	h5 := a[5] + 2*mask25 - b[5]
	h6 := a[6] + 2*mask26 - b[6]
	h7 := a[7] + 2*mask25 - b[7]
	h8 := a[8] + 2*mask26 - b[8]
	h9 := a[9] + 2*mask25 - b[9]
	v[0] = h0&mask26 + 19*(h9>>25)
	v[1] = h1&mask25 + h0>>26
	v[2] = h2&mask26 + h1>>25
	v[3] = h3&mask25 + h2>>26
	v[4] = h4&mask26 + h3>>25
	v[5] = h5&mask25 + h4>>26
	v[6] = h6&mask26 + h5>>25
	v[7] = h7&mask25 + h6>>26
	v[8] = h8&mask26 + h7>>25
	v[9] = h9&mask25 + h8>>26
	return v
}

// neg sets v = −a.
func (v *fe) neg(a *fe) *fe {
	return v.sub(&feZero, a)
}

// mul sets v = a·b.
//
// Limbs i and j multiply into limb i+j, doubled when i and j are both odd
// (2^ceil(25.5i)·2^ceil(25.5j) = 2·2^ceil(25.5(i+j)) then), and a column
// past limb 9 folds into limb i+j−10 times 19. With tight inputs the
// largest column, h0 = a0·b0 + 38·(a1b9 + a3b7 + a5b5 + a7b3 + a9b1) +
// 19·(a2b8 + a4b6 + a6b4 + a8b2), is below 125·2^52 < 2^59, so no column
// overflows 64 bits (it would take inputs 32 times larger).
//
// The carry chain then runs two chains interleaved (ref10's order, for
// instruction-level parallelism): 0→1→2→3→4→5 and 4→5→6→7→8→9→0→1. The
// carry out of limb 9 (below 2^35) re-enters limb 0 times 19, and limb 0's
// last carry (below 2^14) leaves limb 1 below 2^25 + 2^14; limb 5 takes a
// second carry from limb 4, below 2^10. Every other limb ends below
// 2^width: the result is tight.
func (v *fe) mul(a, b *fe) *fe {
	a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]
	b0, b1, b2, b3, b4, b5, b6, b7, b8, b9 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]

	a1_2, a3_2, a5_2, a7_2, a9_2 := 2*a1, 2*a3, 2*a5, 2*a7, 2*a9
	b1_19, b2_19, b3_19, b4_19, b5_19 := 19*b1, 19*b2, 19*b3, 19*b4, 19*b5
	b6_19, b7_19, b8_19, b9_19 := 19*b6, 19*b7, 19*b8, 19*b9

	h0 := a0*b0 + a1_2*b9_19 + a2*b8_19 + a3_2*b7_19 + a4*b6_19 + a5_2*b5_19 + a6*b4_19 + a7_2*b3_19 + a8*b2_19 + a9_2*b1_19
	h1 := a0*b1 + a1*b0 + a2*b9_19 + a3*b8_19 + a4*b7_19 + a5*b6_19 + a6*b5_19 + a7*b4_19 + a8*b3_19 + a9*b2_19
	h2 := a0*b2 + a1_2*b1 + a2*b0 + a3_2*b9_19 + a4*b8_19 + a5_2*b7_19 + a6*b6_19 + a7_2*b5_19 + a8*b4_19 + a9_2*b3_19
	h3 := a0*b3 + a1*b2 + a2*b1 + a3*b0 + a4*b9_19 + a5*b8_19 + a6*b7_19 + a7*b6_19 + a8*b5_19 + a9*b4_19
	h4 := a0*b4 + a1_2*b3 + a2*b2 + a3_2*b1 + a4*b0 + a5_2*b9_19 + a6*b8_19 + a7_2*b7_19 + a8*b6_19 + a9_2*b5_19
	h5 := a0*b5 + a1*b4 + a2*b3 + a3*b2 + a4*b1 + a5*b0 + a6*b9_19 + a7*b8_19 + a8*b7_19 + a9*b6_19
	h6 := a0*b6 + a1_2*b5 + a2*b4 + a3_2*b3 + a4*b2 + a5_2*b1 + a6*b0 + a7_2*b9_19 + a8*b8_19 + a9_2*b7_19
	h7 := a0*b7 + a1*b6 + a2*b5 + a3*b4 + a4*b3 + a5*b2 + a6*b1 + a7*b0 + a8*b9_19 + a9*b8_19
	h8 := a0*b8 + a1_2*b7 + a2*b6 + a3_2*b5 + a4*b4 + a5_2*b3 + a6*b2 + a7_2*b1 + a8*b0 + a9_2*b9_19
	h9 := a0*b9 + a1*b8 + a2*b7 + a3*b6 + a4*b5 + a5*b4 + a6*b3 + a7*b2 + a8*b1 + a9*b0

	// The carry chain (see the comment of mul), inline: a call would pass
	// ten arguments through memory in the wasm build.
	var c uint64
	c = h0 >> 26
	h1 += c
	h0 &= mask26
	c = h4 >> 26
	h5 += c
	h4 &= mask26

	c = h1 >> 25
	h2 += c
	h1 &= mask25
	c = h5 >> 25
	h6 += c
	h5 &= mask25

	c = h2 >> 26
	h3 += c
	h2 &= mask26
	c = h6 >> 26
	h7 += c
	h6 &= mask26

	c = h3 >> 25
	h4 += c
	h3 &= mask25
	c = h7 >> 25
	h8 += c
	h7 &= mask25

	c = h4 >> 26
	h5 += c
	h4 &= mask26
	c = h8 >> 26
	h9 += c
	h8 &= mask26

	c = h9 >> 25
	h0 += 19 * c
	h9 &= mask25

	c = h0 >> 26
	h1 += c
	h0 &= mask26

	v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9] = h0, h1, h2, h3, h4, h5, h6, h7, h8, h9
	return v
}

// square sets v = a·a.
func (v *fe) square(a *fe) *fe {
	return v.squareN(a, 1)
}

// squareN sets v = a^(2^n), n >= 1: n squarings in one call, the limbs
// kept in locals between them (the exponentiations square 254 times in a
// row, and a call is not free in the wasm build). Each squaring forms the
// columns of mul with each cross product a_i·a_j (i ≠ j) counted once and
// doubled, the same sums and so the same bounds, and carries as mul does.
func (v *fe) squareN(a *fe, n int) *fe {
	a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]
	for ; n > 0; n-- {
		a0_2, a1_2, a2_2, a3_2, a4_2 := 2*a0, 2*a1, 2*a2, 2*a3, 2*a4
		a5_2, a6_2, a7_2, a8_2, a9_2 := 2*a5, 2*a6, 2*a7, 2*a8, 2*a9
		a1_4, a3_4, a5_4, a7_4 := 4*a1, 4*a3, 4*a5, 4*a7
		a5_19, a6_19, a7_19, a8_19, a9_19 := 19*a5, 19*a6, 19*a7, 19*a8, 19*a9

		h0 := a0*a0 + a1_4*a9_19 + a2_2*a8_19 + a3_4*a7_19 + a4_2*a6_19 + a5_2*a5_19
		h1 := a0_2*a1 + a2_2*a9_19 + a3_2*a8_19 + a4_2*a7_19 + a5_2*a6_19
		h2 := a0_2*a2 + a1_2*a1 + a3_4*a9_19 + a4_2*a8_19 + a5_4*a7_19 + a6*a6_19
		h3 := a0_2*a3 + a1_2*a2 + a4_2*a9_19 + a5_2*a8_19 + a6_2*a7_19
		h4 := a0_2*a4 + a1_4*a3 + a2*a2 + a5_4*a9_19 + a6_2*a8_19 + a7_2*a7_19
		h5 := a0_2*a5 + a1_2*a4 + a2_2*a3 + a6_2*a9_19 + a7_2*a8_19
		h6 := a0_2*a6 + a1_4*a5 + a2_2*a4 + a3_2*a3 + a7_4*a9_19 + a8*a8_19
		h7 := a0_2*a7 + a1_2*a6 + a2_2*a5 + a3_2*a4 + a8_2*a9_19
		h8 := a0_2*a8 + a1_4*a7 + a2_2*a6 + a3_4*a5 + a4*a4 + a9_2*a9_19
		h9 := a0_2*a9 + a1_2*a8 + a2_2*a7 + a3_2*a6 + a4_2*a5

		// The carry chain (see the comment of mul), inline: a call would pass
		// ten arguments through memory in the wasm build.
		var c uint64
		c = h0 >> 26
		h1 += c
		h0 &= mask26
		c = h4 >> 26
		h5 += c
		h4 &= mask26

		c = h1 >> 25
		h2 += c
		h1 &= mask25
		c = h5 >> 25
		h6 += c
		h5 &= mask25

		c = h2 >> 26
		h3 += c
		h2 &= mask26
		c = h6 >> 26
		h7 += c
		h6 &= mask26

		c = h3 >> 25
		h4 += c
		h3 &= mask25
		c = h7 >> 25
		h8 += c
		h7 &= mask25

		c = h4 >> 26
		h5 += c
		h4 &= mask26
		c = h8 >> 26
		h9 += c
		h8 &= mask26

		c = h9 >> 25
		h0 += 19 * c
		h9 &= mask25

		c = h0 >> 26
		h1 += c
		h0 &= mask26

		a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 = h0, h1, h2, h3, h4, h5, h6, h7, h8, h9
	}
	v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9] = a0, a1, a2, a3, a4, a5, a6, a7, a8, a9
	return v
}

// pow2k250 returns a^(2^250 − 1) and a^11, the common start of the two
// exponentiations (ref10's addition chain).
func pow2k250(a *fe) (z2_250_0, z11 fe) {
	var z2, z9, z2_5_0, z2_10_0, z2_20_0, z2_50_0, z2_100_0, t fe
	z2.square(a)               // 2
	t.squareN(&z2, 2)          // 8
	z9.mul(&t, a)              // 9
	z11.mul(&z9, &z2)          // 11
	t.square(&z11)             // 22
	z2_5_0.mul(&t, &z9)        // 2^5 − 1
	t.squareN(&z2_5_0, 5)      // 2^10 − 2^5
	z2_10_0.mul(&t, &z2_5_0)   // 2^10 − 1
	t.squareN(&z2_10_0, 10)    // 2^20 − 2^10
	z2_20_0.mul(&t, &z2_10_0)  // 2^20 − 1
	t.squareN(&z2_20_0, 20)    // 2^40 − 2^20
	t.mul(&t, &z2_20_0)        // 2^40 − 1
	t.squareN(&t, 10)          // 2^50 − 2^10
	z2_50_0.mul(&t, &z2_10_0)  // 2^50 − 1
	t.squareN(&z2_50_0, 50)    // 2^100 − 2^50
	z2_100_0.mul(&t, &z2_50_0) // 2^100 − 1
	t.squareN(&z2_100_0, 100)  // 2^200 − 2^100
	t.mul(&t, &z2_100_0)       // 2^200 − 1
	t.squareN(&t, 50)          // 2^250 − 2^50
	z2_250_0.mul(&t, &z2_50_0) // 2^250 − 1
	return z2_250_0, z11
}

// invert sets v = 1/a = a^(p−2) = a^(2^255 − 21); the inverse of zero is
// zero.
func (v *fe) invert(a *fe) *fe {
	t, z11 := pow2k250(a)
	t.squareN(&t, 5)       // 2^255 − 2^5
	return v.mul(&t, &z11) // 2^255 − 21
}

// pow22523 sets v = a^((p−5)/8) = a^(2^252 − 3), the exponent of the
// square root in RFC 8032 §5.1.3.
func (v *fe) pow22523(a *fe) *fe {
	t, _ := pow2k250(a)
	t.squareN(&t, 2)    // 2^252 − 2^2
	return v.mul(&t, a) // 2^252 − 3
}

// setBytes sets v to the little-endian number in b, ignoring the top bit
// (bit 255) as RFC 8032 §5.1.3 and RFC 7748 do. The value may be p or
// more (up to 2^255 − 1): whether that is accepted is the caller's choice.
// Each limb is read from the 32-bit word at its first byte; no limb spans
// more than 32 bits from there, and none reads past byte 31.
func (v *fe) setBytes(b *[32]byte) *fe {
	for i := range v {
		s := limbShift[i]
		w := binary.LittleEndian.Uint32(b[s/8:])
		v[i] = uint64(w>>(s%8)) & (1<<limbWidth[i] - 1)
	}
	return v
}

// reduce sets v to the canonical representative of a, in [0, p), with
// every limb below 2^width. A tight a is below 2^255 + 2^246 < 2p, so one
// conditional subtraction of p suffices: c is the carry out of bit 255 of
// a + 19, 1 exactly when a >= p (each step's carry is exact whatever the
// limb sizes), and a − c·p = a + 19c − c·2^255, the last term being the
// carry out of limb 9, dropped.
func (v *fe) reduce(a *fe) *fe {
	c := (a[0] + 19) >> 26
	c = (a[1] + c) >> 25
	c = (a[2] + c) >> 26
	c = (a[3] + c) >> 25
	c = (a[4] + c) >> 26
	c = (a[5] + c) >> 25
	c = (a[6] + c) >> 26
	c = (a[7] + c) >> 25
	c = (a[8] + c) >> 26
	c = (a[9] + c) >> 25

	h0 := a[0] + 19*c
	h1 := a[1] + h0>>26
	h2 := a[2] + h1>>25
	h3 := a[3] + h2>>26
	h4 := a[4] + h3>>25
	h5 := a[5] + h4>>26
	h6 := a[6] + h5>>25
	h7 := a[7] + h6>>26
	h8 := a[8] + h7>>25
	h9 := a[9] + h8>>26
	v[0], v[1], v[2], v[3], v[4] = h0&mask26, h1&mask25, h2&mask26, h3&mask25, h4&mask26
	v[5], v[6], v[7], v[8], v[9] = h5&mask25, h6&mask26, h7&mask25, h8&mask26, h9&mask25
	return v
}

// bytes returns the canonical 32-byte little-endian encoding of v (RFC
// 8032 §5.1.2: the value in [0, p)).
func (v *fe) bytes() [32]byte {
	var t fe
	t.reduce(v)
	var out [32]byte
	var acc uint64
	var bits uint
	j := 0
	for i := range t {
		acc |= t[i] << bits
		bits += limbWidth[i]
		for bits >= 8 {
			out[j] = byte(acc)
			acc >>= 8
			bits -= 8
			j++
		}
	}
	out[j] = byte(acc) // the last 7 bits; bit 255 is zero
	return out
}

// equal reports whether a and b are the same element of the field.
func (v *fe) equal(u *fe) bool {
	return v.bytes() == u.bytes()
}

// isZero reports whether v is zero mod p.
func (v *fe) isZero() bool {
	return v.bytes() == [32]byte{}
}

// isNegative reports whether v is "negative" in RFC 8032's sense: odd,
// as its canonical value.
func (v *fe) isNegative() bool {
	b := v.bytes()
	return b[0]&1 == 1
}
