package host

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	lvapi "github.com/licverify/licverify/internal/api"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

var (
	hookedOnce sync.Once
	hooked     []byte
	hookedErr  error
)

// hookedModule builds the module with the licverify_testhooks tag, which
// adds a request that panics inside call.
func hookedModule(t *testing.T) []byte {
	t.Helper()
	hookedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "licverify-hooked")
		if err != nil {
			hookedErr = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "hooked.wasm")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", "licverify_testhooks", "-buildmode=c-shared", "-o", out, ".")
		cmd.Dir = filepath.Join("..", "wasm")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			hookedErr = errors.New(string(b))
			return
		}
		hooked, hookedErr = os.ReadFile(out)
	})
	if hookedErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("building the hooked module: %v", hookedErr)
		}
		t.Skipf("cannot build the hooked module: %v", hookedErr)
	}
	return hooked
}

// instances counts the instances a Verifier holds idle.
func (v *Verifier) idleInstances() []*instance {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]*instance(nil), v.idle...)
}

func TestPanicDiscardsInstance(t *testing.T) {
	v := newVerifier(t, Options{wasm: hookedModule(t), MaxInstances: 1})
	ctx := context.Background()
	_, err := v.Call(ctx, smallRequest)
	require.NoError(t, err)
	before := v.idleInstances()
	require.Len(t, before, 1)

	_, err = v.Call(ctx, []byte(`{"op":"__panic"}`))
	var me *ModuleError
	require.ErrorAs(t, err, &me)
	require.Contains(t, me.Reason, "internal: panic: test hook")
	require.Empty(t, v.idleInstances(), "the instance that panicked must be discarded")

	resp, err := v.Call(ctx, smallRequest)
	require.NoError(t, err)
	require.Contains(t, string(resp), `"valid":true`)
	after := v.idleInstances()
	require.Len(t, after, 1)
	require.NotSame(t, before[0], after[0], "a fresh instance answers after a panic")
}

// TestOutOfMemoryDiscardsInstance: running out of linear memory is fatal
// to the Go runtime inside (it exits); the host reports it with the
// runtime's crash text and replaces the instance.
func TestOutOfMemoryDiscardsInstance(t *testing.T) {
	v := newVerifier(t, Options{MemoryLimit: 16 << 20, MaxInstances: 1})
	ctx := context.Background()
	doc := bytes.Repeat([]byte("a"), 12<<20)
	_, err := v.Call(ctx, mustEncode(lvapi.NewRequest("canonicalize").Part("document", doc)))
	var me *ModuleError
	require.ErrorAs(t, err, &me)
	// The Go runtime words it by where the allocation failed: "out of
	// memory" for the heap, "cannot allocate memory" for its own
	// metadata.
	require.Regexp(t, `fatal error: (runtime: )?(out of memory|cannot allocate memory)`, me.Stderr)
	require.Empty(t, v.idleInstances())
	resp, err := v.Call(ctx, smallRequest)
	require.NoError(t, err)
	require.Contains(t, string(resp), `"valid":true`)
}

// TestInitializeRunsOnce: the host runs _initialize when it instantiates,
// and never again; a second run is not something the Go runtime survives.
func TestInitializeRunsOnce(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	_, err := v.Call(ctx, smallRequest)
	require.NoError(t, err)
	inst := v.idleInstances()[0]
	_, err = inst.mod.ExportedFunction("_initialize").Call(ctx)
	require.Error(t, err, "a second _initialize must fail")
}

// TestImports pins the module's imports: WASI preview1 functions only,
// and exactly these, so that a non-Go host knows what its shim must
// provide (wasm/ABI.md lists them with what each must do).
func TestImports(t *testing.T) {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	compiled, err := r.CompileModule(ctx, module)
	require.NoError(t, err)
	var got []string
	for _, f := range compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		got = append(got, mod+"."+name)
	}
	require.ElementsMatch(t, []string{
		"wasi_snapshot_preview1.args_get",
		"wasi_snapshot_preview1.args_sizes_get",
		"wasi_snapshot_preview1.clock_time_get",
		"wasi_snapshot_preview1.environ_get",
		"wasi_snapshot_preview1.environ_sizes_get",
		"wasi_snapshot_preview1.fd_close",
		"wasi_snapshot_preview1.fd_fdstat_get",
		"wasi_snapshot_preview1.fd_fdstat_set_flags",
		"wasi_snapshot_preview1.fd_prestat_dir_name",
		"wasi_snapshot_preview1.fd_prestat_get",
		"wasi_snapshot_preview1.fd_write",
		"wasi_snapshot_preview1.fd_write",
		"wasi_snapshot_preview1.poll_oneoff",
		"wasi_snapshot_preview1.proc_exit",
		"wasi_snapshot_preview1.random_get",
		"wasi_snapshot_preview1.sched_yield",
	}, got)
	require.Empty(t, compiled.ImportedMemories())
	exports := map[string]string{}
	for name, f := range compiled.ExportedFunctions() {
		exports[name] = strings.Join(typeNames(f.ParamTypes()), ",") + "->" + strings.Join(typeNames(f.ResultTypes()), ",")
	}
	require.Equal(t, map[string]string{
		"_initialize": "->",
		"abi_version": "->i32",
		"alloc":       "i32->i32",
		"free":        "i32->",
		"call":        "i32,i32->i64",
	}, exports)
	require.Contains(t, compiled.ExportedMemories(), "memory")
}

func typeNames(ts []api.ValueType) []string {
	var out []string
	for _, t := range ts {
		out = append(out, api.ValueTypeName(t))
	}
	return out
}

// TestLargeCallsDoNotGrowMemory: linear memory never shrinks and a reactor
// runs no code between calls, so the module collects garbage at the end of
// a large call. Otherwise a large call's garbage is still in the heap when
// the next large request is allocated, and memory grows call after call.
// The request buffer itself is freed by the host after the call, too late
// for that call's collection, so the second call may add one request's
// worth (here 8 MiB); from then on nothing may grow.
func TestLargeCallsDoNotGrowMemory(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	var sizes []uint32
	for i := range 10 {
		doc := bytes.Repeat([]byte{byte('a' + i)}, 8<<20)
		resp, err := v.Call(ctx, mustEncode(lvapi.NewRequest("canonicalize").Part("document", doc)))
		require.NoError(t, err)
		require.Contains(t, string(resp), `"code":"input_too_large"`)
		sizes = append(sizes, v.idleInstances()[0].mod.Memory().Size())
	}
	require.LessOrEqual(t, sizes[1]-sizes[0], uint32(8<<20+1<<20), "the second call grew memory by more than one request: %v", sizes)
	// A page or so of runtime bookkeeping may come and stay; a call's
	// worth of garbage (megabytes) must not.
	for i, s := range sizes[1:] {
		require.LessOrEqual(t, s-sizes[1], uint32(1<<20), "memory grew by call %d: %v", i+1, sizes)
	}
}

// TestConcurrentCallsUseSeparateInstances: exports are not safe to call
// concurrently on one instance, so concurrent callers each get their own.
func TestConcurrentCallsUseSeparateInstances(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 3})
	ctx := context.Background()
	held := make([]*instance, 3)
	for i := range held {
		inst, err := v.get(ctx)
		require.NoError(t, err)
		held[i] = inst
	}
	require.NotSame(t, held[0], held[1])
	require.NotSame(t, held[1], held[2])
	require.NotSame(t, held[0], held[2])
	// A fourth caller waits for a slot; with a deadline it gives up.
	waitCtx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := v.get(waitCtx)
	require.ErrorIs(t, err, context.Canceled)
	for _, inst := range held {
		v.put(inst, true)
	}
	require.Len(t, v.idleInstances(), 3)
}

func TestClosed(t *testing.T) {
	v := newVerifier(t, Options{})
	require.NoError(t, v.Close(context.Background()))
	_, err := v.Call(context.Background(), smallRequest)
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, v.Close(context.Background()))
}
