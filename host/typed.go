package host

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/verify"
)

// The typed methods mirror the functions of package verify: same inputs,
// same result types, same meaning of errors. They build a request, let the
// module answer, and decode its result.

// request is a request under construction.
type request map[string]any

// keyringText writes keys in the native keyring form for the module to
// load again. A nil or empty ring is misuse, as it is for verify.
func keyringText(keys *verify.Keyring) (string, error) {
	if keys.Len() == 0 {
		return "", fmt.Errorf("%w: host: no keys", verify.ErrMisuse)
	}
	list := make([]map[string]string, 0, keys.Len())
	for _, k := range keys.Keys() {
		m := map[string]string{"alg": "ed25519", "public_key": base64.StdEncoding.EncodeToString(k.PublicKey)}
		if k.KID != "" {
			m["kid"] = k.KID
		}
		if !k.NotBefore.IsZero() {
			m["not_before"] = k.NotBefore.UTC().Format(time.RFC3339Nano)
		}
		if !k.NotAfter.IsZero() {
			m["not_after"] = k.NotAfter.UTC().Format(time.RFC3339Nano)
		}
		list = append(list, m)
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// withKeys adds keys and now, which every verification needs.
func (r request) withKeys(keys *verify.Keyring, now time.Time) error {
	text, err := keyringText(keys)
	if err != nil {
		return err
	}
	if now.IsZero() {
		return fmt.Errorf("%w: host: Now is required", verify.ErrMisuse)
	}
	r["keys"] = text
	r["now"] = now.Format(time.RFC3339Nano)
	return nil
}

// withSkew sets skew_seconds from a verify Skew option: zero is the
// default, negative is no tolerance.
func (r request) withSkew(skew time.Duration) error {
	switch {
	case skew < 0:
		r["skew_seconds"] = 0
	case skew > 0:
		if skew%time.Second != 0 {
			return fmt.Errorf("%w: host: Skew %v is not a whole number of seconds", verify.ErrMisuse, skew)
		}
		r["skew_seconds"] = int64(skew / time.Second)
	}
	return nil
}

func (r request) withLimit(limit int) {
	if limit != 0 {
		r["limit"] = limit
	}
}

// do sends r and decodes a result into out. A {"error": ...} response is a
// *RequestError.
func (v *Verifier) do(ctx context.Context, r request, out any) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	resp, err := v.Call(ctx, b)
	if err != nil {
		return err
	}
	return decodeResponse(resp, out)
}

func decodeResponse(resp []byte, out any) error {
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(resp, &e); err != nil {
		return &ModuleError{Reason: "response is not JSON: " + err.Error()}
	}
	if e.Error != nil {
		return &RequestError{Message: *e.Error}
	}
	if err := json.Unmarshal(resp, out); err != nil {
		return &ModuleError{Reason: "response does not decode: " + err.Error()}
	}
	return nil
}

// Canonicalize returns the RFC 8785 canonical form of doc, as
// canonical.Transform does; limit <= 0 means the default limit. A rejected
// document is a *canonical.Error (without its byte offset, which the
// result does not carry).
func (v *Verifier) Canonicalize(ctx context.Context, doc []byte, limit int) ([]byte, error) {
	r := request{"op": "canonicalize", "document": string(doc)}
	if limit > 0 {
		r["limit"] = limit
	}
	var res struct {
		verify.Result
		Canonical string `json:"canonical"`
	}
	if err := v.do(ctx, r, &res); err != nil {
		return nil, err
	}
	if !res.Valid {
		return nil, &canonical.Error{Code: string(res.Code), Offset: -1, Msg: strings.TrimPrefix(res.Message, "canonical: ")}
	}
	return []byte(res.Canonical), nil
}

// Fingerprint hashes a fingerprint components object, as
// verify.FingerprintHash does; a rejection is a *verify.Error.
func (v *Verifier) Fingerprint(ctx context.Context, components []byte) (verify.Fingerprint, error) {
	var res struct {
		verify.Result
		verify.Fingerprint
	}
	if err := v.do(ctx, request{"op": "fingerprint", "components": string(components)}, &res); err != nil {
		return verify.Fingerprint{}, err
	}
	if !res.Valid {
		return verify.Fingerprint{}, &verify.Error{Code: res.Code, Message: res.Message}
	}
	return res.Fingerprint, nil
}

// StatusProof verifies a status proof, as verify.StatusProof does.
// opts.MaxTTL and opts.Skew must be whole seconds.
func (v *Verifier) StatusProof(ctx context.Context, proof []byte, keys *verify.Keyring, opts verify.StatusProofOptions) (*verify.StatusProofResult, error) {
	r := request{"op": "status_proof", "proof": string(proof)}
	if err := r.withKeys(keys, opts.Now); err != nil {
		return nil, err
	}
	if opts.LicenseID != "" {
		r["license_id"] = opts.LicenseID
	}
	if opts.Fingerprint != nil {
		r["fingerprint"] = string(opts.Fingerprint)
	}
	if opts.MinEpoch != 0 {
		r["min_epoch"] = opts.MinEpoch
	}
	if opts.MaxTTL != 0 {
		if opts.MaxTTL < 0 || opts.MaxTTL%time.Second != 0 {
			return nil, fmt.Errorf("%w: host: MaxTTL %v is not a positive whole number of seconds", verify.ErrMisuse, opts.MaxTTL)
		}
		r["max_ttl_seconds"] = int64(opts.MaxTTL / time.Second)
	}
	if err := r.withSkew(opts.Skew); err != nil {
		return nil, err
	}
	r.withLimit(opts.Limit)
	res := new(verify.StatusProofResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// revocationRequest builds a revocation_set or revocation_load request.
func revocationRequest(op string, set []byte, keys *verify.Keyring, opts verify.RevocationOptions) (request, error) {
	r := request{"op": op, "set": string(set)}
	if err := r.withRevocationOptions(keys, opts); err != nil {
		return nil, err
	}
	return r, nil
}

func (r request) withRevocationOptions(keys *verify.Keyring, opts verify.RevocationOptions) error {
	if err := r.withKeys(keys, opts.Now); err != nil {
		return err
	}
	if opts.MinEpoch != 0 {
		r["min_epoch"] = opts.MinEpoch
	}
	if opts.AllowStale {
		r["allow_stale"] = true
	}
	if err := r.withSkew(opts.Skew); err != nil {
		return err
	}
	r.withLimit(opts.Limit)
	return nil
}

// RevocationSet verifies a full revocation set, as verify.RevocationSet
// does, except that the result's Set is always nil: the verified set stays
// in the module. To look ids up, use [Verifier.LoadRevocationSet].
func (v *Verifier) RevocationSet(ctx context.Context, set []byte, keys *verify.Keyring, opts verify.RevocationOptions) (*verify.RevocationSetResult, error) {
	r, err := revocationRequest("revocation_set", set, keys, opts)
	if err != nil {
		return nil, err
	}
	res := new(verify.RevocationSetResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// License verifies and evaluates a license.key, as verify.License does.
func (v *Verifier) License(ctx context.Context, license []byte, keys *verify.Keyring, opts verify.LicenseOptions) (*verify.LicenseResult, error) {
	r := request{"op": "license", "license": string(license), "product_id": opts.ProductID}
	if err := r.withKeys(keys, opts.Now); err != nil {
		return nil, err
	}
	if opts.FingerprintHash != "" {
		r["fingerprint_hash"] = opts.FingerprintHash
	}
	if opts.State != nil {
		r["state"] = string(opts.State)
	}
	if !opts.ReleaseDate.IsZero() {
		r["release_date"] = opts.ReleaseDate.Format(time.RFC3339Nano)
	}
	res := new(verify.LicenseResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// QKey verifies a .qkey license file, as verify.QKey does.
func (v *Verifier) QKey(ctx context.Context, file []byte, keys *verify.Keyring, opts verify.QKeyOptions) (*verify.QKeyResult, error) {
	r := request{"op": "qkey", "qkey": base64.StdEncoding.EncodeToString(file)}
	if err := r.withKeys(keys, opts.Now); err != nil {
		return nil, err
	}
	if opts.Password != "" {
		r["password"] = opts.Password
	}
	if opts.Package != "" {
		r["package"] = opts.Package
	}
	if opts.MachineID != "" {
		r["machine_id"] = opts.MachineID
	}
	if opts.AllowUnsigned {
		r["allow_unsigned"] = true
	}
	r.withLimit(opts.Limit)
	res := new(verify.QKeyResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}
