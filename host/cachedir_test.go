package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCacheDir: CacheDir resolves the directory as New does — the option,
// else the user cache directory — creates it, and says when there is no
// disk cache: the option off, no user cache directory, a directory that
// cannot be created.
func TestCacheDir(t *testing.T) {
	tmp := t.TempDir()

	dir, err := CacheDir(Options{CacheDir: filepath.Join(tmp, "a", "b")})
	require.NoError(t, err)
	require.Equal(t, filepath.Join(tmp, "a", "b"), dir)
	require.DirExists(t, dir)

	t.Setenv("XDG_CACHE_HOME", filepath.Join(tmp, "xdg")) // os.UserCacheDir on Unix
	t.Setenv("HOME", tmp)
	t.Setenv("LocalAppData", filepath.Join(tmp, "xdg")) // Windows
	base, err := os.UserCacheDir()
	require.NoError(t, err)
	dir, err = CacheDir(Options{})
	require.NoError(t, err)
	require.Equal(t, filepath.Join(base, "licverify", "wazero"), dir)
	require.DirExists(t, dir)

	_, err = CacheDir(Options{CacheDir: filepath.Join(tmp, "c"), NoDiskCache: true})
	require.ErrorContains(t, err, "NoDiskCache")
	require.NoDirExists(t, filepath.Join(tmp, "c"))

	file := filepath.Join(tmp, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	for _, d := range []string{file, filepath.Join(file, "sub")} {
		_, err = CacheDir(Options{CacheDir: d})
		require.ErrorContains(t, err, "compilation cache directory "+d+" cannot be created")
	}

	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	t.Setenv("LocalAppData", "")
	t.Setenv("home", "") // Plan 9
	if _, err := os.UserCacheDir(); err == nil {
		t.Skip("this platform has a user cache directory without $HOME")
	}
	_, err = CacheDir(Options{})
	require.ErrorContains(t, err, "host: no compilation cache directory")
}

// TestNewWithoutDiskCache: a cache directory that cannot be created costs
// speed, not correctness: New keeps the compiled module in memory.
func TestNewWithoutDiskCache(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := CacheDir(Options{CacheDir: file})
	require.Error(t, err)
	v := newVerifier(t, Options{CacheDir: file, MaxInstances: 1})
	resp, err := v.Call(context.Background(), smallRequest)
	require.NoError(t, err)
	require.Contains(t, string(resp), `"valid":true`)
}

// TestCacheResolvedOnce: New decides once whether there is a disk cache.
// A compile that finishes in the background keeps that decision, even when
// the cache directory could be created by then (the file in its way is
// gone): it must not write to a place the Verifier said it would not use.
func TestCacheResolvedOnce(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	v, err := New(context.Background(), Options{CacheDir: file, MaxInstances: 1})
	require.NoError(t, err)
	defer v.Close(context.Background())
	require.NoError(t, os.Remove(file))
	resp, err := v.Call(context.Background(), smallRequest)
	require.NoError(t, err)
	require.Contains(t, string(resp), `"valid":true`)
	require.NoError(t, v.waitCompiled(context.Background()))
	require.NoError(t, v.compileErr)
	require.NoFileExists(t, file)
	require.NoDirExists(t, file)
}
