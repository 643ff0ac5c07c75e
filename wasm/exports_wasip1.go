//go:build wasip1

package main

// The exports below are the whole ABI (ABI.md). Sizes and addresses are
// unsigned so that a size written as a negative i32 by a host is simply
// too large, never a negative length. GOARCH=wasm has 64-bit uintptr, but
// linear memory is 32-bit, so every address fits in a uint32.

//go:wasmexport abi_version
func abiVersion() uint32 { return ABIVersion }

//go:wasmexport alloc
func alloc(size uint32) uint32 { return uint32(allocBuffer(int64(size))) }

//go:wasmexport free
func free(ptr uint32) { freeBuffer(uintptr(ptr)) }

//go:wasmexport call
func call(ptr, length uint32) uint64 {
	rp, rn := callRequest(uintptr(ptr), int64(length))
	return pack(uint32(rp), uint32(rn))
}
