// Package testissuer is a status-proof and revocation issuer for the
// lifecycle tests (testvectors/lifecycle/README.md): the seeds' endpoints
// over real HTTP, signed with a fixed-seed Ed25519 key, on a clock the
// tests set, with modes that make it fail the ways a real server does.
//
// It serves
//
//	POST /api/v1/v2/status-proof   {"license_id", "device_fingerprint"?, "ttl_hours"?}
//	GET  /api/v1/v2/revocation[?since_epoch=N]
//
// behind "Authorization: Bearer " + [APIKey], with {"detail": …} error
// bodies, and the test control endpoints under /_test/ (no key needed):
// reset, mode, clock, revoke, restore, hits, set and proof.
//
// Every document verifies with [Keyring] through package verify. Nothing
// depends on the wall clock: the issuer's time moves only when a test
// sets it, so the same steps give the same documents.
package testissuer

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/verify"
)

// The issuer's fixed identities.
const (
	// APIKey is the bearer key the seeds' endpoints require.
	APIKey = "ql_test_key"
	// KID is the issuer_kid of every document it signs.
	KID = "ql-api-v2"
	// LicenseID is the test license: valid until a test revokes it.
	LicenseID = "b28a923a-c747-49b2-bc90-d87004c10379"
	// OtherLicenseID is a valid license of someone else: what the
	// other_license mode answers a proof for.
	OtherLicenseID = "5f0c9d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f"
	// RevokedLicenseID is revoked from epoch 1 on, so the initial set is
	// not empty.
	RevokedLicenseID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
)

// Fingerprint is the test device's fingerprint components, a JSON object.
const Fingerprint = `{"cpu_id":"Intel-Core-i9-12900K","disk_serial":"WD-ABC123456"}`

// Start is the issuer's clock after a reset.
var Start = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// Lifetimes and bounds of what the issuer serves.
const (
	// SetLifetime is how long a revocation set or delta is valid after
	// the issuer's now.
	SetLifetime = time.Hour
	// SlowDelay is how long a slow answer takes.
	SlowDelay = 3 * time.Second
	// MaxBody bounds every request body, in bytes.
	MaxBody = 64 << 10
)

// Modes: how the next answers of an endpoint behave.
const (
	ModeOK             = "ok"
	ModeDown           = "down"     // the connection is closed without an answer
	ModeSlow           = "slow"     // the normal answer, after SlowDelay
	ModeError500       = "error500" // 500 with a detail
	ModeBadSignature   = "bad_signature"
	ModeOtherLicense   = "other_license"   // proofs only
	ModeOldEpoch       = "old_epoch"       // revocation only
	ModeUnchainedDelta = "unchained_delta" // revocation only
)

var (
	proofModes      = []string{ModeOK, ModeDown, ModeSlow, ModeError500, ModeBadSignature, ModeOtherLicense}
	revocationModes = []string{ModeOK, ModeDown, ModeSlow, ModeError500, ModeBadSignature, ModeOldEpoch, ModeUnchainedDelta}
	licenses        = []string{LicenseID, OtherLicenseID, RevokedLicenseID}
)

// key derives a fixed key from its name, as testvectors/gen does.
func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licverify test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

var (
	signingKey = key("test issuer")
	// wrongKey signs the bad_signature mode's documents: genuine-looking,
	// named KID, and not verifiable with KID's key.
	wrongKey = key("test issuer impostor")
)

// Keyring returns the keyring text (formats.md, "Inputs") that verifies
// every document the issuer signs.
func Keyring() string {
	pub := base64.StdEncoding.EncodeToString(signingKey.Public().(ed25519.PublicKey))
	return `[{"kid":"` + KID + `","alg":"ed25519","public_key":"` + pub + `"}]`
}

// Info is the one JSON line the command prints once it listens.
type Info struct {
	URL         string          `json:"url"`
	Keys        string          `json:"keys"`
	APIKey      string          `json:"api_key"`
	LicenseID   string          `json:"license_id"`
	Fingerprint json.RawMessage `json:"fingerprint"`
}

// NewInfo returns the Info of an issuer listening at url.
func NewInfo(url string) Info {
	return Info{URL: url, Keys: Keyring(), APIKey: APIKey, LicenseID: LicenseID, Fingerprint: json.RawMessage(Fingerprint)}
}

// Hits counts the requests each seed endpoint received since the last
// reset, whatever their answer.
type Hits struct {
	Proof      int `json:"proof"`
	Revocation int `json:"revocation"`
}

// UnmarshalJSON reads a hits object strictly: both members, nothing else,
// so that a scenario's expectation cannot leave one out by mistake.
func (h *Hits) UnmarshalJSON(b []byte) error {
	var m struct {
		Proof      *int `json:"proof"`
		Revocation *int `json:"revocation"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("hits: %w", err)
	}
	if m.Proof == nil || m.Revocation == nil {
		return errors.New("hits: both proof and revocation are required")
	}
	h.Proof, h.Revocation = *m.Proof, *m.Revocation
	return nil
}

// Issuer is the issuer's state and its HTTP handler. It is safe for
// concurrent use. The zero value is not usable; call [New].
type Issuer struct {
	mu             sync.Mutex
	now            time.Time
	history        [][]string // history[e]: the revoked ids at epoch e, sorted
	proofMode      string
	revocationMode string
	hits           Hits
	mux            *http.ServeMux
}

// New returns an issuer in its initial state: epoch 1 (with
// RevokedLicenseID revoked; epoch 0 revoked nothing), clock Start, modes
// ok, counters 0.
func New() *Issuer {
	is := &Issuer{}
	is.reset()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/v2/status-proof", is.statusProof)
	mux.HandleFunc("/api/v1/v2/revocation", is.revocation)
	mux.HandleFunc("/_test/reset", is.testReset)
	mux.HandleFunc("/_test/mode", is.testMode)
	mux.HandleFunc("/_test/clock", is.testClock)
	mux.HandleFunc("/_test/revoke", is.testRevoke)
	mux.HandleFunc("/_test/restore", is.testRestore)
	mux.HandleFunc("/_test/hits", is.testHits)
	mux.HandleFunc("/_test/set", is.testSet)
	mux.HandleFunc("/_test/proof", is.testProof)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { detail(w, http.StatusNotFound, "Not Found") })
	is.mux = mux
	return is
}

func (is *Issuer) reset() {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.now = Start
	is.history = [][]string{{}, {RevokedLicenseID}}
	is.proofMode, is.revocationMode = ModeOK, ModeOK
	is.hits = Hits{}
}

// ServeHTTP answers the seeds' and the test control endpoints. Every
// answer closes its connection: a client that reuses a kept-alive
// connection retries an idempotent request once when the server drops it
// (Go's http.Transport does), and the down mode would then count two hits
// for one fetch in one runtime and one in another.
func (is *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	is.mux.ServeHTTP(w, r)
}

// Epoch is the current revocation epoch.
func (is *Issuer) Epoch() int64 {
	is.mu.Lock()
	defer is.mu.Unlock()
	return int64(len(is.history) - 1)
}

// HitCounts returns the requests each seed endpoint received since reset.
func (is *Issuer) HitCounts() Hits {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.hits
}

// --- the seeds' endpoints ---

type proofRequest struct {
	LicenseID         *string         `json:"license_id"`
	DeviceFingerprint json.RawMessage `json:"device_fingerprint"`
	TTLHours          json.RawMessage `json:"ttl_hours"`
}

func (is *Issuer) statusProof(w http.ResponseWriter, r *http.Request) {
	mode := is.arrive(&is.hits.Proof, &is.proofMode)
	if r.Method != http.MethodPost {
		detail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if !is.behave(w, r, mode) {
		return
	}
	var req proofRequest
	if err := readJSON(r, &req); err != nil {
		detail(w, statusOf(err), err.Error())
		return
	}
	if req.LicenseID == nil || *req.LicenseID == "" {
		detail(w, http.StatusUnprocessableEntity, "license_id is required")
		return
	}
	ttl := 24
	if len(req.TTLHours) > 0 && string(req.TTLHours) != "null" {
		n, err := strconv.Atoi(string(req.TTLHours))
		if err != nil {
			detail(w, http.StatusUnprocessableEntity, "ttl_hours must be an integer")
			return
		}
		if n < 1 || n > 168 {
			detail(w, http.StatusBadRequest, "ttl_hours must be between 1 and 168")
			return
		}
		ttl = n
	}
	binding := ""
	// As the issuer's Python does (`if device_fingerprint:`): absent, null
	// and {} bind nothing and sign "".
	if fp := bytes.TrimSpace(req.DeviceFingerprint); len(fp) > 0 && string(fp) != "null" {
		if fp[0] != '{' {
			detail(w, http.StatusUnprocessableEntity, "device_fingerprint must be an object")
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(fp, &m) == nil && len(m) > 0 {
			h, err := verify.FingerprintHash(fp)
			if err != nil {
				detail(w, http.StatusUnprocessableEntity, "device_fingerprint: "+err.Error())
				return
			}
			binding = h.Hash
		}
	}
	id := *req.LicenseID
	is.mu.Lock()
	defer is.mu.Unlock()
	if !slices.Contains(licenses, id) {
		detail(w, http.StatusNotFound, "License not found: "+id)
		return
	}
	if mode == ModeOtherLicense {
		id = OtherLicenseID
	}
	k := signingKey
	if mode == ModeBadSignature {
		k = wrongKey
	}
	writeJSON(w, http.StatusOK, is.proofLocked(id, binding, time.Duration(ttl)*time.Hour, k))
}

func (is *Issuer) revocation(w http.ResponseWriter, r *http.Request) {
	mode := is.arrive(&is.hits.Revocation, &is.revocationMode)
	if r.Method != http.MethodGet {
		detail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if !is.behave(w, r, mode) {
		return
	}
	since := int64(-1)
	if q := r.URL.Query(); q.Has("since_epoch") {
		n, err := strconv.ParseInt(q.Get("since_epoch"), 10, 64)
		if err != nil || n < 0 {
			detail(w, http.StatusUnprocessableEntity, "since_epoch must be a non-negative integer")
			return
		}
		since = n
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	cur := int64(len(is.history) - 1)
	k := signingKey
	var doc []byte
	switch mode {
	case ModeOldEpoch:
		doc = is.setLocked(max(cur-1, 0), signingKey)
	case ModeUnchainedDelta:
		asked := cur
		if since >= 0 {
			asked = since
		}
		if asked >= 1 {
			doc = is.deltaLocked(asked-1, cur, signingKey)
		} else {
			// Nothing lies before epoch 0: a signed delta from the
			// current epoch to the next, which chains onto nothing the
			// client holds (the issuer's own epoch is unchanged).
			doc = is.signedLocked(map[string]any{
				"epoch": cur + 1, "since_epoch": cur, "added": []string{}, "removed": []string{},
				"issued_at": rfc3339(is.now), "valid_until": rfc3339(is.now.Add(SetLifetime)), "issuer_kid": KID,
			}, signingKey)
		}
	default:
		if mode == ModeBadSignature {
			k = wrongKey
		}
		if since >= 0 && since < cur {
			doc = is.deltaLocked(since, cur, k)
		} else {
			doc = is.setLocked(cur, k)
		}
	}
	writeRaw(w, http.StatusOK, doc)
}

// arrive counts a request and returns the endpoint's mode.
func (is *Issuer) arrive(counter *int, mode *string) string {
	is.mu.Lock()
	defer is.mu.Unlock()
	*counter++
	return *mode
}

// behave applies the transport modes, the key check and error500, in
// that order (a closed or slow connection comes before any answer; a
// failing backend sits behind the key check); it reports
// whether the request goes on to be answered.
func (is *Issuer) behave(w http.ResponseWriter, r *http.Request, mode string) bool {
	switch mode {
	case ModeDown:
		hijackClose(w)
		return false
	case ModeSlow:
		select {
		case <-time.After(SlowDelay):
		case <-r.Context().Done():
			return false
		}
	}
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		detail(w, http.StatusUnauthorized, "Missing API key")
		return false
	case auth != "Bearer "+APIKey:
		detail(w, http.StatusUnauthorized, "Invalid API key")
		return false
	}
	if mode == ModeError500 {
		detail(w, http.StatusInternalServerError, "Internal Server Error (test mode error500)")
		return false
	}
	return true
}

func hijackClose(w http.ResponseWriter) {
	if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
		c.Close()
		return
	}
	// HTTP/2 cannot be hijacked; abort the stream instead.
	panic(http.ErrAbortHandler)
}

// --- documents ---

// proofLocked is the API answer for a proof of id at the issuer's now.
func (is *Issuer) proofLocked(id, binding string, ttl time.Duration, k ed25519.PrivateKey) proofAnswer {
	status := "valid"
	if slices.Contains(is.history[len(is.history)-1], id) {
		status = "revoked"
	}
	validUntil := rfc3339(is.now.Add(ttl))
	proof := is.signedLocked(map[string]any{
		"license_id":       id,
		"status":           status,
		"checked_at":       rfc3339(is.now),
		"valid_until":      validUntil,
		"revocation_epoch": len(is.history) - 1,
		"binding_hash":     binding,
		"entitlements":     []string{"feature:api", "feature:export"},
		"issuer_kid":       KID,
	}, k)
	return proofAnswer{Proof: proof, Compact: base64.StdEncoding.EncodeToString(proof), ValidUntil: validUntil}
}

// proofAnswer is the status-proof endpoint's answer, members in the
// seed's order. Only Proof is signed; Compact is base64 of its text.
type proofAnswer struct {
	Proof      json.RawMessage `json:"proof"`
	Compact    string          `json:"compact"`
	ValidUntil string          `json:"valid_until"`
}

// setLocked is the full set at epoch e, issued at the issuer's now.
func (is *Issuer) setLocked(e int64, k ed25519.PrivateKey) []byte {
	return is.signedLocked(map[string]any{
		"epoch":       e,
		"revoked_ids": nonNil(is.history[e]),
		"issued_at":   rfc3339(is.now),
		"valid_until": rfc3339(is.now.Add(SetLifetime)),
		"issuer_kid":  KID,
	}, k)
}

// deltaLocked is the delta from epoch from to epoch to, from the history.
func (is *Issuer) deltaLocked(from, to int64, k ed25519.PrivateKey) []byte {
	a, b := is.history[from], is.history[to]
	return is.signedLocked(map[string]any{
		"epoch":       to,
		"since_epoch": from,
		"added":       minus(b, a),
		"removed":     minus(a, b),
		"issued_at":   rfc3339(is.now),
		"valid_until": rfc3339(is.now.Add(SetLifetime)),
		"issuer_kid":  KID,
	}, k)
}

// signedLocked returns doc's RFC 8785 form with a "signature" member: the
// Ed25519 signature of that form (formats.md, "Signed forms").
func (is *Issuer) signedLocked(doc map[string]any, k ed25519.PrivateKey) []byte {
	text, err := json.Marshal(doc)
	if err != nil {
		panic(err) // maps of strings and integers always marshal
	}
	payload, _, err := canonical.Signed(text, verify.DefaultRevocationLimit)
	if err != nil {
		panic(err)
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(k, payload))
	out := make([]byte, 0, len(payload)+len(sig)+16)
	out = append(out, payload[:len(payload)-1]...)
	out = append(out, `,"signature":"`...)
	out = append(out, sig...)
	return append(out, `"}`...)
}

// minus is the ids of a not in b; both are sorted.
func minus(a, b []string) []string {
	out := []string{}
	for _, id := range a {
		if _, found := slices.BinarySearch(b, id); !found {
			out = append(out, id)
		}
	}
	return out
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// --- test control ---

func (is *Issuer) testReset(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodPost) {
		return
	}
	is.reset()
	is.testState(w)
}

func (is *Issuer) testMode(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodPost) {
		return
	}
	var req struct {
		Proof      *string `json:"proof"`
		Revocation *string `json:"revocation"`
	}
	if err := readJSON(r, &req); err != nil {
		detail(w, statusOf(err), err.Error())
		return
	}
	if req.Proof != nil && !slices.Contains(proofModes, *req.Proof) {
		detail(w, http.StatusBadRequest, fmt.Sprintf("unknown proof mode %q", *req.Proof))
		return
	}
	if req.Revocation != nil && !slices.Contains(revocationModes, *req.Revocation) {
		detail(w, http.StatusBadRequest, fmt.Sprintf("unknown revocation mode %q", *req.Revocation))
		return
	}
	is.mu.Lock()
	if req.Proof != nil {
		is.proofMode = *req.Proof
	}
	if req.Revocation != nil {
		is.revocationMode = *req.Revocation
	}
	is.mu.Unlock()
	is.testState(w)
}

func (is *Issuer) testClock(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodPost) {
		return
	}
	var req struct {
		Now string `json:"now"`
	}
	if err := readJSON(r, &req); err != nil {
		detail(w, statusOf(err), err.Error())
		return
	}
	t, err := verify.ParseTime(req.Now)
	if err != nil {
		detail(w, http.StatusBadRequest, fmt.Sprintf("now: not an RFC 3339 time: %q", req.Now))
		return
	}
	is.mu.Lock()
	is.now = t.UTC()
	is.mu.Unlock()
	is.testState(w)
}

func (is *Issuer) testRevoke(w http.ResponseWriter, r *http.Request) { is.change(w, r, true) }

func (is *Issuer) testRestore(w http.ResponseWriter, r *http.Request) { is.change(w, r, false) }

// change revokes or restores a license: a new epoch in the history.
func (is *Issuer) change(w http.ResponseWriter, r *http.Request, revoke bool) {
	if !method(w, r, http.MethodPost) {
		return
	}
	var req struct {
		LicenseID string `json:"license_id"`
	}
	if err := readJSON(r, &req); err != nil {
		detail(w, statusOf(err), err.Error())
		return
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	if !slices.Contains(licenses, req.LicenseID) {
		detail(w, http.StatusNotFound, "License not found: "+req.LicenseID)
		return
	}
	cur := is.history[len(is.history)-1]
	i, revoked := slices.BinarySearch(cur, req.LicenseID)
	var next []string
	switch {
	case revoke && revoked:
		detail(w, http.StatusConflict, "License already revoked")
		return
	case !revoke && !revoked:
		detail(w, http.StatusConflict, "License is not revoked")
		return
	case revoke:
		next = slices.Insert(slices.Clone(cur), i, req.LicenseID)
	default:
		next = slices.Delete(slices.Clone(cur), i, i+1)
	}
	is.history = append(is.history, next)
	writeJSON(w, http.StatusOK, is.stateLocked())
}

func (is *Issuer) testHits(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodGet) {
		return
	}
	writeJSON(w, http.StatusOK, is.HitCounts())
}

func (is *Issuer) testSet(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodGet) {
		return
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	writeRaw(w, http.StatusOK, is.setLocked(int64(len(is.history)-1), signingKey))
}

func (is *Issuer) testProof(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodGet) {
		return
	}
	h, err := verify.FingerprintHash([]byte(Fingerprint))
	if err != nil {
		panic(err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	writeJSON(w, http.StatusOK, is.proofLocked(LicenseID, h.Hash, 24*time.Hour, signingKey))
}

// testState answers a control request with the issuer's state.
func (is *Issuer) testState(w http.ResponseWriter) {
	is.mu.Lock()
	defer is.mu.Unlock()
	writeJSON(w, http.StatusOK, is.stateLocked())
}

func (is *Issuer) stateLocked() map[string]any {
	return map[string]any{
		"epoch": len(is.history) - 1, "now": rfc3339(is.now),
		"proof": is.proofMode, "revocation": is.revocationMode,
		"revoked_ids": is.history[len(is.history)-1],
	}
}

// --- HTTP helpers ---

type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func statusOf(err error) int {
	var re *requestError
	if errors.As(err, &re) {
		return re.status
	}
	return http.StatusBadRequest
}

// readJSON decodes a JSON object body of at most MaxBody bytes.
func readJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", MaxBody)}
		}
		return &requestError{http.StatusBadRequest, "reading the request body: " + err.Error()}
	}
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return &requestError{http.StatusUnprocessableEntity, "the request body must be a JSON object"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &requestError{http.StatusUnprocessableEntity, "the request body: " + err.Error()}
	}
	return nil
}

func method(w http.ResponseWriter, r *http.Request, m string) bool {
	if r.Method != m {
		detail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return false
	}
	return true
}

func detail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
