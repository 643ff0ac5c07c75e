package verify_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/licverify/licverify/verify"
)

// FuzzRevocationSet: no set or delta panics; a valid set is independently
// seen to be signed by the ring, and every id it lists looks up as revoked;
// a valid delta is signed too, and its added and removed ids look up as it
// says.
func FuzzRevocationSet(f *testing.F) {
	vectors := fuzzVectors(f, "revocation")
	var keys string
	seeds := 0
	for _, v := range vectors {
		if v.ID == "revocation/valid" {
			keys = v.Request.Keys
		}
		now, err := time.Parse(time.RFC3339, v.Request.Now)
		if err != nil {
			continue // a vector of a refused request
		}
		delta := ""
		if len(v.Request.Deltas) > 0 {
			delta = v.Request.Deltas[0]
		}
		f.Add([]byte(v.Request.Set), []byte(delta), now.Unix())
		seeds++
	}
	if seeds == 0 || keys == "" {
		f.Fatal("no seeds loaded from testvectors/revocation.json")
	}
	ring, err := verify.ParseKeyring([]byte(keys))
	if err != nil {
		f.Fatal(err)
	}
	// The valid paths of the target must be reachable from the seeds.
	for _, v := range vectors {
		if v.ID != "revocation/delta-one" {
			continue
		}
		now, _ := time.Parse(time.RFC3339, v.Request.Now)
		opts := verify.RevocationOptions{Now: now, AllowStale: true}
		res, err := verify.RevocationSet([]byte(v.Request.Set), ring, opts)
		if err != nil || !res.Valid {
			f.Fatalf("the valid seed set does not verify: %v %+v", err, res)
		}
		if next, err := res.Set.ApplyDelta([]byte(v.Request.Deltas[0]), ring, opts); err != nil || !next.Valid {
			f.Fatalf("the valid seed delta does not apply: %v %+v", err, next)
		}
		seeds = -seeds
	}
	if seeds >= 0 {
		f.Fatal("revocation/delta-one is not among the vectors")
	}
	f.Fuzz(func(t *testing.T, set, delta []byte, now int64) {
		at := time.Unix(now%(1<<40), 0)
		opts := verify.RevocationOptions{Now: at, AllowStale: true}
		res, err := verify.RevocationSet(set, ring, opts)
		if err != nil {
			t.Fatalf("error for input, not misuse: %v", err)
		}
		if res.Valid != (res.Code == verify.CodeOK) || res.Valid != (res.Set != nil) {
			t.Fatalf("inconsistent result %+v", res.Result)
		}
		if !res.Valid {
			return
		}
		members := fuzzSigned(t, set, ring, res.KID)
		var ids []string
		if err := json.Unmarshal(members["revoked_ids"], &ids); err != nil {
			t.Fatalf("valid set whose revoked_ids are not strings: %s", members["revoked_ids"])
		}
		for _, id := range ids {
			if got := res.Set.Lookup(id, at); got.Status != verify.LookupRevoked {
				t.Fatalf("listed id %q looks up as %s", id, got.Status)
			}
		}
		if len(delta) == 0 {
			return
		}
		next, err := res.Set.ApplyDelta(delta, ring, opts)
		if err != nil {
			t.Fatalf("error for a delta, not misuse: %v", err)
		}
		if !next.Valid {
			return
		}
		dm := fuzzSigned(t, delta, ring, next.KID)
		var added, removed []string
		if json.Unmarshal(dm["added"], &added) != nil || json.Unmarshal(dm["removed"], &removed) != nil {
			t.Fatalf("valid delta whose lists are not strings: %s", delta)
		}
		for _, id := range added {
			if got := next.Set.Lookup(id, at); got.Status != verify.LookupRevoked {
				t.Fatalf("added id %q looks up as %s", id, got.Status)
			}
		}
		for _, id := range removed {
			if got := next.Set.Lookup(id, at); got.Status != verify.LookupNotRevoked {
				t.Fatalf("removed id %q looks up as %s", id, got.Status)
			}
		}
	})
}
