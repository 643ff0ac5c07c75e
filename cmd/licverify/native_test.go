package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/examples/demo"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// frame is a request frame taken apart as wasm/ABI.md describes it: the
// op, the other header members as JSON text, the parts by name in order.
type frame struct {
	op     string
	header map[string]json.RawMessage
	parts  map[string][][]byte
}

func parseFrame(t *testing.T, b []byte) frame {
	t.Helper()
	header, parts, err := api.SplitFrame(b)
	require.NoError(t, err)
	f := frame{header: map[string]json.RawMessage{}, parts: map[string][][]byte{}}
	require.NoError(t, json.Unmarshal(header, &f.header))
	require.NoError(t, json.Unmarshal(f.header["op"], &f.op))
	delete(f.header, "op")
	for _, p := range parts {
		f.parts[p.Name] = append(f.parts[p.Name], p.Data)
	}
	return f
}

// cliFlags says, per op the CLI can send, which command sends it, the
// part each positional argument or file flag carries, and the flag of
// each header member. Every other member is an option the CLI lacks.
var cliFlags = map[string]struct {
	command    string
	positional []string          // parts given as positional files, in order (deltas: any number)
	fileFlags  map[string]string // part -> flag taking a file
	header     map[string]string // header member -> flag
}{
	"status_proof":   {"proof", []string{"proof"}, map[string]string{"keys": "--keys", "fingerprint": "--device"}, map[string]string{"now": "--now", "license_id": "--license-id", "min_epoch": "--min-epoch"}},
	"revocation_set": {"revocation", []string{"set", "deltas"}, map[string]string{"keys": "--keys"}, map[string]string{"now": "--now", "min_epoch": "--min-epoch", "allow_stale": "--allow-stale", "lookup": "--lookup"}},
	"license":        {"license", []string{"license"}, map[string]string{"keys": "--keys", "state": "--state"}, map[string]string{"now": "--now", "product_id": "--product", "fingerprint_hash": "--fingerprint-hash", "release_date": "--release-date", "server_time": "--server-time"}},
	"qkey":           {"qkey", []string{"qkey"}, map[string]string{"keys": "--keys"}, map[string]string{"now": "--now", "password": "--password", "package": "--package", "machine_id": "--machine-id", "allow_unsigned": "--allow-unsigned"}},
	"canonicalize":   {"canonical", []string{"document"}, nil, nil},
}

// cliArgs returns the command line that sends a vector's request, its
// parts written to files in dir, or a reason the CLI cannot send it.
func cliArgs(t *testing.T, dir string, f frame) ([]string, string) {
	spec, ok := cliFlags[f.op]
	if !ok {
		return nil, "no command sends op " + f.op
	}
	args := []string{spec.command, "--json"}
	for name, raw := range f.header {
		flag, ok := spec.header[name]
		if !ok {
			return nil, "no flag for " + name
		}
		switch name {
		case "allow_stale", "allow_unsigned":
			if string(raw) != "true" {
				return nil, name + " is not true"
			}
			args = append(args, flag)
		case "min_epoch":
			var n int64
			if json.Unmarshal(raw, &n) != nil || n < 0 {
				return nil, "min_epoch is not a whole number >= 0"
			}
			args = append(args, flag+"="+strconv.FormatInt(n, 10))
		case "lookup":
			var ids []string
			if json.Unmarshal(raw, &ids) != nil || len(ids) == 0 {
				return nil, "lookup is not a non-empty array of strings"
			}
			for _, id := range ids {
				args = append(args, flag+"="+id)
			}
		default:
			var s string
			if json.Unmarshal(raw, &s) != nil || s == "" {
				return nil, name + " is not a non-empty string"
			}
			if name == "now" {
				if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
					return nil, "now is not a time the CLI reads"
				}
			}
			args = append(args, flag+"="+s)
		}
	}
	if f.header["now"] == nil && spec.header["now"] != "" {
		return nil, "no now: the CLI would send its clock"
	}
	write := func(name string, i int, data []byte) string {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d", name, i))
		require.NoError(t, os.WriteFile(path, data, 0o600))
		return path
	}
	var files []string
	for name, parts := range f.parts {
		if flag, ok := spec.fileFlags[name]; ok {
			args = append(args, flag, write(name, 0, parts[0]))
			continue
		}
		if !contains(spec.positional, name) {
			return nil, "no flag for " + name
		}
	}
	for _, name := range spec.positional {
		for i, data := range f.parts[name] {
			files = append(files, write(name, i, data))
		}
	}
	if len(files) == 0 {
		return nil, "no document"
	}
	return append(append(args, "--"), files...), ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// exitStatus is the documented exit status of a result (main.go): 0 when
// valid, a license that runs or warns, a revocation set with no id
// revoked or suspended; 1 otherwise.
func exitStatus(t *testing.T, resp []byte) int {
	var r struct {
		Valid    bool   `json:"valid"`
		Decision string `json:"decision"`
		Lookups  []struct {
			Status string `json:"status"`
		} `json:"lookups"`
	}
	require.NoError(t, json.Unmarshal(resp, &r))
	if r.Decision != "" {
		if r.Decision == "run" || r.Decision == "warn" {
			return 0
		}
		return 1
	}
	if !r.Valid {
		return 1
	}
	for _, l := range r.Lookups {
		if l.Status != "not_revoked" {
			return 1
		}
	}
	return 0
}

// TestCLIMatchesNative: every vector whose request the command line can
// express (its parts written to files, its options as flags) prints, with
// --json, exactly the native codec's response to the vector's frame, and
// exits with the status the result calls for. Vectors needing an option
// the CLI lacks, and bad requests, are left out.
func TestCLIMatchesNative(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	dir := t.TempDir()
	identical, expressed, total := 0, 0, 0
	for _, f := range files {
		for _, tc := range f.Tests {
			total++
			if tc.IsBadRequest() {
				continue
			}
			args, why := cliArgs(t, dir, parseFrame(t, tc.Frame))
			if why != "" {
				continue
			}
			expressed++
			t.Run(tc.ID, func(t *testing.T) {
				var out, errOut bytes.Buffer
				code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
				want := api.Handle(tc.Frame)
				if tc.IsKeyringError() {
					// The operator's configuration: exit 2, nothing on
					// stdout, the keyring file and the code named.
					require.Equal(t, 2, code, "stderr: %s", errOut.String())
					require.Empty(t, out.String())
					require.Contains(t, errOut.String(), "keyring "+args[slices.Index(args, "--keys")+1]+" does not load")
					require.Contains(t, errOut.String(), "("+string(tc.Code())+")")
					identical++
					return
				}
				require.Equal(t, string(want)+"\n", out.String(), "stderr: %s", errOut.String())
				require.Equal(t, exitStatus(t, want), code, "stderr: %s", errOut.String())
				identical++
			})
		}
	}
	fmt.Printf("cli: %d/%d vectors identical to native (%d of %d need options the CLI lacks or are bad requests)\n",
		identical, expressed, total-expressed, total)
	require.Equal(t, expressed, identical)
	require.NotZero(t, expressed)
}

// validSetVector returns the set, keyring and now of the vector
// revocation/valid, a genuine signed set.
func validSetVector(t *testing.T) (set, keys []byte, now string) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	for _, f := range files {
		for _, tc := range f.Tests {
			if tc.ID == "revocation/valid" {
				fr := parseFrame(t, tc.Frame)
				require.NoError(t, json.Unmarshal(fr.header["now"], &now))
				return fr.parts["set"][0], fr.parts["keys"][0], now
			}
		}
	}
	t.Fatal("no vector revocation/valid")
	return
}

// TestRevocationAtSizeLimit: a genuine set padded with trailing tabs
// (whitespace, not signed) to exactly 64 MiB verifies through the
// command, and one byte more is input_too_large, as natively.
func TestRevocationAtSizeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB files")
	}
	set, keys, now := validSetVector(t)
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys.json")
	require.NoError(t, os.WriteFile(ring, keys, 0o600))
	const limit = 64 << 20
	for _, tc := range []struct {
		size int
		code string
		exit int
	}{{limit, "ok", 0}, {limit + 1, "input_too_large", 1}} {
		padded := append(bytes.Clone(set), bytes.Repeat([]byte{'\t'}, tc.size-len(set))...)
		file := filepath.Join(dir, "set.json")
		require.NoError(t, os.WriteFile(file, padded, 0o600))
		code, out, errOut := licverify(t, "", "revocation", "--json", "--keys", ring, "--now", now, file)
		require.Equal(t, tc.exit, code, errOut)
		frame, err := api.NewRequest("revocation_set").Part("set", padded).Part("keys", keys).Set("now", now).Encode()
		require.NoError(t, err)
		want := api.Handle(frame)
		require.Equal(t, string(want)+"\n", out)
		require.Contains(t, out, `"code":"`+tc.code+`"`)
	}
}

// TestCanonicalNotUTF8: a document with a byte that is not UTF-8 is
// malformed JSON, as natively; the command sends its bytes, not a
// repaired (and longer) text.
func TestCanonicalNotUTF8(t *testing.T) {
	doc := []byte("{\"k\":\"\xff\"}")
	file := filepath.Join(t.TempDir(), "doc.json")
	require.NoError(t, os.WriteFile(file, doc, 0o600))
	code, out, errOut := licverify(t, "", "canonical", "--json", file)
	require.Equal(t, 1, code, errOut)
	frame, err := api.NewRequest("canonicalize").Part("document", doc).Encode()
	require.NoError(t, err)
	require.Equal(t, string(api.Handle(frame))+"\n", out)
	require.Contains(t, out, `"code":"malformed_json"`)

	code, out, _ = licverify(t, string(doc), "canonical")
	require.Equal(t, 1, code)
	require.Contains(t, out, "invalid (malformed_json)")
}

// TestLicenseStateNotUTF8: a license.state.json that is not UTF-8 reaches
// the verifier as it is on disk; the answer is native's (the license still
// runs, with the reason state_invalid), and the state written back is
// exactly the result's state.
func TestLicenseStateNotUTF8(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "license.state.json")
	args := []string{"license", "--keys", "keyring.json", "--product", demo.Product, "--now", demo.Now, "license.key"}
	code, _, errOut := licverify(t, "", append(args, "--write-state", state)...)
	require.Equal(t, 0, code, errOut)
	good, err := os.ReadFile(state)
	require.NoError(t, err)
	i := bytes.Index(good, []byte(demo.LicenseID))
	require.Positive(t, i)
	bad := bytes.Clone(good)
	bad[i+len(demo.LicenseID)-1] = 0xff
	require.NoError(t, os.WriteFile(state, bad, 0o600))

	next := filepath.Join(dir, "next.state.json")
	code, out, errOut := licverify(t, "", append(args, "--json", "--state", state, "--write-state", next)...)
	frame, err := api.NewRequest("license").Part("keys", []byte(sample(t, "keyring.json"))).Set("now", demo.Now).
		Part("license", []byte(sample(t, "license.key"))).Set("product_id", demo.Product).Part("state", bad).Encode()
	require.NoError(t, err)
	want := api.Handle(frame)
	require.Equal(t, string(want)+"\n", out)
	require.Equal(t, exitStatus(t, want), code, errOut)
	var r struct {
		Decision string          `json:"decision"`
		Reasons  []string        `json:"reasons"`
		State    json.RawMessage `json:"state"`
	}
	require.NoError(t, json.Unmarshal(want, &r))
	require.Contains(t, r.Reasons, "state_invalid")
	require.NotEqual(t, "block", r.Decision)
	written, err := os.ReadFile(next)
	require.NoError(t, err)
	require.Equal(t, string(r.State), string(written))
}

// TestNotUTF8Documents: a proof, a revocation set and a license whose
// signed text has U+FFFD verify; the same documents with the byte FF in
// its place are malformed JSON, as natively, never repaired into the
// signed text (which would verify).
func TestNotUTF8Documents(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "ring.json")
	code, priv, errOut := licverify(t, "", "keygen", "--kid", "fffd", "--seed", strings.Repeat("0f", 32), "--keyring", ring)
	require.Equal(t, 0, code, errOut)
	key := filepath.Join(dir, "key.json")
	require.NoError(t, os.WriteFile(key, []byte(priv), 0o600))
	keys, err := os.ReadFile(ring)
	require.NoError(t, err)

	// The demo's documents, re-signed with a U+FFFD in a signed string.
	edit := func(name string, change func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(sample(t, name)), &m))
		delete(m, "signature")
		change(m)
		text, err := json.Marshal(m)
		require.NoError(t, err)
		unsigned := filepath.Join(dir, "unsigned.json")
		require.NoError(t, os.WriteFile(unsigned, text, 0o600))
		code, signed, errOut := licverify(t, "", "sign", "--key", key, unsigned)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, signed, "\uFFFD")
		return []byte(strings.TrimSuffix(signed, "\n"))
	}
	docs := []struct {
		name, command, part, op string
		doc                     []byte
		flags                   []string
		header                  map[string]any
	}{
		{"proof", "proof", "proof", "status_proof",
			edit("proof.json", func(m map[string]any) { m["license_id"] = "LIC-\uFFFD"; m["issuer_kid"] = "fffd" }), nil, nil},
		{"set", "revocation", "set", "revocation_set",
			edit("revocation-set.json", func(m map[string]any) { m["revoked_ids"] = []string{"LIC-\uFFFD"}; m["issuer_kid"] = "fffd" }), nil, nil},
		{"license", "license", "license", "license",
			edit("license.key", func(m map[string]any) { m["customer"].(map[string]any)["name"] = "Demo \uFFFD Ltd" }),
			[]string{"--product", demo.Product}, map[string]any{"product_id": demo.Product}},
	}
	for _, d := range docs {
		ff := bytes.Replace(d.doc, []byte("\uFFFD"), []byte{0xff}, 1)
		for _, tc := range []struct {
			doc  []byte
			exit int
			code string
		}{{d.doc, 0, "ok"}, {ff, 1, "malformed_json"}} {
			file := filepath.Join(dir, d.name+".json")
			require.NoError(t, os.WriteFile(file, tc.doc, 0o600))
			code, out, errOut := licverify(t, "", append([]string{d.command, "--json", "--keys", ring, "--now", demo.Now, file}, d.flags...)...)
			require.Equal(t, tc.exit, code, "%s: %s%s", d.name, out, errOut)
			req := api.NewRequest(d.op).Part("keys", keys).Set("now", demo.Now).Part(d.part, tc.doc)
			for k, v := range d.header {
				req.Set(k, v)
			}
			frame, err := req.Encode()
			require.NoError(t, err)
			require.Equal(t, string(api.Handle(frame))+"\n", out, d.name)
			require.Contains(t, out, `"code":"`+tc.code+`"`, d.name)
		}
	}
}
