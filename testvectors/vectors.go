// Package testvectors holds the shared test vectors and the strict loader
// every Go runner uses. The vector files (*.json beside this file) are
// written by the deterministic generator in ./gen (`make vectors`); the
// native, wazero, Node and Chromium runners all read the same files and
// must produce the same results.
//
// A vector's request is a request of the module's ABI (wasm/ABI.md) in
// its JSON form ([api.FromJSON]): documents as JSON strings holding their
// text, or as "<member>_b64" when they are not UTF-8. Its expected value
// is the response less its "message", which is for people and may change
// wording; {"error": "bad_request"} for a request every runtime must
// refuse; or {"error": "keyring", "code": "..."} for a keyring that does
// not load.
package testvectors

//go:generate go run ./gen -out .

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
)

// Schema is the value of every vector file's "schema" member.
const Schema = "licverify-vectors-v2"

// File is one vector file: one topic.
type File struct {
	Schema string            `json:"schema"`
	Topic  string            `json:"topic"`
	Notes  map[string]string `json:"notes"`
	Tests  []Test            `json:"tests"`
	// Name is the file's base name; it is not part of the JSON.
	Name string `json:"-"`
}

// Test is one vector.
type Test struct {
	ID       string          `json:"id"`
	Comment  string          `json:"comment"`
	Flags    []string        `json:"flags"`
	Request  json.RawMessage `json:"request"`
	Expected json.RawMessage `json:"expected"`
	// Pad, when set, makes the named part exactly To bytes long by
	// appending tabs (JSON whitespace, not signed) before the request is
	// sent: a vector at a size limit without a file of that size.
	Pad *Pad `json:"pad,omitempty"`

	// Frame is the request as the module reads it: FromJSON of Request,
	// padded. It is not part of the JSON.
	Frame []byte `json:"-"`
}

// Pad is a vector's padding rule.
type Pad struct {
	Member string `json:"member"`
	To     int    `json:"to"`
}

// The "error" of an expected value that is not a result: BadRequest for a
// request the module must refuse, Keyring (with a "code") for a keyring
// that does not load.
const (
	BadRequest = "bad_request"
	Keyring    = "keyring"
)

// expectedError is the error form of an expected value.
type expectedError struct {
	Error string      `json:"error"`
	Code  verify.Code `json:"code"`
}

func (t Test) expectedError() expectedError {
	var exp expectedError
	_ = json.Unmarshal(t.Expected, &exp)
	return exp
}

// IsBadRequest reports whether a vector expects a refused request.
func (t Test) IsBadRequest() bool { return t.expectedError().Error == BadRequest }

// IsKeyringError reports whether a vector expects a keyring error.
func (t Test) IsKeyringError() bool { return t.expectedError().Error == Keyring }

// Code is the result code a vector expects, in a result or a keyring
// error; empty for a bad request.
func (t Test) Code() verify.Code { return t.expectedError().Code }

// Dir returns the directory holding the vector files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Load reads every vector file in dir strictly: an unknown member, a flag
// missing from the file's notes, an unknown result code, a duplicate id or
// an empty set is an error.
func Load(dir string) ([]File, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	known := map[verify.Code]bool{}
	for _, c := range verify.Codes {
		known[c] = true
	}
	ids := map[string]bool{}
	var files []File
	total := 0
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f File
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		f.Name = filepath.Base(name)
		if f.Schema != Schema {
			return nil, fmt.Errorf("%s: schema %q, want %q", f.Name, f.Schema, Schema)
		}
		if len(f.Tests) == 0 {
			return nil, fmt.Errorf("%s: no tests", f.Name)
		}
		for k, t := range f.Tests {
			if t.ID == "" || ids[t.ID] {
				return nil, fmt.Errorf("%s: empty or duplicate test id %q", f.Name, t.ID)
			}
			ids[t.ID] = true
			for _, flag := range t.Flags {
				if _, ok := f.Notes[flag]; !ok {
					return nil, fmt.Errorf("%s: test %s: flag %q is not in notes", f.Name, t.ID, flag)
				}
			}
			frame, err := buildFrame(t)
			if err != nil {
				return nil, fmt.Errorf("%s: test %s: %v", f.Name, t.ID, err)
			}
			f.Tests[k].Frame = frame
			if t.IsBadRequest() {
				if !bytes.Equal(compact(t.Expected), []byte(`{"error":"bad_request"}`)) {
					return nil, fmt.Errorf("%s: test %s: a bad-request expectation is exactly {\"error\": \"bad_request\"}", f.Name, t.ID)
				}
				continue
			}
			if t.IsKeyringError() {
				var members map[string]json.RawMessage
				_ = json.Unmarshal(t.Expected, &members)
				if len(members) != 2 || !known[t.Code()] || t.Code() == verify.CodeOK {
					return nil, fmt.Errorf("%s: test %s: a keyring expectation is exactly {\"error\": \"keyring\", \"code\": a result code}", f.Name, t.ID)
				}
				continue
			}
			var exp struct {
				Valid *bool        `json:"valid"`
				Code  *verify.Code `json:"code"`
			}
			if err := json.Unmarshal(t.Expected, &exp); err != nil || exp.Valid == nil || exp.Code == nil {
				return nil, fmt.Errorf("%s: test %s: expected needs valid and code", f.Name, t.ID)
			}
			if !known[*exp.Code] {
				return nil, fmt.Errorf("%s: test %s: unknown code %q", f.Name, t.ID, *exp.Code)
			}
			if *exp.Valid != (*exp.Code == verify.CodeOK) {
				return nil, fmt.Errorf("%s: test %s: valid=%v with code %q", f.Name, t.ID, *exp.Valid, *exp.Code)
			}
			if bytes.Contains(t.Expected, []byte(`"message"`)) {
				return nil, fmt.Errorf("%s: test %s: expected must not pin the message", f.Name, t.ID)
			}
		}
		total += len(f.Tests)
		files = append(files, f)
	}
	if total == 0 {
		return nil, fmt.Errorf("no vectors found in %s", dir)
	}
	return files, nil
}

// buildFrame is FromJSON of the vector's request, with its padding
// applied to the framed part (padding the JSON string instead would
// double it, since every tab is escaped there).
func buildFrame(t Test) ([]byte, error) {
	frame, err := api.FromJSON(t.Request)
	if err != nil || t.Pad == nil {
		return frame, err
	}
	header, parts, err := api.SplitFrame(frame)
	if err != nil {
		return nil, err
	}
	padded := false
	for i, p := range parts {
		if p.Name != t.Pad.Member {
			continue
		}
		if padded || len(p.Data) > t.Pad.To {
			return nil, fmt.Errorf("pad: %s is not one part of at most %d bytes", t.Pad.Member, t.Pad.To)
		}
		data := make([]byte, t.Pad.To)
		copy(data, p.Data)
		for k := len(p.Data); k < len(data); k++ {
			data[k] = '\t'
		}
		parts[i].Data, padded = data, true
	}
	if !padded {
		return nil, fmt.Errorf("pad: no part %s", t.Pad.Member)
	}
	return api.Frame(header, parts...), nil
}

func compact(b []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return nil
	}
	return out.Bytes()
}

// Check compares a response of the module with a vector's expectation: the
// response must carry a non-empty message, and without it, and without the
// message of every result nested in it (an object with a "valid" member,
// as the lifecycle ops answer), must equal expected as canonical JSON. For {"error": "bad_request"}, the response
// must be a bad-request error.
func Check(expected json.RawMessage, response []byte) error {
	var got map[string]json.RawMessage
	if err := json.Unmarshal(response, &got); err != nil {
		return fmt.Errorf("response is not a JSON object: %s", response)
	}
	var exp expectedError
	_ = json.Unmarshal(expected, &exp)
	switch exp.Error {
	case BadRequest:
		var msg string
		if json.Unmarshal(got["error"], &msg) != nil || !strings.HasPrefix(msg, "licverify: bad request: ") {
			return fmt.Errorf("want a bad request error, got %s", response)
		}
		return nil
	case Keyring:
		var resp expectedError
		_ = json.Unmarshal(response, &resp)
		if !strings.HasPrefix(resp.Error, "licverify: keyring: ") || resp.Code != exp.Code || len(got) != 2 {
			return fmt.Errorf("want a keyring error with code %s, got %s", exp.Code, response)
		}
		return nil
	}
	var msg string
	if err := json.Unmarshal(got["message"], &msg); err != nil || strings.TrimSpace(msg) == "" {
		return fmt.Errorf("response has no message: %s", response)
	}
	delete(got, "message")
	rest, err := withoutNestedMessages(got)
	if err != nil {
		return fmt.Errorf("response: %v", err)
	}
	g, err := canonical.Transform(rest, len(rest))
	if err != nil {
		return fmt.Errorf("response: %v", err)
	}
	e, err := canonical.Transform(expected, len(expected))
	if err != nil {
		return fmt.Errorf("expected: %v", err)
	}
	if !bytes.Equal(g, e) {
		return fmt.Errorf("result differs\n got: %s\nwant: %s\n(message: %s)", g, e, msg)
	}
	return nil
}

// withoutNestedMessages writes members as JSON, less the "message" of
// every object in them that has a "valid" member: a nested result's
// message is for people, as the response's own is.
func withoutNestedMessages(members map[string]json.RawMessage) ([]byte, error) {
	var strip func(v any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["valid"]; ok {
				delete(v, "message")
			}
			for _, e := range v {
				strip(e)
			}
		case []any:
			for _, e := range v {
				strip(e)
			}
		}
	}
	out := map[string]any{}
	for k, raw := range members {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		strip(v)
		out[k] = v
	}
	return json.Marshal(out)
}
