package verify_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/verify"
)

// exampleVendor stands in for the vendor's signing service: hosts only
// ever hold the public key.
func exampleVendor() (ed25519.PrivateKey, *verify.Keyring) {
	seed := sha256.Sum256([]byte("example vendor key"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	ring, err := verify.NewKeyring(verify.Key{KID: "vendor-2026", PublicKey: priv.Public().(ed25519.PublicKey)})
	if err != nil {
		panic(err)
	}
	return priv, ring
}

// exampleSign appends the signature member to an unsigned JSON object.
func exampleSign(priv ed25519.PrivateKey, doc string) []byte {
	payload, _, err := canonical.Signed([]byte(doc), 0)
	if err != nil {
		panic(err)
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, payload))
	return []byte(doc[:len(doc)-1] + `,"signature":"` + sig + `"}`)
}

func ExampleLicense() {
	priv, ring := exampleVendor()
	license := exampleSign(priv, `{"schema_version":1,"license_id":"LIC-9F3B2C8A","product_id":"calcpro",
		"customer":{"customer_id":"CUST-00192","name":"DM Sphere Pharmacy Limited"},
		"plan":"perpetual","status":"ACTIVE","issued_at":"2026-01-01T00:00:00Z",
		"expires_at":"2124-12-23T00:00:00Z","updates_until":"2031-12-23T00:00:00Z",
		"trial":{"trial_days":null},"fingerprint":{"mode":"machine","bound":true,"fingerprint_hash":null},
		"signature_alg":"ed25519"}`)
	machine, _ := verify.FingerprintHash([]byte(`{"machine_id":"4c4c4544-0042","hostname":"build-01"}`))

	var state []byte // no license.state.json yet: the first run activates
	for _, day := range []string{"2026-01-10", "2026-07-20", "2027-01-20"} {
		now, _ := time.Parse(time.DateOnly, day)
		res, err := verify.License(license, ring, verify.LicenseOptions{
			Now: now, ProductID: "calcpro", FingerprintHash: machine.Hash, State: state,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(day, res.Decision, res.Code, res.Reasons, res.DaysOffline)
		if res.State != nil {
			state, _ = json.Marshal(res.State) // the host writes this to license.state.json
		}
	}
	// Output:
	// 2026-01-10 run ok [] 0
	// 2026-07-20 warn ok [offline_warn check_due] 191
	// 2027-01-20 block offline_too_long [offline_too_long check_due] 375
}

func ExampleQKey() {
	priv, ring := exampleVendor()
	// Plain JSON; an encrypted .qkey file is passed the same way.
	file := exampleSign(priv, `{"package":"quantum-sim","user":"researcher@university.edu",
		"machine_id":"A1B2C3D4E5F67890123456789ABCDEF0","issued":"2025-07-15",
		"expires":"2026-07-15","features":["Core","pro","core"]}`)

	res, err := verify.QKey(file, ring, verify.QKeyOptions{
		Now:       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Package:   "Quantum-Sim",
		MachineID: "a1b2c3d4e5f67890123456789abcdef0",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Valid, res.Package, res.Features, res.DaysLeft)
	fmt.Println(res.Has("PRO"), res.Has("enterprise"))
	// Output:
	// true quantum-sim [core pro] 135
	// true false
}
