package host

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
)

// RevocationSet is a revocation set verified once and held inside the
// module, for O(1) lookups that never send or verify it again. It owns an
// instance of its own (a set lives in the instance that loaded it), which
// Close releases, as does closing its [Verifier]: after either, its
// methods return [ErrClosed]. It is safe for concurrent use; lookups on
// one set run one at a time.
type RevocationSet struct {
	v      *Verifier
	mu     sync.Mutex
	inst   *instance // nil once closed or failed
	handle int64
}

// Lookups is the answer of [RevocationSet.Lookup]. It is valid unless the
// set has expired since it was loaded (CodeSetExpired; loaded with
// AllowStale it stays valid and says Stale).
type Lookups struct {
	verify.Result
	// Epoch is the set's epoch.
	Epoch int64 `json:"epoch"`
	// Stale is true when the set is past its valid_until and was loaded
	// with AllowStale.
	Stale bool `json:"stale,omitempty"`
	// Lookups holds one entry per id asked for, in order; empty when the
	// result is not valid.
	Lookups []verify.LookupResult `json:"lookups"`
}

// LoadRevocationSet verifies a set as [Verifier.RevocationSet] does and,
// when it is valid, keeps it for lookups. The returned set is nil when the
// result is not valid.
func (v *Verifier) LoadRevocationSet(ctx context.Context, set []byte, keys *verify.Keyring, opts verify.RevocationOptions) (*RevocationSet, *verify.RevocationSetResult, error) {
	s, res, err := v.LoadRevocationSetWith(ctx, set, keys, RevocationOptions{RevocationOptions: opts})
	if err != nil {
		return nil, nil, err
	}
	return s, &res.RevocationSetResult, nil
}

// LoadRevocationSetWith verifies a set and applies opts.Deltas as
// [Verifier.RevocationSetWith] does and, when the result is valid, keeps
// the resulting set for lookups. The returned set is nil when the result
// is not valid.
func (v *Verifier) LoadRevocationSetWith(ctx context.Context, set []byte, keys *verify.Keyring, opts RevocationOptions) (*RevocationSet, *RevocationResult, error) {
	r, err := revocationRequest("revocation_load", set, keys, opts)
	if err != nil {
		return nil, nil, err
	}
	frame, err := v.encode(r)
	if err != nil {
		return nil, nil, err
	}
	if resp := oversized(frame); resp != nil {
		return nil, nil, decodeResponse(resp, new(RevocationResult))
	}
	if err := v.enter(); err != nil {
		return nil, nil, err
	}
	defer v.leave()
	inst, err := v.instantiate(ctx)
	if err != nil {
		return nil, nil, err
	}
	resp, err := inst.call(ctx, frame)
	if err != nil {
		inst.close(ctx)
		return nil, nil, err
	}
	var res struct {
		RevocationResult
		Handle int64 `json:"handle"`
	}
	if err := decodeResponse(resp, &res); err != nil {
		inst.close(ctx)
		return nil, nil, err
	}
	if !res.Valid {
		inst.close(ctx)
		return nil, &res.RevocationResult, nil
	}
	return &RevocationSet{v: v, inst: inst, handle: res.Handle}, &res.RevocationResult, nil
}

// call sends one request to the set's instance, with the set's handle; a
// failure closes the set.
func (s *RevocationSet) call(ctx context.Context, r *api.Request, out any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inst == nil {
		return ErrClosed
	}
	// The instance is the Verifier's: once it is closed, so is the set.
	if err := s.v.enter(); err != nil {
		s.inst = nil
		return err
	}
	defer s.v.leave()
	frame, err := s.v.encode(r.Set("handle", s.handle))
	if err != nil {
		return err
	}
	resp, err := s.inst.call(ctx, frame)
	if err != nil {
		s.inst.close(ctx)
		s.inst = nil
		return err
	}
	return decodeResponse(resp, out)
}

// Lookup returns the status of each id at now: revoked, suspended (with
// its end) or not_revoked. One call takes at most 65,536 ids; more is a
// [*RequestError].
func (s *RevocationSet) Lookup(ctx context.Context, now time.Time, ids ...string) (*Lookups, error) {
	if now.IsZero() {
		return nil, &RequestError{Message: "now is required"}
	}
	if ids == nil {
		ids = []string{}
	}
	res := new(Lookups)
	if err := s.call(ctx, api.NewRequest("revocation_lookup").Set("now", timeText(now)).Set("ids", ids), res); err != nil {
		return nil, err
	}
	return res, nil
}

// ApplyDelta verifies a delta against the set and on success moves the
// set to the delta's epoch; on a rejection the set is unchanged. It is
// ApplyDeltas with one delta, so a refused delta's message names it
// ("delta 0: ").
func (s *RevocationSet) ApplyDelta(ctx context.Context, delta []byte, keys *verify.Keyring, opts verify.RevocationOptions) (*verify.RevocationSetResult, error) {
	return s.ApplyDeltas(ctx, [][]byte{delta}, keys, opts)
}

// ApplyDeltas applies deltas to the set in order, as
// verify.VerifiedSet.ApplyDeltas does: each delta is checked by itself,
// and rollback and freshness are decided on where the chain ends. On
// success the set moves to the last delta's epoch; on a rejection it is
// unchanged. One call takes at most 4,096 deltas; more is a
// [*RequestError].
func (s *RevocationSet) ApplyDeltas(ctx context.Context, deltas [][]byte, keys *verify.Keyring, opts verify.RevocationOptions) (*verify.RevocationSetResult, error) {
	if len(deltas) == 0 {
		return nil, fmt.Errorf("%w: host: no deltas", verify.ErrMisuse)
	}
	r := api.NewRequest("revocation_apply")
	for _, d := range deltas {
		r.Part("deltas", d)
	}
	if err := withRevocationOptions(r, keys, opts); err != nil {
		return nil, err
	}
	res := new(verify.RevocationSetResult)
	if err := s.call(ctx, r, res); err != nil {
		return nil, err
	}
	return res, nil
}

// Close releases the set; further calls return ErrClosed. The set is
// freed in the module, and its instance then joins the Verifier's pool
// when there is room (instantiating costs more than a verification), or
// is closed. An instance that cannot free the set is closed. After the
// Verifier's Close, which released the instance, it does nothing.
func (s *RevocationSet) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inst == nil {
		return nil
	}
	inst := s.inst
	s.inst = nil
	if s.v.enter() != nil {
		return nil
	}
	defer s.v.leave()
	var res verify.Result
	frame, err := s.v.encode(api.NewRequest("revocation_free").Set("handle", s.handle))
	if err == nil {
		var resp []byte
		if resp, err = inst.call(ctx, frame); err == nil {
			err = decodeResponse(resp, &res)
		}
	}
	if err != nil || !res.Valid {
		inst.close(ctx)
		return nil
	}
	s.v.adopt(inst)
	return nil
}
