package api

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/licverify/licverify/verify"
)

// The stateful revocation ops let a host verify a set once and look ids up
// many times without sending it again: revocation_load keeps the verified
// set under a handle, revocation_lookup reads it in O(1) per id,
// revocation_apply moves it forward with deltas, and revocation_free drops
// it. State lives in the module instance (or, natively, the process) that
// loaded it: a handle means nothing to another instance.
func init() {
	register("revocation_load", revocationLoad)
	register("revocation_lookup", revocationLookup)
	register("revocation_apply", revocationApply)
	register("revocation_free", revocationFree)
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

func revocationLoad(raw json.RawMessage) (any, error) {
	var req revocationRequest
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	res, now, err := loadRevocation(&req)
	if err != nil {
		return nil, err
	}
	out := revocationLoadResponse{revocationResponse: revocationResponse{RevocationSetResult: res}}
	if !res.Valid {
		return out, nil
	}
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if len(loaded) >= MaxLoadedSets {
		return nil, badRequest("%d revocation sets are loaded; free one first", len(loaded))
	}
	lastHandle++
	loaded[lastHandle] = &loadedSet{set: res.Set, allowStale: req.AllowStale}
	out.Handle = lastHandle
	if req.Lookup != nil {
		out.Lookups = lookups(res.Set, *req.Lookup, now)
	}
	return out, nil
}

// handleSet returns the set under a request's handle.
func handleSet(h *int64) (*loadedSet, error) {
	if h == nil {
		return nil, badRequest("handle is required")
	}
	loadedMu.Lock()
	defer loadedMu.Unlock()
	s, ok := loaded[*h]
	if !ok {
		return nil, badRequest("no revocation set is loaded under handle %d", *h)
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

func revocationLookup(raw json.RawMessage) (any, error) {
	var req struct {
		Op     string    `json:"op"`
		Handle *int64    `json:"handle"`
		Now    *string   `json:"now"`
		IDs    *[]string `json:"ids"`
	}
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	now, err := parseNow(req.Now)
	if err != nil {
		return nil, err
	}
	if req.IDs == nil {
		return nil, badRequest("ids is required")
	}
	if err := checkLookups("ids", *req.IDs); err != nil {
		return nil, err
	}
	s, err := handleSet(req.Handle)
	if err != nil {
		return nil, err
	}
	out := revocationLookupResponse{Epoch: s.set.Epoch()}
	if s.set.Expired(now) {
		if !s.allowStale {
			out.Result = verify.Result{Code: verify.CodeSetExpired, Message: "the revocation set expired at " + s.set.ValidUntil().UTC().Format(time.RFC3339) + "; load a fresh one"}
			return out, nil
		}
		out.Stale = true
	}
	out.Result = verify.Result{Valid: true, Code: verify.CodeOK, Message: strconv.Itoa(len(*req.IDs)) + " ids looked up"}
	out.Lookups = lookups(s.set, *req.IDs, now)
	return out, nil
}

// revocationApply applies deltas, in order, to the set under a handle. On
// success the handle holds the new set; on a rejection it keeps the set it
// had, and the result is the rejected delta's (its message names the delta
// when there are several).
func revocationApply(raw json.RawMessage) (any, error) {
	var req struct {
		Op          string   `json:"op"`
		Handle      *int64   `json:"handle"`
		Keys        *string  `json:"keys"`
		Now         *string  `json:"now"`
		Deltas      []string `json:"deltas"`
		MinEpoch    *int64   `json:"min_epoch"`
		AllowStale  bool     `json:"allow_stale"`
		SkewSeconds *int64   `json:"skew_seconds"`
		Limit       *int     `json:"limit"`
	}
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	now, err := parseNow(req.Now)
	if err != nil {
		return nil, err
	}
	if len(req.Deltas) == 0 {
		return nil, badRequest("deltas is required")
	}
	opts := verify.RevocationOptions{Now: now, AllowStale: req.AllowStale}
	if opts.MinEpoch, err = minEpoch(req.MinEpoch); err != nil {
		return nil, err
	}
	if opts.Skew, err = skew(req.SkewSeconds); err != nil {
		return nil, err
	}
	if opts.Limit, err = limit(req.Limit); err != nil {
		return nil, err
	}
	s, err := handleSet(req.Handle)
	if err != nil {
		return nil, err
	}
	ring, refused, err := parseKeys(req.Keys)
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return revocationLoadResponse{revocationResponse: revocationResponse{RevocationSetResult: &verify.RevocationSetResult{Result: *refused}}}, nil
	}
	set := s.set
	var res *verify.RevocationSetResult
	for i, d := range req.Deltas {
		res, err = set.ApplyDelta([]byte(d), ring, opts)
		if err != nil {
			return nil, misuseError(err)
		}
		if !res.Valid {
			if len(req.Deltas) > 1 {
				res.Message = "delta " + strconv.Itoa(i) + ": " + res.Message
			}
			return revocationLoadResponse{revocationResponse: revocationResponse{RevocationSetResult: res}}, nil
		}
		set = res.Set
	}
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if loaded[*req.Handle] != s {
		return nil, badRequest("handle %d was freed or replaced during the call", *req.Handle)
	}
	loaded[*req.Handle] = &loadedSet{set: set, allowStale: req.AllowStale}
	return revocationLoadResponse{revocationResponse: revocationResponse{RevocationSetResult: res}, Handle: *req.Handle}, nil
}

func revocationFree(raw json.RawMessage) (any, error) {
	var req struct {
		Op     string `json:"op"`
		Handle *int64 `json:"handle"`
	}
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	if _, err := handleSet(req.Handle); err != nil {
		return nil, err
	}
	loadedMu.Lock()
	delete(loaded, *req.Handle)
	loadedMu.Unlock()
	return verify.Result{Valid: true, Code: verify.CodeOK, Message: "revocation set freed"}, nil
}
