package host

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// vectorArgs reads a vector frame's members as the Go values the typed
// methods take. bad is set when a member has no such value (a string where
// a number belongs, a time Go cannot parse): the typed API cannot send
// that request.
type vectorArgs struct {
	f   parsedFrame
	bad bool
}

func (a *vectorArgs) decode(name string, v any) bool {
	raw, ok := a.f.header[name]
	if ok && json.Unmarshal(raw, v) != nil {
		a.bad = true
	}
	return ok
}

func (a *vectorArgs) str(name string) (s string) { a.decode(name, &s); return }
func (a *vectorArgs) num(name string) (n int64)  { a.decode(name, &n); return }
func (a *vectorArgs) flag(name string) (b bool)  { a.decode(name, &b); return }

func (a *vectorArgs) strs(name string) []string {
	var ss []string
	if a.decode(name, &ss) && ss == nil {
		ss = []string{}
	}
	return ss
}

func (a *vectorArgs) time(name string) time.Time {
	var s string
	if !a.decode(name, &s) {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		a.bad = true
	}
	return t
}

// skew is skew_seconds as verify's Skew: absent is the default (0), 0 is
// no tolerance (negative).
func (a *vectorArgs) skew() time.Duration {
	var n int64
	switch {
	case !a.decode("skew_seconds", &n):
		return 0
	case n == 0:
		return -1
	}
	return time.Duration(n) * time.Second
}

// part is a bytes member, nil when absent (non-nil, maybe empty, when
// present).
func (a *vectorArgs) part(name string) []byte {
	if p := a.f.parts[name]; len(p) > 0 {
		return p[0]
	}
	return nil
}

// seconds is a whole-seconds member as a duration, zero when absent.
func (a *vectorArgs) seconds(name string) time.Duration {
	return time.Duration(a.num(name)) * time.Second
}

// cache is the cached documents of a plan or accept request.
func (a *vectorArgs) cache() verify.Cache {
	return verify.Cache{Proof: a.part("proof"), Set: a.part("set"), Deltas: a.f.parts["deltas"]}
}

func (a *vectorArgs) revocationOptions() RevocationOptions {
	return RevocationOptions{
		RevocationOptions: verify.RevocationOptions{Now: a.time("now"), MinEpoch: a.num("min_epoch"), AllowStale: a.flag("allow_stale"), Skew: a.skew(), Limit: int(a.num("limit"))},
		Deltas:            a.f.parts["deltas"],
		Lookup:            a.strs("lookup"),
	}
}

// typedOutcome is one request through a typed method and through the
// verify function it mirrors.
type typedOutcome struct {
	got, want       any
	gotErr, wantErr error
}

// typedCall sends a vector's request through the typed method of its op,
// and computes the same request natively with package verify. skip says
// why the typed API has no form for it.
func typedCall(t *testing.T, v *Verifier, f parsedFrame) (out typedOutcome, skip string) {
	ctx := context.Background()
	a := &vectorArgs{f: f}
	var ring *verify.Keyring
	if keys := a.part("keys"); keys != nil {
		var err error
		if ring, err = verify.ParseKeyring(keys); err != nil {
			return out, "the keyring is refused, and the typed API takes a parsed one"
		}
	}
	now := a.time("now")
	switch f.op {
	case "canonicalize":
		doc, limit := a.part("document"), int(a.num("limit"))
		if a.bad {
			break
		}
		g, gerr := v.Canonicalize(ctx, doc, limit)
		w, werr := canonical.Transform(doc, limit)
		var ce *canonical.Error
		if errors.As(werr, &ce) {
			werr = &canonical.Error{Code: ce.Code, Offset: -1, Msg: ce.Error()[len("canonical: "):]}
		}
		return typedOutcome{string(g), string(w), gerr, werr}, ""
	case "fingerprint":
		comps := a.part("components")
		g, gerr := v.Fingerprint(ctx, comps)
		w, werr := verify.FingerprintHash(comps)
		return typedOutcome{g, w, gerr, werr}, ""
	case "status_proof":
		opts := verify.StatusProofOptions{Now: now, LicenseID: a.str("license_id"), Fingerprint: a.part("fingerprint"), MinEpoch: a.num("min_epoch"),
			MaxTTL: time.Duration(a.num("max_ttl_seconds")) * time.Second, Skew: a.skew(), Limit: int(a.num("limit"))}
		if a.bad {
			break
		}
		proof := a.part("proof")
		g, gerr := v.StatusProof(ctx, proof, ring, opts)
		w, werr := verify.StatusProof(proof, ring, opts)
		return typedOutcome{g, w, gerr, werr}, ""
	case "revocation_set", "revocation_load":
		opts := a.revocationOptions()
		if a.bad {
			break
		}
		set := a.part("set")
		var g *RevocationResult
		var gerr error
		if f.op == "revocation_set" {
			g, gerr = v.RevocationSetWith(ctx, set, ring, opts)
		} else {
			var s *RevocationSet
			s, g, gerr = v.LoadRevocationSetWith(ctx, set, ring, opts)
			if s != nil {
				s.Close(ctx)
			}
		}
		w, werr := nativeRevocation(set, ring, opts)
		return typedOutcome{g, w, gerr, werr}, ""
	case "license":
		opts := verify.LicenseOptions{Now: now, ProductID: a.str("product_id"), FingerprintHash: a.str("fingerprint_hash"), State: a.part("state"), ReleaseDate: a.time("release_date"), ServerTime: a.time("server_time")}
		if a.bad {
			break
		}
		lic := a.part("license")
		g, gerr := v.License(ctx, lic, ring, opts)
		w, werr := verify.License(lic, ring, opts)
		return typedOutcome{g, w, gerr, werr}, ""
	case "qkey":
		opts := verify.QKeyOptions{Now: now, Password: a.str("password"), Package: a.str("package"), MachineID: a.str("machine_id"), AllowUnsigned: a.flag("allow_unsigned"), Limit: int(a.num("limit"))}
		if a.bad {
			break
		}
		file := a.part("qkey")
		g, gerr := v.QKey(ctx, file, ring, opts)
		w, werr := verify.QKey(file, ring, opts)
		return typedOutcome{g, w, gerr, werr}, ""
	case "plan":
		opts := verify.PlanOptions{Now: now, LicenseID: a.str("license_id"), Fingerprint: a.part("fingerprint"),
			MaxTTL: a.seconds("max_ttl_seconds"), Skew: a.skew(), MinEpoch: a.num("min_epoch"),
			SyncedAt: a.time("synced_at"), ProofFailures: int(a.num("proof_failures")), ProofFailedAt: a.time("proof_failed_at"),
			SetFailures: int(a.num("set_failures")), SetFailedAt: a.time("set_failed_at"), RefreshPercent: int(a.num("refresh_percent")),
			SyncInterval: a.seconds("sync_interval_seconds"), Backoff: a.seconds("backoff_seconds"), BackoffMax: a.seconds("backoff_max_seconds"),
			MaxDeltas: int(a.num("max_deltas"))}
		if a.bad {
			break
		}
		cache := a.cache()
		g, gerr := v.Plan(ctx, cache, ring, opts)
		w, werr := verify.Plan(cache, ring, opts)
		if w != nil && w.Set != nil && !w.Set.Valid {
			w.Lookup = nil // the op's answer has lookups in a valid set only (Verifier.Plan)
		}
		return typedOutcome{planWithLookup(g), planWithLookup(w), gerr, werr}, ""
	case "accept":
		opts := verify.AcceptOptions{Now: now, LicenseID: a.str("license_id"), Fingerprint: a.part("fingerprint"),
			MinEpoch: a.num("min_epoch"), MaxTTL: a.seconds("max_ttl_seconds"), Skew: a.skew(), MaxDeltas: int(a.num("max_deltas"))}
		kind := verify.AcceptKind(a.str("kind"))
		if a.bad {
			break
		}
		cache, fetched := a.cache(), a.part("fetched")
		g, gerr := v.Accept(ctx, kind, fetched, cache, ring, opts)
		w, werr := verify.Accept(kind, fetched, cache, ring, opts)
		return typedOutcome{g, w, gerr, werr}, ""
	default:
		return out, "op " + f.op + " takes a handle, which the typed API manages"
	}
	return out, "a member has no value of the typed option's Go type"
}

// planCompared is a plan result with its Lookup, which its JSON leaves
// out, so that comparing the JSON compares the lookup too.
type planCompared struct {
	*verify.PlanResult
	Lookup *verify.LookupResult `json:"lookup"`
}

func planWithLookup(r *verify.PlanResult) any {
	if r == nil {
		return nil
	}
	return planCompared{r, r.Lookup}
}

// nativeRevocation is revocation_set in terms of package verify: the
// chain of the set and its deltas, then the lookups of a valid result.
func nativeRevocation(set []byte, ring *verify.Keyring, opts RevocationOptions) (*RevocationResult, error) {
	res, err := verify.RevocationChain(set, opts.Deltas, ring, opts.RevocationOptions)
	if err != nil {
		return nil, err
	}
	out := &RevocationResult{RevocationSetResult: *res}
	if res.Valid {
		for _, id := range opts.Lookup {
			out.Lookups = append(out.Lookups, res.Set.Lookup(id, opts.Now))
		}
	}
	return out, nil
}

// TestTypedMatchesVerify: every vector's documents go through the typed
// method of its op as bytes, and the method sends the vector's very
// request (same header values, same parts byte for byte) and returns what
// the verify function it mirrors returns: the same result as JSON, and an
// error exactly when verify gives one. A bad-request vector the typed API
// can send is refused with a *RequestError. The only vectors left out are
// those the typed API has no form for: a keyring that does not parse
// (typed methods take a *verify.Keyring), handles, and bad requests whose
// members no typed option can hold.
func TestTypedMatchesVerify(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	v := newVerifier(t, Options{MaxInstances: 1})
	var n, refused, skipped int
	for _, f := range files {
		for _, tc := range f.Tests {
			t.Run(tc.ID, func(t *testing.T) {
				want := parseFrame(t, tc.Frame)
				var sent [][]byte
				v.sent = func(frame []byte) { sent = append(sent, frame) }
				defer func() { v.sent = nil }()
				out, skip := typedCall(t, v, want)
				if skip != "" {
					skipped++
					t.Skip(skip)
				}
				same := len(sent) > 0 && sameRequest(parseFrame(t, sent[0]), want)
				if tc.IsBadRequest() {
					if !same {
						skipped++
						t.Skip("a bad request no typed option can express")
					}
					var re *RequestError
					require.ErrorAs(t, out.gotErr, &re)
					require.ErrorIs(t, out.gotErr, verify.ErrMisuse)
					refused++
					return
				}
				require.True(t, same, "the typed method sent another request than the vector's")
				n++
				if out.wantErr != nil {
					require.Error(t, out.gotErr)
					require.Equal(t, errors.Is(out.wantErr, verify.ErrMisuse), errors.Is(out.gotErr, verify.ErrMisuse), "%v / %v", out.gotErr, out.wantErr)
					var we *verify.Error
					if errors.As(out.wantErr, &we) {
						require.Equal(t, we, out.gotErr)
					}
					var ce *canonical.Error
					if errors.As(out.wantErr, &ce) {
						require.Equal(t, ce, out.gotErr)
					}
					return
				}
				require.NoError(t, out.gotErr)
				requireSameJSON(t, out.want, out.got)
			})
		}
	}
	fmt.Printf("typed host methods: %d vectors equal to verify, %d bad requests refused, %d without a typed form\n", n, refused, skipped)
	require.NotZero(t, n)
}

// TestTypedCoversOps: the typed API can send every op of the table
// (internal/api/ops.json) with every member, and nothing else. Each typed
// method is called with every option set; the members of the frames sent
// (header members and parts, handles included) must be exactly the
// table's, per op, each travelling where its kind says.
func TestTypedCoversOps(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	seen := map[string]map[string]bool{}
	v.sent = func(frame []byte) {
		f := parseFrame(t, frame)
		spec, ok := api.Ops.Ops[f.op]
		require.True(t, ok, "op %q is not in the table", f.op)
		if seen[f.op] == nil {
			seen[f.op] = map[string]bool{}
		}
		for name := range f.header {
			require.False(t, spec.Members[name].IsPart(), "%s.%s is sent in the header, its kind is %q", f.op, name, spec.Members[name].Kind)
			seen[f.op][name] = true
		}
		for name := range f.parts {
			require.True(t, spec.Members[name].IsPart(), "%s.%s is sent as a part, its kind is %q", f.op, name, spec.Members[name].Kind)
			seen[f.op][name] = true
		}
	}

	set, ring, now := validRevocationVector(t)
	fp := []byte(`{"machine_id":"4c4c4544"}`)
	_, err := v.Canonicalize(ctx, []byte(`{}`), 100)
	require.NoError(t, err)
	_, err = v.Fingerprint(ctx, fp)
	require.NoError(t, err)
	_, err = v.StatusProof(ctx, []byte(`{}`), ring, verify.StatusProofOptions{Now: now, LicenseID: "lic", Fingerprint: fp,
		MinEpoch: 1, MaxTTL: time.Hour, Skew: time.Minute, Limit: 1000})
	require.NoError(t, err)
	revOpts := verify.RevocationOptions{Now: now, MinEpoch: 1, AllowStale: true, Skew: time.Minute, Limit: 1 << 20}
	every := RevocationOptions{RevocationOptions: revOpts, Deltas: [][]byte{[]byte(`{}`)}, Lookup: []string{"lic"}}
	_, err = v.RevocationSetWith(ctx, set, ring, every)
	require.NoError(t, err)
	s, _, err := v.LoadRevocationSetWith(ctx, set, ring, every)
	require.NoError(t, err)
	require.Nil(t, s, "the delta {} is refused, so nothing is kept")
	s, res, err := v.LoadRevocationSet(ctx, set, ring, verify.RevocationOptions{Now: now})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	_, err = s.Lookup(ctx, now, "lic")
	require.NoError(t, err)
	_, err = s.ApplyDelta(ctx, []byte(`{}`), ring, revOpts)
	require.NoError(t, err)
	require.NoError(t, s.Close(ctx))
	_, err = v.License(ctx, []byte(`{}`), ring, verify.LicenseOptions{Now: now, ProductID: "p",
		FingerprintHash: "sha256:" + fmt.Sprintf("%064x", 0), State: []byte(`{}`), ReleaseDate: now, ServerTime: now})
	require.NoError(t, err)
	_, err = v.QKey(ctx, []byte(`{}`), ring, verify.QKeyOptions{Now: now, Password: "pw", Package: "pkg",
		MachineID: "0123456789abcdef0123456789abcdef", AllowUnsigned: true, Limit: 1000})
	require.NoError(t, err)

	proof := []byte(`{}`)
	cache := verify.Cache{Proof: proof, Set: set, Deltas: [][]byte{[]byte(`{}`)}}
	_, err = v.Plan(ctx, cache, ring, verify.PlanOptions{Now: now, LicenseID: "lic", Fingerprint: fp, MaxTTL: time.Hour, Skew: time.Minute,
		MinEpoch: 1, SyncedAt: now, ProofFailures: 1, ProofFailedAt: now, SetFailures: 1, SetFailedAt: now, RefreshPercent: 50,
		SyncInterval: time.Minute, Backoff: time.Second, BackoffMax: time.Minute, MaxDeltas: 2})
	require.NoError(t, err)
	_, err = v.Accept(ctx, verify.AcceptRevocation, set, cache, ring, verify.AcceptOptions{Now: now, LicenseID: "lic", Fingerprint: fp,
		MinEpoch: 1, MaxTTL: time.Hour, Skew: time.Minute, MaxDeltas: 2})
	require.NoError(t, err)

	for _, op := range api.Ops.OpNames() {
		want := map[string]bool{}
		for name := range api.Ops.Ops[op].Members {
			want[name] = true
		}
		require.Equal(t, want, seen[op], "members of %s the typed API sends", op)
	}
	require.Len(t, seen, len(api.Ops.Ops))
}

// validRevocationVector returns the set, keyring and now of the vector
// revocation/valid: a genuine signed set.
func validRevocationVector(t *testing.T) ([]byte, *verify.Keyring, time.Time) {
	t.Helper()
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	for _, f := range files {
		for _, tc := range f.Tests {
			if tc.ID != "revocation/valid" {
				continue
			}
			a := &vectorArgs{f: parseFrame(t, tc.Frame)}
			ring, err := verify.ParseKeyring(a.part("keys"))
			require.NoError(t, err)
			now := a.time("now")
			require.False(t, a.bad)
			return a.part("set"), ring, now
		}
	}
	t.Fatal("no vector revocation/valid")
	return nil, nil, time.Time{}
}

// TestTypedSendsExactBytes: documents, the keyring and the state reach the
// module as the caller's bytes. A set whose signed text has U+FFFD
// verifies; the byte FF in its place is malformed JSON, as natively, never
// repaired into the signed text. A PEM keyring travels as its PEM text.
func TestTypedSendsExactBytes(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	var sent []parsedFrame
	v.sent = func(frame []byte) { sent = append(sent, parseFrame(t, frame)) }

	ringText, fffd, now := signedSet(t, "lic-\uFFFD")
	ring, err := verify.ParseKeyring(ringText)
	require.NoError(t, err)
	ff := bytes.Replace(fffd, []byte("\uFFFD"), []byte{0xff}, 1)
	bom := append([]byte("\uFEFF"), fffd...)
	opts := RevocationOptions{RevocationOptions: verify.RevocationOptions{Now: now}, Lookup: []string{"lic-\uFFFD"}}
	for _, tc := range []struct {
		name string
		doc  []byte
		code verify.Code
	}{{"U+FFFD", fffd, verify.CodeOK}, {"byte FF", ff, verify.CodeMalformedJSON}, {"BOM", bom, verify.CodeMalformedJSON}} {
		sent = nil
		got, err := v.RevocationSetWith(ctx, tc.doc, ring, opts)
		require.NoError(t, err)
		require.Equal(t, tc.code, got.Code, "%s: %s", tc.name, got.Message)
		want, err := nativeRevocation(tc.doc, ring, opts)
		require.NoError(t, err)
		requireSameJSON(t, want, got)
		require.Len(t, sent, 1)
		require.Equal(t, tc.doc, sent[0].parts["set"][0])
		require.Equal(t, ringText, sent[0].parts["keys"][0])
	}

	// A license.state.json that is not UTF-8 is sent as it is: verify
	// reads it as an invalid state.
	state := []byte("{\"license_id\":\"\xff\"}")
	sent = nil
	lopts := verify.LicenseOptions{Now: now, ProductID: "p", State: state}
	got, err := v.License(ctx, []byte(`{}`), ring, lopts)
	require.NoError(t, err)
	require.Equal(t, state, sent[0].parts["state"][0])
	want, err := verify.License([]byte(`{}`), ring, lopts)
	require.NoError(t, err)
	requireSameJSON(t, want, got)

	// A keyring read from PEM is sent as that text; one built in Go is
	// sent in the JSON form, which reads back as the same keys.
	pem := []byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n")
	pemRing, err := verify.ParseKeyring(pem)
	require.NoError(t, err)
	built, err := verify.NewKeyring(ring.Keys()...)
	require.NoError(t, err)
	for _, r := range []*verify.Keyring{pemRing, built} {
		sent = nil
		got, err := v.RevocationSet(ctx, fffd, r, opts.RevocationOptions)
		require.NoError(t, err)
		want, err := verify.RevocationSet(fffd, r, opts.RevocationOptions)
		require.NoError(t, err)
		requireSameJSON(t, want, got)
		again, err := verify.ParseKeyring(sent[0].parts["keys"][0])
		require.NoError(t, err)
		require.Equal(t, r.Keys(), again.Keys())
	}
	require.Equal(t, pem, pemRing.Source())
}

// signedSet returns a keyring and a revocation set revoking id, signed
// with a key of the test's, and a time at which the set is fresh.
func signedSet(t *testing.T, id string) (ring, set []byte, now time.Time) {
	t.Helper()
	seed := sha256.Sum256([]byte("host test key"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	ring = []byte(`[{"alg":"ed25519","kid":"t","public_key":"` + base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)) + `"}]`)
	idJSON, err := json.Marshal(id)
	require.NoError(t, err)
	body := `{"epoch":1,"issued_at":"2025-12-30T15:30:00Z","issuer_kid":"t","revoked_ids":[` + string(idJSON) + `],"valid_until":"2025-12-30T16:30:00Z"}`
	payload, err := canonical.Transform([]byte(body), 0)
	require.NoError(t, err)
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, payload))
	i := strings.LastIndex(body, `,"valid_until"`)
	set = []byte(body[:i] + `,"signature":"` + sig + `"` + body[i:])
	return ring, set, time.Date(2025, 12, 30, 16, 0, 0, 0, time.UTC)
}

// TestRevocationSetAtSizeLimit: a genuine set padded with trailing tabs
// (whitespace, not signed) to exactly the 64 MiB limit verifies through
// the typed API, and one byte more is input_too_large, as natively.
func TestRevocationSetAtSizeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB documents")
	}
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	set, ring, now := validRevocationVector(t)
	opts := RevocationOptions{RevocationOptions: verify.RevocationOptions{Now: now}, Lookup: []string{"b28a923a-c747-49b2-bc90-d87004c10379"}}
	const limit = 64 << 20
	padded := make([]byte, limit+1)
	copy(padded, set)
	for i := len(set); i < len(padded); i++ {
		padded[i] = '\t'
	}
	got, err := v.RevocationSetWith(ctx, padded[:limit], ring, opts)
	require.NoError(t, err)
	require.True(t, got.Valid, got.Message)
	require.Equal(t, verify.CodeOK, got.Code)
	require.Equal(t, verify.LookupRevoked, got.Lookups[0].Status)
	want, err := nativeRevocation(padded[:limit], ring, opts)
	require.NoError(t, err)
	requireSameJSON(t, want, got)

	got, err = v.RevocationSetWith(ctx, padded, ring, opts)
	require.NoError(t, err)
	require.False(t, got.Valid)
	require.Equal(t, verify.CodeInputTooLarge, got.Code)
	want, err = nativeRevocation(padded, ring, opts)
	require.NoError(t, err)
	requireSameJSON(t, want, got)
}

func TestTypedMisuse(t *testing.T) {
	v := newVerifier(t, Options{})
	ctx := context.Background()
	ring := testRing(t)
	_, err := v.StatusProof(ctx, []byte(`{}`), nil, verify.StatusProofOptions{Now: time.Now()})
	require.ErrorIs(t, err, verify.ErrMisuse)
	_, err = v.StatusProof(ctx, []byte(`{}`), ring, verify.StatusProofOptions{})
	require.ErrorIs(t, err, verify.ErrMisuse)
	_, err = v.StatusProof(ctx, []byte(`{}`), ring, verify.StatusProofOptions{Now: time.Now(), MaxTTL: time.Millisecond})
	require.ErrorIs(t, err, verify.ErrMisuse)
	// An option that is not UTF-8 cannot be written in the header: misuse,
	// not a repaired value.
	_, err = v.StatusProof(ctx, []byte(`{}`), ring, verify.StatusProofOptions{Now: time.Now(), LicenseID: "lic-\xff"})
	require.ErrorIs(t, err, verify.ErrMisuse)
	// The module refuses it: a RequestError, which is misuse too.
	_, err = v.License(ctx, []byte(`{}`), ring, verify.LicenseOptions{Now: time.Now()})
	var re *RequestError
	require.ErrorAs(t, err, &re)
	require.ErrorIs(t, err, verify.ErrMisuse)
}

func testRing(t *testing.T) *verify.Keyring {
	ring, err := verify.ParseKeyring([]byte(`[{"kid":"k1","alg":"ed25519","public_key":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","not_before":"2020-01-01T00:00:00.5Z"}]`))
	require.NoError(t, err)
	return ring
}

func TestKeyringRoundTrip(t *testing.T) {
	ring := testRing(t)
	text, err := keyringText(ring)
	require.NoError(t, err)
	again, err := verify.ParseKeyring(text)
	require.NoError(t, err)
	require.Equal(t, ring.Keys(), again.Keys())
}
