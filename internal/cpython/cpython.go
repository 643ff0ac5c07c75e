// Package cpython runs CPython's own json module for tests that hold
// licverify's Python form (canonical.Python) to the real producer: one
// interpreter process answers many documents.
//
// The interpreter is the Python test venv's (python/.venv/bin/python)
// where it exists, otherwise python3 on PATH. Where neither exists the
// tests skip and say so, except under CI=true, where they fail.
package cpython

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// script reads one base64 line a document and answers one line:
// "ok <b64 of dumps(doc)> <b64 of dumps(doc minus top-level signature)>",
// or "err <why>" when json.loads refuses it.
const script = `
import base64, json, sys
def dumps(v):
    return json.dumps(v, sort_keys=True, separators=(',', ':')).encode('ascii')
for line in sys.stdin:
    try:
        v = json.loads(base64.b64decode(line).decode('utf-8'))
    except Exception as e:
        print('err', repr(e).replace('\n', ' '), flush=True)
        continue
    s = {k: x for k, x in v.items() if k != 'signature'} if isinstance(v, dict) else v
    print('ok', base64.b64encode(dumps(v)).decode(), base64.b64encode(dumps(s)).decode(), flush=True)
`

// Interpreter returns the path of a CPython interpreter, or skips the test
// (fails it under CI=true) when there is none.
func Interpreter(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	venv := filepath.Join(filepath.Dir(file), "..", "..", "python", ".venv", "bin", "python")
	if _, err := os.Stat(venv); err == nil {
		return venv
	}
	if p, err := exec.LookPath("python3"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no CPython interpreter (python/.venv or python3): CI must have one")
	}
	t.Skip("no CPython interpreter (python/.venv or python3); skipping the comparison with json.dumps")
	return ""
}

// Dumper is a running CPython that serializes documents with
// json.dumps(v, sort_keys=True, separators=(',', ':')).
type Dumper struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// Start starts one interpreter for the test (or fuzz worker); it is
// stopped when the test ends.
func Start(t testing.TB) *Dumper {
	t.Helper()
	cmd := exec.Command(Interpreter(t), "-c", script)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &Dumper{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	t.Cleanup(d.Close)
	return d
}

// Dumps returns json.dumps of the value doc holds, and of that value less
// its top-level "signature" member (the same when doc is not an object).
// err is json.loads's refusal.
func (d *Dumper) Dumps(doc []byte) (full, signed []byte, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := fmt.Fprintln(d.in, base64.StdEncoding.EncodeToString(doc)); err != nil {
		return nil, nil, err
	}
	line, err := d.out.ReadString('\n')
	if err != nil {
		return nil, nil, fmt.Errorf("cpython: %v", err)
	}
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "ok" || len(f) != 3 {
		return nil, nil, fmt.Errorf("cpython: %s", strings.TrimSpace(line))
	}
	if full, err = base64.StdEncoding.DecodeString(f[1]); err != nil {
		return nil, nil, err
	}
	signed, err = base64.StdEncoding.DecodeString(f[2])
	return full, signed, err
}

// Close stops the interpreter.
func (d *Dumper) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.in != nil {
		d.in.Close()
		_ = d.cmd.Wait()
		d.in = nil
	}
}
