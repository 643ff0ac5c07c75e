// Command licverify verifies licenses, status proofs and revocation sets
// offline, through the licverify WebAssembly module (package host): the
// answers are the ones every other runtime gives.
//
// Usage:
//
//	licverify proof --keys KEYRING [--now TIME] [--license-id ID] [--device FILE] [--min-epoch EPOCH] [--epoch-store FILE [--epoch-namespace NAME]] PROOF
//	licverify revocation --keys KEYRING [--now TIME] [--min-epoch EPOCH] [--epoch-store FILE [--epoch-namespace NAME]] [--allow-stale] [--lookup ID]... SET [DELTA...]
//	licverify license --keys KEYRING --product ID [--now TIME] [--fingerprint-hash HASH] [--state FILE] [--write-state FILE] [--release-date TIME] [--server-time TIME] LICENSE
//	licverify qkey --keys KEYRING [--now TIME] [--password PASSWORD] [--package NAME] [--machine-id HEX] [--allow-unsigned] FILE
//	licverify canonical [FILE]
//	licverify fingerprint [--quantummeta]
//	licverify keygen [--kid KID] [--seed HEX] [--keyring FILE]
//	licverify sign --key PRIVATE [--kid KID] [--form rfc8785|python] DOC
//	licverify help [COMMAND]
//	licverify --version
//
// Flags may come before, between or after the arguments. "licverify
// COMMAND --help" (or -h) prints the command's usage and every flag on
// stdout; "licverify --help" prints the list of commands. --version prints
// the module version, the sha256 of the embedded licverify.wasm and the Go
// version.
//
// Every command but keygen and sign runs the module: it prints a short
// summary, or with --json exactly the result JSON, and takes --cache-dir
// DIR, the directory of the compiled-module cache (default
// $LICVERIFY_CACHE_DIR, else licverify/wazero in the user cache
// directory). Without a usable cache directory nothing is kept compiled:
// every run answers from the interpreter and a large document waits
// seconds for a compile; a line on stderr says so. The cache holds code
// that runs as the user, so a directory that another user owns or may
// write, or that lies below one (root's and sticky directories aside), is
// refused, the default one included (root running with another user's
// HOME); each entry must verify against a MAC under a secret kept in the
// directory, or it is compiled again and rewritten (package host,
// "Compilation").
//
// Exit status: 0 valid (for license: run or warn; for revocation: no id
// looked up is revoked or suspended); 1 invalid, the document is bad
// (block, revoked, any rejection); 2 the configuration is bad: the command
// line, a file that cannot be read or written, a keyring that does not
// load, an epoch store that is damaged. An exit 2 prints a one-line
// message on stderr naming the file at fault (an unknown flag is followed
// by the command's usage).
//
// A file named - is stdin, for one input of a command (the keyring, a
// document, --state, --device); --write-state - prints the new state on
// stdout, exactly the bytes a file would hold, and the summary on stderr.
//
// --now defaults to the current time; given, it must be an RFC 3339 time
// such as 2026-03-01T12:00:00Z. --min-epoch is an integer from 0 to 2^53.
// A flag given an empty value (--now "", --license-id "", --epoch-store
// "", ...) is a usage error, never "not given": an unset shell variable
// must not switch a check off.
//
// --epoch-store FILE (proof, revocation) keeps the anti-rollback epoch in a
// JSON file (package epochstore, the npm package's Node store format):
// before verifying, the epoch stored for the namespace is read and
// max(stored, --min-epoch) is sent as min_epoch; after a result that
// carries store_epoch (a valid one, and also revoked, expired or
// set_expired), the stored epoch is raised to it. The epoch is kept per
// public key of the keyring (namespace "ed25519:" and the key in base64):
// the stored epoch is the largest of its keys', and a result raises them
// all. So it follows the keys, not the file: a keyring moved, renamed,
// read from stdin or given a new key keeps its epoch (a keyring holding
// several issuers' keys would mix their epochs: give each issuer its own
// keyring, or its own --epoch-namespace). A store written
// when the namespace was the keyring file's absolute path is carried
// over: while none of the keys has an epoch, the one stored under that
// path is raised into them. --epoch-namespace NAME keeps the epoch under
// NAME instead: use one per issuer, the same wherever its documents are
// verified. A raise takes the store's lock,
// FILE.lock, as the Go, Node and Python stores do, so that processes of
// any of them may share FILE. A store that cannot be read or written is
// exit 2, never a verification with epoch 0.
//
// keygen and sign make test fixtures; they run natively, never in the
// module, and the verifier never sees a private key. sign prints the
// document in the signed form with a signature member; a status proof
// (which must name its key), a revocation set or a delta that has no
// issuer_kid also gets one: --kid, else the key file's kid. A document of
// another format (a license.key, a .qkey) gains no member, and --kid is
// refused for it, as it is when the document names another issuer_kid.
//
// fingerprint --quantummeta runs no module: it prints the machine id
// QuantumMeta's get_machine_id() gives on this machine (the id a .qkey is
// bound to, to pass to qkey --machine-id), read from QuantumMeta's cache
// or computed (host.CollectQuantumMetaMachineID), or the reason it is
// unavailable, with exit status 1.
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/licverify/licverify/host"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// hostOptions configures the module; tests point the cache elsewhere.
var hostOptions = host.Options{MaxInstances: 1}

// sharedVerifier, when set (tests set it), serves every run in place of a
// Verifier of the run's own, and runs leave it open: starting the module
// per run would dominate a test that runs the command hundreds of times.
var sharedVerifier *host.Verifier

// newVerifier starts the module; tests see the options it is given.
var newVerifier = host.New

// clock is the default for --now; tests pin it.
var clock = time.Now

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// cacheDirEnv names the environment variable that sets the compiled-module
// cache directory when --cache-dir is not given.
const cacheDirEnv = "LICVERIFY_CACHE_DIR"

// usageError is a problem with the command line, its files or the host's
// configuration: exit 2. more, when set, is printed after the message (the
// command's usage); err, when set, is the cause (errors.Is sees it).
type usageError struct {
	msg, more string
	err       error
}

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errInvalid is returned by a command whose answer was "invalid": exit 1,
// with the summary already printed.
var errInvalid = errors.New("invalid")

// env is what a command may use.
type env struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	verifier       *host.Verifier
	cacheDir       string    // --cache-dir
	stdinFor       string    // what stdin was read as ("the keyring"), once a file named "-" has been
	summaryTo      io.Writer // where report prints a summary; stdout when nil
}

// module starts the module on first use; keygen, sign and usage errors
// never pay for it. Without a usable cache directory it says, in one line
// on stderr, why the start takes seconds.
func (e *env) module() (*host.Verifier, error) {
	if sharedVerifier != nil {
		return sharedVerifier, nil
	}
	if e.verifier == nil {
		opts := hostOptions
		switch {
		case e.cacheDir != "":
			opts.CacheDir = e.cacheDir
		case os.Getenv(cacheDirEnv) != "":
			opts.CacheDir = os.Getenv(cacheDirEnv)
		}
		if !opts.NoDiskCache {
			if _, err := host.CacheDir(opts); err != nil {
				fmt.Fprintf(e.stderr, "licverify: %s, so the module is never kept compiled: every run answers from the interpreter, and a large document waits seconds for a compile (set --cache-dir or %s to a directory of your own that no one else can write)\n",
					strings.TrimPrefix(err.Error(), "host: "), cacheDirEnv)
			}
		}
		v, err := newVerifier(e.ctx, opts)
		if err != nil {
			return nil, err
		}
		e.verifier = v
	}
	return e.verifier, nil
}

type command struct {
	name, args, help string
	run              func(e *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"proof", "--keys KEYRING [--now TIME] [--license-id ID] [--device FILE] [--min-epoch EPOCH] [--epoch-store FILE [--epoch-namespace NAME]] PROOF", "verify a license status proof", runProof},
		{"revocation", "--keys KEYRING [--now TIME] [--min-epoch EPOCH] [--epoch-store FILE [--epoch-namespace NAME]] [--allow-stale] [--lookup ID]... SET [DELTA...]", "verify a revocation set (and deltas), look ids up", runRevocation},
		{"license", "--keys KEYRING --product ID [--now TIME] [--fingerprint-hash HASH] [--state FILE] [--write-state FILE] [--release-date TIME] [--server-time TIME] LICENSE", "evaluate a license.key", runLicense},
		{"qkey", "--keys KEYRING [--now TIME] [--password PASSWORD] [--package NAME] [--machine-id HEX] [--allow-unsigned] FILE", "verify a .qkey license", runQKey},
		{"canonical", "[FILE]", "print the RFC 8785 canonical form of a JSON document (stdin without FILE)", runCanonical},
		{"fingerprint", "[--quantummeta]", "print this machine's fingerprint components and their hashes, or QuantumMeta's machine id", runFingerprint},
		{"keygen", "[--kid KID] [--seed HEX] [--keyring FILE]", "make an Ed25519 key for test fixtures (private key JSON on stdout)", runKeygen},
		{"sign", "--key PRIVATE [--kid KID] [--form rfc8785|python] DOC", "sign a JSON document for test fixtures; a status proof or revocation set/delta without issuer_kid gets the key's kid", runSign},
	}
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

const exitStatusText = "exit status: 0 valid; 1 invalid (the document is bad); 2 the command line, a file,\n" +
	"the keyring or the epoch store is bad (one line on stderr names it)"

// usage prints the overview: every command, the shared flags, the exit
// status.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: licverify COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.help)
		if c.args != "" {
			fmt.Fprintf(w, "  %-12s   %s %s\n", "", c.name, c.args)
		}
	}
	fmt.Fprintf(w, `
Flags may come before, between or after the arguments. Every command but
keygen and sign takes --json (print exactly the result JSON) and
--cache-dir DIR (the compiled-module cache; default $%s, else
licverify/wazero in the user cache directory).

  licverify COMMAND --help   a command's usage and every flag
  licverify --version        the version, the module's sha256, the Go version

%s
`, cacheDirEnv, exitStatusText)
}

// version prints the module version (from the build information), the
// sha256 of the embedded module and the Go version.
func version(w io.Writer) {
	v := "(devel)"
	if info, ok := readBuildInfo(); ok && info.Main.Version != "" {
		v = info.Main.Version
	}
	fmt.Fprintf(w, "licverify %s\nlicverify.wasm sha256 %x\n%s %s/%s\n", v, sha256.Sum256(host.Module()), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// run is the whole command, testable: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return 0
		}
		if lookup(args[1]) == nil || len(args) > 2 {
			fmt.Fprintf(stderr, "licverify help: want one command name, got %q (run licverify --help)\n", strings.Join(args[1:], " "))
			return 2
		}
		// The command's own --help.
		args = []string{args[1], "--help"}
	case "-version", "--version", "version":
		version(stdout)
		return 0
	}
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	defer func() {
		if e.verifier != nil {
			e.verifier.Close(ctx)
		}
	}()
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "licverify: unknown command %q (run licverify --help)\n", args[0])
		return 2
	}
	err := c.run(e, args[1:])
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errInvalid):
		return 1
	case errors.As(err, &ue) && ue.more != "":
		fmt.Fprintf(stderr, "licverify %s: %s\n%s", c.name, oneLine(ue.msg), ue.more)
		return 2
	default:
		fmt.Fprintf(stderr, "licverify %s: %s\n", c.name, oneLine(err.Error()))
		return 2
	}
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
