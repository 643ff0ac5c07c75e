package verify

import (
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/internal/msg"
)

// DefaultRevocationLimit is the size limit of a revocation set or delta.
const DefaultRevocationLimit = 64 << 20

// RevocationOptions are the inputs of [RevocationSet] and
// [VerifiedSet.ApplyDelta] besides the document and the keyring.
type RevocationOptions struct {
	// Now is the current time from a clock the host trusts. Required.
	Now time.Time
	// MinEpoch is the highest epoch the host has stored for this
	// namespace, 0 when none; an older set or delta is a rollback.
	MinEpoch int64
	// AllowStale accepts a set or delta whose valid_until has passed; the
	// result is then valid with Stale set, instead of CodeSetExpired.
	AllowStale bool
	// Skew is how far issued_at may lie in the future; zero means
	// [DefaultSkew] and a negative value means no tolerance at all.
	Skew time.Duration
	// Limit is the largest document accepted, in bytes; zero means
	// [DefaultRevocationLimit].
	Limit int
}

// SetClaims are the claims of a verified revocation set. They are present
// in a result only once the document's signature has verified with a key
// valid at issued_at and its id lists have been read.
type SetClaims struct {
	Epoch      int64     `json:"epoch"`
	IssuedAt   time.Time `json:"issued_at"`
	ValidUntil time.Time `json:"valid_until"`
	// KID is the kid of the key that verified the document (issuer_kid,
	// or the matching ring key's kid when the document names none).
	KID string `json:"kid,omitempty"`
	// SignedForm names the signed form the signature of the last document
	// applied (the set, or a chain's last delta) is over: "rfc8785" or
	// "python" (formats.md "Signed forms").
	SignedForm string `json:"signed_form"`
	// Revoked is the number of revoked ids.
	Revoked int `json:"revoked_count"`
	// Suspended is the number of suspension entries, including any whose
	// until has passed.
	Suspended int `json:"suspended_count"`
	// Stale is true when the set was accepted past its valid_until because
	// the host allowed stale sets.
	Stale bool `json:"stale,omitempty"`
	// StoreEpoch is the epoch the host should store as its new
	// anti-rollback epoch; set once the rollback check has passed.
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
}

// RevocationSetResult is the outcome of [RevocationSet] or
// [VerifiedSet.ApplyDelta]. SetClaims is nil when the document was rejected
// before it was authenticated and read; check Valid first.
type RevocationSetResult struct {
	Result
	*SetClaims
	// Set is the verified set, for lookups and deltas. It is non-nil
	// exactly when Valid is true.
	Set *VerifiedSet `json:"-"`
}

// Lookup statuses.
const (
	LookupRevoked    = "revoked"
	LookupSuspended  = "suspended"
	LookupNotRevoked = "not_revoked"
)

// LookupResult is the status of one license id in a verified set.
type LookupResult struct {
	LicenseID string `json:"license_id"`
	// Status is LookupRevoked, LookupSuspended or LookupNotRevoked.
	Status string `json:"status"`
	// Until is the end of a suspension; zero (absent from JSON) otherwise.
	Until time.Time `json:"until,omitzero"`
}

// VerifiedSet is a revocation set whose signature, epoch and lists have
// been checked. Lookups are O(1) and never re-verify anything. A
// VerifiedSet is immutable, so it is safe for concurrent use, and applying
// a delta returns a new one sharing most of its memory. Only
// [RevocationSet] and [VerifiedSet.ApplyDelta] make one; the zero value
// holds no ids and expired at the zero time, and no delta applies to it.
type VerifiedSet struct {
	epoch                int64
	issuedAt, validUntil time.Time
	kid                  string
	form                 canonical.Form // the signed form of the last document applied
	revokedN, suspendedN int
	base                 *revBase
	// over holds the changes made by deltas since base was built; an id
	// in over is decided by over alone.
	over map[string]revEntry
}

// revBase is the id lists of a full set, or of a set compacted after
// many deltas. Suspensions are few, so they stay a map.
type revBase struct {
	revoked   *idTable
	suspended map[string]time.Time
}

type revState uint8

const (
	revNone revState = iota
	revRevoked
	revSuspended
)

type revEntry struct {
	state revState
	until time.Time
}

// entry returns an id's state in the set, whatever the time.
func (s *VerifiedSet) entry(id string) revEntry {
	if e, ok := s.over[id]; ok {
		return e
	}
	if s.base == nil {
		return revEntry{}
	}
	if s.base.revoked.has(id) {
		return revEntry{state: revRevoked}
	}
	if u, ok := s.base.suspended[id]; ok {
		return revEntry{state: revSuspended, until: u}
	}
	return revEntry{}
}

// Lookup returns the status of a license id at now: revoked if listed in
// revoked_ids, suspended if listed under suspended with now before until,
// and not_revoked otherwise. It does not check the set's own freshness;
// see [VerifiedSet.Expired].
func (s *VerifiedSet) Lookup(id string, now time.Time) LookupResult {
	e := s.entry(id)
	switch {
	case e.state == revRevoked:
		return LookupResult{LicenseID: id, Status: LookupRevoked}
	case e.state == revSuspended && now.Before(e.until):
		return LookupResult{LicenseID: id, Status: LookupSuspended, Until: claimTime(e.until)}
	}
	return LookupResult{LicenseID: id, Status: LookupNotRevoked}
}

// Epoch returns the set's epoch.
func (s *VerifiedSet) Epoch() int64 { return s.epoch }

// ValidUntil returns the end of the set's validity.
func (s *VerifiedSet) ValidUntil() time.Time { return s.validUntil }

// Expired reports whether the set is stale at now (now >= valid_until).
func (s *VerifiedSet) Expired(now time.Time) bool { return !now.Before(s.validUntil) }

// Claims returns the set's claims, without StoreEpoch and with Stale as of
// now.
func (s *VerifiedSet) Claims(now time.Time) SetClaims {
	return SetClaims{
		Epoch: s.epoch, IssuedAt: claimTime(s.issuedAt), ValidUntil: claimTime(s.validUntil), KID: s.kid, SignedForm: s.form.String(),
		Revoked: s.revokedN, Suspended: s.suspendedN, Stale: s.Expired(now),
	}
}

// revOptions are RevocationOptions with the defaults applied.
type revOptions struct {
	RevocationOptions
	skew time.Duration
}

func (o RevocationOptions) check(what string) (revOptions, error) {
	if o.Now.IsZero() {
		return revOptions{}, misuse("%s: Now is required", what)
	}
	if o.MinEpoch < 0 || o.Limit < 0 {
		return revOptions{}, misuse("%s: MinEpoch and Limit must not be negative", what)
	}
	r := revOptions{RevocationOptions: o, skew: o.Skew}
	switch {
	case r.skew == 0:
		r.skew = DefaultSkew
	case r.skew < 0:
		r.skew = 0
	}
	if r.Limit == 0 {
		r.Limit = DefaultRevocationLimit
	}
	return r, nil
}

// revHeader is what a set and a delta share after the shape check.
type revHeader struct {
	epoch                int64
	issuedAt, validUntil time.Time
	kid                  string
	hasKID               bool
	form                 canonical.Form // the signed form that verified
	sinceEpoch           int64          // deltas only
}

// RevocationSet verifies a full revocation set (formats.md §2) and returns
// it ready for lookups. It is [RevocationChain] with no deltas. The checks
// run in this order: parse (limit [DefaultRevocationLimit]), signature
// envelope, shape (epoch, revoked_ids, issued_at, valid_until, issuer_kid,
// suspended), key (issuer_kid; a set without one is tried against every
// key), signature, key window at issued_at, the id lists (ids are
// non-empty strings, listed once, never both revoked and suspended:
// CodeInvalidField), valid_until after issued_at (CodeInvalidField),
// issued_at not in the future beyond the skew (CodeNotYetValid), epoch
// (CodeEpochRollback), freshness (CodeSetExpired, or valid with Stale when
// AllowStale).
//
// A rejection is a result with Valid false. The error is non-nil only for
// misuse, and then wraps [ErrMisuse]: a nil or empty keyring, a zero Now,
// a negative option.
func RevocationSet(set []byte, keys *Keyring, opts RevocationOptions) (*RevocationSetResult, error) {
	return RevocationChain(set, nil, keys, opts)
}

// RevocationChain verifies a full set and the deltas that follow it, in
// order, and returns the set the chain reaches. Every document is checked
// on its own (signature, key window, lists, valid_until after issued_at,
// not issued in the future: [RevocationSet] and [VerifiedSet.ApplyDelta]
// say how); the anti-rollback guard and freshness are decided on where the
// chain ends, not on its base. So a host that stored the epoch a chain
// reached, and kept the base set and its deltas, verifies the same chain
// again after a restart with that epoch as MinEpoch, and a fresh delta
// lifts an expired base.
//
// The result is that of the first document rejected (a delta's message
// starts "delta i: ", counting from 0; a rejected delta's result has no
// claims), or of the end of the chain. Applying n deltas to a set of m ids
// costs O(m + the ids the deltas list).
func RevocationChain(set []byte, deltas [][]byte, keys *Keyring, opts RevocationOptions) (*RevocationSetResult, error) {
	if keys.Len() == 0 {
		return nil, misuse("revocation set: no keys")
	}
	o, err := opts.check("revocation set")
	if err != nil {
		return nil, err
	}
	d, h, verr := authenticate(set, keys, o, "revocation set", kindSet, readSetShape)
	if verr != nil {
		return &RevocationSetResult{Result: rejected(verr)}, nil
	}
	base, verr := readSetLists(d.fields)
	if verr != nil {
		return &RevocationSetResult{Result: rejected(verr)}, nil
	}
	s := &VerifiedSet{
		epoch: h.epoch, issuedAt: h.issuedAt, validUntil: h.validUntil, kid: h.kid, form: h.form,
		revokedN: base.revoked.len(), suspendedN: len(base.suspended), base: base,
	}
	if res := s.own(o, "revocation set"); res != nil {
		return res, nil
	}
	return s.chain(deltas, keys, o, true), nil
}

// own runs the checks every document of a chain passes by itself, after
// its lists: valid_until after issued_at, and issued_at not in the future
// beyond the skew. It returns nil when they pass.
func (s *VerifiedSet) own(o revOptions, what string) *RevocationSetResult {
	c := s.Claims(o.Now)
	c.Stale = false
	reject := func(err *Error) *RevocationSetResult {
		return &RevocationSetResult{SetClaims: &c, Result: rejected(err)}
	}
	if !s.validUntil.After(s.issuedAt) {
		return reject(fail(CodeInvalidField, "%s: valid_until is not after issued_at", what))
	}
	if s.issuedAt.After(o.Now.Add(o.skew)) {
		return reject(fail(CodeNotYetValid, "%s was issued at %s, after now (%s) plus the allowed skew",
			what, formatClaim(s.issuedAt), formatClaim(o.Now)))
	}
	return nil
}

// finish runs the checks made on where a chain ends: the epoch against
// MinEpoch, then freshness.
func (s *VerifiedSet) finish(o revOptions, what string) *RevocationSetResult {
	c := s.Claims(o.Now)
	c.Stale = false
	res := &RevocationSetResult{SetClaims: &c}
	reject := func(err *Error) *RevocationSetResult {
		res.Result = rejected(err)
		return res
	}
	store, err := CheckEpoch(o.MinEpoch, s.epoch)
	if err != nil {
		return reject(asError(err))
	}
	c.StoreEpoch = &store
	if s.Expired(o.Now) {
		if !o.AllowStale {
			return reject(fail(CodeSetExpired, "%s expired at %s", what, formatClaim(s.validUntil)))
		}
		c.Stale = true
		res.Result = ok(msg.Sprintf("%s accepted although stale (it expired at %s); the set is at epoch %d",
			what, formatClaim(s.validUntil), s.epoch))
		res.Set = s
		return res
	}
	res.Result = ok(msg.Sprintf("%s is valid; the set is at epoch %d", what, s.epoch))
	res.Set = s
	return res
}

// revMembers are the top-level members the verifier reads from a set or a
// delta: those of their shapes and lists, and those [fields.kind] reads
// to name a document of another kind. Only these are split out of the
// document, so that a forged set padded with millions of unknown members
// costs its parse, not a map of them, before it is found bad_signature.
// Unknown members are still in the signed bytes.
var revMembers = newMemberSet(
	"epoch", "since_epoch", "issued_at", "valid_until", "issuer_kid",
	"revoked_ids", "added", "removed", "suspended",
	// For kind only.
	"license_id", "checked_at", "schema_version", "signature_alg",
)

// authenticate runs parse, envelope, shape, key, signature and key window
// for a set or a delta; shape reads the members of the kind expected.
// what names the document in messages.
func authenticate(doc []byte, keys *Keyring, o revOptions, what, kind string,
	shape func(fields) (*revHeader, *Error)) (*document, *revHeader, *Error) {
	d, err := parseDocument(doc, o.Limit, what, revMembers)
	if err != nil {
		return nil, nil, err
	}
	if err := d.requireSignature(); err != nil {
		return nil, nil, err
	}
	h, err := shape(d.fields)
	if err != nil {
		return nil, nil, d.fields.spMissing(err, kind)
	}
	key, form, err := d.verifySignature(keys, h.kid, h.hasKID, h.issuedAt)
	if err != nil {
		return nil, nil, err
	}
	h.kid, h.form = key.KID, form
	return d, h, nil
}

// readHeader reads the members a set and a delta share. The epoch comes
// first, so that a document of another kind is told apart at once.
func readHeader(f fields) (*revHeader, *Error) {
	h := &revHeader{}
	var err *Error
	if h.epoch, err = f.spEpoch("epoch"); err != nil {
		return nil, err
	}
	if h.issuedAt, _, err = f.time("issued_at", true); err != nil {
		return nil, err
	}
	if h.validUntil, _, err = f.time("valid_until", true); err != nil {
		return nil, err
	}
	// issuer_kid is optional in sets and deltas alike: without it every
	// key of the ring is tried.
	if h.kid, h.hasKID, err = f.optStr("issuer_kid"); err != nil {
		return nil, err
	}
	if _, _, err := f.spArray("suspended", false); err != nil {
		return nil, err
	}
	return h, nil
}

// readSetShape is the shape check of a full set. The elements of its lists
// are read after the signature, in the one pass that builds the lookup
// tables, so that only an authentic set costs that work.
func readSetShape(f fields) (*revHeader, *Error) {
	h, err := readHeader(f)
	if err != nil {
		return nil, err
	}
	if _, _, err := f.spArray("revoked_ids", true); err != nil {
		return nil, err
	}
	return h, nil
}

// readSetLists builds the lookup tables of a full set. The table of
// revoked ids points into the text of revoked_ids, a sub-slice of the
// document's canonical form, which the set keeps instead of a copy.
func readSetLists(f fields) (*revBase, *Error) {
	raw, _, _ := f.spArray("revoked_ids", true)
	b := &revBase{revoked: newIDTable(raw, countElements(raw))}
	err := scanIDs(raw, "revoked_ids", func(_, off int, id []byte, escaped bool) *Error {
		if !b.revoked.add(off, id, escaped) {
			return fail(CodeInvalidField, "revoked_ids lists %q twice", truncate(string(id)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.suspended = map[string]time.Time{}
	err = eachSuspension(f, func(i int, id string, until time.Time) *Error {
		if _, dup := b.suspended[id]; dup {
			return fail(CodeInvalidField, "suspended lists %q twice", truncate(id))
		}
		if b.revoked.has(id) {
			return fail(CodeInvalidField, "%q is both revoked and suspended", truncate(id))
		}
		b.suspended[id] = until
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// eachSuspension calls fn for every entry of an optional suspended member:
// {"license_id": non-empty string, "until": RFC 3339}. Unknown members of
// an entry are ignored, as everywhere.
func eachSuspension(f fields, fn func(i int, id string, until time.Time) *Error) *Error {
	raw, ok, _ := f.spArray("suspended", false)
	if !ok {
		return nil
	}
	list, ok := jsontext.Array(raw)
	if !ok {
		return fail(CodeInvalidField, "suspended is not an array")
	}
	for i, r := range list {
		what := msg.Sprintf("suspended[%d]", i)
		if len(r) == 0 || r[0] != '{' {
			return fail(CodeInvalidField, "%s is not an object", what)
		}
		e, err := canonicalFields(r, what)
		if err != nil {
			return err
		}
		id, err := e.nonEmpty("license_id")
		if err != nil {
			err.Message = what + "." + err.Message
			return err
		}
		until, _, err := e.time("until", true)
		if err != nil {
			err.Message = what + "." + err.Message
			return err
		}
		if err := fn(i, id, until); err != nil {
			return err
		}
	}
	return nil
}

// countElements counts the elements of a canonical JSON array of strings,
// to size a table once; it may overcount for other arrays, never
// undercount.
func countElements(raw []byte) int {
	if len(raw) <= 2 {
		return 0
	}
	n := 1
	for i := 1; i < len(raw)-1; i++ {
		switch raw[i] {
		case '"':
			if i = jsontext.StringEnd(raw, i+1); i < 0 {
				return n
			}
		case ',':
			n++
		}
	}
	return n
}

// eachID calls fn for every element of raw, the canonical JSON text of an
// array that must hold non-empty strings. It slices the ids out of one
// string instead of allocating each, which matters for deltas of many
// ids.
func eachID(raw []byte, what string, fn func(i int, id string) *Error) *Error {
	s := string(raw)
	return scanIDs(raw, what, func(i, off int, id []byte, escaped bool) *Error {
		if escaped {
			return fn(i, string(id))
		}
		return fn(i, s[off:off+len(id)])
	})
}
