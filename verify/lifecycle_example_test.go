package verify_test

import (
	"fmt"
	"time"

	"github.com/licverify/licverify/verify"
)

func ExamplePlan() {
	priv, ring := statusIssuer()
	proof := issue(priv, `{"license_id":"b28a923a","status":"valid","checked_at":"2026-03-01T00:00:00Z",
		"valid_until":"2026-03-02T00:00:00Z","revocation_epoch":42,"issuer_kid":"ql-api-v2"}`)
	set := issue(priv, `{"epoch":42,"issued_at":"2026-03-01T11:55:00Z","valid_until":"2026-03-01T12:55:00Z",
		"revoked_ids":["a1b2c3d4"],"issuer_kid":"ql-api-v2"}`)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	// What the host cached, its stored epoch and when it last synced.
	cache := verify.Cache{Proof: proof, Set: set}
	res, err := verify.Plan(cache, ring, verify.PlanOptions{Now: now, LicenseID: "b28a923a",
		SyncedAt: now.Add(-2 * time.Minute), MinEpoch: 42})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Code, "store", *res.StoreEpoch)
	// The proof at 75 % of its 24 hours; a delta since 42 after 300 s.
	fmt.Println("proof:", res.RefreshProof.Reason, res.RefreshProof.At.Format(time.TimeOnly))
	fmt.Println("set:", res.SyncSet.Reason, res.SyncSet.At.Format(time.TimeOnly), "since", *res.SyncSet.SinceEpoch)

	// Nothing cached: both fetches are due now.
	res, _ = verify.Plan(verify.Cache{}, ring, verify.PlanOptions{Now: now})
	fmt.Println(res.Code, res.RefreshProof.Reason, res.SyncSet.Reason, res.NextAt.Equal(now))

	// Three failed proof fetches, the last a minute ago: 30 s × 2² later.
	res, _ = verify.Plan(verify.Cache{}, ring, verify.PlanOptions{Now: now,
		ProofFailures: 3, ProofFailedAt: now.Add(-time.Minute)})
	fmt.Println(res.RefreshProof.Reason, res.RefreshProof.At.Format(time.TimeOnly))
	// Output:
	// ok store 42
	// proof: refresh_point 18:00:00
	// set: interval 12:03:00 since 42
	// proof_missing missing missing true
	// backoff 12:01:00
}

func ExampleAccept() {
	priv, ring := statusIssuer()
	cached := issue(priv, `{"license_id":"b28a923a","status":"valid","checked_at":"2026-03-01T06:00:00Z",
		"valid_until":"2026-03-02T06:00:00Z","revocation_epoch":42,"issuer_kid":"ql-api-v2"}`)
	older := issue(priv, `{"license_id":"b28a923a","status":"valid","checked_at":"2026-03-01T00:00:00Z",
		"valid_until":"2026-03-02T00:00:00Z","revocation_epoch":42,"issuer_kid":"ql-api-v2"}`)
	revoked := issue(priv, `{"license_id":"b28a923a","status":"revoked","checked_at":"2026-03-01T11:00:00Z",
		"valid_until":"2026-03-02T11:00:00Z","revocation_epoch":43,"issuer_kid":"ql-api-v2"}`)
	opts := verify.AcceptOptions{Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), LicenseID: "b28a923a", MinEpoch: 42}
	cache := verify.Cache{Proof: cached}

	// An older proof, replayed, does not replace the cached one...
	res, _ := verify.Accept(verify.AcceptProof, older, cache, ring, opts)
	fmt.Println(res.Accept, res.Code)
	// ...and a genuine revoked one does, with the epoch to store.
	res, _ = verify.Accept(verify.AcceptProof, revoked, cache, ring, opts)
	fmt.Println(res.Accept, res.Persist, res.Code, *res.StoreEpoch)

	// A delta needs a cached set it chains onto.
	delta := issue(priv, `{"epoch":43,"since_epoch":42,"added":["b28a923a"],"removed":[],
		"issued_at":"2026-03-01T11:58:00Z","valid_until":"2026-03-01T12:58:00Z","issuer_kid":"ql-api-v2"}`)
	res, _ = verify.Accept(verify.AcceptRevocation, delta, cache, ring, opts)
	fmt.Println(res.Accept, res.Code)
	// Output:
	// false not_newer
	// true proof revoked 43
	// false delta_base_mismatch
}
