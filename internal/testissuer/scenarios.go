package testissuer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/verify"
)

// ScenarioSchema is the schema member of testvectors/lifecycle/scenarios.json.
const ScenarioSchema = "licverify-lifecycle-v1"

// ScenarioFile is testvectors/lifecycle/scenarios.json (its README).
type ScenarioFile struct {
	Schema    string     `json:"schema"`
	Session   Session    `json:"session"`
	Scenarios []Scenario `json:"scenarios"`
}

// Session configures the session every scenario runs.
type Session struct {
	TTLHours  int    `json:"ttl_hours"`
	TimeoutMS int    `json:"timeout_ms"`
	Policy    Policy `json:"policy"`
}

// Policy holds the plan's policy members; nil means the op's default.
type Policy struct {
	RefreshPercent      *int `json:"refresh_percent,omitempty"`
	SyncIntervalSeconds *int `json:"sync_interval_seconds,omitempty"`
	BackoffSeconds      *int `json:"backoff_seconds,omitempty"`
	BackoffMaxSeconds   *int `json:"backoff_max_seconds,omitempty"`
	MaxDeltas           *int `json:"max_deltas,omitempty"`
}

// Scenario is one list of steps, run from a reset issuer and an empty
// store.
type Scenario struct {
	ID      string `json:"id"`
	Comment string `json:"comment"`
	Steps   []Step `json:"steps"`
}

// Step is one action: exactly one member is set, and Expect only with
// Check.
type Step struct {
	Issuer       *Modes    `json:"issuer,omitempty"`
	Revoke       *string   `json:"revoke,omitempty"`
	Restore      *string   `json:"restore,omitempty"`
	Advance      *int64    `json:"advance,omitempty"`
	SessionClock *string   `json:"session_clock,omitempty"`
	Unreachable  *bool     `json:"unreachable,omitempty"`
	Restart      *bool     `json:"restart,omitempty"`
	Crash        *string   `json:"crash,omitempty"`
	Tamper       *string   `json:"tamper,omitempty"`
	Check        *struct{} `json:"check,omitempty"`
	Expect       *Expect   `json:"expect,omitempty"`
}

// Modes is a POST /_test/mode body; a nil member leaves its mode as it is.
type Modes struct {
	Proof      *string `json:"proof,omitempty"`
	Revocation *string `json:"revocation,omitempty"`
}

// Expect is what a check must report; nil members are not compared.
type Expect struct {
	Valid       *bool    `json:"valid,omitempty"`
	Code        *string  `json:"code,omitempty"`
	Refresh     *string  `json:"refresh,omitempty"`
	Sync        *string  `json:"sync,omitempty"`
	Offline     *bool    `json:"offline,omitempty"`
	StoredEpoch *int64   `json:"stored_epoch,omitempty"`
	Hits        *Hits    `json:"hits,omitempty"`
	Files       []string `json:"files,omitempty"`
}

// Kind names the step's action: its one member other than expect.
func (s Step) Kind() string {
	kinds := s.kinds()
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

func (s Step) kinds() []string {
	var k []string
	for name, set := range map[string]bool{
		"issuer": s.Issuer != nil, "revoke": s.Revoke != nil, "restore": s.Restore != nil,
		"advance": s.Advance != nil, "session_clock": s.SessionClock != nil,
		"unreachable": s.Unreachable != nil, "restart": s.Restart != nil, "crash": s.Crash != nil,
		"tamper": s.Tamper != nil, "check": s.Check != nil,
	} {
		if set {
			k = append(k, name)
		}
	}
	slices.Sort(k)
	return k
}

// StoreFiles are the files of a session's store a scenario may name.
var StoreFiles = []string{"proof.json", "set.json", "deltas.json", "state.json"}

// Crashes are the crash states a scenario may ask for.
var Crashes = []string{"set_written", "proof_written"}

// ProofModes and RevocationModes are the modes each endpoint accepts.
func ProofModes() []string { return slices.Clone(proofModes) }

// RevocationModes lists the modes of the revocation endpoint.
func RevocationModes() []string { return slices.Clone(revocationModes) }

// Licenses lists the license ids the issuer knows.
func Licenses() []string { return slices.Clone(licenses) }

// LoadScenarios reads and checks a scenario file strictly: no duplicate or
// unknown member at any depth, every step one known action with values of
// its kind, every expectation a known key with a value it can take. A
// runner that loads the file through it cannot skip a typo.
func LoadScenarios(path string) (*ScenarioFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenarios(data)
}

// ParseScenarios is [LoadScenarios] on the file's bytes.
func ParseScenarios(data []byte) (*ScenarioFile, error) {
	// encoding/json keeps the last of two equal names; the canonical
	// package refuses them.
	if err := canonical.Validate(data, 0); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f ScenarioFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	return &f, nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (f *ScenarioFile) check() error {
	if f.Schema != ScenarioSchema {
		return fmt.Errorf("schema %q, want %q", f.Schema, ScenarioSchema)
	}
	s := f.Session
	if s.TTLHours < 1 || s.TTLHours > 168 {
		return fmt.Errorf("session.ttl_hours %d is not 1..168", s.TTLHours)
	}
	if s.TimeoutMS < 1 {
		return fmt.Errorf("session.timeout_ms %d is not positive", s.TimeoutMS)
	}
	p := s.Policy
	for _, m := range []struct {
		name   string
		v      *int
		lo, hi int
	}{
		{"refresh_percent", p.RefreshPercent, 1, 100},
		{"sync_interval_seconds", p.SyncIntervalSeconds, 1, 1 << 31},
		{"backoff_seconds", p.BackoffSeconds, 1, 1 << 31},
		{"backoff_max_seconds", p.BackoffMaxSeconds, 1, 1 << 31},
		{"max_deltas", p.MaxDeltas, 1, 4096},
	} {
		if m.v != nil && (*m.v < m.lo || *m.v > m.hi) {
			return fmt.Errorf("session.policy.%s %d is not %d..%d", m.name, *m.v, m.lo, m.hi)
		}
	}
	if len(f.Scenarios) == 0 {
		return fmt.Errorf("no scenarios")
	}
	seen := map[string]bool{}
	for i, sc := range f.Scenarios {
		if !idPattern.MatchString(sc.ID) {
			return fmt.Errorf("scenario %d: id %q is not lower-case words joined by '-'", i, sc.ID)
		}
		if seen[sc.ID] {
			return fmt.Errorf("scenario %q: id given twice", sc.ID)
		}
		seen[sc.ID] = true
		if strings.TrimSpace(sc.Comment) == "" {
			return fmt.Errorf("scenario %q: no comment", sc.ID)
		}
		if err := sc.check(); err != nil {
			return fmt.Errorf("scenario %q: %w", sc.ID, err)
		}
	}
	return nil
}

func (sc *Scenario) check() error {
	if len(sc.Steps) == 0 {
		return fmt.Errorf("no steps")
	}
	checks := 0
	for i, st := range sc.Steps {
		if err := st.check(); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		switch st.Kind() {
		case "check":
			checks++
		case "restart", "crash", "tamper":
			// These act on a store: one check must have made it.
			if checks == 0 {
				return fmt.Errorf("step %d: %s before any check: the store is still empty", i, st.Kind())
			}
		}
	}
	if sc.Steps[len(sc.Steps)-1].Kind() != "check" {
		return fmt.Errorf("the last step is not a check: what follows it is never observed")
	}
	return nil
}

func (st *Step) check() error {
	kinds := st.kinds()
	if len(kinds) != 1 {
		return fmt.Errorf("%d actions %v, want exactly one", len(kinds), kinds)
	}
	switch kinds[0] {
	case "issuer":
		m := st.Issuer
		if m.Proof == nil && m.Revocation == nil {
			return fmt.Errorf("issuer: no mode")
		}
		if m.Proof != nil && !slices.Contains(proofModes, *m.Proof) {
			return fmt.Errorf("issuer: unknown proof mode %q", *m.Proof)
		}
		if m.Revocation != nil && !slices.Contains(revocationModes, *m.Revocation) {
			return fmt.Errorf("issuer: unknown revocation mode %q", *m.Revocation)
		}
	case "revoke", "restore":
		id := st.Revoke
		if id == nil {
			id = st.Restore
		}
		if !slices.Contains(licenses, *id) {
			return fmt.Errorf("%s: %q is not a license the issuer knows", kinds[0], *id)
		}
	case "advance":
		if *st.Advance < 1 {
			return fmt.Errorf("advance: %d is not a positive number of seconds", *st.Advance)
		}
	case "session_clock":
		if _, err := verify.ParseTime(*st.SessionClock); err != nil {
			return fmt.Errorf("session_clock: %w", err)
		}
	case "restart":
		if !*st.Restart {
			return fmt.Errorf("restart: only true means something")
		}
	case "crash":
		if !slices.Contains(Crashes, *st.Crash) {
			return fmt.Errorf("crash: unknown state %q", *st.Crash)
		}
	case "tamper":
		if !slices.Contains(StoreFiles, *st.Tamper) {
			return fmt.Errorf("tamper: unknown file %q", *st.Tamper)
		}
	}
	if kinds[0] != "check" {
		if st.Expect != nil {
			return fmt.Errorf("expect beside %s: only a check has one", kinds[0])
		}
		return nil
	}
	if st.Expect == nil {
		return fmt.Errorf("check without expect")
	}
	return st.Expect.check()
}

// Codes a check may report: the verifier's, and the lifecycle's own.
func knownCode(c string) bool {
	return c == "proof_missing" || c == "not_newer" || slices.Contains(verify.Codes, verify.Code(c))
}

func (e *Expect) check() error {
	if e.Valid == nil && e.Code == nil && e.Refresh == nil && e.Sync == nil && e.Offline == nil &&
		e.StoredEpoch == nil && e.Hits == nil && len(e.Files) == 0 {
		return fmt.Errorf("expect: nothing expected")
	}
	if e.Code != nil {
		if !knownCode(*e.Code) {
			return fmt.Errorf("expect.code: unknown code %q", *e.Code)
		}
		if e.Valid != nil && *e.Valid != (*e.Code == "ok") {
			return fmt.Errorf("expect: valid %v with code %q", *e.Valid, *e.Code)
		}
	}
	for name, v := range map[string]*string{"refresh": e.Refresh, "sync": e.Sync} {
		if v == nil {
			continue
		}
		switch code, refused := strings.CutPrefix(*v, "refused:"); {
		case refused && knownCode(code) && code != "ok":
		case !refused && (*v == "none" || *v == "accepted" || *v == "failed"):
		default:
			return fmt.Errorf("expect.%s: %q is not none, accepted, failed or refused:<code>", name, *v)
		}
	}
	if e.StoredEpoch != nil && *e.StoredEpoch < 0 {
		return fmt.Errorf("expect.stored_epoch: %d is negative", *e.StoredEpoch)
	}
	if e.Hits != nil && (e.Hits.Proof < 0 || e.Hits.Revocation < 0) {
		return fmt.Errorf("expect.hits: negative count")
	}
	if e.Files != nil && len(e.Files) == 0 {
		return fmt.Errorf("expect.files: empty list")
	}
	for _, f := range e.Files {
		if !slices.Contains(StoreFiles, f) {
			return fmt.Errorf("expect.files: unknown file %q", f)
		}
	}
	return nil
}

// Tamper returns data with one byte changed as the scenarios' tamper step
// does: the byte at len/2, XOR 0x01. Each store file is a signed document
// (or state.json) with no spacing, so that byte lies inside a signed
// member or breaks the JSON; either way the document no longer verifies.
func Tamper(data []byte) []byte {
	out := slices.Clone(data)
	if len(out) > 0 {
		out[len(out)/2] ^= 0x01
	}
	return out
}
