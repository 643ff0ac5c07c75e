//go:build unix

package host

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/stretchr/testify/require"
)

// The compilation cache holds code the next process runs. These tests
// attack it as another local user would, and run each next process for
// real (the test binary again, through TestCacheProcess), so that nothing
// of the attacked process's memory helps it.

// processEnv names the cache directory of a process run by
// TestCacheProcess ("-" for the default one); processEnv+"_MODULE" names
// its module (testModules).
const processEnv = "LICVERIFY_TEST_CACHE_PROCESS"

var testModules = map[string]func() []byte{
	"licverify": func() []byte { return nil }, // the embedded module
	"fake":      func() []byte { return fakeModule(api.ABIVersion, true) },
	"abi7":      func() []byte { return fakeModule(7, true) },
}

// processResult is what a process on the cache saw.
type processResult struct {
	Warm     bool   `json:"warm"` // New found the module compiled
	CacheErr string `json:"cache_err"`
	Resp     string `json:"resp"`
	Err      string `json:"err"`
}

// TestCacheProcess is a new process for the cache tests: it starts a
// Verifier on the cache, makes one call, closes it (which finishes the
// compile and writes the cache), and prints what it saw.
func TestCacheProcess(t *testing.T) {
	dir := os.Getenv(processEnv)
	if dir == "" {
		t.Skip("a process the cache tests start")
	}
	if dir == "-" {
		dir = ""
	}
	ctx := context.Background()
	opts := Options{CacheDir: dir, MaxInstances: 1, wasm: testModules[os.Getenv(processEnv+"_MODULE")]()}
	var res processResult
	if _, err := CacheDir(opts); err != nil {
		res.CacheErr = err.Error()
	}
	v, err := New(ctx, opts)
	require.NoError(t, err)
	res.Warm = v.interp == nil
	resp, err := v.Call(ctx, smallRequest)
	res.Resp = string(resp)
	if err != nil {
		res.Err = err.Error()
	}
	require.NoError(t, v.Close(ctx))
	out, err := json.Marshal(res)
	require.NoError(t, err)
	os.Stdout.Write(append(append([]byte("cache-process: "), out...), '\n'))
}

// runProcess runs module in a new process on the cache directory dir.
func runProcess(t *testing.T, dir, module string, env ...string) processResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCacheProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), processEnv+"="+dir, processEnv+"_MODULE="+module)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "cache-process: "); ok {
			var res processResult
			require.NoError(t, json.Unmarshal([]byte(rest), &res))
			return res
		}
	}
	t.Fatalf("no result from the process: %s", out)
	return processResult{}
}

// codeFiles returns the files under dir that hold compiled code: every
// non-empty regular file but the secret.
func codeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || d.Name() == secretName {
			return err
		}
		if fi, err := d.Info(); err == nil && fi.Size() > 0 {
			files = append(files, path)
		}
		return nil
	}))
	return files
}

// allFiles returns every file and link under dir, relative to it.
func allFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return err
	}))
	return files
}

// warmCache runs module once on a new cache directory and returns it
// and its one file of compiled code.
func warmCache(t *testing.T, module string) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cache")
	res := runProcess(t, dir, module)
	require.False(t, res.Warm, "a new cache directory is cold")
	files := codeFiles(t, dir)
	require.Len(t, files, 1, "one entry of compiled code")
	return dir, files[0]
}

// requireRoot skips a test that needs to give files to another user.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root, to give files to another user")
	}
}

// nobody is the uid of another local user.
const nobody = 65534

// TestCachePlantedCode: another user who could write the cache replaced
// the compiled code of one module with that of another (the code of a
// module they chose, with its valid checksum). The next process must not
// run it: the entry is a miss, compiled again and rewritten, and the
// process after that loads the rewritten entry.
func TestCachePlantedCode(t *testing.T) {
	dir, entry := warmCache(t, "fake")
	_, planted := warmCache(t, "abi7")
	code, err := os.ReadFile(planted)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(entry, code, 0o600))

	res := runProcess(t, dir, "fake")
	require.Empty(t, res.Err, "the planted code ran")
	require.False(t, res.Warm, "the planted entry was loaded")
	files := codeFiles(t, dir)
	require.Len(t, files, 1)
	got, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.False(t, bytes.Equal(code, got), "the planted entry is still there")

	res = runProcess(t, dir, "fake")
	require.Empty(t, res.Err)
	require.True(t, res.Warm, "the rewritten entry was not loaded")
}

// TestCacheDamagedEntry: a damaged entry is a miss, never code; it is
// written again, and the next process loads it. Nothing else is left in
// the directory.
func TestCacheDamagedEntry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		module string
		damage func([]byte) []byte
	}{
		{"a byte flipped in the middle", "fake", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }},
		{"a byte flipped at the end", "fake", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }},
		{"a block flipped", "fake", func(b []byte) []byte {
			for i := len(b) / 3; i < len(b)/3+16 && i < len(b); i++ {
				b[i] = ^b[i]
			}
			return b
		}},
		{"emptied", "fake", func([]byte) []byte { return nil }},
		{"truncated", "fake", func(b []byte) []byte { return b[:len(b)/2] }},
		{"grown", "fake", func(b []byte) []byte { return append(b, 0) }},
		{"a byte flipped in the compiled licverify module", "licverify", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.module == "licverify" && testing.Short() {
				t.Skip("compiles the module twice")
			}
			dir, entry := warmCache(t, tc.module)
			before := allFiles(t, dir)
			b, err := os.ReadFile(entry)
			require.NoError(t, err)
			damaged := tc.damage(b)
			require.NoError(t, os.WriteFile(entry, damaged, 0o600))

			res := runProcess(t, dir, tc.module)
			require.Empty(t, res.Err)
			require.False(t, res.Warm, "the damaged entry was loaded")
			if tc.module == "licverify" {
				require.Contains(t, res.Resp, `"valid":true`)
			}
			got, err := os.ReadFile(entry)
			require.NoError(t, err)
			require.False(t, bytes.Equal(damaged, got), "the damaged entry was not written again")
			require.Equal(t, before, allFiles(t, dir))

			res = runProcess(t, dir, tc.module)
			require.Empty(t, res.Err)
			require.True(t, res.Warm, "the rewritten entry was not loaded")
		})
	}
}

// TestCacheEntryRefused: an entry that another user owns, or that others
// may write, is a miss even though its MAC verifies, and is replaced by
// one of this user's.
func TestCacheEntryRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		root   bool
		change func(string) error
	}{
		{"writable by others", false, func(p string) error { return os.Chmod(p, 0o666) }},
		{"writable by its group", false, func(p string) error { return os.Chmod(p, 0o620) }},
		{"owned by another user", true, func(p string) error { return os.Chown(p, nobody, nobody) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root {
				requireRoot(t)
			}
			dir, entry := warmCache(t, "fake")
			require.NoError(t, tc.change(entry))
			res := runProcess(t, dir, "fake")
			require.Empty(t, res.Err)
			require.False(t, res.Warm, "the refused entry was loaded")
			fi, err := os.Stat(entry)
			require.NoError(t, err)
			require.Equal(t, os.Getuid(), int(fi.Sys().(*syscall.Stat_t).Uid))
			require.Zero(t, fi.Mode().Perm()&0o022)
			require.True(t, runProcess(t, dir, "fake").Warm)
		})
	}
}

// TestCacheSymlinks: a symbolic link planted where the cache writes a
// file (found by a run on another directory) is never followed: nothing
// is created where it points, the link to the secret refuses the
// directory, and any other is replaced.
func TestCacheSymlinks(t *testing.T) {
	scratch := filepath.Join(t.TempDir(), "cache")
	runProcess(t, scratch, "fake")
	names := allFiles(t, scratch)
	require.NotEmpty(t, names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			tmp := t.TempDir()
			dir, victim := filepath.Join(tmp, "cache"), filepath.Join(tmp, "victim", "planted")
			require.NoError(t, os.MkdirAll(filepath.Dir(victim), 0o700))
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700))
			require.NoError(t, os.Symlink(victim, filepath.Join(dir, name)))

			res := runProcess(t, dir, "fake")
			require.Empty(t, res.Err)
			require.NoFileExists(t, victim, "a file was created through the link")
			if filepath.Base(name) == secretName {
				require.Contains(t, res.CacheErr, "is refused: "+filepath.Join(dir, secretName)+" is a symbolic link")
				return
			}
			require.Empty(t, res.CacheErr)
			require.True(t, runProcess(t, dir, "fake").Warm)
			require.NoFileExists(t, victim)
		})
	}
}

// TestCacheRefused: a directory that another user owns or may write, or
// below one, or whose secret is not this user's alone, is refused with
// the reason: New compiles in memory, and nothing is written there.
func TestCacheRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		root bool
		// setup prepares tmp and returns the cache directory, the
		// directory that must stay as it was, and the reason expected.
		setup func(t *testing.T, tmp string) (dir, untouched, why string)
	}{
		{"writable by others", false, func(t *testing.T, tmp string) (string, string, string) {
			dir := mkdir(t, tmp, "cache", 0o777)
			return dir, dir, dir + " is writable by others (mode 0777)"
		}},
		{"writable by its group", false, func(t *testing.T, tmp string) (string, string, string) {
			dir := mkdir(t, tmp, "cache", 0o770)
			return dir, dir, dir + " is writable by others (mode 0770)"
		}},
		{"owned by another user", true, func(t *testing.T, tmp string) (string, string, string) {
			dir := mkdir(t, tmp, "cache", 0o700)
			require.NoError(t, os.Chown(dir, nobody, nobody))
			return dir, dir, dir + " is owned by uid 65534, not by this user"
		}},
		{"below a directory others may write", false, func(t *testing.T, tmp string) (string, string, string) {
			shared := mkdir(t, tmp, "shared", 0o777)
			return filepath.Join(shared, "a", "cache"), shared, shared + " is writable by others (mode 0777)"
		}},
		{"below another user's directory", true, func(t *testing.T, tmp string) (string, string, string) {
			home := mkdir(t, tmp, "home", 0o755)
			require.NoError(t, os.Chown(home, nobody, nobody))
			return filepath.Join(home, ".cache", "licverify", "wazero"), home, home + " is owned by uid 65534, neither this user"
		}},
		{"the secret owned by another user", true, func(t *testing.T, tmp string) (string, string, string) {
			dir := validStore(t, tmp)
			require.NoError(t, os.Chown(filepath.Join(dir, secretName), nobody, nobody))
			return dir, dir, filepath.Join(dir, secretName) + " is owned by uid 65534"
		}},
		{"the secret readable by others", false, func(t *testing.T, tmp string) (string, string, string) {
			dir := validStore(t, tmp)
			require.NoError(t, os.Chmod(filepath.Join(dir, secretName), 0o644))
			return dir, dir, filepath.Join(dir, secretName) + " is open to others (mode 0644, want 0600)"
		}},
		{"the secret cut short", false, func(t *testing.T, tmp string) (string, string, string) {
			dir := validStore(t, tmp)
			require.NoError(t, os.Truncate(filepath.Join(dir, secretName), 16))
			return dir, dir, filepath.Join(dir, secretName) + " is 16 bytes, not 32"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root {
				requireRoot(t)
			}
			tmp := t.TempDir()
			dir, untouched, why := tc.setup(t, tmp)
			before := allFiles(t, untouched)
			_, err := CacheDir(Options{CacheDir: dir})
			var ce *CacheError
			require.ErrorAs(t, err, &ce)
			require.True(t, ce.Refused)
			require.ErrorContains(t, err, "host: compilation cache directory "+dir+" is refused: "+why)

			v, err := New(context.Background(), Options{CacheDir: dir, MaxInstances: 1, wasm: fakeModule(api.ABIVersion, true), WaitForCompile: true})
			require.NoError(t, err)
			require.False(t, v.diskCache)
			_, err = v.Call(context.Background(), smallRequest)
			require.NoError(t, err)
			require.NoError(t, v.Close(context.Background()))
			require.Equal(t, before, allFiles(t, untouched), "written to a refused directory")
		})
	}
}

// TestCacheAnotherUsersHome: root running with another user's HOME (sudo
// keeping it) is refused the default directory there, which that user
// could fill with code of their own; nothing is created in that home.
func TestCacheAnotherUsersHome(t *testing.T) {
	requireRoot(t)
	home := mkdir(t, t.TempDir(), "alice", 0o755)
	require.NoError(t, os.Chown(home, nobody, nobody))
	env := []string{"HOME=" + home, "XDG_CACHE_HOME="}
	res := runProcess(t, "-", "fake", env...)
	require.Contains(t, res.CacheErr, "is refused: "+home+" is owned by uid 65534")
	require.Empty(t, res.Err)
	require.Empty(t, allFiles(t, home))
	entries, err := os.ReadDir(home)
	require.NoError(t, err)
	require.Empty(t, entries, "a directory was created in another user's home")

	// The same once that user has made the directory, with an entry.
	dir := filepath.Join(home, ".cache", "licverify", "wazero")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "planted"), []byte("code"), 0o600))
	require.NoError(t, filepath.WalkDir(home, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			err = os.Lchown(p, nobody, nobody)
		}
		return err
	}))
	res = runProcess(t, "-", "fake", env...)
	require.Contains(t, res.CacheErr, "is refused: ")
	require.False(t, res.Warm)
	require.NoError(t, filepath.WalkDir(home, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			fi, err := os.Lstat(p)
			require.NoError(t, err)
			require.Equal(t, nobody, int(fi.Sys().(*syscall.Stat_t).Uid), "%s was written", p)
		}
		return err
	}))
}

// TestCacheStickyParent: a directory above the cache that everyone may
// write is fine when it is sticky (as /tmp is): no one can move another
// user's directory out of it.
func TestCacheStickyParent(t *testing.T) {
	shared := mkdir(t, t.TempDir(), "shared", 0o777|os.ModeSticky)
	dir := filepath.Join(shared, "cache")
	got, err := CacheDir(Options{CacheDir: dir})
	require.NoError(t, err)
	require.Equal(t, dir, got)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	fi, err = os.Stat(filepath.Join(dir, secretName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// mkdir makes tmp/name with exactly mode (umask aside).
func mkdir(t *testing.T, tmp, name string, mode os.FileMode) string {
	t.Helper()
	dir := filepath.Join(tmp, name)
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chmod(dir, mode))
	return dir
}

// validStore makes a cache directory with its secret.
func validStore(t *testing.T, tmp string) string {
	t.Helper()
	dir := filepath.Join(tmp, "cache")
	_, err := CacheDir(Options{CacheDir: dir})
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(dir, secretName))
	return dir
}

// BenchmarkCacheStage measures what authenticating the compiled module
// adds to a warm start: reading its entry, checking the MAC, and writing
// the bytes where wazero reads them.
func BenchmarkCacheStage(b *testing.B) {
	dir := b.TempDir()
	v, err := New(context.Background(), Options{CacheDir: dir, WaitForCompile: true})
	require.NoError(b, err)
	require.NoError(b, v.Close(context.Background()))
	st, err := openStore(dir)
	require.NoError(b, err)
	name := entryName(module, false)
	fi, err := os.Stat(filepath.Join(dir, name))
	require.NoError(b, err)
	b.SetBytes(fi.Size())
	for b.Loop() {
		s, err := st.stage(name)
		if err != nil || s.file == "" {
			b.Fatal(err, s.miss)
		}
		s.remove()
	}
}

// BenchmarkCacheWarmNew measures New on a warm disk cache, as a new
// process sees it (nothing compiled in memory), and Close.
func BenchmarkCacheWarmNew(b *testing.B) {
	dir := b.TempDir()
	v, err := New(context.Background(), Options{CacheDir: dir, WaitForCompile: true})
	require.NoError(b, err)
	require.NoError(b, v.Close(context.Background()))
	for b.Loop() {
		memMu.Lock()
		mems = map[[2]string]*memEntry{}
		memMu.Unlock()
		v, err := New(context.Background(), Options{CacheDir: dir})
		if err != nil || v.interp != nil {
			b.Fatal("not warm", err)
		}
		v.Close(context.Background())
	}
}
