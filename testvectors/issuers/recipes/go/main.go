// This program signs a status proof in RFC 8785 form with crypto/ed25519 and
// github.com/gowebpki/jcs.
//
//	go run . OUT
package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log"
	"os"

	"github.com/gowebpki/jcs"
)

func main() {
	// The secret key of RFC 8032 §7.1 TEST 1: a published test key, never a real one.
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	key := ed25519.NewKeyFromSeed(seed)

	proof := map[string]any{
		"license_id":       "LIC-2026-0042",
		"status":           "valid",
		"checked_at":       "2026-03-01T09:00:00Z",
		"valid_until":      "2026-03-04T09:00:00Z",
		"revocation_epoch": 7,
		"entitlements":     []string{"export", "größe:xl", "日本語", "🚀 turbo"},
		"issuer_kid":       "vendor-2026",
		"customer":         "Zoë Müller & Söhne <Köln/Bonn>",
		"labels":           map[string]string{"ﬁ": "ligature", "😀": "grinning"},
		"note":             "line\u2028separator",
	}
	payload := canonical(proof)
	proof["signature"] = base64.StdEncoding.EncodeToString(ed25519.Sign(key, payload))
	if err := os.WriteFile(os.Args[1], canonical(proof), 0o644); err != nil {
		log.Fatal(err)
	}
}

// canonical returns the RFC 8785 form of v. json.Marshal's output is not:
// it escapes <, > and & (as \u003c, …) and U+2028/U+2029, and sorts map
// keys by UTF-8 bytes, not by UTF-16 code units ("ﬁ" before "😀");
// jcs.Transform rewrites it.
func canonical(v any) []byte {
	b, err := json.Marshal(v)
	if err == nil {
		b, err = jcs.Transform(b)
	}
	if err != nil {
		log.Fatal(err)
	}
	return b
}
