package host

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Transport fetches documents from the issuer for a [Session]. Each
// method returns the document's exact bytes, or an error; what the bytes
// are worth is decided by the accept op, never by the transport.
type Transport interface {
	// FetchProof fetches a status proof.
	FetchProof(ctx context.Context, req ProofRequest) ([]byte, error)
	// FetchRevocation fetches the revocation set: a delta from
	// sinceEpoch, or the full set when sinceEpoch is nil.
	FetchRevocation(ctx context.Context, sinceEpoch *int64) ([]byte, error)
}

// ProofRequest is what a status proof is asked for.
type ProofRequest struct {
	LicenseID string
	// Fingerprint is the device's fingerprint components (a JSON object),
	// nil for a proof bound to no device.
	Fingerprint json.RawMessage
	// TTLHours is the lifetime asked for, in hours.
	TTLHours int
}

// Response size bounds of [HTTPTransport]: a status proof's and a
// revocation set's input limits (docs/formats.md).
const (
	MaxProofResponse = 1 << 20
	MaxSetResponse   = 64 << 20
)

// DefaultTimeout is an [HTTPTransport]'s timeout unless it says otherwise.
const DefaultTimeout = 10 * time.Second

// HTTPTransport is the seeds' issuer API over net/http:
//
//	POST {BaseURL}/api/v1/v2/status-proof  {"license_id", "device_fingerprint"?, "ttl_hours"}
//	GET  {BaseURL}/api/v1/v2/revocation[?since_epoch=N]
//
// with "Authorization: Bearer {APIKey}". A request gets Timeout (zero:
// [DefaultTimeout]) from sending to the last byte of the answer. An
// answer larger than [MaxProofResponse] or [MaxSetResponse] is an error
// (the rest is not read), and so is any status but 2xx: an [*HTTPError]
// with the status and the body's detail.
type HTTPTransport struct {
	BaseURL string
	APIKey  string
	Timeout time.Duration
	// Client sends the requests; nil means a client like
	// http.DefaultClient (proxies from the environment) that keeps no
	// idle connection and follows no redirect. A due fetch then makes exactly one request: on a
	// kept connection the server has closed, net/http sends a GET again,
	// and a fetch a few minutes after the last finds most kept
	// connections closed.
	Client *http.Client
}

// oneShot is HTTPTransport's default client.
var oneShot = sync.OnceValue(func() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	// A redirect is an answer, not followed: followed, it would turn the
	// proof's POST into a GET to wherever it points. The 3xx is then a
	// failure with its status, as in the npm and Python transports.
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
})

// HTTPError is a non-2xx answer of the issuer.
type HTTPError struct {
	// Endpoint is the path asked for, without the base and the query.
	Endpoint string
	// Status is the HTTP status code.
	Status int
	// Detail is the body's "detail" member (the seeds' error bodies): a
	// string as it is, anything else as its JSON text; empty when the
	// body has none. At most 1,024 bytes of it are kept.
	Detail string
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("host: %s: HTTP %d", e.Endpoint, e.Status)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// FetchProof posts req to the status-proof endpoint.
func (t *HTTPTransport) FetchProof(ctx context.Context, req ProofRequest) ([]byte, error) {
	body := struct {
		LicenseID   string          `json:"license_id"`
		Fingerprint json.RawMessage `json:"device_fingerprint,omitempty"`
		TTLHours    int             `json:"ttl_hours"`
	}{req.LicenseID, req.Fingerprint, req.TTLHours}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("host: status-proof request: %w", err)
	}
	return t.do(ctx, http.MethodPost, "/api/v1/v2/status-proof", "", data, MaxProofResponse)
}

// FetchRevocation gets the revocation endpoint, with since_epoch when
// sinceEpoch is not nil.
func (t *HTTPTransport) FetchRevocation(ctx context.Context, sinceEpoch *int64) ([]byte, error) {
	query := ""
	if sinceEpoch != nil {
		query = "since_epoch=" + strconv.FormatInt(*sinceEpoch, 10)
	}
	return t.do(ctx, http.MethodGet, "/api/v1/v2/revocation", query, nil, MaxSetResponse)
}

func (t *HTTPTransport) do(ctx context.Context, method, endpoint, query string, body []byte, limit int64) ([]byte, error) {
	base, err := url.Parse(t.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("host: HTTPTransport.BaseURL %q is not an http or https URL", t.BaseURL)
	}
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + endpoint
	u.RawPath = ""
	u.RawQuery = query
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("host: %s: %w", endpoint, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if t.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+t.APIKey)
	}
	client := t.Client
	if client == nil {
		client = oneShot()
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("host: %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// An error body is only read for its detail: 64 KiB is plenty.
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, &HTTPError{Endpoint: endpoint, Status: resp.StatusCode, Detail: detail(data)}
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("host: %s: the answer is %d bytes, over the limit of %d", endpoint, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("host: %s: reading the answer: %w", endpoint, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("host: %s: the answer is over the limit of %d bytes", endpoint, limit)
	}
	return data, nil
}

// detail is the "detail" member of an error body, shortened to 1,024
// bytes at a character boundary; empty when there is none.
func detail(body []byte) string {
	var v struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Detail) == 0 || string(v.Detail) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v.Detail, &s) != nil {
		s = string(v.Detail)
	}
	if len(s) > 1024 {
		i := 1024
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}
