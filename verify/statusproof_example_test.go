package verify_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/verify"
)

// statusIssuer stands in for the licensing server: hosts only ever hold
// its public key.
func statusIssuer() (ed25519.PrivateKey, *verify.Keyring) {
	seed := sha256.Sum256([]byte("example status issuer"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	ring, err := verify.NewKeyring(verify.Key{KID: "ql-api-v2", PublicKey: priv.Public().(ed25519.PublicKey)})
	if err != nil {
		panic(err)
	}
	return priv, ring
}

// issue appends the issuer's signature to an unsigned JSON object.
func issue(priv ed25519.PrivateKey, doc string) []byte {
	payload, _, err := canonical.Signed([]byte(doc), verify.DefaultRevocationLimit)
	if err != nil {
		panic(err)
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, payload))
	return []byte(doc[:len(doc)-1] + `,"signature":"` + sig + `"}`)
}

func ExampleStatusProof() {
	priv, ring := statusIssuer()
	device := []byte(`{"cpu_id":"Intel-Core-i9-12900K","disk_serial":"WD-ABC123456"}`)
	fp, _ := verify.FingerprintHash(device)
	proof := issue(priv, `{"license_id":"b28a923a-c747-49b2-bc90-d87004c10379","status":"valid",
		"checked_at":"2025-12-30T15:30:00Z","valid_until":"2026-01-01T15:30:00Z","revocation_epoch":42,
		"binding_hash":"`+fp.Hash+`","entitlements":["feature:api","feature:export"],"issuer_kid":"ql-api-v2"}`)

	stored := int64(41) // the host's anti-rollback epoch, from its own storage
	for _, now := range []string{"2025-12-31T00:00:00Z", "2026-01-02T00:00:00Z"} {
		at, _ := time.Parse(time.RFC3339, now)
		res, err := verify.StatusProof(proof, ring, verify.StatusProofOptions{
			Now: at, LicenseID: "b28a923a-c747-49b2-bc90-d87004c10379", Fingerprint: device, MinEpoch: stored,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(now, res.Code, res.Entitlements, "refresh after", res.RefreshAfter.Format(time.RFC3339))
		if res.StoreEpoch != nil {
			stored = *res.StoreEpoch // the host writes this back
		}
	}
	fmt.Println("stored epoch:", stored)

	// A forged member fails at the signature step, and the result carries
	// no claims.
	forged := bytes.Replace(proof, []byte(`"revocation_epoch":42`), []byte(`"revocation_epoch":99`), 1)
	res, _ := verify.StatusProof(forged, ring, verify.StatusProofOptions{Now: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)})
	fmt.Println(res.Valid, res.Code, res.ProofClaims == nil)
	// Output:
	// 2025-12-31T00:00:00Z ok [feature:api feature:export] refresh after 2026-01-01T03:30:00Z
	// 2026-01-02T00:00:00Z proof_expired [feature:api feature:export] refresh after 2026-01-01T03:30:00Z
	// stored epoch: 42
	// false bad_signature true
}
