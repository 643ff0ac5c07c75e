package host

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// instance is one instantiation of the module. Its exports are not safe
// for concurrent use (the Go runtime inside is single-threaded and keeps
// state between calls), so the pool lends it to one goroutine at a time.
type instance struct {
	mod               api.Module
	alloc, free, exec api.Function
	stderr            *capped
}

// enter counts a call into the module, or returns ErrClosed once Close
// has begun; each enter that succeeds is paired with a leave. Close waits
// for the count to fall to zero before it frees any memory a call could
// be using.
func (v *Verifier) enter() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return ErrClosed
	}
	v.active++
	return nil
}

// leave ends a call that enter counted.
func (v *Verifier) leave() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.active--
	if v.closed && v.active == 0 {
		close(v.drained)
	}
}

// inFlight returns the number of calls in the module.
func (v *Verifier) inFlight() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.active
}

// get borrows an idle instance or creates one, waiting for a slot when
// MaxInstances are busy.
func (v *Verifier) get(ctx context.Context) (*instance, error) {
	select {
	case v.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		<-v.slots
		return nil, ErrClosed
	}
	if n := len(v.idle); n > 0 {
		inst := v.idle[n-1]
		v.idle = v.idle[:n-1]
		v.mu.Unlock()
		return inst, nil
	}
	v.mu.Unlock()
	inst, err := v.instantiate(ctx)
	if err != nil {
		<-v.slots
		return nil, err
	}
	return inst, nil
}

// put returns an instance to the pool, or discards it when it failed: an
// instance that trapped or reported an internal error may hold broken
// state, so it is never reused.
func (v *Verifier) put(inst *instance, healthy bool) {
	v.mu.Lock()
	if healthy && !v.closed {
		v.idle = append(v.idle, inst)
		v.mu.Unlock()
	} else {
		v.mu.Unlock()
		inst.close(context.Background())
	}
	<-v.slots
}

// instantiate creates an instance. wazero runs _initialize, the reactor's
// one-time initialization, as the start function; it is never run again
// (the Go runtime cannot be initialized twice).
func (v *Verifier) instantiate(ctx context.Context) (*instance, error) {
	if err := v.waitCompiled(ctx); err != nil {
		return nil, err
	}
	if v.runtime == nil {
		// Close began without a disk cache, and nothing was compiled.
		return nil, ErrClosed
	}
	return v.instantiateOn(ctx, v.runtime, v.compiled)
}

// instantiateOn creates an instance of compiled in r: the compiled
// module, or the interpreter's.
func (v *Verifier) instantiateOn(ctx context.Context, r wazero.Runtime, compiled wazero.CompiledModule) (*instance, error) {
	stderr := &capped{max: 8 << 10}
	ctx = experimental.WithMemoryAllocator(ctx, v.alloc)
	mod, err := r.InstantiateModule(ctx, compiled, v.config.WithStderr(stderr).WithStdout(stderr))
	if err != nil {
		return nil, &ModuleError{Reason: "instantiate: " + err.Error(), Stderr: stderr.String(), Err: err}
	}
	inst := &instance{
		mod:    mod,
		alloc:  mod.ExportedFunction("alloc"),
		free:   mod.ExportedFunction("free"),
		exec:   mod.ExportedFunction("call"),
		stderr: stderr,
	}
	if inst.alloc == nil || inst.free == nil || inst.exec == nil || mod.Memory() == nil {
		mod.Close(ctx)
		return nil, &ModuleError{Reason: "the module lacks the alloc, free and call exports or its memory"}
	}
	// A module of another ABI version reads requests differently (version
	// 1 took one JSON object): refuse it rather than send it frames.
	if err := checkABIVersion(ctx, mod); err != nil {
		mod.Close(ctx)
		return nil, err
	}
	return inst, nil
}

func checkABIVersion(ctx context.Context, mod api.Module) error {
	f := mod.ExportedFunction("abi_version")
	if f == nil {
		return &ModuleError{Reason: fmt.Sprintf("the module has no abi_version export; this host speaks ABI version %d", abiVersion)}
	}
	res, err := f.Call(ctx)
	if err != nil {
		return &ModuleError{Reason: "abi_version: " + err.Error(), Err: err}
	}
	if got := int32(res[0]); got != abiVersion {
		return &ModuleError{Reason: fmt.Sprintf("the module speaks ABI version %d, this host version %d: use the licverify.wasm built with this host (make wasm)", got, abiVersion)}
	}
	return nil
}

// adopt takes an instance created outside the pool (a closed
// RevocationSet's) as an idle one when the pool has room, and closes it
// otherwise: idle and busy instances together stay within MaxInstances.
func (v *Verifier) adopt(inst *instance) {
	v.mu.Lock()
	if !v.closed && len(v.idle)+len(v.slots) < cap(v.slots) {
		v.idle = append(v.idle, inst)
		v.mu.Unlock()
		return
	}
	v.mu.Unlock()
	inst.close(context.Background())
}

func (inst *instance) close(ctx context.Context) { inst.mod.Close(ctx) }

// internalPrefix starts the response of a call that failed inside the
// module (a recovered panic): the instance must be discarded.
var internalPrefix = []byte(`{"error":"internal: `)

// call runs one request. A non-nil error means the instance must be
// discarded.
func (inst *instance) call(ctx context.Context, req []byte) ([]byte, error) {
	fail := func(reason string, err error) error {
		return &ModuleError{Reason: reason, Stderr: inst.stderr.String(), Err: err}
	}
	res, err := inst.alloc.Call(ctx, uint64(len(req)))
	if err != nil {
		return nil, fail("alloc: "+err.Error(), err)
	}
	ptr := uint32(res[0])
	if ptr == 0 {
		return nil, fail(fmt.Sprintf("alloc(%d) failed", len(req)), nil)
	}
	mem := inst.mod.Memory()
	if !mem.Write(ptr, req) {
		return nil, fail("alloc returned a buffer outside memory", nil)
	}
	res, err = inst.exec.Call(ctx, uint64(ptr), uint64(len(req)))
	if err != nil {
		return nil, fail("call: "+err.Error(), err)
	}
	if _, err := inst.free.Call(ctx, uint64(ptr)); err != nil {
		return nil, fail("free: "+err.Error(), err)
	}
	rp, rn := uint32(res[0]>>32), uint32(res[0])
	view, ok := mem.Read(rp, rn)
	if !ok {
		return nil, fail("call returned a response outside memory", nil)
	}
	// The view aliases linear memory, which the next call reuses.
	resp := bytes.Clone(view)
	if _, err := inst.free.Call(ctx, uint64(rp)); err != nil {
		return nil, fail("free: "+err.Error(), err)
	}
	if bytes.HasPrefix(resp, internalPrefix) {
		return nil, fail(string(resp), nil)
	}
	return resp, nil
}

// capped is an io.Writer keeping the first max bytes written to it: a Go
// runtime's crash text starts with what matters.
type capped struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// MemoryBytes returns the size, in bytes, of the largest linear memory
// among the Verifier's idle instances, or 0 when none is idle. A module's
// memory only grows: this is the high-water mark of the calls each idle
// instance has served, which an operator can hold against
// [Options.MemoryLimit] (docs/formats.md states the bound per input).
func (v *Verifier) MemoryBytes() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	var most uint64
	for _, inst := range v.idle {
		if m := inst.mod.Memory(); m != nil {
			// In pages: Size wraps to 0 at 4 GiB.
			pages, _ := m.Grow(0)
			most = max(most, uint64(pages)*65536)
		}
	}
	return most
}
