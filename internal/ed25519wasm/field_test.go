package ed25519wasm

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// The field is checked against math/big mod p: every operation, on tight
// inputs drawn from the whole allowed range — the extremes (all-ones limbs,
// every limb at its tight maximum, values near and above p) first of all.

var (
	bigP   = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	bigPm2 = new(big.Int).Sub(bigP, big.NewInt(2))
	bigP58 = new(big.Int).Rsh(new(big.Int).Sub(bigP, big.NewInt(5)), 3) // (p−5)/8
)

// feBig is the value of v's limbs, not reduced.
func feBig(v *fe) *big.Int {
	n := new(big.Int)
	for i := range v {
		n.Add(n, new(big.Int).Lsh(new(big.Int).SetUint64(v[i]), limbShift[i]))
	}
	return n
}

func modP(n *big.Int) *big.Int { return new(big.Int).Mod(n, bigP) }

// feFromBig returns n mod p as a fe with limbs below 2^width.
func feFromBig(n *big.Int) fe {
	var b [32]byte
	modP(n).FillBytes(b[:])
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	var v fe
	v.setBytes(&b)
	return v
}

func requireBig(t *testing.T, want, got *big.Int, msgAndArgs ...any) {
	t.Helper()
	if want.Cmp(got) != 0 {
		require.Fail(t, fmt.Sprintf("want %v, got %v", want, got), msgAndArgs...)
	}
}

func isTight(v *fe) bool {
	for i := range v {
		if v[i] > tightMax[i] {
			return false
		}
	}
	return true
}

// leBytes is n's 32-byte little-endian encoding; n < 2^256.
func leBytes(n *big.Int) [32]byte {
	var b [32]byte
	n.FillBytes(b[:])
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// Special inputs: limbs exactly as written, each a tight fe.
func specialElements() map[string]fe {
	allOnes := fe{mask26, mask25, mask26, mask25, mask26, mask25, mask26, mask25, mask26, mask25} // 2^255 − 1
	m := map[string]fe{
		"0":             {},
		"1":             {1},
		"all-ones":      allOnes,
		"tight-max":     tightMax,
		"p as limbs":    {mask26 - 18, mask25, mask26, mask25, mask26, mask25, mask26, mask25, mask26, mask25},
		"2p as twoP":    {}, // filled below if tight; twoP is not, so it is left out
		"slack in each": {tightSlack, tightSlack, tightSlack, tightSlack, tightSlack, tightSlack, tightSlack, tightSlack, tightSlack, tightSlack},
		"max even only": {tightMax[0], 0, tightMax[2], 0, tightMax[4], 0, tightMax[6], 0, tightMax[8], 0},
		"max odd only":  {0, tightMax[1], 0, tightMax[3], 0, tightMax[5], 0, tightMax[7], 0, tightMax[9]},
		"top limb only": {0, 0, 0, 0, 0, 0, 0, 0, 0, tightMax[9]},
	}
	delete(m, "2p as twoP")
	for _, n := range []int64{-1, 0, 1, 18, 19, 20} {
		// p + n, and 2^255 − 1 − n: near and above p, from bytes.
		b := leBytes(new(big.Int).Add(bigP, big.NewInt(n)))
		var v fe
		m[fmt.Sprintf("p%+d", n)] = *v.setBytes(&b)
		b = leBytes(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1+n+1)))
		m[fmt.Sprintf("2^255-%d", n+2)] = *v.setBytes(&b)
	}
	m["sqrt(-1)"] = sqrtM1
	m["d"] = d
	m["-1 (p-1)"] = feFromBig(new(big.Int).Sub(bigP, big.NewInt(1)))
	return m
}

// checkFieldOps checks every operation on a and b (tight) against math/big.
func checkFieldOps(t *testing.T, a, b fe) {
	t.Helper()
	require.True(t, isTight(&a) && isTight(&b), "inputs must be tight: %v %v", a, b)
	A, B := feBig(&a), feBig(&b)
	check := func(op string, got fe, want *big.Int) {
		t.Helper()
		if !isTight(&got) {
			t.Fatalf("%s(%v, %v) = %v: not tight", op, a, b, got)
		}
		if g := modP(feBig(&got)); g.Cmp(modP(want)) != 0 {
			t.Fatalf("%s(%v, %v) = %v, want %v (mod p)", op, a, b, g, modP(want))
		}
	}
	var v fe
	check("add", *v.add(&a, &b), new(big.Int).Add(A, B))
	check("sub", *v.sub(&a, &b), new(big.Int).Sub(A, B))
	check("neg", *v.neg(&a), new(big.Int).Neg(A))
	check("mul", *v.mul(&a, &b), new(big.Int).Mul(A, B))
	check("square", *v.square(&a), new(big.Int).Mul(A, A))
	check("squareN(3)", *v.squareN(&a, 3), new(big.Int).Exp(A, big.NewInt(8), bigP))
	check("invert", *v.invert(&a), new(big.Int).Exp(A, bigPm2, bigP))
	check("pow22523", *v.pow22523(&a), new(big.Int).Exp(A, bigP58, bigP))
	check("add zero", *(&fe{}).add(&a, &feZero), A)

	// Aliased receivers.
	v = a
	check("add aliased", *v.add(&v, &v), new(big.Int).Add(A, A))
	v = a
	check("sub aliased", *v.sub(&v, &b), new(big.Int).Sub(A, B))
	v = a
	check("mul aliased", *v.mul(&v, &v), new(big.Int).Mul(A, A))

	// Canonical encoding: the value mod p, every limb of reduce below
	// 2^width, and bit 255 clear.
	enc := a.bytes()
	require.Equal(t, leBytes(modP(A)), enc, "bytes(%v)", a)
	var r fe
	r.reduce(&a)
	for i := range r {
		require.Less(t, r[i], uint64(1)<<limbWidth[i], "reduce(%v) limb %d", a, i)
	}
	requireBig(t, modP(A), feBig(&r), "reduce(%v)", a)
	var back fe
	back.setBytes(&enc)
	require.Equal(t, r, back, "setBytes(bytes(%v))", a)
	require.Equal(t, modP(A).Bit(0) == 1, a.isNegative(), "isNegative(%v)", a)
	require.Equal(t, modP(A).Sign() == 0, a.isZero(), "isZero(%v)", a)
	require.Equal(t, modP(A).Cmp(modP(B)) == 0, a.equal(&b), "equal(%v, %v)", a, b)
}

// TestFieldEdges runs every operation on every pair of special values.
func TestFieldEdges(t *testing.T) {
	specials := specialElements()
	for na, a := range specials {
		for nb, b := range specials {
			t.Run(na+","+nb, func(t *testing.T) { checkFieldOps(t, a, b) })
		}
	}
}

// TestFieldSetBytes: setBytes reads 255 bits, whatever bit 255 says, and
// every value below 2^255 (p and above included).
func TestFieldSetBytes(t *testing.T) {
	for _, n := range []*big.Int{
		big.NewInt(0), big.NewInt(1), new(big.Int).Sub(bigP, big.NewInt(1)), bigP,
		new(big.Int).Add(bigP, big.NewInt(18)), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1)),
	} {
		b := leBytes(n)
		var v fe
		v.setBytes(&b)
		requireBig(t, n, feBig(&v))
		require.True(t, isTight(&v))
		b[31] |= 0x80
		var w fe
		w.setBytes(&b)
		require.Equal(t, v, w, "bit 255 is ignored")
	}
}

// TestFieldConstants checks the constants against their definitions.
func TestFieldConstants(t *testing.T) {
	// d = −121665/121666.
	want := new(big.Int).Mul(big.NewInt(-121665), new(big.Int).ModInverse(big.NewInt(121666), bigP))
	requireBig(t, modP(want), feBig(&d))
	requireBig(t, modP(new(big.Int).Mul(want, big.NewInt(2))), modP(feBig(&d2)))
	// sqrtM1 = 2^((p−1)/4), and its square is −1.
	e := new(big.Int).Rsh(new(big.Int).Sub(bigP, big.NewInt(1)), 2)
	requireBig(t, new(big.Int).Exp(big.NewInt(2), e, bigP), feBig(&sqrtM1))
	var s fe
	s.square(&sqrtM1)
	requireBig(t, new(big.Int).Sub(bigP, big.NewInt(1)), modP(feBig(&s)))
	// twoP is 2p, and no tight limb exceeds it (sub's precondition).
	requireBig(t, new(big.Int).Lsh(bigP, 1), feBig(&twoP))
	for i := range twoP {
		require.GreaterOrEqual(t, twoP[i], tightMax[i], "limb %d", i)
	}
	// The largest tight value is below 2p (reduce's precondition).
	require.Negative(t, feBig(&tightMax).Cmp(new(big.Int).Lsh(bigP, 1)))
	// The limbs tile 255 bits.
	for i := 1; i < 10; i++ {
		require.Equal(t, limbShift[i-1]+limbWidth[i-1], limbShift[i])
	}
	require.Equal(t, uint(255), limbShift[9]+limbWidth[9])
	// The base point: y = 4/5, x even, on the curve.
	y := modP(new(big.Int).Mul(big.NewInt(4), new(big.Int).ModInverse(big.NewInt(5), bigP)))
	requireBig(t, y, modP(feBig(&basepoint.y)))
	require.Equal(t, uint(0), modP(feBig(&basepoint.x)).Bit(0))
}

// TestFieldBounds recomputes, from the definition of the product and not
// from mul's code, the largest column mul and square can form from tight
// inputs, and requires it to fit 64 bits with room to spare (mul's comment
// says below 2^59). It also checks what add and sub form before their
// carry (below 2^28, the precondition of their carry).
func TestFieldBounds(t *testing.T) {
	M := func(i int) *big.Int { return new(big.Int).SetUint64(tightMax[i]) }
	maxCol := new(big.Int)
	for k := 0; k < 10; k++ {
		col := new(big.Int)
		for i := 0; i < 10; i++ {
			j := (k - i + 10) % 10
			c := int64(1)
			if i%2 == 1 && j%2 == 1 {
				c *= 2
			}
			if i+j >= 10 {
				c *= 19
			}
			col.Add(col, new(big.Int).Mul(big.NewInt(c), new(big.Int).Mul(M(i), M(j))))
		}
		if col.Cmp(maxCol) > 0 {
			maxCol = col
		}
	}
	require.Negative(t, maxCol.Cmp(new(big.Int).Lsh(big.NewInt(1), 59)), "largest column %v", maxCol)
	f, _ := new(big.Float).SetInt(maxCol).Float64()
	t.Logf("largest product column from tight inputs: 2^%.2f", math.Log2(f))

	// add and sub before their carry.
	for i := range tightMax {
		require.Less(t, 2*tightMax[i], uint64(1)<<28)
		require.Less(t, tightMax[i]+twoP[i], uint64(1)<<28)
	}
	// mul and square at the extremes give tight results of the right value.
	var v fe
	a := tightMax
	checkFieldOps(t, a, a)
	v.mul(&a, &a)
	require.True(t, isTight(&v))
}

// fuzzElement makes a tight fe from fuzz bytes, in one of four forms:
// a 32-byte encoding (values up to 2^255 − 1, p and above included), limbs
// reduced mod tightMax+1, limbs saturated at tightMax (so that most random
// words give the maximum), or limbs counted down from tightMax.
func fuzzElement(data []byte, form byte) fe {
	var buf [40]byte
	copy(buf[:], data)
	var v fe
	switch form % 4 {
	case 0:
		v.setBytes((*[32]byte)(buf[:32]))
	case 1:
		for i := range v {
			v[i] = uint64(binary.LittleEndian.Uint32(buf[4*i:])) % (tightMax[i] + 1)
		}
	case 2:
		for i := range v {
			v[i] = min(uint64(binary.LittleEndian.Uint32(buf[4*i:])), tightMax[i])
		}
	case 3:
		for i := range v {
			v[i] = tightMax[i] - uint64(binary.LittleEndian.Uint32(buf[4*i:]))%(tightMax[i]+1)>>uint(buf[i]%27)
		}
	}
	return v
}

// FuzzFieldOps compares every field operation with math/big mod p, on two
// tight elements from fuzzElement.
func FuzzFieldOps(f *testing.F) {
	limbBytes := func(v fe) []byte {
		b := make([]byte, 40)
		for i := range v {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(v[i]))
		}
		return b
	}
	specials := specialElements()
	for _, a := range specials {
		for _, b := range []fe{specials["0"], specials["all-ones"], specials["tight-max"], specials["p+0"], specials["p-1"], specials["2^255-2"]} {
			f.Add(limbBytes(a), limbBytes(b), byte(2|2<<2))
		}
	}
	for _, n := range []int64{-1, 0, 1, 19} {
		b := leBytes(new(big.Int).Add(bigP, big.NewInt(n)))
		f.Add(b[:], b[:], byte(0))
	}
	f.Add(make([]byte, 40), make([]byte, 40), byte(3|3<<2))
	f.Fuzz(func(t *testing.T, x, y []byte, form byte) {
		checkFieldOps(t, fuzzElement(x, form), fuzzElement(y, form>>2))
	})
}

func BenchmarkFieldMul(b *testing.B) {
	x, y := tightMax, sqrtM1
	for b.Loop() {
		x.mul(&x, &y)
	}
}

func BenchmarkFieldSquare(b *testing.B) {
	x := tightMax
	for b.Loop() {
		x.square(&x)
	}
}
