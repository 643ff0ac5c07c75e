package api

import (
	"time"

	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
)

func init() {
	register("revocation_set", func(r *request) (encoded, error) {
		res, err := revocationSet(r)
		return respond(err, func(w *jsontext.Writer) { appendRevocation(w, res, 0) })
	})
}

// revocationResponse is a set result with the lookups asked for.
type revocationResponse struct {
	*verify.RevocationSetResult
	Lookups []verify.LookupResult `json:"lookups,omitempty"`
}

// revocationSet is verify.RevocationSet on the set part, then
// VerifiedSet.ApplyDelta for each deltas part in order, then a lookup of
// each id of lookup at now.
func revocationSet(r *request) (revocationResponse, error) {
	res, err := loadRevocation(r)
	if err != nil {
		return revocationResponse{}, err
	}
	out := revocationResponse{RevocationSetResult: res}
	if res.Valid && r.has("lookup") {
		out.Lookups = lookups(res.Set, r.strs("lookup"), r.time("now"))
	}
	return out, nil
}

// revocationOptions reads the options shared by the revocation ops.
func revocationOptions(r *request) verify.RevocationOptions {
	return verify.RevocationOptions{
		Now:        r.time("now"),
		AllowStale: r.flag("allow_stale"),
		MinEpoch:   r.int("min_epoch"),
		Skew:       r.skew(),
		Limit:      int(r.int("limit")),
	}
}

// loadRevocation verifies the request's set and applies its deltas. The
// result is that of the first document rejected, or of the last one.
func loadRevocation(r *request) (*verify.RevocationSetResult, error) {
	opts := revocationOptions(r)
	ring, err := r.keys()
	if err != nil {
		return nil, err
	}
	// Rollback and freshness are decided on where the chain ends.
	res, err := verify.RevocationChain(r.part("set"), r.parts["deltas"], ring, opts)
	if err != nil {
		return nil, misuseError(err)
	}
	return res, nil
}

// lookups looks each id up in set at now.
func lookups(set *verify.VerifiedSet, ids []string, now time.Time) []verify.LookupResult {
	out := make([]verify.LookupResult, len(ids))
	for i, id := range ids {
		out[i] = set.Lookup(id, now)
	}
	return out
}
