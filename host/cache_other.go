//go:build !unix

package host

import (
	"fmt"
	"io/fs"
	"os"
)

// Without Unix owners and modes the directory is trusted as the user's
// profile protects it (Windows keeps the user cache directory private);
// entries are still authenticated before they are loaded.

func checkOwned(string, fs.FileInfo) error    { return nil }
func checkAncestor(string, fs.FileInfo) error { return nil }
func checkSecret(string, fs.FileInfo) error   { return nil }

// openNoFollow opens path for reading, refusing a symbolic link.
func openNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link", path)
	}
	return os.Open(path)
}
