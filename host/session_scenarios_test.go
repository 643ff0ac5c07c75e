package host

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

// scenarioFile is testvectors/lifecycle/scenarios.json
// (testvectors/lifecycle/README.md).
type scenarioFile struct {
	Schema  string `json:"schema"`
	Comment string `json:"comment"`
	Session struct {
		TTLHours  int                        `json:"ttl_hours"`
		TimeoutMS int                        `json:"timeout_ms"`
		Policy    map[string]json.RawMessage `json:"policy"`
	} `json:"session"`
	Notes     map[string]string `json:"notes"`
	Scenarios []struct {
		ID      string                       `json:"id"`
		Comment string                       `json:"comment"`
		Steps   []map[string]json.RawMessage `json:"steps"`
	} `json:"scenarios"`
}

// switchable is a Transport that the scenario's unreachable steps point
// at a closed port and back.
type switchable struct {
	mu sync.Mutex
	tr *HTTPTransport
}

func (s *switchable) get() *HTTPTransport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tr
}

func (s *switchable) set(tr *HTTPTransport) {
	s.mu.Lock()
	s.tr = tr
	s.mu.Unlock()
}

func (s *switchable) FetchProof(ctx context.Context, req ProofRequest) ([]byte, error) {
	return s.get().FetchProof(ctx, req)
}

func (s *switchable) FetchRevocation(ctx context.Context, since *int64) ([]byte, error) {
	return s.get().FetchRevocation(ctx, since)
}

// closedURL is the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	return url
}

// scenarioPolicy reads the scenario file's policy: the plan op's member
// names, each of which must be known here.
func scenarioPolicy(t *testing.T, raw map[string]json.RawMessage) Policy {
	var p Policy
	for name, v := range raw {
		var n int64
		require.NoError(t, json.Unmarshal(v, &n), "policy.%s", name)
		secs := time.Duration(n) * time.Second
		switch name {
		case "refresh_percent":
			p.RefreshPercent = int(n)
		case "sync_interval_seconds":
			p.SyncInterval = secs
		case "backoff_seconds":
			p.Backoff = secs
		case "backoff_max_seconds":
			p.BackoffMax = secs
		case "max_deltas":
			p.MaxDeltas = int(n)
		case "max_ttl_seconds":
			p.MaxTTL = secs
		case "skew_seconds":
			p.Skew = secs
			if n == 0 {
				p.Skew = -1
			}
		default:
			t.Fatalf("unknown policy member %q", name)
		}
	}
	return p
}

// TestSessionScenarios runs every scenario of
// testvectors/lifecycle/scenarios.json against the test issuer, strictly:
// a step or an expectation this runner does not know fails the run.
func TestSessionScenarios(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testvectors", "lifecycle", "scenarios.json"))
	require.NoError(t, err)
	var file scenarioFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&file))
	require.Equal(t, "licverify-lifecycle-v1", file.Schema)
	require.NotEmpty(t, file.Scenarios)
	policy := scenarioPolicy(t, file.Session.Policy)
	require.Positive(t, file.Session.TTLHours)
	require.Positive(t, file.Session.TimeoutMS)

	v := newVerifier(t, Options{})
	srv := httptest.NewServer(testissuer.New())
	t.Cleanup(srv.Close)
	keys, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	require.NoError(t, err)
	dead := closedURL(t)
	seen := map[string]bool{}
	checks := 0
	for _, sc := range file.Scenarios {
		require.False(t, seen[sc.ID], "scenario id %q twice", sc.ID)
		seen[sc.ID] = true
		t.Run(sc.ID, func(t *testing.T) {
			ctl := httpClient(t, srv.URL)
			ctl.post("/_test/reset", `{}`)
			issuerNow := testissuer.Start
			sessionNow := issuerNow
			var clockMu sync.Mutex
			clock := func() time.Time {
				clockMu.Lock()
				defer clockMu.Unlock()
				return sessionNow
			}
			dir := filepath.Join(t.TempDir(), "store")
			tr := &switchable{}
			live := &HTTPTransport{BaseURL: srv.URL, APIKey: testissuer.APIKey, Timeout: time.Duration(file.Session.TimeoutMS) * time.Millisecond}
			tr.set(live)
			cfg := SessionConfig{
				Keys: keys, LicenseID: testissuer.LicenseID, Fingerprint: []byte(testissuer.Fingerprint),
				Dir: dir, Transport: tr, Policy: policy, TTLHours: file.Session.TTLHours, Clock: clock,
			}
			s, err := NewSession(v, cfg)
			require.NoError(t, err)

			for i, step := range sc.Steps {
				where := fmt.Sprintf("step %d %s", i, stepText(step))
				if len(step) == 0 {
					t.Fatalf("%s: an empty step", where)
				}
				if _, ok := step["check"]; ok {
					checks++
					runCheck(t, where, s, ctl, dir, step)
					continue
				}
				require.Len(t, step, 1, "%s: one action per step", where)
				for name, arg := range step {
					switch name {
					case "issuer":
						ctl.post("/_test/mode", string(arg))
					case "revoke", "restore":
						var id string
						require.NoError(t, json.Unmarshal(arg, &id), where)
						body, _ := json.Marshal(map[string]string{"license_id": id})
						ctl.post("/_test/"+name, string(body))
					case "advance":
						var secs int64
						require.NoError(t, json.Unmarshal(arg, &secs), where)
						d := time.Duration(secs) * time.Second
						issuerNow = issuerNow.Add(d)
						clockMu.Lock()
						sessionNow = sessionNow.Add(d)
						clockMu.Unlock()
						body, _ := json.Marshal(map[string]string{"now": issuerNow.Format(time.RFC3339)})
						ctl.post("/_test/clock", string(body))
					case "session_clock":
						var at time.Time
						require.NoError(t, json.Unmarshal(arg, &at), where)
						clockMu.Lock()
						sessionNow = at
						clockMu.Unlock()
					case "unreachable":
						var off bool
						require.NoError(t, json.Unmarshal(arg, &off), where)
						if off {
							tr.set(&HTTPTransport{BaseURL: dead, APIKey: testissuer.APIKey, Timeout: live.Timeout})
						} else {
							tr.set(live)
						}
					case "restart":
						var yes bool
						require.NoError(t, json.Unmarshal(arg, &yes), where)
						require.True(t, yes, where)
						s, err = NewSession(v, cfg)
						require.NoError(t, err)
					case "crash":
						var what string
						require.NoError(t, json.Unmarshal(arg, &what), where)
						switch what {
						case "set_written":
							require.NoError(t, os.WriteFile(filepath.Join(dir, setFile), ctl.get("/_test/set"), 0o600))
						case "proof_written":
							require.NoError(t, os.WriteFile(filepath.Join(dir, proofFile), ctl.get("/_test/proof"), 0o600))
						default:
							t.Fatalf("%s: unknown crash %q", where, what)
						}
					case "tamper":
						var name string
						require.NoError(t, json.Unmarshal(arg, &name), where)
						tamper(t, filepath.Join(dir, name))
					default:
						t.Fatalf("%s: unknown step %q", where, name)
					}
				}
			}
		})
	}
	require.NotZero(t, checks)
}

// tamper changes one byte of the file at path: the middle one, to the
// next byte value that leaves it printable ASCII.
func tamper(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEmpty(t, data)
	i := len(data) / 2
	c := data[i]
	if c >= 0x7e || c < 0x20 {
		c = 0x20
	}
	data[i] = c + 1
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

func stepText(step map[string]json.RawMessage) string {
	b, _ := json.Marshal(step)
	return string(b)
}

// runCheck runs a check step and compares its report with expect.
func runCheck(t *testing.T, where string, s *Session, ctl *testClient, dir string, step map[string]json.RawMessage) {
	t.Helper()
	for name := range step {
		require.Contains(t, []string{"check", "expect"}, name, "%s: unknown member of a check step", where)
	}
	require.JSONEq(t, `{}`, string(step["check"]), "%s: check takes no arguments", where)
	var expect map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(step["expect"], &expect), where)

	var before, after testissuer.Hits
	require.NoError(t, json.Unmarshal(ctl.get("/_test/hits"), &before))
	rep, err := s.Check(context.Background())
	require.NoError(t, err, where)
	require.NoError(t, json.Unmarshal(ctl.get("/_test/hits"), &after))
	report := fmt.Sprintf("%s\n  got %s %s refresh=%s sync=%s offline=%v (%s) epoch=%d next=%s ignored=%q: %s",
		where, map[bool]string{true: "valid", false: "invalid"}[rep.Valid], rep.Code, rep.Proof, rep.Set, rep.Offline, rep.OfflineReason,
		rep.StoredEpoch, rep.NextAt.Format(time.RFC3339), rep.Ignored, rep.Message)
	if rep.Proof.Err != nil || rep.Set.Err != nil {
		report += fmt.Sprintf("\n  errors: proof %v, set %v", rep.Proof.Err, rep.Set.Err)
	}

	names := make([]string, 0, len(expect))
	for name := range expect {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := expect[name]
		switch name {
		case "valid":
			var b bool
			require.NoError(t, json.Unmarshal(want, &b), where)
			require.Equal(t, b, rep.Valid, "valid: %s", report)
		case "code":
			var c string
			require.NoError(t, json.Unmarshal(want, &c), where)
			require.Equal(t, c, string(rep.Code), "code: %s", report)
		case "refresh":
			var c string
			require.NoError(t, json.Unmarshal(want, &c), where)
			require.Equal(t, c, rep.Proof.String(), "refresh: %s", report)
		case "sync":
			var c string
			require.NoError(t, json.Unmarshal(want, &c), where)
			require.Equal(t, c, rep.Set.String(), "sync: %s", report)
		case "offline":
			var b bool
			require.NoError(t, json.Unmarshal(want, &b), where)
			require.Equal(t, b, rep.Offline, "offline: %s", report)
		case "stored_epoch":
			var n int64
			require.NoError(t, json.Unmarshal(want, &n), where)
			require.Equal(t, n, rep.StoredEpoch, "stored_epoch: %s", report)
		case "hits":
			var h testissuer.Hits
			d := json.NewDecoder(bytes.NewReader(want))
			d.DisallowUnknownFields()
			require.NoError(t, d.Decode(&h), where)
			got := testissuer.Hits{Proof: after.Proof - before.Proof, Revocation: after.Revocation - before.Revocation}
			require.Equal(t, h, got, "hits: %s", report)
		case "files":
			var files []string
			require.NoError(t, json.Unmarshal(want, &files), where)
			for _, f := range files {
				require.False(t, strings.ContainsAny(f, `/\`), "%s: files names a path", where)
				data, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err, "files: %s", report)
				require.True(t, json.Valid(data), "files: %s is not whole JSON: %s", f, report)
			}
		default:
			t.Fatalf("%s: unknown expectation %q", where, name)
		}
	}
}
