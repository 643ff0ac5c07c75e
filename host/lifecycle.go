package host

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
)

// seconds sets a whole-seconds duration member unless d is zero (the
// default).
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

// withCache adds the cache and the options plan and accept share.
func withCache(r *api.Request, c verify.Cache, keys *verify.Keyring, now time.Time, licenseID string, fingerprint []byte, minEpoch int64, maxTTL, skew time.Duration, maxDeltas int) error {
	if err := withKeys(r, keys, now); err != nil {
		return err
	}
	// A nil document is none cached; an empty one is a document (which
	// does not verify), as for verify.
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

// planAnswer is the plan op's answer (docs/lifecycle.md): verify's
// PlanResult, with the set's result and lookup as revocation_set writes
// them.
type planAnswer struct {
	verify.Result
	Proof        *verify.StatusProofResult `json:"proof"`
	Set          *RevocationResult         `json:"set"`
	StoreEpoch   *int64                    `json:"store_epoch"`
	RefreshProof verify.Fetch              `json:"refresh_proof"`
	SyncSet      verify.Fetch              `json:"sync_set"`
	NextAt       time.Time                 `json:"next_at"`
}

// Plan answers what holds now for what the host has cached and when to
// fetch a proof and the set, as verify.Plan does (the plan op,
// docs/lifecycle.md). Durations must be whole seconds. The result's
// Set.Set is nil, as for [Verifier.RevocationSet], and Lookup is set only
// when Set is valid: the op's answer carries the lookup inside the set's
// result, which has lookups only when it is valid (verify.Plan also
// gives it for a chain that is only past its valid_until). A verification
// that fails is in the result; errors are misuse ([*RequestError] or
// verify.ErrMisuse) and the module failing.
func (v *Verifier) Plan(ctx context.Context, cache verify.Cache, keys *verify.Keyring, opts verify.PlanOptions) (*verify.PlanResult, error) {
	r := api.NewRequest("plan")
	if err := withCache(r, cache, keys, opts.Now, opts.LicenseID, opts.Fingerprint, opts.MinEpoch, opts.MaxTTL, opts.Skew, opts.MaxDeltas); err != nil {
		return nil, err
	}
	for _, t := range []struct {
		name string
		t    time.Time
	}{{"synced_at", opts.SyncedAt}, {"proof_failed_at", opts.ProofFailedAt}, {"set_failed_at", opts.SetFailedAt}} {
		if !t.t.IsZero() {
			r.Set(t.name, timeText(t.t))
		}
	}
	if opts.ProofFailures != 0 {
		r.Set("proof_failures", opts.ProofFailures)
	}
	if opts.SetFailures != 0 {
		r.Set("set_failures", opts.SetFailures)
	}
	if opts.RefreshPercent != 0 {
		r.Set("refresh_percent", opts.RefreshPercent)
	}
	for _, d := range []struct {
		name, field string
		d           time.Duration
	}{
		{"sync_interval_seconds", "SyncInterval", opts.SyncInterval},
		{"backoff_seconds", "Backoff", opts.Backoff},
		{"backoff_max_seconds", "BackoffMax", opts.BackoffMax},
	} {
		if err := seconds(r, d.name, d.field, d.d); err != nil {
			return nil, err
		}
	}
	var a planAnswer
	if err := v.do(ctx, r, &a); err != nil {
		return nil, err
	}
	res := &verify.PlanResult{Result: a.Result, Proof: a.Proof, StoreEpoch: a.StoreEpoch,
		RefreshProof: a.RefreshProof, SyncSet: a.SyncSet, NextAt: a.NextAt}
	if a.Set != nil {
		res.Set = &a.Set.RevocationSetResult
		if len(a.Set.Lookups) > 0 {
			res.Lookup = &a.Set.Lookups[0]
		}
	}
	return res, nil
}

// Accept answers whether a fetched document of kind replaces what is
// cached, and what to write, as verify.Accept does (the accept op,
// docs/lifecycle.md). The result's Set.Set is nil. Errors are as for
// [Verifier.Plan]; an unknown kind is a [*RequestError].
func (v *Verifier) Accept(ctx context.Context, kind verify.AcceptKind, fetched []byte, cache verify.Cache, keys *verify.Keyring, opts verify.AcceptOptions) (*verify.AcceptResult, error) {
	r := api.NewRequest("accept").Set("kind", string(kind)).Part("fetched", fetched)
	if err := withCache(r, cache, keys, opts.Now, opts.LicenseID, opts.Fingerprint, opts.MinEpoch, opts.MaxTTL, opts.Skew, opts.MaxDeltas); err != nil {
		return nil, err
	}
	var a struct {
		verify.Result
		Accept     bool            `json:"accept"`
		Persist    string          `json:"persist"`
		StoreEpoch *int64          `json:"store_epoch"`
		Doc        json.RawMessage `json:"result"`
	}
	if err := v.do(ctx, r, &a); err != nil {
		return nil, err
	}
	res := &verify.AcceptResult{Result: a.Result, Accept: a.Accept, Persist: a.Persist, StoreEpoch: a.StoreEpoch}
	if len(a.Doc) > 0 && string(a.Doc) != "null" {
		var err error
		if kind == verify.AcceptProof {
			res.Proof = new(verify.StatusProofResult)
			err = json.Unmarshal(a.Doc, res.Proof)
		} else {
			res.Set = new(verify.RevocationSetResult)
			err = json.Unmarshal(a.Doc, res.Set)
		}
		if err != nil {
			return nil, &ModuleError{Reason: "response does not decode: " + err.Error()}
		}
	}
	return res, nil
}
