package verify

import (
	"time"

	"github.com/licverify/licverify/internal/msg"
)

// deltaChange is one id a delta changes, in document order.
type deltaChange struct {
	id    string
	entry revEntry
}

// ApplyDelta verifies a revocation delta (the since_epoch sync of
// formats.md §2) and applies it to s, returning the set at the delta's
// epoch; s itself is unchanged. It is [VerifiedSet.ApplyDeltas] with one
// delta. A delta holds epoch, since_epoch, added, removed (arrays of ids,
// possibly empty), an optional suspended list like a full set's,
// issued_at, valid_until, an optional issuer_kid (without it every key is
// tried, as for a full set), and its signature.
//
// The checks run in this order: parse, signature envelope, shape, key,
// signature, key window at issued_at; the lists (non-empty string ids,
// each id at most once across added, removed and suspended:
// CodeInvalidField); since_epoch equal to the set's epoch
// (CodeDeltaBaseMismatch); epoch after since_epoch (CodeInvalidField); the
// delta fits the set: every removed id is revoked or suspended in it, and
// no added id is already revoked (CodeDeltaBaseMismatch, since a delta
// that does not fit was computed from another base); valid_until after
// issued_at, not yet valid; then, on the resulting set, rollback against
// MinEpoch and freshness, as for a full set.
//
// Applying: removed ids leave the set, added ids become revoked (ending
// any suspension), and suspended entries set or replace a suspension. The
// resulting set takes the delta's epoch, times and key id.
//
// A rejected delta's result has no claims and no Set; keep using s. The
// error is non-nil only for misuse, and then wraps [ErrMisuse]. Each call
// copies the changes s holds since its last compaction (up to an eighth of
// the set); to apply a chain, use ApplyDeltas, which copies them once.
func (s *VerifiedSet) ApplyDelta(delta []byte, keys *Keyring, opts RevocationOptions) (*RevocationSetResult, error) {
	return s.applyDeltas([][]byte{delta}, keys, opts, false)
}

// ApplyDeltas applies deltas to s in order, as [RevocationChain] does after
// its full set: each delta is checked as [VerifiedSet.ApplyDelta] says, and
// rollback and freshness are decided on the last one. s is unchanged. A
// rejected delta's message starts "delta i: " (from 0) and its result has
// no claims. The cost is O(the changes s holds + the ids the deltas list).
func (s *VerifiedSet) ApplyDeltas(deltas [][]byte, keys *Keyring, opts RevocationOptions) (*RevocationSetResult, error) {
	if len(deltas) == 0 {
		return nil, misuse("revocation delta: no deltas")
	}
	return s.applyDeltas(deltas, keys, opts, true)
}

func (s *VerifiedSet) applyDeltas(deltas [][]byte, keys *Keyring, opts RevocationOptions, numbered bool) (*RevocationSetResult, error) {
	if s == nil || s.base == nil {
		return nil, misuse("revocation delta: no verified set to apply it to")
	}
	if keys.Len() == 0 {
		return nil, misuse("revocation delta: no keys")
	}
	o, err := opts.check("revocation delta")
	if err != nil {
		return nil, err
	}
	return s.chain(deltas, keys, o, numbered), nil
}

// chain applies deltas to s, then runs the end-of-chain checks. Only the
// set it returns is ever seen by a caller, so the changes are collected in
// one map that this call owns: copied from s once, then updated in place.
func (s *VerifiedSet) chain(deltas [][]byte, keys *Keyring, o revOptions, numbered bool) *RevocationSetResult {
	cur := s
	owned := false
	for i, delta := range deltas {
		next, res := cur.applyDelta(delta, keys, o, owned)
		if res != nil {
			if numbered {
				res.Message = msg.Sprintf("delta %d: %s", i, res.Message)
			}
			res.SetClaims = nil
			return res
		}
		cur, owned = next, true
	}
	what := "revocation set"
	if len(deltas) > 0 {
		what = "revocation delta"
	}
	return cur.finish(o, what)
}

// applyDelta verifies one delta and returns the set it makes, or the
// rejection. With owned, s is an intermediate set of this chain that no
// caller has seen, and its changes map is updated in place.
func (s *VerifiedSet) applyDelta(delta []byte, keys *Keyring, o revOptions, owned bool) (*VerifiedSet, *RevocationSetResult) {
	reject := func(err *Error) (*VerifiedSet, *RevocationSetResult) {
		return nil, &RevocationSetResult{Result: rejected(err)}
	}
	d, h, err := authenticate(delta, keys, o, "revocation delta", kindDelta, readDeltaShape)
	if err != nil {
		return reject(err)
	}
	changes, err := readDeltaLists(d.fields)
	if err != nil {
		return reject(err)
	}
	if h.sinceEpoch != s.epoch {
		return reject(fail(CodeDeltaBaseMismatch, "delta is since epoch %d; the set is at epoch %d", h.sinceEpoch, s.epoch))
	}
	if h.epoch <= h.sinceEpoch {
		return reject(fail(CodeInvalidField, "delta epoch %d is not after its since_epoch %d", h.epoch, h.sinceEpoch))
	}
	// Every change is checked against s before any is made, so that a
	// delta that does not fit leaves an owned map as it was.
	for _, c := range changes {
		cur := s.entry(c.id)
		switch c.entry.state {
		case revNone:
			if cur.state == revNone {
				return reject(fail(CodeDeltaBaseMismatch, "delta removes %q, which the set does not list", truncate(c.id)))
			}
		case revRevoked:
			if cur.state == revRevoked {
				return reject(fail(CodeDeltaBaseMismatch, "delta adds %q, which the set already revokes", truncate(c.id)))
			}
		}
	}
	next := &VerifiedSet{
		epoch: h.epoch, issuedAt: h.issuedAt, validUntil: h.validUntil, kid: h.kid, form: h.form,
		revokedN: s.revokedN, suspendedN: s.suspendedN, base: s.base, over: s.over,
	}
	if res := next.own(o, "revocation delta"); res != nil {
		return nil, res
	}
	if !owned || next.over == nil {
		next.over = make(map[string]revEntry, len(s.over)+len(changes))
		// A loop, not maps.Copy: a generic instantiation over a type that
		// holds a time.Time keeps time's layout formatter in the module.
		for id, e := range s.over {
			next.over[id] = e
		}
	}
	for _, c := range changes {
		next.count(s.entry(c.id).state, -1)
		next.count(c.entry.state, +1)
		next.over[c.id] = c.entry
	}
	next.compact()
	return next, nil
}

// count adjusts the set's counters for an id entering (+1) or leaving (-1)
// state.
func (s *VerifiedSet) count(state revState, n int) {
	switch state {
	case revRevoked:
		s.revokedN += n
	case revSuspended:
		s.suspendedN += n
	}
}

// compactAt is the size of the changes since the base above which they
// are folded into a new base: lookups stay a table probe and a map read
// at most, and the cost of copying the changes on every delta stays a
// fraction of the set.
func compactAt(base *revBase) int {
	return max(1024, (base.revoked.len()+len(base.suspended))/8)
}

// compact folds the changes into a new base once they are large. The
// revoked ids the changes leave alone and those they add are written to a
// fresh buffer, which the new table points into; the old base's text is
// freed once no set uses it.
func (s *VerifiedSet) compact() {
	if len(s.over) <= compactAt(s.base) {
		return
	}
	size := s.base.revoked.size
	for id, e := range s.over {
		if e.state == revRevoked {
			size += len(id) + 1
		}
	}
	w := newIDWriter(size)
	s.base.revoked.each(func(id []byte) {
		if _, changed := s.over[string(id)]; !changed {
			writeID(w, id)
		}
	})
	// Not maps.Clone, for the reason above.
	suspended := make(map[string]time.Time, len(s.base.suspended))
	for id, until := range s.base.suspended {
		suspended[id] = until
	}
	for id, e := range s.over {
		delete(suspended, id)
		switch e.state {
		case revRevoked:
			writeID(w, id)
		case revSuspended:
			suspended[id] = e.until
		}
	}
	s.base, s.over = &revBase{revoked: w.table(), suspended: suspended}, nil
}

// readDeltaShape is the shape check of a delta. since_epoch is read right
// after epoch, so that a full set given as a delta is named as such.
func readDeltaShape(f fields) (*revHeader, *Error) {
	if _, err := f.spEpoch("epoch"); err != nil {
		return nil, err
	}
	since, err := f.spEpoch("since_epoch")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"added", "removed"} {
		if _, _, err := f.spArray(name, true); err != nil {
			return nil, err
		}
	}
	h, err := readHeader(f)
	if err != nil {
		return nil, err
	}
	h.sinceEpoch = since
	return h, nil
}

// readDeltaLists reads removed, added and suspended, in that order, into
// the changes they make.
func readDeltaLists(f fields) ([]deltaChange, *Error) {
	seen := map[string]string{}
	var changes []deltaChange
	add := func(list, id string, e revEntry) *Error {
		if prev, dup := seen[id]; dup {
			if prev == list {
				return fail(CodeInvalidField, "%s lists %q twice", list, truncate(id))
			}
			return fail(CodeInvalidField, "%q is in both %s and %s", truncate(id), prev, list)
		}
		seen[id] = list
		changes = append(changes, deltaChange{id: id, entry: e})
		return nil
	}
	for _, l := range []struct {
		name  string
		state revState
	}{{"removed", revNone}, {"added", revRevoked}} {
		raw, _, _ := f.spArray(l.name, true)
		err := eachID(raw, l.name, func(_ int, id string) *Error {
			return add(l.name, id, revEntry{state: l.state})
		})
		if err != nil {
			return nil, err
		}
	}
	err := eachSuspension(f, func(_ int, id string, until time.Time) *Error {
		return add("suspended", id, revEntry{state: revSuspended, until: until})
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}
