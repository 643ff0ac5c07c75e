package testvectors

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// TestNative runs every vector through the native request handler.
func TestNative(t *testing.T) {
	files, err := Load(Dir())
	require.NoError(t, err)
	passed, failed := 0, 0
	for _, f := range files {
		for _, v := range f.Tests {
			ok := t.Run(v.ID, func(t *testing.T) {
				require.NoError(t, Check(v.Expected, api.Handle(v.Frame)), v.Comment)
			})
			if ok {
				passed++
			} else {
				failed++
			}
		}
	}
	// Printed as well as logged, so that `make test` shows the count.
	fmt.Printf("vectors: %d passed, %d failed (native)\n", passed, failed)
}

// TestCodesCovered requires every result code to be the expected code of
// at least one vector, so that no rule goes untested in any runtime.
func TestCodesCovered(t *testing.T) {
	files, err := Load(Dir())
	require.NoError(t, err)
	used := map[verify.Code]int{}
	for _, f := range files {
		for _, v := range f.Tests {
			used[codeOf(t, v)]++
		}
	}
	var missing []string
	for _, c := range verify.Codes {
		if used[c] == 0 {
			missing = append(missing, string(c))
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "result codes no vector expects")
	fmt.Printf("codes: all %d used by vectors\n", len(verify.Codes))
}

// TestGeneratedFilesUpToDate regenerates the vectors into a temporary
// directory and requires the committed files to be identical.
func TestGeneratedFilesUpToDate(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, generate(dir))
	fresh, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	committed, err := filepath.Glob(filepath.Join(Dir(), "*.json"))
	require.NoError(t, err)
	require.Equal(t, len(fresh), len(committed), "number of vector files; run make vectors")
	for _, name := range fresh {
		want, err := os.ReadFile(name)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(Dir(), filepath.Base(name)))
		require.NoError(t, err, "run make vectors")
		require.True(t, string(want) == string(got), "%s differs from a fresh generation; run make vectors", filepath.Base(name))
	}
}
