package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/examples/demo"
	"github.com/licverify/licverify/host"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/internal/cpython"
	"github.com/stretchr/testify/require"
)

// TestMain starts one module for every test: runs use it in place of a
// Verifier each (see sharedVerifier). TestRunStartsItsOwnModule covers the
// command's own start. With asCommand set in its environment, the test
// binary is the command itself, for tests that need a new process.
func TestMain(m *testing.M) {
	if os.Getenv(asCommand) != "" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	hostOptions.NoDiskCache = true
	v, err := host.New(context.Background(), hostOptions)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sharedVerifier = v
	code := m.Run()
	v.Close(context.Background())
	os.Exit(code)
}

func TestRunStartsItsOwnModule(t *testing.T) {
	defer func(v *host.Verifier) { sharedVerifier = v }(sharedVerifier)
	sharedVerifier = nil
	code, out, errOut := licverify(t, `{"b":1,"a":2}`, "canonical")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, `{"a":2,"b":1}`+"\n", out)
}

// asCommand makes the test binary run as the command (TestMain).
const asCommand = "LICVERIFY_TEST_AS_COMMAND"

// licverifyProcess runs the command as a new process in the demo
// directory and returns its exit status, stdout and stderr.
func licverifyProcess(t *testing.T, env []string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = filepath.Join("..", "..", "examples", "demo")
	cmd.Env = append(append(os.Environ(), asCommand+"=1"), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errOut.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errOut.String()
}

// licverify runs the command in the demo directory and returns its exit
// status, stdout and stderr.
func licverify(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(filepath.Join("..", "..", "examples", "demo")))
	defer os.Chdir(wd)
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func sample(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "demo", name))
	require.NoError(t, err)
	return string(b)
}

// TestDemoSamplesUpToDate: the committed samples are what the generator
// writes (go run ./examples/demo/gen).
func TestDemoSamplesUpToDate(t *testing.T) {
	files := demo.Files()
	for _, name := range demo.Names() {
		require.Equal(t, string(files[name]), sample(t, name), "%s is stale; run go run ./examples/demo/gen", name)
	}
}

func TestExitStatus(t *testing.T) {
	now := "--now=" + demo.Now
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"proof valid", []string{"proof", "--keys", "keyring.json", now, "--license-id", demo.LicenseID, "proof.json"}, 0, "valid: license LIC-DEMO-0001 is valid until 2026-03-03T08:00:00Z", ""},
		{"flags after the file", []string{"proof", "proof.json", "--keys", "keyring.json", now}, 0, "valid:", ""},
		{"proof tampered", []string{"proof", "--keys", "keyring.json", now, "proof-tampered.json"}, 1, "invalid (bad_signature)", ""},
		{"proof for another license", []string{"proof", "--keys", "keyring.json", now, "--license-id", "LIC-OTHER", "proof.json"}, 1, "invalid (license_mismatch)", ""},
		{"proof expired", []string{"proof", "--keys", "keyring.json", "--now", "2026-03-04T00:00:00Z", "proof.json"}, 1, "invalid (proof_expired)", ""},
		{"proof epoch rollback", []string{"proof", "--keys", "keyring.json", now, "--min-epoch", "8", "proof.json"}, 1, "invalid (epoch_rollback)", ""},
		{"proof with a device it is not bound to", []string{"proof", "--keys", "keyring.json", now, "--device", "device.json", "proof.json"}, 0, "valid:", ""},
		{"revocation clear", []string{"revocation", "--keys", "keyring.json", now, "--lookup", demo.LicenseID, "revocation-set.json"}, 0, "LIC-DEMO-0001: not_revoked", ""},
		{"revocation revoked", []string{"revocation", "--keys", "keyring.json", now, "--lookup", demo.RevokedID, "revocation-set.json"}, 1, "LIC-DEMO-0666: revoked", ""},
		{"revocation suspended", []string{"revocation", "--keys", "keyring.json", now, "--lookup", "LIC-DEMO-0042", "revocation-set.json"}, 1, "LIC-DEMO-0042: suspended until 2026-04-01T00:00:00Z", ""},
		{"revocation stale", []string{"revocation", "--keys", "keyring.json", "--now", "2026-03-05T00:00:00Z", "revocation-set.json"}, 1, "invalid (set_expired)", ""},
		{"revocation stale allowed", []string{"revocation", "--keys", "keyring.json", "--now", "2026-03-05T00:00:00Z", "--allow-stale", "revocation-set.json"}, 0, "(stale)", ""},
		{"revocation set given as a proof", []string{"proof", "--keys", "keyring.json", now, "revocation-set.json"}, 1, "invalid (", ""},
		{"license run", []string{"license", "--keys", "keyring.json", now, "--product", demo.Product, "license.key"}, 0, "run (ok)", ""},
		{"license for another product", []string{"license", "--keys", "keyring.json", now, "--product", "other", "license.key"}, 1, "block (product_mismatch)", ""},
		{"license expired", []string{"license", "--keys", "keyring.json", "--now", "2027-06-01T00:00:00Z", "--product", demo.Product, "license.key"}, 1, "block (expired)", ""},
		{"license refused before its evaluation", []string{"license", "--keys", "keyring.json", now, "--product", demo.Product, "proof.json"}, 1, "block (missing_field): ", ""},
		{"license given a status proof", []string{"license", "--keys", "keyring.json", now, "--product", demo.Product, "proof.json"}, 1, "(this looks like a status proof, not a license.key); licverify proof checks it\n", ""},
		{"proof given a license", []string{"proof", "--keys", "keyring.json", now, "license.key"}, 1, "(this looks like a license.key, not a status proof); licverify license checks it\n", ""},
		{"proof given a set", []string{"proof", "--keys", "keyring.json", now, "revocation-set.json"}, 1, "(this looks like a full revocation set, not a status proof); licverify revocation checks it\n", ""},
		{"qkey given a proof", []string{"qkey", "--keys", "keyring.json", now, "proof.json"}, 1, "(this looks like a status proof, not a .qkey license); licverify proof checks it\n", ""},
		{"stdin named twice", []string{"proof", "--keys", "-", now, "-"}, 2, "", "the proof cannot be stdin (-) too: stdin is the keyring, and it can be read once; give the proof as a file"},
		{"stdin as the set and a delta", []string{"revocation", "--keys", "keyring.json", now, "-", "-"}, 2, "", "delta 1 cannot be stdin (-) too: stdin is the set, and it can be read once; give delta 1 as a file"},
		{"canonical", []string{"canonical", "keyring.json"}, 0, `[{"alg":"ed25519","kid":"demo-2026",`, ""},
		{"no command", nil, 2, "", "usage:"},
		{"help", []string{"--help"}, 0, "usage:", ""},
		{"unknown command", []string{"verify"}, 2, "", `unknown command "verify"`},
		{"no keys", []string{"proof", "proof.json"}, 2, "", "licverify proof: --keys is required"},
		{"no proof", []string{"proof", "--keys", "keyring.json"}, 2, "", "want one PROOF file"},
		{"missing file", []string{"proof", "--keys", "keyring.json", "missing.json"}, 2, "", "missing.json"},
		{"bad now", []string{"proof", "--keys", "keyring.json", "--now", "yesterday", "proof.json"}, 2, "", `--now "yesterday": not an RFC 3339 time; write it like 2026-03-01T12:00:00Z`},
		{"unknown flag", []string{"proof", "--key", "keyring.json", "proof.json"}, 2, "", "licverify proof: unknown flag --key (licverify proof takes the flags below)\nusage: licverify proof --keys KEYRING"},
		{"license without product", []string{"license", "--keys", "keyring.json", "license.key"}, 2, "", "--product is required"},
		{"module refuses the request", []string{"qkey", "--keys", "keyring.json", now, "--machine-id", "xyz", "device.json"}, 2, "", "misuse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := licverify(t, "", tc.args...)
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errOut)
			require.Contains(t, out, tc.stdout)
			require.Contains(t, errOut, tc.stderr)
			require.NotContains(t, out, " for , plan ", "a license without claims is not summarized as one")
			if code == 2 && !strings.HasPrefix(errOut, "usage:") && !strings.Contains(errOut, "unknown flag") {
				require.Empty(t, out)
				require.Equal(t, 1, strings.Count(errOut, "\n"), "an error is one line: %q", errOut)
			}
		})
	}
}

// TestJSONIsTheResult: --json prints exactly the module's response, which
// is the native codec's response to the same request: the files as parts,
// their bytes untouched.
func TestJSONIsTheResult(t *testing.T) {
	keys := []byte(sample(t, "keyring.json"))
	doc := func(name string) []byte { return []byte(sample(t, name)) }
	verification := func(op string) *api.Request {
		return api.NewRequest(op).Part("keys", keys).Set("now", demo.Now)
	}
	tests := []struct {
		name string
		args []string
		req  *api.Request
		code int
	}{
		{"proof", []string{"proof", "--json", "--keys", "keyring.json", "--now", demo.Now, "proof.json"},
			verification("status_proof").Part("proof", doc("proof.json")), 0},
		{"proof with a device", []string{"proof", "--json", "--keys", "keyring.json", "--now", demo.Now, "--device", "device.json", "--license-id", demo.LicenseID, "--min-epoch", "3", "proof.json"},
			verification("status_proof").Part("proof", doc("proof.json")).Part("fingerprint", doc("device.json")).Set("license_id", demo.LicenseID).Set("min_epoch", 3), 0},
		{"tampered", []string{"proof", "--json", "--keys", "keyring.json", "--now", demo.Now, "proof-tampered.json"},
			verification("status_proof").Part("proof", doc("proof-tampered.json")), 1},
		{"revocation", []string{"revocation", "--json", "--keys", "keyring.json", "--now", demo.Now, "--lookup", "a", "--lookup", demo.RevokedID, "revocation-set.json"},
			verification("revocation_set").Part("set", doc("revocation-set.json")).Set("lookup", []string{"a", demo.RevokedID}), 1},
		{"license", []string{"license", "--json", "--keys", "keyring.json", "--now", demo.Now, "--product", demo.Product, "license.key"},
			verification("license").Part("license", doc("license.key")).Set("product_id", demo.Product), 0},
		{"canonical", []string{"canonical", "--json", "device.json"},
			api.NewRequest("canonicalize").Part("document", doc("device.json")), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := licverify(t, "", tc.args...)
			require.Equal(t, tc.code, code, errOut)
			frame, err := tc.req.Encode()
			require.NoError(t, err)
			require.Equal(t, string(api.Handle(frame))+"\n", out)
		})
	}
}

func TestLicenseWritesState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "license.state.json")
	args := []string{"license", "--keys", "keyring.json", "--product", demo.Product, "--state", state, "--write-state", state, "license.key"}
	code, out, errOut := licverify(t, "", append(args, "--now", demo.Now)...)
	require.Equal(t, 0, code, out+errOut)
	var s map[string]any
	b, err := os.ReadFile(state)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &s))
	require.Equal(t, demo.LicenseID, s["license_id"])
	require.Equal(t, demo.Now, s["first_activated_at"])

	// Run again later with that state: the clock went back a day, which
	// the state's clock guard notices.
	code, out, errOut = licverify(t, "", append(args, "--now", "2026-02-28T12:00:00Z")...)
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "clock_rollback")
}

// TestKeygenSignVerify: a key and a signed document made by the fixture
// commands verify through the module; a changed byte does not.
func TestKeygenSignVerify(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "ring.json")
	code, priv, errOut := licverify(t, "", "keygen", "--kid", "fixture", "--seed", strings.Repeat("07", 32), "--keyring", ring)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, priv, `"kid":"fixture"`)
	key := filepath.Join(dir, "key.json")
	require.NoError(t, os.WriteFile(key, []byte(priv), 0o600))

	// A keyring never accepts the private key file: the configuration is
	// wrong (exit 2), and the message names the file.
	code, _, errOut = licverify(t, "", "proof", "--keys", key, "--now", demo.Now, "proof.json")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "keyring "+key+" does not load")

	qkey := `{"package":"Demo-Pkg","user":"ada@example.com","machine_id":"0123456789abcdef0123456789ABCDEF","issued":"2026-01-01","expires":"2027-01-01T00:00:00Z","features":["Export","export","api"]}`
	doc := filepath.Join(dir, "license.qkey.json")
	require.NoError(t, os.WriteFile(doc, []byte(qkey), 0o644))
	code, signed, errOut := licverify(t, "", "sign", "--key", key, doc)
	require.Equal(t, 0, code, errOut)
	signedFile := filepath.Join(dir, "signed.qkey")
	require.NoError(t, os.WriteFile(signedFile, []byte(signed), 0o644))

	code, out, errOut := licverify(t, "", "qkey", "--keys", ring, "--now", demo.Now, "--package", "demo-pkg", signedFile)
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "valid: package demo-pkg for ada@example.com")
	require.Contains(t, out, "features: api, export")

	tampered := strings.Replace(signed, "ada@", "eve@", 1)
	require.NoError(t, os.WriteFile(signedFile, []byte(tampered), 0o644))
	code, out, _ = licverify(t, "", "qkey", "--keys", ring, "--now", demo.Now, signedFile)
	require.Equal(t, 1, code)
	require.Contains(t, out, "invalid (bad_signature)")
}

// TestSignPythonForm: sign --form python writes what a Python issuer
// writes (CPython's json.dumps of the signed document, checked against
// CPython itself), and the verifier names the form that verified.
func TestSignPythonForm(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "ring.json")
	code, priv, errOut := licverify(t, "", "keygen", "--kid", "fixture", "--seed", strings.Repeat("07", 32), "--keyring", ring)
	require.Equal(t, 0, code, errOut)
	key := filepath.Join(dir, "key.json")
	require.NoError(t, os.WriteFile(key, []byte(priv), 0o600))
	doc := filepath.Join(dir, "license.qkey.json")
	require.NoError(t, os.WriteFile(doc, []byte(`{"package":"demo-pkg","user":"Zoë Müller","machine_id":"0123456789abcdef0123456789abcdef",`+
		`"issued":"2026-01-01","expires":"2027-01-01T00:00:00Z","features":["api","🚀"],"seats":5.0}`), 0o644))

	code, signed, errOut := licverify(t, "", "sign", "--key", key, "--form", "python", doc)
	require.Equal(t, 0, code, errOut)
	full, _, err := cpython.Start(t).Dumps([]byte(signed))
	require.NoError(t, err)
	require.Equal(t, string(full)+"\n", signed, "sign --form python prints json.dumps of the signed document")
	signedFile := filepath.Join(dir, "signed.qkey")
	require.NoError(t, os.WriteFile(signedFile, []byte(signed), 0o644))
	code, out, errOut := licverify(t, "", "qkey", "--json", "--keys", ring, "--now", demo.Now, signedFile)
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, `"signed_form":"python"`)

	code, _, errOut = licverify(t, "", "sign", "--key", key, "--form", "php", doc)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "rfc8785 and python")
}

func TestCanonicalStdin(t *testing.T) {
	code, out, _ := licverify(t, `{"b": 1.50, "a": "\u00e9"}`, "canonical")
	require.Equal(t, 0, code)
	require.Equal(t, "{\"a\":\"é\",\"b\":1.5}\n", out)
	code, out, _ = licverify(t, `{"a": 1, "a": 2}`, "canonical")
	require.Equal(t, 1, code)
	require.Contains(t, out, "invalid (duplicate_key)")
	// Over the file limit: refused as such, not cut short and then
	// reported as malformed JSON.
	code, _, errOut := licverify(t, `"`+strings.Repeat("a", maxFile)+`"`, "canonical")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "stdin is larger than")
}

func TestFingerprint(t *testing.T) {
	code, out, errOut := licverify(t, "", "fingerprint", "--json")
	require.Equal(t, 0, code, errOut)
	var r struct {
		Valid       bool   `json:"valid"`
		BindingHash string `json:"binding_hash"`
		MachineID   string `json:"machine_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.True(t, r.Valid)
	require.Regexp(t, `^sha256:[0-9a-f]{64}$`, r.BindingHash)
	require.Equal(t, r.BindingHash[7:39], r.MachineID)
}

func TestNowDefaultsToClock(t *testing.T) {
	defer func(c func() time.Time) { clock = c }(clock)
	clock = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	code, _, _ := licverify(t, "", "proof", "--keys", "keyring.json", "proof.json")
	require.Equal(t, 0, code)
	clock = func() time.Time { return time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC) }
	code, out, _ := licverify(t, "", "proof", "--keys", "keyring.json", "proof.json")
	require.Equal(t, 1, code)
	require.Contains(t, out, "proof_expired")
}

// TestFingerprintQuantumMeta: --quantummeta prints QuantumMeta's machine
// id from its cache (exit 0), or why it is unavailable (exit 1).
func TestFingerprintQuantumMeta(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the cache is placed by XDG_CACHE_HOME on Linux only")
	}
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	file := filepath.Join(home, "quantummeta", "machine_id.json")
	require.NoError(t, os.Mkdir(filepath.Dir(file), 0o700))
	require.NoError(t, os.WriteFile(file, []byte(`{"machine_id": "3f2a9c0d5e6b7a8190fedcba12345678"}`), 0o600))
	code, out, errOut := licverify(t, "", "fingerprint", "--quantummeta", "--json")
	require.Equal(t, 0, code, errOut)
	require.JSONEq(t, `{"quantummeta_machine_id": "3f2a9c0d5e6b7a8190fedcba12345678", "source": "cache", "path": "`+file+`"}`, out)
	code, out, _ = licverify(t, "", "fingerprint", "--quantummeta")
	require.Equal(t, 0, code)
	require.Equal(t, "quantummeta_machine_id: 3f2a9c0d5e6b7a8190fedcba12345678\nsource: cache\npath: "+file+"\n", out)

	require.NoError(t, os.WriteFile(file, []byte(`{"machine_id": 7}`), 0o600))
	code, out, _ = licverify(t, "", "fingerprint", "--quantummeta")
	require.Equal(t, 1, code)
	require.Equal(t, "quantummeta_machine_id: unavailable\nreason: "+file+" holds a machine_id that is a number, not a string: get_machine_id() returns it, and no license's machine id equals it\n", out)
}

// TestWriteStateStdout: --write-state - prints the new state on stdout,
// exactly the bytes --write-state FILE writes, and the summary on stderr;
// it creates no file named "-". --state - reads the state from stdin.
func TestWriteStateStdout(t *testing.T) {
	file := filepath.Join(t.TempDir(), "license.state.json")
	args := []string{"license", "--keys", "keyring.json", "--now", demo.Now, "--product", demo.Product, "license.key"}
	code, out, errOut := licverify(t, "", append(args, "--write-state", file)...)
	require.Equal(t, 0, code, errOut)
	summary := out
	want, err := os.ReadFile(file)
	require.NoError(t, err)

	code, out, errOut = licverify(t, "", append(args, "--write-state", "-")...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, string(want), out)
	require.Equal(t, summary, errOut)
	require.NoFileExists(t, filepath.Join("..", "..", "examples", "demo", "-"))

	// The state from stdin, the next state to stdout: a day later.
	code, out, errOut = licverify(t, string(want), "license", "--keys", "keyring.json", "--now", "2026-03-02T12:00:00Z", "--product", demo.Product, "--state", "-", "--write-state", "-", "license.key")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"first_activated_at":"`+demo.Now+`"`)
	require.Contains(t, out, `"last_seen_time":"2026-03-02T12:00:00Z"`)
	require.Contains(t, errOut, "1 days offline")

	// --json prints the result on stdout already.
	code, out, errOut = licverify(t, "", append(args, "--write-state", "-", "--json")...)
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "--write-state - and --json both print on stdout")

	// A state on stdin, and the license too: one of them must be a file.
	code, _, errOut = licverify(t, string(want), "license", "--keys", "keyring.json", "--now", demo.Now, "--product", demo.Product, "--state", "-", "-")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "the state cannot be stdin (-) too: stdin is the license")
}
