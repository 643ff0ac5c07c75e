package verify

import (
	"strings"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/timefmt"
)

// Decision is what a host does with a license.key: run, run and warn the
// user, or refuse to run.
type Decision string

// The decisions of [License].
const (
	DecisionRun   Decision = "run"
	DecisionWarn  Decision = "warn"
	DecisionBlock Decision = "block"
)

// Reasons a [LicenseResult] lists besides blocking result codes. The
// warnings make the decision "warn"; the notices leave it "run".
const (
	// ReasonActiveWarn: the license's status is ACTIVE_WARN (warning).
	ReasonActiveWarn = "active_warn"
	// ReasonOfflineWarn: more than warn_after_days since the last server
	// check (warning).
	ReasonOfflineWarn = "offline_warn"
	// ReasonClockRollback: the clock read earlier than the state's
	// last_seen_time; trusted time stayed where it was (warning).
	ReasonClockRollback = "clock_rollback"
	// ReasonStateInvalid: the state file given is not a valid
	// license.state.json and was ignored (warning).
	ReasonStateInvalid = "state_invalid"
	// ReasonStateMismatch: the state file belongs to another license or
	// product and was ignored (warning).
	ReasonStateMismatch = "state_mismatch"
	// ReasonStateFuture: the state file records an activation or a server
	// check after the trusted time and was ignored (warning).
	ReasonStateFuture = "state_future"
	// ReasonCheckDue: the policy's check interval has passed since the last
	// server check; the host should validate online when it can (notice).
	ReasonCheckDue = "check_due"
	// ReasonUpdateNotAllowed: the release date given is after the license's
	// right to updates (notice; running is not affected).
	ReasonUpdateNotAllowed = "update_not_allowed"
)

// LicenseOptions are the inputs of [License] besides the license and keys.
type LicenseOptions struct {
	// Now is the host's clock. Required.
	Now time.Time
	// ProductID is the product the host is; a license for another product
	// blocks with CodeProductMismatch. Required.
	ProductID string
	// FingerprintHash is this machine's "sha256:<64 lowercase hex>", from
	// [FingerprintHash]. A bound license blocks without it.
	FingerprintHash string
	// State is the previous license.state.json as read from disk, or nil
	// when there is none (the first activation).
	State []byte
	// ReleaseDate is the release date of the application build to run or
	// install; when set, the result says whether the license covers it.
	ReleaseDate time.Time
	// ServerTime is the time the vendor's server reported in a successful
	// online check just made, over the host's authenticated channel; zero
	// when there was none. It is recorded as last_success_check_at (no
	// earlier than issued_at), and it restarts the clock guard: trusted
	// time is max(ServerTime, issued_at)
	// instead of the host's clock and the state's last_seen_time, so a
	// clock that once ran ahead no longer blocks once the server has
	// spoken, with no file to delete.
	ServerTime time.Time
}

// LicenseResult is the outcome of [License]. Every result carries a
// Decision and Reasons, so that a host that only reads the decision never
// runs a rejected license. A license rejected before its evaluation
// (JSON, signature, field rules, key) has Decision block, Reasons [Code]
// and no claims: its JSON holds only valid, code, message, decision and
// reasons. After the evaluation every field is set: Valid is true (code
// "ok") for the decisions run and warn, false for block, with Code the
// first blocking reason.
type LicenseResult struct {
	Result
	Decision Decision `json:"decision"`
	// Reasons lists everything that applies, in a fixed order: blocking
	// result codes (most final first), then warnings, then notices.
	Reasons []string `json:"reasons"`

	LicenseID    string     `json:"license_id"`
	ProductID    string     `json:"product_id"`
	CustomerID   string     `json:"customer_id"`
	CustomerName string     `json:"customer_name"`
	Plan         string     `json:"plan"`
	Status       string     `json:"status"`
	IssuedAt     time.Time  `json:"issued_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	UpdatesUntil *time.Time `json:"updates_until,omitempty"`
	// TrialDays and TrialEndsAt are set for trial plans only. A trial ends
	// at min(expires_at, first activation + trial_days).
	TrialDays   int64      `json:"trial_days,omitempty"`
	TrialEndsAt *time.Time `json:"trial_ends_at,omitempty"`
	Bound       bool       `json:"bound"`
	// FingerprintHash is the license's pre-bound hash, if it has one.
	FingerprintHash string `json:"fingerprint_hash,omitempty"`
	// SignedForm names the signed form the signature is over: "rfc8785"
	// or "python" (formats.md "Signed forms").
	SignedForm string        `json:"signed_form"`
	Policy     LicensePolicy `json:"policy"`

	// TrustedTime is max(Now, issued_at, the state's last_seen_time), or
	// max(ServerTime, issued_at) when a server time was given: every
	// decision is taken at this time.
	TrustedTime time.Time `json:"trusted_time"`
	// DaysToExpiry is the whole days from trusted time to the end of the
	// right to run (expires_at, or the trial end), rounded down; negative
	// once past.
	DaysToExpiry int64 `json:"days_to_expiry"`
	// DaysOffline is the whole days from the last server check the host
	// recorded in the state (or, before any, from the first activation) to
	// trusted time, rounded down; never negative.
	DaysOffline int64 `json:"days_offline"`
	// CheckDue is true once trusted time reaches the state's
	// next_check_due_at.
	CheckDue bool `json:"check_due"`
	// UpdateAllowed is set only when a release date was given: true when it
	// is on or before updates_until (a trial without one: expires_at).
	UpdateAllowed *bool `json:"update_allowed,omitempty"`
	// State is the new license.state.json for the host to write. It is nil
	// for a license of another product: that file is none of this
	// product's business, and the host should keep the one it has.
	State *LicenseState `json:"state,omitempty"`
}

// RejectedLicense is the result of a license rejected before its
// evaluation with res (not valid): decision block, reasons [res.Code].
func RejectedLicense(res Result) *LicenseResult {
	return &LicenseResult{Result: res, Decision: DecisionBlock, Reasons: []string{string(res.Code)}}
}

// License verifies a Licensing Engine license.key and evaluates it against
// the previous license.state.json (formats.md §3). It is a pure function:
// the same inputs give the same result, with no clock and no I/O.
//
// The license has no key id, so it is tried against every key in keys;
// the key's window is measured at issued_at. Failures before the
// evaluation (JSON, signature, field rules, key) are results with decision
// block, reasons [code] and no claims. The evaluation then takes its decision at
// trusted time = max(opts.Now, issued_at, state's last_seen_time) and
// returns the state for the host to persist, including when it blocks.
//
// The error is non-nil only for misuse, and wraps [ErrMisuse]: no keys, a
// zero Now, no ProductID, a FingerprintHash not in "sha256:<hex>" form, or
// a time outside years 1–9999.
func License(license []byte, keys *Keyring, opts LicenseOptions) (*LicenseResult, error) {
	if keys.Len() == 0 {
		return nil, misuse("License needs a keyring with at least one key")
	}
	if opts.Now.IsZero() || !licWritable(opts.Now) {
		return nil, misuse("License needs Now, within years 1-9999")
	}
	if opts.ProductID == "" {
		return nil, misuse("License needs the expected ProductID")
	}
	if opts.FingerprintHash != "" && !isFingerprintHash(opts.FingerprintHash) {
		return nil, misuse("FingerprintHash %q is not sha256:<64 lowercase hex>", truncate(opts.FingerprintHash))
	}
	if !opts.ReleaseDate.IsZero() && !licWritable(opts.ReleaseDate) {
		return nil, misuse("ReleaseDate is outside years 1-9999")
	}

	doc, err := parseDocument(license, canonical.DefaultLimit, "license", nil)
	if err != nil {
		return RejectedLicense(rejected(err)), nil
	}
	if err := doc.requireSignature(); err != nil {
		return RejectedLicense(rejected(err)), nil
	}
	d, err := parseLicense(doc.fields)
	if err != nil {
		return RejectedLicense(rejected(doc.fields.spMissing(err, kindLicense))), nil
	}
	_, form, err := doc.verifySignature(keys, "", false, d.issuedAt)
	if err != nil {
		return RejectedLicense(rejected(err)), nil
	}
	r := d.evaluate(opts)
	r.SignedForm = form.String()
	return r, nil
}

// licReason is one reason with its sentence for the message.
type licReason struct {
	name, why string
}

// evaluate is the engine of formats.md §3, run on a verified license.
func (d *licenseDoc) evaluate(opts LicenseOptions) *LicenseResult {
	now := opts.Now.UTC()
	var blocks, warns, notices []licReason
	block := func(c Code, why string) { blocks = append(blocks, licReason{string(c), why}) }

	// The previous state, unless it is invalid, another license's, or
	// claims times after the trusted time: then it is as if absent.
	var st *licState
	var stateReason licReason
	if opts.State != nil {
		var name, why string
		st, name, why = readLicenseState(opts.State, d, licMaxTime(licMaxTime(now, d.issuedAt), opts.ServerTime.UTC()))
		if st == nil {
			stateReason = licReason{name, "the state file was ignored: " + why}
		}
	}
	// The signed issued_at is a lower bound for trusted time: a clock
	// behind it (a machine that booted in 2000 before network time) is
	// wrong, and a first activation recorded then would count years
	// offline, or end a trial, once the clock is right.
	server := opts.ServerTime.UTC()
	trusted := licMaxTime(now, d.issuedAt)
	if !server.IsZero() {
		trusted = licMaxTime(server, d.issuedAt)
	}
	firstActivated := trusted
	var lastCheck time.Time
	var rollbacks int64
	var locked string
	var serverStatus, serverMessage *string
	rollback := false
	if st != nil {
		// The state's times are already no earlier than issued_at.
		firstActivated = st.firstActivated
		lastCheck, rollbacks, locked = st.lastCheck, st.rollbacks, st.locked
		serverStatus, serverMessage = st.serverStatus, st.serverMessage
		if server.IsZero() {
			trusted = licMaxTime(trusted, st.lastSeen)
			// Small steps back (NTP corrections) move nothing and are
			// not counted; trusted time never goes back either way.
			rollback = now.Before(st.lastSeen.Add(-DefaultSkew))
			if rollback && rollbacks < maxRollbackCount {
				rollbacks++
			}
		}
	}
	if !server.IsZero() {
		// max(server_time, issued_at), for the reason the state's times
		// are read so: a check before the license existed would count
		// days offline from then.
		lastCheck = trusted
	}

	if d.productID != opts.ProductID {
		block(CodeProductMismatch, "the license is for product "+licQuote(d.productID)+", not "+licQuote(opts.ProductID))
	}
	switch d.status {
	case StatusRevoked:
		block(CodeRevoked, "the license is revoked")
	case StatusSuspended:
		block(CodeSuspended, "the license is suspended")
	case StatusExpired:
		block(CodeExpired, "the license's status is EXPIRED")
	case StatusTrialExpired:
		block(CodeTrialExpired, "the license's status is TRIAL_EXPIRED")
	case StatusActiveWarn:
		warns = append(warns, licReason{ReasonActiveWarn, "the license's status is ACTIVE_WARN"})
	}

	// Binding: the license's own hash, else the one locked at the first
	// activation, else (first activation of a bound license) this machine's.
	enforced := ""
	if d.bound {
		enforced = d.fingerprintHash
		if enforced == "" {
			enforced = locked
		}
		if enforced == "" {
			enforced = opts.FingerprintHash
		}
		switch {
		case opts.FingerprintHash == "":
			block(CodeDeviceRequired, "the license is bound to a machine and no fingerprint hash was given")
		case opts.FingerprintHash != enforced:
			block(CodeDeviceMismatch, "the license is bound to another machine")
		}
	}

	end := d.expiresAt
	var trialEnd *time.Time
	if d.plan == PlanTrial {
		e := d.expiresAt
		if t := licAddDays(firstActivated, d.trialDays); t.Before(e) {
			e = t
		}
		trialEnd, end = &e, e
		switch {
		case !trusted.After(e):
		case now.After(e) || !server.IsZero():
			block(CodeTrialExpired, "the trial ended at "+timefmt.RFC3339(e, true))
		default:
			block(CodeClockRollback, guardWhy("the trial ends", e, trusted))
		}
	}
	switch {
	case !trusted.After(d.expiresAt):
	case now.After(d.expiresAt) || !server.IsZero():
		block(CodeExpired, "the license expired at "+timefmt.RFC3339(d.expiresAt, true))
	default:
		block(CodeClockRollback, guardWhy("the license expires", d.expiresAt, trusted))
	}

	base := firstActivated
	if !lastCheck.IsZero() {
		base = lastCheck
	}
	daysOffline := max(0, licFloorDays(base, trusted))
	switch {
	case daysOffline > d.policy.MaxOfflineDays:
		block(CodeOfflineTooLong, "no server check for more than max_offline_days")
	case daysOffline > d.policy.WarnAfterDays:
		warns = append(warns, licReason{ReasonOfflineWarn, "no server check for more than warn_after_days"})
	}
	if rollback {
		warns = append(warns, licReason{ReasonClockRollback, "the clock reads earlier than a time already seen"})
	}
	if stateReason.name != "" {
		warns = append(warns, stateReason)
	}
	nextDue := licAddDays(base, d.policy.CheckIntervalDays)
	checkDue := !trusted.Before(nextDue)
	if checkDue {
		notices = append(notices, licReason{ReasonCheckDue, "a server check is due"})
	}
	var updateAllowed *bool
	if !opts.ReleaseDate.IsZero() {
		until := d.updatesUntil
		if until.IsZero() {
			until = d.expiresAt
		}
		allowed := !opts.ReleaseDate.After(until)
		updateAllowed = &allowed
		if !allowed {
			notices = append(notices, licReason{ReasonUpdateNotAllowed, "the release is after the right to updates"})
		}
	}

	r := &LicenseResult{
		LicenseID: d.licenseID, ProductID: d.productID,
		CustomerID: d.customerID, CustomerName: d.customerName,
		Plan: d.plan, Status: d.status,
		IssuedAt: d.issuedAt, ExpiresAt: d.expiresAt,
		TrialDays: d.trialDays, TrialEndsAt: trialEnd,
		Bound: d.bound, FingerprintHash: d.fingerprintHash, Policy: d.policy,
		TrustedTime:   trusted,
		DaysToExpiry:  licFloorDays(trusted, end),
		DaysOffline:   daysOffline,
		CheckDue:      checkDue,
		UpdateAllowed: updateAllowed,
	}
	if !d.updatesUntil.IsZero() {
		u := d.updatesUntil
		r.UpdatesUntil = &u
	}
	if len(blocks) == 0 || blocks[0].name != string(CodeProductMismatch) {
		r.State = &LicenseState{
			SchemaVersion:      1,
			LicenseID:          d.licenseID,
			ProductID:          d.productID,
			FirstActivatedAt:   firstActivated,
			LastSuccessCheckAt: licTimePtr(lastCheck),
			NextCheckDueAt:     nextDue,
			LastServerStatus:   serverStatus,
			LastServerMessage:  serverMessage,
			ClockGuard:         ClockGuard{LastSeenTime: trusted, RollbackCount: rollbacks},
		}
		if enforced != "" {
			r.State.LockedToFingerprintHash = &enforced
		}
	}

	seen := map[string]bool{}
	for _, list := range [][]licReason{blocks, warns, notices} {
		for _, x := range list {
			if !seen[x.name] {
				seen[x.name] = true
				r.Reasons = append(r.Reasons, x.name)
			}
		}
	}
	switch {
	case len(blocks) > 0:
		r.Decision = DecisionBlock
		r.Result = Result{Valid: false, Code: Code(blocks[0].name), Message: "blocked: " + blocks[0].why}
	case len(warns) > 0:
		r.Decision = DecisionWarn
		r.Result = ok("the license is valid; warning: " + licJoinWhy(warns))
	default:
		r.Decision = DecisionRun
		msg := "the license is valid"
		if len(notices) > 0 {
			msg += "; " + licJoinWhy(notices)
		}
		r.Result = ok(msg)
	}
	return r
}

// guardWhy explains a block that comes from the clock guard alone: the
// host's clock is within the term, the trusted time is past it.
func guardWhy(what string, end, trusted time.Time) string {
	return what + " at " + timefmt.RFC3339(end, true) + ", and the clock guard has already seen " +
		timefmt.RFC3339(trusted, true) + ": the clock ran ahead or was set back; a successful online check resets the guard"
}

func licJoinWhy(list []licReason) string {
	s := make([]string, len(list))
	for i, x := range list {
		s[i] = x.why
	}
	return strings.Join(s, "; ")
}

func licTimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func licQuote(s string) string { return `"` + truncate(s) + `"` }
