package verify

import (
	"time"

	"github.com/licverify/licverify/internal/jsontext"
)

// The defaults of [PlanOptions] and [AcceptOptions] (formats.md "The
// lifecycle ops").
const (
	// DefaultRefreshPercent is the refresh point, in percent of a proof's
	// lifetime: the status-proof seed refreshes once 75 % has passed.
	DefaultRefreshPercent = 75
	// DefaultSyncInterval is the revocation seed's sync period.
	DefaultSyncInterval = 5 * time.Minute
	// DefaultBackoff is the first retry delay after a failed fetch.
	DefaultBackoff = 30 * time.Second
	// DefaultBackoffMax caps the retry delay.
	DefaultBackoffMax = time.Hour
	// DefaultMaxDeltas is the chain length at which a full set is fetched
	// instead of another delta.
	DefaultMaxDeltas = 256
	// MaxCachedDeltas is the most deltas a cache may hold after its set,
	// the largest MaxDeltas.
	MaxCachedDeltas = 4096
	// MaxFailures is the largest failure count accepted.
	MaxFailures = 1_000_000
)

// Reasons of a [Fetch]: why the document is due at its time.
const (
	ReasonMissing      = "missing"       // none is cached
	ReasonRejected     = "rejected"      // the cached one does not verify
	ReasonBehind       = "behind"        // the other document names a later epoch
	ReasonRefreshPoint = "refresh_point" // the proof's refresh point
	ReasonDeltas       = "deltas"        // the chain holds MaxDeltas deltas
	ReasonExpired      = "expired"       // the chain is past its valid_until
	ReasonInterval     = "interval"      // the sync interval since the last sync
	ReasonBackoff      = "backoff"       // pushed back after failed fetches
)

// Cache is what a host holds between runs: the last status proof it took,
// the last full revocation set and the deltas taken after it, each as the
// exact bytes fetched. A nil member is none cached; anything else,
// however short, is a document, verified again on every call.
type Cache struct {
	// Proof is the status proof, in any form [StatusProof] reads.
	Proof []byte
	// Set is the base revocation set.
	Set []byte
	// Deltas are the deltas after Set, in order; at most
	// [MaxCachedDeltas], and none without a Set.
	Deltas [][]byte
}

// PlanOptions are the inputs of [Plan] besides the cache and the keyring.
// Zero values mean the defaults; times recorded by the host that lie after
// Now (the clock was wrong when they were recorded, or is wrong now) are
// read as absent.
type PlanOptions struct {
	// Now is the current time from a clock the host trusts. Required.
	Now time.Time
	// LicenseID, Fingerprint, MaxTTL and Skew are as in
	// [StatusProofOptions]; Skew applies to the revocation chain too.
	LicenseID   string
	Fingerprint []byte
	MaxTTL      time.Duration
	Skew        time.Duration
	// MinEpoch is the stored anti-rollback epoch, for the proof and the
	// chain alike.
	MinEpoch int64
	// SyncedAt is when the set or its last delta was last taken; zero
	// means never.
	SyncedAt time.Time
	// ProofFailures and SetFailures count the consecutive failed fetches
	// of each kind (a transport error or a refused document), at most
	// [MaxFailures]; ProofFailedAt and SetFailedAt are when the last one
	// happened. Failures without their time delay nothing.
	ProofFailures, SetFailures int
	ProofFailedAt, SetFailedAt time.Time
	// RefreshPercent is the refresh point in percent of the proof's
	// lifetime, 1..100; zero means [DefaultRefreshPercent].
	RefreshPercent int
	// SyncInterval is the time between syncs; zero means
	// [DefaultSyncInterval].
	SyncInterval time.Duration
	// Backoff is the first retry delay and BackoffMax its cap; zero means
	// [DefaultBackoff] and [DefaultBackoffMax].
	Backoff, BackoffMax time.Duration
	// MaxDeltas is the chain length at which a full set is due, 1..4096;
	// zero means [DefaultMaxDeltas].
	MaxDeltas int
}

// Fetch is when a document is due and why. At is never before Now: a
// document due at once has At equal to Now.
type Fetch struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
	// SinceEpoch, for the revocation set only, is the chain's epoch when
	// a delta since it will do; nil when a full set is needed.
	SinceEpoch *int64 `json:"since_epoch,omitempty"`
}

// PlanResult is the outcome of [Plan].
type PlanResult struct {
	// Result is the verdict: CodeProofMissing without a proof, else the
	// proof's own result when it is not ok, else CodeRevoked or
	// CodeSuspended when the chain lists the license, else ok.
	Result
	// Proof is [StatusProof]'s result for Cache.Proof; nil without one.
	Proof *StatusProofResult `json:"proof,omitempty"`
	// Set is [RevocationChain]'s result for the cached chain, without
	// AllowStale; nil without a set.
	Set *RevocationSetResult `json:"set,omitempty"`
	// Lookup is the proof's license id looked up in the chain at Now; nil
	// unless the proof is authentic and the chain verified up to its
	// freshness (valid, or only past its valid_until). The plan op
	// answers it as the set's lookups, when the set is valid.
	Lookup *LookupResult `json:"-"`
	// StoreEpoch is the higher of the two results' store epochs; nil when
	// neither has one. The host raises its stored epoch to it.
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
	// RefreshProof and SyncSet say when to fetch each document.
	RefreshProof Fetch `json:"refresh_proof"`
	SyncSet      Fetch `json:"sync_set"`
	// NextAt is the earlier of the two fetch times.
	NextAt time.Time `json:"next_at"`
}

// planOptions are PlanOptions with the defaults applied.
type planOptions struct {
	PlanOptions
	proof StatusProofOptions
	chain RevocationOptions
}

func (o PlanOptions) check() (planOptions, error) {
	if o.Now.IsZero() {
		return planOptions{}, misuse("plan: Now is required")
	}
	if o.MinEpoch < 0 || o.MaxTTL < 0 || o.ProofFailures < 0 || o.SetFailures < 0 || o.RefreshPercent < 0 ||
		o.SyncInterval < 0 || o.Backoff < 0 || o.BackoffMax < 0 || o.MaxDeltas < 0 {
		return planOptions{}, misuse("plan: options must not be negative")
	}
	if o.RefreshPercent > 100 || o.MaxDeltas > MaxCachedDeltas || o.ProofFailures > MaxFailures || o.SetFailures > MaxFailures {
		return planOptions{}, misuse("plan: RefreshPercent above 100, MaxDeltas above %d or failures above %d", MaxCachedDeltas, MaxFailures)
	}
	p := planOptions{PlanOptions: o}
	p.Now = o.Now.UTC()
	if p.RefreshPercent == 0 {
		p.RefreshPercent = DefaultRefreshPercent
	}
	if p.SyncInterval == 0 {
		p.SyncInterval = DefaultSyncInterval
	}
	if p.Backoff == 0 {
		p.Backoff = DefaultBackoff
	}
	if p.BackoffMax == 0 {
		p.BackoffMax = DefaultBackoffMax
	}
	if p.MaxDeltas == 0 {
		p.MaxDeltas = DefaultMaxDeltas
	}
	p.proof = StatusProofOptions{Now: p.Now, LicenseID: o.LicenseID, Fingerprint: o.Fingerprint,
		MinEpoch: o.MinEpoch, MaxTTL: o.MaxTTL, Skew: o.Skew}
	p.chain = RevocationOptions{Now: p.Now, MinEpoch: o.MinEpoch, Skew: o.Skew}
	return p, nil
}

// Plan decides, from what a host has cached, what holds now and when to
// fetch each document again: the offline-first lifecycle of formats.md
// "The lifecycle ops", after the status-proof seed ("Refresh Proofs Before
// Expiration", "Handle Network Failures") and the revocation seed ("Sync
// Revocation Sets Regularly", "Anti-Rollback Protection"). It is pure: the
// same cache, keys and options give the same result.
//
// The set and its deltas are verified by [RevocationChain] with the
// stored epoch; a chain only past its valid_until still counts for the
// verdict, since a revocation stays in force when its list goes stale,
// while a chain that does not verify is not used. The proof is verified
// by [StatusProof] with the stored epoch, or with none when the chain
// verified: the chain then answers for revocations up to the stored
// epoch, so a valid proof from before an epoch change (a revocation of
// another license) stays valid, and the chain's lookup decides whether
// this license was revoked since. The fetch rules, first that applies:
//
//   - RefreshProof: [ReasonMissing] (no proof), [ReasonRejected] (the
//     proof's code is not ok, revoked or expired), [ReasonBehind] (the
//     proof is revoked or expired and the chain reached a later epoch
//     than the proof names: the license may be restored), all due Now;
//     else [ReasonRefreshPoint], checked_at + RefreshPercent % of the
//     proof's lifetime.
//   - SyncSet, a full set: [ReasonMissing], [ReasonRejected] (the chain
//     is refused for anything but being behind the stored epoch),
//     [ReasonDeltas] (MaxDeltas deltas cached); a delta since the chain's
//     epoch: [ReasonBehind] (the authentic proof or the stored epoch is
//     later than the chain's end), [ReasonExpired], all due Now; else
//     [ReasonInterval], SyncedAt + SyncInterval (Now when never synced).
//   - After n failures, either time is pushed to at least failed_at +
//     min(Backoff × 2^(n−1), BackoffMax) and its reason becomes
//     [ReasonBackoff] when that is later.
//
// Times are clamped to 9999-12-31T23:59:59.999999999Z, the last an RFC
// 3339 result can carry. The error is non-nil only for misuse, and then
// wraps [ErrMisuse]: the misuse errors of StatusProof and RevocationChain,
// an option out of range, or Deltas without a Set.
func Plan(cache Cache, keys *Keyring, opts PlanOptions) (*PlanResult, error) {
	if keys.Len() == 0 {
		return nil, misuse("plan: no keys")
	}
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	if cache.Set == nil && len(cache.Deltas) > 0 {
		return nil, misuse("plan: deltas without a set")
	}
	if len(cache.Deltas) > MaxCachedDeltas {
		return nil, misuse("plan: %d deltas, at most %d", len(cache.Deltas), MaxCachedDeltas)
	}
	res := &PlanResult{}
	var chain *VerifiedSet
	if cache.Set != nil {
		if res.Set, chain, err = cachedChain(cache, keys, o.chain); err != nil {
			return nil, err
		}
	}
	var claims *ProofClaims
	if cache.Proof != nil {
		po := o.proof
		if chain != nil {
			// The chain verified and reaches the stored epoch, so it
			// answers for revocations up to there: a proof from before
			// the last epoch change is judged by its other checks and
			// the chain's lookup, not refused (RATIONALE, "One epoch,
			// two documents").
			po.MinEpoch = 0
		}
		if res.Proof, err = StatusProof(cache.Proof, keys, po); err != nil {
			return nil, err
		}
		claims = res.Proof.ProofClaims
	}
	if chain != nil && claims != nil {
		l := chain.Lookup(claims.LicenseID, o.Now)
		res.Lookup = &l
	}
	res.Result = planVerdict(res, chain)
	res.StoreEpoch = higher(res.Proof.storeEpoch(), res.Set.storeEpoch())
	res.RefreshProof = o.refreshProof(res.Proof, chain)
	res.SyncSet = o.syncSet(cache, res.Set, claims, chain)
	res.NextAt = res.RefreshProof.At
	if res.SyncSet.At.Before(res.NextAt) {
		res.NextAt = res.SyncSet.At
	}
	return res, nil
}

// cachedChain verifies the cached chain up to its freshness. It returns
// the result RevocationChain gives without AllowStale, and the chain's set
// when it verified up to freshness (valid, or only stale), for lookups.
func cachedChain(cache Cache, keys *Keyring, opts RevocationOptions) (*RevocationSetResult, *VerifiedSet, error) {
	opts.AllowStale = true
	res, err := RevocationChain(cache.Set, cache.Deltas, keys, opts)
	if err != nil || !res.Valid {
		return res, nil, err
	}
	chain := res.Set
	if res.Stale {
		// The answer RevocationChain gives without AllowStale: the same
		// end-of-chain checks, which refuse the stale set.
		opts.AllowStale = false
		o, err := opts.check("revocation set")
		if err != nil {
			return nil, nil, err
		}
		what := "revocation set"
		if len(cache.Deltas) > 0 {
			what = "revocation delta"
		}
		res = chain.finish(o, what)
	}
	return res, chain, nil
}

// planVerdict is the verdict of formats.md "The lifecycle ops", plan,
// steps 1-4.
func planVerdict(res *PlanResult, chain *VerifiedSet) Result {
	switch {
	case res.Proof == nil:
		return rejected(fail(CodeProofMissing, "no status proof is cached"))
	case !res.Proof.Valid:
		return res.Proof.Result
	case res.Lookup != nil:
		stale := ""
		if res.Set.Code == CodeSetExpired {
			stale = " (the set has expired; a revocation stays in force)"
		}
		switch res.Lookup.Status {
		case LookupRevoked:
			return rejected(fail(CodeRevoked, "license %q is revoked by the revocation set at epoch %d%s",
				truncate(res.Lookup.LicenseID), chain.Epoch(), stale))
		case LookupSuspended:
			return rejected(fail(CodeSuspended, "license %q is suspended until %s by the revocation set at epoch %d%s",
				truncate(res.Lookup.LicenseID), formatClaim(res.Lookup.Until), chain.Epoch(), stale))
		}
	}
	return res.Proof.Result
}

func (r *StatusProofResult) storeEpoch() *int64 {
	if r == nil || r.ProofClaims == nil {
		return nil
	}
	return r.StoreEpoch
}

func (r *RevocationSetResult) storeEpoch() *int64 {
	if r == nil || r.SetClaims == nil {
		return nil
	}
	return r.StoreEpoch
}

// higher returns the higher of two optional epochs, a copy.
func higher(a, b *int64) *int64 {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil || (b != nil && *b > *a):
		n := *b
		return &n
	}
	n := *a
	return &n
}

// refreshProof is the proof's fetch rule.
func (o planOptions) refreshProof(p *StatusProofResult, chain *VerifiedSet) Fetch {
	f := Fetch{At: o.Now}
	switch {
	case p == nil:
		f.Reason = ReasonMissing
	case p.ProofClaims == nil || p.RefreshAfter.IsZero() ||
		(p.Code != CodeOK && p.Code != CodeRevoked && p.Code != CodeExpired):
		f.Reason = ReasonRejected
	case p.Code != CodeOK && chain != nil && chain.Epoch() > p.Epoch:
		// A revoked or expired proof older than the chain: the issuer may
		// have restored or renewed the license since. A valid one needs
		// nothing: the chain's lookup keeps its revocation status current.
		f.Reason = ReasonBehind
	default:
		f.Reason = ReasonRefreshPoint
		f.At = refreshPoint(p.CheckedAt, p.ValidUntil, int64(o.RefreshPercent))
	}
	return o.backoff(f, o.ProofFailures, o.ProofFailedAt)
}

// syncSet is the revocation set's fetch rule.
func (o planOptions) syncSet(cache Cache, set *RevocationSetResult, claims *ProofClaims, chain *VerifiedSet) Fetch {
	f := Fetch{At: o.Now}
	switch {
	case cache.Set == nil:
		f.Reason = ReasonMissing
	case len(cache.Deltas) >= o.MaxDeltas && (chain != nil || set.Code == CodeEpochRollback && set.SetClaims != nil):
		f.Reason = ReasonDeltas
	case chain == nil && set.Code == CodeEpochRollback && set.SetClaims != nil:
		// Authentic and whole, only behind the stored epoch (a proof
		// moved it): a delta since the chain's end lifts it, as a delta
		// lifts any base (RevocationChain decides the epoch on the end).
		since := set.Epoch
		f.Reason, f.SinceEpoch = ReasonBehind, &since
	case chain == nil:
		f.Reason = ReasonRejected
	default:
		since := chain.Epoch()
		f.SinceEpoch = &since
		switch {
		case claims != nil && claims.Epoch > since:
			f.Reason = ReasonBehind
		case chain.Expired(o.Now):
			f.Reason = ReasonExpired
		default:
			f.Reason = ReasonInterval
			if synced, ok := o.recorded(o.SyncedAt); ok {
				f.At = addClamped(synced, o.SyncInterval)
			}
		}
	}
	return o.backoff(f, o.SetFailures, o.SetFailedAt)
}

// backoff pushes f back after failures: to failedAt + min(Backoff ×
// 2^(failures−1), BackoffMax) when that is later than f.At, and never
// before Now.
func (o planOptions) backoff(f Fetch, failures int, failedAt time.Time) Fetch {
	if f.At.Before(o.Now) {
		f.At = o.Now
	}
	failedAt, ok := o.recorded(failedAt)
	if failures == 0 || !ok {
		return f
	}
	delay := o.Backoff
	for i := 1; i < failures && delay < o.BackoffMax; i++ {
		if delay > o.BackoffMax/2 {
			delay = o.BackoffMax
			break
		}
		delay *= 2
	}
	delay = min(delay, o.BackoffMax)
	if until := addClamped(failedAt, delay); until.After(f.At) {
		f.At, f.Reason = until, ReasonBackoff
	}
	return f
}

// recorded reads a time the host recorded; ok is false when there is
// none, or when it lies after Now: the clock was wrong then or is wrong
// now, and a time from it is not used. Read as Now instead, it would hold
// a fetch off on every check until the clock caught up with it, since the
// host records nothing new while no fetch is made.
func (o planOptions) recorded(t time.Time) (time.Time, bool) {
	if t.IsZero() || t.After(o.Now) {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// lastTime is the last instant an RFC 3339 result can carry.
var lastTime = time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC)

// addClamped is t + d, at most lastTime.
func addClamped(t time.Time, d time.Duration) time.Time {
	if u := t.Add(d); !u.After(lastTime) {
		return u
	}
	return lastTime
}

// refreshPoint is from + ⌊pct/100 · (to − from)⌋ to the nanosecond,
// computed on seconds and nanoseconds separately so that no lifetime
// overflows; to is after from and pct is 1..100.
func refreshPoint(from, to time.Time, pct int64) time.Time {
	sec := to.Unix() - from.Unix()
	nsec := int64(to.Nanosecond() - from.Nanosecond())
	if nsec < 0 {
		sec--
		nsec += int64(time.Second)
	}
	// pct·(sec·10⁹ + nsec)/100 = q·10⁹ + (r·10⁹ + pct·nsec)/100 with
	// pct·sec = 100q + r.
	q, r := pct*sec/100, pct*sec%100
	return time.Unix(from.Unix()+q, int64(from.Nanosecond())+(r*int64(time.Second)+pct*nsec)/100).UTC()
}

// AcceptKind names what a fetch returned.
type AcceptKind string

// The kinds of [Accept].
const (
	// AcceptProof is a status proof.
	AcceptProof AcceptKind = "proof"
	// AcceptRevocation is a revocation answer: a delta when it has a
	// top-level since_epoch member, else a full set.
	AcceptRevocation AcceptKind = "revocation"
)

// What [AcceptResult.Persist] tells the host to write.
const (
	// PersistProof: the fetched proof replaces the cached one.
	PersistProof = "proof"
	// PersistSet: the fetched set replaces the base and the deltas are
	// dropped.
	PersistSet = "set"
	// PersistDelta: the fetched delta is appended to the deltas.
	PersistDelta = "delta"
)

// AcceptOptions are the inputs of [Accept] besides the document, the
// cache and the keyring; the fields mean what they do in [PlanOptions].
type AcceptOptions struct {
	Now         time.Time
	LicenseID   string
	Fingerprint []byte
	MinEpoch    int64
	MaxTTL      time.Duration
	Skew        time.Duration
	MaxDeltas   int
}

// AcceptResult is the outcome of [Accept].
type AcceptResult struct {
	// Result is the verdict on the fetched document: its own result, or
	// the reason it is refused although it verifies (CodeNotNewer,
	// CodeEpochRollback, CodeDeltaBaseMismatch, CodeInputTooLarge). A
	// taken proof may be invalid: a genuine revoked or expired one.
	Result
	// Accept reports whether the document replaces or extends the cache.
	Accept bool `json:"accept"`
	// Persist is PersistProof, PersistSet or PersistDelta when Accept,
	// else "".
	Persist string `json:"persist,omitempty"`
	// StoreEpoch is the epoch to store once the document is persisted;
	// nil unless Accept.
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
	// Proof is the fetched proof's full result (kind proof); the accept
	// op answers it as its result member.
	Proof *StatusProofResult `json:"-"`
	// Set is the fetched set's result, or for a delta that of the cached
	// chain with the delta applied (kind revocation); the accept op
	// answers it as its result member.
	Set *RevocationSetResult `json:"-"`
}

// Accept decides whether a fetched document replaces the cached one
// (formats.md "The lifecycle ops", accept). It is pure.
//
//   - A proof is taken when [StatusProof] finds it ok, revoked or expired
//     (it verified through signature, times, license, device and epoch:
//     a genuine revoked or expired proof must replace an older valid
//     one), and its checked_at is not before that of the cached proof,
//     when that one is authentic and for the same license (CodeNotNewer).
//     Without LicenseID, the authentic cached proof's license id is
//     required of the fetched one.
//   - A full set is taken when [RevocationSet] finds it valid and fresh
//     with MinEpoch, and, against a cached chain that verifies up to its
//     freshness, its epoch is not lower (CodeEpochRollback) nor equal with
//     an earlier issued_at (CodeNotNewer).
//   - A delta is taken when the cached chain, verified up to its
//     freshness on its own terms, and the delta verify fresh with
//     MinEpoch on the end they reach ([VerifiedSet.ApplyDelta]), and the
//     cache holds fewer than MaxDeltas deltas (else CodeInputTooLarge: a
//     full set is due). Without such a chain it is
//     CodeDeltaBaseMismatch.
//
// The error is non-nil only for misuse, and then wraps [ErrMisuse]: an
// unknown kind, the misuse errors of the verifiers, an option out of
// range, Deltas without a Set.
func Accept(kind AcceptKind, fetched []byte, cache Cache, keys *Keyring, opts AcceptOptions) (*AcceptResult, error) {
	if keys.Len() == 0 {
		return nil, misuse("accept: no keys")
	}
	po, err := PlanOptions{Now: opts.Now, LicenseID: opts.LicenseID, Fingerprint: opts.Fingerprint, MinEpoch: opts.MinEpoch,
		MaxTTL: opts.MaxTTL, Skew: opts.Skew, MaxDeltas: opts.MaxDeltas}.check()
	if err != nil {
		return nil, err
	}
	if cache.Set == nil && len(cache.Deltas) > 0 {
		return nil, misuse("accept: deltas without a set")
	}
	switch kind {
	case AcceptProof:
		return acceptProof(fetched, cache, keys, po)
	case AcceptRevocation:
		if isDelta(fetched) {
			return acceptDelta(fetched, cache, keys, po)
		}
		return acceptSet(fetched, cache, keys, po)
	}
	return nil, misuse("accept: kind %q is not %q or %q", truncate(string(kind)), string(AcceptProof), string(AcceptRevocation))
}

func acceptProof(fetched []byte, cache Cache, keys *Keyring, o planOptions) (*AcceptResult, error) {
	var cached *ProofClaims
	if cache.Proof != nil {
		c, err := StatusProof(cache.Proof, keys, o.proof)
		if err != nil {
			return nil, err
		}
		if c.ProofClaims != nil && (o.LicenseID == "" || o.LicenseID == c.LicenseID) {
			cached = c.ProofClaims
			// The host's license is the one it holds a proof for.
			o.proof.LicenseID = c.LicenseID
		}
	}
	res, err := StatusProof(fetched, keys, o.proof)
	if err != nil {
		return nil, err
	}
	out := &AcceptResult{Result: res.Result, Proof: res}
	switch {
	case res.Code != CodeOK && res.Code != CodeRevoked && res.Code != CodeExpired:
	case cached != nil && res.CheckedAt.Before(cached.CheckedAt):
		out.Result = rejected(fail(CodeNotNewer, "the fetched proof was checked at %s, before the cached one (%s); the cache is kept",
			formatClaim(res.CheckedAt), formatClaim(cached.CheckedAt)))
	default:
		out.take(PersistProof, res.StoreEpoch)
	}
	return out, nil
}

func acceptSet(fetched []byte, cache Cache, keys *Keyring, o planOptions) (*AcceptResult, error) {
	var chain *VerifiedSet
	if cache.Set != nil {
		var err error
		if _, chain, err = cachedChain(cache, keys, o.chain); err != nil {
			return nil, err
		}
	}
	res, err := RevocationSet(fetched, keys, o.chain)
	if err != nil {
		return nil, err
	}
	out := &AcceptResult{Result: res.Result, Set: res}
	if !res.Valid {
		return out, nil
	}
	if chain != nil {
		if _, err := CheckEpoch(chain.Epoch(), res.Epoch); err != nil {
			out.Result = rejected(fail(asError(err).Code, "the fetched set's epoch %d is below the cached chain's %d; the cache is kept",
				res.Epoch, chain.Epoch()))
			return out, nil
		}
		if res.Epoch == chain.Epoch() && res.IssuedAt.Before(chain.issuedAt) {
			out.Result = rejected(fail(CodeNotNewer, "the fetched set at epoch %d was issued at %s, before the cached chain's end (%s); the cache is kept",
				res.Epoch, formatClaim(res.IssuedAt), formatClaim(chain.issuedAt)))
			return out, nil
		}
	}
	out.take(PersistSet, res.StoreEpoch)
	return out, nil
}

func acceptDelta(fetched []byte, cache Cache, keys *Keyring, o planOptions) (*AcceptResult, error) {
	var chain *VerifiedSet
	if cache.Set != nil {
		// The cached chain on its own terms: the stored epoch is checked
		// on the end the delta makes, as RevocationChain does, so a delta
		// lifts a chain that a newer proof's epoch left behind.
		base := o.chain
		base.MinEpoch = 0
		var err error
		if _, chain, err = cachedChain(cache, keys, base); err != nil {
			return nil, err
		}
	}
	if chain == nil {
		r := rejected(fail(CodeDeltaBaseMismatch, "no cached revocation set verifies to apply the delta to; a full set is due"))
		return &AcceptResult{Result: r, Set: &RevocationSetResult{Result: r}}, nil
	}
	res, err := chain.ApplyDelta(fetched, keys, o.chain)
	if err != nil {
		return nil, err
	}
	out := &AcceptResult{Result: res.Result, Set: res}
	switch {
	case !res.Valid:
	case len(cache.Deltas) >= o.MaxDeltas:
		out.Result = rejected(fail(CodeInputTooLarge, "the cache already holds %d deltas, max_deltas is %d; a full set is due",
			len(cache.Deltas), o.MaxDeltas))
	default:
		out.take(PersistDelta, res.StoreEpoch)
	}
	return out, nil
}

func (a *AcceptResult) take(persist string, store *int64) {
	a.Accept, a.Persist = true, persist
	if store != nil {
		n := *store
		a.StoreEpoch = &n
	}
}

// isDelta tells a revocation delta from a full set by a top-level
// since_epoch member, the one member only deltas have. Text that is not an
// object is a full set, which the verifier then refuses.
func isDelta(doc []byte) bool {
	found := false
	jsontext.Object(doc, func(name string, _ []byte) bool {
		found = name == "since_epoch"
		return !found
	})
	return found
}
