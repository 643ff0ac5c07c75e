//go:build !unix

package host

const openNonblock = 0

// accessible: Windows decides by ACLs, which access(2) does not model;
// the user's own Local AppData is taken to be writable.
func accessible(path string, dir bool) bool { return true }
