package api

import (
	"strconv"
	"sync"

	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/internal/timefmt"
	"github.com/licverify/licverify/verify"
)

// The stateful revocation ops let a host verify a set once and look ids up
// many times without sending it again: revocation_load keeps the verified
// set under a handle, revocation_lookup reads it in O(1) per id,
// revocation_apply moves it forward with deltas, and revocation_free drops
// it. State lives in the module instance (or, natively, the process) that
// loaded it: a handle means nothing to another instance.
func init() {
	register("revocation_load", loadHandler(revocationLoad))
	register("revocation_lookup", func(r *request) (encoded, error) {
		res, err := revocationLookup(r)
		return respond(err, func(w *jsontext.Writer) { appendLookupResponse(w, res) })
	})
	register("revocation_apply", func(r *request) (encoded, error) {
		res, err := revocationApply(r)
		return respond(err, func(w *jsontext.Writer) { appendRevocation(w, res.revocationResponse, res.Handle) })
	})
	register("revocation_free", func(r *request) (encoded, error) {
		res, err := revocationFree(r)
		return respond(err, func(w *jsontext.Writer) { appendResultObject(w, res) })
	})
}

// MaxLoadedSets bounds the sets held at once, so that a host that forgets
// to free cannot grow memory without bound.
const MaxLoadedSets = 64

// loadedSet is a verified set held under a handle, with the allow_stale
// choice it was loaded with (later lookups honour it).
type loadedSet struct {
	set        *verify.VerifiedSet
	allowStale bool
}

var (
	loadedMu   sync.Mutex
	loaded     = map[int64]*loadedSet{}
	lastHandle int64
)

// revocationLoadResponse is a revocation_set response plus the handle of
// the set, present only when the set is valid.
type revocationLoadResponse struct {
	revocationResponse
	Handle int64 `json:"handle,omitempty"`
}

// loadHandler is the handler of revocation_load's h: its answer, when it
// cannot be delivered, frees the handle (the host never learns it).
func loadHandler(h func(*request) (*revocationLoadResponse, error)) handler {
	return func(r *request) (encoded, error) {
		out, err := h(r)
		a, err := respond(err, func(w *jsontext.Writer) { appendRevocation(w, out.revocationResponse, out.Handle) })
		if err == nil {
			a.undo = out.undo
		}
		return a, err
	}
}

func revocationLoad(r *request) (*revocationLoadResponse, error) {
	res, err := loadRevocation(r)
	if err != nil {
		return nil, err
	}
	out := &revocationLoadResponse{revocationResponse: revocationResponse{RevocationSetResult: res}}
	if !res.Valid {
		return out, nil
	}
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if len(loaded) >= MaxLoadedSets {
		return nil, badRequest("%d revocation sets are loaded; free one first", len(loaded))
	}
	lastHandle++
	loaded[lastHandle] = &loadedSet{set: res.Set, allowStale: r.flag("allow_stale")}
	out.Handle = lastHandle
	if r.has("lookup") {
		out.Lookups = lookups(res.Set, r.strs("lookup"), r.time("now"))
	}
	return out, nil
}

// undo frees the handle of a load whose answer could not be delivered.
func (o *revocationLoadResponse) undo() {
	if o.Handle == 0 {
		return
	}
	loadedMu.Lock()
	delete(loaded, o.Handle)
	loadedMu.Unlock()
}

// handleSet returns the set under a request's handle.
func handleSet(h int64) (*loadedSet, error) {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	s, ok := loaded[h]
	if !ok {
		return nil, badRequest("no revocation set is loaded under handle %d", h)
	}
	return s, nil
}

// revocationLookupResponse answers revocation_lookup. A set that has gone
// stale since it was loaded answers set_expired with no lookups, unless it
// was loaded with allow_stale.
type revocationLookupResponse struct {
	verify.Result
	Epoch   int64                 `json:"epoch"`
	Stale   bool                  `json:"stale,omitempty"`
	Lookups []verify.LookupResult `json:"lookups,omitzero"`
}

func revocationLookup(r *request) (revocationLookupResponse, error) {
	now, ids := r.time("now"), r.strs("ids")
	s, err := handleSet(r.int("handle"))
	if err != nil {
		return revocationLookupResponse{}, err
	}
	out := revocationLookupResponse{Epoch: s.set.Epoch()}
	if s.set.Expired(now) {
		if !s.allowStale {
			out.Result = verify.Result{Code: verify.CodeSetExpired, Message: "the revocation set expired at " + timefmt.RFC3339(s.set.ValidUntil().UTC(), false) + "; load a fresh one"}
			return out, nil
		}
		out.Stale = true
	}
	out.Result = verify.Result{Valid: true, Code: verify.CodeOK, Message: strconv.Itoa(len(ids)) + " ids looked up"}
	out.Lookups = lookups(s.set, ids, now)
	return out, nil
}

// revocationApply applies deltas, in order, to the set under a handle. On
// success the handle holds the new set; on a rejection it keeps the set it
// had, and the result is the rejected delta's (its message names the
// delta, as revocation_set's does).
func revocationApply(r *request) (revocationApplyResponse, error) {
	opts := revocationOptions(r)
	h := r.int("handle")
	s, err := handleSet(h)
	if err != nil {
		return revocationApplyResponse{}, err
	}
	ring, err := r.keys()
	if err != nil {
		return revocationApplyResponse{}, err
	}
	res, err := s.set.ApplyDeltas(r.parts["deltas"], ring, opts)
	if err != nil {
		return revocationApplyResponse{}, misuseError(err)
	}
	if !res.Valid {
		// No handle in the answer: the set under it is unchanged.
		return revocationApplyResponse{revocationResponse: revocationResponse{RevocationSetResult: res}}, nil
	}
	set := res.Set
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if loaded[h] != s {
		return revocationApplyResponse{}, badRequest("handle %d was freed or replaced during the call", h)
	}
	loaded[h] = &loadedSet{set: set, allowStale: opts.AllowStale}
	// The handle is the caller's already: an answer that cannot be
	// delivered must not free it, so this result has no undo.
	return revocationApplyResponse{revocationResponse: revocationResponse{RevocationSetResult: res}, Handle: h}, nil
}

// revocationApplyResponse is revocation_apply's answer, with the handle
// on success.
type revocationApplyResponse struct {
	revocationResponse
	Handle int64 `json:"handle,omitempty"`
}

func revocationFree(r *request) (verify.Result, error) {
	h := r.int("handle")
	if _, err := handleSet(h); err != nil {
		return verify.Result{}, err
	}
	loadedMu.Lock()
	delete(loaded, h)
	loadedMu.Unlock()
	return verify.Result{Valid: true, Code: verify.CodeOK, Message: "revocation set freed"}, nil
}

// MaxLookups bounds the ids of one request (lookup, ids; the table's
// max_items): each answer is several times the size of its id, and a
// request of empty ids would otherwise make a response (and module memory)
// many times the request limit.
const MaxLookups = 1 << 16
