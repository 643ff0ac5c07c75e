package epochstore

import (
	"github.com/licverify/licverify/internal/fileutil"
)

// The lock every binding's file store takes around a raise (the Go and
// command-line stores here, the npm package's Node store, the Python
// package's EpochStore): the file path+".lock", created exclusively and
// removed when the raise is done (internal/fileutil.TakeLock).
// RATIONALE.md, "One lock file for every epoch store", says why it is not
// flock.
const lockStaleAfter = fileutil.LockStaleAfter

// lockBusy is called each time a lock is found held by someone else,
// before waiting; tests replace it to see a wait happen.
var lockBusy = func(name string) {}

// lockTaken is called once a Raise holds the lock; tests replace it.
var lockTaken = func(name string) {}

// lockFile takes the lock of the epoch file at path, whose directory must
// exist. Errors name the lock file, not path.
func lockFile(path string) (*fileutil.Lock, error) {
	return fileutil.TakeLock(path+".lock", func(name string) { lockBusy(name) })
}
