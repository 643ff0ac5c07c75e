package epochstore

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	mathrand "math/rand/v2"
	"os"
	"time"

	"github.com/licverify/licverify/internal/fileutil"
)

// The lock every binding's file store takes around a raise (the Go and
// command-line stores here, the npm package's Node store, the Python
// package's EpochStore): the file path+".lock", created exclusively and
// removed when the raise is done. RATIONALE.md, "One lock file for every
// epoch store", says why it is not flock.
const (
	// lockStaleAfter is the age of a lock file (by its modification time)
	// after which its holder is taken to have died: a raise holds the
	// lock for one read and one small write.
	lockStaleAfter = 10 * time.Second
	// lockGiveUpAfter bounds a wait for the lock. A lock left by a dead
	// holder goes stale before then; a lock taken again and again for
	// this long is an error, never a raise skipped.
	lockGiveUpAfter = 30 * time.Second
	// lockPollMax is the longest pause between two tries.
	lockPollMax = 50 * time.Millisecond
)

// lockBusy is called each time a lock is found held by someone else,
// before waiting; tests replace it to see a wait happen.
var lockBusy = func(name string) {}

// lockTaken is called once a Raise holds the lock; tests replace it.
var lockTaken = func(name string) {}

// A fileLock is a held lock file.
type fileLock struct {
	name string // the epoch file's path + ".lock"
	text []byte // what this holder wrote in it: no one else writes the same
}

// lockFile takes the lock of the epoch file at path, whose directory must
// exist. Creating the lock file exclusively (O_EXCL, CREATE_NEW on
// Windows) never follows a symbolic link planted at its name: an existing
// name of any kind is "held". Errors name the lock file, not path.
func lockFile(path string) (*fileLock, error) {
	name := path + ".lock"
	token := make([]byte, 16)
	_, _ = rand.Read(token) // never fails (crypto/rand)
	l := &fileLock{
		name: name,
		text: fmt.Appendf(nil, "{\"pid\":%d,\"token\":%q}\n", os.Getpid(), hex.EncodeToString(token)),
	}
	giveUp := time.Now().Add(lockGiveUpAfter)
	pause := time.Millisecond
	for {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, err = f.Write(l.text)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				_ = os.Remove(name)
				return nil, fmt.Errorf("writing %s: %w", name, fileutil.Cause(err))
			}
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("creating %s: %w", name, fileutil.Cause(err))
		}

		fi, err := os.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released in between
		}
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file; remove it", name)
		}
		if age := time.Since(fi.ModTime()); age > lockStaleAfter || age < -lockStaleAfter {
			breakStale(name, fi)
			continue
		}
		if time.Now().After(giveUp) {
			return nil, fmt.Errorf("%s stayed held for %v; remove it if no process is raising an epoch", name, lockGiveUpAfter)
		}
		lockBusy(name)
		time.Sleep(pause/2 + mathrand.N(pause/2+1))
		pause = min(2*pause, lockPollMax)
	}
}

// breakStale removes the stale lock file seen, unless it was replaced
// since: the one that replaced it is fresh.
func breakStale(name string, seen fs.FileInfo) {
	fi, err := os.Lstat(name)
	if err == nil && os.SameFile(fi, seen) && fi.ModTime().Equal(seen.ModTime()) {
		_ = os.Remove(name)
	}
}

// held returns nil when the lock file is still the one l wrote: a holder
// slower than lockStaleAfter may have lost it to a process that took it
// for stale, and must then not write.
func (l *fileLock) held() error {
	data, err := os.ReadFile(l.name)
	if err == nil && bytes.Equal(data, l.text) {
		return nil
	}
	return fmt.Errorf("its lock %s was taken over, held longer than %v", l.name, lockStaleAfter)
}

// release removes the lock file, if it is still l's.
func (l *fileLock) release() {
	if data, err := os.ReadFile(l.name); err == nil && bytes.Equal(data, l.text) {
		_ = os.Remove(l.name)
	}
}
