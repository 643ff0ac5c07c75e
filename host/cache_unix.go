//go:build unix

package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwned refuses a cache directory or a file in it that is not the
// current user's, or that another user may write: its contents would be
// run as this user's code.
func checkOwned(path string, fi fs.FileInfo) error {
	if uid := owner(fi); uid != os.Getuid() {
		return fmt.Errorf("%s is owned by uid %d, not by this user (uid %d)", path, uid, os.Getuid())
	}
	return checkUnwritable(path, fi)
}

// checkAncestor refuses a directory above the cache directory that someone
// other than this user or root could use to put another directory in the
// cache's place: one owned by another user, or writable by others without
// the sticky bit (/tmp keeps it).
func checkAncestor(path string, fi fs.FileInfo) error {
	if uid := owner(fi); uid != os.Getuid() && uid != 0 {
		return fmt.Errorf("%s is owned by uid %d, neither this user (uid %d) nor root", path, uid, os.Getuid())
	}
	if fi.Mode()&os.ModeSticky != 0 {
		return nil
	}
	return checkUnwritable(path, fi)
}

func checkUnwritable(path string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by others (mode %04o)", path, fi.Mode().Perm())
	}
	return nil
}

// checkSecret refuses a secret others may read: whoever reads it can
// authenticate code of their own.
func checkSecret(path string, fi fs.FileInfo) error {
	if err := checkOwned(path, fi); err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is open to others (mode %04o, want 0600)", path, fi.Mode().Perm())
	}
	return nil
}

func owner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// openNoFollow opens path for reading, refusing a symbolic link in its
// last component.
func openNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link", path)
	}
	return f, err
}
