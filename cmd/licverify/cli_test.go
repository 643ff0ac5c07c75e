package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/examples/demo"
	"github.com/licverify/licverify/host"
	"github.com/stretchr/testify/require"
)

// commandFlags is every command's flags: the help must list them all.
var commandFlags = map[string][]string{
	"proof":       {"json", "cache-dir", "keys", "now", "license-id", "device", "min-epoch", "epoch-store", "epoch-namespace"},
	"revocation":  {"json", "cache-dir", "keys", "now", "min-epoch", "epoch-store", "epoch-namespace", "allow-stale", "lookup"},
	"license":     {"json", "cache-dir", "keys", "now", "product", "fingerprint-hash", "state", "write-state", "release-date", "server-time"},
	"qkey":        {"json", "cache-dir", "keys", "now", "password", "package", "machine-id", "allow-unsigned"},
	"canonical":   {"json", "cache-dir"},
	"fingerprint": {"json", "cache-dir", "quantummeta"},
	"keygen":      {"kid", "seed", "keyring"},
	"sign":        {"key", "kid", "form"},
}

// captureFlags runs the command line and returns the flag set the
// command made.
func captureFlags(t *testing.T, args ...string) (*flags, int, string, string) {
	t.Helper()
	var made *flags
	flagsMade = func(f *flags) { made = f }
	defer func() { flagsMade = nil }()
	code, out, errOut := licverify(t, "", args...)
	require.NotNil(t, made, "no flag set made")
	return made, code, out, errOut
}

// requireListsFlags checks that text lists every flag of f, each with its
// help text, and exactly the flags commandFlags expects.
func requireListsFlags(t *testing.T, f *flags, text string) {
	t.Helper()
	var names []string
	f.VisitAll(func(fl *flag.Flag) {
		names = append(names, fl.Name)
		name, help := flag.UnquoteUsage(fl)
		want := "  --" + fl.Name
		if name != "" {
			want += " " + name
		}
		require.Contains(t, text, want+"\n      "+help, "flag --%s", fl.Name)
	})
	require.ElementsMatch(t, commandFlags[f.Name()], names, "the flags of %s", f.Name())
}

// TestCommandHelp: COMMAND --help, COMMAND -h and help COMMAND print the
// command's usage line and every flag with its help text on stdout, and
// exit 0, for every command; flags before --help do not matter.
func TestCommandHelp(t *testing.T) {
	require.Len(t, commands, len(commandFlags))
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}, {c.name, "--json", "x.json", "-help"}} {
			if args[1] == "--json" && commandFlags[c.name][0] != "json" {
				continue
			}
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				f, code, out, errOut := captureFlags(t, args...)
				require.Equal(t, 0, code, errOut)
				require.Empty(t, errOut)
				require.True(t, strings.HasPrefix(out, strings.TrimSpace("usage: licverify "+c.name+" "+c.args)+"\n"+c.help+"\n"), out)
				requireListsFlags(t, f, out)
				require.Contains(t, out, "exit status: ")
			})
		}
	}
}

// TestOverview: --help, -h and help print the overview on stdout (exit
// 0); no arguments print it on stderr (exit 2), as do the mistakes of the
// command name.
func TestOverview(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errOut := licverify(t, "", args...)
		require.Equal(t, 0, code, args)
		require.Empty(t, errOut)
		require.True(t, strings.HasPrefix(out, "usage: licverify COMMAND [flags] [args]\n"), out)
		for _, c := range commands {
			require.Contains(t, out, "\n  "+c.name+" ")
			require.Contains(t, out, c.help)
		}
		for _, s := range []string{"--json", "--cache-dir DIR", "LICVERIFY_CACHE_DIR", "licverify COMMAND --help", "--version", "exit status: 0 valid; 1 invalid"} {
			require.Contains(t, out, s)
		}
	}
	code, out, errOut := licverify(t, "")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.True(t, strings.HasPrefix(errOut, "usage: licverify COMMAND"), errOut)

	for _, args := range [][]string{{"help", "nope"}, {"help", "proof", "extra"}, {"nope"}} {
		code, out, errOut := licverify(t, "", args...)
		require.Equal(t, 2, code, args)
		require.Empty(t, out)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
		require.Contains(t, errOut, "run licverify --help")
	}
}

// TestUnknownFlag: an unknown flag is exit 2, with a first line naming it
// and then the command's usage, which lists its flags; nothing on stdout.
func TestUnknownFlag(t *testing.T) {
	for _, c := range commands {
		for _, bad := range []string{"--bogus", "-bogus", "--bogus=1"} {
			f, code, out, errOut := captureFlags(t, c.name, bad, "x")
			require.Equal(t, 2, code, errOut)
			require.Empty(t, out)
			first, rest, _ := strings.Cut(errOut, "\n")
			require.Equal(t, "licverify "+c.name+": unknown flag --bogus (licverify "+c.name+" takes the flags below)", first)
			require.True(t, strings.HasPrefix(rest, "usage: licverify "+c.name), rest)
			requireListsFlags(t, f, rest)
		}
	}
}

// TestVersion: --version prints the module version from the build
// information ((devel) without one), the sha256 of the embedded module
// and the Go version, on stdout.
func TestVersion(t *testing.T) {
	defer func(f func() (*debug.BuildInfo, bool)) { readBuildInfo = f }(readBuildInfo)
	sum := sha256.Sum256(host.Module())
	for _, tc := range []struct {
		name string
		info func() (*debug.BuildInfo, bool)
		want string
	}{
		{"tagged", func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/licverify/licverify", Version: "v1.4.2"}}, true
		}, "v1.4.2"},
		{"no version", func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{}, true }, "(devel)"},
		{"no build information", func() (*debug.BuildInfo, bool) { return nil, false }, "(devel)"},
	} {
		for _, arg := range []string{"--version", "-version", "version"} {
			readBuildInfo = tc.info
			code, out, errOut := licverify(t, "", arg)
			require.Equal(t, 0, code)
			require.Empty(t, errOut)
			require.Equal(t, fmt.Sprintf("licverify %s\nlicverify.wasm sha256 %s\n%s %s/%s\n",
				tc.want, hex.EncodeToString(sum[:]), runtime.Version(), runtime.GOOS, runtime.GOARCH), out, tc.name)
		}
	}
}

// TestConfigurationErrors: what the operator must fix is exit 2, with one
// line on stderr naming the file at fault once, and nothing on stdout: a
// keyring that does not load (whatever the document), a file that cannot
// be read, a flag value that is not one.
func TestConfigurationErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		return path
	}
	code, priv, errOut := licverify(t, "", "keygen", "--seed", strings.Repeat("07", 32))
	require.Equal(t, 0, code, errOut)
	proofAsKeys, err := filepath.Abs(filepath.Join("..", "..", "examples", "demo", "proof.json"))
	require.NoError(t, err)
	keyrings := map[string]string{
		"garbage":            write("garbage.json", "garbage\n"),
		"JWKS with no keys":  write("empty.jwks", `{"keys":[]}`),
		"empty array":        write("empty.json", `[]`),
		"empty file":         write("nothing.json", ""),
		"private key file":   write("private.json", priv),
		"weak key":           write("weak.json", `[{"kid":"w","alg":"ed25519","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]`),
		"status proof":       proofAsKeys,
		"PEM of another alg": write("p256.pem", p256PEM(t)),
	}
	certs := filepath.Join(dir, "certs")
	require.NoError(t, os.Mkdir(certs, 0o700))
	missing := filepath.Join(dir, "missing.json")
	now := "--now=" + demo.Now
	type tc struct {
		name   string
		args   []string
		stderr string
		named  string // must appear exactly once
	}
	var tests []tc
	for name, ring := range keyrings {
		for _, cmd := range [][]string{
			{"proof", "proof.json"},
			{"revocation", "revocation-set.json"},
			{"license", "--product", demo.Product, "license.key"},
		} {
			args := append([]string{cmd[0], "--keys", ring, now}, cmd[1:]...)
			tests = append(tests, tc{cmd[0] + " keyring " + name, args, "licverify " + cmd[0] + ": keyring " + ring + " does not load: ", ring})
		}
	}
	tests = append(tests,
		tc{"keyring is a directory", []string{"proof", "--keys", certs, now, "proof.json"}, certs + " is a directory, not a file", certs},
		tc{"relative directory", []string{"proof", "--keys", "keyring.json", now, "gen"}, "licverify proof: gen is a directory, not a file", "gen"},
		tc{"proof is missing", []string{"proof", "--keys", "keyring.json", now, missing}, missing + ": no such file or directory", missing},
		tc{"keyring is missing", []string{"revocation", "--keys", missing, now, "revocation-set.json"}, missing + ": no such file or directory", missing},
		tc{"delta is a directory", []string{"revocation", "--keys", "keyring.json", now, "revocation-set.json", certs}, certs + " is a directory", certs},
		tc{"state is a directory", []string{"license", "--keys", "keyring.json", now, "--product", demo.Product, "--state", certs, "license.key"}, certs + " is a directory", certs},
		tc{"device is a directory", []string{"proof", "--keys", "keyring.json", now, "--device", certs, "proof.json"}, certs + " is a directory", certs},
		tc{"now empty", []string{"proof", "--keys", "keyring.json", "--now", "", "proof.json"}, `--now "": empty; give an RFC 3339 time such as 2026-03-01T12:00:00Z`, ""},
		tc{"now empty with =", []string{"license", "--keys", "keyring.json", "--now=", "--product", demo.Product, "license.key"}, `--now "": empty`, ""},
		tc{"now not RFC 3339", []string{"revocation", "--keys", "keyring.json", "--now", "2026-03-01 12:00", "revocation-set.json"}, `--now "2026-03-01 12:00": not an RFC 3339 time; write it like 2026-03-01T12:00:00Z`, ""},
		tc{"now without a value", []string{"proof", "--keys", "keyring.json", "proof.json", "--now"}, "--now needs a value", ""},
		tc{"min-epoch negative", []string{"proof", "--keys", "keyring.json", now, "--min-epoch", "-1", "proof.json"}, `--min-epoch "-1": an epoch is an integer from 0 to 2^53`, ""},
		tc{"min-epoch negative (revocation)", []string{"revocation", "--keys", "keyring.json", now, "--min-epoch=-5", "revocation-set.json"}, `--min-epoch "-5": an epoch is an integer from 0 to 2^53`, ""},
		tc{"min-epoch not a number", []string{"proof", "--keys", "keyring.json", now, "--min-epoch", "7.5", "proof.json"}, `--min-epoch "7.5": an epoch`, ""},
		tc{"min-epoch above 2^53", []string{"proof", "--keys", "keyring.json", now, "--min-epoch", "9007199254740993", "proof.json"}, `--min-epoch "9007199254740993": an epoch`, ""},
		tc{"license-id empty", []string{"proof", "--keys", "keyring.json", now, "--license-id", "", "proof.json"}, `--license-id "": empty`, ""},
		tc{"device empty", []string{"proof", "--keys", "keyring.json", now, "--device=", "proof.json"}, `--device "": empty`, ""},
		tc{"state empty", []string{"license", "--keys", "keyring.json", now, "--product", demo.Product, "--state", "", "license.key"}, `--state "": empty`, ""},
		tc{"write-state empty", []string{"license", "--keys", "keyring.json", now, "--product", demo.Product, "--write-state", "", "license.key"}, `--write-state "": empty`, ""},
		tc{"machine-id empty", []string{"qkey", "--keys", "keyring.json", now, "--machine-id", "", "device.json"}, `--machine-id "": empty`, ""},
		tc{"min-epoch empty", []string{"proof", "--keys", "keyring.json", now, "--min-epoch", "", "proof.json"}, `--min-epoch "": an epoch`, ""},
		// An unset shell variable must not pick a default or look up "".
		tc{"lookup empty", []string{"revocation", "--keys", "keyring.json", now, "--lookup", "", "revocation-set.json"}, `--lookup "": empty`, ""},
		tc{"keys empty", []string{"proof", "--keys=", now, "proof.json"}, `--keys "": empty`, ""},
		tc{"cache-dir empty", []string{"proof", "--cache-dir", "", "--keys", "keyring.json", now, "proof.json"}, `--cache-dir "": empty`, ""},
		tc{"keygen seed empty", []string{"keygen", "--seed", ""}, `--seed "": empty`, ""},
		// The flag package would let the last one win.
		tc{"keys twice", []string{"proof", "--keys", "keyring.json", "--keys", "proof.json", now, "proof.json"}, "--keys is given twice", ""},
		tc{"now twice", []string{"proof", "--keys", "keyring.json", now, "--now=2027-01-01T00:00:00Z", "proof.json"}, "--now is given twice", ""},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := licverify(t, "", tc.args...)
			require.Equal(t, 2, code, "stdout: %s\nstderr: %s", out, errOut)
			require.Empty(t, out)
			require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
			require.Contains(t, errOut, tc.stderr)
			if tc.named != "" {
				require.Equal(t, 1, strings.Count(errOut, tc.named), "named once: %q", errOut)
			}
		})
	}

	// Given at their limits, the flags are fine.
	code, out, errOut := licverify(t, "", "proof", "--keys", "keyring.json", now, "--min-epoch", "0", "proof.json")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "valid:")
	code, out, errOut = licverify(t, "", "proof", "--keys", "keyring.json", now, "--min-epoch", "9007199254740992", "proof.json")
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "invalid (epoch_rollback)")
}

// TestKeyringErrorCodes: the keyring's code is in the message.
func TestKeyringErrorCodes(t *testing.T) {
	dir := t.TempDir()
	weak := filepath.Join(dir, "weak.json")
	require.NoError(t, os.WriteFile(weak, []byte(`[{"kid":"w","alg":"ed25519","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]`), 0o600))
	code, _, errOut := licverify(t, "", "proof", "--keys", weak, "--now", demo.Now, "proof.json")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "small order (weak_key)")
	garbage := filepath.Join(dir, "garbage")
	require.NoError(t, os.WriteFile(garbage, []byte("garbage"), 0o600))
	code, _, errOut = licverify(t, "", "qkey", "--keys", garbage, "--now", demo.Now, "device.json")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "keyring "+garbage+" does not load: ")
	require.Contains(t, errOut, "(malformed_json)")
}

// TestWriteStateErrors: --write-state (and keygen --keyring) errors name
// the file given, never the temporary file written beside it.
func TestWriteStateErrors(t *testing.T) {
	dir := t.TempDir()
	isDir := filepath.Join(dir, "state-dir")
	require.NoError(t, os.Mkdir(isDir, 0o700))
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	underFile := filepath.Join(file, "license.state.json")
	readOnly := filepath.Join(dir, "read-only")
	require.NoError(t, os.Mkdir(readOnly, 0o500))
	inReadOnly := filepath.Join(readOnly, "license.state.json")

	targets := []struct{ name, path, cause string }{
		{"target is a directory", isDir, "is a directory"},
		{"parent is a file", underFile, "not a directory"},
		{"directory not writable", inReadOnly, "permission denied"},
	}
	defer os.Chmod(readOnly, 0o700)
	for _, tg := range targets {
		if tg.path == inReadOnly && (os.Geteuid() == 0 || runtime.GOOS == "windows") {
			continue // root writes anyway
		}
		for _, args := range [][]string{
			{"license", "--keys", "keyring.json", "--now", demo.Now, "--product", demo.Product, "--write-state", tg.path, "license.key"},
			{"keygen", "--keyring", tg.path},
		} {
			t.Run(tg.name+" "+args[0], func(t *testing.T) {
				code, out, errOut := licverify(t, "", args...)
				require.Equal(t, 2, code, out+errOut)
				require.Empty(t, out)
				require.True(t, strings.HasPrefix(errOut, "licverify "+args[0]+": write "+tg.path+": "), errOut)
				require.Contains(t, errOut, tg.cause)
				require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
				require.Equal(t, 1, strings.Count(errOut, filepath.Base(tg.path)), "names the state file once, no temporary file: %q", errOut)
			})
		}
	}
	entries, err := os.ReadDir(isDir)
	require.NoError(t, err)
	require.Empty(t, entries, "no temporary file left behind")
}

// TestCacheDirOption: the cache directory is --cache-dir, else
// $LICVERIFY_CACHE_DIR, else the user cache directory; every command that
// runs the module takes the flag.
func TestCacheDirOption(t *testing.T) {
	defer func(v *host.Verifier, o host.Options) { sharedVerifier, hostOptions = v, o }(sharedVerifier, hostOptions)
	sharedVerifier = nil
	hostOptions.NoDiskCache = false
	var got host.Options
	defer func(f func(context.Context, host.Options) (*host.Verifier, error)) { newVerifier = f }(newVerifier)
	newVerifier = func(ctx context.Context, opts host.Options) (*host.Verifier, error) {
		got = opts
		// The compiled module TestMain's Verifier left in memory.
		return host.New(ctx, host.Options{NoDiskCache: true, MaxInstances: 1})
	}
	tmp := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(tmp, "xdg"))
	t.Setenv("HOME", filepath.Join(tmp, "home"))
	flagDir, envDir := filepath.Join(tmp, "flag"), filepath.Join(tmp, "env")
	base, err := os.UserCacheDir()
	require.NoError(t, err)
	userDir := filepath.Join(base, "licverify", "wazero")
	every := [][]string{
		{"proof", "--keys", "keyring.json", "--now", demo.Now, "proof.json"},
		{"revocation", "--keys", "keyring.json", "--now", demo.Now, "revocation-set.json"},
		{"license", "--keys", "keyring.json", "--now", demo.Now, "--product", demo.Product, "license.key"},
		{"qkey", "--keys", "keyring.json", "--now", demo.Now, "device.json"},
		{"canonical", "device.json"},
		{"fingerprint"},
	}
	for _, tc := range []struct {
		name     string
		env      string
		args     []string
		want     string
		commands [][]string
	}{
		{"default", "", nil, "", every[:1]},
		{"environment", envDir, nil, envDir, every[:1]},
		{"flag", "", []string{"--cache-dir", flagDir}, flagDir, every},
		{"flag wins", envDir, []string{"--cache-dir=" + flagDir}, flagDir, every[4:5]},
	} {
		t.Setenv(cacheDirEnv, tc.env)
		for _, cmd := range tc.commands {
			got = host.Options{CacheDir: "unset"}
			code, out, errOut := licverify(t, "", append(cmd, tc.args...)...)
			require.Contains(t, []int{0, 1}, code, "%s %s: %s%s", tc.name, cmd[0], out, errOut)
			require.Empty(t, errOut, "no cache warning")
			require.Equal(t, tc.want, got.CacheDir, "%s %s", tc.name, cmd[0])
			require.False(t, got.NoDiskCache)
		}
		if tc.want != "" {
			require.DirExists(t, tc.want)
		}
	}
	require.DirExists(t, userDir, "the default, made by the first case")

	// keygen and sign never start the module, and have no such flag.
	code, _, errOut := licverify(t, "", "keygen", "--cache-dir", flagDir)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "unknown flag --cache-dir")
}

// TestNoCacheWarning: without a usable cache directory one line on
// stderr says so, and that each run compiles the module; the command
// still answers. A directory that others could fill with code is refused
// with the reason, the default one in another user's home included (root
// running with that user's HOME), and nothing is written there.
func TestNoCacheWarning(t *testing.T) {
	defer func(v *host.Verifier, o host.Options) { sharedVerifier, hostOptions = v, o }(sharedVerifier, hostOptions)
	sharedVerifier = nil
	hostOptions.NoDiskCache = false
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	shared := filepath.Join(tmp, "shared")
	require.NoError(t, os.Mkdir(shared, 0o700))
	require.NoError(t, os.Chmod(shared, 0o777))
	others := filepath.Join(tmp, "others")
	alice := filepath.Join(tmp, "alice")
	aliceCache := filepath.Join(alice, ".cache", "licverify", "wazero")
	if os.Getuid() == 0 {
		require.NoError(t, os.Mkdir(others, 0o700))
		require.NoError(t, os.Chown(others, 65534, 65534))
		require.NoError(t, os.MkdirAll(aliceCache, 0o700))
		require.NoError(t, filepath.Walk(alice, func(p string, _ os.FileInfo, err error) error {
			if err == nil {
				err = os.Chown(p, 65534, 65534)
			}
			return err
		}))
	}
	// Everything in the refused directories, to compare after the runs.
	listing := func() []string {
		var paths []string
		for _, dir := range []string{shared, others, alice} {
			filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
				paths = append(paths, p)
				return nil
			})
		}
		return paths
	}
	before := listing()
	for _, tc := range []struct {
		name, env, home string
		args            []string
		root            bool // gives a directory to another user
		why             string
	}{
		{"flag under a file", "", "", []string{"--cache-dir", filepath.Join(file, "cache")}, false, "compilation cache directory " + filepath.Join(file, "cache") + " cannot be created: "},
		{"flag is a file", "", "", []string{"--cache-dir", file}, false, "compilation cache directory " + file + " cannot be created: "},
		{"environment is a file", file, "", nil, false, "compilation cache directory " + file + " cannot be created: "},
		{"no HOME", "", "", nil, false, "no compilation cache directory: "},
		{"flag writable by others", "", "", []string{"--cache-dir", shared}, false, "compilation cache directory " + shared + " is refused: " + shared + " is writable by others (mode 0777)"},
		{"environment below a directory others may write", filepath.Join(shared, "cache"), "", nil, false, "compilation cache directory " + filepath.Join(shared, "cache") + " is refused: " + shared + " is writable by others (mode 0777)"},
		{"environment owned by another user", others, "", nil, true, "compilation cache directory " + others + " is refused: " + others + " is owned by uid 65534, not by this user"},
		{"default in another user's home", "", alice, nil, true, "compilation cache directory " + aliceCache + " is refused: " + alice + " is owned by uid 65534, neither this user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root && os.Getuid() != 0 {
				t.Skip("needs root, to give a directory to another user")
			}
			t.Setenv(cacheDirEnv, tc.env)
			t.Setenv("XDG_CACHE_HOME", "")
			t.Setenv("HOME", tc.home)
			if _, err := os.UserCacheDir(); err == nil && tc.name == "no HOME" {
				t.Skip("a user cache directory without $HOME")
			}
			code, out, errOut := licverify(t, "", append([]string{"canonical", "device.json"}, tc.args...)...)
			require.Equal(t, 0, code, errOut)
			require.True(t, strings.HasPrefix(out, "{"), out)
			require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
			require.True(t, strings.HasPrefix(errOut, "licverify: "+tc.why), errOut)
			require.Contains(t, errOut, "the module is never kept compiled: every run answers from the interpreter, and a large document waits seconds for a compile (set --cache-dir or LICVERIFY_CACHE_DIR to a directory of your own that no one else can write)")
		})
	}
	require.Equal(t, before, listing(), "written in a refused directory")
}

// TestCacheDirIsUsed: a real start with --cache-dir writes the compiled
// module there, and says nothing. (It compiles the module: seconds.)
func TestCacheDirIsUsed(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the module")
	}
	defer func(v *host.Verifier, o host.Options) { sharedVerifier, hostOptions = v, o }(sharedVerifier, hostOptions)
	sharedVerifier = nil
	hostOptions.NoDiskCache = false
	dir := filepath.Join(t.TempDir(), "cache")
	code, out, errOut := licverify(t, `{"b":1,"a":2}`, "canonical", "--cache-dir", dir)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, errOut)
	require.Equal(t, `{"a":2,"b":1}`+"\n", out)
	var files int
	require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files++
		}
		return err
	}))
	require.NotZero(t, files, "the compiled module is in %s", dir)
}

// TestCacheDirTampered: a compiled module in the cache whose bytes were
// changed is never run: the next run answers as ever, compiles the module
// again and rewrites the entry, which verifies again. Each run is a new
// process, as it would be for a user. (It compiles the module twice:
// seconds.)
func TestCacheDirTampered(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the module twice")
	}
	dir := filepath.Join(t.TempDir(), "cache")
	env := []string{cacheDirEnv + "=" + dir}
	want := `{"a":2,"b":1}` + "\n"
	canonical := func() {
		t.Helper()
		code, out, errOut := licverifyProcess(t, env, `{"b":1,"a":2}`, "canonical")
		require.Equal(t, 0, code, errOut)
		require.Empty(t, errOut)
		require.Equal(t, want, out)
	}
	canonical()
	// The compiled code: every non-empty file but the secret.
	var entries []string
	require.NoError(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Size() > 0 && fi.Name() != "licverify-cache.key" {
			entries = append(entries, p)
		}
		return err
	}))
	require.Len(t, entries, 1)
	good, err := os.ReadFile(entries[0])
	require.NoError(t, err)
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 0x40
	require.NoError(t, os.WriteFile(entries[0], bad, 0o600))
	canonical()
	got, err := os.ReadFile(entries[0])
	require.NoError(t, err)
	require.False(t, bytes.Equal(bad, got), "the changed entry was kept")
	canonical()
}

// signedProof writes the demo proof with the given epoch and status,
// signed with key (kid) by the sign command, and returns its path.
func signedProof(t *testing.T, dir, key, kid string, epoch int, status string) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(sample(t, "proof.json")), &m))
	delete(m, "signature")
	m["issuer_kid"] = kid
	m["revocation_epoch"] = epoch
	m["status"] = status
	text, err := json.Marshal(m)
	require.NoError(t, err)
	unsigned := filepath.Join(dir, "unsigned.json")
	require.NoError(t, os.WriteFile(unsigned, text, 0o600))
	code, signed, errOut := licverify(t, "", "sign", "--key", key, unsigned)
	require.Equal(t, 0, code, errOut)
	path := filepath.Join(dir, fmt.Sprintf("proof-%d-%s.json", epoch, status))
	require.NoError(t, os.WriteFile(path, []byte(signed), 0o600))
	return path
}

// readStore returns the epoch store's contents.
func readStore(t *testing.T, path string) map[string]int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]int64
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// TestEpochStore: --epoch-store keeps the anti-rollback epoch across runs.
// A proof at epoch N verified with a fresh store leaves N stored; a proof
// at N-1 is then epoch_rollback through the store alone; --min-epoch
// combines with it (the larger wins); results that carry store_epoch
// raise it, a damaged store is exit 2 and is left as it is.
func TestEpochStore(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "ring.json")
	code, priv, errOut := licverify(t, "", "keygen", "--kid", "epochs", "--seed", strings.Repeat("2a", 32), "--keyring", ring)
	require.Equal(t, 0, code, errOut)
	key := filepath.Join(dir, "key.json")
	require.NoError(t, os.WriteFile(key, []byte(priv), 0o600))
	p5 := signedProof(t, dir, key, "epochs", 5, "valid")
	p4 := signedProof(t, dir, key, "epochs", 4, "valid")
	p9revoked := signedProof(t, dir, key, "epochs", 9, "revoked")
	store := filepath.Join(dir, "state", "epochs.json") // its directory is made too
	ns := keyNamespace(t, priv)

	proof := func(file string, extra ...string) (int, string, string) {
		return licverify(t, "", append([]string{"proof", "--keys", ring, "--now", demo.Now, "--epoch-store", store, file}, extra...)...)
	}

	// Without a store both verify: nothing is kept.
	for _, p := range []string{p5, p4} {
		code, out, errOut := licverify(t, "", "proof", "--keys", ring, "--now", demo.Now, p)
		require.Equal(t, 0, code, out+errOut)
	}
	require.NoFileExists(t, store)

	// Epoch 5 with a fresh store: valid, and 5 is stored under the
	// keyring's key.
	code, out, errOut := proof(p5)
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "store epoch 5")
	require.Equal(t, map[string]int64{ns: 5}, readStore(t, store))

	// Epoch 4: rolled back, through the store alone.
	code, out, errOut = proof(p4)
	require.Equal(t, 1, code, out+errOut)
	require.Contains(t, out, "invalid (epoch_rollback): epoch 4 is older than the stored epoch 5")
	require.Equal(t, map[string]int64{ns: 5}, readStore(t, store))

	// --json: the result of a request with min_epoch 5.
	code, out, _ = proof(p4, "--json")
	require.Equal(t, 1, code)
	require.Contains(t, out, `"code":"epoch_rollback"`)

	// Equal is fine; a lower --min-epoch does not lower the store; a
	// higher one wins over it.
	code, out, errOut = proof(p5, "--min-epoch", "2")
	require.Equal(t, 0, code, out+errOut)
	code, out, _ = proof(p4, "--min-epoch", "0")
	require.Equal(t, 1, code)
	require.Contains(t, out, "epoch_rollback")
	code, out, _ = proof(p5, "--min-epoch", "6")
	require.Equal(t, 1, code)
	require.Contains(t, out, "epoch 5 is older than the stored epoch 6")
	require.Equal(t, map[string]int64{ns: 5}, readStore(t, store))

	// The same keyring by a relative path is the same namespace (the
	// command runs in examples/demo).
	wd, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(filepath.Join(wd, "..", "..", "examples", "demo"), ring)
	require.NoError(t, err)
	require.False(t, filepath.IsAbs(rel))
	code, out, _ = licverify(t, "", "proof", "--keys", rel, "--now", demo.Now, "--epoch-store", store, p4)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "epoch 4 is older than the stored epoch 5")

	// Another namespace has its own epoch.
	code, out, errOut = proof(p4, "--epoch-namespace", "issuer-b")
	require.Equal(t, 0, code, out+errOut)
	require.Equal(t, map[string]int64{ns: 5, "issuer-b": 4}, readStore(t, store))

	// A revoked proof at epoch 9 is exit 1, and still raises the store:
	// a genuine newer statement must stop the older "valid" proof.
	code, out, _ = proof(p9revoked)
	require.Equal(t, 1, code)
	require.Contains(t, out, "invalid (revoked)")
	require.Equal(t, map[string]int64{ns: 9, "issuer-b": 4}, readStore(t, store))
	code, out, _ = proof(p5)
	require.Equal(t, 1, code)
	require.Contains(t, out, "epoch 5 is older than the stored epoch 9")

	// A result without store_epoch (a bad signature) changes nothing.
	tampered := filepath.Join(dir, "tampered.json")
	b, err := os.ReadFile(p9revoked)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(tampered, []byte(strings.Replace(string(b), `"revocation_epoch":9`, `"revocation_epoch":99`, 1)), 0o600))
	code, out, _ = proof(tampered, "--epoch-namespace", "issuer-b")
	require.Equal(t, 1, code)
	require.Contains(t, out, "bad_signature")
	require.Equal(t, map[string]int64{ns: 9, "issuer-b": 4}, readStore(t, store))

	// A damaged store is exit 2, names the file, verifies nothing and is
	// left as it is.
	for _, damaged := range []string{"garbage", "", `{"` + ring + `": -1}`, `{"` + ring + `": "9"}`, `[9]`} {
		bad := filepath.Join(dir, "damaged.json")
		require.NoError(t, os.WriteFile(bad, []byte(damaged), 0o600))
		code, out, errOut := licverify(t, "", "proof", "--keys", ring, "--now", demo.Now, "--epoch-store", bad, p5)
		require.Equal(t, 2, code, out+errOut)
		require.Empty(t, out)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
		require.Contains(t, errOut, "licverify proof: epochstore: damaged: epoch file "+bad)
		require.Contains(t, errOut, "not verifying")
		after, err := os.ReadFile(bad)
		require.NoError(t, err)
		require.Equal(t, damaged, string(after))
	}
	// A store that cannot be read, or written, is exit 2 too.
	code, out, errOut = licverify(t, "", "proof", "--keys", ring, "--now", demo.Now, "--epoch-store", dir, p5)
	require.Equal(t, 2, code, out+errOut)
	require.Empty(t, out)
	require.Contains(t, errOut, "epoch file "+dir+": is a directory")
	underFile := filepath.Join(key, "epochs.json")
	code, out, errOut = licverify(t, "", "proof", "--keys", ring, "--now", demo.Now, "--epoch-store", underFile, p5)
	require.Equal(t, 2, code, out+errOut)
	require.Empty(t, out)
	require.Contains(t, errOut, "epoch file "+underFile)
	if os.Geteuid() != 0 && runtime.GOOS != "windows" { // root writes anyway
		readOnly := filepath.Join(dir, "read-only")
		require.NoError(t, os.Mkdir(readOnly, 0o700))
		roStore := filepath.Join(readOnly, "epochs.json")
		require.NoError(t, os.WriteFile(roStore, []byte("{}"), 0o600))
		require.NoError(t, os.Chmod(readOnly, 0o500))
		defer os.Chmod(readOnly, 0o700)
		code, out, errOut = licverify(t, "", "proof", "--keys", ring, "--now", demo.Now, "--epoch-store", roStore, p5)
		require.Equal(t, 2, code, out+errOut)
		require.Empty(t, out)
		require.Contains(t, errOut, "licverify proof: epochstore: writing epoch file "+roStore+": ")
	}

	// Misuse.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--epoch-store", ""}, `--epoch-store "": empty`},
		{[]string{"--epoch-store", store, "--epoch-namespace="}, `--epoch-namespace "": empty`},
		{[]string{"--epoch-namespace", "x"}, "--epoch-namespace needs --epoch-store"},
	} {
		code, out, errOut := licverify(t, "", append([]string{"proof", "--keys", ring, "--now", demo.Now, p5}, tc.args...)...)
		require.Equal(t, 2, code, out+errOut)
		require.Contains(t, errOut, tc.want)
	}
}

// TestEpochStoreRevocation: revocation shares the flags and the store: a
// set raises the keyring's epoch, which then guards proofs and sets.
func TestEpochStoreRevocation(t *testing.T) {
	store := filepath.Join(t.TempDir(), "epochs.json")
	ns := demoNamespace(t)
	now := "--now=" + demo.Now

	// The demo set (epoch 7), with a revoked id looked up: exit 1, and the
	// genuine set's epoch is stored all the same.
	code, out, errOut := licverify(t, "", "revocation", "--keys", "keyring.json", now, "--epoch-store", store, "--lookup", demo.RevokedID, "revocation-set.json")
	require.Equal(t, 1, code, out+errOut)
	require.Contains(t, out, "valid: revocation set at epoch 7")
	require.Equal(t, map[string]int64{ns: 7}, readStore(t, store))

	// The demo proof is at epoch 7 as well: fine with the same store.
	code, out, errOut = licverify(t, "", "proof", "--keys", "keyring.json", now, "--epoch-store", store, "proof.json")
	require.Equal(t, 0, code, out+errOut)

	// A stored 8 makes the set a rollback; so does --min-epoch 8 with a
	// store below it.
	require.NoError(t, os.WriteFile(store, []byte(fmt.Sprintf("{%q: 8}", ns)), 0o600))
	code, out, _ = licverify(t, "", "revocation", "--keys", "keyring.json", now, "--epoch-store", store, "revocation-set.json")
	require.Equal(t, 1, code)
	require.Contains(t, out, "invalid (epoch_rollback)")
	code, out, _ = licverify(t, "", "revocation", "--keys", "keyring.json", now, "--epoch-store", store, "--epoch-namespace", "fresh", "--min-epoch", "8", "revocation-set.json")
	require.Equal(t, 1, code)
	require.Contains(t, out, "invalid (epoch_rollback)")

	// An expired set is set_expired (exit 1) but genuine: its epoch is
	// stored.
	code, out, _ = licverify(t, "", "revocation", "--keys", "keyring.json", "--now", "2026-03-05T00:00:00Z", "--epoch-store", store, "--epoch-namespace", "expired", "revocation-set.json")
	require.Equal(t, 1, code)
	require.Contains(t, out, "set_expired")
	require.Equal(t, int64(7), readStore(t, store)["expired"])
}

// keyNamespace is the default epoch namespace of the key in a keygen
// private key file: "ed25519:" and its public key in base64.
func keyNamespace(t *testing.T, priv string) string {
	t.Helper()
	var k privateKey
	require.NoError(t, json.Unmarshal([]byte(priv), &k))
	return "ed25519:" + k.PublicKey
}

// demoNamespace is the default epoch namespace of the demo keyring's one
// key.
func demoNamespace(t *testing.T) string {
	t.Helper()
	var ring []struct {
		PublicKey string `json:"public_key"`
	}
	require.NoError(t, json.Unmarshal([]byte(sample(t, "keyring.json")), &ring))
	require.Len(t, ring, 1)
	return "ed25519:" + ring[0].PublicKey
}

// TestEpochStoreFollowsTheKeys: the default namespace is the keyring's
// keys, not its file: a keyring moved, renamed or read from stdin keeps
// its epoch, and so does one that gains a key and then loses the old one.
// A store that named the epoch by the keyring's absolute path (earlier
// releases) is carried over, while the keys have none of their own.
func TestEpochStoreFollowsTheKeys(t *testing.T) {
	dir := t.TempDir()
	keys := map[string]string{} // kid -> private key file
	pubs := map[string]string{} // kid -> keyring entry
	for i, kid := range []string{"old", "new"} {
		code, priv, errOut := licverify(t, "", "keygen", "--kid", kid, "--seed", strings.Repeat(fmt.Sprintf("%02x", 0x50+i), 32))
		require.Equal(t, 0, code, errOut)
		keys[kid] = filepath.Join(dir, kid+".key")
		require.NoError(t, os.WriteFile(keys[kid], []byte(priv), 0o600))
		var k privateKey
		require.NoError(t, json.Unmarshal([]byte(priv), &k))
		pubs[kid] = fmt.Sprintf(`{"kid":%q,"alg":"ed25519","public_key":%q}`, kid, k.PublicKey)
	}
	oldNS := keyNamespace(t, readFileString(t, keys["old"]))
	newNS := keyNamespace(t, readFileString(t, keys["new"]))
	ringFile := func(name string, kids ...string) string {
		var entries []string
		for _, kid := range kids {
			entries = append(entries, pubs[kid])
		}
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		require.NoError(t, os.WriteFile(path, []byte("["+strings.Join(entries, ",")+"]"), 0o600))
		return path
	}
	store := filepath.Join(dir, "epochs.json")
	proof := func(ring, file string) (int, string) {
		code, out, errOut := licverify(t, "", "proof", "--keys", ring, "--now", demo.Now, "--epoch-store", store, file)
		require.NotEqual(t, 2, code, errOut)
		return code, out
	}
	p5 := signedProof(t, dir, keys["old"], "old", 5, "valid")
	p8 := signedProof(t, dir, keys["old"], "old", 8, "valid")
	p9 := signedProof(t, dir, keys["old"], "old", 9, "valid")
	newDir := filepath.Join(dir, "new") // signedProof names files by epoch
	require.NoError(t, os.Mkdir(newDir, 0o700))
	n10 := signedProof(t, newDir, keys["new"], "new", 10, "valid")
	n9 := signedProof(t, newDir, keys["new"], "new", 9, "valid")

	// A store an earlier release wrote: the epoch under the keyring's
	// absolute path. The first run carries it over to the key and
	// verifies with it; the path's member is left as it was.
	ring := ringFile("ring.json", "old")
	require.NoError(t, os.WriteFile(store, []byte(fmt.Sprintf("{%q: 8}", ring)), 0o600))
	code, out := proof(ring, p5)
	require.Equal(t, 1, code)
	require.Contains(t, out, "epoch 5 is older than the stored epoch 8")
	require.Equal(t, map[string]int64{ring: 8, oldNS: 8}, readStore(t, store))

	// Moved and renamed: the same key, the same epoch.
	moved := filepath.Join(dir, "elsewhere", "issuer.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(moved), 0o700))
	require.NoError(t, os.Rename(ring, moved))
	code, out = proof(moved, p5)
	require.Equal(t, 1, code)
	require.Contains(t, out, "epoch 5 is older than the stored epoch 8")
	code, out = proof(moved, p9)
	require.Equal(t, 0, code, out)
	require.Equal(t, map[string]int64{ring: 8, oldNS: 9}, readStore(t, store))

	// Read from stdin: no path at all, the same epoch.
	code, out, errOut := licverify(t, "["+pubs["old"]+"]", "proof", "--keys", "-", "--now", demo.Now, "--epoch-store", store, p8)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "epoch 8 is older than the stored epoch 9")

	// A path's epoch is carried only while the keys have none: back at
	// the old path, whose member says 20, the key's own 9 stands (the
	// path may since have held another keyring).
	ringFile("ring.json", "old")
	require.NoError(t, os.WriteFile(store, []byte(fmt.Sprintf("{%q: 20, %q: 9}", ring, oldNS)), 0o600))
	code, _ = proof(ring, p9)
	require.Equal(t, 0, code)
	require.Equal(t, map[string]int64{ring: 20, oldNS: 9}, readStore(t, store))

	// Rotation: the new key joins the ring, which keeps the old key's
	// epoch; a proof by the new key raises both; then the old key leaves,
	// and the new key alone still holds the epoch.
	both := ringFile("rotating.json", "old", "new")
	code, out = proof(both, p8)
	require.Equal(t, 1, code)
	require.Contains(t, out, "epoch 8 is older than the stored epoch 9")
	code, out = proof(both, n10)
	require.Equal(t, 0, code, out)
	require.Equal(t, map[string]int64{ring: 20, oldNS: 10, newNS: 10}, readStore(t, store))
	code, out = proof(ringFile("rotating.json", "new"), n9)
	require.Equal(t, 1, code)
	require.Contains(t, out, "epoch 9 is older than the stored epoch 10")

	// A keyring that does not load is reported as without a store, before
	// the store is read.
	bad := ringFile("bad.json")
	_, _, plain := licverify(t, "", "proof", "--keys", bad, "--now", demo.Now, p5)
	code, out, errOut = licverify(t, "", "proof", "--keys", bad, "--now", demo.Now, "--epoch-store", filepath.Join(dir, "unused.json"), p5)
	require.Equal(t, 2, code, out)
	require.Equal(t, plain, errOut)
	require.Contains(t, errOut, "keyring "+bad+" does not load: ")
	require.NoFileExists(t, filepath.Join(dir, "unused.json"))
}

func readFileString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// p256PEM is a PEM public key that is not Ed25519.
func p256PEM(t *testing.T) string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// TestEpochStoreProcesses: command-line processes raising one
// --epoch-store at once lose no raise, nor do the npm and Python packages'
// stores raising it with them. The command is built, its module compiled
// into a cache once, then five times six processes start together, each
// verifying the demo proof (epoch 7) under a namespace of its own, along
// with a Node and a Python process (../../epochstore/testdata/raise.*)
// raising namespaces of theirs; afterwards every namespace holds its last
// epoch.
func TestEpochStoreProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "licverify")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", exe, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	python := "python3"
	if runtime.GOOS == "windows" {
		python = "python"
	}
	others := [][2]string{{"node", "raise.mjs"}, {python, "raise.py"}} // command, script
	for _, o := range others {
		if _, err := exec.LookPath(o[0]); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found in PATH; CI=true, so this fails instead of skipping", o[0])
			}
			t.Logf("%s not found in PATH: only command-line processes raise", o[0])
			others = nil
			break
		}
	}

	store := filepath.Join(dir, "epochs.json")
	cache := filepath.Join(dir, "cache")
	demoDir := filepath.Join("..", "..", "examples", "demo")
	run := func(ns string) *exec.Cmd {
		cmd := exec.Command(exe, "proof", "--cache-dir", cache, "--keys", "keyring.json", "--now", demo.Now,
			"--epoch-store", store, "--epoch-namespace", ns, "proof.json")
		cmd.Dir = demoDir
		return cmd
	}
	out, err = run("warm-up").CombinedOutput()
	require.NoError(t, err, "%s", out)

	const trials, procs, rounds = 5, 6, 5
	want := map[string]int64{"warm-up": 7}
	n := trials * len(others) // the Node and Python children, numbered across trials
	if n > 0 {
		want["shared"] = rounds * int64(n)
	}
	for trial := range trials {
		var cmds []*exec.Cmd
		for k := range procs {
			ns := fmt.Sprintf("trial-%d-%d", trial, k)
			want[ns] = 7
			cmds = append(cmds, run(ns))
		}
		for j, o := range others {
			k := trial*len(others) + j
			want[fmt.Sprintf("own-%d", k)] = rounds
			cmds = append(cmds, exec.Command(o[0], filepath.Join("..", "..", "epochstore", "testdata", o[1]),
				store, strconv.Itoa(k), strconv.Itoa(n), strconv.Itoa(rounds)))
		}
		outs := make([]bytes.Buffer, len(cmds))
		for k, cmd := range cmds {
			cmd.Stdout, cmd.Stderr = &outs[k], &outs[k]
			// No standard input: the raise.* children start at once too.
			require.NoError(t, cmd.Start())
		}
		for k, cmd := range cmds {
			require.NoError(t, cmd.Wait(), "%s: %s", cmd, outs[k].String())
		}
	}
	got := readStore(t, store)
	lost := 0
	for ns := range want {
		if _, ok := got[ns]; !ok {
			lost++
		}
	}
	require.Zero(t, lost, "%d of %d namespaces lost", lost, len(want))
	require.Equal(t, want, got)
	require.NoFileExists(t, store+".lock")
}

// TestMessagesSayWhatToDo: an input that is not what its flag or argument
// takes gets one line naming the file, what is wrong with it and what to
// do (exit 2), or, for a document, a summary saying so (exit 1).
func TestMessagesSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		return path
	}
	bom := func(name string) string {
		return write("bom-"+name, append([]byte("\xef\xbb\xbf"), sample(t, name)...))
	}
	code, priv, errOut := licverify(t, "", "keygen", "--kid", "k", "--seed", strings.Repeat("07", 32))
	require.Equal(t, 0, code, errOut)
	key := write("key.json", []byte(priv))
	var k privateKey
	require.NoError(t, json.Unmarshal([]byte(priv), &k))
	pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
	require.NoError(t, err)
	x := base64.RawURLEncoding.EncodeToString(pub)
	shortX := write("short-x.json", []byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"`+x[:42]+`"}]}`))
	oneJWK := write("jwk.json", []byte(`{"kty":"OKP","crv":"Ed25519","x":"`+x+`"}`))
	ring := write("ring.json", []byte(`[{"kid":"k","alg":"ed25519","public_key":"`+k.PublicKey+`"}]`))
	epochs := write("bom-epochs.json", []byte("\xef\xbb\xbf{}"))
	doc := write("doc.json", []byte(`{"a":1}`))

	// A proof checked in year 0000, signed by the key above.
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(sample(t, "proof.json")), &m))
	delete(m, "signature")
	delete(m, "issuer_kid")
	m["checked_at"] = "0000-01-01T00:00:00Z"
	text, err := json.Marshal(m)
	require.NoError(t, err)
	code, signed, errOut := licverify(t, "", "sign", "--key", key, write("old.json", text))
	require.Equal(t, 0, code, errOut)
	old := write("old-signed.json", []byte(signed))
	// Hours from 0000-01-01 to the demo proof's valid_until, not
	// time.Duration's largest value.
	lifetime := (time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC).Unix() - time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) / 3600

	now := "--now=" + demo.Now
	for _, tc := range []struct {
		name   string
		args   []string
		exit   int
		stdout string
		stderr string
	}{
		{"keygen's private key as --keys", []string{"proof", "--keys", key, now, "proof.json"}, 2, "",
			"keyring " + key + " does not load: keyring is a private key (it has private_key), not a keyring: a keyring takes public keys only; give the keyring of its public key, never the private key (invalid_field)"},
		{"one JWK as --keys", []string{"proof", "--keys", oneJWK, now, "proof.json"}, 2, "",
			`keyring ` + oneJWK + ` does not load: keyring is one JWK, not a JWKS: put it in a keys array, {"keys": [...]} (missing_field)`},
		{"a JWK x one character short", []string{"proof", "--keys", shortX, now, "proof.json"}, 2, "",
			"JWK 0: x is 42 characters of base64url; an Ed25519 public key is 32 bytes, 43 characters (44 with = padding) (weak_key)"},
		{"a keyring with a BOM", []string{"proof", "--keys", bom("keyring.json"), now, "proof.json"}, 2, "",
			"keyring starts with a byte order mark (EF BB BF), refused rather than stripped (RFC 8259 §8.1): save it as UTF-8 without one (malformed_json)"},
		{"a proof with a BOM", []string{"proof", "--keys", "keyring.json", now, bom("proof.json")}, 1,
			"invalid (malformed_json): status proof starts with a byte order mark (EF BB BF), refused rather than stripped (RFC 8259 §8.1): save it as UTF-8 without one\n", ""},
		{"a license with a BOM", []string{"license", "--keys", "keyring.json", now, "--product", demo.Product, bom("license.key")}, 1,
			"block (malformed_json): canonical: the text starts with a byte order mark (EF BB BF)", ""},
		{"a device file with a BOM", []string{"proof", "--keys", "keyring.json", now, "--device", bom("device.json"), "proof.json"}, 2, "",
			"licverify proof: --device " + filepath.Join(dir, "bom-device.json") + " is not a fingerprint (a JSON object of components): malformed_json: canonical: the text starts with a byte order mark (EF BB BF)"},
		{"canonical of a file with a BOM", []string{"canonical", bom("device.json")}, 1,
			"invalid (malformed_json): canonical: the text starts with a byte order mark (EF BB BF)", ""},
		{"an epoch store with a BOM", []string{"proof", "--keys", "keyring.json", now, "--epoch-store", epochs, "proof.json"}, 2, "",
			"epoch file " + epochs + " starts with a byte order mark (EF BB BF), which JSON text must not: save it as UTF-8 without one"},
		{"sign's key file with a BOM", []string{"sign", "--key", write("bom-key.json", append([]byte("\xef\xbb\xbf"), priv...)), doc}, 2, "",
			"bom-key.json starts with a byte order mark (EF BB BF): save it as UTF-8 without one"},
		{"sign's document with a BOM", []string{"sign", "--key", key, write("bom-doc.json", []byte("\xef\xbb\xbf{}"))}, 2, "",
			"bom-doc.json: canonical: the text starts with a byte order mark (EF BB BF)"},
		{"a proof checked in year 0000", []string{"proof", "--keys", ring, now, old}, 1,
			fmt.Sprintf("invalid (ttl_too_long): proof lifetime %dh0m0s (checked_at", lifetime) + ` 0000-01-01T00:00:00Z to valid_until 2026-03-03T08:00:00Z) exceeds the maximum 168h0m0s` + "\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := licverify(t, "", tc.args...)
			require.Equal(t, tc.exit, code, out+errOut)
			require.Contains(t, out, tc.stdout)
			require.Contains(t, errOut, tc.stderr)
			require.NotContains(t, out+errOut, "ï")
			if code == 2 {
				require.Empty(t, out)
				require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
			}
		})
	}
}
