package api

import (
	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/verify"
)

func init() {
	register("canonicalize", canonicalize)
	register("fingerprint", fingerprint)
}

type canonicalizeResult struct {
	verify.Result
	Canonical *string `json:"canonical,omitempty"`
}

func canonicalize(r *request) (any, error) {
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

func fingerprint(r *request) (any, error) {
	fp, err := verify.FingerprintHash(r.part("components"))
	if err != nil {
		return fingerprintResult{Result: verify.Rejected(err)}, nil
	}
	return fingerprintResult{Result: verify.Result{Valid: true, Code: verify.CodeOK, Message: "fingerprint hashed"}, Fingerprint: &fp}, nil
}
