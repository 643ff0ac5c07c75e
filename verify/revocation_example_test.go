package verify_test

import (
	"fmt"
	"time"

	"github.com/licverify/licverify/verify"
)

func ExampleRevocationSet() {
	priv, ring := statusIssuer()
	set := issue(priv, `{"epoch":42,"issued_at":"2025-12-30T15:30:00Z","valid_until":"2025-12-30T16:30:00Z",
		"revoked_ids":["b28a923a-c747-49b2-bc90-d87004c10379","a1b2c3d4-e5f6-7890-abcd-ef1234567890"],
		"suspended":[{"license_id":"5f0c9d1e","until":"2026-01-15T00:00:00Z"}],"issuer_kid":"ql-api-v2"}`)
	now := time.Date(2025, 12, 30, 16, 0, 0, 0, time.UTC)

	// Verify once...
	res, err := verify.RevocationSet(set, ring, verify.RevocationOptions{Now: now, MinEpoch: 40})
	if err != nil || !res.Valid {
		fmt.Println(err, res.Code)
		return
	}
	fmt.Println(res.Code, "epoch", res.Epoch, "store", *res.StoreEpoch)
	// ...then look up as often as needed.
	for _, id := range []string{"b28a923a-c747-49b2-bc90-d87004c10379", "5f0c9d1e", "0e1f2a3b"} {
		l := res.Set.Lookup(id, now)
		fmt.Println(id, l.Status, l.Until.Format(time.DateOnly))
	}

	// A delta since epoch 42 restores one license and revokes another.
	delta := issue(priv, `{"epoch":43,"since_epoch":42,"added":["0e1f2a3b"],
		"removed":["a1b2c3d4-e5f6-7890-abcd-ef1234567890"],
		"issued_at":"2025-12-30T15:40:00Z","valid_until":"2025-12-30T16:40:00Z","issuer_kid":"ql-api-v2"}`)
	next, err := res.Set.ApplyDelta(delta, ring, verify.RevocationOptions{Now: now})
	if err != nil || !next.Valid {
		fmt.Println(err, next.Code)
		return
	}
	fmt.Println(next.Code, "epoch", next.Epoch, "revoked", next.Revoked)
	fmt.Println(next.Set.Lookup("0e1f2a3b", now).Status, next.Set.Lookup("a1b2c3d4-e5f6-7890-abcd-ef1234567890", now).Status)

	// The same delta again no longer fits the set.
	again, _ := next.Set.ApplyDelta(delta, ring, verify.RevocationOptions{Now: now})
	fmt.Println(again.Code)
	// Output:
	// ok epoch 42 store 42
	// b28a923a-c747-49b2-bc90-d87004c10379 revoked 0001-01-01
	// 5f0c9d1e suspended 2026-01-15
	// 0e1f2a3b not_revoked 0001-01-01
	// ok epoch 43 revoked 2
	// revoked not_revoked
	// delta_base_mismatch
}
