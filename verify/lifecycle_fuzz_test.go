package verify_test

import (
	"testing"
	"time"

	"github.com/licverify/licverify/verify"
)

// FuzzLifecycle: no cache or fetched document makes Plan or Accept fail or
// panic, and their answers keep their shape: a verdict that is valid only
// with ok and a valid proof, fetch times never before now, an epoch to
// store never below the stored one, and a document taken only when it
// verified.
func FuzzLifecycle(f *testing.F) {
	seeds := 0
	var keys string
	for _, v := range fuzzVectors(f, "lifecycle") {
		r := v.Request
		if r.Keys == "" || r.Now == "" {
			continue
		}
		keys = r.Keys
		now, err := time.Parse(time.RFC3339, r.Now)
		if err != nil {
			f.Fatalf("%s: %v", v.ID, err)
		}
		delta := ""
		if len(r.Deltas) > 0 {
			delta = r.Deltas[0]
		}
		f.Add([]byte(r.Proof), []byte(r.Set), []byte(delta), []byte(r.Fetched), r.Kind == "proof", now.Unix(), uint16(0), uint8(3), uint8(75))
		seeds++
	}
	if seeds == 0 {
		f.Fatal("no seeds loaded from testvectors/lifecycle.json")
	}
	ring, err := verify.ParseKeyring([]byte(keys))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, proof, set, delta, fetched []byte, kindProof bool, now int64, minEpoch uint16, failures, percent uint8) {
		at := time.Unix(now%(1<<40), 0).UTC()
		cache := verify.Cache{}
		if len(proof) > 0 {
			cache.Proof = proof
		}
		if len(set) > 0 {
			cache.Set = set
			if len(delta) > 0 {
				cache.Deltas = [][]byte{delta}
			}
		}
		res, err := verify.Plan(cache, ring, verify.PlanOptions{Now: at, MinEpoch: int64(minEpoch),
			ProofFailures: int(failures), ProofFailedAt: at.Add(-time.Minute), SetFailures: int(failures), SetFailedAt: at,
			RefreshPercent: int(percent%100) + 1, SyncedAt: at.Add(-time.Hour)})
		if err != nil {
			t.Fatalf("plan: an error for input, not misuse: %v", err)
		}
		if res.Valid != (res.Code == verify.CodeOK) || res.Message == "" {
			t.Fatalf("plan: inconsistent verdict %+v", res.Result)
		}
		if res.Valid && (res.Proof == nil || !res.Proof.Valid) {
			t.Fatalf("plan: valid without a valid proof: %+v", res.Result)
		}
		if res.Valid && res.Lookup != nil && res.Lookup.Status != verify.LookupNotRevoked {
			t.Fatalf("plan: valid while the set says %s", res.Lookup.Status)
		}
		if res.StoreEpoch != nil && *res.StoreEpoch < int64(minEpoch) {
			t.Fatalf("plan: store epoch %d below the stored %d", *res.StoreEpoch, minEpoch)
		}
		for _, fetch := range []verify.Fetch{res.RefreshProof, res.SyncSet} {
			if fetch.At.Before(at) || fetch.Reason == "" || res.NextAt.After(fetch.At) {
				t.Fatalf("plan: fetch %+v at %s, next %s", fetch, at, res.NextAt)
			}
		}
		kind := verify.AcceptRevocation
		if kindProof {
			kind = verify.AcceptProof
		}
		acc, err := verify.Accept(kind, fetched, cache, ring, verify.AcceptOptions{Now: at, MinEpoch: int64(minEpoch), MaxDeltas: 2})
		if err != nil {
			t.Fatalf("accept: an error for input, not misuse: %v", err)
		}
		if acc.Valid != (acc.Code == verify.CodeOK) || acc.Message == "" {
			t.Fatalf("accept: inconsistent verdict %+v", acc.Result)
		}
		if acc.Accept != (acc.Persist != "") || acc.Accept != (acc.StoreEpoch != nil) {
			t.Fatalf("accept: %v with persist %q and store epoch %v", acc.Accept, acc.Persist, acc.StoreEpoch)
		}
		if !acc.Accept {
			return
		}
		if *acc.StoreEpoch < int64(minEpoch) {
			t.Fatalf("accept: store epoch %d below the stored %d", *acc.StoreEpoch, minEpoch)
		}
		switch kind {
		case verify.AcceptProof:
			if c := acc.Proof.Code; acc.Persist != verify.PersistProof ||
				(c != verify.CodeOK && c != verify.CodeRevoked && c != verify.CodeExpired) {
				t.Fatalf("accept: took a proof answered %s as %q", c, acc.Persist)
			}
		default:
			if !acc.Set.Valid || acc.Set.Stale || (acc.Persist != verify.PersistSet && acc.Persist != verify.PersistDelta) {
				t.Fatalf("accept: took a revocation answer %+v as %q", acc.Set.Result, acc.Persist)
			}
		}
	})
}
