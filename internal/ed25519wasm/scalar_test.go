package ed25519wasm

import (
	"crypto/sha512"
	"math/big"
	"slices"
	"testing"

	"filippo.io/edwards25519"
	"github.com/stretchr/testify/require"
)

// reduceDigest is proven against filippo.io/edwards25519's
// Scalar.SetUniformBytes, the reduction crypto/ed25519 runs, and against
// math/big: at the edges of the 512-bit range, of the words and of L's
// multiples, on both sides of Barrett's one correction, at random, and
// under fuzzing.

var (
	bigTwo192 = new(big.Int).Lsh(big.NewInt(1), 192)
	bigTwo512 = new(big.Int).Lsh(big.NewInt(1), 512)
	bigMu     = new(big.Int).Div(bigTwo512, bigL) // ⌊2^512 / L⌋
)

// le64 returns n mod 2^512 as 64 little-endian bytes.
func le64(n *big.Int) []byte {
	b := make([]byte, 64)
	new(big.Int).Mod(n, bigTwo512).FillBytes(b)
	slices.Reverse(b)
	return b
}

// fromLE reads little-endian bytes as a number.
func fromLE(b []byte) *big.Int {
	be := slices.Clone(b)
	slices.Reverse(be)
	return new(big.Int).SetBytes(be)
}

// wordsBig is the value of little-endian 64-bit words.
func wordsBig(w []uint64) *big.Int {
	n := new(big.Int)
	for i := len(w) - 1; i >= 0; i-- {
		n.Lsh(n, 64).Or(n, new(big.Int).SetUint64(w[i]))
	}
	return n
}

// barrettShortfall is ⌊x/L⌋ − q3, q3 = ⌊⌊x/2^192⌋·μ/2^320⌋, recomputed
// with math/big from the definitions: 1 exactly when reduceDigest's
// subtraction of L is taken.
func barrettShortfall(x *big.Int) int64 {
	q3 := new(big.Int).Mul(new(big.Int).Rsh(x, 192), bigMu)
	q3.Rsh(q3, 320)
	return new(big.Int).Sub(new(big.Int).Div(x, bigL), q3).Int64()
}

// checkReduceDigest requires reduceDigest(digest) to be filippo's
// SetUniformBytes and x mod L, and returns the Barrett shortfall for x,
// which must be 0 or 1.
func checkReduceDigest(t *testing.T, digest []byte) int64 {
	t.Helper()
	want, err := edwards25519.NewScalar().SetUniformBytes(digest)
	require.NoError(t, err)
	got := reduceDigest(digest)
	if !slices.Equal(want.Bytes(), got[:]) {
		t.Fatalf("reduceDigest(%x) = %x, edwards25519 says %x", digest, got, want.Bytes())
	}
	x := fromLE(digest)
	requireBig(t, new(big.Int).Mod(x, bigL), fromLE(got[:]), "reduceDigest(%x)", digest)
	s := barrettShortfall(x)
	require.True(t, s == 0 || s == 1, "Barrett shortfall %d for %x", s, digest)
	return s
}

// TestScalarConstants checks L and μ against their definitions, and the
// bound behind reduceDigest's single correction: (2^192 + 2^512 mod L)/L
// < 0.23.
func TestScalarConstants(t *testing.T) {
	requireBig(t, new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 252), mustBig("27742317777372353535851937790883648493")), bigL)
	requireBig(t, bigL, fromLE(order[:]))
	requireBig(t, bigL, wordsBig(lWords[:]))
	requireBig(t, bigMu, wordsBig(barrettMu[:]))
	require.Equal(t, 260, bigMu.BitLen())
	m := new(big.Int).Mod(bigTwo512, bigL)
	lhs := new(big.Int).Mul(new(big.Int).Add(bigTwo192, m), big.NewInt(100))
	require.Negative(t, lhs.Cmp(new(big.Int).Mul(bigL, big.NewInt(23))), "(2^192 + m)/L >= 0.23")
	// And so r = x − q3·L < 2L fits the four words it is computed in.
	require.Less(t, new(big.Int).Lsh(bigL, 1).BitLen(), 256)
}

func mustBig(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 0)
	if !ok {
		panic("bad number " + s)
	}
	return n
}

// reduceEdges are 512-bit inputs at the edges: 0, the bounds of the
// words and of the 2^192 split, L and 2^252 and their neighbours, small
// and large multiples of L and their neighbours, and the top of the range.
func reduceEdges() []*big.Int {
	one := big.NewInt(1)
	pow := func(k uint) *big.Int { return new(big.Int).Lsh(one, k) }
	maxMultiple := new(big.Int).Mul(new(big.Int).Div(new(big.Int).Sub(bigTwo512, one), bigL), bigL)
	var xs []*big.Int
	around := func(c *big.Int) {
		for _, d := range []int64{-2, -1, 0, 1, 2} {
			if n := new(big.Int).Add(c, big.NewInt(d)); n.Sign() >= 0 && n.Cmp(bigTwo512) < 0 {
				xs = append(xs, n)
			}
		}
	}
	around(big.NewInt(0))
	for _, k := range []uint{64, 128, 192, 252, 253, 256, 320, 384, 448, 511} {
		around(pow(k))
	}
	around(new(big.Int).Sub(bigTwo512, one)) // 2^512 − 1, all 0xff
	for _, k := range []int64{1, 2, 3, 8, 15, 16, 17, 1 << 40} {
		around(new(big.Int).Mul(bigL, big.NewInt(k)))
	}
	for _, k := range []uint{64, 128, 192, 255, 259} {
		around(new(big.Int).Mul(bigL, pow(k)))
		around(new(big.Int).Mul(bigL, new(big.Int).Sub(pow(k), one)))
	}
	// The largest multiples of L below 2^512 (μ·L is the largest), with
	// residues 0 and L − 1 next to them; and 2^512 − 2^192, where q1 is
	// largest with x0 = 0.
	around(maxMultiple)
	around(new(big.Int).Sub(maxMultiple, bigL))
	around(new(big.Int).Add(maxMultiple, new(big.Int).Sub(bigL, one)))
	around(new(big.Int).Add(new(big.Int).Sub(maxMultiple, bigL), new(big.Int).Sub(bigL, one)))
	around(new(big.Int).Sub(bigTwo512, bigTwo192))
	return xs
}

// TestReduceDigest: every edge, and 20000 pseudo-random digests, as
// filippo.io/edwards25519 and math/big reduce them; both sides of the
// correction occur. A digest that is not 64 bytes panics.
func TestReduceDigest(t *testing.T) {
	var shortfalls [2]int
	for _, x := range reduceEdges() {
		shortfalls[checkReduceDigest(t, le64(x))]++
	}
	t.Logf("%d edges: %d without the correction, %d with", shortfalls[0]+shortfalls[1], shortfalls[0], shortfalls[1])
	require.Positive(t, shortfalls[1], "no edge takes the correction")

	shortfalls = [2]int{}
	h := sha512.Sum512([]byte("reduceDigest"))
	for i := 0; i < 20000; i++ {
		shortfalls[checkReduceDigest(t, h[:])]++
		// Every other one, the same quotient with residue L − 1 − small:
		// the inputs where the correction is most likely.
		x := fromLE(h[:])
		x.Sub(x, new(big.Int).Mod(x, bigL)).Add(x, bigL).Sub(x, big.NewInt(int64(1+h[0])))
		if x.Cmp(bigTwo512) < 0 {
			shortfalls[checkReduceDigest(t, le64(x))]++
		}
		h = sha512.Sum512(h[:])
	}
	t.Logf("pseudo-random digests: %d without the correction, %d with", shortfalls[0], shortfalls[1])
	require.Positive(t, shortfalls[1])

	for _, n := range []int{0, 32, 63, 65, 128} {
		_, err := edwards25519.NewScalar().SetUniformBytes(make([]byte, n))
		require.Error(t, err)
		require.PanicsWithValue(t, "ed25519wasm: digest is not 64 bytes", func() { reduceDigest(make([]byte, n)) })
	}
}

// FuzzReduceDigest: reduceDigest must equal filippo.io/edwards25519's
// SetUniformBytes (and math/big) on any 64 bytes. The input is padded or
// cut to 64 bytes; shape moves it next to a multiple of L (residue
// shape/4 or L − 1 − shape/4) or to the top of the range. An input of
// another length must also panic, as SetUniformBytes must refuse it.
func FuzzReduceDigest(f *testing.F) {
	for i, x := range reduceEdges() {
		f.Add(le64(x), byte(i%4))
	}
	f.Add([]byte{}, byte(0))
	f.Add(make([]byte, 65), byte(1))
	f.Fuzz(func(t *testing.T, data []byte, shape byte) {
		if len(data) != 64 {
			_, err := edwards25519.NewScalar().SetUniformBytes(data)
			require.Error(t, err)
			require.Panics(t, func() { reduceDigest(data) })
		}
		var digest [64]byte
		copy(digest[:], data)
		x := fromLE(digest[:])
		k := big.NewInt(int64(shape >> 2))
		switch shape % 4 {
		case 1:
			x.Sub(x, new(big.Int).Mod(x, bigL)).Add(x, k)
		case 2:
			x.Sub(x, new(big.Int).Mod(x, bigL)).Add(x, bigL).Sub(x, k).Sub(x, big.NewInt(1))
		case 3:
			x.Sub(bigTwo512, x.Mod(x, bigTwo192)).Sub(x, big.NewInt(1))
		}
		checkReduceDigest(t, le64(x))
	})
}

func BenchmarkReduceDigest(b *testing.B) {
	h := sha512.Sum512([]byte("benchmark"))
	b.Run("ed25519wasm", func(b *testing.B) {
		for b.Loop() {
			reduceDigest(h[:])
		}
	})
	b.Run("edwards25519", func(b *testing.B) {
		for b.Loop() {
			if _, err := edwards25519.NewScalar().SetUniformBytes(h[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
