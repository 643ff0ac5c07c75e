package epochstore_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/epochstore"
)

func TestFileSemantics(t *testing.T) {
	checkSemantics(t, epochstore.File(filepath.Join(t.TempDir(), "epochs.json")))
}

func TestFileMissing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "licverify", "epochs.json")
	s := epochstore.File(path)
	require.Equal(t, path, s.Path())

	// No file, not even its directory: no epochs, and reading creates nothing.
	got, err := s.Get("issuer")
	require.NoError(t, err)
	require.Zero(t, got)
	got, err = s.Raise("issuer", 0) // not newer than 0: nothing to write
	require.NoError(t, err)
	require.Zero(t, got)
	require.NoDirExists(t, filepath.Join(dir, "state"))

	// The first raise creates the directories and the file, private.
	got, err = s.Raise("issuer", 12)
	require.NoError(t, err)
	require.EqualValues(t, 12, got)
	require.FileExists(t, path)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		di, err := os.Stat(filepath.Dir(path))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	}
	// A new store value for the same file reads it.
	got, err = epochstore.File(path).Get("issuer")
	require.NoError(t, err)
	require.EqualValues(t, 12, got)
}

func TestFileNoPath(t *testing.T) {
	s := epochstore.File("")
	_, err := s.Get("issuer")
	require.ErrorIs(t, err, epochstore.ErrMisuse)
	_, err = s.Raise("issuer", 1)
	require.ErrorIs(t, err, epochstore.ErrMisuse)
}

// The npm package's Node store (js/lib/node-host.js) writes
// JSON.stringify(epochs, null, 2) + "\n": members in the order they were
// first raised. These bytes are what it writes after raising "keyring:b"
// to 2^53-1 (its largest epoch, Number.MAX_SAFE_INTEGER), then "issuer-a"
// to 12.
const nodeFile = "{\n  \"keyring:b\": 9007199254740991,\n  \"issuer-a\": 12\n}\n"

func TestFileNodeFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "epochs.json")
	require.NoError(t, os.WriteFile(path, []byte(nodeFile), 0o600))
	s := epochstore.File(path)

	got, err := s.Get("keyring:b")
	require.NoError(t, err)
	require.EqualValues(t, int64(1)<<53-1, got)
	got, err = s.Get("issuer-a")
	require.NoError(t, err)
	require.EqualValues(t, 12, got)

	// Go writes the same format (members sorted by name), keeping every
	// other namespace as it was; the Node store's parseEpochs reads it.
	got, err = s.Raise("issuer-a", 13)
	require.NoError(t, err)
	require.EqualValues(t, 13, got)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "{\n  \"issuer-a\": 13,\n  \"keyring:b\": 9007199254740991\n}\n", string(data))

	// Names are written as JSON.stringify writes them: no HTML escapes.
	got, err = s.Raise("<a&b>", 1)
	require.NoError(t, err)
	require.EqualValues(t, 1, got)
	data, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), "\n  \"<a&b>\": 1,\n")

	// An empty object, as a store with nothing raised would hold.
	require.NoError(t, os.WriteFile(path, []byte("{}"), 0o600))
	got, err = s.Get("issuer-a")
	require.NoError(t, err)
	require.Zero(t, got)
}

// Numbers that JSON.parse reads as integers in range are epochs, however
// they are spelled; a repeated name is its last value, as in JSON.parse.
func TestFileNumberSpellings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "epochs.json")
	require.NoError(t, os.WriteFile(path,
		[]byte(`{"a": 42.0, "b": 4.2e1, "c": -0, "d": 9007199254740992, "e": 1, "e": 5}`), 0o600))
	s := epochstore.File(path)
	for ns, want := range map[string]int64{"a": 42, "b": 42, "c": 0, "d": epochstore.MaxEpoch, "e": 5} {
		got, err := s.Get(ns)
		require.NoError(t, err, ns)
		require.Equal(t, want, got, ns)
	}
}

func TestFileDamaged(t *testing.T) {
	for name, text := range map[string]string{
		"empty":           "",
		"spaces":          " \n",
		"not JSON":        "epochs",
		"truncated":       `{"a": 1`,
		"trailing data":   `{"a": 1} {}`,
		"array":           `[1]`,
		"null":            `null`,
		"number":          `7`,
		"string value":    `{"a": "7"}`,
		"null value":      `{"a": null}`,
		"object value":    `{"a": {"b": 1}}`,
		"negative":        `{"a": -1}`,
		"fraction":        `{"a": 1.5}`,
		"beyond 2^53":     `{"a": 9007199254740993}`,
		"huge":            `{"a": 1e400}`,
		"one bad member":  `{"a": 3, "b": true}`,
		"byte order mark": "\ufeff{}",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "epochs.json")
			require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
			s := epochstore.File(path)

			_, err := s.Get("a")
			require.ErrorIs(t, err, epochstore.ErrDamaged)
			require.Contains(t, err.Error(), path)
			_, err = s.Raise("a", 100)
			require.ErrorIs(t, err, epochstore.ErrDamaged)

			// Never reset: the file is left exactly as it was.
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, text, string(data))
		})
	}
}

// TestFileDamagedByteOrderMark: a store an editor saved with a byte order
// mark is damaged, and the message says so rather than "invalid character".
func TestFileDamagedByteOrderMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "epochs.json")
	require.NoError(t, os.WriteFile(path, []byte("\ufeff{\"a\": 1}"), 0o600))
	_, err := epochstore.File(path).Get("a")
	require.ErrorIs(t, err, epochstore.ErrDamaged)
	require.EqualError(t, err, "epochstore: damaged: epoch file "+path+" starts with a byte order mark (EF BB BF), which JSON text must not: save it as UTF-8 without one")
}

func TestFileUnreadable(t *testing.T) {
	// A directory where the file should be is an error, not "no epochs".
	path := t.TempDir()
	s := epochstore.File(path)
	got, err := s.Get("a")
	require.Error(t, err)
	require.Contains(t, err.Error(), path)
	require.Zero(t, got)
	_, err = s.Raise("a", 1)
	require.Error(t, err)

	// So is a file where a directory should be.
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = epochstore.File(filepath.Join(file, "epochs.json")).Get("a")
	require.Error(t, err)
}

func TestFileConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "epochs.json")
	// Two store values for one file share the lock; another namespace is
	// raised at the same time and must not be lost either.
	other := make(chan error, 1)
	go func() {
		s := epochstore.File(path)
		var err error
		for e := int64(1); e <= 50 && err == nil; e++ {
			_, err = s.Raise("other", e)
		}
		other <- err
	}()
	checkConcurrent(t, "issuer", epochstore.File(path), epochstore.File(filepath.Join(dir, ".", "epochs.json")))
	require.NoError(t, <-other)
	got, err := epochstore.File(path).Get("other")
	require.NoError(t, err)
	require.EqualValues(t, 50, got)

	// No temporary file is left behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, "epochs.json", entries[0].Name())
}

// TestFileAliasedPaths: stores for one file under different spellings — a
// symbolic link to its directory, a relative path — take one lock: 400
// raises of distinct namespaces from goroutines across them, none lost.
func TestFileAliasedPaths(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	require.NoError(t, os.Mkdir(real, 0o700))
	t.Chdir(real)
	stores := []*epochstore.FileStore{
		epochstore.File(filepath.Join(real, "epochs.json")),
		epochstore.File("epochs.json"),
	}
	if err := os.Symlink(real, filepath.Join(dir, "link")); err != nil {
		if runtime.GOOS != "windows" { // which needs a privilege for it
			t.Fatal(err)
		}
	} else {
		stores = append(stores, epochstore.File(filepath.Join(dir, "link", "epochs.json")))
	}

	const goroutines, each = 8, 50
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				s := stores[(g+i)%len(stores)]
				if _, err := s.Raise(fmt.Sprintf("ns-%d-%d", g, i), int64(i+1)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	requireEpochs(t, stores[0].Path(), goroutines*each, func(ns string) (int64, bool) {
		var g, i int
		_, err := fmt.Sscanf(ns, "ns-%d-%d", &g, &i)
		return int64(i + 1), err == nil
	})
}

// raiserEnv marks a child process of TestFileProcesses: its value is the
// file, the child's number and the number of children.
const raiserEnv = "LICVERIFY_EPOCHSTORE_RAISER"

// TestFileProcesses: processes raising one file at once lose no raise.
// Six children, started together, each raise their own namespace through
// 1..20 and a shared namespace through interleaved epochs; afterwards
// every namespace holds its last epoch. (A child runs this test too, with
// raiserEnv set.)
func TestFileProcesses(t *testing.T) {
	if spec := os.Getenv(raiserEnv); spec != "" {
		var path string
		var k, n int
		_, err := fmt.Sscanf(spec, "%d %d %q", &k, &n, &path)
		require.NoError(t, err, spec)
		_, _ = io.Copy(io.Discard, os.Stdin) // the start: stdin closed
		s := epochstore.File(path)
		for i := range processRounds {
			_, err := s.Raise(fmt.Sprintf("own-%d", k), int64(i+1))
			require.NoError(t, err)
			_, err = s.Raise("shared", int64(i*n+k+1))
			require.NoError(t, err)
		}
		return
	}

	raiseTogether(t, filepath.Join(t.TempDir(), "epochs.json"), []string{"go", "go", "go", "go", "go", "go"})
}

// TestFileProcessesAcrossLanguages: Go, Node and Python processes raising
// one file at once take one lock. The Node and Python children are
// testdata/raise.mjs and raise.py, which the npm and Python packages'
// tests run too.
func TestFileProcessesAcrossLanguages(t *testing.T) {
	var missing []string
	for _, cmd := range []string{"node", python()} {
		if _, err := exec.LookPath(cmd); err != nil {
			missing = append(missing, cmd)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("%s not found in PATH", strings.Join(missing, ", "))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI=true, so this fails instead of skipping")
		}
		t.Skip(msg)
	}
	raiseTogether(t, filepath.Join(t.TempDir(), "epochs.json"), []string{"go", "node", "python", "go", "node", "python"})
}

func python() string {
	if runtime.GOOS == "windows" {
		return "python"
	}
	return "python3"
}

// raiseTogether starts one child per language given ("go": this test
// binary as a child of TestFileProcesses; "node", "python": the scripts
// in testdata), each told its number and the count, lets them all go at
// once by closing their standard input, and checks the file afterwards.
func raiseTogether(t *testing.T, path string, langs []string) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	n := len(langs)
	cmds := make([]*exec.Cmd, n)
	starts := make([]io.Closer, n)
	outs := make([]*bytes.Buffer, n)
	for k, lang := range langs {
		var cmd *exec.Cmd
		args := []string{path, strconv.Itoa(k), strconv.Itoa(n), strconv.Itoa(processRounds)}
		switch lang {
		case "go":
			cmd = exec.Command(exe, "-test.run=^TestFileProcesses$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %d %q", raiserEnv, k, n, path))
		case "node":
			cmd = exec.Command("node", append([]string{filepath.Join("testdata", "raise.mjs")}, args...)...)
		case "python":
			cmd = exec.Command(python(), append([]string{filepath.Join("testdata", "raise.py")}, args...)...)
		}
		outs[k] = new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = outs[k], outs[k]
		starts[k], err = cmd.StdinPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		cmds[k] = cmd
	}
	for _, c := range starts {
		c.Close()
	}
	for k, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "child %d (%s):\n%s", k, langs[k], outs[k])
	}
	requireProcessEpochs(t, path, n)
}

// processRounds is how many times each child of a process test raises.
const processRounds = 20

// requireProcessEpochs checks the file the children of a process test
// raised: own-K at processRounds for each child K, shared at its largest.
func requireProcessEpochs(t *testing.T, path string, children int) {
	t.Helper()
	requireEpochs(t, path, children+1, func(ns string) (int64, bool) {
		if ns == "shared" {
			return int64(processRounds * children), true
		}
		var k int
		_, err := fmt.Sscanf(ns, "own-%d", &k)
		return processRounds, err == nil && k < children
	})
}

// requireEpochs checks that the file holds want namespaces, each the
// epoch expect gives it.
func requireEpochs(t *testing.T, path string, want int, expect func(ns string) (int64, bool)) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var got map[string]int64
	require.NoError(t, json.Unmarshal(data, &got))
	lost := want - len(got)
	for ns, e := range got {
		w, ok := expect(ns)
		require.True(t, ok, "unexpected namespace %q", ns)
		if e != w {
			t.Errorf("%s: %d, want %d", ns, e, w)
		}
	}
	require.Zero(t, lost, "%d of %d namespaces lost", lost, want)
	_, err = os.Lstat(path + ".lock")
	require.ErrorIs(t, err, fs.ErrNotExist, "the lock file is removed")
}
