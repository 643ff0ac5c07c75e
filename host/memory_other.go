//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package host

import "github.com/tetratelabs/wazero/experimental"

type allocator = experimental.MemoryAllocator

// newAllocator returns the copying fallback on systems without mmap.
func newAllocator() allocator {
	return experimental.MemoryAllocatorFunc(func(capacity, max uint64) experimental.LinearMemory {
		return &sliceMemory{max: max}
	})
}
