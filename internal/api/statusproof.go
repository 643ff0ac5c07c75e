package api

import (
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/licverify/licverify/verify"
)

func init() {
	register("status_proof", statusProof)
}

// statusProofRequest is the status_proof op: verify.StatusProof with its
// options as JSON members. proof and fingerprint are JSON text in strings,
// so that the exact bytes reach the verifier.
type statusProofRequest struct {
	Op            string  `json:"op"`
	Keys          *string `json:"keys"`
	Now           *string `json:"now"`
	Proof         *string `json:"proof"`
	LicenseID     *string `json:"license_id"`
	Fingerprint   *string `json:"fingerprint"`
	MinEpoch      *int64  `json:"min_epoch"`
	MaxTTLSeconds *int64  `json:"max_ttl_seconds"`
	SkewSeconds   *int64  `json:"skew_seconds"`
	Limit         *int    `json:"limit"`
}

func statusProof(raw json.RawMessage) (any, error) {
	var req statusProofRequest
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	if req.Proof == nil {
		return nil, badRequest("proof is required")
	}
	now, err := parseNow(req.Now)
	if err != nil {
		return nil, err
	}
	opts := verify.StatusProofOptions{Now: now}
	if req.LicenseID != nil {
		if *req.LicenseID == "" {
			return nil, badRequest("license_id is empty; omit it to skip the check")
		}
		opts.LicenseID = *req.LicenseID
	}
	if req.Fingerprint != nil {
		opts.Fingerprint = []byte(*req.Fingerprint)
	}
	if opts.MinEpoch, err = minEpoch(req.MinEpoch); err != nil {
		return nil, err
	}
	if req.MaxTTLSeconds != nil {
		if *req.MaxTTLSeconds <= 0 {
			return nil, badRequest("max_ttl_seconds must be positive")
		}
		if opts.MaxTTL, err = seconds("max_ttl_seconds", *req.MaxTTLSeconds); err != nil {
			return nil, err
		}
	}
	if opts.Skew, err = skew(req.SkewSeconds); err != nil {
		return nil, err
	}
	if opts.Limit, err = limit(req.Limit); err != nil {
		return nil, err
	}
	ring, refused, err := parseKeys(req.Keys)
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return verify.StatusProofResult{Result: *refused}, nil
	}
	res, err := verify.StatusProof([]byte(*req.Proof), ring, opts)
	if err != nil {
		return nil, misuseError(err)
	}
	return res, nil
}

// minEpoch reads an optional stored epoch.
func minEpoch(v *int64) (int64, error) {
	if v == nil {
		return 0, nil
	}
	if *v < 0 {
		return 0, badRequest("min_epoch must not be negative")
	}
	return *v, nil
}

// seconds converts a positive number of seconds to a duration.
func seconds(name string, n int64) (time.Duration, error) {
	if n > math.MaxInt64/int64(time.Second) {
		return 0, badRequest("%s is too large", name)
	}
	return time.Duration(n) * time.Second, nil
}

// skew reads an optional skew_seconds: absent means the default, 0 means
// no tolerance (verify's negative Skew).
func skew(v *int64) (time.Duration, error) {
	switch {
	case v == nil:
		return 0, nil
	case *v < 0:
		return 0, badRequest("skew_seconds must not be negative")
	case *v == 0:
		return -1, nil
	}
	return seconds("skew_seconds", *v)
}

// limit reads an optional size limit in bytes.
func limit(v *int) (int, error) {
	if v == nil {
		return 0, nil
	}
	if *v <= 0 {
		return 0, badRequest("limit must be positive")
	}
	return *v, nil
}

// misuseError turns a verifier's misuse error into a bad request.
func misuseError(err error) error {
	if errors.Is(err, verify.ErrMisuse) {
		return badRequest("%v", err)
	}
	return err
}
