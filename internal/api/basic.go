package api

import (
	"encoding/json"

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

func canonicalize(raw json.RawMessage) (any, error) {
	var req struct {
		Op       string  `json:"op"`
		Document *string `json:"document"`
		Limit    int     `json:"limit"`
	}
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	if req.Document == nil {
		return nil, badRequest("document is required")
	}
	out, err := canonical.Transform([]byte(*req.Document), req.Limit)
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

func fingerprint(raw json.RawMessage) (any, error) {
	var req struct {
		Op         string  `json:"op"`
		Components *string `json:"components"`
	}
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	if req.Components == nil {
		return nil, badRequest("components is required")
	}
	fp, err := verify.FingerprintHash([]byte(*req.Components))
	if err != nil {
		return fingerprintResult{Result: verify.Rejected(err)}, nil
	}
	return fingerprintResult{Result: verify.Result{Valid: true, Code: verify.CodeOK, Message: "fingerprint hashed"}, Fingerprint: &fp}, nil
}
