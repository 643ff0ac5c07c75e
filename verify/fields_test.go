package verify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/licverify/licverify/canonical"
)

// FuzzSplitObject holds the splitter of canonical text to encoding/json:
// for every object canonical accepts, splitObject must take its canonical
// form and give the members parseFields gives, byte for byte, at every
// depth. Seeded with every document of the vector files and with names
// and strings full of the characters the splitter steps over.
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":{}}`, `{"":[]}`,
		`{"a\"}":"}\\\"","b":[1,{"c":"]"}],"\u0000":null,"d":-1.5e-7}`,
		`{"é":"\ud83d\ude00","b":[[],[[]],{"x":{"y":true}}],"c":false}`,
		`{"epoch":1,"epoch\u0000":2,"e\"poch":3,"revoked_ids":["a"],"x":{"epoch":4}}`,
	} {
		f.Add([]byte(s))
	}
	names, _ := filepath.Glob(filepath.Join("..", "testvectors", "*.json"))
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var file struct {
			Tests []struct {
				Request map[string]any `json:"request"`
			} `json:"tests"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			f.Fatal(err)
		}
		for _, tc := range file.Tests {
			for _, v := range tc.Request {
				if s, ok := v.(string); ok && strings.HasPrefix(s, "{") {
					f.Add([]byte(s))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := canonical.Transform(in, 0)
		if err != nil || c[0] != '{' {
			return
		}
		fsCompare(t, c)
		fsCompareKept(t, c, revMembers)
	})
}

// fsCompareKept: splitting with a set of names to keep gives the members
// of encoding/json whose names are in the set, and no others.
func fsCompareKept(t *testing.T, c []byte, keep *memberSet) {
	t.Helper()
	got, ok := splitObject(c, keep)
	if !ok {
		t.Fatalf("splitObject refused canonical text %q", c)
	}
	all, err := parseFields(c, "x")
	if err != nil {
		t.Fatalf("parseFields: %v", err)
	}
	want := fields{}
	for k, v := range all {
		if keeps(keep, k) {
			want[k] = v
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d members kept, want %d", c, len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !bytes.Equal(g, w) {
			t.Fatalf("%q: member %q is %q, encoding/json has %q", c, k, g, w)
		}
	}
}

func fsCompare(t *testing.T, c []byte) {
	t.Helper()
	got, ok := splitObject(c, nil)
	if !ok {
		t.Fatalf("splitObject refused canonical text %q", c)
	}
	want, err := parseFields(c, "x")
	if err != nil {
		t.Fatalf("parseFields: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d members, encoding/json has %d", c, len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !bytes.Equal(g, w) {
			t.Fatalf("%q: member %q is %q, encoding/json has %q", c, k, g, w)
		}
		if w[0] == '{' {
			fsCompare(t, w)
		}
	}
}
