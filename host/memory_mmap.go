//go:build linux || darwin || freebsd || netbsd || openbsd

package host

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// allocator backs linear memory with one anonymous mapping the size of
// the memory limit, so that memory.grow never moves or copies the memory:
// the pages are only reserved address space until the module touches
// them. wazero's default grows a Go slice by reallocating and copying,
// which for a large revocation set means copying hundreds of megabytes
// and holding both copies at once.
type allocator = experimental.MemoryAllocator

func newAllocator() allocator {
	return experimental.MemoryAllocatorFunc(func(capacity, max uint64) experimental.LinearMemory {
		buf, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|mapNoReserve)
		if err != nil {
			// No address space to reserve: use wazero's default growth.
			return &sliceMemory{max: max}
		}
		return &mappedMemory{buf: buf}
	})
}

type mappedMemory struct{ buf []byte }

func (m *mappedMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(m.buf)) {
		return nil
	}
	return m.buf[:size]
}

func (m *mappedMemory) Free() {
	if m.buf != nil {
		_ = syscall.Munmap(m.buf)
		m.buf = nil
	}
}
