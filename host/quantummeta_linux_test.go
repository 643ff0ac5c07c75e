package host

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuantumMetaReadsBounded: the cache is a file any process of the
// user may write; it is read up to 4096 bytes, a FIFO is not waited on,
// and the collector never writes.
func TestQuantumMetaReadsBounded(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	dir := filepath.Join(home, "quantummeta")
	file := filepath.Join(dir, "machine_id.json")
	require.NoError(t, os.Mkdir(dir, 0o700))
	id := "3F2A9C0D5E6B7A8190FEDCBA12345678"
	text := `{"machine_id": "` + id + `"}`
	for _, tc := range []struct {
		name, text string
		want       QuantumMetaMachineID
	}{
		{"written by QuantumMeta", text, QuantumMetaMachineID{ID: id, Source: "cache", Path: file}},
		{"4096 bytes", text + strings.Repeat(" ", 4096-len(text)), QuantumMetaMachineID{ID: id, Source: "cache", Path: file}},
		{"4097 bytes", text + strings.Repeat(" ", 4097-len(text)), QuantumMetaMachineID{Path: file, Reason: file + " is larger than 4096 bytes"}},
	} {
		require.NoError(t, os.WriteFile(file, []byte(tc.text), 0o600))
		assert.Equal(t, tc.want, CollectQuantumMetaMachineID(), tc.name)
	}
	require.NoError(t, os.Remove(file))
	require.NoError(t, syscall.Mkfifo(file, 0o600))
	assert.Equal(t, QuantumMetaMachineID{Path: file, Reason: file + " is not a regular file"}, CollectQuantumMetaMachineID())
	require.NoError(t, os.Remove(file))

	// No cache, and no directory for it: none is made.
	require.NoError(t, os.Remove(dir))
	got := CollectQuantumMetaMachineID()
	assert.Equal(t, file, got.Path)
	assert.NoDirExists(t, dir)
}
