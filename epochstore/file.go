package epochstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/licverify/licverify/internal/fileutil"
)

// FileStore is a [Store] kept in one JSON file. Make one with [File].
type FileStore struct {
	path string
}

// File returns a store that keeps epochs in the JSON file at path, one
// member per namespace, as the npm package's Node store does:
//
//	{
//	  "issuer-a": 42,
//	  "keyring:b": 7
//	}
//
// Each value is an integer from 0 to [MaxEpoch]. The file is written with
// two-space indentation and a final newline, members sorted by name, and
// mode 0600; a file written by the Node store (members in the order they
// were first raised) reads the same. A number such as 42.0 or 4.2e1 is
// read as the integer it is, as JavaScript's JSON.parse reads it. (The
// Node store takes epochs up to 2^53-1 only: a file holding an epoch of
// exactly 2^53 is one it reports as damaged.)
//
// A missing file, or a missing directory on the path, holds no epochs:
// Get returns 0 and the first Raise creates the directories (mode 0700)
// and the file. A file that is not such an object is an error wrapping
// [ErrDamaged]; Raise then leaves it as it is rather than starting again
// from 0. A file that cannot be read (a directory, no permission) is an
// error too. Errors name the file at path.
//
// Every Raise that changes an epoch writes the whole file to a temporary
// file in the same directory, flushes it to disk (fsync), and renames it
// over path, so that a crash leaves the old file or the new one, never a
// torn one; on Unix the directory is then flushed as well, best effort.
// An epoch that is not newer writes nothing.
//
// A Raise with a newer epoch takes the file's lock for its write: the
// file path+".lock", which the npm package's Node store and the Python
// package's EpochStore take too, so that processes of any of the three
// raising one file at once lose no raise. It creates the lock file
// exclusively (never through a symbolic link planted at its name), reads
// the file again, writes it, and removes the lock file. Stores for one
// file under different spellings (through a symbolic link to its
// directory, relative or absolute) take the same lock. A Raise that finds
// the lock held polls until it is free; a lock file last modified over 10
// seconds ago was left by a process that died, and is removed; a Raise
// that still has no lock after 30 seconds returns an error, as does one
// whose own lock was removed as stale before it wrote (it writes nothing
// then). Get, and a Raise that is not newer, take no lock: the file is
// only ever replaced whole. RATIONALE.md, "One lock file for every epoch
// store", says why this is not an flock. On Windows a reader in another
// process holding the file open can make a rename fail; that is an
// error, not a loss.
//
// File does no I/O: an empty path is reported by Get and Raise as misuse.
func File(path string) *FileStore {
	return &FileStore{path: path}
}

// Path returns the path the store was made with.
func (s *FileStore) Path() string { return s.path }

var fileLocks lockSet

// rename is os.Rename; tests replace it to make the final step fail.
var rename = os.Rename

func (s *FileStore) lock() (func(), error) {
	if s.path == "" {
		return nil, misuse("epochstore.File needs a path: the file to keep epochs in")
	}
	key, err := filepath.Abs(s.path)
	if err != nil {
		key = filepath.Clean(s.path)
	}
	return fileLocks.lock(key), nil
}

// Get returns the epoch stored for namespace, or 0 when the file or the
// namespace is absent. See [Store.Get] and [File].
func (s *FileStore) Get(namespace string) (int64, error) {
	// 0 is always a valid epoch: only the namespace is checked.
	unlock, err := begin(s.lock, namespace, 0)
	if err != nil {
		return 0, err
	}
	defer unlock()
	epochs, err := s.readAll()
	if err != nil {
		return 0, err
	}
	return epochs[namespace], nil
}

// Raise stores max(stored, epoch) for namespace and returns the epoch
// stored afterwards. See [Store.Raise] and [File].
func (s *FileStore) Raise(namespace string, epoch int64) (int64, error) {
	unlock, err := begin(s.lock, namespace, epoch)
	if err != nil {
		return 0, err
	}
	defer unlock()
	epochs, err := s.readAll()
	if err != nil {
		return 0, err
	}
	// Stored epochs only rise: one not newer now never will be, and
	// needs neither the lock nor a write.
	if stored := epochs[namespace]; epoch <= stored {
		return stored, nil
	}

	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return 0, fmt.Errorf("epochstore: writing epoch file %s: %w", s.path, err)
	}
	lk, err := lockFile(s.path)
	if err != nil {
		return 0, fmt.Errorf("epochstore: writing epoch file %s: locking it: %w", s.path, err)
	}
	defer lk.Release()
	lockTaken(lk.Name())
	// Read again under the lock: another process may have raised any
	// namespace since.
	if epochs, err = s.readAll(); err != nil {
		return 0, err
	}
	if stored := epochs[namespace]; epoch <= stored {
		return stored, nil
	}
	epochs[namespace] = epoch
	if err := s.writeAll(epochs, lk); err != nil {
		return 0, err
	}
	return epoch, nil
}

// readAll reads the file: no file is no epochs, anything else that is not
// a JSON object of epochs is an error.
func (s *FileStore) readAll() (map[string]int64, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("epochstore: reading epoch file %s: %w", s.path, fileutil.Cause(err))
	}
	return parseEpochs(data, s.path)
}

// parseEpochs reads a {namespace: epoch} JSON text as the npm package's
// parseEpochs does: JSON.parse, then every value an integer in range.
// where names the file in errors.
func parseEpochs(data []byte, where string) (map[string]int64, error) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		// JSON.parse refuses it too; encoding/json would say "invalid
		// character 'ï'".
		return nil, damaged("epoch file %s starts with a byte order mark (EF BB BF), which JSON text must not: save it as UTF-8 without one", where)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, damaged("epoch file %s is empty", where)
		}
		return nil, damaged("epoch file %s is not JSON: %v", where, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, damaged("epoch file %s is not JSON: data after the object", where)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, damaged("epoch file %s is not a JSON object", where)
	}
	epochs := make(map[string]int64, len(obj))
	for k, e := range obj {
		n, ok := e.(json.Number)
		var epoch int64
		if ok {
			epoch, ok = epochOf(n)
		}
		if !ok {
			return nil, damaged("epoch file %s: %q is %s, not an integer from 0 to 2^53", where, k, shorten(e))
		}
		epochs[k] = epoch
	}
	return epochs, nil
}

// shorten is a JSON value's text for an error message.
func shorten(v any) string {
	b, _ := json.Marshal(v)
	return clip(string(b))
}

// epochOf is the integer a JSON number stands for, if it is one from 0 to
// MaxEpoch: 42, 42.0 and 4.2e1 all are 42.
func epochOf(n json.Number) (int64, bool) {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i, i >= 0 && i <= MaxEpoch
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > float64(MaxEpoch) {
		return 0, false
	}
	return int64(f), true
}

// writeAll replaces the file atomically: a temporary file beside it,
// written, flushed and renamed over it, if lk is still held then. Errors
// name the file, not the temporary one.
func (s *FileStore) writeAll(epochs map[string]int64, lk *fileutil.Lock) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // ends the text with a newline
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(epochs); err != nil {
		return fmt.Errorf("epochstore: writing epoch file %s: %w", s.path, err)
	}

	commit := func(oldpath, newpath string) error {
		if err := lk.Held(); err != nil {
			return err
		}
		return rename(oldpath, newpath)
	}
	if err := fileutil.WriteAtomic(s.path, buf.Bytes(), commit); err != nil {
		return fmt.Errorf("epochstore: writing epoch file %s: %w", s.path, err)
	}
	return nil
}
