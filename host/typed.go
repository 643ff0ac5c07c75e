package host

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
)

// The typed methods mirror the functions of package verify: same inputs,
// same result types, same meaning of errors. Each builds a request frame
// (wasm/ABI.md) whose documents, keyring, state and fingerprint are parts
// holding the caller's exact bytes, lets the module answer, and decodes
// its result. Options travel in the header exactly as internal/api/ops.json
// names them; a test holds the methods to that table.

// keyringPart returns the bytes of the keys part. A ring read by
// verify.ParseKeyring is sent as the very bytes it was read from, so that
// the module reads the keyring the caller did (PEM, JWKS or JSON, as it
// was); a ring built with verify.NewKeyring has no such bytes and is
// written in the native JSON form. A nil or empty ring is misuse, as it is
// for verify.
func keyringPart(keys *verify.Keyring) ([]byte, error) {
	if keys.Len() == 0 {
		return nil, fmt.Errorf("%w: host: no keys", verify.ErrMisuse)
	}
	if src := keys.Source(); src != nil {
		return src, nil
	}
	return keyringText(keys)
}

// keyringText writes keys in the native keyring form for the module to
// load again.
func keyringText(keys *verify.Keyring) ([]byte, error) {
	list := make([]map[string]string, 0, keys.Len())
	for _, k := range keys.Keys() {
		m := map[string]string{"alg": "ed25519", "public_key": base64.StdEncoding.EncodeToString(k.PublicKey)}
		if k.KID != "" {
			m["kid"] = k.KID
		}
		if !k.NotBefore.IsZero() {
			m["not_before"] = timeText(k.NotBefore.UTC())
		}
		if !k.NotAfter.IsZero() {
			m["not_after"] = timeText(k.NotAfter.UTC())
		}
		list = append(list, m)
	}
	return json.Marshal(list)
}

// timeText writes t as an RFC 3339 time member. RFC 3339 offsets are
// whole minutes, so a zone whose offset has seconds (local mean time) is
// written in UTC rather than as another instant.
func timeText(t time.Time) string {
	if _, off := t.Zone(); off%60 != 0 {
		t = t.UTC()
	}
	return t.Format(time.RFC3339Nano)
}

// withKeys adds keys and now, which every verification needs.
func withKeys(r *api.Request, keys *verify.Keyring, now time.Time) error {
	ring, err := keyringPart(keys)
	if err != nil {
		return err
	}
	if now.IsZero() {
		return fmt.Errorf("%w: host: Now is required", verify.ErrMisuse)
	}
	r.Part("keys", ring).Set("now", timeText(now))
	return nil
}

// withSkew sets skew_seconds from a verify Skew option: zero is the
// default (omitted), negative is no tolerance (0 on the wire).
func withSkew(r *api.Request, skew time.Duration) error {
	switch {
	case skew < 0:
		r.Set("skew_seconds", 0)
	case skew > 0:
		if skew%time.Second != 0 {
			return fmt.Errorf("%w: host: Skew %v is not a whole number of seconds", verify.ErrMisuse, skew)
		}
		r.Set("skew_seconds", int64(skew/time.Second))
	}
	return nil
}

// withLimit sets limit unless it is the default (0). The module accepts
// only limits that lower the default; a larger one is a *RequestError.
func withLimit(r *api.Request, limit int) {
	if limit != 0 {
		r.Set("limit", limit)
	}
}

// encode returns r's frame. A string option that is not UTF-8 is misuse:
// JSON cannot carry it, and repairing it would send another value.
func (v *Verifier) encode(r *api.Request) ([]byte, error) {
	frame, err := r.Encode()
	if err != nil {
		return nil, fmt.Errorf("%w: host: %v", verify.ErrMisuse, err)
	}
	if v.sent != nil {
		v.sent(frame)
	}
	return frame, nil
}

// do sends r and decodes a result into out. A {"error": ...} response is a
// *RequestError.
func (v *Verifier) do(ctx context.Context, r *api.Request, out any) error {
	frame, err := v.encode(r)
	if err != nil {
		return err
	}
	resp, err := v.Call(ctx, frame)
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
// canonical.Transform does; limit <= 0 means the default limit, and a
// limit above it is a *RequestError. A rejected document is a
// *canonical.Error (without its byte offset, which the result does not
// carry).
func (v *Verifier) Canonicalize(ctx context.Context, doc []byte, limit int) ([]byte, error) {
	r := api.NewRequest("canonicalize").Part("document", doc)
	if limit > 0 {
		r.Set("limit", limit)
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
	if err := v.do(ctx, api.NewRequest("fingerprint").Part("components", components), &res); err != nil {
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
	r := api.NewRequest("status_proof").Part("proof", proof)
	if err := withKeys(r, keys, opts.Now); err != nil {
		return nil, err
	}
	if opts.LicenseID != "" {
		r.Set("license_id", opts.LicenseID)
	}
	// verify treats empty components as none; the module refuses an
	// empty part, so it is left out.
	if len(opts.Fingerprint) > 0 {
		r.Part("fingerprint", opts.Fingerprint)
	}
	if opts.MinEpoch != 0 {
		r.Set("min_epoch", opts.MinEpoch)
	}
	if opts.MaxTTL != 0 {
		if opts.MaxTTL < 0 || opts.MaxTTL%time.Second != 0 {
			return nil, fmt.Errorf("%w: host: MaxTTL %v is not a positive whole number of seconds", verify.ErrMisuse, opts.MaxTTL)
		}
		r.Set("max_ttl_seconds", int64(opts.MaxTTL/time.Second))
	}
	if err := withSkew(r, opts.Skew); err != nil {
		return nil, err
	}
	withLimit(r, opts.Limit)
	res := new(verify.StatusProofResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// RevocationOptions are the options of [Verifier.RevocationSetWith] and
// [Verifier.LoadRevocationSetWith]: verify's, plus deltas to apply to the
// set and ids to look up in it, in the same call.
type RevocationOptions struct {
	verify.RevocationOptions
	// Deltas are applied to the set in order, as
	// verify.VerifiedSet.ApplyDelta does, once the set is valid. The
	// result is that of the first document rejected (its message names
	// the delta: "delta 1: ..."), or of the last one. At most 4,096;
	// more is a *RequestError.
	Deltas [][]byte
	// Lookup, when not nil, lists license ids to look up at Now in the
	// resulting set (at most 65,536).
	Lookup []string
}

// RevocationResult is the result of a revocation set with its deltas, and
// the lookups asked for.
type RevocationResult struct {
	verify.RevocationSetResult
	// Lookups holds one entry per id of Lookup, in order, when the result
	// is valid.
	Lookups []verify.LookupResult `json:"lookups,omitempty"`
}

// revocationRequest builds a revocation_set or revocation_load request.
func revocationRequest(op string, set []byte, keys *verify.Keyring, opts RevocationOptions) (*api.Request, error) {
	r := api.NewRequest(op).Part("set", set)
	if err := withRevocationOptions(r, keys, opts.RevocationOptions); err != nil {
		return nil, err
	}
	for _, d := range opts.Deltas {
		r.Part("deltas", d)
	}
	if opts.Lookup != nil {
		r.Set("lookup", opts.Lookup)
	}
	return r, nil
}

func withRevocationOptions(r *api.Request, keys *verify.Keyring, opts verify.RevocationOptions) error {
	if err := withKeys(r, keys, opts.Now); err != nil {
		return err
	}
	if opts.MinEpoch != 0 {
		r.Set("min_epoch", opts.MinEpoch)
	}
	if opts.AllowStale {
		r.Set("allow_stale", true)
	}
	if err := withSkew(r, opts.Skew); err != nil {
		return err
	}
	withLimit(r, opts.Limit)
	return nil
}

// RevocationSet verifies a full revocation set, as verify.RevocationSet
// does, except that the result's Set is always nil: the verified set stays
// in the module. To look ids up, use [Verifier.RevocationSetWith] or
// [Verifier.LoadRevocationSet].
func (v *Verifier) RevocationSet(ctx context.Context, set []byte, keys *verify.Keyring, opts verify.RevocationOptions) (*verify.RevocationSetResult, error) {
	res, err := v.RevocationSetWith(ctx, set, keys, RevocationOptions{RevocationOptions: opts})
	if err != nil {
		return nil, err
	}
	return &res.RevocationSetResult, nil
}

// RevocationSetWith verifies a revocation set, applies opts.Deltas to it
// and looks up opts.Lookup in the result, in one call.
func (v *Verifier) RevocationSetWith(ctx context.Context, set []byte, keys *verify.Keyring, opts RevocationOptions) (*RevocationResult, error) {
	r, err := revocationRequest("revocation_set", set, keys, opts)
	if err != nil {
		return nil, err
	}
	res := new(RevocationResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// License verifies and evaluates a license.key, as verify.License does.
func (v *Verifier) License(ctx context.Context, license []byte, keys *verify.Keyring, opts verify.LicenseOptions) (*verify.LicenseResult, error) {
	r := api.NewRequest("license").Part("license", license).Set("product_id", opts.ProductID)
	if err := withKeys(r, keys, opts.Now); err != nil {
		return nil, err
	}
	if opts.FingerprintHash != "" {
		r.Set("fingerprint_hash", opts.FingerprintHash)
	}
	// An empty state that is not nil is a state file that is empty, which
	// verify reads (and refuses) as such: it is sent.
	if opts.State != nil {
		r.Part("state", opts.State)
	}
	if !opts.ServerTime.IsZero() {
		r.Set("server_time", timeText(opts.ServerTime))
	}
	if !opts.ReleaseDate.IsZero() {
		r.Set("release_date", timeText(opts.ReleaseDate))
	}
	res := new(verify.LicenseResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// QKey verifies a .qkey license file, as verify.QKey does.
func (v *Verifier) QKey(ctx context.Context, file []byte, keys *verify.Keyring, opts verify.QKeyOptions) (*verify.QKeyResult, error) {
	r := api.NewRequest("qkey").Part("qkey", file)
	if err := withKeys(r, keys, opts.Now); err != nil {
		return nil, err
	}
	if opts.Password != "" {
		r.Set("password", opts.Password)
	}
	if opts.Package != "" {
		r.Set("package", opts.Package)
	}
	if opts.MachineID != "" {
		r.Set("machine_id", opts.MachineID)
	}
	if opts.AllowUnsigned {
		r.Set("allow_unsigned", true)
	}
	withLimit(r, opts.Limit)
	res := new(verify.QKeyResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}
