package epochstore

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// A write that fails at the last step names the epoch file, not the
// temporary one; it removes the temporary file and leaves the epoch file
// as it was.
func TestFileWriteFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "epochs.json")
	s := File(path)
	_, err := s.Raise("a", 1)
	require.NoError(t, err)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	var tmpName string
	rename = func(old, new string) error {
		tmpName = old
		return &os.LinkError{Op: "rename", Old: old, New: new, Err: syscall.EIO}
	}
	t.Cleanup(func() { rename = os.Rename })

	_, err = s.Raise("a", 2)
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
