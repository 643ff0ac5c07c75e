//go:build unix

package host

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// openNonblock keeps an open of a FIFO from waiting for a writer.
const openNonblock = syscall.O_NONBLOCK

// accessible is access(2) with W_OK|X_OK for a directory (entries may be
// added), X_OK for a file.
func accessible(path string, dir bool) bool {
	mode := uint32(unix.X_OK)
	if dir {
		mode |= unix.W_OK
	}
	return unix.Access(path, mode) == nil
}
