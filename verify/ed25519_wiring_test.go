package verify

import (
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"testing"

	"filippo.io/edwards25519"
	"github.com/licverify/licverify/internal/ed25519wasm"
	"github.com/stretchr/testify/require"
)

// TestEd25519Wiring: ed25519Verify, the check every verifier calls, is
// internal/ed25519wasm in the wasm build and crypto/ed25519 natively, and
// whichever this build wires decides as both of them on the edge cases
// below, through the package API (Ed25519) as well.
//
// `go test -tags licverify_ed25519wasm ./verify/` wires internal/ed25519wasm
// natively, so that this test and every other one in the package (the
// conformance data in ed25519_test.go, status proofs, revocation sets,
// licenses) run through the function the wasm build uses.
func TestEd25519Wiring(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		require.Equal(t, "internal/ed25519wasm", ed25519Impl)
	}
	t.Logf("ed25519Verify is %s (GOARCH=%s)", ed25519Impl, runtime.GOARCH)

	L, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	addL := func(s []byte, n int64) []byte {
		be := slices.Clone(s)
		slices.Reverse(be)
		v := new(big.Int).Add(new(big.Int).SetBytes(be), new(big.Int).Mul(L, big.NewInt(n)))
		out := make([]byte, 32)
		v.FillBytes(out)
		slices.Reverse(out)
		return out
	}
	// T4 has order 2: a key A + T4 is of mixed order.
	// It is (0, −1): y = p − 1.
	t4, err := new(edwards25519.Point).SetBytes([]byte{
		0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	require.NoError(t, err)

	type tc struct {
		name          string
		pub, msg, sig []byte
	}
	var cases []tc
	verdicts := map[bool]int{}
	for i := 0; i < 32; i++ {
		seed := sha512.Sum512([]byte{byte(i)})
		priv := ed25519.NewKeyFromSeed(seed[:32])
		pub := priv.Public().(ed25519.PublicKey)
		msg := []byte(fmt.Sprintf(`{"license_id":"LIC-%04d","status":"active"}`, i))
		sig := ed25519.Sign(priv, msg)
		cases = append(cases,
			tc{"honest", pub, msg, sig},
			tc{"S + L", pub, msg, slices.Concat(sig[:32], addL(sig[32:], 1))},
			tc{"S + 2L", pub, msg, slices.Concat(sig[:32], addL(sig[32:], 2))},
			tc{"R sign bit", pub, msg, slices.Concat(sig[:31], []byte{sig[31] ^ 0x80}, sig[32:])},
			tc{"message", pub, append(slices.Clone(msg), ' '), sig},
		)
		// An honest signer behind a mixed-order key A' = [a]B + T4:
		// [S]B − [k]A' = R − [k]T4, so it verifies exactly when k is even.
		a, _ := edwards25519.NewScalar().SetUniformBytes(slices.Concat(seed[:], seed[:])[:64])
		r, _ := edwards25519.NewScalar().SetUniformBytes(wiringSHA512(slices.Concat(seed[:], msg)))
		A := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(a), t4)
		R := new(edwards25519.Point).ScalarBaseMult(r)
		k, _ := edwards25519.NewScalar().SetUniformBytes(wiringSHA512(slices.Concat(R.Bytes(), A.Bytes(), msg)))
		S := edwards25519.NewScalar().MultiplyAdd(k, a, r)
		cases = append(cases,
			tc{"mixed-order A", A.Bytes(), msg, slices.Concat(R.Bytes(), S.Bytes())},
			// R + T4 with the same S: holds only cofactored.
			tc{"mixed-order R", pub, msg, slices.Concat(new(edwards25519.Point).Add(R, t4).Bytes(), S.Bytes())},
		)
	}
	for _, c := range cases {
		want := ed25519.Verify(c.pub, c.msg, c.sig)
		require.Equal(t, want, ed25519wasm.Verify(c.pub, c.msg, c.sig), "%s: internal/ed25519wasm", c.name)
		require.Equal(t, want, ed25519Verify(c.pub, c.msg, c.sig), "%s: ed25519Verify (%s)", c.name, ed25519Impl)
		verdicts[want]++
		// Through the package API: the key check first, then the signature.
		wantCode := CodeOK
		if checkPublicKey(c.pub) != nil {
			wantCode = CodeWeakKey
		} else if !want {
			wantCode = CodeBadSignature
		}
		gotCode := CodeOK
		if err := Ed25519(c.pub, c.msg, c.sig); err != nil {
			gotCode = err.(*Error).Code
		}
		require.Equal(t, wantCode, gotCode, "%s: Ed25519", c.name)
	}
	require.Positive(t, verdicts[true])
	require.Positive(t, verdicts[false])
	t.Logf("%d cases, %d verify", len(cases), verdicts[true])
}

func wiringSHA512(b []byte) []byte {
	h := sha512.Sum512(b)
	return h[:]
}

// TestPublicKeyWiring: checkPublicKey gives the message the filippo-based
// check gave before the wasm build had its own (kept below as the
// reference), in whichever build this is, and classifyPublicKey answers
// as filippo.io/edwards25519 and internal/ed25519wasm both do. The inputs
// are the edges of the key rule: every y below 19 and in [p, 2^255) with
// both sign bits (x = 0 with its sign bit, small order canonical and not,
// points and non-points), the eight small-order points with both sign
// bits, mixed-order keys, honest keys with each bit flipped, and lengths
// other than 32. internal/ed25519wasm's own tests and FuzzCheckPublicKey
// go further.
func TestPublicKeyWiring(t *testing.T) {
	reference := func(pub []byte) string {
		if len(pub) != publicKeySize {
			return fmt.Sprintf("public key is %d bytes, want %d", len(pub), publicKeySize)
		}
		p, err := new(edwards25519.Point).SetBytes(pub)
		switch {
		case err != nil:
			return "public key is not a point on the curve"
		case !slices.Equal(p.Bytes(), pub):
			return "public key is not canonically encoded"
		case new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1:
			return "public key has small order"
		}
		return ""
	}

	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	le := func(n *big.Int, sign byte) []byte {
		b := make([]byte, 32)
		n.FillBytes(b)
		slices.Reverse(b)
		b[31] |= sign
		return b
	}
	var keys [][]byte
	for y := int64(0); y < 19; y++ {
		for _, n := range []*big.Int{big.NewInt(y), new(big.Int).Add(p, big.NewInt(y))} {
			keys = append(keys, le(n, 0), le(n, 0x80))
		}
	}
	keys = append(keys, le(new(big.Int).Sub(p, big.NewInt(1)), 0x80))
	for _, h := range krSmallOrder {
		b := krHex(t, h)
		keys = append(keys, b, slices.Concat(b[:31], []byte{b[31] ^ 0x80}))
	}
	t8, err := new(edwards25519.Point).SetBytes(krHex(t, krSmallOrder[4]))
	require.NoError(t, err)
	for i := 0; i < 8; i++ {
		pub := krPub(fmt.Sprintf("wiring %d", i))
		A, err := new(edwards25519.Point).SetBytes(pub)
		require.NoError(t, err)
		keys = append(keys, pub, new(edwards25519.Point).Add(A, t8).Bytes())
		for bit := 0; bit < 256; bit += 1 + i {
			b := slices.Clone(pub)
			b[bit/8] ^= 1 << (bit % 8)
			keys = append(keys, b)
		}
	}
	keys = append(keys, nil, make([]byte, 31), make([]byte, 33))

	messages := map[string]int{}
	for _, pub := range keys {
		want := reference(pub)
		got := ""
		if e := checkPublicKey(pub); e != nil {
			require.Equal(t, CodeWeakKey, e.Code)
			got = e.Message
		}
		require.Equal(t, want, got, "checkPublicKey(%x) with %s", pub, ed25519Impl)
		messages[want]++
		if len(pub) == publicKeySize {
			on, canon, small := classifyPublicKey(pub)
			won, wcanon, wsmall := ed25519wasm.CheckPublicKey(pub)
			require.Equal(t, [3]bool{won, wcanon, wsmall}, [3]bool{on, canon, small}, "classifyPublicKey(%x)", pub)
		}
	}
	// Three lengths, no point, not canonical, small order, and accepted.
	require.Len(t, messages, 7, "every outcome of the key rule")
	t.Logf("%d keys: %v", len(keys), messages)
}
