// Package demo builds the sample documents `make demo` verifies: a keyring,
// a status proof (and a tampered copy), a revocation set, a license.key
// and a device's fingerprint components. Everything is derived from fixed
// seeds and fixed times, so the files in this directory are reproducible
// byte for byte (`go run ./examples/demo/gen`).
package demo

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"

	"github.com/licverify/licverify/canonical"
)

// Now is the time the demo verifies at: the samples are valid then.
const Now = "2026-03-01T12:00:00Z"

// KID is the demo issuer's key id.
const KID = "demo-2026"

// Product is the product id the demo license is for.
const Product = "calcpro"

// LicenseID is the license the proof is about; the revocation set
// revokes another one and suspends a third.
const (
	LicenseID = "LIC-DEMO-0001"
	RevokedID = "LIC-DEMO-0666"
)

// privateKey is the demo issuer's key. It is a fixture: its seed is public.
func privateKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licverify demo issuer key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// signed returns the canonical text of doc with its Ed25519 signature over
// the canonical form without the signature, as every format signs.
func signed(doc map[string]any) []byte {
	text, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	payload, _, err := canonical.Signed(text, 0)
	if err != nil {
		panic(err)
	}
	doc["signature"] = base64.StdEncoding.EncodeToString(ed25519.Sign(privateKey(), payload))
	text, err = json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	out, err := canonical.Transform(text, 0)
	if err != nil {
		panic(err)
	}
	return append(out, '\n')
}

// Files returns the sample files by name.
func Files() map[string][]byte {
	pub := privateKey().Public().(ed25519.PublicKey)
	ring, _ := json.Marshal([]map[string]string{{"kid": KID, "alg": "ed25519", "public_key": base64.StdEncoding.EncodeToString(pub)}})

	proof := map[string]any{
		"license_id":       LicenseID,
		"status":           "valid",
		"checked_at":       "2026-03-01T08:00:00Z",
		"valid_until":      "2026-03-03T08:00:00Z",
		"revocation_epoch": 7,
		"entitlements":     []string{"feature:export", "seats:5"},
		"issuer_kid":       KID,
	}
	proofText := signed(proof)
	// The tampered copy extends its own validity by a year, keeping the
	// signature: the verifier must say bad_signature.
	var tampered map[string]any
	if err := json.Unmarshal(proofText, &tampered); err != nil {
		panic(err)
	}
	tampered["valid_until"] = "2027-03-03T08:00:00Z"
	tamperedText, _ := json.Marshal(tampered)

	set := map[string]any{
		"epoch":       7,
		"issued_at":   "2026-03-01T06:00:00Z",
		"valid_until": "2026-03-02T06:00:00Z",
		"issuer_kid":  KID,
		"revoked_ids": []string{RevokedID},
		"suspended":   []map[string]string{{"license_id": "LIC-DEMO-0042", "until": "2026-04-01T00:00:00Z"}},
	}

	license := map[string]any{
		"schema_version": 1,
		"license_id":     LicenseID,
		"product_id":     Product,
		"customer":       map[string]any{"customer_id": "CUST-DEMO", "name": "Demo Customer Ltd"},
		"plan":           "subscription",
		"status":         "ACTIVE",
		"issued_at":      "2026-01-01T00:00:00Z",
		"expires_at":     "2027-01-01T00:00:00Z",
		"updates_until":  "2027-01-01T00:00:00Z",
		"trial":          map[string]any{"trial_days": nil},
		"fingerprint":    map[string]any{"mode": "machine", "bound": false, "fingerprint_hash": nil},
		"policy":         map[string]any{"check_interval_days": 30, "warn_after_days": 180, "max_offline_days": 365, "max_transfers": 2},
		"meta":           map[string]any{"notes": "sample license for make demo"},
		"signature_alg":  "ed25519",
	}

	device, _ := json.Marshal(map[string]string{"machine_id": "demo-machine", "hostname": "demo-host"})
	return map[string][]byte{
		"keyring.json":        append(ring, '\n'),
		"proof.json":          proofText,
		"proof-tampered.json": append(tamperedText, '\n'),
		"revocation-set.json": signed(set),
		"license.key":         signed(license),
		"device.json":         append(device, '\n'),
	}
}

// Names lists the sample files in a fixed order.
func Names() []string {
	return []string{"keyring.json", "proof.json", "proof-tampered.json", "revocation-set.json", "license.key", "device.json"}
}
