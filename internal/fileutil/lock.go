package fileutil

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
)

// The lock every binding's file store takes (the epoch stores of Go, the
// command line, the npm package's Node store and the Python package, and
// the sessions' session.lock): a file created exclusively and removed when
// the work is done. RATIONALE.md, "One lock file for every epoch store",
// says why it is not flock.
const (
	// LockStaleAfter is the age of a lock file (by its modification time)
	// after which its holder is taken to have died: a holder keeps it for
	// a few reads and small writes.
	LockStaleAfter = 10 * time.Second
	// LockGiveUpAfter bounds a wait for the lock. A lock left by a dead
	// holder goes stale before then; a lock taken again and again for
	// this long is an error, never a write skipped.
	LockGiveUpAfter = 30 * time.Second
	// lockPollMax is the longest pause between two tries.
	lockPollMax = 50 * time.Millisecond
)

// A Lock is a held lock file.
type Lock struct {
	name string // the lock file
	text []byte // what this holder wrote in it: no one else writes the same
}

// TakeLock takes the lock file name, whose directory must exist. Creating
// it exclusively (O_EXCL, CREATE_NEW on Windows) never follows a symbolic
// link planted at its name: an existing name of any kind is "held". A lock
// file older than [LockStaleAfter] is removed as its holder's leftover;
// after [LockGiveUpAfter] of waiting TakeLock gives up. busy, when not
// nil, is called each time the lock is found held, before waiting. Errors
// name the lock file.
func TakeLock(name string, busy func(name string)) (*Lock, error) {
	token := make([]byte, 16)
	_, _ = rand.Read(token) // never fails (crypto/rand)
	l := &Lock{
		name: name,
		text: fmt.Appendf(nil, "{\"pid\":%d,\"token\":%q}\n", os.Getpid(), hex.EncodeToString(token)),
	}
	giveUp := time.Now().Add(LockGiveUpAfter)
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
				return nil, fmt.Errorf("writing %s: %w", name, Cause(err))
			}
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("creating %s: %w", name, Cause(err))
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
		if age := time.Since(fi.ModTime()); age > LockStaleAfter || age < -LockStaleAfter {
			breakStale(name, fi)
			continue
		}
		if time.Now().After(giveUp) {
			return nil, fmt.Errorf("%s stayed held for %v; remove it if no process is using it", name, LockGiveUpAfter)
		}
		if busy != nil {
			busy(name)
		}
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

// Name returns the lock file's path.
func (l *Lock) Name() string { return l.name }

// Held returns nil when the lock file is still the one l wrote: a holder
// slower than LockStaleAfter may have lost it to a process that took it
// for stale, and must then not write.
func (l *Lock) Held() error {
	data, err := os.ReadFile(l.name)
	if err == nil && bytes.Equal(data, l.text) {
		return nil
	}
	return fmt.Errorf("its lock %s was taken over, held longer than %v", l.name, LockStaleAfter)
}

// Release removes the lock file, if it is still l's.
func (l *Lock) Release() {
	if data, err := os.ReadFile(l.name); err == nil && bytes.Equal(data, l.text) {
		_ = os.Remove(l.name)
	}
}
