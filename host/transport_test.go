package host

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

// issuerServer starts the test issuer on a loopback port.
func issuerServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(testissuer.New())
	t.Cleanup(srv.Close)
	return srv
}

// TestHTTPTransportFetches: the seeds' requests reach the issuer as it
// expects them (bearer key, body, since_epoch), and the answers are
// documents that verify: a proof bound to the fingerprint sent, a full set,
// a delta from the epoch asked for.
func TestHTTPTransportFetches(t *testing.T) {
	srv := issuerServer(t)
	ctx := context.Background()
	tr := &HTTPTransport{BaseURL: srv.URL + "/", APIKey: testissuer.APIKey}
	fp := json.RawMessage(testissuer.Fingerprint)
	data, err := tr.FetchProof(ctx, ProofRequest{LicenseID: testissuer.LicenseID, Fingerprint: fp, TTLHours: 12})
	require.NoError(t, err)
	keys, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	require.NoError(t, err)
	res, err := verify.StatusProof(data, keys, verify.StatusProofOptions{Now: testissuer.Start, LicenseID: testissuer.LicenseID, Fingerprint: fp})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	require.True(t, res.Bound)
	require.Equal(t, 12*time.Hour, res.ValidUntil.Sub(res.CheckedAt))

	set, err := tr.FetchRevocation(ctx, nil)
	require.NoError(t, err)
	sres, err := verify.RevocationSet(set, keys, verify.RevocationOptions{Now: testissuer.Start})
	require.NoError(t, err)
	require.True(t, sres.Valid, sres.Message)
	require.EqualValues(t, 1, sres.Epoch)

	zero := int64(0)
	delta, err := tr.FetchRevocation(ctx, &zero)
	require.NoError(t, err)
	var d struct {
		SinceEpoch *int64 `json:"since_epoch"`
	}
	require.NoError(t, json.Unmarshal(delta, &d))
	require.NotNil(t, d.SinceEpoch)
	require.EqualValues(t, 0, *d.SinceEpoch)
}

// TestHTTPTransportErrors: every way an answer fails is an error, a non-2xx
// one an *HTTPError with its status and the body's detail.
func TestHTTPTransportErrors(t *testing.T) {
	srv := issuerServer(t)
	ctx := context.Background()
	good := &HTTPTransport{BaseURL: srv.URL, APIKey: testissuer.APIKey}

	t.Run("redirect not followed", func(t *testing.T) {
		// The issuer's endpoints, redirected: a client that followed would
		// get a genuine proof (by GET, which the issuer refuses) or set.
		var hits int
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits++
			http.Redirect(w, r, srv.URL+r.URL.RequestURI(), http.StatusFound)
		}))
		t.Cleanup(s.Close)
		tr := &HTTPTransport{BaseURL: s.URL, APIKey: testissuer.APIKey}
		_, err := tr.FetchProof(ctx, ProofRequest{LicenseID: testissuer.LicenseID, TTLHours: 24})
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		require.Equal(t, http.StatusFound, he.Status)
		_, err = tr.FetchRevocation(ctx, nil)
		require.ErrorAs(t, err, &he)
		require.Equal(t, http.StatusFound, he.Status)
		require.Equal(t, 2, hits)
	})
	t.Run("404 detail", func(t *testing.T) {
		_, err := good.FetchProof(ctx, ProofRequest{LicenseID: "no-such-license", TTLHours: 24})
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		require.Equal(t, http.StatusNotFound, he.Status)
		require.Equal(t, "License not found: no-such-license", he.Detail)
		require.Equal(t, "host: /api/v1/v2/status-proof: HTTP 404: License not found: no-such-license", err.Error())
	})
	t.Run("401", func(t *testing.T) {
		for key, want := range map[string]string{"": "Missing API key", "wrong": "Invalid API key"} {
			_, err := (&HTTPTransport{BaseURL: srv.URL, APIKey: key}).FetchRevocation(ctx, nil)
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			require.Equal(t, http.StatusUnauthorized, he.Status)
			require.Equal(t, want, he.Detail)
		}
	})
	t.Run("detail not a string", func(t *testing.T) {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"detail":[{"loc":["body","ttl_hours"],"msg":"bad"}]}`))
		}))
		defer s.Close()
		_, err := (&HTTPTransport{BaseURL: s.URL}).FetchRevocation(ctx, nil)
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		require.Equal(t, `[{"loc":["body","ttl_hours"],"msg":"bad"}]`, he.Detail)
	})
	t.Run("oversize body", func(t *testing.T) {
		for _, declared := range []bool{true, false} {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body := `"` + strings.Repeat("a", MaxProofResponse-1) + `"`
				if declared {
					w.Header().Set("Content-Length", "1048577")
				}
				w.Write([]byte(body)) // one byte over, sent in chunks when undeclared
			}))
			_, err := (&HTTPTransport{BaseURL: s.URL}).FetchProof(ctx, ProofRequest{LicenseID: "x"})
			require.ErrorContains(t, err, "over the limit of 1048576", "Content-Length declared: %v", declared)
			s.Close()
		}
		// Exactly at the bound is fine.
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.Repeat(" ", MaxProofResponse)))
		}))
		defer s.Close()
		data, err := (&HTTPTransport{BaseURL: s.URL}).FetchProof(ctx, ProofRequest{LicenseID: "x"})
		require.NoError(t, err)
		require.Len(t, data, MaxProofResponse)
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer s.Close()
		defer close(release)
		_, err := (&HTTPTransport{BaseURL: s.URL, Timeout: 50 * time.Millisecond}).FetchRevocation(ctx, nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.False(t, isHTTPError(err))
	})
	t.Run("connection closed", func(t *testing.T) {
		c := httpClient(t, srv.URL)
		c.post("/_test/mode", `{"revocation":"down"}`)
		_, err := good.FetchRevocation(ctx, nil)
		require.Error(t, err)
		require.False(t, isHTTPError(err))
		c.post("/_test/reset", `{}`)
	})
	t.Run("bad base URL", func(t *testing.T) {
		for _, base := range []string{"", "127.0.0.1:80", "ftp://x", "http://"} {
			_, err := (&HTTPTransport{BaseURL: base}).FetchRevocation(ctx, nil)
			require.ErrorContains(t, err, "is not an http or https URL", base)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := good.FetchRevocation(cctx, nil)
		require.True(t, errors.Is(err, context.Canceled), "%v", err)
	})
}

// testClient drives the issuer's /_test/ endpoints.
type testClient struct {
	t   testing.TB
	url string
}

func httpClient(t testing.TB, url string) *testClient { return &testClient{t, url} }

func (c *testClient) do(method, path, body string) []byte {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	require.NoError(c.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	require.Equal(c.t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, path, b)
	return b
}

func (c *testClient) post(path, body string) []byte { return c.do(http.MethodPost, path, body) }
func (c *testClient) get(path string) []byte        { return c.do(http.MethodGet, path, "") }

// isHTTPError reports whether err is an issuer's answer rather than no
// answer at all.
func isHTTPError(err error) bool {
	var he *HTTPError
	return errors.As(err, &he)
}
