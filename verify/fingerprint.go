package verify

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/licverify/licverify/canonical"
)

// Fingerprint is the hash of a device's fingerprint components.
type Fingerprint struct {
	// Hash is "sha256:" + hex(SHA-256(JCS(components))): a status proof's
	// binding_hash and a license.key's fingerprint_hash.
	Hash string `json:"binding_hash"`
	// MachineID is the first 32 hex digits of the same digest: a .qkey
	// machine_id.
	MachineID string `json:"machine_id"`
}

// FingerprintHash hashes a fingerprint components object, a JSON object
// such as {"cpu_id": "...", "disk_serial": "..."}. Hosts collect the
// components; the hash is the same in every runtime because it is taken
// over the RFC 8785 canonical form. Errors are [*Error] with a JSON code,
// or CodeInvalidField when components is not an object.
func FingerprintHash(components []byte) (Fingerprint, error) {
	c, err := canonical.Transform(components, canonical.DefaultLimit)
	if err != nil {
		return Fingerprint{}, asError(err)
	}
	if c[0] != '{' {
		return Fingerprint{}, fail(CodeInvalidField, "fingerprint components must be a JSON object")
	}
	sum := sha256.Sum256(c)
	h := hex.EncodeToString(sum[:])
	return Fingerprint{Hash: "sha256:" + h, MachineID: h[:32]}, nil
}
