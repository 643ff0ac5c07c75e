// Package host runs the licverify WebAssembly module in Go, over wazero, so
// that a Go program gets the answer every other runtime gets from the same
// .wasm: a browser, Node, Python, or any WASI host.
//
// Package verify gives the same answers natively, with no start-up and
// several times faster (a status proof in about 0.12 ms against 1 ms
// here). Use host when the answer must be the module's own, byte for byte,
// or to embed the module as every other runtime does. The first process on
// a machine answers its first call in under a second, in wazero's
// interpreter, while the module compiles (seconds) into the disk cache;
// later processes load it from there in about 0.12 s (bench/results.md has
// the current figures).
//
// For most use cases, create one [Verifier] per process with [New] and call
// its typed methods ([Verifier.Canonicalize], [Verifier.Fingerprint], …),
// which return the same values as the functions of package verify. A
// Verifier is safe for concurrent use: each call borrows an instance of the
// module from a pool, and an instance is used by one goroutine at a time.
// [Verifier.Close] may run while calls are in flight: it waits for them,
// and afterwards every call, and every [RevocationSet] the Verifier
// loaded, returns [ErrClosed].
// [Verifier.Call] is the raw request/response codec described in
// wasm/ABI.md: a request frame in, a JSON response out.
//
// # Compilation
//
// Compiling the module to machine code takes seconds, so a compiled module
// is cached on disk (by default under os.UserCacheDir()/licverify/wazero)
// and in memory for the life of the process: the first Verifier of a
// process is fast when an earlier process compiled the module, and every
// further Verifier is fast. [CacheDir] tells whether the disk cache is in
// use, and if not, why.
//
// The disk cache holds machine code that the next process runs as it is,
// so it is used only when no one but the current user can change it:
//
//   - The directory must belong to the current user and be writable by
//     no one else, and every directory above it must belong to the
//     current user or root and be writable by no one else unless it is
//     sticky (as /tmp is). A directory that fails is refused: New keeps
//     compiled code in memory only, and [CacheDir] returns a
//     [*CacheError] saying which directory failed and why. This holds
//     for the default directory too: root running with another user's
//     HOME (sudo keeping it) is refused a cache in that home, and creates
//     nothing there.
//   - Each entry is authenticated before it is loaded: an HMAC-SHA256
//     under a 32-byte secret kept beside the entries (licverify-cache.key,
//     created with mode 0600). An entry that fails its MAC, belongs to
//     another user, may be written by others or is a symbolic link is a
//     miss, never code: the module is compiled again and the entry
//     rewritten. Files are written by renaming a new file into place, so
//     a planted symbolic link is replaced, never followed.
//   - wazero itself never reads the directory: a verified entry is copied
//     into a new private directory inside it for the one compile that
//     loads it.
//
// On systems without Unix owners and modes (Windows) only the MAC is
// checked; the user's profile keeps the default directory private.
//
// When the module has not been compiled yet, [New] does not wait for it:
// it readies wazero's interpreter (a fraction of a second) and compiles in
// the background. Calls of [Verifier.Call] and the typed methods run in
// the interpreter until the compiled module is ready; one still running
// then is stopped and run again compiled, so no call waits longer than the
// compilation plus its own compiled run. Large requests (over
// [InterpreterLimit]) and loaded revocation sets wait for the compiled
// module. With a disk cache, [Verifier.Close] waits for the compilation
// to finish, so that the next process finds it there (a command-line tool
// prints its answer first, and exits seconds later); without one, Close
// drops it. [Options.WaitForCompile] turns all this off.
//
// # Machine identifiers
//
// [CollectFingerprint] reads this machine's fingerprint components, as the
// npm and Python packages do. [CollectQuantumMetaMachineID] is apart, asked
// for by name only: the machine id QuantumMeta's get_machine_id() gives
// here, the id a .qkey is bound to, read from QuantumMeta's cache file (which
// any process of the user can write) or computed where every input is
// reproducible, or the reason it is unavailable; it is never a fingerprint
// component.
//
// # Sessions
//
// A [Session] keeps a license's status proof and revocation set fresh in
// a store directory and answers offline first ([Session.Check]): every
// decision — what holds, what to fetch and when, whether a fetched
// document replaces the cached one, which epoch to store — is the
// module's plan and accept ops ([Verifier.Plan], [Verifier.Accept]); the
// session reads and writes the store, fetches through a [Transport]
// ([HTTPTransport] speaks the seeds' API) and keeps time.
// [Session.Start] checks again in the background at each NextAt.
// docs/lifecycle.md is the contract every runtime's session follows; the
// store's files are untrusted (bounded, never followed through a symbolic
// link, verified again at each check), and sessions of several processes
// may share one store.
//
// # Failures
//
// A verification that fails is a result with Valid false, not an error.
// Errors are for misuse ([verify.ErrMisuse], wrapped by [*RequestError])
// and for the module failing ([*ModuleError]: a trap, an exit, a context
// cancelled mid-call); the instance involved is discarded and the next
// call gets a fresh one.
package host

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
)

// module is the licverify module, built reproducibly by `make wasm`.
//
//go:embed licverify.wasm
var module []byte

// Module returns a copy of the embedded licverify.wasm, for hosts that
// serve it to another runtime (a browser, a worker).
func Module() []byte { return bytes.Clone(module) }

// abiVersion is the module ABI this host speaks; every instance must
// answer it from abi_version.
const abiVersion = api.ABIVersion

// DefaultMemoryLimit bounds an instance's linear memory unless
// [Options.MemoryLimit] says otherwise: enough to verify a revocation set
// at the specification's 64 MiB input limit.
const DefaultMemoryLimit = 2 << 30

// Options configures a [Verifier]. The zero value is ready to use.
type Options struct {
	// CacheDir is the directory of the on-disk compilation cache. Empty
	// means os.UserCacheDir()/licverify/wazero (or no disk cache when
	// there is no user cache directory). It must be the current user's
	// and writable by no one else (see "Compilation" in the package
	// documentation); [CacheDir] tells whether New will use it, and if
	// not, why.
	CacheDir string
	// NoDiskCache keeps compiled code in memory only.
	NoDiskCache bool
	// MemoryLimit bounds each instance's linear memory, in bytes, rounded
	// down to 64 KiB pages; 0 means [DefaultMemoryLimit]. A call that needs
	// more fails with a [*ModuleError].
	MemoryLimit uint64
	// MaxInstances bounds the instances alive at once, and so the calls
	// running at once; further callers wait. 0 means runtime.GOMAXPROCS(0).
	MaxInstances int
	// WaitForCompile makes New compile the module (or load it from the
	// cache) before it returns, and every call run compiled, instead of
	// answering the first calls in the interpreter while it compiles.
	WaitForCompile bool
	// Interruptible makes a context that ends mid-call stop the call (the
	// instance is then discarded). It costs: wazero checks for it at every
	// loop and call inside the module, which makes small verifications
	// several times slower. Without it, the context only bounds the wait
	// for a free instance; a call's time is bounded by the input limits.
	Interruptible bool

	// interpretOnly (tests) runs every call that fits in the interpreter
	// there, compiling only for one that does not, or at Close.
	interpretOnly bool
	// wasm replaces the embedded module (tests run a variant with hooks).
	wasm []byte
}

// Verifier runs the module. Create one with [New]; it is safe for
// concurrent use, and Close releases it.
type Verifier struct {
	// runtime and compiled are set, or compileErr, before ready is
	// closed.
	runtime    wazero.Runtime
	compiled   wazero.CompiledModule
	compileErr error
	ready      chan struct{}
	// interp runs calls until the compiled module is ready (for good if
	// compiling failed); nil when New compiled.
	interp *interpreter
	// compileNow starts the background compilation (once).
	compileNow func()
	// interruptible is Options.Interruptible.
	interruptible bool
	// diskCache is whether compiled code goes to a disk cache, which
	// makes finishing a background compile worth waiting for in Close.
	diskCache bool
	config    wazero.ModuleConfig
	alloc     allocator

	slots chan struct{} // one token per instance that may exist

	mu     sync.Mutex
	idle   []*instance
	closed bool
	// active counts the calls in the module (enter, leave); drained,
	// made by Close, is closed once none is left.
	active  int
	drained chan struct{}

	// sent, when set (by tests), sees every frame the typed methods send.
	sent func(frame []byte)
}

// ErrClosed is returned by calls on a closed [Verifier].
var ErrClosed = errors.New("host: verifier is closed")

// RequestError is a request the module refused ({"error": "..."}): an
// unknown op, a missing or mistyped member, no keys. It wraps
// [verify.ErrMisuse], as the native API's misuse errors do.
type RequestError struct{ Message string }

func (e *RequestError) Error() string { return "host: " + e.Message }

// Unwrap returns [verify.ErrMisuse].
func (e *RequestError) Unwrap() error { return verify.ErrMisuse }

// ModuleError is the module failing rather than answering: a trap, an
// exit of the Go runtime inside it (out of memory, a fatal error), an
// internal error it reported, the context ending mid-call, or a module
// whose abi_version is not the one this host speaks. The instance
// is discarded; the Verifier stays usable.
type ModuleError struct {
	// Reason says what happened.
	Reason string
	// Stderr is what the module wrote to standard error before it failed
	// (a Go runtime's crash text), truncated; often empty.
	Stderr string
	// Err is the underlying wazero error, if any.
	Err error
}

func (e *ModuleError) Error() string {
	s := "host: module failed: " + e.Reason
	if e.Stderr != "" {
		s += ": " + firstLine(e.Stderr)
	}
	return s
}

func (e *ModuleError) Unwrap() error { return e.Err }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// CacheDir returns the directory of the on-disk compilation cache that
// [New] uses with opts: opts.CacheDir, or os.UserCacheDir()/licverify/wazero
// when that is empty. Like New, it creates what is missing of the
// directory (mode 0700) and checks it. It returns an error when New would
// have no disk cache and would keep compiled code in memory only, so that
// every process compiles the module again (seconds rather than
// milliseconds): opts.NoDiskCache is set, there is no user cache
// directory (os.UserCacheDir fails, e.g. without $HOME), or a
// [*CacheError]: the directory cannot be created, or it is refused
// because code others could have changed would be run (see
// "Compilation" in the package documentation). A command-line tool can call it to tell its user why each
// start is slow.
func CacheDir(opts Options) (string, error) {
	dir, _, err := diskStore(opts)
	return dir, err
}

// diskStore resolves opts to the directory of the on-disk compilation
// cache and opens it, or says why there is none.
func diskStore(opts Options) (string, *store, error) {
	if opts.NoDiskCache {
		return "", nil, errors.New("host: no compilation cache directory: Options.NoDiskCache is set")
	}
	dir := opts.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", nil, fmt.Errorf("host: no compilation cache directory: %w", err)
		}
		dir = filepath.Join(base, "licverify", "wazero")
	}
	st, err := openStore(dir)
	if err != nil {
		return "", nil, err
	}
	return dir, st, nil
}

// New compiles the module (or loads it from the compilation cache) and
// returns a Verifier. Instances are created on demand.
func New(ctx context.Context, opts Options) (*Verifier, error) {
	limit := opts.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit
	}
	pages := limit / 65536
	if pages == 0 || pages > 65536 {
		return nil, fmt.Errorf("%w: host: memory limit %d is not between 64 KiB and 4 GiB", verify.ErrMisuse, opts.MemoryLimit)
	}
	n := opts.MaxInstances
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	wasm := module
	if opts.wasm != nil {
		wasm = opts.wasm
	}
	v := &Verifier{
		ready:         make(chan struct{}),
		interruptible: opts.Interruptible,
		// No file system, environment or arguments. The wall clock is
		// wazero's fake one, stuck near 2022-01-01: the module takes "now"
		// from each request and must never read a clock for a decision,
		// and a wrong clock makes any slip show in the vectors. The
		// monotonic clock is real, for the Go runtime's own pacing.
		// Randomness is real so that map hash seeds are unpredictable.
		config: wazero.NewModuleConfig().
			WithName("").
			WithStartFunctions("_initialize").
			WithSysNanotime().
			WithRandSource(rand.Reader),
		alloc: newAllocator(),
		slots: make(chan struct{}, n),
	}
	// Resolved once: a background compile must not create a directory
	// that was a file when New looked, nor use one refused then.
	_, st, _ := diskStore(opts)
	cache := newCodeCache(st, wasm, opts.Interruptible)
	v.diskCache = st != nil
	rc := wazero.NewRuntimeConfig().
		WithMemoryLimitPages(uint32(pages)).
		WithCloseOnContextDone(opts.Interruptible)
	// Compiling is quick when this process or the disk cache has the
	// module; the staged entry is then loaded, not read again.
	var staged *staged
	warm := false
	if !opts.interpretOnly {
		if warm = cache.inMemory(); !warm {
			staged = cache.stage()
			warm = staged != nil && staged.file != ""
		}
	}
	if opts.WaitForCompile || warm {
		r, compiled, err := cache.compile(ctx, rc, wasm, staged)
		if err != nil {
			return nil, fmt.Errorf("host: compile: %w", err)
		}
		v.runtime, v.compiled = r, compiled
		close(v.ready)
		return v, nil
	}
	if staged != nil {
		staged.remove() // a miss; the background compile stages again
	}
	ip, err := newInterpreter(ctx, wasm, uint32(pages))
	if err != nil {
		return nil, fmt.Errorf("host: compile: %w", err)
	}
	v.interp = ip
	v.compileNow = sync.OnceFunc(func() {
		v.mu.Lock()
		moot := v.closed && !v.diskCache
		if moot {
			close(v.ready)
		}
		v.mu.Unlock()
		if moot {
			return
		}
		go func() {
			r, compiled, err := cache.compile(context.Background(), rc, wasm, nil)
			v.mu.Lock()
			if v.closed && !v.diskCache && r != nil {
				// Close did not wait (nothing would keep the result):
				// free it here.
				r.Close(context.Background())
				r, compiled = nil, nil
			}
			v.runtime, v.compiled, v.compileErr = r, compiled, err
			close(v.ready)
			v.mu.Unlock()
			// Without a compiled module, small calls stay in the
			// interpreter; larger ones get the error.
			if err == nil {
				v.retireInterpreter()
			}
		}()
	})
	// On a machine of few cores, compiling alongside the first call slows
	// it: compiling starts when that call is answered or turns out heavy
	// (callInterpreter), at once for a call that needs the compiled module
	// (waitCompiled), or after a moment anyway.
	if opts.interpretOnly {
		v.interp.pinned = true
	} else {
		time.AfterFunc(compileDelay, v.compileNow)
	}
	return v, nil
}

// compileDelay is the longest New's background compilation waits for the
// first call to be answered.
const compileDelay = 2 * time.Second

func compileIn(ctx context.Context, rc wazero.RuntimeConfig, wasm []byte) (wazero.Runtime, wazero.CompiledModule, error) {
	r := wazero.NewRuntimeWithConfig(ctx, rc)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
		r.Close(ctx)
		return nil, nil, fmt.Errorf("wasi: %w", err)
	}
	c, err := r.CompileModule(ctx, wasm)
	if err != nil {
		r.Close(ctx)
		return nil, nil, err
	}
	return r, c, nil
}

// isReady reports whether the compiled module is ready (or failed).
func (v *Verifier) isReady() bool {
	select {
	case <-v.ready:
		return true
	default:
		return false
	}
}

// waitCompiled waits for the background compilation, if any.
func (v *Verifier) waitCompiled(ctx context.Context) error {
	if v.compileNow != nil {
		v.compileNow()
	}
	select {
	case <-v.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	if v.compileErr != nil {
		return fmt.Errorf("host: compile: %w", v.compileErr)
	}
	return nil
}

// Call sends one request frame (wasm/ABI.md: "LVR2", a JSON header of
// options, then the documents as raw byte parts) to the module and returns
// its response: a result object, or {"error": "..."} for a request it
// refuses. The typed methods build their frames themselves; Call is for
// hosts that build their own. The error is non-nil only when the module failed ([*ModuleError]), the
// context ended before an instance was free, or the Verifier is closed.
func (v *Verifier) Call(ctx context.Context, frame []byte) ([]byte, error) {
	if resp := oversized(frame); resp != nil {
		return resp, nil
	}
	if err := v.enter(); err != nil {
		return nil, err
	}
	defer v.leave()
	if v.interp != nil && len(frame) <= InterpreterLimit && (!v.isReady() || v.compileErr != nil) {
		if resp, err, done := v.callInterpreter(ctx, frame); done {
			return resp, err
		}
	}
	inst, err := v.get(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := inst.call(ctx, frame)
	v.put(inst, err == nil)
	return resp, err
}

// oversized returns the module's answer to a frame larger than any
// request, or nil for a frame of an acceptable size. The module's alloc
// refuses a buffer that large, so the frame cannot be handed to it; the
// answer is the bad request its codec gives for that size, so that a
// caller sees the same response from every runtime.
func oversized(frame []byte) []byte {
	if len(frame) <= api.MaxRequest {
		return nil
	}
	msg := (&api.RequestError{Message: fmt.Sprintf("request is %d bytes, limit is %d", len(frame), api.MaxRequest)}).Error()
	resp, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	return resp
}

// Close releases the module, every instance and every loaded
// [RevocationSet]. Calls running in the module are finished first; calls
// that begin after Close, and every use of a loaded set, return
// [ErrClosed]. If ctx ends before the running calls do, Close returns
// ctx.Err() and the last of them releases the module when it returns. A
// background compilation into a disk cache is finished too, so that the
// next process finds the module compiled; without a disk cache it is
// dropped.
func (v *Verifier) Close(ctx context.Context) error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	idle := v.idle
	v.idle = nil
	drained := make(chan struct{})
	v.drained = drained
	running := v.active > 0
	if !running {
		close(drained)
	}
	v.mu.Unlock()
	for _, inst := range idle {
		inst.close(ctx)
	}
	// Closing the runtime frees the memory of its instances, which a
	// call still running would go on using.
	if running {
		select {
		case <-drained:
		case <-ctx.Done():
			go func() {
				<-drained
				v.release(context.Background())
			}()
			return ctx.Err()
		}
	}
	return v.release(ctx)
}

// release ends Close once no call is running: the background compilation
// and the runtimes, with every instance still open in them (loaded sets').
func (v *Verifier) release(ctx context.Context) error {
	if v.compileNow != nil && !v.diskCache {
		// Without a disk cache the compiled module dies with the
		// Verifier: finishing the compile would keep a process that is
		// done waiting for seconds, for nothing.
		v.retireInterpreter()
		v.mu.Lock()
		ready := v.isReady()
		v.mu.Unlock()
		if !ready {
			return nil // the compile goroutine frees what it makes
		}
	} else if v.compileNow != nil {
		v.compileNow()
	}
	<-v.ready
	v.retireInterpreter()
	if v.runtime == nil {
		return nil
	}
	return v.runtime.Close(ctx)
}
