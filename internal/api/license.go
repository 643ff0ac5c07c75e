package api

import (
	"encoding/json"
	"time"

	"github.com/licverify/licverify/verify"
)

func init() { register("license", license) }

// license is verify.License: {keys, now, license, product_id,
// fingerprint_hash?, state?, release_date?}. license and state are the
// exact texts of license.key and license.state.json; release_date is an
// RFC 3339 time.
func license(raw json.RawMessage) (any, error) {
	var req struct {
		Op              string  `json:"op"`
		Keys            *string `json:"keys"`
		Now             *string `json:"now"`
		License         *string `json:"license"`
		ProductID       *string `json:"product_id"`
		FingerprintHash *string `json:"fingerprint_hash"`
		State           *string `json:"state"`
		ReleaseDate     *string `json:"release_date"`
	}
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	now, err := parseNow(req.Now)
	if err != nil {
		return nil, err
	}
	if req.License == nil {
		return nil, badRequest("license is required")
	}
	if req.ProductID == nil {
		return nil, badRequest("product_id is required")
	}
	ring, refused, err := parseKeys(req.Keys)
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return refused, nil
	}
	opts := verify.LicenseOptions{Now: now, ProductID: *req.ProductID}
	if req.FingerprintHash != nil {
		opts.FingerprintHash = *req.FingerprintHash
	}
	if req.State != nil {
		opts.State = []byte(*req.State)
	}
	if req.ReleaseDate != nil {
		if opts.ReleaseDate, err = time.Parse(time.RFC3339Nano, *req.ReleaseDate); err != nil {
			return nil, badRequest("release_date %q is not an RFC 3339 time", *req.ReleaseDate)
		}
	}
	res, err := verify.License([]byte(*req.License), ring, opts)
	if err != nil {
		return nil, badRequest("%v", err) // only misuse reaches here
	}
	return res, nil
}
