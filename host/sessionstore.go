package host

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/licverify/licverify/internal/fileutil"
	"github.com/licverify/licverify/verify"
)

// The files of a session's store (docs/lifecycle.md, "The store"), and the
// most of each that is read back: a proof's and a set's input limits.
const (
	proofFile  = "proof.json"
	setFile    = "set.json"
	deltasFile = "deltas.json"
	stateFile  = "state.json"
	lockName   = "session.lock"
	epochsFile = "epochs.json"

	maxProofFile  = 1 << 20
	maxStateFile  = 1 << 20
	maxSetFile    = 64 << 20
	maxDeltasFile = 64 << 20

	// maxFailures and maxCachedDeltas are the plan op's bounds.
	maxFailures     = verify.MaxFailures
	maxCachedDeltas = verify.MaxCachedDeltas
)

// sessionState is state.json: what schedules the next fetches. It is
// never trusted for a verdict.
type sessionState struct {
	SyncedAt      time.Time `json:"synced_at,omitzero"`
	ProofFailures int       `json:"proof_failures"`
	ProofFailedAt time.Time `json:"proof_failed_at,omitzero"`
	SetFailures   int       `json:"set_failures"`
	SetFailedAt   time.Time `json:"set_failed_at,omitzero"`
}

// deltasDoc is deltas.json: the deltas accepted after the base set whose
// SHA-256 is Base, as their exact text.
type deltasDoc struct {
	Base   string   `json:"base"`
	Deltas []string `json:"deltas"`
}

// sessionStore is a session's directory.
type sessionStore struct {
	dir string
	// mu serializes this process's holders of the directory's lock, so
	// that goroutines wait on a mutex rather than polling the lock file.
	mu *sync.Mutex
}

// lockBusy, when set (by tests), is called each time session.lock is found
// held.
var lockBusy func(name string)

// storeMutexes holds one mutex per store directory of the process.
var storeMutexes sync.Map

func openSessionStore(dir string) (*sessionStore, error) {
	if dir == "" {
		return nil, errors.New("host: SessionConfig.Dir is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("host: session store %s: %w", dir, fileutil.Cause(err))
	}
	key, err := filepath.Abs(dir)
	if err != nil {
		key = filepath.Clean(dir)
	}
	if real, err := filepath.EvalSymlinks(key); err == nil {
		key = real
	}
	mu, _ := storeMutexes.LoadOrStore(key, new(sync.Mutex))
	return &sessionStore{dir: dir, mu: mu.(*sync.Mutex)}, nil
}

func (st *sessionStore) path(name string) string { return filepath.Join(st.dir, name) }

// lock takes the store's lock: this process's mutex, then session.lock.
func (st *sessionStore) lock() (*fileutil.Lock, func(), error) {
	st.mu.Lock()
	lk, err := fileutil.TakeLock(st.path(lockName), lockBusy)
	if err != nil {
		st.mu.Unlock()
		return nil, nil, fmt.Errorf("host: session store %s: %w", st.dir, err)
	}
	return lk, func() { lk.Release(); st.mu.Unlock() }, nil
}

// read returns a file of the store, at most limit bytes of it. A missing
// file is nil; so is one that is not a regular file (a symbolic link is
// not followed), is empty or is over limit, with a note saying why. A file
// that cannot be read is an error.
func (st *sessionStore) read(name string, limit int64) ([]byte, string, error) {
	// openNoFollow (the compilation cache's) refuses a symbolic link
	// planted at the name, and does not block on a FIFO.
	f, err := openNoFollow(st.path(name))
	if err != nil {
		if fi, lerr := os.Lstat(st.path(name)); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, name + " is a symbolic link; ignored", nil
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", nil
	case err != nil:
		return nil, "", fmt.Errorf("host: session store: reading %s: %w", st.path(name), fileutil.Cause(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("host: session store: reading %s: %w", st.path(name), fileutil.Cause(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, name + " is not a regular file; ignored", nil
	}
	if fi.Size() > limit {
		return nil, fmt.Sprintf("%s is %d bytes, over the limit of %d; ignored", name, fi.Size(), limit), nil
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("host: session store: reading %s: %w", st.path(name), fileutil.Cause(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Sprintf("%s is over the limit of %d bytes; ignored", name, limit), nil
	}
	if len(data) == 0 {
		return nil, name + " is empty; ignored", nil
	}
	return data, "", nil
}

// write replaces a file of the store atomically (mode 0600), if lk is
// still held then.
func (st *sessionStore) write(name string, data []byte, lk *fileutil.Lock) error {
	commit := func(oldpath, newpath string) error {
		if err := lk.Held(); err != nil {
			return err
		}
		return os.Rename(oldpath, newpath)
	}
	if err := fileutil.WriteAtomic(st.path(name), data, commit); err != nil {
		return fmt.Errorf("host: session store: writing %s: %w", st.path(name), err)
	}
	return nil
}

// cacheRead is what the store holds, read under its lock.
type cacheRead struct {
	verify.Cache
	state sessionState
	// deltaTexts is Deltas as stored, for appending.
	deltaTexts []string
	// notes says which files were ignored, and why.
	notes []string
}

// readCache reads the documents and state.json. Anything read is
// untrusted: the documents are verified again by plan and accept, and
// state.json and deltas.json are read as absent when they do not parse
// (or deltas.json names another base set).
func (st *sessionStore) readCache() (*cacheRead, error) {
	c := new(cacheRead)
	note := func(n string) {
		if n != "" {
			c.notes = append(c.notes, n)
		}
	}
	var n string
	var err error
	if c.Proof, n, err = st.read(proofFile, maxProofFile); err != nil {
		return nil, err
	}
	note(n)
	if c.Set, n, err = st.read(setFile, maxSetFile); err != nil {
		return nil, err
	}
	note(n)
	raw, n, err := st.read(deltasFile, maxDeltasFile)
	if err != nil {
		return nil, err
	}
	note(n)
	if raw != nil && c.Set != nil {
		var d deltasDoc
		switch {
		case strictJSON(raw, &d) != nil:
			note(deltasFile + " is not a deltas document; ignored")
		case d.Base != setDigest(c.Set):
			note(deltasFile + " is for another set.json; ignored")
		case len(d.Deltas) > maxCachedDeltas:
			note(fmt.Sprintf("%s holds %d deltas, over the limit of %d; ignored", deltasFile, len(d.Deltas), maxCachedDeltas))
		default:
			c.deltaTexts = d.Deltas
			for _, s := range d.Deltas {
				c.Deltas = append(c.Deltas, []byte(s))
			}
		}
	}
	raw, n, err = st.read(stateFile, maxStateFile)
	if err != nil {
		return nil, err
	}
	note(n)
	if raw != nil {
		var s sessionState
		if strictJSON(raw, &s) != nil || s.ProofFailures < 0 || s.ProofFailures > maxFailures || s.SetFailures < 0 || s.SetFailures > maxFailures {
			note(stateFile + " is not a session state; ignored")
		} else {
			c.state = s
		}
	}
	return c, nil
}

// strictJSON decodes one JSON value into v, refusing unknown members and
// anything after it.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the value")
	}
	return nil
}

// setDigest is deltas.json's base for a set.json holding set.
func setDigest(set []byte) string {
	sum := sha256.Sum256(set)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// marshalStore writes a store document: compact, no HTML escaping (a
// delta's text stays as it was), a final newline.
func marshalStore(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // plain structs of strings, ints and times
	return buf.Bytes()
}
