package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unsafe"

	"github.com/licverify/licverify/internal/api"
	"github.com/stretchr/testify/require"
)

// write copies req into a fresh buffer as a host would.
func write(t *testing.T, req []byte) uintptr {
	t.Helper()
	p := allocBuffer(int64(len(req)))
	require.NotZero(t, p)
	copy(buffers[p], req)
	return p
}

// read returns a copy of a pinned response.
func read(t *testing.T, p uintptr, n int) []byte {
	t.Helper()
	b, ok := buffers[p]
	require.True(t, ok, "response is not pinned")
	require.Len(t, b, n)
	require.Equal(t, p, uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	return bytes.Clone(b)
}

func TestAllocBounds(t *testing.T) {
	tests := []struct {
		name string
		size int64
		ok   bool
	}{
		{"zero", 0, true},
		{"one", 1, true},
		{"page", 65536, true},
		{"negative", -1, false},
		{"over the request limit", maxAlloc + 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := allocBuffer(tc.size)
			if !tc.ok {
				require.Zero(t, p)
				return
			}
			require.NotZero(t, p)
			require.Len(t, buffers[p], int(tc.size))
			freeBuffer(p)
			require.NotContains(t, buffers, p)
		})
	}
}

func TestFreeIsIdempotent(t *testing.T) {
	before := len(buffers)
	p := allocBuffer(16)
	q := allocBuffer(16)
	require.NotEqual(t, p, q)
	freeBuffer(p)
	freeBuffer(p) // a double free must not touch another buffer
	freeBuffer(12345)
	require.Contains(t, buffers, q)
	freeBuffer(q)
	require.Len(t, buffers, before)
}

func TestCallMatchesHandle(t *testing.T) {
	req := api.MustFromJSON(`{"op":"canonicalize","document":"{\"b\":1,\"a\":[1e2]}"}`)
	p := write(t, req)
	rp, rn := callRequest(p, int64(len(req)))
	got := read(t, rp, rn)
	require.Equal(t, string(api.Handle(req)), string(got))
	require.JSONEq(t, `{"valid":true,"code":"ok","message":"canonical form computed","canonical":"{\"a\":[100],\"b\":1}"}`, string(got))
	// The request stays the host's until it frees it.
	require.Contains(t, buffers, p)
	freeBuffer(p)
	freeBuffer(rp)
}

func TestCallUsesOnlyLenBytes(t *testing.T) {
	req := api.MustFromJSON(`{"op":"canonicalize","document":"[1]"}`)
	p := write(t, append(append([]byte{}, req...), "garbage after the request"...))
	rp, rn := callRequest(p, int64(len(req)))
	require.Equal(t, string(api.Handle(req)), string(read(t, rp, rn)))
	freeBuffer(p)
	freeBuffer(rp)
}

func TestCallRejectsForeignPointers(t *testing.T) {
	p := write(t, []byte(`{}`))
	defer freeBuffer(p)
	tests := []struct {
		name string
		ptr  uintptr
		n    int64
	}{
		{"not allocated", p + 1, 1},
		{"longer than the buffer", p, 3},
		{"negative length", p, -1},
		{"null", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp, rn := callRequest(tc.ptr, tc.n)
			defer freeBuffer(rp)
			var resp struct{ Error string }
			require.NoError(t, json.Unmarshal(read(t, rp, rn), &resp))
			require.True(t, strings.HasPrefix(resp.Error, "internal: "), resp.Error)
		})
	}
}

// TestPanicBecomesInternalError: a panic must not unwind out of an export
// (that kills the instance without an answer); it is answered as an
// internal error, which tells the host to discard the instance.
func TestPanicBecomesInternalError(t *testing.T) {
	defer func(h func([]byte) []byte) { handle = h }(handle)
	handle = func([]byte) []byte { panic("boom") }
	req := []byte(`{"op":"canonicalize"}`)
	p := write(t, req)
	defer freeBuffer(p)
	rp, rn := callRequest(p, int64(len(req)))
	defer freeBuffer(rp)
	require.JSONEq(t, `{"error":"internal: panic: boom"}`, string(read(t, rp, rn)))
}

type panickyError struct{}

func (panickyError) Error() string { panic("again") }

// TestPanicValues: whatever a handler panics with is written without fmt
// and without a second panic, as fmt would write it where internal/msg can.
func TestPanicValues(t *testing.T) {
	defer func(h func([]byte) []byte) { handle = h }(handle)
	for _, tc := range []struct {
		panic func()
		want  string
	}{
		{func() { var s []int; i := 3; _ = s[i] }, "runtime error: index out of range [3] with length 0"},
		{func() { var m map[string]int; m["a"] = 1 }, "assignment to entry in nil map"},
		{func() { panic(panickyError{}) }, "%!v(PANIC=Error method: again)"},
		{func() { panic(42) }, "42"},
		{func() { panic(struct{}{}) }, "%!v(unsupported)"},
	} {
		handle = func([]byte) []byte { tc.panic(); return nil }
		req := []byte(`{"op":"canonicalize"}`)
		p := write(t, req)
		rp, rn := callRequest(p, int64(len(req)))
		var out struct{ Error string }
		require.NoError(t, json.Unmarshal(read(t, rp, rn), &out))
		require.Equal(t, "internal: panic: "+tc.want, out.Error)
		freeBuffer(p)
		freeBuffer(rp)
	}
}

// TestLargeCallsCollect: a reactor runs no code between calls, so freeing
// a large call's request or response must end with one collection, or its
// garbage (the request included) stays in the heap.
func TestLargeCallsCollect(t *testing.T) {
	defer func(c func(), h func([]byte) []byte) { collect, handle = c, h }(collect, handle)
	collections := 0
	collect = func() { collections++ }
	big := bytes.Repeat([]byte("a"), gcThreshold+1)
	tests := []struct {
		name     string
		req      []byte
		response []byte
		collect  bool
	}{
		{"small", []byte(`{}`), []byte(`{}`), false},
		{"at the threshold", big[:gcThreshold], []byte(`{}`), false},
		{"large request", big, []byte(`{}`), true},
		{"large response", []byte(`{}`), big, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			collections = 0
			handle = func([]byte) []byte { return tc.response }
			p := write(t, tc.req)
			rp, _ := callRequest(p, int64(len(tc.req)))
			require.Zero(t, collections, "the request is still pinned during call")
			freeBuffer(p)
			freeBuffer(rp)
			require.Equal(t, tc.collect, collections == 1, "collections: %d", collections)
		})
	}
}

func TestPack(t *testing.T) {
	require.Equal(t, uint64(0x0001_0000_0000_0020), pack(0x10000, 0x20))
	require.Equal(t, uint64(0xffff_ffff_ffff_ffff), pack(0xffff_ffff, 0xffff_ffff))
}
