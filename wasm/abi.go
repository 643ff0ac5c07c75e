// Command wasm is the licverify WebAssembly module: a WASI preview1 reactor
// that exports internal/api's request codec to any host. It is built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared ./wasm
//
// (`make wasm`) and documented for hosts in ABI.md beside this file. The
// module knows nothing about operations: every op internal/api registers
// is reachable through the one call export.
//
// The exports themselves live in exports_wasip1.go; this file holds their
// logic in portable Go so that it is tested natively as well.
package main

import (
	"runtime"
	"unsafe"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/internal/msg"
)

// ABIVersion is the value of the abi_version export. It changes only when
// an export's meaning or signature changes, never when an op is added.
const ABIVersion = api.ABIVersion

// maxAlloc bounds one alloc: the largest request internal/api accepts.
const maxAlloc = api.MaxRequest

// gcThreshold is the buffer size above which freeing a request or a
// response ends with a garbage collection. A reactor runs no code between
// calls, so the garbage of a large call would otherwise stay in the heap,
// and the next large call would grow linear memory (which never shrinks)
// instead of reusing it.
const gcThreshold = 1 << 20

// buffers pins every buffer handed to the host, keyed by its address,
// until the host frees it. Go's collector does not move objects, so an
// address stays valid while the slice is referenced from here.
var buffers = map[uintptr][]byte{}

// handle answers one request; tests replace it.
var handle = api.Handle

// collect runs a garbage collection; tests replace it to observe calls.
var collect = runtime.GC

// allocBuffer returns the address of a new zeroed buffer of size bytes,
// pinned until freeBuffer, or 0 for a negative or too large size.
func allocBuffer(size int64) (p uintptr) {
	if size < 0 || size > maxAlloc {
		return 0
	}
	// An out-of-memory condition is fatal to the Go runtime and cannot be
	// recovered; anything else returns 0 rather than trapping.
	defer func() {
		if recover() != nil {
			p = 0
		}
	}()
	return pin(make([]byte, size))
}

// pin keeps b alive and returns its address. An empty buffer still gets a
// distinct, non-zero address so that 0 always means failure.
func pin(b []byte) uintptr {
	if len(b) == 0 {
		b = make([]byte, 1)[:0]
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	buffers[p] = b
	return p
}

// freeBuffer releases a buffer from allocBuffer or from a response. An
// address that is not pinned (already freed, never allocated) is ignored,
// so a double free cannot corrupt anything. Freeing a buffer over
// gcThreshold ends with a collection, which reclaims it and the garbage
// of the call that used it: hosts free the request after call returns, so
// a collection inside call could not reclaim the request itself.
func freeBuffer(p uintptr) {
	b, ok := buffers[p]
	delete(buffers, p)
	if ok && cap(b) > gcThreshold {
		collect()
	}
}

// callRequest answers the request in the first n bytes of the buffer at p
// and returns the address and length of the pinned response. It never
// panics: a panic in the handler becomes {"error": "internal: ..."}, after
// which the host should discard the instance.
func callRequest(p uintptr, n int64) (rp uintptr, rn int) {
	var resp []byte
	func() {
		defer func() {
			if v := recover(); v != nil {
				// msg writes an error, a string, a Stringer or an integer
				// as fmt does, any other value as "%!v(unsupported)", and
				// does not panic, even in the value's Error method.
				resp = api.ErrorJSON(msg.Sprintf("internal: panic: %v", v))
			}
		}()
		b, ok := buffers[p]
		if !ok || n < 0 || n > int64(len(b)) {
			resp = api.ErrorJSON("internal: call: (ptr, len) is not within a buffer from alloc")
			return
		}
		resp = handle(b[:n])
	}()
	// No collection here: the request is still pinned until the host
	// frees it, so freeBuffer collects instead (see there).
	return pin(resp), len(resp)
}

// pack returns the call export's result: ptr in the high 32 bits, len in
// the low 32.
func pack(p uint32, n uint32) uint64 { return uint64(p)<<32 | uint64(n) }

// main is never run: a reactor's host calls _initialize, then the exports.
func main() {}
