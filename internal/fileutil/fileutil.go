// Package fileutil holds the file writing the command line and the epoch
// store share: a file replaced atomically, and errors that name the file
// the user gave rather than a temporary one beside it.
package fileutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// WriteAtomic replaces name with data through a temporary file (mode 0600)
// in the same directory: written, flushed, closed, renamed over name, and
// the directory flushed, so that a reader or a crash sees the old file or
// the new one, never part of either. rename is os.Rename, or a stand-in a
// test uses to make the last step fail. The temporary file is removed on
// any error. Errors name the step that failed (empty for the write
// itself) and wrap its cause without any path, so that callers name name
// once, never the temporary file; errors.Is still sees the cause.
func WriteAtomic(name string, data []byte, rename func(oldpath, newpath string) error) (err error) {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, filepath.Base(name)+".*.tmp")
	if err != nil {
		return &StepError{Step: "creating a temporary file beside it", Err: Cause(err)}
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return &StepError{Err: Cause(err)}
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return &StepError{Step: "flushing", Err: Cause(err)}
	}
	if err := tmp.Close(); err != nil {
		return &StepError{Err: Cause(err)}
	}
	if err := rename(tmp.Name(), name); err != nil {
		return &StepError{Step: "replacing it", Err: Cause(err)}
	}
	syncDir(dir)
	return nil
}

// StepError is a failed step of WriteAtomic.
type StepError struct {
	Step string // what failed; empty for the write itself
	Err  error
}

func (e *StepError) Error() string {
	if e.Step == "" {
		return e.Err.Error()
	}
	return e.Step + ": " + e.Err.Error()
}

func (e *StepError) Unwrap() error { return e.Err }

// syncDir flushes a directory so that a rename in it survives a crash.
// It is best effort: Windows cannot open a directory for this, and some
// file systems refuse it; the file itself was flushed already.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// Cause strips the path from an *fs.PathError or *os.LinkError, so that a
// message names the file once, and names the file the user gave rather
// than a temporary file beside it. errors.Is still sees the cause
// (fs.ErrPermission, syscall.ENOSPC, ...).
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
