package ed25519wasm

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"math/big"
	"testing"

	"filippo.io/edwards25519"
	"github.com/stretchr/testify/require"
)

// CheckPublicKey is proven against filippo.io/edwards25519, whose answers
// verify's key rule uses natively: (*Point).SetBytes succeeds, Bytes
// gives pub back, and MultByCofactor gives the identity.

// keyClass is CheckPublicKey's answer.
type keyClass struct{ onCurve, canonical, smallOrder bool }

// checkPublicKey requires CheckPublicKey(pub) to be filippo's answer and
// returns it.
func checkPublicKey(t *testing.T, pub []byte) keyClass {
	t.Helper()
	var want keyClass
	if p, err := new(edwards25519.Point).SetBytes(pub); err == nil {
		want = keyClass{true, bytes.Equal(p.Bytes(), pub),
			new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1}
	}
	var got keyClass
	got.onCurve, got.canonical, got.smallOrder = CheckPublicKey(pub)
	if got != want {
		t.Fatalf("CheckPublicKey(%x) = %+v, edwards25519 says %+v", pub, got, want)
	}
	return want
}

// keyEdges are the encodings TestCheckPublicKey and FuzzCheckPublicKey
// start from: every one of oddEncodings (y < 19 and y in [p, 2^255) with
// both sign bits, among them x = 0 with its sign bit set, p + 1 and
// p − 1 included; the 14 encodings of the eight small-order points;
// y = p − 2 and p − 1), mixed-order points [s]B + T for every torsion
// point T, with both sign bits, honest keys, the base point with each of
// its bits flipped, pseudo-random bytes (about half of them no point), and
// lengths other than 32.
func keyEdges() [][]byte {
	out := oddEncodings()
	// x = 0 with the sign bit set: the identity (y = 1) and the point of
	// order 2 (y = −1), canonical y and y + p (oddEncodings has them too;
	// here they are named).
	for _, y := range []*big.Int{big.NewInt(1), new(big.Int).Sub(bigP, big.NewInt(1)), new(big.Int).Add(bigP, big.NewInt(1))} {
		e := leBytes(y)
		e[31] |= 0x80
		out = append(out, e[:])
	}
	for i := 0; i < 8; i++ {
		s := scalarFrom([]byte("mixed"), []byte{byte(i)})
		for _, base := range []*edwards25519.Point{edwards25519.NewGeneratorPoint(), new(edwards25519.Point).ScalarBaseMult(s)} {
			e := new(edwards25519.Point).Add(base, torsionPoints[i]).Bytes()
			out = append(out, e, bytes.Clone(e))
			out[len(out)-1][31] ^= 0x80
		}
	}
	for i := 0; i < 32; i++ {
		seed := sha256.Sum256([]byte{'k', byte(i)})
		out = append(out, ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey))
	}
	for i := 0; i < 256; i++ {
		e := bytes.Clone(basepointBytes[:])
		e[i/8] ^= 1 << (i % 8)
		out = append(out, e)
	}
	for i := 0; i < 256; i++ {
		h := sha256.Sum256([]byte{'r', byte(i)})
		out = append(out, h[:])
	}
	return append(out, nil, make([]byte, 31), make([]byte, 33), basepointBytes[:31], append(bytes.Clone(basepointBytes[:]), 0))
}

// TestCheckPublicKey runs every edge encoding through CheckPublicKey,
// requires each kind of answer to occur, and the small-order encodings to
// be the 14 of ZIP 215, 8 of them canonical.
func TestCheckPublicKey(t *testing.T) {
	classes := map[keyClass]int{}
	smallSeen := map[string]keyClass{}
	for _, e := range keyEdges() {
		c := checkPublicKey(t, e)
		classes[c]++
		if c.smallOrder {
			smallSeen[string(e)] = c
		}
	}
	t.Logf("%d encodings: %v", len(keyEdges()), classes)
	for _, c := range []keyClass{
		{false, false, false}, // no point, or not 32 bytes
		{true, true, false},   // a valid key (mixed order included)
		{true, false, false},  // y >= p, of a point not of small order
		{true, true, true},    // a canonical small-order encoding
		{true, false, true},   // a non-canonical small-order encoding
	} {
		require.Positive(t, classes[c], "no encoding gives %+v", c)
	}
	require.Len(t, smallSeen, 14)
	canonical := 0
	for _, e := range smallOrder {
		c, ok := smallSeen[string(e)]
		require.True(t, ok, "%x", e)
		if c.canonical {
			canonical++
		}
	}
	require.Equal(t, 8, canonical)
}

// FuzzCheckPublicKey: CheckPublicKey must answer as
// filippo.io/edwards25519 on any input (32 bytes or not), and the
// decoders must agree with it (checkDecode). Seeded with every edge
// encoding.
func FuzzCheckPublicKey(f *testing.F) {
	for _, e := range keyEdges() {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, pub []byte) {
		checkPublicKey(t, pub)
		checkDecode(t, pub)
	})
}
