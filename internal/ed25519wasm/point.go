package ed25519wasm

import "sync"

// Points of edwards25519, −x² + y² = 1 + d·x²·y² over GF(p) (RFC 8032
// §5.1), in the coordinates and with the formulas of ref10 and of
// crypto/internal/fips140/edwards25519 ("Twisted Edwards Curves
// Revisited", Hisil–Wong–Carter–Dawson 2008). The addition is the unified
// one (k = 2d), complete on this curve because a = −1 is a square and d is
// not (HWCD §3.1): it holds for every pair of points — equal, opposite, of
// small order, the identity — as a verifier that must agree with
// crypto/ed25519 on small-order and mixed-order A and R needs. The
// doubling is the dedicated dbl-2008-hwcd, valid for every point.

// point is a point in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z,
// x·y = T/Z.
type point struct {
	x, y, z, t fe
}

// projP2 is a point in projective coordinates (X:Y:Z).
type projP2 struct {
	x, y, z fe
}

// projP1xP1 is a completed point ((X:Z), (Y:T)): x = X/Z, y = Y/T.
type projP1xP1 struct {
	x, y, z, t fe
}

// projCached is (Y+X, Y−X, Z, 2d·T), an addend ready for the formulas.
type projCached struct {
	yPlusX, yMinusX, z, t2d fe
}

// affineCached is (y+x, y−x, 2d·x·y) of a point with Z = 1.
type affineCached struct {
	yPlusX, yMinusX, t2d fe
}

// d is the curve constant −121665/121666, and d2 = 2d.
var d, d2 fe

// sqrtM1 is 2^((p−1)/4), a square root of −1 (RFC 8032 §5.1.3 step 3).
var sqrtM1 fe

// basepoint is B of RFC 8032 §5.1: y = 4/5, x even.
var basepoint point

func init() {
	d.setBytes(&[32]byte{
		0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
		0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52})
	d2.add(&d, &d)
	sqrtM1.setBytes(&[32]byte{
		0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
		0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b})
	if !basepoint.setBytes(basepointBytes[:], true) {
		panic("ed25519wasm: the base point does not decode")
	}
}

var basepointBytes = [32]byte{
	0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66}

// setBytes decodes a 32-byte point encoding as RFC 8032 §5.1.3 does, and
// reports whether it is a point.
//
// With strict, it is §5.1.3 exactly: the encoding is refused when y >= p,
// when x = 0 with the sign bit set, or when x² = (y² − 1)/(d·y² + 1) has
// no root. Without strict, it decodes as filippo.io/edwards25519's (and
// crypto/ed25519's) Point.SetBytes does: y is taken mod p, and x = 0 takes
// any sign bit; only "no square root" fails. Verify needs the lenient rule
// for A, because crypto/ed25519 accepts those non-canonical keys.
func (v *point) setBytes(b []byte, strict bool) bool {
	if len(b) != 32 {
		return false
	}
	var in [32]byte
	copy(in[:], b)
	sign := in[31] >> 7

	var y fe
	y.setBytes(&in)
	if strict {
		// y < p exactly when its canonical encoding is the input without
		// its sign bit.
		canon := y.bytes()
		in[31] &= 0x7f
		if canon != in {
			return false
		}
	}

	// x² = u/v with u = y² − 1, v = d·y² + 1 (v is never zero: −1/d is
	// not a square).
	var u, w, y2 fe
	y2.square(&y)
	u.sub(&y2, &feOne)
	w.mul(&y2, &d)
	w.add(&w, &feOne)

	// Step 3: x = u·v³·(u·v⁷)^((p−5)/8).
	var v3, v7, uv3, uv7, x fe
	v3.square(&w)
	v3.mul(&v3, &w) // v³
	v7.square(&v3)
	v7.mul(&v7, &w) // v⁷
	uv3.mul(&u, &v3)
	uv7.mul(&u, &v7)
	x.pow22523(&uv7)
	x.mul(&x, &uv3)

	// v·x² is u (x is a root), −u (x·√−1 is), or neither (no root).
	var check, negU fe
	check.square(&x)
	check.mul(&check, &w)
	negU.neg(&u)
	switch {
	case check.equal(&u):
	case check.equal(&negU):
		x.mul(&x, &sqrtM1)
	default:
		return false
	}

	// Step 4: pick the root whose parity is the sign bit. Zero has no
	// odd root: §5.1.3 refuses the sign bit then, Go ignores it.
	if x.isZero() {
		if strict && sign == 1 {
			return false
		}
	} else if x.isNegative() != (sign == 1) {
		x.neg(&x)
	}

	v.x = x
	v.y = y
	v.z = feOne
	v.t.mul(&x, &y)
	return true
}

// bytes returns the canonical encoding of v (RFC 8032 §5.1.2).
func (v *projP2) bytes() [32]byte {
	var zInv, x, y fe
	zInv.invert(&v.z)
	x.mul(&v.x, &zInv)
	y.mul(&v.y, &zInv)
	out := y.bytes()
	if x.isNegative() {
		out[31] |= 0x80
	}
	return out
}

// bytes returns the canonical encoding of v (RFC 8032 §5.1.2).
func (v *point) bytes() [32]byte {
	return (&projP2{v.x, v.y, v.z}).bytes()
}

// neg sets v = −p.
func (v *point) neg(p *point) *point {
	v.x.neg(&p.x)
	v.y = p.y
	v.z = p.z
	v.t.neg(&p.t)
	return v
}

func (v *projP2) zero() *projP2 {
	v.x = feZero
	v.y = feOne
	v.z = feOne
	return v
}

func (v *projP2) fromP1xP1(p *projP1xP1) *projP2 {
	v.x.mul(&p.x, &p.t)
	v.y.mul(&p.y, &p.z)
	v.z.mul(&p.z, &p.t)
	return v
}

func (v *point) fromP1xP1(p *projP1xP1) *point {
	v.x.mul(&p.x, &p.t)
	v.y.mul(&p.y, &p.z)
	v.z.mul(&p.z, &p.t)
	v.t.mul(&p.x, &p.y)
	return v
}

func (v *projCached) fromP3(p *point) *projCached {
	v.yPlusX.add(&p.y, &p.x)
	v.yMinusX.sub(&p.y, &p.x)
	v.z = p.z
	v.t2d.mul(&p.t, &d2)
	return v
}

// add sets v = p + q.
func (v *projP1xP1) add(p *point, q *projCached) *projP1xP1 {
	var yPlusX, yMinusX, pp, mm, tt2d, zz2 fe
	yPlusX.add(&p.y, &p.x)
	yMinusX.sub(&p.y, &p.x)
	pp.mul(&yPlusX, &q.yPlusX)
	mm.mul(&yMinusX, &q.yMinusX)
	tt2d.mul(&p.t, &q.t2d)
	zz2.mul(&p.z, &q.z)
	zz2.add(&zz2, &zz2)
	v.x.sub(&pp, &mm)
	v.y.add(&pp, &mm)
	v.z.add(&zz2, &tt2d)
	v.t.sub(&zz2, &tt2d)
	return v
}

// sub sets v = p − q.
func (v *projP1xP1) sub(p *point, q *projCached) *projP1xP1 {
	var yPlusX, yMinusX, pp, mm, tt2d, zz2 fe
	yPlusX.add(&p.y, &p.x)
	yMinusX.sub(&p.y, &p.x)
	pp.mul(&yPlusX, &q.yMinusX) // −q swaps Y+X and Y−X
	mm.mul(&yMinusX, &q.yPlusX)
	tt2d.mul(&p.t, &q.t2d)
	zz2.mul(&p.z, &q.z)
	zz2.add(&zz2, &zz2)
	v.x.sub(&pp, &mm)
	v.y.add(&pp, &mm)
	v.z.sub(&zz2, &tt2d) // and negates 2d·T
	v.t.add(&zz2, &tt2d)
	return v
}

// addAffine sets v = p + q for q with Z = 1.
func (v *projP1xP1) addAffine(p *point, q *affineCached) *projP1xP1 {
	var yPlusX, yMinusX, pp, mm, tt2d, z2 fe
	yPlusX.add(&p.y, &p.x)
	yMinusX.sub(&p.y, &p.x)
	pp.mul(&yPlusX, &q.yPlusX)
	mm.mul(&yMinusX, &q.yMinusX)
	tt2d.mul(&p.t, &q.t2d)
	z2.add(&p.z, &p.z)
	v.x.sub(&pp, &mm)
	v.y.add(&pp, &mm)
	v.z.add(&z2, &tt2d)
	v.t.sub(&z2, &tt2d)
	return v
}

// subAffine sets v = p − q for q with Z = 1.
func (v *projP1xP1) subAffine(p *point, q *affineCached) *projP1xP1 {
	var yPlusX, yMinusX, pp, mm, tt2d, z2 fe
	yPlusX.add(&p.y, &p.x)
	yMinusX.sub(&p.y, &p.x)
	pp.mul(&yPlusX, &q.yMinusX)
	mm.mul(&yMinusX, &q.yPlusX)
	tt2d.mul(&p.t, &q.t2d)
	z2.add(&p.z, &p.z)
	v.x.sub(&pp, &mm)
	v.y.add(&pp, &mm)
	v.z.sub(&z2, &tt2d)
	v.t.add(&z2, &tt2d)
	return v
}

// double sets v = 2p.
func (v *projP1xP1) double(p *projP2) *projP1xP1 {
	var xx, yy, zz2, xPlusYSq fe
	xx.square(&p.x)
	yy.square(&p.y)
	zz2.square(&p.z)
	zz2.add(&zz2, &zz2)
	xPlusYSq.add(&p.x, &p.y)
	xPlusYSq.square(&xPlusYSq)
	v.y.add(&yy, &xx)
	v.z.sub(&yy, &xx)
	v.x.sub(&xPlusYSq, &v.y)
	v.t.sub(&zz2, &v.z)
	return v
}

// The multiples of B the double-scalar multiplication adds: B, 3B, 5B, …,
// 127B, affine, for the width-8 NAF of the base-point scalar. They are
// computed on first use (64 additions and one inversion, by Montgomery's
// trick), not stored in the binary.
var (
	baseTable     [64]affineCached
	baseTableOnce sync.Once
)

func basepointTable() *[64]affineCached {
	baseTableOnce.Do(func() {
		var pts [64]point
		var b2 point
		var tmp projP1xP1
		var bCached projCached
		bCached.fromP3(&basepoint)
		b2.fromP1xP1(tmp.add(&basepoint, &bCached))
		var b2Cached projCached
		b2Cached.fromP3(&b2)
		pts[0] = basepoint
		for i := 1; i < len(pts); i++ {
			pts[i].fromP1xP1(tmp.add(&pts[i-1], &b2Cached))
		}
		// Invert every Z at once: prefix[i] = Z0·…·Zi.
		var prefix [64]fe
		prefix[0] = pts[0].z
		for i := 1; i < len(pts); i++ {
			prefix[i].mul(&prefix[i-1], &pts[i].z)
		}
		var inv fe
		inv.invert(&prefix[len(pts)-1])
		for i := len(pts) - 1; i >= 0; i-- {
			var zInv fe
			if i > 0 {
				zInv.mul(&inv, &prefix[i-1])
				inv.mul(&inv, &pts[i].z)
			} else {
				zInv = inv
			}
			var x, y, e fe
			x.mul(&pts[i].x, &zInv)
			y.mul(&pts[i].y, &zInv)
			baseTable[i].yPlusX.add(&y, &x)
			baseTable[i].yMinusX.sub(&y, &x)
			e.mul(&x, &y)
			baseTable[i].t2d.mul(&e, &d2)
		}
	})
	return &baseTable
}

// nafTable5 holds A, 3A, 5A, …, 15A for a width-5 NAF.
type nafTable5 [8]projCached

func (v *nafTable5) fromP3(a *point) {
	var a2 point
	var tmp projP1xP1
	var t point
	v[0].fromP3(a)
	a2.fromP1xP1(tmp.add(a, &v[0]))
	for i := 1; i < len(v); i++ {
		t.fromP1xP1(tmp.add(&a2, &v[i-1]))
		v[i].fromP3(&t)
	}
}

// varTimeDoubleScalarBaseMult returns [a]A + [b]B in projective
// coordinates, for a and b below 2^255, in time that depends on them: a
// left-to-right double-and-add over both NAFs at once, width 5 for a (an
// eight-entry table of A's odd multiples built per call) and width 8 for b
// (B's 64 odd multiples, built once), from the highest nonzero digit of
// either. It is crypto/internal/fips140/edwards25519's
// VarTimeDoubleScalarBaseMult, over this package's field.
func varTimeDoubleScalarBaseMult(a *[32]byte, A *point, b *[32]byte) projP2 {
	var aTable nafTable5
	aTable.fromP3(A)
	return varTimeDoubleScalarBaseMultTable(a, &aTable, b)
}

// varTimeDoubleScalarBaseMultTable is varTimeDoubleScalarBaseMult with
// A's table built already (keyTable keeps it per key).
func varTimeDoubleScalarBaseMultTable(a *[32]byte, aTable *nafTable5, b *[32]byte) projP2 {
	bTable := basepointTable()
	aNaf := nonAdjacentForm(a, 5)
	bNaf := nonAdjacentForm(b, 8)

	i := 255
	for ; i >= 0; i-- {
		if aNaf[i] != 0 || bNaf[i] != 0 {
			break
		}
	}

	var acc projP2
	acc.zero()
	var tmp projP1xP1
	var p3 point
	for ; i >= 0; i-- {
		tmp.double(&acc)
		if da := aNaf[i]; da > 0 {
			p3.fromP1xP1(&tmp)
			tmp.add(&p3, &aTable[da/2])
		} else if da < 0 {
			p3.fromP1xP1(&tmp)
			tmp.sub(&p3, &aTable[(-da)/2])
		}
		if db := bNaf[i]; db > 0 {
			p3.fromP1xP1(&tmp)
			tmp.addAffine(&p3, &bTable[db/2])
		} else if db < 0 {
			p3.fromP1xP1(&tmp)
			tmp.subAffine(&p3, &bTable[(-db)/2])
		}
		acc.fromP1xP1(&tmp)
	}
	return acc
}
