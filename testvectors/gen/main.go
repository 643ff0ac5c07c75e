// Command gen writes the licverify test vector files. It is deterministic:
// keys come from fixed seeds, times are fixed, and nothing random or
// clock-derived is used, so `make vectors` reproduces the committed files
// byte for byte.
//
// Expected results are derived from how each vector is built (the rule of
// the specification it exercises), never by running the verifier.
// Documents are signed over canonical bytes produced here with
// encoding/json (sorted map keys, no HTML escaping), independently of the
// canonical package under test; canon refuses values for which that would
// not be RFC 8785. The issuers topic is the exception: its documents are
// files other producers wrote (issuers/, read with -issuers), and their
// expectations come from what each manifest says the issuer was told.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"unicode/utf8"
)

// topic is one vector file.
type topic struct {
	name  string
	notes map[string]string
	tests func() []test
}

var topics []topic

func register(t topic) { topics = append(topics, t) }

// test is one vector; request and expected are written as JSON objects.
type test struct {
	ID       string         `json:"id"`
	Comment  string         `json:"comment"`
	Flags    []string       `json:"flags"`
	Request  map[string]any `json:"request"`
	Expected map[string]any `json:"expected"`
	Pad      *pad           `json:"pad,omitempty"`
}

// pad makes a part exactly To bytes long with trailing tabs when the
// vector is run, so that a vector at a 64 MiB limit needs no 64 MiB file.
type pad struct {
	Member string `json:"member"`
	To     int    `json:"to"`
}

type file struct {
	Schema string            `json:"schema"`
	Topic  string            `json:"topic"`
	Notes  map[string]string `json:"notes"`
	Tests  []test            `json:"tests"`
}

func main() {
	out := flag.String("out", ".", "directory to write the vector files to")
	flag.Parse()
	sort.Slice(topics, func(i, j int) bool { return topics[i].name < topics[j].name })
	for _, tp := range topics {
		tests := tp.tests()
		for i := range tests {
			if tests[i].Flags == nil {
				tests[i].Flags = []string{}
			}
			if tests[i].ID == "" {
				log.Fatalf("%s: test %d has no id", tp.name, i)
			}
		}
		data := encode(file{Schema: "licverify-vectors-v2", Topic: tp.name, Notes: tp.notes, Tests: tests}, "  ")
		name := filepath.Join(*out, tp.name+".json")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d vectors\n", name, len(tests))
	}
}

// encode writes v as JSON without HTML escaping, indented when indent is
// not empty, with a final newline only when indented.
func encode(v any, indent string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		log.Fatal(err)
	}
	if indent == "" {
		return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
	}
	return b.Bytes()
}

// canon returns the RFC 8785 form of v, a tree of maps, slices, strings,
// bools, nil and integers. encoding/json sorts map keys by bytes, which is
// RFC 8785's UTF-16 order for ASCII keys; other values (non-ASCII names,
// U+2028, numbers that are not integers) would need the canonical package
// itself, so they are refused.
func canon(v any) []byte {
	b := encode(v, "")
	// encoding/json writes non-ASCII characters as they are, as RFC 8785
	// §3.2.2.2 does, except U+2028 and U+2029, which it escapes.
	if !utf8.Valid(b) || bytes.ContainsRune(b, '\u2028') || bytes.ContainsRune(b, '\u2029') {
		log.Fatalf("canon: %s needs the canonical package; write such documents as raw text", b)
	}
	var check func(any)
	check = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				for _, c := range []byte(k) {
					if c >= 0x80 {
						log.Fatalf("canon: non-ASCII member name %q sorts by UTF-16; write such documents as raw text", k)
					}
				}
				check(e)
			}
		case []any:
			for _, e := range x {
				check(e)
			}
		case []string, string, bool, nil, int, int64:
		default:
			log.Fatalf("canon: value of type %T; write such documents as raw text", x)
		}
	}
	check(v)
	return b
}

// text is the compact JSON text of a document, as a vector carries it.
func text(v any) string { return string(encode(v, "")) }

// privateKey derives a fixed test key from its name.
func privateKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licverify test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func publicB64(name string) string {
	return base64.StdEncoding.EncodeToString(privateKey(name).Public().(ed25519.PublicKey))
}

// ringKey is one entry of a native keyring.
type ringKey struct {
	kid, name           string // name selects the key seed
	notBefore, notAfter string
}

// keyring returns the native keyring text for keys.
func keyring(keys ...ringKey) string {
	list := make([]any, 0, len(keys))
	for _, k := range keys {
		m := map[string]any{"kid": k.kid, "alg": "ed25519", "public_key": publicB64(k.name)}
		if k.notBefore != "" {
			m["not_before"] = k.notBefore
		}
		if k.notAfter != "" {
			m["not_after"] = k.notAfter
		}
		list = append(list, m)
	}
	return text(list)
}

// clone copies a document tree so that tampering one copy leaves the other.
func clone(v map[string]any) map[string]any {
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(encode(v, "")))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		log.Fatal(err)
	}
	return fixNumbers(out).(map[string]any)
}

func fixNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = fixNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fixNumbers(e)
		}
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			log.Fatalf("clone: non-integer number %s", x)
		}
		return n
	}
	return v
}

// sign returns a copy of doc with "signature" set to the standard base64
// Ed25519 signature of its canonical form without any signature member.
func sign(doc map[string]any, keyName string) map[string]any {
	out := clone(doc)
	delete(out, "signature")
	sig := ed25519.Sign(privateKey(keyName), canon(out))
	out["signature"] = base64.StdEncoding.EncodeToString(sig)
	return out
}

// keyringErr is the expectation of a keyring that does not load: the
// host's configuration is wrong, so every runtime raises an error that
// carries the code, never a result that looks like a bad document.
func keyringErr(code string) map[string]any { return map[string]any{"error": "keyring", "code": code} }
