package host

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"time"
)

// osMachine is qmMachine over this machine.
type osMachine struct{ goos string }

func (m osMachine) platform() string { return nodePlatform(m.goos) }

func (osMachine) getenv(key string) (string, bool) { return os.LookupEnv(key) }

func (osMachine) stat(path string) qmStat {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return qmStat{}
	case err != nil:
		return qmStat{Kind: "error"}
	case fi.IsDir():
		return qmStat{Kind: "dir", Writable: accessible(path, true)}
	case fi.Mode().IsRegular():
		return qmStat{Kind: "file", Exec: accessible(path, false)}
	}
	return qmStat{Kind: "other"}
}

func (osMachine) read(path string, limit int) qmFile {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return qmFile{kind: "missing"}
	} else if err != nil {
		return qmFile{kind: "error"}
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return qmFile{kind: "error"}
	case fi.IsDir():
		return qmFile{kind: "dir"}
	case !fi.Mode().IsRegular():
		return qmFile{kind: "other"}
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	switch {
	case err != nil:
		return qmFile{kind: "error"}
	case len(data) > limit:
		return qmFile{kind: "large"}
	}
	return qmFile{kind: "ok", data: data}
}

func (osMachine) run(path, name string, args ...string) qmRun {
	ctx, cancel := context.WithTimeout(context.Background(), qmTimeout*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Args[0] = name // as subprocess passes it
	// A child it left holding the output open must not hold this past
	// the timeout.
	cmd.WaitDelay = time.Second
	out := &cappedBuffer{limit: qmOutputLimit}
	cmd.Stdout = out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil, errors.Is(err, exec.ErrWaitDelay):
		return qmRun{Timeout: true}
	case out.over:
		return qmRun{Large: true}
	case errors.As(err, &exit):
		return qmRun{Exit: exit.ExitCode(), Stdout: string(out.b)}
	case err != nil:
		return qmRun{Failed: true}
	}
	return qmRun{Stdout: string(out.b)}
}

// cappedBuffer keeps the first limit bytes written and notes more; it
// never fails a write, so that the program is not stopped by a broken
// pipe before it exits.
type cappedBuffer struct {
	b     []byte
	limit int
	over  bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.limit - len(c.b); len(p) > room {
		c.over = true
		p = p[:max(room, 0)]
	}
	c.b = append(c.b, p...)
	return len(p), nil
}
