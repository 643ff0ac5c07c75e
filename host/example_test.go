package host_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"time"

	"github.com/licverify/licverify/host"
	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

// One Verifier per process; its methods answer what package verify
// answers, computed by the WebAssembly module every runtime shares.
func Example() {
	ctx := context.Background()
	v, err := host.New(ctx, host.Options{NoDiskCache: true})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close(ctx)

	canon, err := v.Canonicalize(ctx, []byte(`{"b": [1.0, 2e1], "a": "\u00e9"}`), 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(canon))

	fp, err := v.Fingerprint(ctx, []byte(`{"machine_id": "4c4c4544", "hostname": "build-01"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fp.MachineID)

	_, err = v.Canonicalize(ctx, []byte(`{"a": 1, "a": 2}`), 0)
	fmt.Println(err)
	// Output:
	// {"a":"é","b":[1,20]}
	// 8578c127c5a3bac28e9d083b44d9c7a6
	// canonical: duplicate member name "a" at byte 9
}

// Verifying a status proof through the module. New keeps the compiled
// module in the user's cache directory, so only the first process on a
// machine pays for compiling it (a few seconds, answering from wazero's
// interpreter meanwhile); later processes start in about 0.12 s
// (bench/results.md).
func ExampleVerifier_StatusProof() {
	ctx := context.Background()
	v, err := host.New(ctx, host.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close(ctx)

	// The keyring comes from the application's configuration, the proof
	// from the issuer's API, now from a clock the host trusts.
	keys, err := verify.ParseKeyring([]byte(`[
		{"alg":"ed25519","kid":"ql-api-v2","public_key":"MYwV3tJvv2DDE3xpUMk2YkzfGN9OPKpu9Z2Z6wuYgAk="},
		{"alg":"ed25519","kid":"ql-api-v1","public_key":"GMMqNnWOZmm9/z8UUcy2EU7dRVng2Mx6Un/ctmvlOjA="}]`))
	if err != nil {
		log.Fatal(err)
	}
	proof := []byte(`{"checked_at":"2025-12-30T15:30:00Z","entitlements":["feature:api","feature:export","seats:max"],` +
		`"issuer_kid":"ql-api-v2","license_id":"b28a923a-c747-49b2-bc90-d87004c10379","revocation_epoch":42,` +
		`"signature":"jY5TZYPSI+yCHl5ny7mkKR8P6/kxHcQZVcnpjT2no/urf3e8IU04MZxt9jSBtCJRJGFgjGhQ0NnjBs4Zj7YOCQ==",` +
		`"status":"valid","valid_until":"2026-01-01T15:30:00Z"}`)
	now := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

	res, err := v.StatusProof(ctx, proof, keys, verify.StatusProofOptions{Now: now, MinEpoch: 40})
	if err != nil {
		log.Fatal(err) // misuse or a module failure, never a verdict
	}
	fmt.Println(res.Valid, res.Code, res.LicenseID)
	fmt.Println("refresh after", res.RefreshAfter.Format(time.RFC3339), "then store epoch", *res.StoreEpoch)

	// One changed byte: never valid.
	forged := bytes.Replace(proof, []byte(`"seats:max"`), []byte(`"seats:9ax"`), 1)
	res, err = v.StatusProof(ctx, forged, keys, verify.StatusProofOptions{Now: now})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Valid, res.Code)
	// Output:
	// true ok b28a923a-c747-49b2-bc90-d87004c10379
	// refresh after 2026-01-01T03:30:00Z then store epoch 42
	// false bad_signature
}

// A session keeps a license's status proof and revocation set in a store
// directory, fetching each when the module's plan says it is due, and
// answers offline from the store when the issuer is out of reach. Here the
// issuer is the test issuer, whose clock stands still at its start.
func ExampleSession() {
	ctx := context.Background()
	issuer := httptest.NewServer(testissuer.New())
	defer issuer.Close()
	dir, err := os.MkdirTemp("", "licverify-session")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	v, err := host.New(ctx, host.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close(ctx)

	keys, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	if err != nil {
		log.Fatal(err)
	}
	s, err := host.NewSession(v, host.SessionConfig{
		Keys: keys, LicenseID: testissuer.LicenseID, Fingerprint: []byte(testissuer.Fingerprint),
		Dir:       dir,
		Transport: &host.HTTPTransport{BaseURL: issuer.URL, APIKey: testissuer.APIKey},
		Clock:     func() time.Time { return testissuer.Start },
	})
	if err != nil {
		log.Fatal(err)
	}
	rep, err := s.Check(ctx) // an error is misuse or a store that fails, never a verdict
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Valid, rep.Code, rep.Claims.Entitlements, "proof", rep.Proof, "set", rep.Set, "epoch", rep.StoredEpoch)
	fmt.Println("next fetch", rep.NextAt.Format(time.RFC3339))

	// Nothing is due yet: the answer comes from the store.
	rep, err = s.Check(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Valid, rep.Code, "proof", rep.Proof, "set", rep.Set)
	// Output:
	// true ok [feature:api feature:export] proof accepted set accepted epoch 1
	// next fetch 2026-03-01T00:05:00Z
	// true ok proof none set none
}

// The lifecycle ops by themselves: plan says what holds and what to fetch
// when, accept whether a fetched document replaces the cached one. A
// session does exactly this, and reads and writes its store around it.
func ExampleVerifier_Plan() {
	ctx := context.Background()
	issuer := httptest.NewServer(testissuer.New())
	defer issuer.Close()
	v, err := host.New(ctx, host.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close(ctx)
	keys, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	if err != nil {
		log.Fatal(err)
	}
	now := testissuer.Start // the test issuer's clock

	plan, err := v.Plan(ctx, verify.Cache{}, keys, verify.PlanOptions{Now: now, LicenseID: testissuer.LicenseID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Code, plan.RefreshProof.Reason, plan.SyncSet.Reason)

	tr := &host.HTTPTransport{BaseURL: issuer.URL, APIKey: testissuer.APIKey}
	proof, err := tr.FetchProof(ctx, host.ProofRequest{LicenseID: testissuer.LicenseID, TTLHours: 24})
	if err != nil {
		log.Fatal(err)
	}
	acc, err := v.Accept(ctx, verify.AcceptProof, proof, verify.Cache{}, keys, verify.AcceptOptions{Now: now, LicenseID: testissuer.LicenseID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(acc.Accept, acc.Persist, *acc.StoreEpoch)

	plan, err = v.Plan(ctx, verify.Cache{Proof: proof}, keys, verify.PlanOptions{Now: now, LicenseID: testissuer.LicenseID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Code, plan.RefreshProof.Reason, plan.RefreshProof.At.Format(time.RFC3339))
	// Output:
	// proof_missing missing missing
	// true proof 1
	// ok refresh_point 2026-03-01T18:00:00Z
}
