package testissuer_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

// issuer is one running test issuer and a client for it.
type issuer struct {
	t   *testing.T
	url string
}

func start(t *testing.T) *issuer {
	t.Helper()
	srv := httptest.NewServer(testissuer.New())
	t.Cleanup(srv.Close)
	return &issuer{t: t, url: srv.URL}
}

// do sends a request and returns the status and body; a transport error
// fails the test.
func (is *issuer) do(method, path, body, auth string) (int, []byte) {
	is.t.Helper()
	status, b, err := is.try(http.DefaultClient, method, path, body, auth)
	require.NoError(is.t, err)
	return status, b
}

func (is *issuer) try(c *http.Client, method, path, body, auth string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, is.url+path, rd)
	require.NoError(is.t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

const bearer = "Bearer " + testissuer.APIKey

// ok sends a request that must answer 200 and returns the body.
func (is *issuer) ok(method, path, body string) []byte {
	is.t.Helper()
	status, b := is.do(method, path, body, bearer)
	require.Equal(is.t, http.StatusOK, status, "%s %s: %s", method, path, b)
	return b
}

func (is *issuer) proof(body string) []byte {
	return is.ok(http.MethodPost, "/api/v1/v2/status-proof", body)
}

func (is *issuer) revocation(query string) []byte {
	return is.ok(http.MethodGet, "/api/v1/v2/revocation"+query, "")
}

func (is *issuer) control(path, body string) {
	is.t.Helper()
	status, b := is.do(http.MethodPost, path, body, "")
	require.Equal(is.t, http.StatusOK, status, "%s: %s", path, b)
}

func (is *issuer) hits() testissuer.Hits {
	is.t.Helper()
	status, b := is.do(http.MethodGet, "/_test/hits", "", "")
	require.Equal(is.t, http.StatusOK, status)
	var h testissuer.Hits
	require.NoError(is.t, json.Unmarshal(b, &h))
	return h
}

// requireDetail checks an error answer: the status and a body that is
// exactly {"detail": want}.
func requireDetail(t *testing.T, wantStatus int, want string, status int, body []byte) {
	t.Helper()
	require.Equal(t, wantStatus, status, "%s", body)
	var d map[string]any
	require.NoError(t, json.Unmarshal(body, &d), "%s", body)
	require.Equal(t, map[string]any{"detail": want}, d)
}

func ring(t *testing.T) *verify.Keyring {
	t.Helper()
	r, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	require.NoError(t, err)
	return r
}

var start0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

const (
	withDevice = `{"license_id":"` + testissuer.LicenseID + `","device_fingerprint":` + testissuer.Fingerprint + `}`
	noDevice   = `{"license_id":"` + testissuer.LicenseID + `"}`
)

func checkProof(t *testing.T, answer []byte, opts verify.StatusProofOptions) *verify.StatusProofResult {
	t.Helper()
	res, err := verify.StatusProof(answer, ring(t), opts)
	require.NoError(t, err)
	return res
}

func TestProofVerifies(t *testing.T) {
	is := start(t)
	answer := is.proof(withDevice)
	res := checkProof(t, answer, verify.StatusProofOptions{Now: start0, LicenseID: testissuer.LicenseID, Fingerprint: []byte(testissuer.Fingerprint)})
	require.Equal(t, verify.CodeOK, res.Code, res.Message)
	assert.Equal(t, "valid", res.Status)
	assert.True(t, res.Bound)
	assert.Equal(t, int64(1), res.Epoch)
	assert.Equal(t, start0, res.CheckedAt)
	assert.Equal(t, start0.Add(24*time.Hour), res.ValidUntil, "ttl_hours defaults to 24")

	// The wrapper as the seed shows it: compact is base64 of the proof's
	// own text, valid_until its copy; the binding hash is formats.md's
	// "sha256:" + hex(SHA-256(JCS(fingerprint))), and Fingerprint is
	// already in its JCS form.
	var w struct {
		Proof      json.RawMessage `json:"proof"`
		Compact    string          `json:"compact"`
		ValidUntil string          `json:"valid_until"`
	}
	require.NoError(t, json.Unmarshal(answer, &w))
	compact, err := base64.StdEncoding.DecodeString(w.Compact)
	require.NoError(t, err)
	assert.Equal(t, string(w.Proof), string(compact))
	assert.Equal(t, "2026-03-02T00:00:00Z", w.ValidUntil)
	var p map[string]any
	require.NoError(t, json.Unmarshal(w.Proof, &p))
	sum := sha256.Sum256([]byte(testissuer.Fingerprint))
	assert.Equal(t, "sha256:"+hex.EncodeToString(sum[:]), p["binding_hash"])

	// The proof alone and the compact string verify too.
	for _, form := range [][]byte{w.Proof, []byte(w.Compact)} {
		r := checkProof(t, form, verify.StatusProofOptions{Now: start0, Fingerprint: []byte(testissuer.Fingerprint)})
		assert.Equal(t, verify.CodeOK, r.Code, r.Message)
	}
	// Bound to the device: another device is refused.
	r := checkProof(t, answer, verify.StatusProofOptions{Now: start0, Fingerprint: []byte(`{"cpu_id":"x"}`)})
	assert.Equal(t, verify.CodeDeviceMismatch, r.Code)
}

func TestProofUnbound(t *testing.T) {
	is := start(t)
	for _, body := range []string{
		noDevice,
		`{"license_id":"` + testissuer.LicenseID + `","device_fingerprint":null}`,
		`{"license_id":"` + testissuer.LicenseID + `","device_fingerprint":{}}`,
	} {
		answer := is.proof(body)
		var w struct {
			Proof map[string]any `json:"proof"`
		}
		require.NoError(t, json.Unmarshal(answer, &w))
		assert.Equal(t, "", w.Proof["binding_hash"], body)
		res := checkProof(t, answer, verify.StatusProofOptions{Now: start0, LicenseID: testissuer.LicenseID})
		assert.Equal(t, verify.CodeOK, res.Code, res.Message)
		assert.False(t, res.Bound)
	}
}

func TestProofTTL(t *testing.T) {
	is := start(t)
	for _, tc := range []struct {
		name string
		ttl  string
		want time.Duration // 0: refused
	}{
		{"one hour", "1", time.Hour},
		{"a week", "168", 168 * time.Hour},
		{"null is the default", "null", 24 * time.Hour},
		{"zero", "0", 0},
		{"over a week", "169", 0},
		{"negative", "-1", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := is.do(http.MethodPost, "/api/v1/v2/status-proof",
				`{"license_id":"`+testissuer.LicenseID+`","ttl_hours":`+tc.ttl+`}`, bearer)
			if tc.want == 0 {
				requireDetail(t, http.StatusBadRequest, "ttl_hours must be between 1 and 168", status, body)
				return
			}
			require.Equal(t, http.StatusOK, status)
			res := checkProof(t, body, verify.StatusProofOptions{Now: start0})
			require.Equal(t, verify.CodeOK, res.Code, res.Message)
			assert.Equal(t, start0.Add(tc.want), res.ValidUntil)
		})
	}
}

func TestProofBadRequests(t *testing.T) {
	is := start(t)
	for _, tc := range []struct {
		name, body string
		status     int
		detail     string
	}{
		{"unknown license", `{"license_id":"0000"}`, http.StatusNotFound, "License not found: 0000"},
		{"no license id", `{"ttl_hours":24}`, http.StatusUnprocessableEntity, "license_id is required"},
		{"ttl not an integer", `{"license_id":"` + testissuer.LicenseID + `","ttl_hours":"24"}`, http.StatusUnprocessableEntity, "ttl_hours must be an integer"},
		{"fingerprint not an object", `{"license_id":"` + testissuer.LicenseID + `","device_fingerprint":"x"}`, http.StatusUnprocessableEntity, "device_fingerprint must be an object"},
		{"not an object", `[]`, http.StatusUnprocessableEntity, "the request body must be a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := is.do(http.MethodPost, "/api/v1/v2/status-proof", tc.body, bearer)
			requireDetail(t, tc.status, tc.detail, status, body)
		})
	}
	t.Run("body too large", func(t *testing.T) {
		big := `{"license_id":"` + testissuer.LicenseID + `","pad":"` + strings.Repeat("x", testissuer.MaxBody) + `"}`
		status, body := is.do(http.MethodPost, "/api/v1/v2/status-proof", big, bearer)
		requireDetail(t, http.StatusRequestEntityTooLarge, "request body over 65536 bytes", status, body)
	})
	t.Run("wrong method", func(t *testing.T) {
		status, body := is.do(http.MethodGet, "/api/v1/v2/status-proof", "", bearer)
		requireDetail(t, http.StatusMethodNotAllowed, "Method Not Allowed", status, body)
	})
}

func TestAuth(t *testing.T) {
	is := start(t)
	for _, ep := range []struct{ method, path, body string }{
		{http.MethodPost, "/api/v1/v2/status-proof", noDevice},
		{http.MethodGet, "/api/v1/v2/revocation", ""},
		{http.MethodGet, "/api/v1/v2/revocation?since_epoch=0", ""},
	} {
		status, body := is.do(ep.method, ep.path, ep.body, "")
		requireDetail(t, http.StatusUnauthorized, "Missing API key", status, body)
		for _, wrong := range []string{"Bearer ql_other", "ql_test_key", "Basic " + testissuer.APIKey, "bearer " + testissuer.APIKey} {
			status, body = is.do(ep.method, ep.path, ep.body, wrong)
			requireDetail(t, http.StatusUnauthorized, "Invalid API key", status, body)
		}
		status, _ = is.do(ep.method, ep.path, ep.body, bearer)
		assert.Equal(t, http.StatusOK, status, ep.path)
	}
}

func checkSet(t *testing.T, set []byte, opts verify.RevocationOptions) *verify.RevocationSetResult {
	t.Helper()
	res, err := verify.RevocationSet(set, ring(t), opts)
	require.NoError(t, err)
	return res
}

func TestFullSetVerifies(t *testing.T) {
	is := start(t)
	set := is.revocation("")
	res := checkSet(t, set, verify.RevocationOptions{Now: start0, MinEpoch: 1})
	require.Equal(t, verify.CodeOK, res.Code, res.Message)
	assert.Equal(t, int64(1), res.Epoch)
	assert.Equal(t, start0, res.IssuedAt)
	assert.Equal(t, start0.Add(time.Hour), res.ValidUntil)
	assert.Equal(t, verify.LookupRevoked, res.Set.Lookup(testissuer.RevokedLicenseID, start0).Status)
	assert.Equal(t, verify.LookupNotRevoked, res.Set.Lookup(testissuer.LicenseID, start0).Status)
	// Valid for one hour of the issuer's clock.
	assert.Equal(t, verify.CodeSetExpired, checkSet(t, set, verify.RevocationOptions{Now: start0.Add(time.Hour)}).Code)

	// since_epoch at or above the current epoch answers the full set too.
	for _, q := range []string{"?since_epoch=1", "?since_epoch=7"} {
		assert.Equal(t, string(set), string(is.revocation(q)), q)
	}
	for _, q := range []string{"?since_epoch=-1", "?since_epoch=x", "?since_epoch="} {
		status, body := is.do(http.MethodGet, "/api/v1/v2/revocation"+q, "", bearer)
		requireDetail(t, http.StatusUnprocessableEntity, "since_epoch must be a non-negative integer", status, body)
	}
}

// TestDeltasChain revokes and restores the test license and checks that
// every delta the issuer answers applies to the set it was asked from.
func TestDeltasChain(t *testing.T) {
	is := start(t)
	r := ring(t)
	set1 := is.revocation("")
	now := start0.Add(10 * time.Minute)
	is.control("/_test/clock", `{"now":"2026-03-01T00:10:00Z"}`)
	is.control("/_test/revoke", `{"license_id":"`+testissuer.LicenseID+`"}`)
	d12 := is.revocation("?since_epoch=1")
	is.control("/_test/restore", `{"license_id":"`+testissuer.LicenseID+`"}`)
	d23 := is.revocation("?since_epoch=2")
	d13 := is.revocation("?since_epoch=1")

	base := checkSet(t, set1, verify.RevocationOptions{Now: now})
	require.True(t, base.Valid, base.Message)
	at2, err := base.Set.ApplyDelta(d12, r, verify.RevocationOptions{Now: now, MinEpoch: 2})
	require.NoError(t, err)
	require.Equal(t, verify.CodeOK, at2.Code, at2.Message)
	assert.Equal(t, int64(2), at2.Epoch)
	assert.Equal(t, verify.LookupRevoked, at2.Set.Lookup(testissuer.LicenseID, now).Status)

	at3, err := at2.Set.ApplyDelta(d23, r, verify.RevocationOptions{Now: now, MinEpoch: 3})
	require.NoError(t, err)
	require.Equal(t, verify.CodeOK, at3.Code, at3.Message)
	assert.Equal(t, verify.LookupNotRevoked, at3.Set.Lookup(testissuer.LicenseID, now).Status)

	// One delta over both changes nets out to nothing, at epoch 3.
	var d struct {
		Epoch, SinceEpoch int64
		Added, Removed    []string
	}
	require.NoError(t, json.Unmarshal(d13, &d))
	assert.Equal(t, []string{}, d.Added)
	assert.Equal(t, []string{}, d.Removed)
	chain, err := verify.RevocationChain(set1, [][]byte{d13}, r, verify.RevocationOptions{Now: now, MinEpoch: 3})
	require.NoError(t, err)
	require.Equal(t, verify.CodeOK, chain.Code, chain.Message)
	assert.Equal(t, int64(3), chain.Epoch)

	// From epoch 0, which revoked nothing, the delta adds the initial id.
	d01 := is.revocation("?since_epoch=0")
	require.NoError(t, json.Unmarshal(d01, &d))
	assert.Equal(t, []string{testissuer.RevokedLicenseID}, d.Added)
	assert.Equal(t, int64(0), d.SinceEpoch)
	assert.Equal(t, int64(3), d.Epoch)
}

func TestRevokedLicenseProof(t *testing.T) {
	is := start(t)
	is.control("/_test/revoke", `{"license_id":"`+testissuer.LicenseID+`"}`)
	res := checkProof(t, is.proof(noDevice), verify.StatusProofOptions{Now: start0, MinEpoch: 2})
	assert.Equal(t, verify.CodeRevoked, res.Code)
	assert.Equal(t, int64(2), res.Epoch)
	require.NotNil(t, res.StoreEpoch)

	status, body := is.do(http.MethodPost, "/_test/revoke", `{"license_id":"`+testissuer.LicenseID+`"}`, "")
	requireDetail(t, http.StatusConflict, "License already revoked", status, body)
	is.control("/_test/restore", `{"license_id":"`+testissuer.LicenseID+`"}`)
	status, body = is.do(http.MethodPost, "/_test/restore", `{"license_id":"`+testissuer.LicenseID+`"}`, "")
	requireDetail(t, http.StatusConflict, "License is not revoked", status, body)
	status, body = is.do(http.MethodPost, "/_test/revoke", `{"license_id":"nobody"}`, "")
	requireDetail(t, http.StatusNotFound, "License not found: nobody", status, body)
	res = checkProof(t, is.proof(noDevice), verify.StatusProofOptions{Now: start0, MinEpoch: 3})
	assert.Equal(t, verify.CodeOK, res.Code, res.Message)
}

func TestClockAndReset(t *testing.T) {
	is := start(t)
	is.control("/_test/clock", `{"now":"2026-04-01T12:00:00+02:00"}`)
	is.control("/_test/revoke", `{"license_id":"`+testissuer.LicenseID+`"}`)
	is.control("/_test/mode", `{"proof":"error500","revocation":"down"}`)
	later := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	res := checkProof(t, mustOK(t, is, "/_test/proof"), verify.StatusProofOptions{Now: later})
	assert.Equal(t, later, res.CheckedAt)
	status, body := is.do(http.MethodPost, "/_test/clock", `{"now":"2026-04-01 12:00:00Z"}`, "")
	requireDetail(t, http.StatusBadRequest, `now: not an RFC 3339 time: "2026-04-01 12:00:00Z"`, status, body)

	is.control("/_test/reset", "")
	assert.Equal(t, testissuer.Hits{}, is.hits())
	res = checkProof(t, is.proof(noDevice), verify.StatusProofOptions{Now: start0})
	require.Equal(t, verify.CodeOK, res.Code, res.Message)
	assert.Equal(t, start0, res.CheckedAt)
	assert.Equal(t, int64(1), res.Epoch)
	set := checkSet(t, is.revocation(""), verify.RevocationOptions{Now: start0})
	assert.Equal(t, int64(1), set.Epoch)
}

func mustOK(t *testing.T, is *issuer, path string) []byte {
	t.Helper()
	status, b := is.do(http.MethodGet, path, "", "")
	require.Equal(t, http.StatusOK, status, "%s", b)
	return b
}

// TestTestDocuments: /_test/set and /_test/proof are what the seeds'
// endpoints would serve (Ed25519 is deterministic, so the very bytes),
// and they are not counted.
func TestTestDocuments(t *testing.T) {
	is := start(t)
	assert.Equal(t, string(is.revocation("")), string(mustOK(t, is, "/_test/set")))
	assert.Equal(t, string(is.proof(withDevice)), string(mustOK(t, is, "/_test/proof")))
	assert.Equal(t, testissuer.Hits{Proof: 1, Revocation: 1}, is.hits())
}

func TestHits(t *testing.T) {
	is := start(t)
	is.proof(noDevice)
	is.do(http.MethodPost, "/api/v1/v2/status-proof", noDevice, "") // 401 counts too
	is.revocation("")
	is.revocation("?since_epoch=0")
	is.revocation("?since_epoch=1")
	mustOK(t, is, "/_test/set")
	assert.Equal(t, testissuer.Hits{Proof: 2, Revocation: 3}, is.hits())
	is.control("/_test/mode", `{"proof":"down"}`)
	_, _, err := is.try(http.DefaultClient, http.MethodPost, "/api/v1/v2/status-proof", noDevice, bearer)
	require.Error(t, err)
	assert.Equal(t, testissuer.Hits{Proof: 3, Revocation: 3}, is.hits(), "a request the server drops is still received")
}

// TestDownCountsOneHit: a client that kept a connection from an earlier
// answer and retries a dropped idempotent request on it (Go's transport
// does) still makes one request, since no connection outlives its answer.
func TestDownCountsOneHit(t *testing.T) {
	is := start(t)
	client := &http.Client{Transport: &http.Transport{}}
	_, _, err := is.try(client, http.MethodGet, "/api/v1/v2/revocation", "", bearer)
	require.NoError(t, err)
	is.control("/_test/mode", `{"revocation":"down"}`)
	_, _, err = is.try(client, http.MethodGet, "/api/v1/v2/revocation", "", bearer)
	require.Error(t, err)
	assert.Equal(t, testissuer.Hits{Revocation: 2}, is.hits())
}

func TestModes(t *testing.T) {
	ahead := start0.Add(time.Minute)
	t.Run("down", func(t *testing.T) {
		is := start(t)
		is.control("/_test/mode", `{"proof":"down","revocation":"down"}`)
		for _, p := range []string{"/api/v1/v2/status-proof", "/api/v1/v2/revocation"} {
			method := http.MethodGet
			if strings.HasSuffix(p, "proof") {
				method = http.MethodPost
			}
			_, _, err := is.try(http.DefaultClient, method, p, noDevice, bearer)
			require.Error(t, err, "no answer from %s", p)
		}
		// The control endpoints still answer, and mode ok brings it back.
		is.control("/_test/mode", `{"proof":"ok","revocation":"ok"}`)
		is.proof(noDevice)
		is.revocation("")
	})
	t.Run("slow", func(t *testing.T) {
		is := start(t)
		is.control("/_test/mode", `{"proof":"slow","revocation":"slow"}`)
		// A client that waits less than the delay gets nothing...
		impatient := &http.Client{Timeout: 200 * time.Millisecond}
		_, _, err := is.try(impatient, http.MethodPost, "/api/v1/v2/status-proof", noDevice, bearer)
		require.Error(t, err)
		// ...one that waits gets the normal answer.
		res := checkProof(t, is.proof(noDevice), verify.StatusProofOptions{Now: start0})
		assert.Equal(t, verify.CodeOK, res.Code, res.Message)
		assert.Equal(t, verify.CodeOK, checkSet(t, is.revocation(""), verify.RevocationOptions{Now: start0}).Code)
	})
	t.Run("error500", func(t *testing.T) {
		is := start(t)
		is.control("/_test/mode", `{"proof":"error500","revocation":"error500"}`)
		status, body := is.do(http.MethodPost, "/api/v1/v2/status-proof", noDevice, bearer)
		requireDetail(t, http.StatusInternalServerError, "Internal Server Error (test mode error500)", status, body)
		status, body = is.do(http.MethodGet, "/api/v1/v2/revocation?since_epoch=0", "", bearer)
		requireDetail(t, http.StatusInternalServerError, "Internal Server Error (test mode error500)", status, body)
	})
	t.Run("bad_signature", func(t *testing.T) {
		is := start(t)
		is.control("/_test/mode", `{"proof":"bad_signature","revocation":"bad_signature"}`)
		assert.Equal(t, verify.CodeBadSignature, checkProof(t, is.proof(noDevice), verify.StatusProofOptions{Now: ahead}).Code)
		assert.Equal(t, verify.CodeBadSignature, checkSet(t, is.revocation(""), verify.RevocationOptions{Now: ahead}).Code)
		delta := is.revocation("?since_epoch=0")
		// A delta is checked against its base: the genuine set at epoch 0,
		// which old_epoch serves at epoch 1.
		is.control("/_test/mode", `{"revocation":"old_epoch"}`)
		set0 := checkSet(t, is.revocation(""), verify.RevocationOptions{Now: ahead})
		require.Equal(t, verify.CodeOK, set0.Code, set0.Message)
		require.Equal(t, int64(0), set0.Epoch)
		res, err := set0.Set.ApplyDelta(delta, ring(t), verify.RevocationOptions{Now: ahead})
		require.NoError(t, err)
		assert.Equal(t, verify.CodeBadSignature, res.Code)
	})
	t.Run("other_license", func(t *testing.T) {
		is := start(t)
		is.control("/_test/mode", `{"proof":"other_license"}`)
		answer := is.proof(withDevice)
		res := checkProof(t, answer, verify.StatusProofOptions{Now: ahead, LicenseID: testissuer.LicenseID, Fingerprint: []byte(testissuer.Fingerprint)})
		assert.Equal(t, verify.CodeLicenseMismatch, res.Code)
		res = checkProof(t, answer, verify.StatusProofOptions{Now: ahead, Fingerprint: []byte(testissuer.Fingerprint)})
		assert.Equal(t, verify.CodeOK, res.Code, "a genuine proof: %s", res.Message)
		assert.Equal(t, testissuer.OtherLicenseID, res.LicenseID)
	})
	t.Run("old_epoch", func(t *testing.T) {
		is := start(t)
		is.control("/_test/revoke", `{"license_id":"`+testissuer.LicenseID+`"}`)
		is.control("/_test/mode", `{"revocation":"old_epoch"}`)
		for _, q := range []string{"", "?since_epoch=1", "?since_epoch=2"} {
			old := is.revocation(q)
			res := checkSet(t, old, verify.RevocationOptions{Now: ahead})
			require.Equal(t, verify.CodeOK, res.Code, "genuine: %s", res.Message)
			assert.Equal(t, int64(1), res.Epoch, q)
			assert.Equal(t, verify.LookupNotRevoked, res.Set.Lookup(testissuer.LicenseID, ahead).Status, "the set as it was at epoch 1")
			assert.Equal(t, verify.CodeEpochRollback, checkSet(t, old, verify.RevocationOptions{Now: ahead, MinEpoch: 2}).Code)
		}
	})
	t.Run("unchained_delta", func(t *testing.T) {
		is := start(t)
		is.control("/_test/revoke", `{"license_id":"`+testissuer.LicenseID+`"}`)
		cached := checkSet(t, mustOK(t, is, "/_test/set"), verify.RevocationOptions{Now: ahead})
		require.Equal(t, int64(2), cached.Epoch)
		is.control("/_test/mode", `{"revocation":"unchained_delta"}`)
		for _, q := range []string{"?since_epoch=2", ""} {
			var d struct {
				SinceEpoch *int64 `json:"since_epoch"`
			}
			delta := is.revocation(q)
			require.NoError(t, json.Unmarshal(delta, &d))
			require.NotNil(t, d.SinceEpoch, "a delta, even when a full set was asked for")
			assert.Equal(t, int64(1), *d.SinceEpoch)
			res, err := cached.Set.ApplyDelta(delta, ring(t), verify.RevocationOptions{Now: ahead})
			require.NoError(t, err)
			assert.Equal(t, verify.CodeDeltaBaseMismatch, res.Code, q)
		}
		// Asked from epoch 0, it starts at the current epoch instead.
		delta := is.revocation("?since_epoch=0")
		res, err := cached.Set.ApplyDelta(delta, ring(t), verify.RevocationOptions{Now: ahead})
		require.NoError(t, err)
		assert.Equal(t, verify.CodeOK, res.Code, "signed, and chains onto epoch 2, not 0: %s", res.Message)
	})
	t.Run("unknown", func(t *testing.T) {
		is := start(t)
		for body, want := range map[string]string{
			`{"proof":"old_epoch"}`:           `unknown proof mode "old_epoch"`,
			`{"revocation":"other_license"}`:  `unknown revocation mode "other_license"`,
			`{"proof":"ok","revocation":"x"}`: `unknown revocation mode "x"`,
		} {
			status, b := is.do(http.MethodPost, "/_test/mode", body, "")
			requireDetail(t, http.StatusBadRequest, want, status, b)
		}
		is.proof(noDevice) // the refused change left mode ok
	})
}

// TestSlowCancelled: a client that gives up on a slow answer frees the
// handler, and the server keeps answering others meanwhile.
func TestSlowCancelled(t *testing.T) {
	is := start(t)
	is.control("/_test/mode", `{"revocation":"slow"}`)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, is.url+"/api/v1/v2/revocation", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", bearer)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for is.hits().Revocation == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	is.proof(noDevice) // answered while the slow one waits
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// TestConcurrent runs changes and fetches at once; with -race it checks
// that the state is guarded, and every answer still verifies.
func TestConcurrent(t *testing.T) {
	is := start(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if i == 0 {
					path := "/_test/revoke"
					if j%2 == 1 {
						path = "/_test/restore"
					}
					is.control(path, `{"license_id":"`+testissuer.LicenseID+`"}`)
					continue
				}
				res := checkSet(t, is.revocation(""), verify.RevocationOptions{Now: start0})
				assert.Equal(t, verify.CodeOK, res.Code, res.Message)
				p := checkProof(t, is.proof(noDevice), verify.StatusProofOptions{Now: start0})
				assert.Contains(t, []verify.Code{verify.CodeOK, verify.CodeRevoked}, p.Code)
			}
		}(i)
	}
	wg.Wait()
	assert.Equal(t, testissuer.Hits{Proof: 70, Revocation: 70}, is.hits())
	assert.Equal(t, verify.LookupNotRevoked,
		checkSet(t, is.revocation(""), verify.RevocationOptions{Now: start0}).Set.Lookup(testissuer.LicenseID, start0).Status)
}
