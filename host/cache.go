package host

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
)

// A compilation cache holds machine code that later processes run as it
// is, so it is trusted only under these rules (RATIONALE.md, "A
// compilation cache is code"):
//
//   - The directory must be this user's and writable by no one else; each
//     directory above it this user's or root's, and writable by no one
//     else unless sticky. Otherwise it is refused, and New compiles in
//     memory.
//   - Each entry carries an HMAC-SHA256 under a 32-byte secret kept beside
//     the entries (licverify-cache.key, mode 0600, this user's). An entry
//     that is not this user's, is writable by others, is a symbolic link
//     or fails its MAC is a miss, and is written again after the compile.
//   - wazero never reads the directory: a verified entry is copied into a
//     new private directory inside it, and wazero's cache is pointed there
//     for one compile; what wazero writes there is authenticated and
//     stored.

const (
	// secretName is the secret's file; the Python package uses the same
	// file when both share a directory (LICVERIFY_CACHE_DIR).
	secretName = "licverify-cache.key"
	secretSize = 32
	// entryMagic starts every entry: then its MAC, then the body the MAC
	// covers (after the entry's file name and a zero byte).
	entryMagic = "LVCODE1\n"
	// maxEntry bounds what is read from an entry (the module's compiled
	// code is about 15 MB).
	maxEntry = 1 << 30
	// stagingPrefix names the private directories wazero reads and
	// writes; one left by a process that was killed is removed after
	// staleAfter.
	stagingPrefix = ".staging-"
	staleAfter    = time.Hour
)

// CacheError is a compilation cache directory that New does not use:
// one that cannot be created, or one refused because others could change
// the code it holds.
type CacheError struct {
	Dir string
	// Refused is true when the directory is not trusted: it or a
	// directory above it belongs to another user or may be written by
	// others, or its secret is not this user's alone; false when it
	// cannot be created.
	Refused bool
	Err     error
}

func (e *CacheError) Error() string {
	if e.Refused {
		return fmt.Sprintf("host: compilation cache directory %s is refused: %v", e.Dir, e.Err)
	}
	return fmt.Sprintf("host: compilation cache directory %s cannot be created: %v", e.Dir, e.Err)
}

func (e *CacheError) Unwrap() error { return e.Err }

// store is a checked cache directory and its secret.
type store struct {
	dir    string // symbolic links resolved
	secret []byte
}

// openStore makes dir ready to hold compiled code, or says why it may not
// (a [*CacheError]).
func openStore(dir string) (*store, error) {
	real, err := prepareDir(dir)
	if err != nil {
		return nil, err
	}
	secret, err := loadSecret(real)
	if err != nil {
		return nil, &CacheError{Dir: dir, Refused: true, Err: err}
	}
	return &store{dir: real, secret: secret}, nil
}

// prepareDir creates what is missing of dir (mode 0700) and checks it and
// every directory above it. It returns dir with symbolic links resolved,
// the path used from then on, so that a link changed later is never
// followed.
func prepareDir(dir string) (string, error) {
	create := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == dir {
			err = pe.Err // named once
		}
		return &CacheError{Dir: dir, Err: err}
	}
	refuse := func(err error) error { return &CacheError{Dir: dir, Refused: true, Err: err} }
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", create(err)
	}
	// Nothing is created before every existing directory is checked: a
	// root process given another user's HOME must not leave root's
	// directories in that user's home.
	existing, missing := abs, []string(nil)
	for {
		_, err := os.Lstat(existing)
		if err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if !errors.Is(err, fs.ErrNotExist) || parent == existing {
			return "", create(err)
		}
		missing = append(missing, filepath.Base(existing))
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return "", create(err)
	}
	var chain []string
	for p := real; ; p = filepath.Dir(p) {
		chain = append(chain, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		fi, err := os.Lstat(chain[i])
		if err != nil {
			return "", create(err)
		}
		if !fi.IsDir() {
			return "", create(fmt.Errorf("%s is not a directory", chain[i]))
		}
		check := checkAncestor
		if i == 0 && len(missing) == 0 {
			check = checkOwned
		}
		if err := check(chain[i], fi); err != nil {
			return "", refuse(err)
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		real = filepath.Join(real, missing[i])
		if err := os.Mkdir(real, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", create(err)
		}
		// Checked again: another process may have made it first.
		fi, err := os.Lstat(real)
		if err != nil {
			return "", create(err)
		}
		if !fi.IsDir() {
			return "", refuse(fmt.Errorf("%s is not a directory", real))
		}
		check := checkAncestor
		if i == 0 {
			check = checkOwned
		}
		if err := check(real, fi); err != nil {
			return "", refuse(err)
		}
	}
	return real, nil
}

// loadSecret reads the directory's secret, or creates it.
func loadSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, secretName)
	for try := 0; ; try++ {
		secret, err := readPrivate(path, checkSecret, secretSize)
		if err == nil && len(secret) != secretSize {
			err = fmt.Errorf("%s is %d bytes, not %d", path, len(secret), secretSize)
		}
		if !errors.Is(err, fs.ErrNotExist) || try > 0 {
			return secret, err
		}
		if err := createSecret(dir, path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
}

// createSecret writes a new secret beside path and links it into place:
// a process that reads path sees the whole secret or none, and of two
// processes that create one at once, both use the first one linked.
func createSecret(dir, path string) error {
	secret := make([]byte, secretSize)
	rand.Read(secret)
	f, err := os.CreateTemp(dir, secretName+".*.tmp") // O_EXCL, mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(secret)
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err != nil {
		return err
	}
	// link never follows or replaces what is at path, a planted symbolic
	// link included.
	return os.Link(f.Name(), path)
}

// readPrivate reads a whole file of the cache that must be a regular
// file passing check, and of at most max bytes.
func readPrivate(path string, check func(string, fs.FileInfo) error, max int64) ([]byte, error) {
	f, fi, err := openPrivate(path, check, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, err
	}
	return b, nil
}

func openPrivate(path string, check func(string, fs.FileInfo) error, max int64) (*os.File, fs.FileInfo, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err == nil {
		err = check(path, fi)
	}
	if err == nil && fi.Size() > max {
		err = fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// entryName names the entry of wasm compiled by this wazero for this
// platform; compiled code that checks for context cancellation is
// another entry.
func entryName(wasm []byte, interruptible bool) string {
	sum := sha256.Sum256(wasm)
	name := "licverify-" + hex.EncodeToString(sum[:12]) + "-wazero-" + wazeroVersion() + "-" + runtime.GOARCH + "-" + runtime.GOOS
	if interruptible {
		name += "-interruptible"
	}
	return name + ".code"
}

func (s *store) mac(name string) hash.Hash {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(name))
	m.Write([]byte{0})
	return m
}

// errTampered is an entry whose MAC does not verify.
var errTampered = errors.New("host: cache entry does not verify")

// staged is a private directory for one compile: wazero's cache reads
// the verified entry from it, and writes there what it compiles.
type staged struct {
	dir  string
	file string      // the entry as staged; "" on a miss
	fi   fs.FileInfo // file's, when staged
	miss error       // why there is no entry (tests)
}

// stage makes a staging directory holding the entry name, if it verifies.
func (s *store) stage(name string) (*staged, error) {
	s.sweep()
	dir, err := os.MkdirTemp(s.dir, stagingPrefix) // mode 0700
	if err != nil {
		return nil, err
	}
	st := &staged{dir: dir}
	st.file, st.miss = s.unpack(name, dir)
	if st.miss == nil {
		st.fi, st.miss = os.Lstat(st.file)
		if st.miss != nil {
			st.file = ""
		}
	}
	return st, nil
}

// unpack copies the content of entry name into dir at the path it names,
// once its MAC has verified, and returns that file.
func (s *store) unpack(name, dir string) (string, error) {
	f, fi, err := openPrivate(filepath.Join(s.dir, name), checkOwned, maxEntry)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := io.LimitReader(f, fi.Size())
	head := make([]byte, len(entryMagic)+sha256.Size+2)
	if _, err := io.ReadFull(r, head); err != nil || string(head[:len(entryMagic)]) != entryMagic {
		return "", errTampered
	}
	want := head[len(entryMagic) : len(entryMagic)+sha256.Size]
	rel := make([]byte, binary.BigEndian.Uint16(head[len(head)-2:]))
	if _, err := io.ReadFull(r, rel); err != nil {
		return "", errTampered
	}
	sub, file, ok := strings.Cut(string(rel), "/")
	if !ok || !strings.HasPrefix(sub, "wazero-") || !localName(sub) || !localName(file) {
		return "", errTampered
	}
	m := s.mac(name)
	m.Write(head[len(head)-2:])
	m.Write(rel)
	tmp, err := os.CreateTemp(dir, "entry.*.tmp")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(io.MultiWriter(tmp, m), r)
	if err2 := tmp.Close(); err == nil {
		err = err2
	}
	if err == nil && !hmac.Equal(m.Sum(nil), want) {
		err = errTampered
	}
	// Nothing is at the path wazero reads until the bytes there verified.
	path := filepath.Join(dir, sub, file)
	if err == nil {
		err = os.Mkdir(filepath.Dir(path), 0o700)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}

// localName is a single path element.
func localName(s string) bool {
	return filepath.IsLocal(s) && !strings.ContainsAny(s, `/\`) && s != "." && s != ".."
}

// commit stores what wazero compiled into st as entry name, unless wazero
// loaded the staged entry (a hit, nothing to store).
func (s *store) commit(name string, st *staged) error {
	files, err := filepath.Glob(filepath.Join(st.dir, "wazero-*", "*"))
	if err != nil {
		return err
	}
	var fresh []string
	for _, f := range files {
		if strings.HasSuffix(f, ".tmp") {
			continue // a write wazero did not finish
		}
		if f == st.file {
			if fi, err := os.Lstat(f); err == nil && os.SameFile(fi, st.fi) {
				continue // loaded, not written: wazero writes a new file
			}
		}
		fresh = append(fresh, f)
	}
	if len(fresh) != 1 {
		return nil
	}
	rel, err := filepath.Rel(st.dir, fresh[0])
	if err != nil {
		return err
	}
	return s.save(name, filepath.ToSlash(rel), fresh[0])
}

// save writes src, which wazero wrote as rel, as entry name: a new file
// renamed into place, which replaces whatever was at the name (a damaged
// or refused entry, a symbolic link) without following it.
func (s *store) save(name, rel, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(s.dir, name+".*.tmp") // O_EXCL, mode 0600
	if err != nil {
		return err
	}
	m := s.mac(name)
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(rel)))
	m.Write(n[:])
	m.Write([]byte(rel))
	head := append([]byte(entryMagic), make([]byte, sha256.Size)...)
	head = append(append(head, n[:]...), rel...)
	_, err = out.Write(head)
	if err == nil {
		_, err = io.Copy(io.MultiWriter(out, m), in)
	}
	if err == nil {
		_, err = out.WriteAt(m.Sum(nil), int64(len(entryMagic)))
	}
	if err2 := out.Close(); err == nil {
		err = err2
	}
	if err == nil {
		err = os.Rename(out.Name(), filepath.Join(s.dir, name))
	}
	if err != nil {
		os.Remove(out.Name())
	}
	return err
}

// sweep removes staging directories and unfinished writes that a killed
// process left behind.
func (s *store) sweep() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, stagingPrefix) && !(strings.HasPrefix(n, "licverify-") && strings.HasSuffix(n, ".tmp")) {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleAfter {
			os.RemoveAll(filepath.Join(s.dir, n))
		}
	}
}

func (st *staged) remove() { os.RemoveAll(st.dir) }

// codeCache is where a Verifier's compiled module comes from: the
// process's memory once a Verifier has compiled it, else the disk store
// (nil without one).
type codeCache struct {
	store *store
	name  string
	mem   *memEntry
}

// memEntry is one module and configuration compiled in this process: the
// wazero cache whose engine holds it, nil until compiled. mu is held
// through a compile, so that concurrent Verifiers compile once; done is
// read without waiting for it.
type memEntry struct {
	mu    sync.Mutex
	cache wazero.CompilationCache
	done  atomic.Bool
}

var (
	memMu sync.Mutex
	mems  = map[[2]string]*memEntry{} // (store directory or "", entry name)
)

func newCodeCache(st *store, wasm []byte, interruptible bool) *codeCache {
	c := &codeCache{store: st, name: entryName(wasm, interruptible)}
	key := [2]string{"", c.name}
	if st != nil {
		key[0] = st.dir
	}
	memMu.Lock()
	defer memMu.Unlock()
	if c.mem = mems[key]; c.mem == nil {
		c.mem = &memEntry{}
		mems[key] = c.mem
	}
	return c
}

// inMemory reports whether the module is compiled in this process.
func (c *codeCache) inMemory() bool { return c.mem.done.Load() }

// stage stages the entry from disk, or returns nil without a disk store
// (or when no staging directory can be made: the compile is then in
// memory only).
func (c *codeCache) stage() *staged {
	if c.store == nil {
		return nil
	}
	st, err := c.store.stage(c.name)
	if err != nil {
		return nil
	}
	return st
}

// compile compiles wasm in a new runtime: from memory when this process
// compiled it before, else from st (staged by the caller, or here), whose
// entry is loaded when it verified and which receives the compiled code
// otherwise, for the store. A compile that fails with the cache is done
// once more in memory only: a broken cache costs speed, not every call.
// st is removed.
func (c *codeCache) compile(ctx context.Context, rc wazero.RuntimeConfig, wasm []byte, st *staged) (wazero.Runtime, wazero.CompiledModule, error) {
	c.mem.mu.Lock()
	defer c.mem.mu.Unlock()
	if c.mem.cache != nil {
		if st != nil {
			st.remove()
		}
		return compileIn(ctx, rc.WithCompilationCache(c.mem.cache), wasm)
	}
	if st == nil {
		st = c.stage()
	}
	if st != nil {
		defer st.remove()
		if wc, err := wazero.NewCompilationCacheWithDir(st.dir); err == nil {
			r, m, err := compileIn(ctx, rc.WithCompilationCache(wc), wasm)
			if err != nil && st.file != "" {
				// An entry of ours this wazero cannot read: compiled
				// afresh, and written again.
				wc.Close(ctx)
				os.Remove(st.file)
				st.file = ""
				if wc, err = wazero.NewCompilationCacheWithDir(st.dir); err == nil {
					r, m, err = compileIn(ctx, rc.WithCompilationCache(wc), wasm)
				}
			}
			if err == nil {
				// At worst the next process compiles once more.
				_ = c.store.commit(c.name, st)
				c.mem.cache = wc
				c.mem.done.Store(true)
				return r, m, nil
			}
			if wc != nil {
				wc.Close(ctx)
			}
		}
	}
	wc := wazero.NewCompilationCache()
	r, m, err := compileIn(ctx, rc.WithCompilationCache(wc), wasm)
	if err != nil {
		wc.Close(ctx)
		return nil, nil, err
	}
	c.mem.cache = wc
	c.mem.done.Store(true)
	return r, m, nil
}

// wazeroVersion is the version of the wazero module built in, or "dev".
func wazeroVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				if d.Replace != nil {
					return "replaced"
				}
				return d.Version
			}
		}
	}
	return "dev"
}
