package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
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

	stop := make(chan struct{})
	var watchErr atomic.Value
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		var last int64
		for {
			for _, name := range []string{proofFile, setFile, deltasFile, stateFile, epochsFile} {
				data, err := os.ReadFile(filepath.Join(dir, name))
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				if err != nil || !json.Valid(data) {
					watchErr.Store(fmt.Errorf("%s torn or unreadable (%v): %q", name, err, data))
					return
				}
				if name == epochsFile {
					var m map[string]int64
					_ = json.Unmarshal(data, &m)
					if e := m[testissuer.LicenseID]; e < last {
						watchErr.Store(fmt.Errorf("stored epoch went down from %d to %d", last, e))
						return
					} else {
						last = e
					}
				}
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}()

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
	close(stop)
	watcher.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	if err, _ := watchErr.Load().(error); err != nil {
		t.Fatal(err)
	}
	// The run raced fetches, not only reads of a settled store.
	counts := map[string]int32{}
	steps.Range(func(k, v any) bool { counts[k.(string)] = v.(*atomic.Int32).Load(); return true })
	t.Logf("steps of the concurrent checks: %v", counts)
	require.Positive(t, counts["set accepted"])
	require.Positive(t, counts["proof accepted"])
	require.Positive(t, contended.Load(), "the two sessions never met at session.lock")

	// Settled: one more check, past any backoff, takes the issuer's
	// current documents.
	f.advance(2 * time.Hour)
	rep, err := sessions[0].Check(ctx)
	require.NoError(t, err)
	require.True(t, rep.Valid, "%s: %s", rep.Code, rep.Message)
	require.EqualValues(t, 9, rep.StoredEpoch, "epoch 1 and eight changes")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.Contains(t, []string{proofFile, setFile, deltasFile, stateFile, epochsFile}, e.Name(), "no temporary or lock file is left")
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
