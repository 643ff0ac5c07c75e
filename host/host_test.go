package host

import (
	"bytes"
	"context"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/stretchr/testify/require"
)

// newVerifier returns a Verifier closed at the end of the test. Without a
// CacheDir it compiles before it returns, so that a test sees the compiled
// module and its pool; tests of the interpreter's start give a CacheDir.
func newVerifier(t testing.TB, opts Options) *Verifier {
	t.Helper()
	if opts.CacheDir == "" {
		opts.NoDiskCache = true
		opts.WaitForCompile = !opts.interpretOnly
	}
	v, err := New(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { v.Close(context.Background()) })
	return v
}

// forgetCompiled makes this process forget the modules it compiled, for
// the rest of the test, as a new process would not have them.
func forgetCompiled(t testing.TB) {
	memMu.Lock()
	saved := mems
	mems = map[[2]string]*memEntry{}
	memMu.Unlock()
	t.Cleanup(func() {
		memMu.Lock()
		mems = saved
		memMu.Unlock()
	})
}

func mustEncode(r *api.Request) []byte {
	b, err := r.Encode()
	if err != nil {
		panic(err)
	}
	return b
}

// smallRequest is a cheap valid request.
var smallRequest = mustEncode(api.NewRequest("canonicalize").Part("document", []byte("[1]")))

func TestCallCanonicalize(t *testing.T) {
	v := newVerifier(t, Options{})
	resp, err := v.Call(context.Background(), mustEncode(api.NewRequest("canonicalize").Part("document", []byte(`{"b":1,"a":2}`))))
	require.NoError(t, err)
	require.JSONEq(t, `{"valid":true,"code":"ok","message":"canonical form computed","canonical":"{\"a\":2,\"b\":1}"}`, string(resp))
}

// TestCallRefusesJSONRequests: a request of ABI version 1 (one JSON
// object) is a bad request, not a guess.
func TestCallRefusesJSONRequests(t *testing.T) {
	v := newVerifier(t, Options{})
	resp, err := v.Call(context.Background(), []byte(`{"op":"canonicalize","document":"[1]"}`))
	require.NoError(t, err)
	require.Contains(t, string(resp), `"error":"licverify: bad request: `)
	require.Contains(t, string(resp), "version 1")
}

// TestOversizedRequest: a frame larger than api.MaxRequest cannot be
// handed to the module (alloc refuses it); the host answers the bad
// request the native codec gives, without failing or using an instance.
func TestOversizedRequest(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	for _, n := range []int{api.MaxRequest + 1, api.MaxRequest + 4096} {
		frame := make([]byte, n)
		copy(frame, smallRequest)
		resp, err := v.Call(ctx, frame)
		require.NoError(t, err)
		require.Equal(t, string(api.Handle(frame)), string(resp))
		require.Contains(t, string(resp), `"error":"licverify: bad request: request is `)
	}
	require.Empty(t, v.idleInstances(), "no instance is needed to refuse an oversized frame")
	resp, err := v.Call(ctx, smallRequest)
	require.NoError(t, err)
	require.Contains(t, string(resp), `"valid":true`)
}

// TestABIVersionChecked: an instance whose abi_version is not the host's,
// or that has none, is refused with an error saying so, before any
// request reaches it.
func TestABIVersionChecked(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		wasm []byte
		want string
	}{
		{"version 1", fakeModule(1, true), "the module speaks ABI version 1, this host version 2"},
		{"version 3", fakeModule(3, true), "the module speaks ABI version 3, this host version 2"},
		{"no abi_version", fakeModule(0, false), "the module has no abi_version export"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(t, Options{wasm: tc.wasm, MaxInstances: 1})
			_, err := v.Call(ctx, smallRequest)
			var me *ModuleError
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.Error(), tc.want)
			require.Empty(t, v.idleInstances())
		})
	}
	// The same module with the host's version is used.
	v := newVerifier(t, Options{wasm: fakeModule(api.ABIVersion, true), MaxInstances: 1})
	resp, err := v.Call(ctx, smallRequest)
	require.NoError(t, err)
	require.Empty(t, resp, "the fake module answers an empty response")
}

// fakeModule is a minimal module with the exports a host needs, whose
// abi_version returns abi (or which has no abi_version), whose alloc
// returns 64 and whose call returns an empty response at 0. It is written
// out byte by byte: the WebAssembly binary format, sections 1 (types), 3
// (functions), 5 (memory), 7 (exports) and 10 (code).
func fakeModule(abi int32, withABI bool) []byte {
	const i32, i64 = 0x7f, 0x7e
	section := func(id byte, body []byte) []byte {
		return append(append([]byte{id}, uleb(uint64(len(body)))...), body...)
	}
	vec := func(items ...[]byte) []byte {
		out := uleb(uint64(len(items)))
		for _, it := range items {
			out = append(out, it...)
		}
		return out
	}
	name := func(s string) []byte { return append(uleb(uint64(len(s))), s...) }
	code := func(instrs ...byte) []byte {
		body := append([]byte{0x00}, instrs...) // no locals
		body = append(body, 0x0b)               // end
		return append(uleb(uint64(len(body))), body...)
	}
	types := vec(
		[]byte{0x60, 0, 0},                // 0: () -> ()
		[]byte{0x60, 0, 1, i32},           // 1: () -> i32
		[]byte{0x60, 1, i32, 1, i32},      // 2: (i32) -> i32
		[]byte{0x60, 1, i32, 0},           // 3: (i32) -> ()
		[]byte{0x60, 2, i32, i32, 1, i64}, // 4: (i32, i32) -> i64
	)
	funcs := vec([]byte{0}, []byte{1}, []byte{2}, []byte{3}, []byte{4})
	memory := vec([]byte{0x00, 1}) // min 1 page
	exports := [][]byte{
		append(name("memory"), 0x02, 0),
		append(name("_initialize"), 0x00, 0),
		append(name("alloc"), 0x00, 2),
		append(name("free"), 0x00, 3),
		append(name("call"), 0x00, 4),
	}
	if withABI {
		exports = append(exports, append(name("abi_version"), 0x00, 1))
	}
	bodies := vec(
		code(),
		code(append([]byte{0x41}, sleb(int64(abi))...)...), // i32.const abi
		code(append([]byte{0x41}, sleb(64)...)...),         // i32.const 64
		code(),           //
		code(0x42, 0x00), // i64.const 0
	)
	out := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}
	out = append(out, section(1, types)...)
	out = append(out, section(3, funcs)...)
	out = append(out, section(5, memory)...)
	out = append(out, section(7, vec(exports...))...)
	out = append(out, section(10, bodies)...)
	return out
}

func uleb(v uint64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			out = append(out, b|0x80)
			continue
		}
		return append(out, b)
	}
}

func sleb(v int64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

// TestMemoryBytes: no idle instance reports 0; after a call the idle
// instance's memory is reported, and a canonicalization of a 1 MiB
// document (the limit) raises it by at least the document's size.
func TestMemoryBytes(t *testing.T) {
	v := newVerifier(t, Options{MaxInstances: 1})
	ctx := context.Background()
	require.Zero(t, v.MemoryBytes())
	_, err := v.Call(ctx, mustEncode(api.NewRequest("canonicalize").Part("document", []byte(`[1]`))))
	require.NoError(t, err)
	small := v.MemoryBytes()
	require.NotZero(t, small)
	require.Zero(t, small%65536, "a whole number of pages")
	doc := append(append([]byte(`["`), bytes.Repeat([]byte("a"), 1<<20-4)...), `"]`...)
	resp, err := v.Call(ctx, mustEncode(api.NewRequest("canonicalize").Part("document", doc)))
	require.NoError(t, err)
	require.Contains(t, string(resp), `"valid":true`)
	require.GreaterOrEqual(t, v.MemoryBytes(), small+1<<20)
}
