package verify

import (
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/msg"
)

// LicenseState is license.state.json (license-engine-schema-v1 §3): what
// the host keeps between runs. [License] reads the previous one and
// returns the next one; the host writes it back as JSON, replacing the old
// file atomically. Nullable members are pointers and encode as null.
type LicenseState struct {
	SchemaVersion int    `json:"schema_version"`
	LicenseID     string `json:"license_id"`
	ProductID     string `json:"product_id"`
	// FirstActivatedAt is written once, at the first evaluation, and
	// carried forward afterwards.
	FirstActivatedAt time.Time `json:"first_activated_at"`
	// LastSuccessCheckAt is the last successful server validation. The
	// verifier never talks to a server: the host sets it (with
	// LastServerStatus and LastServerMessage) after a check succeeds, and
	// the verifier carries it forward.
	LastSuccessCheckAt *time.Time `json:"last_success_check_at"`
	// NextCheckDueAt is LastSuccessCheckAt (or FirstActivatedAt before any
	// check) plus the policy's check_interval_days. It is recomputed on
	// every evaluation; the value read from the previous state is not used.
	NextCheckDueAt          time.Time  `json:"next_check_due_at"`
	LastServerStatus        *string    `json:"last_server_status"`
	LastServerMessage       *string    `json:"last_server_message"`
	LockedToFingerprintHash *string    `json:"locked_to_fingerprint_hash"`
	ClockGuard              ClockGuard `json:"clock_guard"`
}

// ClockGuard is the state's protection against a clock set back.
type ClockGuard struct {
	// LastSeenTime is the latest trusted time seen so far; trusted time
	// never goes below it.
	LastSeenTime time.Time `json:"last_seen_time"`
	// RollbackCount counts evaluations whose clock read earlier than
	// LastSeenTime by more than the skew tolerance.
	RollbackCount int64 `json:"rollback_count"`
}

// licState is a previous license.state.json that passed every check.
type licState struct {
	licenseID      string
	productID      string
	firstActivated time.Time
	lastCheck      time.Time // zero when the host never recorded a check
	serverStatus   *string
	serverMessage  *string
	locked         string
	lastSeen       time.Time
	rollbacks      int64
}

// maxRollbackCount keeps rollback_count an integer every JSON reader holds
// exactly (2^53), so a state the engine writes can always be read back.
const maxRollbackCount = 1 << 53

// readLicenseState checks a previous state against the license and the
// clock. It returns the state, or nil with the reason it is treated as
// absent (ReasonStateInvalid, ReasonStateMismatch, ReasonStateFuture) and
// why in words. Nothing in an ignored state is used. The times of a state
// returned are no earlier than the license's issued_at.
func readLicenseState(data []byte, d *licenseDoc, floor time.Time) (*licState, string, string) {
	st, err := parseLicenseState(data)
	if err != nil {
		return nil, ReasonStateInvalid, err.Message
	}
	if st.licenseID != d.licenseID || st.productID != d.productID {
		return nil, ReasonStateMismatch, msg.Sprintf("the state belongs to license %q of product %q",
			truncate(st.licenseID), truncate(st.productID))
	}
	// The state's own times are checked against trusted time, which
	// includes the state's last_seen_time: comparing with the wall clock
	// would make a clock set back discard the very state that guards
	// against it. A check or an activation after the latest time the
	// guard has seen can only come from an edited file.
	limit := licMaxTime(floor, st.lastSeen).Add(DefaultSkew)
	if st.firstActivated.After(limit) {
		return nil, ReasonStateFuture, "first_activated_at lies after the trusted time"
	}
	if st.lastCheck.After(limit) {
		return nil, ReasonStateFuture, "last_success_check_at lies after the trusted time"
	}
	// A state time before the signed issued_at cannot be genuine for this
	// license: the engine never writes one (trusted time is never earlier),
	// and it may come from a clock that was behind or from the state of the
	// license this one renewed. Read as issued_at, such a time can neither
	// count days offline from before the license existed nor end a trial
	// then, and the state is kept: its lock, guard and rollback count stay.
	// next_check_due_at is recomputed, never read.
	st.firstActivated = licMaxTime(st.firstActivated, d.issuedAt)
	if !st.lastCheck.IsZero() {
		st.lastCheck = licMaxTime(st.lastCheck, d.issuedAt)
	}
	st.lastSeen = licMaxTime(st.lastSeen, d.issuedAt)
	return st, "", ""
}

// parseLicenseState reads license.state.json strictly (the same I-JSON
// rules as any document) and checks every member's type.
func parseLicenseState(data []byte) (*licState, *Error) {
	c, cerr := canonical.Transform(data, canonical.DefaultLimit)
	if cerr != nil {
		return nil, asError(cerr)
	}
	f, err := canonicalFields(c, "state")
	if err != nil {
		return nil, err
	}
	version, _, err := f.integer("schema_version", true, 0)
	if err != nil {
		return nil, err
	}
	if version != 1 {
		return nil, fail(CodeUnsupportedSchema, "state schema_version is %d, not 1", version)
	}
	st := &licState{}
	if st.licenseID, _, err = f.str("license_id", true); err != nil {
		return nil, err
	}
	if st.productID, _, err = f.str("product_id", true); err != nil {
		return nil, err
	}
	if st.firstActivated, _, err = f.licUTC("first_activated_at", true, false); err != nil {
		return nil, err
	}
	if st.lastCheck, _, err = f.licUTC("last_success_check_at", false, true); err != nil {
		return nil, err
	}
	if _, _, err = f.licUTC("next_check_due_at", false, true); err != nil {
		return nil, err
	}
	if st.serverStatus, err = f.licStrPtr("last_server_status"); err != nil {
		return nil, err
	}
	if st.serverMessage, err = f.licStrPtr("last_server_message"); err != nil {
		return nil, err
	}
	if st.locked, err = f.licHash("locked_to_fingerprint_hash"); err != nil {
		return nil, err
	}
	guard, _, err := f.object("clock_guard", true)
	if err != nil {
		return nil, err
	}
	if st.lastSeen, _, err = guard.licUTC("last_seen_time", true, false); err != nil {
		return nil, licPrefixed("clock_guard.", err)
	}
	if st.rollbacks, _, err = guard.integer("rollback_count", true, 0); err != nil {
		return nil, licPrefixed("clock_guard.", err)
	}
	st.rollbacks = min(st.rollbacks, maxRollbackCount)
	return st, nil
}
