package host

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/licverify/licverify/epochstore"
	"github.com/licverify/licverify/internal/fileutil"
	"github.com/licverify/licverify/verify"
)

// Policy is when a [Session] refreshes its proof and syncs its revocation
// set: the policy members of verify.PlanOptions. The zero value is the
// seeds' policy: refresh at 75 % of a proof's life, sync every 5 minutes,
// retry after 30 s doubling up to 1 h, a full set after 256 deltas.
// Durations must be whole seconds.
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

// SessionNamespace is the default epoch namespace of a session's epoch
// store, the same in every runtime (docs/lifecycle.md).
const SessionNamespace = "lifecycle"

// SessionConfig configures a [Session].
type SessionConfig struct {
	// Keys is the issuer's keyring. Required.
	Keys *verify.Keyring
	// LicenseID is the license the session keeps a proof for. Required.
	LicenseID string
	// Fingerprint is this device's fingerprint components (a JSON object,
	// see [CollectFingerprint]), sent with each proof request and checked
	// against a bound proof; nil for none.
	Fingerprint []byte
	// Dir is the store directory (created 0700 when missing). Required.
	Dir string
	// Epochs keeps the anti-rollback epoch; nil means
	// epochstore.File(Dir/epochs.json).
	Epochs epochstore.Store
	// Namespace is the epoch namespace in Epochs; empty means
	// [SessionNamespace], the npm and Python sessions' too, so that
	// sessions of two runtimes can share one store.
	Namespace string
	// Transport fetches from the issuer; required unless Offline.
	Transport Transport
	// Policy is when to refresh and sync; the zero value is the seeds'.
	Policy Policy
	// TTLHours is the proof lifetime asked for; 0 means 24.
	TTLHours int
	// Clock is the time the session trusts; nil means time.Now.
	Clock func() time.Time
	// Offline makes the session answer from its store alone: no fetch.
	Offline bool
	// OnCheck, when not nil, is called with the outcome of each check the
	// background refresh ([Session.Start]) runs, from its goroutine.
	OnCheck func(*SessionReport, error)
}

// Session keeps a license's status proof and revocation set fresh in a
// store directory and answers, offline first, whether the license holds
// (docs/lifecycle.md, "The sessions"). Every decision (what holds, what to
// fetch and when, whether a fetched document replaces the cached one) is
// the module's plan and accept ops; the session reads and writes the
// store, fetches and keeps time. It is safe for concurrent use, and
// sessions in several processes may share one store: each step holds the
// store's lock (session.lock) except while fetching.
type Session struct {
	v     *Verifier
	cfg   SessionConfig
	store *sessionStore
	clock func() time.Time

	mu     sync.Mutex
	nextAt time.Time   // the last check's next_at
	bg     *background // the running background refresh, if any

	// minWait and maxWait bound the background refresh's wait.
	minWait, maxWait time.Duration
}

// The background refresh waits at least RefreshMinWait and at most
// RefreshMaxWait between two checks, whatever next_at says: a clock set
// back or far ahead neither spins nor sleeps for ever.
const (
	RefreshMinWait = time.Second
	RefreshMaxWait = time.Hour
)

// What a check did for the proof or the set ([FetchReport.Step]).
const (
	StepNone     = "none"     // nothing was due, or the session is offline-only
	StepAccepted = "accepted" // fetched, accepted and stored
	StepRefused  = "refused"  // fetched and refused by accept (Code says why)
	StepFailed   = "failed"   // the transport failed (Err)
)

// FetchReport is what a check did for one kind of document.
type FetchReport struct {
	// Step is StepNone, StepAccepted, StepRefused or StepFailed.
	Step string
	// Code and Message are accept's verdict on the fetched document
	// (accepted or refused).
	Code    verify.Code
	Message string
	// Err is the transport's error (failed).
	Err error
}

// String returns the step as the scenario files write it: none,
// accepted, refused:<code>, failed.
func (f FetchReport) String() string {
	if f.Step == StepRefused {
		return f.Step + ":" + string(f.Code)
	}
	return f.Step
}

// SessionReport is the outcome of [Session.Check].
type SessionReport struct {
	// The verdict, plan's: ok, proof_missing, revoked, suspended, or the
	// cached proof's code.
	verify.Result
	// Claims are the cached proof's claims, nil when no proof verified
	// far enough to have them.
	Claims *verify.ProofClaims
	// Proof and Set say what was done for each.
	Proof, Set FetchReport
	// Offline is true when the verdict was reached from the store alone
	// although a fetch was due: the session is offline-only, or a fetch
	// failed. OfflineReason says which.
	Offline       bool
	OfflineReason string
	// StoredEpoch is the anti-rollback epoch stored after the check.
	StoredEpoch int64
	// NextAt is when the next fetch is due.
	NextAt time.Time
	// Plan is the last plan in full.
	Plan *verify.PlanResult
	// Ignored lists the store's files read as absent, and why (damaged,
	// oversized, a symbolic link).
	Ignored []string
}

// NewSession returns a session over cfg.Dir, creating the directory
// (0700) when missing. It does no other I/O. The error is misuse (wrapping
// verify.ErrMisuse) or a directory that cannot be created.
func NewSession(v *Verifier, cfg SessionConfig) (*Session, error) {
	switch {
	case v == nil:
		return nil, fmt.Errorf("%w: host: NewSession needs a Verifier", verify.ErrMisuse)
	case cfg.Keys.Len() == 0:
		return nil, fmt.Errorf("%w: host: SessionConfig.Keys is required", verify.ErrMisuse)
	case cfg.LicenseID == "":
		return nil, fmt.Errorf("%w: host: SessionConfig.LicenseID is required", verify.ErrMisuse)
	case cfg.Dir == "":
		return nil, fmt.Errorf("%w: host: SessionConfig.Dir is required", verify.ErrMisuse)
	case cfg.Transport == nil && !cfg.Offline:
		return nil, fmt.Errorf("%w: host: SessionConfig.Transport is required unless Offline", verify.ErrMisuse)
	case cfg.TTLHours < 0:
		return nil, fmt.Errorf("%w: host: SessionConfig.TTLHours %d is negative", verify.ErrMisuse, cfg.TTLHours)
	}
	st, err := openSessionStore(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if cfg.Epochs == nil {
		cfg.Epochs = epochstore.File(filepath.Join(cfg.Dir, epochsFile))
	}
	if cfg.Namespace == "" {
		cfg.Namespace = SessionNamespace
	}
	if cfg.TTLHours == 0 {
		cfg.TTLHours = 24
	}
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Session{v: v, cfg: cfg, store: st, clock: clock, minWait: RefreshMinWait, maxWait: RefreshMaxWait}, nil
}

// Check runs the session's flow once (docs/lifecycle.md, "The sessions"):
// under the store's lock it reads the cache and the stored epoch and
// plans; it fetches each document due (unless offline-only), without the
// lock, and under the lock again accepts it against the cache as it is
// then, writing the document and then raising the epoch, or records the
// failure for backoff; it plans again and raises the stored epoch. A
// verification that fails is a verdict in the report. The error is for
// misuse, a module failure, ctx ending, or a store (the directory or the
// epoch store) that cannot be read or written.
func (s *Session) Check(ctx context.Context) (*SessionReport, error) {
	rep := &SessionReport{Proof: FetchReport{Step: StepNone}, Set: FetchReport{Step: StepNone}}
	plan, _, err := s.plan(ctx, rep, false)
	if err != nil {
		return nil, err
	}
	// Each kind is fetched at most once per check; a fetch that the plan
	// after another makes due (a set that shows a revoked proof behind, a
	// proof that leaves the set behind) is made in the same check.
	var triedProof, triedSet bool
	for {
		now := s.clock()
		proofDue := !triedProof && !plan.RefreshProof.At.After(now)
		setDue := !triedSet && !plan.SyncSet.At.After(now)
		if !proofDue && !setDue {
			break
		}
		if s.cfg.Offline {
			rep.Offline, rep.OfflineReason = true, "the session is offline-only"
			break
		}
		if setDue {
			triedSet = true
			if rep.Set, err = s.fetch(ctx, verify.AcceptRevocation, plan.SyncSet.SinceEpoch, rep); err != nil {
				return nil, err
			}
		}
		if proofDue {
			triedProof = true
			if rep.Proof, err = s.fetch(ctx, verify.AcceptProof, nil, rep); err != nil {
				return nil, err
			}
		}
		for _, f := range []FetchReport{rep.Set, rep.Proof} {
			if f.Step == StepFailed && !rep.Offline {
				rep.Offline, rep.OfflineReason = true, f.Err.Error()
			}
		}
		if plan, _, err = s.plan(ctx, rep, false); err != nil {
			return nil, err
		}
	}
	plan, stored, err := s.plan(ctx, rep, true)
	if err != nil {
		return nil, err
	}
	rep.Result = plan.Result
	if plan.Proof != nil {
		rep.Claims = plan.Proof.ProofClaims
	}
	rep.Plan, rep.StoredEpoch, rep.NextAt = plan, stored, plan.NextAt
	s.mu.Lock()
	s.nextAt = plan.NextAt
	s.mu.Unlock()
	return rep, nil
}

// plan reads the store under its lock and plans; with raise, it raises
// the stored epoch to the plan's store_epoch. It returns the stored epoch.
func (s *Session) plan(ctx context.Context, rep *SessionReport, raise bool) (*verify.PlanResult, int64, error) {
	_, unlock, err := s.store.lock()
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	c, minEpoch, err := s.read(rep)
	if err != nil {
		return nil, 0, err
	}
	p := s.cfg.Policy
	plan, err := s.v.Plan(ctx, c.Cache, s.cfg.Keys, verify.PlanOptions{
		Now: s.clock(), LicenseID: s.cfg.LicenseID, Fingerprint: s.cfg.Fingerprint, MinEpoch: minEpoch,
		MaxTTL: p.MaxTTL, Skew: p.Skew,
		SyncedAt:      c.state.SyncedAt,
		ProofFailures: c.state.ProofFailures, ProofFailedAt: c.state.ProofFailedAt,
		SetFailures: c.state.SetFailures, SetFailedAt: c.state.SetFailedAt,
		RefreshPercent: p.RefreshPercent, SyncInterval: p.SyncInterval,
		Backoff: p.Backoff, BackoffMax: p.BackoffMax, MaxDeltas: p.MaxDeltas,
	})
	if err != nil {
		return nil, 0, err
	}
	if raise && plan.StoreEpoch != nil {
		if minEpoch, err = s.cfg.Epochs.Raise(s.cfg.Namespace, *plan.StoreEpoch); err != nil {
			return nil, 0, fmt.Errorf("host: session: %w", err)
		}
	}
	return plan, minEpoch, nil
}

// read reads the cache and the stored epoch, under the store's lock,
// adding what was ignored to rep.
func (s *Session) read(rep *SessionReport) (*cacheRead, int64, error) {
	c, err := s.store.readCache()
	if err != nil {
		return nil, 0, err
	}
	for _, n := range c.notes {
		if !slices.Contains(rep.Ignored, n) {
			rep.Ignored = append(rep.Ignored, n)
		}
	}
	epoch, err := s.cfg.Epochs.Get(s.cfg.Namespace)
	if err != nil {
		return nil, 0, fmt.Errorf("host: session: %w", err)
	}
	return c, epoch, nil
}

// fetch fetches one document without the lock, then under it accepts it
// against the cache as it is now and persists it, or records the failure.
func (s *Session) fetch(ctx context.Context, kind verify.AcceptKind, sinceEpoch *int64, rep *SessionReport) (FetchReport, error) {
	var data []byte
	var ferr error
	if kind == verify.AcceptProof {
		data, ferr = s.cfg.Transport.FetchProof(ctx, ProofRequest{LicenseID: s.cfg.LicenseID, Fingerprint: s.cfg.Fingerprint, TTLHours: s.cfg.TTLHours})
	} else {
		data, ferr = s.cfg.Transport.FetchRevocation(ctx, sinceEpoch)
	}
	if err := ctx.Err(); err != nil {
		return FetchReport{}, err // the caller gave up: no failure to record
	}
	// Any Transport's answer is bounded as HTTPTransport bounds it: the
	// store reads no more back, and a larger frame is no request at all.
	limit := MaxSetResponse
	if kind == verify.AcceptProof {
		limit = MaxProofResponse
	}
	switch {
	case ferr != nil:
	case len(data) == 0:
		ferr = errors.New("host: the issuer answered with an empty body")
	case len(data) > limit:
		ferr = fmt.Errorf("host: the issuer's answer is %d bytes, over the limit of %d", len(data), limit)
	}

	lk, unlock, err := s.store.lock()
	if err != nil {
		return FetchReport{}, err
	}
	defer unlock()
	c, minEpoch, err := s.read(rep)
	if err != nil {
		return FetchReport{}, err
	}
	now := s.clock()
	if ferr != nil {
		return FetchReport{Step: StepFailed, Err: ferr}, s.recordFailure(kind, c.state, now, lk)
	}
	acc, err := s.v.Accept(ctx, kind, data, c.Cache, s.cfg.Keys, verify.AcceptOptions{
		Now: now, LicenseID: s.cfg.LicenseID, Fingerprint: s.cfg.Fingerprint, MinEpoch: minEpoch,
		MaxTTL: s.cfg.Policy.MaxTTL, Skew: s.cfg.Policy.Skew, MaxDeltas: s.cfg.Policy.MaxDeltas,
	})
	if err != nil {
		return FetchReport{}, err
	}
	if !acc.Accept {
		return FetchReport{Step: StepRefused, Code: acc.Code, Message: acc.Message}, s.recordFailure(kind, c.state, now, lk)
	}
	// The document first, then the epoch: a crash between the two leaves
	// a store whose chain still verifies with the epoch stored.
	state := c.state
	switch acc.Persist {
	case verify.PersistProof:
		err = s.store.write(proofFile, data, lk)
		state.ProofFailures, state.ProofFailedAt = 0, time.Time{}
	case verify.PersistSet:
		if err = s.store.write(setFile, data, lk); err == nil {
			err = s.store.write(deltasFile, marshalStore(deltasDoc{Base: setDigest(data), Deltas: []string{}}), lk)
		}
	case verify.PersistDelta:
		if c.Set == nil {
			return FetchReport{}, &ModuleError{Reason: "accept asked to append a delta with no set cached"}
		}
		texts := append(slices.Clip(c.deltaTexts), string(data))
		err = s.store.write(deltasFile, marshalStore(deltasDoc{Base: setDigest(c.Set), Deltas: texts}), lk)
	default:
		return FetchReport{}, &ModuleError{Reason: fmt.Sprintf("accept asked to persist %q", acc.Persist)}
	}
	if err != nil {
		return FetchReport{}, err
	}
	if acc.StoreEpoch != nil {
		if _, err := s.cfg.Epochs.Raise(s.cfg.Namespace, *acc.StoreEpoch); err != nil {
			return FetchReport{}, fmt.Errorf("host: session: %w", err)
		}
	}
	if kind == verify.AcceptRevocation {
		state.SyncedAt, state.SetFailures, state.SetFailedAt = now.UTC(), 0, time.Time{}
	}
	if err := s.store.write(stateFile, marshalStore(state), lk); err != nil {
		return FetchReport{}, err
	}
	return FetchReport{Step: StepAccepted, Code: acc.Code, Message: acc.Message}, nil
}

// recordFailure counts a failed fetch of kind in state.json, for backoff.
func (s *Session) recordFailure(kind verify.AcceptKind, state sessionState, now time.Time, lk *fileutil.Lock) error {
	if kind == verify.AcceptProof {
		state.ProofFailures, state.ProofFailedAt = min(state.ProofFailures+1, maxFailures), now.UTC()
	} else {
		state.SetFailures, state.SetFailedAt = min(state.SetFailures+1, maxFailures), now.UTC()
	}
	return s.store.write(stateFile, marshalStore(state), lk)
}

// background is a running background refresh.
type background struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs [Session.Check] in a goroutine at each check's NextAt (at
// once when no check has run yet), waiting at least [RefreshMinWait] and
// at most [RefreshMaxWait] between two, and after a check that returned
// an error, RefreshMinWait doubled at each error in a row, up to
// RefreshMaxWait. Each outcome goes to SessionConfig.OnCheck. It runs
// until [Session.Stop] or until ctx ends. Starting a session that runs
// already is misuse.
func (s *Session) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bg != nil {
		return fmt.Errorf("%w: host: the session's background refresh is running already", verify.ErrMisuse)
	}
	ctx, cancel := context.WithCancel(ctx)
	bg := &background{cancel: cancel, done: make(chan struct{})}
	s.bg = bg
	first := s.nextAt.IsZero()
	go s.refresh(ctx, bg.done, first)
	return nil
}

// Stop ends the background refresh, cancelling a check in flight, and
// returns once its goroutine has. It does nothing when none runs. It must
// not be called from SessionConfig.OnCheck, which runs on that goroutine.
func (s *Session) Stop() {
	s.mu.Lock()
	bg := s.bg
	s.bg = nil
	s.mu.Unlock()
	if bg != nil {
		bg.cancel()
		<-bg.done
	}
}

func (s *Session) refresh(ctx context.Context, done chan struct{}, now bool) {
	defer close(done)
	errWait := s.minWait
	for {
		var wait time.Duration
		if !now {
			s.mu.Lock()
			next := s.nextAt
			s.mu.Unlock()
			wait = min(max(next.Sub(s.clock()), s.minWait), s.maxWait)
		}
		now = false
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		rep, err := s.Check(ctx)
		if ctx.Err() != nil {
			return
		}
		if s.cfg.OnCheck != nil {
			s.cfg.OnCheck(rep, err)
		}
		if err != nil {
			// Wait errWait from now: nextAt is the last good check's.
			s.mu.Lock()
			s.nextAt = s.clock().Add(errWait)
			s.mu.Unlock()
			errWait = min(2*errWait, s.maxWait)
		} else {
			errWait = s.minWait
		}
	}
}
