package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/epochstore"
	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

// sessionFixture is an issuer on a loopback port and a session config
// for its test license, on a clock the test moves.
type sessionFixture struct {
	v   *Verifier
	srv *httptest.Server
	ctl *testClient
	cfg SessionConfig

	mu  sync.Mutex
	now time.Time
}

func newSessionFixture(t *testing.T) *sessionFixture {
	t.Helper()
	f := &sessionFixture{v: newVerifier(t, Options{}), srv: issuerServer(t), now: testissuer.Start}
	f.ctl = httpClient(t, f.srv.URL)
	keys, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	require.NoError(t, err)
	f.cfg = SessionConfig{
		Keys: keys, LicenseID: testissuer.LicenseID, Fingerprint: []byte(testissuer.Fingerprint),
		Dir:       filepath.Join(t.TempDir(), "store"),
		Transport: &HTTPTransport{BaseURL: f.srv.URL, APIKey: testissuer.APIKey, Timeout: 5 * time.Second},
		Clock:     f.clock,
	}
	return f
}

func (f *sessionFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// advance moves the session's clock, then the issuer's: the session is
// never behind a document the issuer signs.
func (f *sessionFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	now := f.now
	f.mu.Unlock()
	f.ctl.post("/_test/clock", fmt.Sprintf(`{"now":%q}`, now.Format(time.RFC3339)))
}

func (f *sessionFixture) session(t *testing.T, cfg SessionConfig) *Session {
	t.Helper()
	s, err := NewSession(f.v, cfg)
	require.NoError(t, err)
	return s
}

// TestSessionFirstCheck: an empty store fetches both documents, keeps
// them as the store's files (0600, the directory 0700), and raises the
// epoch; a second check at the same time fetches nothing.
func TestSessionFirstCheck(t *testing.T) {
	f := newSessionFixture(t)
	s := f.session(t, f.cfg)
	rep, err := s.Check(context.Background())
	require.NoError(t, err)
	require.True(t, rep.Valid, rep.Message)
	require.Equal(t, "accepted", rep.Proof.String())
	require.Equal(t, "accepted", rep.Set.String())
	require.False(t, rep.Offline)
	require.EqualValues(t, 1, rep.StoredEpoch)
	require.Equal(t, testissuer.LicenseID, rep.Claims.LicenseID)
	require.Equal(t, testissuer.Start.Add(300*time.Second), rep.NextAt, "the next sync, 5 minutes on")

	fi, err := os.Stat(f.cfg.Dir)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	}
	for _, name := range []string{proofFile, setFile, deltasFile, stateFile, epochsFile} {
		fi, err := os.Lstat(filepath.Join(f.cfg.Dir, name))
		require.NoError(t, err, name)
		if runtime.GOOS != "windows" {
			require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
		}
	}
	require.NoFileExists(t, filepath.Join(f.cfg.Dir, lockName))

	hits := f.ctl.get("/_test/hits")
	rep, err = s.Check(context.Background())
	require.NoError(t, err)
	require.True(t, rep.Valid, rep.Message)
	require.Equal(t, "none", rep.Proof.String())
	require.Equal(t, "none", rep.Set.String())
	require.JSONEq(t, string(hits), string(f.ctl.get("/_test/hits")))
}

// TestSessionUntrustedStore: what another process may have written in the
// store is read as absent, with the reason, never followed or trusted: a
// symbolic link, an oversized or non-JSON state, deltas for another set.
func TestSessionUntrustedStore(t *testing.T) {
	f := newSessionFixture(t)
	f.cfg.Offline = true
	s := f.session(t, f.cfg)
	dir := f.cfg.Dir
	ctx := context.Background()

	secret := filepath.Join(t.TempDir(), "secret.json")
	require.NoError(t, os.WriteFile(secret, f.ctl.get("/_test/proof"), 0o600))
	if err := os.Symlink(secret, filepath.Join(dir, proofFile)); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"proof_failures": "many"}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, setFile), f.ctl.get("/_test/set"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, deltasFile), []byte(`{"base":"sha256:00","deltas":["{}"]}`), 0o600))
	rep, err := s.Check(ctx)
	require.NoError(t, err)
	require.Equal(t, verify.Code("proof_missing"), rep.Code, "the linked proof is not read")
	require.ElementsMatch(t, []string{
		"proof.json is a symbolic link; ignored",
		"deltas.json is for another set.json; ignored",
		"state.json is not a session state; ignored",
	}, rep.Ignored)
	require.True(t, rep.Offline)
	require.Equal(t, "none", rep.Proof.String())

	big := make([]byte, maxStateFile+1)
	for i := range big {
		big[i] = ' '
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), big, 0o600))
	rep, err = s.Check(ctx)
	require.NoError(t, err)
	require.Contains(t, rep.Ignored, "state.json is 1048577 bytes, over the limit of 1048576; ignored")

	// A damaged epoch store is an error, never epoch 0.
	require.NoError(t, os.WriteFile(filepath.Join(dir, epochsFile), []byte(`{"x":`), 0o600))
	_, err = s.Check(ctx)
	require.ErrorIs(t, err, epochstore.ErrDamaged)
}

// TestSessionSharedStore: many checks at once, from goroutines and from
// two sessions over one directory (as two processes would share it),
// while the issuer's epoch and both clocks move. No file is ever seen torn,
// the stored epoch never goes down, and no check fails.
func TestSessionSharedStore(t *testing.T) {
	f := newSessionFixture(t)
	f.cfg.Policy.SyncInterval = 60 * time.Second
	sessions := []*Session{f.session(t, f.cfg), f.session(t, f.cfg)}
	// Sessions of one process over one directory share a mutex before
	// the lock file; another process has its own. The second session
	// gets its own, so that the two meet only at session.lock.
	sessions[1].store = &sessionStore{dir: sessions[1].store.dir, mu: new(sync.Mutex)}
	var contended atomic.Int32
	lockBusy = func(string) { contended.Add(1) }
	t.Cleanup(func() { lockBusy = nil })
	dir := f.cfg.Dir
	ctx := context.Background()

	watched := watchStore(dir)

	var checks sync.WaitGroup
	var steps sync.Map // "proof accepted" and the like: how many of each
	var done atomic.Int32
	driven := make(chan struct{})
	errs := make(chan error, 64)
	for g := range 4 {
		checks.Add(1)
		go func() {
			defer checks.Done()
			for i := 0; ; i++ {
				select {
				case <-driven:
					return
				default:
				}
				rep, err := sessions[(g+i)%2].Check(ctx)
				if err == nil && rep.StoredEpoch < 1 {
					err = fmt.Errorf("stored epoch %d after a check", rep.StoredEpoch)
				}
				if err != nil {
					errs <- err
					return
				}
				for _, k := range []string{"proof " + rep.Proof.String(), "set " + rep.Set.String()} {
					c, _ := steps.LoadOrStore(k, new(atomic.Int32))
					c.(*atomic.Int32).Add(1)
				}
				done.Add(1)
			}
		}()
	}
	// The clocks and the epoch move while checks run: after each move,
	// a few checks complete before the next.
	for i := range 8 {
		seen := done.Load()
		f.advance(2 * time.Hour)
		change := "revoke"
		if i%2 == 1 {
			change = "restore"
		}
		f.ctl.post("/_test/"+change, fmt.Sprintf(`{"license_id":%q}`, testissuer.OtherLicenseID))
		waitFor(t, func() bool { return done.Load() >= seen+4 || len(errs) > 0 })
	}
	close(driven)
	checks.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, watched())
	// The run raced fetches, not only reads of a settled store.
	counts := map[string]int32{}
	steps.Range(func(k, v any) bool { counts[k.(string)] = v.(*atomic.Int32).Load(); return true })
	t.Logf("steps of the concurrent checks: %v", counts)
	require.Positive(t, counts["set accepted"])
	require.Positive(t, counts["proof accepted"])
	require.Positive(t, contended.Load(), "the two sessions never met at session.lock")

	// Settled: past any backoff, a check syncs the set, and the next one
	// refreshes the proof its epoch left behind.
	f.advance(2 * time.Hour)
	_, err := sessions[0].Check(ctx)
	require.NoError(t, err)
	rep, err := sessions[0].Check(ctx) // the proof the set's epoch left behind is refreshed
	require.NoError(t, err)
	require.True(t, rep.Valid, "%s: %s", rep.Code, rep.Message)
	require.EqualValues(t, 9, rep.StoredEpoch, "epoch 1 and eight changes")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.Contains(t, []string{proofFile, setFile, deltasFile, stateFile, epochsFile}, e.Name(), "no temporary or lock file is left")
	}
}

// watchStore reads the store's files in a loop until the returned
// function is called, which returns the first fault seen: a file that is
// not whole JSON (torn), or a stored epoch lower than one seen before.
func watchStore(dir string) func() error {
	stop := make(chan struct{})
	fault := make(chan error, 1)
	go func() {
		var last int64
		for {
			for _, name := range []string{proofFile, setFile, deltasFile, stateFile, epochsFile} {
				data, err := os.ReadFile(filepath.Join(dir, name))
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				if err != nil || !json.Valid(data) {
					fault <- fmt.Errorf("%s torn or unreadable (%v): %q", name, err, data)
					return
				}
				if name == epochsFile {
					var m map[string]int64
					_ = json.Unmarshal(data, &m)
					e := m[testissuer.LicenseID]
					if e < last {
						fault <- fmt.Errorf("stored epoch went down from %d to %d", last, e)
						return
					}
					last = e
				}
			}
			select {
			case <-stop:
				fault <- nil
				return
			default:
			}
		}
	}()
	return func() error {
		close(stop)
		return <-fault
	}
}

// TestSessionBackground: Start runs checks until Stop, which returns once
// the goroutine has, and no check reports after it; the goroutines are
// back to what they were. Starting twice is misuse; a session can start
// again after Stop, and a cancelled context ends the refresh too.
func TestSessionBackground(t *testing.T) {
	f := newSessionFixture(t)
	cfg := f.cfg
	cfg.Offline = true // no connections left open to count as goroutines
	var n atomic.Int32
	var stopped atomic.Bool
	var late atomic.Bool
	cfg.OnCheck = func(rep *SessionReport, err error) {
		if stopped.Load() {
			late.Store(true)
		}
		if err == nil && rep.Code == "proof_missing" {
			n.Add(1)
		}
	}
	s := f.session(t, cfg)
	s.minWait, s.maxWait = time.Millisecond, 5*time.Millisecond
	ctx := context.Background()
	before := runtime.NumGoroutine()

	require.NoError(t, s.Start(ctx))
	require.ErrorIs(t, s.Start(ctx), verify.ErrMisuse)
	waitFor(t, func() bool { return n.Load() >= 3 })
	s.Stop()
	stopped.Store(true)
	s.Stop() // nothing runs: does nothing
	require.LessOrEqual(t, runtime.NumGoroutine(), before)

	stopped.Store(false)
	cctx, cancel := context.WithCancel(ctx)
	require.NoError(t, s.Start(cctx))
	seen := n.Load()
	waitFor(t, func() bool { return n.Load() > seen })
	cancel()
	s.Stop() // returns: the goroutine ended with its context
	stopped.Store(true)
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
	require.False(t, late.Load(), "a check reported after Stop returned")
}

// waitFor polls cond until it holds; a minute without is a failure (a
// hang, not a timing).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in a minute")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSessionMisuse: a config missing what the session needs is refused.
func TestSessionMisuse(t *testing.T) {
	f := newSessionFixture(t)
	for name, mod := range map[string]func(*SessionConfig){
		"no keys":      func(c *SessionConfig) { c.Keys = nil },
		"no license":   func(c *SessionConfig) { c.LicenseID = "" },
		"no dir":       func(c *SessionConfig) { c.Dir = "" },
		"no transport": func(c *SessionConfig) { c.Transport = nil },
		"negative ttl": func(c *SessionConfig) { c.TTLHours = -1 },
	} {
		cfg := f.cfg
		mod(&cfg)
		_, err := NewSession(f.v, cfg)
		require.ErrorIs(t, err, verify.ErrMisuse, name)
	}
	_, err := NewSession(nil, f.cfg)
	require.ErrorIs(t, err, verify.ErrMisuse)
	cfg := f.cfg
	cfg.Transport = nil
	cfg.Offline = true
	_, err = NewSession(f.v, cfg)
	require.NoError(t, err)
}

// helperEnv names the environment variable that makes
// TestSessionHelperProcess the other process of TestSessionTwoProcesses.
const helperEnv = "LICVERIFY_SESSION_HELPER"

// helperArgs is what TestSessionTwoProcesses tells its other process.
type helperArgs struct {
	URL, Dir, Clock, Started, Stop, CacheDir string
}

// fileClock is a clock both processes read: the RFC 3339 time in a file
// the test replaces atomically.
func fileClock(path string) func() time.Time {
	return func() time.Time {
		data, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		at, err := time.Parse(time.RFC3339, string(data))
		if err != nil {
			panic(err)
		}
		return at
	}
}

// TestSessionHelperProcess is the other process of
// TestSessionTwoProcesses: a session over the same store that checks in a
// loop until told to stop. Run by itself, it is skipped.
func TestSessionHelperProcess(t *testing.T) {
	raw := os.Getenv(helperEnv)
	if raw == "" {
		t.Skip("the other process of TestSessionTwoProcesses")
	}
	var h helperArgs
	require.NoError(t, json.Unmarshal([]byte(raw), &h))
	ctx := context.Background()
	v, err := New(ctx, Options{CacheDir: h.CacheDir})
	require.NoError(t, err)
	defer v.Close(ctx)
	keys, err := verify.ParseKeyring([]byte(testissuer.Keyring()))
	require.NoError(t, err)
	s, err := NewSession(v, SessionConfig{
		Keys: keys, LicenseID: testissuer.LicenseID, Fingerprint: []byte(testissuer.Fingerprint), Dir: h.Dir,
		Transport: &HTTPTransport{BaseURL: h.URL, APIKey: testissuer.APIKey, Timeout: 5 * time.Second},
		Clock:     fileClock(h.Clock), Policy: Policy{SyncInterval: time.Minute},
	})
	require.NoError(t, err)
	for n := 0; ; n++ {
		if _, err := os.Stat(h.Stop); err == nil {
			t.Logf("%d checks", n)
			return
		}
		rep, err := s.Check(ctx)
		require.NoError(t, err)
		require.Positive(t, rep.StoredEpoch)
		if n == 0 {
			require.NoError(t, os.WriteFile(h.Started, nil, 0o600))
		}
		// A pause, so that the two processes take turns at the lock
		// rather than this one taking it back at once (pacing only).
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSessionTwoProcesses: this process and another one check over one
// store while the clocks and the issuer's epoch move. No file is ever
// seen torn, the stored epoch never goes down, neither process fails, and
// the store ends at the issuer's epoch.
func TestSessionTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts another process")
	}
	f := newSessionFixture(t)
	tmp := t.TempDir()
	clockPath := filepath.Join(tmp, "clock")
	now := testissuer.Start
	setClock := func() {
		require.NoError(t, os.WriteFile(clockPath+".tmp", []byte(now.Format(time.RFC3339)), 0o600))
		require.NoError(t, os.Rename(clockPath+".tmp", clockPath))
		f.ctl.post("/_test/clock", fmt.Sprintf(`{"now":%q}`, now.Format(time.RFC3339)))
	}
	setClock()
	h := helperArgs{URL: f.srv.URL, Dir: f.cfg.Dir, Clock: clockPath, Started: filepath.Join(tmp, "started"),
		Stop: filepath.Join(tmp, "stop"), CacheDir: filepath.Join(tmp, "cache")}
	raw, err := json.Marshal(h)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSessionHelperProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(raw))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, os.MkdirAll(f.cfg.Dir, 0o700))
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	watched := watchStore(f.cfg.Dir)

	cfg := f.cfg
	cfg.Clock = fileClock(clockPath)
	cfg.Policy.SyncInterval = time.Minute
	s := f.session(t, cfg)
	ctx := context.Background()
	// The other process has checked once before this one starts.
	waitFor(t, func() bool {
		select {
		case err := <-exited:
			t.Fatalf("the other process exited early (%v):\n%s", err, out.String())
		default:
		}
		_, err := os.Stat(h.Started)
		return err == nil
	})
	for i := range 6 {
		for range 3 {
			_, err := s.Check(ctx)
			require.NoError(t, err)
		}
		now = now.Add(2 * time.Hour)
		setClock()
		change := "revoke"
		if i%2 == 1 {
			change = "restore"
		}
		f.ctl.post("/_test/"+change, fmt.Sprintf(`{"license_id":%q}`, testissuer.OtherLicenseID))
	}
	require.NoError(t, os.WriteFile(h.Stop, nil, 0o600))
	require.NoError(t, <-exited, "the other process:\n%s", out.String())
	require.NoError(t, watched())
	t.Logf("the other process: %s", bytes.TrimSpace(out.Bytes()))

	// Settled: past any backoff, a check syncs the set, and the next one
	// refreshes the proof its epoch left behind (epoch_rollback between
	// the two, as scenario unrelated-revocation shows).
	now = now.Add(2 * time.Hour)
	setClock()
	_, err = s.Check(ctx)
	require.NoError(t, err)
	rep, err := s.Check(ctx)
	require.NoError(t, err)
	require.True(t, rep.Valid, "%s: %s; proof %s %v, set %s %v; next %v", rep.Code, rep.Message, rep.Proof, rep.Proof.Err, rep.Set, rep.Set.Err, rep.Plan.RefreshProof)
	require.EqualValues(t, 7, rep.StoredEpoch, "epoch 1 and six changes")
}

// fixedTransport answers every fetch with the same bytes.
type fixedTransport struct{ proof, set []byte }

func (t fixedTransport) FetchProof(context.Context, ProofRequest) ([]byte, error) {
	return t.proof, nil
}
func (t fixedTransport) FetchRevocation(context.Context, *int64) ([]byte, error) {
	return t.set, nil
}

// TestSessionTransportBounds: a Transport's answer that is empty or over
// HTTPTransport's bounds is a failed fetch (counted for backoff), never an
// error of the check nor a document stored; one that is not a document
// is refused.
func TestSessionTransportBounds(t *testing.T) {
	f := newSessionFixture(t)
	cfg := f.cfg
	cfg.Transport = fixedTransport{proof: make([]byte, MaxProofResponse+1), set: []byte{}}
	s := f.session(t, cfg)
	rep, err := s.Check(context.Background())
	require.NoError(t, err)
	require.Equal(t, "failed", rep.Proof.String())
	require.EqualError(t, rep.Proof.Err, "host: the issuer's answer is 1048577 bytes, over the limit of 1048576")
	require.Equal(t, "failed", rep.Set.String())
	require.EqualError(t, rep.Set.Err, "host: the issuer answered with an empty body")
	require.True(t, rep.Offline)
	require.Equal(t, verify.Code("proof_missing"), rep.Code)
	require.Equal(t, "backoff", rep.Plan.RefreshProof.Reason)
	require.NoFileExists(t, filepath.Join(cfg.Dir, proofFile))

	cfg.Transport = fixedTransport{proof: []byte(`{"not":"a proof"}`), set: []byte(`[]`)}
	f.now = f.now.Add(time.Hour) // past the backoff
	rep, err = f.session(t, cfg).Check(context.Background())
	require.NoError(t, err)
	require.Equal(t, StepRefused, rep.Proof.Step, rep.Proof.Message)
	require.Equal(t, StepRefused, rep.Set.Step, rep.Set.Message)
	require.False(t, rep.Offline)
	require.NoFileExists(t, filepath.Join(cfg.Dir, proofFile))
	require.NoFileExists(t, filepath.Join(cfg.Dir, setFile))
}
