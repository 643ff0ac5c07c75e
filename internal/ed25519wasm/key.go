package ed25519wasm

// CheckPublicKey classifies a public key for a key rule such as
// licverify's (verify's checkPublicKey), with the answers
// filippo.io/edwards25519 gives, so that the wasm build needs no other
// point code:
//
//   - onCurve: pub is 32 bytes that decode as a point the way
//     filippo.io/edwards25519's (*Point).SetBytes, and so crypto/ed25519,
//     decode them: RFC 8032 §5.1.3, leniently (y >= p is taken mod p, and
//     x = 0 takes either sign bit), so that only "x² = (y² − 1)/(d·y² + 1)
//     has no square root" fails;
//   - canonical: the canonical encoding of that point (RFC 8032 §5.1.2,
//     what (*Point).Bytes returns) is pub, that is, pub is the one
//     encoding §5.1.3 accepts without the leniency;
//   - smallOrder: [8]P is the identity, that is, P is one of the eight
//     points whose order divides the cofactor h = 2^c = 8 (RFC 8032 §5.1),
//     which is what (*Point).MultByCofactor(P).Equal(identity) == 1 says.
//
// When onCurve is false, canonical and smallOrder are false too.
func CheckPublicKey(pub []byte) (onCurve, canonical, smallOrder bool) {
	var p point
	if !p.setBytes(pub, false) {
		return false, false, false
	}
	canonical = p.bytes() == [32]byte(pub)

	// [8]P by three doublings. The doubling is complete, so Z stays
	// nonzero, and [8]P is the identity (0, 1) exactly when X = 0 and
	// Y = Z.
	q := projP2{p.x, p.y, p.z}
	var t projP1xP1
	for range 3 {
		q.fromP1xP1(t.double(&q))
	}
	smallOrder = q.x.isZero() && q.y.equal(&q.z)
	return true, canonical, smallOrder
}
