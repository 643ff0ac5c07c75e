package host

import (
	"context"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
)

// InterpreterLimit is the largest request frame, in bytes, run in the
// interpreter while the module compiles; larger ones wait for the
// compiled module. Status proofs, licenses and .qkey files are far
// smaller; a revocation set would take the interpreter longer than the
// compilation does.
const InterpreterLimit = 256 << 10

// heavyCall is how long a call runs in the interpreter before the
// background compilation starts anyway; a first status proof, with the
// instance's start, takes about half of it.
const heavyCall = 700 * time.Millisecond

// interpreter is wazero's interpreter running the module while it
// compiles. Readying it takes a fraction of a second, against seconds for
// the compiler; a status proof then takes milliseconds instead of
// microseconds, which is what a process that verifies one document on
// its first start wants.
type interpreter struct {
	runtime  wazero.Runtime
	compiled wazero.CompiledModule

	mu      sync.Mutex
	idle    []*instance
	busy    int
	retired bool // the compiled module is ready: no new calls here
	closed  bool
	pinned  bool // Options.interpretOnly
}

func newInterpreter(ctx context.Context, wasm []byte, pages uint32) (*interpreter, error) {
	// Interruptible, so that a call still running when the compiled
	// module is ready can be stopped and run there.
	r, c, err := compileIn(ctx, wazero.NewRuntimeConfigInterpreter().
		WithMemoryLimitPages(pages).
		WithCloseOnContextDone(true), wasm)
	if err != nil {
		return nil, err
	}
	return &interpreter{runtime: r, compiled: c}, nil
}

// callInterpreter runs frame in the interpreter. done is false when the
// compiled module was ready first, or became ready during the call, which
// was then stopped: the caller runs the frame compiled.
func (v *Verifier) callInterpreter(ctx context.Context, frame []byte) (resp []byte, err error, done bool) {
	ip := v.interp
	select {
	case v.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err(), true
	}
	defer func() { <-v.slots }()
	v.mu.Lock()
	closed := v.closed
	v.mu.Unlock()
	if closed {
		return nil, ErrClosed, true
	}
	ip.mu.Lock()
	if ip.retired {
		ip.mu.Unlock()
		return nil, nil, false
	}
	ip.busy++
	if !ip.pinned {
		// Compiling starts when this call is answered, or once it has
		// run long enough to be a heavy one (an encrypted .qkey file's
		// key derivation), which the compiled module will then finish.
		defer v.compileNow()
		defer time.AfterFunc(heavyCall, v.compileNow).Stop()
	}
	var inst *instance
	if n := len(ip.idle); n > 0 {
		inst = ip.idle[n-1]
		ip.idle = ip.idle[:n-1]
	}
	ip.mu.Unlock()
	defer v.interpreterDone()

	// As in the compiled module, the caller's context stops a call only
	// with Options.Interruptible; the compiled module becoming ready
	// always does, and the call is then run there.
	base := context.Background()
	if v.interruptible {
		base = ctx
	}
	cctx, cancel := context.WithCancel(base)
	defer cancel()
	go func() {
		select {
		case <-v.ready:
			if v.compileErr == nil {
				cancel()
			}
		case <-cctx.Done():
		}
	}()
	// stopped reports whether an error came from the compiled module
	// becoming ready rather than from the call itself.
	stopped := func() bool { return base.Err() == nil && v.isReady() && v.compileErr == nil }
	if inst == nil {
		if inst, err = v.instantiateOn(cctx, ip.runtime, ip.compiled); err != nil {
			if stopped() {
				return nil, nil, false
			}
			return nil, err, true
		}
	}
	resp, err = inst.call(cctx, frame)
	if err != nil {
		inst.close(context.Background())
		if stopped() {
			return nil, nil, false
		}
		return nil, err, true
	}
	ip.mu.Lock()
	if !ip.retired {
		ip.idle = append(ip.idle, inst)
		inst = nil
	}
	ip.mu.Unlock()
	if inst != nil {
		inst.close(context.Background())
	}
	return resp, nil, true
}

// interpreterDone ends a call in the interpreter, and closes it when it
// was the last one after retirement.
func (v *Verifier) interpreterDone() {
	ip := v.interp
	ip.mu.Lock()
	ip.busy--
	last := ip.retired && ip.busy == 0 && !ip.closed
	if last {
		ip.closed = true
	}
	ip.mu.Unlock()
	if last {
		ip.runtime.Close(context.Background())
	}
}

// retireInterpreter stops new calls in the interpreter once the compiled
// module is ready, and frees it when no call is running there.
func (v *Verifier) retireInterpreter() {
	ip := v.interp
	if ip == nil {
		return
	}
	ip.mu.Lock()
	ip.retired = true
	idle := ip.idle
	ip.idle = nil
	last := ip.busy == 0 && !ip.closed
	if last {
		ip.closed = true
	}
	ip.mu.Unlock()
	for _, inst := range idle {
		inst.close(context.Background())
	}
	if last {
		ip.runtime.Close(context.Background())
	}
}
