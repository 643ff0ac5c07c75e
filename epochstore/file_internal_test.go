package epochstore

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A write that fails at the last step names the epoch file, not the
// temporary one; it removes the temporary file and leaves the epoch file
// as it was.
func TestFileWriteFailure(t *testing.T) {
	dir, path, s, before := storeWithEpoch(t)

	var tmpName string
	rename = func(old, new string) error {
		tmpName = old
		return &os.LinkError{Op: "rename", Old: old, New: new, Err: syscall.EIO}
	}
	t.Cleanup(func() { rename = os.Rename })

	_, err := s.Raise("a", 2)
	require.ErrorIs(t, err, syscall.EIO)
	require.Contains(t, err.Error(), path)
	require.NotEmpty(t, tmpName)
	require.NotContains(t, err.Error(), filepath.Base(tmpName))
	require.NotContains(t, err.Error(), ".tmp")
	require.True(t, strings.HasPrefix(filepath.Base(tmpName), "epochs.json."), tmpName)
	require.Equal(t, dir, filepath.Dir(tmpName), "the temporary file is in the same directory")

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the temporary file is removed")

	rename = os.Rename
	got, err := s.Raise("a", 2)
	require.NoError(t, err)
	require.EqualValues(t, 2, got)
}

// A lock file older than lockStaleAfter was left by a process that died:
// a Raise removes it and goes on. A fresh one it waits for.
func TestLockStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "epochs.json")
	lock := path + ".lock"
	s := File(path)

	require.NoError(t, os.WriteFile(lock, nil, 0o600))
	old := time.Now().Add(-2 * lockStaleAfter)
	require.NoError(t, os.Chtimes(lock, old, old))
	got, err := s.Raise("a", 1)
	require.NoError(t, err)
	require.EqualValues(t, 1, got)
	require.NoFileExists(t, lock)

	// Fresh: the Raise waits until it is gone, and writes nothing before.
	require.NoError(t, os.WriteFile(lock, []byte("held"), 0o600))
	busy := make(chan struct{})
	var once sync.Once
	lockBusy = func(name string) {
		require.Equal(t, lock, name)
		once.Do(func() { close(busy) })
	}
	t.Cleanup(func() { lockBusy = func(string) {} })
	done := make(chan error, 1)
	go func() {
		_, err := s.Raise("a", 2)
		done <- err
	}()
	<-busy
	data, err := os.ReadFile(path) // s.Get would wait for the Raise
	require.NoError(t, err)
	require.Equal(t, "{\n  \"a\": 1\n}\n", string(data))
	require.NoError(t, os.Remove(lock))
	require.NoError(t, <-done)
	got, err = s.Get("a")
	require.NoError(t, err)
	require.EqualValues(t, 2, got)
	require.NoFileExists(t, lock)
}

// Anything other than a regular file at the lock's name is refused: a
// symbolic link is neither followed nor removed.
func TestLockNotAFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "epochs.json")
	victim := filepath.Join(dir, "victim")
	if err := os.Symlink(victim, path+".lock"); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	_, err := File(path).Raise("a", 1)
	require.ErrorContains(t, err, "epochstore: writing epoch file "+path+": locking it: "+path+".lock is not a regular file")
	require.NoFileExists(t, victim)
	require.NoFileExists(t, path)
	fi, err := os.Lstat(path + ".lock")
	require.NoError(t, err)
	require.Equal(t, os.ModeSymlink, fi.Mode().Type())

	require.NoError(t, os.Remove(path+".lock"))
	require.NoError(t, os.Mkdir(path+".lock", 0o700))
	_, err = File(path).Raise("a", 1)
	require.ErrorContains(t, err, "is not a regular file")
}

// A Raise whose lock was taken over (removed as stale by another process,
// which then took it) writes nothing, and leaves the other's lock alone.
func TestLockTakenOver(t *testing.T) {
	dir, path, s, before := storeWithEpoch(t)

	other := []byte(`{"pid":1,"token":"another"}` + "\n")
	lockTaken = func(name string) {
		require.NoError(t, os.WriteFile(name, other, 0o600))
	}
	t.Cleanup(func() { lockTaken = func(string) {} })
	_, err := s.Raise("a", 2)
	require.ErrorContains(t, err, "epochstore: writing epoch file "+path+": replacing it: its lock "+path+".lock was taken over")

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
	lock, err := os.ReadFile(path + ".lock")
	require.NoError(t, err)
	require.Equal(t, string(other), string(lock))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2, "the temporary file is removed")
}

// storeWithEpoch returns a file store in a new directory that holds
// epoch 1 for namespace "a", with the file's bytes.
func storeWithEpoch(t *testing.T) (dir, path string, s *FileStore, before []byte) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "epochs.json")
	s = File(path)
	_, err := s.Raise("a", 1)
	require.NoError(t, err)
	before, err = os.ReadFile(path)
	require.NoError(t, err)
	return dir, path, s, before
}
