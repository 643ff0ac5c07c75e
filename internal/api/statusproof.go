package api

import (
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
)

func init() {
	register("status_proof", func(r *request) (encoded, error) {
		res, err := statusProof(r)
		return respond(err, func(w *jsontext.Writer) { appendStatusProof(w, res) })
	})
}

// statusProof is verify.StatusProof: the proof and the fingerprint
// components are parts, so that their exact bytes reach the verifier.
func statusProof(r *request) (*verify.StatusProofResult, error) {
	opts := verify.StatusProofOptions{
		Now:         r.time("now"),
		LicenseID:   r.str("license_id"),
		Fingerprint: r.part("fingerprint"),
		MinEpoch:    r.int("min_epoch"),
		MaxTTL:      r.seconds("max_ttl_seconds"),
		Skew:        r.skew(),
		Limit:       int(r.int("limit")),
	}
	ring, err := r.keys()
	if err != nil {
		return nil, err
	}
	res, err := verify.StatusProof(r.part("proof"), ring, opts)
	if err != nil {
		return nil, misuseError(err)
	}
	return res, nil
}
