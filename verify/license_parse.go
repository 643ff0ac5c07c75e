package verify

import (
	"math"
	"time"
)

// License plans and statuses of license-engine-schema-v1 §1.1.
const (
	PlanTrial        = "trial"
	PlanPerpetual    = "perpetual"
	PlanSubscription = "subscription"

	StatusTrial        = "TRIAL"
	StatusTrialExpired = "TRIAL_EXPIRED"
	StatusActive       = "ACTIVE"
	StatusActiveWarn   = "ACTIVE_WARN"
	StatusExpired      = "EXPIRED"
	StatusSuspended    = "SUSPENDED"
	StatusRevoked      = "REVOKED"
)

// LicensePolicy is a license's policy block, with the defaults of
// license-engine-schema-v1 applied to absent members.
type LicensePolicy struct {
	// CheckIntervalDays is the target interval between server checks.
	CheckIntervalDays int64 `json:"check_interval_days"`
	// WarnAfterDays is the number of days offline after which the result
	// warns.
	WarnAfterDays int64 `json:"warn_after_days"`
	// MaxOfflineDays is the number of days offline after which the result
	// blocks.
	MaxOfflineDays int64 `json:"max_offline_days"`
	// MaxTransfers is enforced by the vendor's server; it is reported only.
	MaxTransfers int64 `json:"max_transfers"`
}

// DefaultLicensePolicy is the policy of a license.key that has none.
var DefaultLicensePolicy = LicensePolicy{CheckIntervalDays: 30, WarnAfterDays: 180, MaxOfflineDays: 365, MaxTransfers: 2}

// licenseDoc is a license.key after the shape step.
type licenseDoc struct {
	licenseID, productID     string
	customerID, customerName string
	plan, status             string
	issuedAt, expiresAt      time.Time
	updatesUntil             time.Time // zero when absent (trial plans only)
	trialDays                int64     // 0 unless plan is trial
	bound                    bool
	fingerprintHash          string // "" when not pre-bound
	policy                   LicensePolicy
}

// parseLicense runs the shape step on a license.key's members: schema
// version, algorithm, then every field rule of the schema, in the order
// the members are listed there.
func parseLicense(f fields) (*licenseDoc, *Error) {
	version, _, err := f.integer("schema_version", true, math.MinInt64)
	if err != nil {
		return nil, err
	}
	if version != 1 {
		return nil, fail(CodeUnsupportedSchema, "schema_version is %d; this verifier reads version 1", version)
	}
	alg, _, err := f.str("signature_alg", true)
	if err != nil {
		return nil, err
	}
	if alg != "ed25519" {
		return nil, fail(CodeUnsupportedAlg, "signature_alg %q is not ed25519", truncate(alg))
	}

	d := &licenseDoc{}
	if d.licenseID, err = f.nonEmpty("license_id"); err != nil {
		return nil, err
	}
	if d.productID, err = f.nonEmpty("product_id"); err != nil {
		return nil, err
	}
	customer, _, err := f.object("customer", true)
	if err != nil {
		return nil, err
	}
	if d.customerID, err = customer.nonEmpty("customer_id"); err != nil {
		return nil, licPrefixed("customer.", err)
	}
	if d.customerName, err = customer.nonEmpty("name"); err != nil {
		return nil, licPrefixed("customer.", err)
	}

	if d.plan, _, err = f.str("plan", true); err != nil {
		return nil, err
	}
	switch d.plan {
	case PlanTrial, PlanPerpetual, PlanSubscription:
	default:
		return nil, fail(CodeInvalidField, "plan %q is not trial, perpetual or subscription", truncate(d.plan))
	}
	if d.status, _, err = f.str("status", true); err != nil {
		return nil, err
	}
	switch d.status {
	case StatusTrial, StatusTrialExpired, StatusActive, StatusActiveWarn, StatusExpired, StatusSuspended, StatusRevoked:
	default:
		return nil, fail(CodeInvalidField, "status %q is not one of the schema's statuses", truncate(d.status))
	}

	if d.issuedAt, _, err = f.licUTC("issued_at", true, false); err != nil {
		return nil, err
	}
	if d.expiresAt, _, err = f.licUTC("expires_at", true, false); err != nil {
		return nil, err
	}
	if !d.expiresAt.After(d.issuedAt) {
		return nil, fail(CodeInvalidField, "expires_at is not after issued_at")
	}
	// "Required: updates_until for perpetual and subscription"; for a trial
	// it "should exist", so there it may be absent or null.
	trial := d.plan == PlanTrial
	if d.updatesUntil, _, err = f.licUTC("updates_until", !trial, trial); err != nil {
		return nil, err
	}

	if err := d.parseTrial(f); err != nil {
		return nil, err
	}
	if err := d.parseFingerprint(f); err != nil {
		return nil, err
	}
	if err := d.parsePolicy(f); err != nil {
		return nil, err
	}
	if meta, ok, err := f.object("meta", false); err != nil {
		return nil, err
	} else if ok {
		if _, _, err := meta.optStr("notes"); err != nil {
			return nil, licPrefixed("meta.", err)
		}
	}
	return d, nil
}

// parseTrial applies "if plan=trial, trial_days must be an integer > 0; if
// plan≠trial, must be null". For other plans an absent trial block or
// member counts as null.
func (d *licenseDoc) parseTrial(f fields) *Error {
	if d.plan == PlanTrial {
		trial, _, err := f.object("trial", true)
		if err != nil {
			return err
		}
		if trial.isNull("trial_days") {
			return fail(CodeInvalidField, "trial.trial_days is null; a trial plan needs a day count > 0")
		}
		v, _, err := trial.integer("trial_days", true, 1)
		if err != nil {
			return licPrefixed("trial.", err)
		}
		if v > licenseMaxDays {
			return fail(CodeInvalidField, "trial.trial_days is %d, above the maximum %d", v, licenseMaxDays)
		}
		d.trialDays = v
		return nil
	}
	trial, ok, err := f.object("trial", false)
	if err != nil || !ok {
		return err
	}
	if trial.has("trial_days") && !trial.isNull("trial_days") {
		return fail(CodeInvalidField, "trial.trial_days must be null for plan %q", d.plan)
	}
	return nil
}

// parseFingerprint reads the binding block: mode "machine" (the only mode
// of v1), bound, and an optional pre-bound hash.
func (d *licenseDoc) parseFingerprint(f fields) *Error {
	fp, _, err := f.object("fingerprint", true)
	if err != nil {
		return err
	}
	mode, _, err := fp.str("mode", true)
	if err != nil {
		return licPrefixed("fingerprint.", err)
	}
	if mode != "machine" {
		return fail(CodeInvalidField, "fingerprint.mode %q is not machine", truncate(mode))
	}
	if d.bound, _, err = fp.boolean("bound", true); err != nil {
		return licPrefixed("fingerprint.", err)
	}
	if d.fingerprintHash, err = fp.licHash("fingerprint_hash"); err != nil {
		return licPrefixed("fingerprint.", err)
	}
	return nil
}

// parsePolicy applies the defaults 30/180/365/2 member by member and
// requires counts that make sense: every interval at least one day, and
// warnings no later than the block (a defaulted value gives way to a
// written one).
func (d *licenseDoc) parsePolicy(f fields) *Error {
	d.policy = DefaultLicensePolicy
	p, ok, err := f.object("policy", false)
	if err != nil || !ok {
		return err
	}
	pol := &d.policy
	if pol.CheckIntervalDays, err = p.licDays("check_interval_days", pol.CheckIntervalDays, 1); err != nil {
		return licPrefixed("policy.", err)
	}
	if pol.WarnAfterDays, err = p.licDays("warn_after_days", pol.WarnAfterDays, 1); err != nil {
		return licPrefixed("policy.", err)
	}
	if pol.MaxOfflineDays, err = p.licDays("max_offline_days", pol.MaxOfflineDays, 1); err != nil {
		return licPrefixed("policy.", err)
	}
	if pol.MaxTransfers, err = p.licDays("max_transfers", pol.MaxTransfers, 0); err != nil {
		return licPrefixed("policy.", err)
	}
	// A default never makes a written policy invalid: an absent
	// warn_after_days is at most the written max_offline_days, and an
	// absent max_offline_days at least the written warn_after_days. Only
	// two written values can contradict each other.
	warnGiven, maxGiven := p.has("warn_after_days"), p.has("max_offline_days")
	switch {
	case !warnGiven && maxGiven:
		pol.WarnAfterDays = min(pol.WarnAfterDays, pol.MaxOfflineDays)
	case warnGiven && !maxGiven:
		pol.MaxOfflineDays = max(pol.MaxOfflineDays, pol.WarnAfterDays)
	}
	if pol.WarnAfterDays > pol.MaxOfflineDays {
		return fail(CodeInvalidField, "policy.warn_after_days (%d) is after policy.max_offline_days (%d)", pol.WarnAfterDays, pol.MaxOfflineDays)
	}
	return nil
}

// prefixed names a nested member in err's message.
func licPrefixed(prefix string, err *Error) *Error {
	return &Error{Code: err.Code, Message: prefix + err.Message}
}
