package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/licverify/licverify/verify"
)

func init() {
	register("revocation_set", revocationSet)
}

// revocationRequest is the revocation_set op: verify.RevocationSet on set,
// then VerifiedSet.ApplyDelta for each of deltas in order, then a lookup of
// each id in lookup at now. set and deltas are JSON text in strings.
type revocationRequest struct {
	Op          string    `json:"op"`
	Keys        *string   `json:"keys"`
	Now         *string   `json:"now"`
	Set         *string   `json:"set"`
	Deltas      []string  `json:"deltas"`
	MinEpoch    *int64    `json:"min_epoch"`
	AllowStale  bool      `json:"allow_stale"`
	SkewSeconds *int64    `json:"skew_seconds"`
	Limit       *int      `json:"limit"`
	Lookup      *[]string `json:"lookup"`
}

// revocationResponse is a set result with the lookups asked for.
type revocationResponse struct {
	*verify.RevocationSetResult
	Lookups []verify.LookupResult `json:"lookups,omitempty"`
}

func revocationSet(raw json.RawMessage) (any, error) {
	var req revocationRequest
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	res, now, err := loadRevocation(&req)
	if err != nil {
		return nil, err
	}
	out := revocationResponse{RevocationSetResult: res}
	if res.Valid && req.Lookup != nil {
		out.Lookups = lookups(res.Set, *req.Lookup, now)
	}
	return out, nil
}

// loadRevocation verifies the request's set and applies its deltas. The
// result is that of the first document rejected, or of the last one.
func loadRevocation(req *revocationRequest) (*verify.RevocationSetResult, time.Time, error) {
	if req.Set == nil {
		return nil, time.Time{}, badRequest("set is required")
	}
	if req.Lookup != nil {
		if err := checkLookups("lookup", *req.Lookup); err != nil {
			return nil, time.Time{}, err
		}
	}
	now, err := parseNow(req.Now)
	if err != nil {
		return nil, now, err
	}
	opts := verify.RevocationOptions{Now: now, AllowStale: req.AllowStale}
	if opts.MinEpoch, err = minEpoch(req.MinEpoch); err != nil {
		return nil, now, err
	}
	if opts.Skew, err = skew(req.SkewSeconds); err != nil {
		return nil, now, err
	}
	if opts.Limit, err = limit(req.Limit); err != nil {
		return nil, now, err
	}
	ring, refused, err := parseKeys(req.Keys)
	if err != nil {
		return nil, now, err
	}
	if refused != nil {
		return &verify.RevocationSetResult{Result: *refused}, now, nil
	}
	res, err := verify.RevocationSet([]byte(*req.Set), ring, opts)
	if err != nil {
		return nil, now, misuseError(err)
	}
	for i, d := range req.Deltas {
		if !res.Valid {
			break
		}
		res, err = res.Set.ApplyDelta([]byte(d), ring, opts)
		if err != nil {
			return nil, now, misuseError(err)
		}
		if !res.Valid {
			res.Message = "delta " + strconv.Itoa(i) + ": " + res.Message
		}
	}
	return res, now, nil
}

// MaxLookups bounds the ids of one request: each answer is several times
// the size of its id, and a request of empty ids would otherwise make a
// response (and module memory) many times the request limit.
const MaxLookups = 1 << 16

// checkLookups refuses more than MaxLookups ids, before any work is done.
func checkLookups(member string, ids []string) error {
	if len(ids) > MaxLookups {
		return badRequest("%s has %d ids, limit is %d per request", member, len(ids), MaxLookups)
	}
	return nil
}

// lookups looks each id up in set at now.
func lookups(set *verify.VerifiedSet, ids []string, now time.Time) []verify.LookupResult {
	out := make([]verify.LookupResult, len(ids))
	for i, id := range ids {
		out[i] = set.Lookup(id, now)
	}
	return out
}
