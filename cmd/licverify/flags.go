package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/licverify/licverify/epochstore"
)

// exampleTime is the form --now and the other time flags take.
const exampleTime = "2026-03-01T12:00:00Z"

// kind says which of the shared flags a command takes.
type kind int

const (
	native    kind = iota // keygen, sign: no module, no shared flags
	module                // canonical, fingerprint: --json, --cache-dir
	verifying             // proof, revocation, license, qkey: also --keys, --now
)

// flags is a command's flag set with the flags its kind shares.
type flags struct {
	*flag.FlagSet
	e    *env
	cmd  *command
	kind kind

	json    bool
	keys    string
	keyring []byte // the --keys file's bytes, once read
	now     timeFlag
}

func (e *env) newFlags(name string, k kind) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), e: e, cmd: lookup(name), kind: k}
	f.SetOutput(io.Discard)
	if k >= module {
		f.BoolVar(&f.json, "json", false, "print exactly the result JSON instead of a summary")
		f.StringVar(&e.cacheDir, "cache-dir", "", "the compiled-module cache `DIR` (default $LICVERIFY_CACHE_DIR, else licverify/wazero in the user cache directory); the first run on a machine prints its answer in under a second and exits once the module is compiled there (seconds); without a usable cache every run answers from the interpreter, slower for large documents. The code kept there runs as you, so DIR is used only if it is yours and no one else can write it or a directory above it (those may also be root's, and sticky ones such as /tmp shared), and each entry must verify against a MAC under a secret kept in DIR (an entry that does not is compiled again and rewritten); a refused DIR is named on stderr with the reason")
	}
	if flagsMade != nil {
		flagsMade(f)
	}
	if k >= verifying {
		f.StringVar(&f.keys, "keys", "", "the `KEYRING` file of trusted public keys: a JSON array, a JWKS or PEM (required; - reads stdin)")
		f.Var(&f.now, "now", "the `TIME` to verify at, RFC 3339 such as "+exampleTime+" (default: the current time)")
	}
	return f
}

// flagsMade, when set (by tests), sees every command's flag set as it is
// made.
var flagsMade func(*flags)

// errHelp is returned by a command asked for --help: its usage is printed
// on stdout, and the exit status is 0.
var errHelp = errors.New("help printed")

// parse parses flags that may come before, between or after the
// positional arguments, and returns the positional arguments. -h and
// --help print the command's usage on stdout (errHelp).
func (f *flags) parse(args []string) ([]string, error) {
	if err := f.checkGiven(args); err != nil {
		return nil, err
	}
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.usage(f.e.stdout)
				return nil, errHelp
			}
			return nil, f.flagError(err)
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// mayBeEmpty names the flags whose empty value means something: the
// .qkey password, where it is the format's default (docs/formats.md).
var mayBeEmpty = map[string]bool{"password": true}

// checkGiven refuses what the flag package would take silently: a flag
// given twice (the last would win, so a second --keys could replace the
// first) unless it is repeatable, and an empty value, so that an unset
// shell variable never switches a check off or picks a default in its
// place.
func (f *flags) checkGiven(args []string) error {
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		fl := f.Lookup(name)
		if fl == nil {
			continue // the flag package names it
		}
		if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
			if !hasValue && i+1 < len(args) {
				value, hasValue = args[i+1], true
				i++
			}
			// The flags of this package's own types refuse an empty value
			// themselves, with their own advice.
			_, rep := fl.Value.(*repeated)
			plain := rep || strings.HasPrefix(fmt.Sprintf("%T", fl.Value), "*flag.")
			if plain && hasValue && value == "" && !mayBeEmpty[name] {
				return usagef("--%s \"\": empty; give a value or leave the flag out", name)
			}
		}
		if _, ok := fl.Value.(*repeated); !ok && seen[name] {
			return usagef("--%s is given twice; give it once", name)
		}
		seen[name] = true
	}
	return nil
}

var (
	unknownFlag = regexp.MustCompile(`^flag provided but not defined: -(.*)$`)
	badValue    = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]*): (.*)$`)
	noValue     = regexp.MustCompile(`^flag needs an argument: -(.*)$`)
)

// flagError rewrites the flag package's message in this command's terms
// (flags written with two dashes); an unknown flag is followed by the
// command's usage, which lists its flags.
func (f *flags) flagError(err error) error {
	msg := err.Error()
	if m := unknownFlag.FindStringSubmatch(msg); m != nil {
		var b strings.Builder
		f.usage(&b)
		return &usageError{msg: fmt.Sprintf("unknown flag --%s (licverify %s takes the flags below)", m[1], f.Name()), more: b.String()}
	}
	if m := badValue.FindStringSubmatch(msg); m != nil {
		return usagef("--%s %s: %s", m[2], m[1], m[3])
	}
	if m := noValue.FindStringSubmatch(msg); m != nil {
		return usagef("--%s needs a value (licverify %s --help)", m[1], f.Name())
	}
	return usagef("%s (licverify %s --help)", msg, f.Name())
}

// usage prints the command's usage line, what it does, and every flag
// with its help text.
func (f *flags) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: licverify %s\n%s\n\nflags:\n", strings.TrimSpace(f.Name()+" "+f.cmd.args), f.cmd.help)
	n := 0
	f.VisitAll(func(fl *flag.Flag) {
		n++
		name, help := flag.UnquoteUsage(fl)
		line := "  --" + fl.Name
		if name != "" {
			line += " " + name
		}
		if d := fl.DefValue; d != "" && d != "false" && d != "0" {
			help += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, help)
	})
	if n == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	fmt.Fprintln(w, "\nFlags may come before, between or after the arguments; -- ends them.")
	if f.kind >= module {
		fmt.Fprintln(w, exitStatusText)
	} else {
		fmt.Fprintln(w, "exit status: 0 done, 2 a usage or I/O error (one line on stderr)")
	}
}

// timeFlag is an RFC 3339 time given on the command line. Given empty or
// in another form, it is an error, not "absent".
type timeFlag struct {
	value string
	set   bool
}

func (t *timeFlag) String() string { return t.value }

func (t *timeFlag) Set(s string) error {
	if s == "" {
		return fmt.Errorf("empty; give an RFC 3339 time such as %s, or leave the flag out", exampleTime)
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return fmt.Errorf("not an RFC 3339 time; write it like %s (UTC) or 2026-03-01T13:00:00+01:00", exampleTime)
	}
	t.value, t.set = s, true
	return nil
}

// epochFlag is an epoch given on the command line: an integer from 0 to
// 2^53. It knows whether it was given, so no value stands for "absent".
type epochFlag struct {
	n   int64
	set bool
}

func (e *epochFlag) String() string {
	if !e.set {
		return ""
	}
	return strconv.FormatInt(e.n, 10)
}

func (e *epochFlag) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > epochstore.MaxEpoch {
		return errors.New("an epoch is an integer from 0 to 2^53")
	}
	e.n, e.set = n, true
	return nil
}

// nameFlag is a file or name that, when given, must not be empty: an
// unset shell variable must not silently switch a feature off.
type nameFlag struct {
	value string
}

func (n *nameFlag) String() string { return n.value }

func (n *nameFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty; give a value or leave the flag out")
	}
	n.value = s
	return nil
}

// nonEmpty defines a string flag that, given, must not be empty (a
// nameFlag), and returns its value: "" when it was not given.
func (f *flags) nonEmpty(name, usage string) *string {
	n := new(nameFlag)
	f.Var(n, name, usage)
	return &n.value
}

// repeated is a flag that may be given many times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(s string) error { *r = append(*r, s); return nil }
