package api

import (
	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
)

func init() {
	register("canonicalize", func(r *request) (encoded, error) {
		res, err := canonicalize(r)
		return respond(err, func(w *jsontext.Writer) { appendCanonicalize(w, res) })
	})
	register("fingerprint", func(r *request) (encoded, error) {
		res, err := fingerprint(r)
		return respond(err, func(w *jsontext.Writer) { appendFingerprint(w, res) })
	})
}

type canonicalizeResult struct {
	verify.Result
	Canonical *string `json:"canonical,omitempty"`
}

func canonicalize(r *request) (canonicalizeResult, error) {
	out, err := canonical.Transform(r.part("document"), int(r.int("limit")))
	if err != nil {
		return canonicalizeResult{Result: verify.Rejected(err)}, nil
	}
	s := string(out)
	return canonicalizeResult{Result: verify.Result{Valid: true, Code: verify.CodeOK, Message: "canonical form computed"}, Canonical: &s}, nil
}

type fingerprintResult struct {
	verify.Result
	*verify.Fingerprint
}

func fingerprint(r *request) (fingerprintResult, error) {
	fp, err := verify.FingerprintHash(r.part("components"))
	if err != nil {
		return fingerprintResult{Result: verify.Rejected(err)}, nil
	}
	return fingerprintResult{Result: verify.Result{Valid: true, Code: verify.CodeOK, Message: "fingerprint hashed"}, Fingerprint: &fp}, nil
}
