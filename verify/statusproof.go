package verify

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/internal/msg"
	"github.com/licverify/licverify/internal/timefmt"
)

const (
	// DefaultMaxTTL is the longest lifetime (valid_until − checked_at) a
	// status proof may claim unless [StatusProofOptions.MaxTTL] says
	// otherwise: the issuer's own upper bound of 168 hours.
	DefaultMaxTTL = 168 * time.Hour
	// DefaultSkew is the clock-skew tolerance of "not yet valid" checks.
	DefaultSkew = 5 * time.Minute
)

// Status values of a status proof.
const (
	ProofValid       = "valid"
	ProofRevoked     = "revoked"
	ProofExpired     = "expired"
	ProofGracePeriod = "grace_period"
)

// StatusProofOptions are the inputs of [StatusProof] besides the proof and
// the keyring.
type StatusProofOptions struct {
	// Now is the current time from a clock the host trusts. Required.
	Now time.Time
	// LicenseID, when not empty, is the license id the proof must be for,
	// taken from the license artifact; compared byte for byte.
	LicenseID string
	// Fingerprint is this device's fingerprint components, a JSON object
	// (see [FingerprintHash]). A device-bound proof is refused without it.
	Fingerprint []byte
	// MinEpoch is the highest revocation epoch the host has stored for
	// this namespace, 0 when none; an older proof is a rollback.
	MinEpoch int64
	// MaxTTL is the longest valid_until − checked_at accepted; zero means
	// [DefaultMaxTTL].
	MaxTTL time.Duration
	// Skew is how far checked_at may lie in the future; zero means
	// [DefaultSkew] and a negative value means no tolerance at all.
	Skew time.Duration
	// Limit is the largest input accepted, in bytes; zero means 1 MiB.
	Limit int
}

// ProofClaims are the claims of a status proof. They are present in a
// result only once the proof's signature has verified with a key that was
// valid at checked_at, so they are never read from forged content.
type ProofClaims struct {
	LicenseID string `json:"license_id"`
	// Status is the proof's status as signed: "valid", "revoked",
	// "expired", "grace_period" (or anything else, which is refused).
	Status     string    `json:"status"`
	CheckedAt  time.Time `json:"checked_at"`
	ValidUntil time.Time `json:"valid_until"`
	// Epoch is the proof's revocation_epoch.
	Epoch int64 `json:"epoch"`
	// Entitlements is never nil; an absent member means none.
	Entitlements []string `json:"entitlements"`
	// KID is the issuer_kid, the key that verified the proof.
	KID string `json:"kid"`
	// SignedForm names the signed form the signature is over: "rfc8785"
	// or "python" (formats.md "Signed forms").
	SignedForm string `json:"signed_form"`
	// Bound reports whether the proof carries a binding_hash (not null,
	// not ""), which then matched the device's fingerprint if the result
	// is valid.
	Bound bool `json:"bound"`
	// RefreshAfter is checked_at + 75% of the proof's lifetime, the point
	// at which a host should fetch a new proof; zero (and absent from JSON)
	// when valid_until is not after checked_at.
	RefreshAfter time.Time `json:"refresh_after,omitzero"`
	// Grace is true for status "grace_period".
	Grace bool `json:"grace,omitempty"`
	// StoreEpoch is the epoch the host should store as its new
	// anti-rollback epoch; set once the rollback check has passed.
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
}

// StatusProofResult is the outcome of [StatusProof]. ProofClaims is nil
// when the proof was rejected before its signature and key were checked;
// check Valid first.
type StatusProofResult struct {
	Result
	*ProofClaims
}

// proof is a status proof's members after the shape check.
type proof struct {
	licenseID, status, kid string
	checkedAt, validUntil  time.Time
	epoch                  int64
	bindingHash            string // empty when unbound
	entitlements           []string
}

// StatusProof verifies a status proof offline (formats.md §1). proof is one
// of:
//
//   - the proof object, {"license_id": ..., "signature": ...};
//   - the issuer's API response wrapper, {"proof": {...}, "compact": "...",
//     "valid_until": "..."}: a JSON object with a "proof" or "compact"
//     member and no "signature" member. Only the proof is signed; the
//     wrapper's valid_until is never read, and a compact beside a proof
//     must hold the same proof (same signed bytes and signature), checked
//     after the signature, or the result is CodeInvalidField;
//   - the compact form alone: standard or URL-safe base64, padding
//     optional, of the proof's JSON text, bare (surrounding whitespace
//     ignored) or as a JSON string.
//
// The checks run in this order: parse, signature envelope, shape, key
// (issuer_kid), signature, key window at checked_at, the wrapper's compact
// member, then the five steps of §1: times (not_yet_valid, proof_expired,
// ttl_too_long, invalid_field), license id, device binding, revocation
// epoch, status. Claims are set from the compact check on, for rejections
// too.
//
// A rejection is a result with Valid false. The error is non-nil only for
// misuse, and then wraps [ErrMisuse]: a nil or empty keyring, a zero Now,
// a negative option, or a Fingerprint that is not a JSON object.
func StatusProof(proofData []byte, keys *Keyring, opts StatusProofOptions) (*StatusProofResult, error) {
	if keys.Len() == 0 {
		return nil, misuse("status proof: no keys")
	}
	if opts.Now.IsZero() {
		return nil, misuse("status proof: Now is required")
	}
	if opts.MinEpoch < 0 || opts.MaxTTL < 0 || opts.Limit < 0 {
		return nil, misuse("status proof: MinEpoch, MaxTTL and Limit must not be negative")
	}
	var deviceHash string
	if len(opts.Fingerprint) > 0 {
		fp, err := FingerprintHash(opts.Fingerprint)
		if err != nil {
			return nil, misuse("status proof: fingerprint: %v", err)
		}
		deviceHash = fp.Hash
	}
	maxTTL := opts.MaxTTL
	if maxTTL == 0 {
		maxTTL = DefaultMaxTTL
	}
	skew := opts.Skew
	switch {
	case skew == 0:
		skew = DefaultSkew
	case skew < 0:
		skew = 0
	}
	limit := opts.Limit
	if limit == 0 {
		limit = canonical.DefaultLimit
	}

	in, err := locateProof(proofData, limit)
	if err != nil {
		return &StatusProofResult{Result: rejected(err)}, nil
	}
	d := in.doc
	if err := d.requireSignature(); err != nil {
		return &StatusProofResult{Result: rejected(err)}, nil
	}
	p, err := readProof(d.fields)
	if err != nil {
		return &StatusProofResult{Result: rejected(d.fields.spMissing(err, kindProof))}, nil
	}
	_, form, err := d.verifySignature(keys, p.kid, true, p.checkedAt)
	if err != nil {
		return &StatusProofResult{Result: rejected(err)}, nil
	}

	// The proof is authentic from here on: every result carries its claims.
	c := p.claims()
	c.SignedForm = form.String()
	res := func(err *Error) (*StatusProofResult, error) {
		return &StatusProofResult{Result: rejected(err), ProofClaims: c}, nil
	}
	if err := in.checkCompact(form); err != nil {
		return res(err)
	}
	// Step 1: the proof's own times.
	if p.checkedAt.After(opts.Now.Add(skew)) {
		return res(fail(CodeNotYetValid, "proof was checked at %s, after now (%s) plus the allowed skew",
			formatClaim(p.checkedAt), formatClaim(opts.Now)))
	}
	if !opts.Now.Before(p.validUntil) {
		return res(fail(CodeProofExpired, "proof expired at %s", formatClaim(p.validUntil)))
	}
	if _, long := proofTTL(p.checkedAt, p.validUntil, maxTTL); long {
		return res(fail(CodeTTLTooLong, "proof lifetime %s (checked_at %s to valid_until %s) exceeds the maximum %s",
			span(p.checkedAt, p.validUntil), formatClaim(p.checkedAt), formatClaim(p.validUntil), maxTTL))
	}
	if !p.validUntil.After(p.checkedAt) {
		return res(fail(CodeInvalidField, "valid_until is not after checked_at"))
	}
	// Step 2: the license the host holds.
	if opts.LicenseID != "" && opts.LicenseID != p.licenseID {
		return res(fail(CodeLicenseMismatch, "proof is for license %q, not %q", truncate(p.licenseID), truncate(opts.LicenseID)))
	}
	// Step 3: device binding.
	if p.bindingHash != "" {
		if deviceHash == "" {
			return res(fail(CodeDeviceRequired, "proof is bound to a device and no fingerprint was given"))
		}
		if deviceHash != p.bindingHash {
			return res(fail(CodeDeviceMismatch, "proof is bound to another device"))
		}
	}
	// Step 4: anti-rollback.
	store, eerr := CheckEpoch(opts.MinEpoch, p.epoch)
	if eerr != nil {
		return res(asError(eerr))
	}
	c.StoreEpoch = &store
	// Step 5: the status itself.
	switch p.status {
	case ProofValid:
		return &StatusProofResult{Result: ok("status proof is valid"), ProofClaims: c}, nil
	case ProofGracePeriod:
		return &StatusProofResult{Result: ok("status proof is valid; the license is in its grace period"), ProofClaims: c}, nil
	case ProofRevoked:
		return res(fail(CodeRevoked, "license %q is revoked", truncate(p.licenseID)))
	case ProofExpired:
		return res(fail(CodeExpired, "license %q has expired", truncate(p.licenseID)))
	}
	return res(fail(CodeInvalidField, "status %q is not valid, revoked, expired or grace_period", truncate(p.status)))
}

// readProof is the shape check of a status proof, in the member order of
// formats.md §1. Unknown members are ignored (they are signed all the same).
func readProof(f fields) (*proof, *Error) {
	p := &proof{}
	var err *Error
	if p.licenseID, err = f.nonEmpty("license_id"); err != nil {
		return nil, err
	}
	if p.status, _, err = f.str("status", true); err != nil {
		return nil, err
	}
	if p.checkedAt, _, err = f.time("checked_at", true); err != nil {
		return nil, err
	}
	if p.validUntil, _, err = f.time("valid_until", true); err != nil {
		return nil, err
	}
	if p.epoch, err = f.spEpoch("revocation_epoch"); err != nil {
		return nil, err
	}
	// QuantumLock's StatusProof defaults binding_hash to "" and its issuer
	// signs "" for a proof bound to no device: "" is unbound, as null is.
	if h, ok, err := f.optStr("binding_hash"); err != nil {
		return nil, err
	} else if ok && h != "" {
		if !isFingerprintHash(h) {
			return nil, fail(CodeInvalidField, "binding_hash %q is not sha256:<64 lowercase hex>", truncate(h))
		}
		p.bindingHash = h
	}
	p.entitlements = []string{}
	if f.spPresent("entitlements") {
		if p.entitlements, _, err = f.strings("entitlements", true); err != nil {
			return nil, err
		}
	}
	if p.kid, err = f.nonEmpty("issuer_kid"); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *proof) claims() *ProofClaims {
	c := &ProofClaims{
		LicenseID:    p.licenseID,
		Status:       p.status,
		CheckedAt:    claimTime(p.checkedAt),
		ValidUntil:   claimTime(p.validUntil),
		Epoch:        p.epoch,
		Entitlements: p.entitlements,
		KID:          p.kid,
		Bound:        p.bindingHash != "",
		Grace:        p.status == ProofGracePeriod,
	}
	if p.validUntil.After(p.checkedAt) {
		c.RefreshAfter = claimTime(refreshAfter(p.checkedAt, p.validUntil))
	}
	return c
}

// proofTTL returns valid_until − checked_at and whether it exceeds max.
// time.Time.Sub saturates at about 292 years, which still exceeds any max.
func proofTTL(checkedAt, validUntil time.Time, max time.Duration) (time.Duration, bool) {
	ttl := validUntil.Sub(checkedAt)
	return ttl, ttl > max
}

// span writes to − from (to after from) as time.Duration does, in hours,
// minutes and seconds, without time.Time.Sub's saturation at about 292
// years: a proof checked in year 0000 has a lifetime of 17 million hours,
// not 2562047h47m16.85s.
func span(from, to time.Time) string {
	if d := to.Sub(from); d < math.MaxInt64 {
		return d.String()
	}
	sec := to.Unix() - from.Unix()
	nsec := to.Nanosecond() - from.Nanosecond()
	if nsec < 0 {
		sec--
		nsec += int(time.Second)
	}
	s := msg.Sprintf("%dh%dm%d", sec/3600, sec%3600/60, sec%60)
	if nsec > 0 {
		frac := strconv.Itoa(nsec + int(time.Second))[1:] // nine digits
		s += "." + strings.TrimRight(frac, "0")
	}
	return s + "s"
}

// refreshAfter is from + ⌊3/4 (to − from)⌋ to the nanosecond: the
// status-proof seed's refresh point.
func refreshAfter(from, to time.Time) time.Time { return refreshPoint(from, to, DefaultRefreshPercent) }

// formatClaim formats a time for a message.
func formatClaim(t time.Time) string { return timefmt.RFC3339(t.UTC(), true) }

// proofInput is the status proof found in the caller's input.
type proofInput struct {
	doc *document
	// compact is the wrapper's compact member when it stands beside a
	// proof member: checked against the proof after the signature step.
	compact []byte
	// hasCompact reports whether such a member was present.
	hasCompact bool
}

// locateProof finds the proof in any of the three accepted forms and runs
// the parse step on it.
func locateProof(data []byte, limit int) (*proofInput, *Error) {
	if len(data) > limit {
		return nil, fail(CodeInputTooLarge, "input is %d bytes, limit is %d", len(data), limit)
	}
	trimmed := bytes.Trim(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, fail(CodeMalformedJSON, "status proof is empty")
	}
	if hasBOM(trimmed) {
		return nil, bomError("status proof")
	}
	switch trimmed[0] {
	case '{':
	case '"':
		raw, err := compactString(trimmed)
		if err != nil {
			return nil, err
		}
		return compactProof(raw, limit, CodeMalformedJSON)
	default:
		return compactProof(trimmed, limit, CodeMalformedJSON)
	}
	d, err := parseDocument(data, limit, "status proof", nil)
	if err != nil {
		return nil, err
	}
	hasSignature := d.signature != nil || d.sigErr != nil
	if hasSignature || (!d.fields.has("proof") && !d.fields.has("compact")) {
		return &proofInput{doc: d}, nil
	}
	// The wrapper: unsigned, so nothing in it is trusted but the proof.
	if !d.fields.has("proof") {
		raw, err := compactMember(d.fields)
		if err != nil {
			return nil, err
		}
		return compactProof(raw, limit, CodeInvalidField)
	}
	if p := d.fields["proof"]; len(p) == 0 || p[0] != '{' {
		return nil, fail(CodeInvalidField, "the wrapper's proof member is not an object")
	}
	// The proof is read from the wrapper's own text, not its canonical
	// form: RFC 8785 writes 5.0 as 5, and the Python form tells the two
	// apart.
	var raw []byte
	jsontext.Object(data, func(name string, v []byte) bool {
		if name == "proof" {
			raw = v
			return false
		}
		return true
	})
	pd, err := parseDocument(raw, limit, "proof", nil)
	if err != nil {
		return nil, err
	}
	in := &proofInput{doc: pd, hasCompact: d.fields.spPresent("compact")}
	if in.hasCompact {
		in.compact = d.fields["compact"]
	}
	return in, nil
}

// compactString reads a compact proof written as a JSON string.
func compactString(data []byte) ([]byte, *Error) {
	f := fields{"compact": data}
	s, _, err := f.str("compact", true)
	if err != nil {
		return nil, fail(CodeMalformedJSON, "status proof is a malformed JSON string")
	}
	return []byte(s), nil
}

// compactMember reads the wrapper's compact member, a string.
func compactMember(f fields) ([]byte, *Error) {
	s, _, err := f.str("compact", true)
	if err != nil {
		return nil, fail(CodeInvalidField, "the wrapper's compact member is not a string")
	}
	return []byte(s), nil
}

// compactProof decodes a compact proof: base64 of the proof's JSON text.
// notBase64 is the code for text that is not base64: CodeMalformedJSON for
// the input itself, CodeInvalidField for a wrapper's member.
func compactProof(b64 []byte, limit int, notBase64 Code) (*proofInput, *Error) {
	raw, ok := decodeBase64(string(b64))
	if !ok {
		return nil, fail(notBase64, "status proof is neither a JSON object nor base64 of one")
	}
	d, err := parseDocument(raw, limit, "compact proof", nil)
	if err != nil {
		err.Message = "compact proof: " + err.Message
		return nil, err
	}
	return &proofInput{doc: d}, nil
}

// checkCompact requires a wrapper's compact member, when present beside the
// proof, to hold the very proof that was verified: a cache whose two copies
// disagree would let another reader act on the one that was not checked.
// It runs after the signature step, so tampering with the proof member is
// still reported as CodeBadSignature.
func (in *proofInput) checkCompact(form canonical.Form) *Error {
	if !in.hasCompact {
		return nil
	}
	f := fields{"compact": in.compact}
	s, _, err := f.str("compact", true)
	if err != nil {
		return fail(CodeInvalidField, "the wrapper's compact member is not a string")
	}
	raw, ok := decodeBase64(s)
	if !ok {
		return fail(CodeInvalidField, "the wrapper's compact member is not base64")
	}
	cd, err := parseDocument(raw, len(raw), "compact proof", nil)
	if err != nil {
		err.Message = "the wrapper's compact member: " + err.Message
		return err
	}
	// The same value, and the same bytes in the form that verified: 5 and
	// 5.0 are one value in RFC 8785 but not in Python's form.
	p, _ := cd.msg.Form(form)
	q, _ := in.doc.msg.Form(form)
	if !bytes.Equal(cd.payload, in.doc.payload) || !bytes.Equal(p, q) || cd.sigErr != nil || !bytes.Equal(cd.signature, in.doc.signature) {
		return fail(CodeInvalidField, "the wrapper's compact member holds a different proof from its proof member")
	}
	return nil
}
