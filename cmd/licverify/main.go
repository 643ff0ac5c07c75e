// Command licverify verifies licenses, status proofs and revocation sets
// offline, through the licverify WebAssembly module (package host): the
// answers are the ones every other runtime gives.
//
// Usage:
//
//	licverify proof --keys KEYRING [--now T] [--license-id ID] [--device FILE] [--min-epoch N] PROOF
//	licverify revocation --keys KEYRING [--now T] [--min-epoch N] [--allow-stale] [--lookup ID]... SET [DELTA...]
//	licverify license --keys KEYRING --product ID [--now T] [--fingerprint-hash H] [--state FILE] [--write-state FILE] [--release-date T] [--server-time T] LICENSE
//	licverify qkey --keys KEYRING [--now T] [--password P] [--package NAME] [--machine-id HEX] [--allow-unsigned] FILE
//	licverify canonical [FILE]
//	licverify fingerprint
//	licverify keygen [--kid KID] [--seed HEX] [--keyring FILE]
//	licverify sign --key PRIVATE DOC
//
// Every verifying command prints a short summary, or with --json exactly
// the result JSON. Exit status: 0 valid (for license: run or warn; for
// revocation: no id looked up is revoked or suspended), 1 invalid (block,
// revoked), 2 a usage or I/O error, with a one-line message on stderr.
// --now defaults to the current time. keygen and sign make test fixtures;
// they run natively, never in the module, and the verifier never sees a
// private key.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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

// clock is the default for --now; tests pin it.
var clock = time.Now

// usageError is a problem with the command line or its files: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errInvalid is returned by a command whose answer was "invalid": exit 1,
// with the summary already printed.
var errInvalid = errors.New("invalid")

// env is what a command may use.
type env struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	verifier       *host.Verifier
}

// module starts the module on first use; keygen, sign and usage errors
// never pay for it.
func (e *env) module() (*host.Verifier, error) {
	if sharedVerifier != nil {
		return sharedVerifier, nil
	}
	if e.verifier == nil {
		v, err := host.New(e.ctx, hostOptions)
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
		{"proof", "--keys KEYRING [--now T] [--license-id ID] [--device FILE] [--min-epoch N] PROOF", "verify a license status proof", runProof},
		{"revocation", "--keys KEYRING [--now T] [--min-epoch N] [--allow-stale] [--lookup ID]... SET [DELTA...]", "verify a revocation set (and deltas), look ids up", runRevocation},
		{"license", "--keys KEYRING --product ID [--now T] [--fingerprint-hash H] [--state FILE] [--write-state FILE] [--release-date T] [--server-time T] LICENSE", "evaluate a license.key", runLicense},
		{"qkey", "--keys KEYRING [--now T] [--password P] [--package NAME] [--machine-id HEX] [--allow-unsigned] FILE", "verify a .qkey license", runQKey},
		{"canonical", "[FILE]", "print the RFC 8785 canonical form of a JSON document (stdin without FILE)", runCanonical},
		{"fingerprint", "", "print this machine's fingerprint components and their hashes", runFingerprint},
		{"keygen", "[--kid KID] [--seed HEX] [--keyring FILE]", "make an Ed25519 key for test fixtures (private key JSON on stdout)", runKeygen},
		{"sign", "--key PRIVATE DOC", "sign a JSON document for test fixtures", runSign},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: licverify COMMAND [flags] [args]   (--json: print the result JSON)")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n  %-11s   %s\n", c.name, c.help, "", c.args)
	}
	fmt.Fprintln(w, "exit status: 0 valid, 1 invalid, 2 usage or I/O error")
}

// run is the whole command, testable: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	defer func() {
		if e.verifier != nil {
			e.verifier.Close(ctx)
		}
	}()
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errInvalid):
			return 1
		default:
			fmt.Fprintf(stderr, "licverify %s: %s\n", c.name, oneLine(err.Error()))
			return 2
		}
	}
	fmt.Fprintf(stderr, "licverify: unknown command %q (run licverify --help)\n", args[0])
	return 2
}

func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
