package host

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
)

// Policy is when a host refreshes its proof and syncs its revocation set,
// the options of the plan op that docs/lifecycle.md lists. The zero value
// is the seeds' policy: refresh at 75 % of a proof's life, sync every 5
// minutes, retry after 30 s doubling up to 1 h, a full set after 256
// deltas. Durations must be whole seconds.
type Policy struct {
	// RefreshPercent is the refresh point, in percent (1..100) of a
	// proof's lifetime; 0 means 75.
	RefreshPercent int
	// SyncInterval is the time between two syncs of the set; 0 means 5
	// minutes.
	SyncInterval time.Duration
	// Backoff is the first retry delay after a failed fetch, doubled at
	// each further failure up to BackoffMax; 0 means 30 s and 1 h.
	Backoff, BackoffMax time.Duration
	// MaxDeltas is the length of a delta chain that is replaced by a full
	// set (1..4096); 0 means 256.
	MaxDeltas int
	// MaxTTL and Skew are as for verify.StatusProofOptions: zero means
	// the default, a negative Skew no tolerance.
	MaxTTL, Skew time.Duration
}

// Cached is what a host holds from earlier fetches: exact bytes, nil when
// absent.
type Cached struct {
	// Proof is the status proof, in any of its three forms.
	Proof []byte
	// Set is the base revocation set and Deltas the deltas accepted after
	// it, in order (at most 4,096).
	Set    []byte
	Deltas [][]byte
}

// PlanOptions are the inputs of [Verifier.Plan] besides the keyring.
type PlanOptions struct {
	// Now is the current time from a clock the host trusts. Required.
	Now time.Time
	Cached
	// LicenseID and Fingerprint are as for verify.StatusProofOptions.
	LicenseID   string
	Fingerprint []byte
	// MinEpoch is the stored anti-rollback epoch.
	MinEpoch int64
	// SyncedAt is when the set (or its last delta) was last accepted;
	// zero: never.
	SyncedAt time.Time
	// ProofFailures and SetFailures count the consecutive failed fetches
	// of each kind (0..1,000,000), and ProofFailedAt and SetFailedAt say
	// when the last one happened.
	ProofFailures, SetFailures int
	ProofFailedAt, SetFailedAt time.Time
	Policy
}

// PlanResult is the answer of the plan op (docs/lifecycle.md, "plan"): the
// verdict on what is cached, and when to fetch what.
type PlanResult struct {
	// The verdict: proof_missing, the proof's code when it is not ok,
	// revoked or suspended when the verified chain lists the license, ok.
	verify.Result
	// Proof is the cached proof's result, as Verifier.StatusProof gives it;
	// nil when no proof is cached.
	Proof *verify.StatusProofResult `json:"proof,omitempty"`
	// Set is the cached chain's result with the lookup of the proof's
	// license id, as Verifier.RevocationSetWith gives it; nil when no set
	// is cached.
	Set *RevocationResult `json:"set,omitempty"`
	// StoreEpoch is the epoch to raise the stored epoch to; nil when
	// neither result gave one.
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
	// RefreshProof and SyncSet say when to fetch a proof and the set; a
	// time at or before Now means now.
	RefreshProof Due `json:"refresh_proof"`
	SyncSet      Due `json:"sync_set"`
	// NextAt is the earlier of the two.
	NextAt time.Time `json:"next_at"`
}

// Due is one fetch a [PlanResult] schedules.
type Due struct {
	At time.Time `json:"at"`
	// Reason is why At is what it is: missing, rejected, behind, expired,
	// deltas, interval, refresh_point or backoff (docs/lifecycle.md).
	Reason string `json:"reason"`
	// SinceEpoch, for the set, is the epoch to ask a delta from; nil when
	// a full set is needed.
	SinceEpoch *int64 `json:"since_epoch,omitempty"`
}

// Kinds of fetched documents, the kind member of the accept op.
const (
	KindProof      = "proof"
	KindRevocation = "revocation"
)

// What [AcceptResult.Persist] asks the host to write.
const (
	PersistProof = "proof" // replace the proof
	PersistSet   = "set"   // replace the base set and drop the deltas
	PersistDelta = "delta" // append the delta to the chain
)

// AcceptOptions are the inputs of [Verifier.Accept] besides the fetched
// document, its kind and the keyring.
type AcceptOptions struct {
	// Now is the current time from a clock the host trusts. Required.
	Now time.Time
	// Cached is what the host holds now, read again after the fetch.
	Cached
	LicenseID   string
	Fingerprint []byte
	MinEpoch    int64
	// MaxTTL, Skew and MaxDeltas are as in [Policy].
	MaxTTL, Skew time.Duration
	MaxDeltas    int
}

// AcceptResult is the answer of the accept op (docs/lifecycle.md,
// "accept"): whether a fetched document replaces the cached one.
type AcceptResult struct {
	// The verdict on the fetched document: ok, or why it is refused
	// (not_newer, epoch_rollback, delta_base_mismatch, any verification
	// code). A genuine revoked or expired proof is accepted with its code.
	verify.Result
	Accept bool `json:"accept"`
	// Persist is PersistProof, PersistSet or PersistDelta when Accept is
	// true.
	Persist string `json:"persist,omitempty"`
	// StoreEpoch is the epoch to raise the stored epoch to, once the
	// document is written; nil when there is none.
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
	// Proof is the fetched proof's full result (kind proof); Set the
	// result of the fetched set, or of the cached chain with the delta
	// (kind revocation). The other is nil.
	Proof *verify.StatusProofResult `json:"-"`
	Set   *RevocationResult         `json:"-"`
}

// seconds sets a whole-seconds duration member unless d is zero.
func seconds(r *api.Request, name, field string, d time.Duration) error {
	if d == 0 {
		return nil
	}
	if d < 0 || d%time.Second != 0 {
		return fmt.Errorf("%w: host: %s %v is not a positive whole number of seconds", verify.ErrMisuse, field, d)
	}
	r.Set(name, int64(d/time.Second))
	return nil
}

// withCache adds the cached documents and the options plan and accept
// share.
func withCache(r *api.Request, keys *verify.Keyring, now time.Time, c Cached, licenseID string, fingerprint []byte, minEpoch int64, maxTTL, skew time.Duration, maxDeltas int) error {
	if err := withKeys(r, keys, now); err != nil {
		return err
	}
	if c.Proof != nil {
		r.Part("proof", c.Proof)
	}
	if c.Set != nil {
		r.Part("set", c.Set)
	}
	for _, d := range c.Deltas {
		r.Part("deltas", d)
	}
	if licenseID != "" {
		r.Set("license_id", licenseID)
	}
	if len(fingerprint) > 0 {
		r.Part("fingerprint", fingerprint)
	}
	if minEpoch != 0 {
		r.Set("min_epoch", minEpoch)
	}
	if err := seconds(r, "max_ttl_seconds", "MaxTTL", maxTTL); err != nil {
		return err
	}
	if err := withSkew(r, skew); err != nil {
		return err
	}
	if maxDeltas != 0 {
		r.Set("max_deltas", maxDeltas)
	}
	return nil
}

// Plan answers what holds now for what the host has cached, and when to
// fetch a proof and the set (the plan op, docs/lifecycle.md). It remembers
// nothing: every cached document is verified again. A verification that
// fails is in the result; the error is for misuse (a *RequestError or
// verify.ErrMisuse: no keys, no Now, a duration that is not whole seconds,
// an option out of range) and for the module failing.
func (v *Verifier) Plan(ctx context.Context, keys *verify.Keyring, opts PlanOptions) (*PlanResult, error) {
	r := api.NewRequest("plan")
	p := opts.Policy
	if err := withCache(r, keys, opts.Now, opts.Cached, opts.LicenseID, opts.Fingerprint, opts.MinEpoch, p.MaxTTL, p.Skew, p.MaxDeltas); err != nil {
		return nil, err
	}
	if !opts.SyncedAt.IsZero() {
		r.Set("synced_at", timeText(opts.SyncedAt))
	}
	if opts.ProofFailures != 0 {
		r.Set("proof_failures", opts.ProofFailures)
	}
	if !opts.ProofFailedAt.IsZero() {
		r.Set("proof_failed_at", timeText(opts.ProofFailedAt))
	}
	if opts.SetFailures != 0 {
		r.Set("set_failures", opts.SetFailures)
	}
	if !opts.SetFailedAt.IsZero() {
		r.Set("set_failed_at", timeText(opts.SetFailedAt))
	}
	if p.RefreshPercent != 0 {
		r.Set("refresh_percent", p.RefreshPercent)
	}
	for _, d := range []struct {
		name, field string
		d           time.Duration
	}{
		{"sync_interval_seconds", "SyncInterval", p.SyncInterval},
		{"backoff_seconds", "Backoff", p.Backoff},
		{"backoff_max_seconds", "BackoffMax", p.BackoffMax},
	} {
		if err := seconds(r, d.name, d.field, d.d); err != nil {
			return nil, err
		}
	}
	res := new(PlanResult)
	if err := v.do(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// Accept answers whether a fetched document of kind ([KindProof] or
// [KindRevocation]; a revocation answer with a since_epoch member is a
// delta) replaces what is cached, and what to write (the accept op,
// docs/lifecycle.md). Errors are as for [Verifier.Plan].
func (v *Verifier) Accept(ctx context.Context, kind string, fetched []byte, keys *verify.Keyring, opts AcceptOptions) (*AcceptResult, error) {
	r := api.NewRequest("accept").Set("kind", kind).Part("fetched", fetched)
	if err := withCache(r, keys, opts.Now, opts.Cached, opts.LicenseID, opts.Fingerprint, opts.MinEpoch, opts.MaxTTL, opts.Skew, opts.MaxDeltas); err != nil {
		return nil, err
	}
	var res struct {
		AcceptResult
		Result json.RawMessage `json:"result"`
	}
	if err := v.do(ctx, r, &res); err != nil {
		return nil, err
	}
	out := &res.AcceptResult
	if len(res.Result) > 0 && string(res.Result) != "null" {
		var err error
		if kind == KindProof {
			out.Proof = new(verify.StatusProofResult)
			err = json.Unmarshal(res.Result, out.Proof)
		} else {
			out.Set = new(RevocationResult)
			err = json.Unmarshal(res.Result, out.Set)
		}
		if err != nil {
			return nil, &ModuleError{Reason: "response does not decode: " + err.Error()}
		}
	}
	return out, nil
}
