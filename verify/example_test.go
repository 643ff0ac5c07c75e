package verify_test

import (
	"encoding/hex"
	"fmt"

	"github.com/licverify/licverify/verify"
)

func ExampleParseKeyring() {
	// The native form; a JWKS or PEM SPKI keys load the same way.
	ring, err := verify.ParseKeyring([]byte(`[
		{"kid": "2026-a", "alg": "ed25519",
		 "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		 "not_before": "2026-01-01T00:00:00Z"}
	]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	k := ring.Keys()[0]
	fmt.Println(ring.Len(), k.KID, hex.EncodeToString(k.PublicKey[:4]), k.NotBefore.Format("2006-01-02"))

	// A small-order key (here the identity point) is refused when loaded.
	_, err = verify.ParseKeyring([]byte(`[{"alg": "ed25519", "public_key": "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]`))
	fmt.Println(verify.Rejected(err).Code)
	// Output:
	// 1 2026-a d75a9801 2026-01-01
	// weak_key
}

func ExampleEd25519() {
	// RFC 8032 §7.1 TEST 1: the empty message.
	pub, _ := hex.DecodeString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
	sig, _ := hex.DecodeString("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")

	fmt.Println(verify.Ed25519(pub, nil, sig) == nil)
	fmt.Println(verify.Rejected(verify.Ed25519(pub, []byte("x"), sig)).Code)
	fmt.Println(verify.Rejected(verify.Ed25519(pub, nil, sig[:63])).Code)
	// Output:
	// true
	// bad_signature
	// malformed_signature
}
