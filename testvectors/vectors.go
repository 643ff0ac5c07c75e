// Package testvectors holds the shared test vectors and the strict loader
// every Go runner uses. The vector files (*.json beside this file) are
// written by the deterministic generator in ./gen (`make vectors`); the
// native, wazero, Node and Chromium runners all read the same files and
// must produce the same results.
//
// A vector's request is a request of the module's ABI (wasm/ABI.md), and
// its expected value is the response less its "message", which is for
// people and may change wording.
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
	"github.com/licverify/licverify/verify"
)

// Schema is the value of every vector file's "schema" member.
const Schema = "licverify-vectors-v1"

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
}

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
		for _, t := range f.Tests {
			if t.ID == "" || ids[t.ID] {
				return nil, fmt.Errorf("%s: empty or duplicate test id %q", f.Name, t.ID)
			}
			ids[t.ID] = true
			for _, flag := range t.Flags {
				if _, ok := f.Notes[flag]; !ok {
					return nil, fmt.Errorf("%s: test %s: flag %q is not in notes", f.Name, t.ID, flag)
				}
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

// Check compares a response of the module with a vector's expectation: the
// response must carry a non-empty message, and without it must equal
// expected as canonical JSON.
func Check(expected json.RawMessage, response []byte) error {
	var got map[string]json.RawMessage
	if err := json.Unmarshal(response, &got); err != nil {
		return fmt.Errorf("response is not a JSON object: %s", response)
	}
	var msg string
	if err := json.Unmarshal(got["message"], &msg); err != nil || strings.TrimSpace(msg) == "" {
		return fmt.Errorf("response has no message: %s", response)
	}
	delete(got, "message")
	rest, _ := json.Marshal(got)
	g, err := canonical.Transform(rest, 0)
	if err != nil {
		return fmt.Errorf("response: %v", err)
	}
	e, err := canonical.Transform(expected, 0)
	if err != nil {
		return fmt.Errorf("expected: %v", err)
	}
	if !bytes.Equal(g, e) {
		return fmt.Errorf("result differs\n got: %s\nwant: %s\n(message: %s)", g, e, msg)
	}
	return nil
}
