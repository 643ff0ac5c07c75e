package host

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

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

// scenarioPolicy is the scenario file's policy as a Policy.
func scenarioPolicy(p testissuer.Policy) Policy {
	secs := func(n *int) time.Duration {
		if n == nil {
			return 0
		}
		return time.Duration(*n) * time.Second
	}
	num := func(n *int) int {
		if n == nil {
			return 0
		}
		return *n
	}
	return Policy{
		RefreshPercent: num(p.RefreshPercent), SyncInterval: secs(p.SyncIntervalSeconds),
		Backoff: secs(p.BackoffSeconds), BackoffMax: secs(p.BackoffMaxSeconds), MaxDeltas: num(p.MaxDeltas),
	}
}

// TestSessionScenarios runs every scenario of
// testvectors/lifecycle/scenarios.json against the test issuer, strictly:
// a step or an expectation this runner does not know fails the run.
func TestSessionScenarios(t *testing.T) {
	// LoadScenarios refuses an unknown member, step, expectation, mode,
	// code or file: what it lets through, the runner must know.
	file, err := testissuer.LoadScenarios(filepath.Join("..", "testvectors", "lifecycle", "scenarios.json"))
	require.NoError(t, err)
	require.NotEmpty(t, file.Scenarios)
	// runCheck compares these eight; one more would go unchecked.
	require.Equal(t, 8, reflect.TypeOf(testissuer.Expect{}).NumField(), "an expectation runCheck does not compare")
	policy := scenarioPolicy(file.Session.Policy)

	v := newVerifier(t, Options{})
	srv := httptest.NewServer(testissuer.New())
	t.Cleanup(srv.Close)
	keys, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	require.NoError(t, err)
	dead := closedURL(t)
	checks := 0
	for _, sc := range file.Scenarios {
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
				text, _ := json.Marshal(step)
				where := fmt.Sprintf("step %d %s", i, text)
				switch step.Kind() {
				case "check":
					checks++
					runCheck(t, where, s, ctl, dir, step.Expect)
				case "issuer":
					body, _ := json.Marshal(step.Issuer)
					ctl.post("/_test/mode", string(body))
				case "revoke":
					ctl.post("/_test/revoke", fmt.Sprintf(`{"license_id":%q}`, *step.Revoke))
				case "restore":
					ctl.post("/_test/restore", fmt.Sprintf(`{"license_id":%q}`, *step.Restore))
				case "advance":
					d := time.Duration(*step.Advance) * time.Second
					issuerNow = issuerNow.Add(d)
					clockMu.Lock()
					sessionNow = sessionNow.Add(d)
					clockMu.Unlock()
					ctl.post("/_test/clock", fmt.Sprintf(`{"now":%q}`, issuerNow.Format(time.RFC3339Nano)))
				case "session_clock":
					at, err := time.Parse(time.RFC3339Nano, *step.SessionClock)
					require.NoError(t, err, where)
					clockMu.Lock()
					sessionNow = at
					clockMu.Unlock()
				case "unreachable":
					if *step.Unreachable {
						tr.set(&HTTPTransport{BaseURL: dead, APIKey: testissuer.APIKey, Timeout: live.Timeout})
					} else {
						tr.set(live)
					}
				case "restart":
					require.True(t, *step.Restart, where)
					s, err = NewSession(v, cfg)
					require.NoError(t, err)
				case "crash":
					switch *step.Crash {
					case "set_written":
						require.NoError(t, os.WriteFile(filepath.Join(dir, setFile), ctl.get("/_test/set"), 0o600))
					case "proof_written":
						require.NoError(t, os.WriteFile(filepath.Join(dir, proofFile), ctl.get("/_test/proof"), 0o600))
					default:
						t.Fatalf("%s: unknown crash %q", where, *step.Crash)
					}
				case "tamper":
					path := filepath.Join(dir, *step.Tamper)
					data, err := os.ReadFile(path)
					require.NoError(t, err, where)
					require.NoError(t, os.WriteFile(path, testissuer.Tamper(data), 0o600))
				default:
					t.Fatalf("%s: a step this runner does not know", where)
				}
			}
		})
	}
	require.NotZero(t, checks)
}

// runCheck runs a check step and compares its report with every
// expectation the step has.
func runCheck(t *testing.T, where string, s *Session, ctl *testClient, dir string, expect *testissuer.Expect) {
	t.Helper()
	require.NotNil(t, expect, "%s: a check without expect", where)
	var before, after testissuer.Hits
	require.NoError(t, json.Unmarshal(ctl.get("/_test/hits"), &before))
	rep, err := s.Check(context.Background())
	require.NoError(t, err, where)
	require.NoError(t, json.Unmarshal(ctl.get("/_test/hits"), &after))
	report := fmt.Sprintf("%s\n  got valid=%v %s refresh=%s sync=%s offline=%v (%s) epoch=%d next=%s ignored=%q: %s",
		where, rep.Valid, rep.Code, rep.Proof, rep.Set, rep.Offline, rep.OfflineReason,
		rep.StoredEpoch, rep.NextAt.Format(time.RFC3339), rep.Ignored, rep.Message)
	if rep.Proof.Err != nil || rep.Set.Err != nil {
		report += fmt.Sprintf("\n  errors: proof %v, set %v", rep.Proof.Err, rep.Set.Err)
	}
	if e := expect.Valid; e != nil {
		require.Equal(t, *e, rep.Valid, "valid: %s", report)
	}
	if e := expect.Code; e != nil {
		require.Equal(t, *e, string(rep.Code), "code: %s", report)
	}
	if e := expect.Refresh; e != nil {
		require.Equal(t, *e, rep.Proof.String(), "refresh: %s", report)
	}
	if e := expect.Sync; e != nil {
		require.Equal(t, *e, rep.Set.String(), "sync: %s", report)
	}
	if e := expect.Offline; e != nil {
		require.Equal(t, *e, rep.Offline, "offline: %s", report)
	}
	if e := expect.StoredEpoch; e != nil {
		require.Equal(t, *e, rep.StoredEpoch, "stored_epoch: %s", report)
	}
	if e := expect.Hits; e != nil {
		got := testissuer.Hits{Proof: after.Proof - before.Proof, Revocation: after.Revocation - before.Revocation}
		require.Equal(t, *e, got, "hits: %s", report)
	}
	for _, f := range expect.Files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err, "files: %s", report)
		require.True(t, json.Valid(data), "files: %s is not whole JSON: %s", f, report)
	}
}
