package ed25519wasm

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"filippo.io/edwards25519"
	"github.com/stretchr/testify/require"
)

// Verify is proven against crypto/ed25519.Verify (the oracle) and its
// parts against filippo.io/edwards25519 (the same point and scalar code
// crypto/ed25519 runs), which the tests also use to build the edge cases.

var bigL, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// torsion returns the eight points of small order, T[i] = [i]T1 for a
// point T1 of order 8.
func torsion() [8]*edwards25519.Point {
	t1, err := new(edwards25519.Point).SetBytes(unhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"))
	if err != nil {
		panic(err)
	}
	var ts [8]*edwards25519.Point
	ts[0] = edwards25519.NewIdentityPoint()
	for i := 1; i < 8; i++ {
		ts[i] = new(edwards25519.Point).Add(ts[i-1], t1)
	}
	if new(edwards25519.Point).Add(ts[7], t1).Equal(edwards25519.NewIdentityPoint()) != 1 || ts[4].Equal(ts[0]) == 1 {
		panic("T1 is not of order 8")
	}
	return ts
}

var torsionPoints = torsion()

// withY returns enc with its 255-bit y replaced by y, keeping the sign bit.
func withY(enc []byte, y *big.Int) []byte {
	b := leBytes(y)
	b[31] |= enc[31] & 0x80
	return b[:]
}

func yOf(enc []byte) *big.Int {
	b := bytes.Clone(enc)
	b[31] &= 0x7f
	slices.Reverse(b)
	return new(big.Int).SetBytes(b)
}

// oddEncodings returns encodings at the edges of RFC 8032 §5.1.3: every
// y below 19 and every y in [p, p+19) (the only values with a second,
// non-canonical encoding), with both sign bits, whether or not they are
// points; and every encoding of a small-order point, canonical or not.
func oddEncodings() [][]byte {
	var out [][]byte
	for y := int64(0); y < 19; y++ {
		for _, n := range []*big.Int{big.NewInt(y), new(big.Int).Add(bigP, big.NewInt(y))} {
			e := leBytes(n)
			out = append(out, bytes.Clone(e[:]))
			e[31] |= 0x80
			out = append(out, bytes.Clone(e[:]))
		}
	}
	for _, p := range torsionPoints {
		e := p.Bytes()
		out = append(out, e)
		e = bytes.Clone(e)
		e[31] ^= 0x80
		out = append(out, e)
	}
	// y = p − 1 and p − 2, the top of the canonical range, and 2^255 − 1.
	for _, n := range []*big.Int{new(big.Int).Sub(bigP, big.NewInt(1)), new(big.Int).Sub(bigP, big.NewInt(2)), new(big.Int).Add(bigP, big.NewInt(18))} {
		e := leBytes(n)
		out = append(out, bytes.Clone(e[:]))
		e[31] |= 0x80
		out = append(out, bytes.Clone(e[:]))
	}
	return out
}

// smallOrderEncodings are the 14 encodings (8 canonical, 6 not) of the
// points of small order, as ZIP 215 lists them.
func smallOrderEncodings() [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for _, e := range oddEncodings() {
		p, err := new(edwards25519.Point).SetBytes(e)
		if err != nil || new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) != 1 || seen[string(e)] {
			continue
		}
		seen[string(e)] = true
		out = append(out, e)
	}
	return out
}

var (
	smallOrder    = smallOrderEncodings()
	edgeEncodings = oddEncodings()
)

func TestSmallOrderEncodings(t *testing.T) {
	require.Len(t, smallOrder, 14)
	canonical := 0
	for _, e := range smallOrder {
		p, _ := new(edwards25519.Point).SetBytes(e)
		if bytes.Equal(p.Bytes(), e) {
			canonical++
		}
	}
	require.Equal(t, 8, canonical)
}

// checkDecode compares setBytes, strict and lenient, with
// filippo.io/edwards25519: lenient is Point.SetBytes, strict is SetBytes
// plus a canonical re-encoding (RFC 8032 §5.1.3).
func checkDecode(t *testing.T, enc []byte) {
	t.Helper()
	ref, err := new(edwards25519.Point).SetBytes(enc)
	var p point
	ok := p.setBytes(enc, false)
	if ok != (err == nil) {
		t.Fatalf("lenient decode of %x: %v, edwards25519 says %v", enc, ok, err)
	}
	if ok {
		e := p.bytes()
		if !bytes.Equal(e[:], ref.Bytes()) {
			t.Fatalf("lenient decode of %x: point %x, edwards25519 %x", enc, e, ref.Bytes())
		}
		// T = X·Y/Z, with Z = 1.
		var xy fe
		xy.mul(&p.x, &p.y)
		if !xy.equal(&p.t) || !p.z.equal(&feOne) {
			t.Fatalf("decode of %x: inconsistent extended coordinates", enc)
		}
	}
	var q point
	strictOK := q.setBytes(enc, true)
	wantStrict := err == nil && bytes.Equal(ref.Bytes(), enc)
	if strictOK != wantStrict {
		t.Fatalf("strict decode of %x: %v, want %v", enc, strictOK, wantStrict)
	}
}

// TestDecode runs every odd encoding, and each with flipped bits, through
// both decoders.
func TestDecode(t *testing.T) {
	points, strict := 0, 0
	for _, e := range oddEncodings() {
		checkDecode(t, e)
		var p point
		if p.setBytes(e, false) {
			points++
		}
		if p.setBytes(e, true) {
			strict++
		}
	}
	t.Logf("%d edge encodings: %d decode leniently, %d strictly", len(oddEncodings()), points, strict)
	require.False(t, new(point).setBytes(make([]byte, 31), false))
	b := basepointBytes
	checkDecode(t, b[:])
	for i := 0; i < 256; i++ {
		e := bytes.Clone(b[:])
		e[i/8] ^= 1 << (i % 8)
		checkDecode(t, e)
	}
}

// TestScalarIsCanonical: S < L at and around L, and with the top bits set.
func TestScalarIsCanonical(t *testing.T) {
	for _, delta := range []int64{-1 << 40, -256, -2, -1, 0, 1, 2, 255, 1 << 40} {
		n := new(big.Int).Add(bigL, big.NewInt(delta))
		b := leBytes(n)
		require.Equal(t, n.Cmp(bigL) < 0, scalarIsCanonical(b[:]), "L%+d", delta)
	}
	for _, n := range []*big.Int{big.NewInt(0), new(big.Int).Lsh(big.NewInt(1), 252), new(big.Int).Lsh(big.NewInt(1), 253), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))} {
		b := leBytes(n)
		require.Equal(t, n.Cmp(bigL) < 0, scalarIsCanonical(b[:]), "%v", n)
	}
}

// TestNonAdjacentForm: the digits add up to the scalar, are odd and in
// range, and are separated by at least w−1 zeros.
func TestNonAdjacentForm(t *testing.T) {
	scalars := [][32]byte{{}, {1}, leBytes(new(big.Int).Sub(bigL, big.NewInt(1))), leBytes(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1)))}
	for i := 0; i < 200; i++ {
		h := sha256.Sum256([]byte{byte(i)})
		h[31] &= 0x7f
		scalars = append(scalars, h)
	}
	for _, s := range scalars {
		for _, w := range []uint{5, 8} {
			naf := nonAdjacentForm(&s, w)
			sum := new(big.Int)
			last := 1 << 20
			for i := 255; i >= 0; i-- {
				dg := int64(naf[i])
				sum.Lsh(sum, 1).Add(sum, big.NewInt(dg))
				if dg == 0 {
					continue
				}
				require.True(t, dg%2 != 0 && dg < 1<<(w-1) && dg > -(1<<(w-1)), "digit %d", dg)
				require.GreaterOrEqual(t, last-i, int(w), "digits too close")
				last = i
			}
			sb := s
			slices.Reverse(sb[:])
			requireBig(t, new(big.Int).SetBytes(sb[:]), sum, "NAF(%x, %d)", s, w)
		}
	}
}

// TestDoubleScalarMult compares [a]A + [b]B with edwards25519's, for A of
// every kind (small order, mixed order, odd encodings) and scalars at the
// edges.
func TestDoubleScalarMult(t *testing.T) {
	scalars := [][32]byte{{}, {1}, {2}, leBytes(new(big.Int).Sub(bigL, big.NewInt(1))), leBytes(big.NewInt(8)), leBytes(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 252), big.NewInt(7)))}
	for i := 0; i < 6; i++ {
		h := sha512.Sum512([]byte{byte(i)})
		k, _ := edwards25519.NewScalar().SetUniformBytes(h[:])
		scalars = append(scalars, [32]byte(k.Bytes()))
	}
	var encs [][]byte
	for _, e := range oddEncodings() {
		if _, err := new(edwards25519.Point).SetBytes(e); err == nil {
			encs = append(encs, e)
		}
	}
	encs = append(encs, basepointBytes[:], new(edwards25519.Point).Add(edwards25519.NewGeneratorPoint(), torsionPoints[3]).Bytes())
	for _, e := range encs {
		A, _ := new(edwards25519.Point).SetBytes(e)
		var a point
		require.True(t, a.setBytes(e, false))
		for _, sa := range scalars {
			for _, sb := range scalars[:4] {
				ka, _ := edwards25519.NewScalar().SetCanonicalBytes(sa[:])
				kb, _ := edwards25519.NewScalar().SetCanonicalBytes(sb[:])
				want := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(ka, A, kb).Bytes()
				got := varTimeDoubleScalarBaseMult(&sa, &a, &sb)
				enc := got.bytes()
				require.Equal(t, want, enc[:], "[%x]%x + [%x]B", sa, e, sb)
			}
		}
	}
}

// TestVerifyPanics: a public key that is not 32 bytes panics, with
// crypto/ed25519's message.
func TestVerifyPanics(t *testing.T) {
	for _, n := range []int{0, 31, 33, 64} {
		pub := make([]byte, n)
		require.PanicsWithValue(t, fmt.Sprintf("ed25519: bad public key length: %d", n), func() { ed25519.Verify(pub, nil, make([]byte, 64)) })
		require.PanicsWithValue(t, fmt.Sprintf("ed25519: bad public key length: %d", n), func() { Verify(pub, nil, make([]byte, 64)) })
	}
}

// TestVerifyEdges runs the constructions of FuzzVerify over a grid of
// modes, so that plain go test covers every edge class, not only the
// fuzzer: honest, mixed-order, small-order and non-canonical keys and R,
// and S at and beyond L. Besides agreement with crypto/ed25519 on every
// case, it requires each construction that can verify to have verified
// (so the grid exercises acceptance), and S + L never to.
func TestVerifyEdges(t *testing.T) {
	var accepted, total [8][32]int // by construction, by mutation bits
	for mode := 0; mode < 256; mode++ {
		for tweak := uint64(0); tweak < 32; tweak++ {
			msg := []byte(fmt.Sprintf("edge %d %d", mode, tweak))
			pub, sig := shapeInput(make([]byte, 32), msg, make([]byte, 64), byte(mode), tweak)
			if checkVerify(t, pub, msg, sig) {
				accepted[mode&7][mode>>3]++
			}
			total[mode&7][mode>>3]++
		}
	}
	sum := func(a [32]int) (n int) {
		for _, x := range a {
			n += x
		}
		return n
	}
	for c := range accepted {
		t.Logf("construction %d: %d of %d verify (%d of %d unmutated)", c, sum(accepted[c]), sum(total[c]), accepted[c][0], total[c][0])
		for mut := range accepted[c] {
			if mut&1 != 0 {
				require.Zero(t, accepted[c][mut], "construction %d, mutation %b: S + L verified", c, mut)
			}
		}
	}
	require.Equal(t, total[1][0], accepted[1][0], "honest signatures")
	for _, c := range []int{2, 3, 4} {
		require.Positive(t, accepted[c][0], "construction %d never verifies", c)
		require.Less(t, accepted[c][0], total[c][0], "construction %d always verifies", c)
	}
}

// checkVerify requires Verify to decide as crypto/ed25519.Verify (both
// panicking for a public key that is not 32 bytes), and the decoders to
// agree with filippo.io/edwards25519 on A and R. It returns the verdict.
func checkVerify(t *testing.T, pub, msg, sig []byte) bool {
	t.Helper()
	if len(pub) != PublicKeySize {
		require.Panics(t, func() { ed25519.Verify(pub, msg, sig) })
		require.Panics(t, func() { Verify(pub, msg, sig) })
		return false
	}
	want := ed25519.Verify(pub, msg, sig)
	if got := Verify(pub, msg, sig); got != want {
		t.Fatalf("Verify(%x, %x, %x) = %v, crypto/ed25519 says %v", pub, msg, sig, got, want)
	}
	checkDecode(t, pub)
	if len(sig) >= 32 {
		checkDecode(t, sig[:32])
	}
	return want
}

// scalarFrom hashes its inputs to a scalar mod L.
func scalarFrom(parts ...[]byte) *edwards25519.Scalar {
	h := sha512.Sum512(slices.Concat(parts...))
	s, _ := edwards25519.NewScalar().SetUniformBytes(h[:])
	return s
}

// addLE returns x + y·n as 32 little-endian bytes, truncated mod 2^256.
func addLE(x []byte, y *big.Int, n int64) []byte {
	be := bytes.Clone(x)
	slices.Reverse(be)
	v := new(big.Int).SetBytes(be)
	v.Add(v, new(big.Int).Mul(y, big.NewInt(n)))
	v.Mod(v, new(big.Int).Lsh(big.NewInt(1), 256))
	b := leBytes(v)
	return b[:]
}

// shapeInput turns fuzz input into a case. The low three bits of mode pick
// a construction, built with filippo.io/edwards25519 (an honest signer
// needs scalar arithmetic this package does not have):
//
//	0  the input as it is (any lengths)
//	1  an honest signature under a key derived from pub
//	2  an honest signer whose published A and R carry torsion: A = [a]B + T_m,
//	   R = [r]B + T_j; valid exactly when T_j = −[k]T_m (cofactorless)
//	3  A of small order (one of the 14 encodings, 6 non-canonical), and
//	   R = [S]B + T_j for a random S; valid when T_j = −[k]A
//	4  A of small order, S = 0, R any of the 14 encodings (ZIP 215's grid)
//	5  A any edge encoding (y < 19, y in [p, 2^255), y = p − 1, either sign),
//	   R = [S]B + T_j
//	6  honest, then S replaced by L + δ or L − δ (δ small)
//	7  honest, then R replaced by an edge encoding
//
// and the high bits mutate the result further: bit 3 adds L to S (S + L
// is the same scalar mod L, so this is the non-reduced-S forgery); bit 4
// adds 2^253 to S; bit 5 flips R's sign bit; bit 6 flips A's sign bit;
// bit 7 adds p to A's y where that still fits 255 bits.
func shapeInput(pub, msg, sig []byte, mode byte, tweak uint64) ([]byte, []byte) {
	construction := mode & 7
	if construction == 0 && (len(pub) != 32 || len(sig) != 64) {
		return pub, sig
	}
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], tweak)
	j, m := tweak%8, (tweak>>3)%8
	honest := func() ([]byte, []byte) {
		h := sha256.Sum256(pub)
		priv := ed25519.NewKeyFromSeed(h[:])
		return priv.Public().(ed25519.PublicKey), ed25519.Sign(priv, msg)
	}
	pub, sig = bytes.Clone(pub), bytes.Clone(sig)
	switch construction {
	case 1:
		pub, sig = honest()
	case 2:
		a := scalarFrom([]byte("a"), pub, seed[:])
		r := scalarFrom([]byte("r"), pub, msg, seed[:])
		A := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(a), torsionPoints[m])
		R := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(r), torsionPoints[j])
		pub = A.Bytes()
		k := scalarFrom(R.Bytes(), pub, msg)
		S := edwards25519.NewScalar().MultiplyAdd(k, a, r)
		sig = slices.Concat(R.Bytes(), S.Bytes())
	case 3, 5:
		if construction == 3 {
			pub = bytes.Clone(smallOrder[tweak%uint64(len(smallOrder))])
		} else {
			pub = bytes.Clone(edgeEncodings[tweak%uint64(len(edgeEncodings))])
		}
		S := scalarFrom([]byte("s"), sig, msg, seed[:])
		R := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(S), torsionPoints[(tweak>>5)%8])
		sig = slices.Concat(R.Bytes(), S.Bytes())
	case 4:
		pub = bytes.Clone(smallOrder[tweak%uint64(len(smallOrder))])
		sig = slices.Concat(smallOrder[(tweak>>4)%uint64(len(smallOrder))], make([]byte, 32))
	case 6:
		pub, sig = honest()
		delta := big.NewInt(int64(tweak % 64))
		if tweak&64 != 0 {
			delta.Neg(delta)
		}
		copy(sig[32:], addLE(make([]byte, 32), new(big.Int).Add(bigL, delta), 1))
	case 7:
		pub, sig = honest()
		copy(sig[:32], edgeEncodings[tweak%uint64(len(edgeEncodings))])
	}
	if mode&8 != 0 {
		copy(sig[32:], addLE(sig[32:], bigL, 1))
	}
	if mode&16 != 0 {
		copy(sig[32:], addLE(sig[32:], new(big.Int).Lsh(big.NewInt(1), 253), 1))
	}
	if mode&32 != 0 {
		sig[31] ^= 0x80
	}
	if mode&64 != 0 {
		pub[31] ^= 0x80
	}
	if mode&128 != 0 {
		if y := yOf(pub); y.Cmp(big.NewInt(19)) < 0 {
			pub = withY(pub, y.Add(y, bigP))
		}
	}
	return pub, sig
}

// FuzzVerify: Verify must decide exactly as crypto/ed25519.Verify, on raw
// input and on the constructions of shapeInput. Seeded with every
// conformance vector that is present, under several modes.
func FuzzVerify(f *testing.F) {
	for i, v := range conformanceSeeds() {
		f.Add(v.pub, v.msg, v.sig, byte(0), uint64(i))
		if i%8 == 0 {
			f.Add(v.pub, v.msg, v.sig, byte(i%256), uint64(i))
		}
	}
	for mode := 0; mode < 256; mode += 3 {
		f.Add(make([]byte, 32), []byte("seed"), make([]byte, 64), byte(mode), uint64(mode)*0x9e3779b97f4a7c15)
	}
	f.Add([]byte{1}, []byte{}, []byte{}, byte(0), uint64(0))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte, mode byte, tweak uint64) {
		pub, sig = shapeInput(pub, msg, sig, mode, tweak)
		checkVerify(t, pub, msg, sig)
	})
}

func BenchmarkVerify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := bytes.Repeat([]byte("licverify status proof "), 24)
	sig := ed25519.Sign(priv, msg)
	basepointTable()
	b.Run("ed25519wasm", func(b *testing.B) {
		for b.Loop() {
			if !Verify(pub, msg, sig) {
				b.Fatal("does not verify")
			}
		}
	})
	// A key seen for the first time: its decoding and table are built
	// (what every call paid before keyTable remembered them).
	b.Run("ed25519wasm-new-key", func(b *testing.B) {
		for b.Loop() {
			keyCache.Lock()
			keyCache.m = nil
			keyCache.Unlock()
			if !Verify(pub, msg, sig) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("does not verify")
			}
		}
	})
}

// TestLongMessages: messages hashed in pieces verify exactly as
// crypto/ed25519 decides, at and around the piece boundaries, and a change
// in the last piece is seen.
func TestLongMessages(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	for _, n := range []int{hashPiece - 1, hashPiece, hashPiece + 1, 3*hashPiece + 7} {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(i * 31)
		}
		sig := ed25519.Sign(priv, msg)
		if !Verify(pub, msg, sig) {
			t.Errorf("%d bytes: a valid signature does not verify", n)
		}
		msg[n-1] ^= 1
		if Verify(pub, msg, sig) || ed25519.Verify(pub, msg, sig) {
			t.Errorf("%d bytes: verifies with its last byte changed", n)
		}
	}
}

// TestKeyTableCache: Verify remembers each key's table of −A's multiples.
// Over more keys than the cache holds, so that it is emptied and refilled
// several times, every verdict (fresh key, remembered key, forged
// signature, a key that does not decode, asked again) is crypto/ed25519's,
// and a remembered table is the one a fresh computation builds.
func TestKeyTableCache(t *testing.T) {
	msg := []byte("the same message under many keys")
	notAPoint := unhex("0200000000000000000000000000000000000000000000000000000000000000")
	_, onCurve := new(edwards25519.Point).SetBytes(notAPoint)
	require.Error(t, onCurve, "the test needs a key that does not decode")
	check := func(pub, sig []byte) {
		t.Helper()
		require.Equal(t, ed25519.Verify(pub, msg, sig), Verify(pub, msg, sig), "key %x", pub)
	}
	for i := range 3*keyCacheSize + 5 {
		seed := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		priv := ed25519.NewKeyFromSeed(seed[:])
		pub := priv.Public().(ed25519.PublicKey)
		sig := ed25519.Sign(priv, msg)
		forged := slices.Clone(sig)
		forged[i%64] ^= 1 << (i % 8)
		for range 2 {
			check(pub, sig)
			check(pub, forged)
			check(notAPoint, sig)
		}
		require.True(t, Verify(pub, msg, sig))

		table, ok := keyTable(pub)
		require.True(t, ok)
		var A, minusA point
		require.True(t, A.setBytes(pub, false))
		minusA.neg(&A)
		var fresh nafTable5
		fresh.fromP3(&minusA)
		for j := range fresh {
			for _, f := range [][2]*fe{{&fresh[j].yPlusX, &table[j].yPlusX}, {&fresh[j].yMinusX, &table[j].yMinusX},
				{&fresh[j].z, &table[j].z}, {&fresh[j].t2d, &table[j].t2d}} {
				require.True(t, f[0].equal(f[1]), "key %d, multiple %d", i, 2*j+1)
			}
		}
	}
	keyCache.Lock()
	n := len(keyCache.m)
	keyCache.Unlock()
	require.LessOrEqual(t, n, keyCacheSize)
}
