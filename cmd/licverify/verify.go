package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/licverify/licverify/internal/api"

	"github.com/licverify/licverify/internal/fileutil"
)

// verification starts a verifying request with the members every
// verification shares: the keyring file, as its bytes, and now.
func (f *flags) verification(op string) (*api.Request, error) {
	if f.keys == "" {
		return nil, usagef("--keys is required")
	}
	keys, err := f.e.readFile(f.keys, "the keyring")
	if err != nil {
		return nil, err
	}
	f.keyring = keys
	now := f.now.value // checked by timeFlag.Set
	if !f.now.set {
		now = clock().UTC().Format(time.RFC3339)
	}
	return api.NewRequest(op).Part("keys", keys).Set("now", now), nil
}

// maxFile bounds what the command reads from one file: nothing larger fits
// in a request (a revocation set at its 64 MiB limit and the envelope).
const maxFile = api.MaxRequest

// readFile reads the named file, or the command's stdin for "-", which
// only one file of a command may name: a second would read nothing. what
// says which input the file is ("the keyring"), for that error.
func (e *env) readFile(name, what string) ([]byte, error) {
	if name == "-" {
		if e.stdinFor != "" {
			return nil, usagef("%s cannot be stdin (-) too: stdin is %s, and it can be read once; give %s as a file", what, e.stdinFor, what)
		}
		e.stdinFor = what
		return readAll(e.stdin, "stdin")
	}
	f, err := openFile(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, name)
}

// openFile opens a file to read, refusing a directory. Errors name the
// file once.
func openFile(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("%s: %v", name, fileutil.Cause(err)), err: err}
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, usagef("%s is a directory, not a file", name)
	}
	return f, nil
}

// readAll reads r, refusing more than maxFile bytes.
func readAll(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, usagef("read %s: %v", name, fileutil.Cause(err))
	}
	if len(b) > maxFile {
		return nil, usagef("%s is larger than %d bytes", name, maxFile)
	}
	return b, nil
}

// readState reads the --state file (stdin for "-"), or returns nil when
// there is none yet (the first activation).
func (e *env) readState(name string) ([]byte, error) {
	if name == "-" {
		return e.readFile(name, "the state")
	}
	f, err := openFile(name)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	defer f.Close()
	return readAll(f, name)
}

// writeFileAtomic writes data to name through a temporary file in the same
// directory and a rename, so that a reader never sees half a file. Errors
// name the file, never the temporary one.
func writeFileAtomic(name string, data []byte) error {
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return usagef("write %s: it is a directory", name)
	}
	if err := fileutil.WriteAtomic(name, data, os.Rename); err != nil {
		return usagef("write %s: %v", name, err)
	}
	return nil
}

// result is a decoded response.
type result map[string]json.RawMessage

func (r result) str(k string) string {
	var s string
	_ = json.Unmarshal(r[k], &s)
	return s
}

func (r result) num(k string) string {
	var n json.Number
	if json.Unmarshal(r[k], &n) != nil {
		return ""
	}
	return n.String()
}

func (r result) boolean(k string) bool {
	var b bool
	_ = json.Unmarshal(r[k], &b)
	return b
}

func (r result) strings(k string) []string {
	var s []string
	_ = json.Unmarshal(r[k], &s)
	return s
}

func (r result) valid() bool { return r.boolean("valid") }

// failure is the one-line summary of a result that is not valid.
func (r result) failure() string {
	return fmt.Sprintf("invalid (%s): %s", r.str("code"), r.message())
}

// message is the result's message, with the command to run when the
// module says the document looks like another kind.
func (r result) message() string {
	m := r.str("message")
	const looks = "(this looks like a "
	i := strings.LastIndex(m, looks)
	if i < 0 {
		return m
	}
	kind, _, ok := strings.Cut(m[i+len(looks):], ", not a ")
	if cmd := kindCommand[kind]; ok && cmd != "" {
		m += "; " + cmd
	}
	return m
}

// kindCommand names the command for each kind of document the module
// tells apart (verify's kind, statusproof_fields.go).
var kindCommand = map[string]string{
	"status proof":        "licverify proof checks it",
	"full revocation set": "licverify revocation checks it",
	"revocation delta":    "licverify revocation checks it after its set",
	"license.key":         "licverify license checks it",
	".qkey license":       "licverify qkey checks it",
}

// call sends a request to the module: every file in it is a part holding
// the file's bytes, untouched. A refused request is a usage error; an op
// the module does not know means this build lacks the command. keysFile
// names the keyring the request carries, if any: a keyring the module
// cannot load (or an empty one, which it refuses as misuse) is the
// operator's configuration (exit 2), reported with the file's name.
func (e *env) call(op string, req *api.Request, keysFile string) ([]byte, result, error) {
	frame, err := req.Encode()
	if err != nil {
		// An option that is not UTF-8: JSON cannot carry it.
		return nil, nil, usagef("%v", err)
	}
	v, err := e.module()
	if err != nil {
		return nil, nil, err
	}
	resp, err := v.Call(e.ctx, frame)
	if err != nil {
		return nil, nil, err
	}
	var r result
	if err := json.Unmarshal(resp, &r); err != nil {
		return nil, nil, fmt.Errorf("module answered %q", resp)
	}
	if msg, ok := r["error"]; ok {
		var s string
		_ = json.Unmarshal(msg, &s)
		if strings.Contains(s, "unknown op") {
			return nil, nil, usagef("not available: this build's module has no %q operation", op)
		}
		if rest, ok := strings.CutPrefix(s, "licverify: keyring: "); ok {
			// As keyringLoadError words verify's own error.
			return nil, nil, usagef("keyring %s does not load: %s (%s)", keysFile, rest, r.str("code"))
		}
		if _, rest, ok := strings.Cut(s, "misuse: keyring "); ok && keysFile != "" {
			// An empty keyring, or one with no keys: misuse to the module.
			return nil, nil, usagef("keyring %s does not load: keyring %s", keysFile, rest)
		}
		return nil, nil, usagef("%s", strings.TrimPrefix(s, "licverify: "))
	}
	return resp, r, nil
}

// report prints the result JSON or the summary, and turns "not ok" into
// errInvalid.
func (e *env) report(f *flags, resp []byte, summary string, ok bool) error {
	if f.json {
		e.stdout.Write(resp)
		fmt.Fprintln(e.stdout)
	} else if e.summaryTo != nil {
		fmt.Fprintln(e.summaryTo, summary)
	} else {
		fmt.Fprintln(e.stdout, summary)
	}
	if !ok {
		return errInvalid
	}
	return nil
}

func runProof(e *env, args []string) error {
	f := e.newFlags("proof", verifying)
	licenseID := f.nonEmpty("license-id", "the license `ID` the proof must be for: the id the host holds")
	device := f.nonEmpty("device", "a `FILE` with this device's fingerprint components (a JSON object)")
	var epochs epochFlags
	epochs.register(f, "a proof")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one PROOF file, got %d arguments", len(pos))
	}
	req, err := f.verification("status_proof")
	if err != nil {
		return err
	}
	proof, err := e.readFile(pos[0], "the proof")
	if err != nil {
		return err
	}
	req.Part("proof", proof)
	if *licenseID != "" {
		req.Set("license_id", *licenseID)
	}
	if *device != "" {
		fp, err := e.readFile(*device, "the device file")
		if err != nil {
			return err
		}
		req.Part("fingerprint", fp)
	}
	g, err := epochs.apply(req, f.keys, f.keyring)
	if err != nil {
		return err
	}
	resp, r, err := e.call("status_proof", req, f.keys)
	if _, why, ok := strings.Cut(fmt.Sprint(err), "status proof: fingerprint: "); ok && *device != "" {
		// The module refuses the request for its fingerprint: name the file.
		return usagef("--device %s is not a fingerprint (a JSON object of components): %s", *device, strings.TrimPrefix(why, "verify: "))
	}
	if err != nil {
		return err
	}
	if err := g.raise(r); err != nil {
		return err
	}
	summary := r.failure()
	if r.valid() {
		status := r.str("status")
		if r.boolean("grace") {
			status += " (grace period)"
		}
		summary = fmt.Sprintf("valid: license %s is %s until %s; refresh after %s; store epoch %s",
			r.str("license_id"), status, r.str("valid_until"), r.str("refresh_after"), r.num("store_epoch"))
	}
	return e.report(f, resp, summary, r.valid())
}

func runRevocation(e *env, args []string) error {
	f := e.newFlags("revocation", verifying)
	var epochs epochFlags
	epochs.register(f, "a set (with its deltas)")
	allowStale := f.Bool("allow-stale", false, "accept a set past its valid_until")
	var lookup repeated
	f.Var(&lookup, "lookup", "a license `ID` to look up (repeatable); a revoked or suspended one is exit 1")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("want a SET file and optional DELTA files")
	}
	req, err := f.verification("revocation_set")
	if err != nil {
		return err
	}
	set, err := e.readFile(pos[0], "the set")
	if err != nil {
		return err
	}
	req.Part("set", set)
	for i, name := range pos[1:] {
		d, err := e.readFile(name, fmt.Sprintf("delta %d", i+1))
		if err != nil {
			return err
		}
		req.Part("deltas", d)
	}
	g, err := epochs.apply(req, f.keys, f.keyring)
	if err != nil {
		return err
	}
	if *allowStale {
		req.Set("allow_stale", true)
	}
	if len(lookup) > 0 {
		req.Set("lookup", []string(lookup))
	}
	resp, r, err := e.call("revocation_set", req, f.keys)
	if err != nil {
		return err
	}
	if err := g.raise(r); err != nil {
		return err
	}
	if !r.valid() {
		return e.report(f, resp, r.failure(), false)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "valid: revocation set at epoch %s, %s revoked, %s suspended, valid until %s",
		r.num("epoch"), r.num("revoked_count"), r.num("suspended_count"), r.str("valid_until"))
	if r.boolean("stale") {
		b.WriteString(" (stale)")
	}
	var lookups []struct {
		LicenseID string `json:"license_id"`
		Status    string `json:"status"`
		Until     string `json:"until"`
	}
	_ = json.Unmarshal(r["lookups"], &lookups)
	clear := true
	for _, l := range lookups {
		fmt.Fprintf(&b, "\n  %s: %s", l.LicenseID, l.Status)
		if l.Until != "" {
			fmt.Fprintf(&b, " until %s", l.Until)
		}
		if l.Status != "not_revoked" {
			clear = false
		}
	}
	return e.report(f, resp, b.String(), clear)
}

func runLicense(e *env, args []string) error {
	f := e.newFlags("license", verifying)
	product := f.String("product", "", "the product `ID` this host is (required)")
	fpHash := f.nonEmpty("fingerprint-hash", "this machine's fingerprint `HASH`, sha256:<hex>")
	state := f.nonEmpty("state", "the previous license.state.json `FILE` (none yet when missing; - reads stdin)")
	writeState := f.nonEmpty("write-state", "write the new license.state.json to this `FILE` (atomically); - prints it on stdout, and the summary on stderr")
	release := f.nonEmpty("release-date", "the release date `TIME` of the build to run (RFC 3339)")
	server := f.nonEmpty("server-time", "the `TIME` the vendor's server reported in a successful online check just made (RFC 3339): recorded as the last check, and it resets the clock guard")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one LICENSE file, got %d arguments", len(pos))
	}
	if *product == "" {
		return usagef("--product is required")
	}
	if *writeState == "-" {
		if f.json {
			return usagef("--write-state - and --json both print on stdout: the result JSON holds the new state as its state member; give --write-state a FILE, or leave it out")
		}
		// stdout is the state file's bytes alone, ready to redirect.
		e.summaryTo = e.stderr
	}
	req, err := f.verification("license")
	if err != nil {
		return err
	}
	lic, err := e.readFile(pos[0], "the license")
	if err != nil {
		return err
	}
	req.Part("license", lic).Set("product_id", *product)
	if *fpHash != "" {
		req.Set("fingerprint_hash", *fpHash)
	}
	if *state != "" {
		// The state file as it is on disk, whatever its bytes: the
		// verifier judges it (an unreadable one is the reason
		// state_invalid), the command never repairs it.
		s, err := e.readState(*state)
		if err != nil {
			return err
		}
		if s != nil {
			req.Part("state", s)
		}
	}
	if *release != "" {
		req.Set("release_date", *release)
	}
	if *server != "" {
		req.Set("server_time", *server)
	}
	resp, r, err := e.call("license", req, f.keys)
	if err != nil {
		return err
	}
	if *writeState != "" {
		// Exactly the module's new state, as the result holds it.
		if s, ok := r["state"]; ok && string(s) != "null" {
			if *writeState == "-" {
				e.stdout.Write(s)
			} else if err := writeFileAtomic(*writeState, s); err != nil {
				return err
			}
		}
	}
	decision := r.str("decision")
	if decision == "" {
		return e.report(f, resp, r.failure(), false)
	}
	if _, evaluated := r["trusted_time"]; !evaluated {
		// Refused before its evaluation (JSON, signature, fields, key):
		// the result holds no claims to summarize.
		return e.report(f, resp, fmt.Sprintf("%s (%s): %s", decision, r.str("code"), r.message()), false)
	}
	summary := fmt.Sprintf("%s (%s): license %s for %s, plan %s, status %s, expires %s (%s days), %s days offline",
		decision, r.str("code"), r.str("license_id"), r.str("product_id"), r.str("plan"), r.str("status"),
		r.str("expires_at"), r.num("days_to_expiry"), r.num("days_offline"))
	if reasons := r.strings("reasons"); len(reasons) > 0 {
		summary += "; reasons: " + strings.Join(reasons, ", ")
	}
	if decision == "block" {
		summary += "\n" + r.str("message")
	}
	return e.report(f, resp, summary, decision == "run" || decision == "warn")
}

func runQKey(e *env, args []string) error {
	f := e.newFlags("qkey", verifying)
	password := f.String("password", "", "the file's `PASSWORD` (default: the format's)")
	pkg := f.nonEmpty("package", "the package `NAME` this host is")
	machineID := f.nonEmpty("machine-id", "this machine's id, 32 `HEX` digits")
	allowUnsigned := f.Bool("allow-unsigned", false, "accept a license without a signature")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one FILE, got %d arguments", len(pos))
	}
	req, err := f.verification("qkey")
	if err != nil {
		return err
	}
	file, err := e.readFile(pos[0], "the .qkey file")
	if err != nil {
		return err
	}
	req.Part("qkey", file)
	for k, v := range map[string]string{"password": *password, "package": *pkg, "machine_id": *machineID} {
		if v != "" {
			req.Set(k, v)
		}
	}
	if *allowUnsigned {
		req.Set("allow_unsigned", true)
	}
	resp, r, err := e.call("qkey", req, f.keys)
	if err != nil {
		return err
	}
	summary := r.failure()
	if r.valid() {
		summary = fmt.Sprintf("valid: package %s for %s, expires %s (%s days left), features: %s",
			r.str("package"), r.str("user"), r.str("expires"), r.num("days_left"), strings.Join(r.strings("features"), ", "))
		if !r.boolean("signed") {
			summary += " (UNSIGNED)"
		}
	}
	return e.report(f, resp, summary, r.valid())
}

func runCanonical(e *env, args []string) error {
	f := e.newFlags("canonical", module)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	var doc []byte
	switch len(pos) {
	case 0:
		if doc, err = readAll(e.stdin, "stdin"); err != nil {
			return err
		}
	case 1:
		if doc, err = e.readFile(pos[0], "the document"); err != nil {
			return err
		}
	default:
		return usagef("want at most one FILE")
	}
	// No limit: the module's default (1 MiB) is also the largest it
	// accepts, and a larger document is answered input_too_large.
	resp, r, err := e.call("canonicalize", api.NewRequest("canonicalize").Part("document", doc), "")
	if err != nil {
		return err
	}
	summary := r.failure()
	if r.valid() {
		summary = r.str("canonical")
	}
	return e.report(f, resp, summary, r.valid())
}

func runFingerprint(e *env, args []string) error {
	f := e.newFlags("fingerprint", module)
	quantumMeta := f.Bool("quantummeta", false, "print instead the machine id QuantumMeta's get_machine_id() gives here, the one a .qkey is bound to (read from its cache, or computed where every input is reproducible), or why it is unavailable (exit status 1); it is never part of the fingerprint")
	if pos, err := f.parse(args); err != nil {
		return err
	} else if len(pos) != 0 {
		return usagef("takes no arguments")
	}
	if *quantumMeta {
		return runQuantumMeta(e, f)
	}
	components := collectFingerprint()
	text, err := json.Marshal(components)
	if err != nil {
		return err
	}
	resp, r, err := e.call("fingerprint", api.NewRequest("fingerprint").Part("components", text), "")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("components:")
	for _, k := range sortedKeys(components) {
		fmt.Fprintf(&b, "\n  %s: %s", k, strconv.Quote(components[k]))
	}
	if r.valid() {
		fmt.Fprintf(&b, "\nbinding_hash: %s\nmachine_id: %s", r.str("binding_hash"), r.str("machine_id"))
	} else {
		b.WriteString("\n" + r.failure())
	}
	return e.report(f, resp, b.String(), r.valid())
}
