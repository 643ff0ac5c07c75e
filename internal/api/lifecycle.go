package api

import (
	"time"

	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
)

func init() {
	register("plan", func(r *request) (encoded, error) {
		res, err := plan(r)
		return respond(err, func(w *jsontext.Writer) { appendPlan(w, res) })
	})
	register("accept", func(r *request) (encoded, error) {
		res, err := accept(r)
		return respond(err, func(w *jsontext.Writer) { appendAccept(w, res) })
	})
}

// planResponse is verify.PlanResult as the plan op answers it: its proof
// and set members are the status_proof and revocation_set answers for the
// same members.
type planResponse struct {
	verify.Result
	Proof        *verify.StatusProofResult `json:"proof,omitempty"`
	Set          *revocationResponse       `json:"set,omitempty"`
	StoreEpoch   *int64                    `json:"store_epoch,omitempty"`
	RefreshProof verify.Fetch              `json:"refresh_proof"`
	SyncSet      verify.Fetch              `json:"sync_set"`
	NextAt       time.Time                 `json:"next_at"`
}

// acceptResponse is verify.AcceptResult as the accept op answers it; its
// result member is the fetched document's result, written as
// status_proof or revocation_set writes it.
type acceptResponse struct {
	verify.Result
	Accept     bool   `json:"accept"`
	Persist    string `json:"persist,omitempty"`
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
	proof      *verify.StatusProofResult
	set        *verify.RevocationSetResult
}

// cache reads the cached documents: each present part, even empty, is a
// document to verify.
func (r *request) cache() verify.Cache {
	c := verify.Cache{Deltas: r.parts["deltas"]}
	if p := r.parts["proof"]; len(p) > 0 {
		c.Proof = nonNil(p[0])
	}
	if p := r.parts["set"]; len(p) > 0 {
		c.Set = nonNil(p[0])
	}
	return c
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func plan(r *request) (planResponse, error) {
	ring, err := r.keys()
	if err != nil {
		return planResponse{}, err
	}
	res, err := verify.Plan(r.cache(), ring, verify.PlanOptions{
		Now:            r.time("now"),
		LicenseID:      r.str("license_id"),
		Fingerprint:    r.part("fingerprint"),
		MaxTTL:         r.seconds("max_ttl_seconds"),
		Skew:           r.skew(),
		MinEpoch:       r.int("min_epoch"),
		SyncedAt:       r.time("synced_at"),
		ProofFailures:  int(r.int("proof_failures")),
		ProofFailedAt:  r.time("proof_failed_at"),
		SetFailures:    int(r.int("set_failures")),
		SetFailedAt:    r.time("set_failed_at"),
		RefreshPercent: int(r.int("refresh_percent")),
		SyncInterval:   r.seconds("sync_interval_seconds"),
		Backoff:        r.seconds("backoff_seconds"),
		BackoffMax:     r.seconds("backoff_max_seconds"),
		MaxDeltas:      int(r.int("max_deltas")),
	})
	if err != nil {
		return planResponse{}, misuseError(err)
	}
	out := planResponse{Result: res.Result, Proof: res.Proof, StoreEpoch: res.StoreEpoch,
		RefreshProof: res.RefreshProof, SyncSet: res.SyncSet, NextAt: res.NextAt}
	if res.Set != nil {
		// revocation_set with lookup of the proof's license id.
		out.Set = &revocationResponse{RevocationSetResult: res.Set}
		if res.Set.Valid && res.Lookup != nil {
			out.Set.Lookups = []verify.LookupResult{*res.Lookup}
		}
	}
	return out, nil
}

func accept(r *request) (acceptResponse, error) {
	ring, err := r.keys()
	if err != nil {
		return acceptResponse{}, err
	}
	// An unknown kind is misuse, a bad request.
	res, err := verify.Accept(verify.AcceptKind(r.str("kind")), r.part("fetched"), r.cache(), ring, verify.AcceptOptions{
		Now:         r.time("now"),
		LicenseID:   r.str("license_id"),
		Fingerprint: r.part("fingerprint"),
		MinEpoch:    r.int("min_epoch"),
		MaxTTL:      r.seconds("max_ttl_seconds"),
		Skew:        r.skew(),
		MaxDeltas:   int(r.int("max_deltas")),
	})
	if err != nil {
		return acceptResponse{}, misuseError(err)
	}
	return acceptResponse{Result: res.Result, Accept: res.Accept, Persist: res.Persist, StoreEpoch: res.StoreEpoch,
		proof: res.Proof, set: res.Set}, nil
}

func appendPlan(w *jsontext.Writer, r planResponse) {
	w.Raw("{")
	appendResult(w, r.Result)
	if r.Proof != nil {
		w.Raw(`,"proof":`)
		appendStatusProof(w, r.Proof)
	}
	if r.Set != nil {
		w.Raw(`,"set":`)
		appendRevocation(w, *r.Set, 0)
	}
	if r.StoreEpoch != nil {
		w.Raw(`,"store_epoch":`)
		w.Int(*r.StoreEpoch)
	}
	w.Raw(`,"refresh_proof":`)
	appendFetch(w, r.RefreshProof)
	w.Raw(`,"sync_set":`)
	appendFetch(w, r.SyncSet)
	w.Raw(`,"next_at":`)
	w.Time(r.NextAt)
	w.Raw("}")
}

func appendFetch(w *jsontext.Writer, f verify.Fetch) {
	w.Raw(`{"at":`)
	w.Time(f.At)
	w.Raw(`,"reason":`)
	w.String(f.Reason)
	if f.SinceEpoch != nil {
		w.Raw(`,"since_epoch":`)
		w.Int(*f.SinceEpoch)
	}
	w.Raw("}")
}

func appendAccept(w *jsontext.Writer, r acceptResponse) {
	w.Raw("{")
	appendResult(w, r.Result)
	w.Raw(`,"accept":`)
	w.Bool(r.Accept)
	if r.Persist != "" {
		w.Raw(`,"persist":`)
		w.String(r.Persist)
	}
	if r.StoreEpoch != nil {
		w.Raw(`,"store_epoch":`)
		w.Int(*r.StoreEpoch)
	}
	switch {
	case r.proof != nil:
		w.Raw(`,"result":`)
		appendStatusProof(w, r.proof)
	case r.set != nil:
		w.Raw(`,"result":`)
		appendRevocation(w, revocationResponse{RevocationSetResult: r.set}, 0)
	}
	w.Raw("}")
}
