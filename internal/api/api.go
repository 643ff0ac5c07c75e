// Package api is the request/response codec every runtime shares: one JSON
// request in, one JSON response out. The wasm module exports it, the Go
// host and the npm package call it through the module, and the test
// vectors are written in its request form, so that every runtime answers
// the same bytes for the same request. The format is documented in
// wasm/ABI.md.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/licverify/licverify/verify"
)

// MaxRequest bounds a request: the largest document (a 64 MiB revocation
// set) plus room for its JSON string escaping and the other members.
const MaxRequest = 96 << 20

// handler decodes the op's request members and returns the result value to
// encode. An error is a misuse of the request, never a verification
// failure: those are results.
type handler func(req json.RawMessage) (any, error)

var handlers = map[string]handler{}

func register(op string, h handler) { handlers[op] = h }

// RequestError is a request the module cannot act on: unknown op, missing
// or mistyped members, no keys. Runtimes surface it as an exception or Go
// error, never as a result.
type RequestError struct{ Message string }

func (e *RequestError) Error() string { return "licverify: bad request: " + e.Message }

func badRequest(format string, args ...any) error {
	return &RequestError{Message: fmt.Sprintf(format, args...)}
}

// errorResponse is the response for a RequestError.
type errorResponse struct {
	Error string `json:"error"`
}

// Handle answers one request. The response is a result object (it has a
// "valid" member) or {"error": "..."} for a bad request.
func Handle(req []byte) []byte {
	out, err := handle(req)
	if err != nil {
		var re *RequestError
		if !errors.As(err, &re) {
			re = &RequestError{Message: err.Error()}
		}
		out, _ = json.Marshal(errorResponse{Error: re.Error()})
		return out
	}
	return out
}

func handle(req []byte) ([]byte, error) {
	if len(req) > MaxRequest {
		return nil, badRequest("request is %d bytes, limit is %d", len(req), MaxRequest)
	}
	var head struct {
		Op *string `json:"op"`
	}
	if err := json.Unmarshal(req, &head); err != nil {
		return nil, badRequest("request is not a JSON object: %v", err)
	}
	if head.Op == nil {
		return nil, badRequest("request has no op")
	}
	h, ok := handlers[*head.Op]
	if !ok {
		return nil, badRequest("unknown op %q", *head.Op)
	}
	res, err := h(req)
	if err != nil {
		return nil, err
	}
	return marshal(res)
}

// marshal encodes a result without HTML escaping, so that a result holds
// the same characters in every runtime's JSON.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// decode reads the op's members into v, refusing unknown members so that a
// misspelt option is an error rather than silently ignored.
func decode(req json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(req))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("%v", err)
	}
	return nil
}

// parseNow reads the request's required "now".
func parseNow(now *string) (time.Time, error) {
	if now == nil {
		return time.Time{}, badRequest("now is required")
	}
	t, err := time.Parse(time.RFC3339Nano, *now)
	if err != nil {
		return time.Time{}, badRequest("now %q is not an RFC 3339 time", *now)
	}
	return t, nil
}

// parseKeys loads the request's keyring. A keyring that loads but is
// refused (weak key, unsupported alg) is a result; an absent one is misuse.
func parseKeys(keys *string) (*verify.Keyring, *verify.Result, error) {
	if keys == nil {
		return nil, nil, badRequest("keys is required")
	}
	if ring := cachedKeyring(*keys); ring != nil {
		return ring, nil, nil
	}
	ring, err := verify.ParseKeyring([]byte(*keys))
	if err != nil {
		if errors.Is(err, verify.ErrMisuse) {
			return nil, nil, badRequest("%v", err)
		}
		r := verify.Rejected(err)
		return nil, &r, nil
	}
	cacheKeyring(*keys, ring)
	return ring, nil, nil
}
