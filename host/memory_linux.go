package host

import "syscall"

// mapNoReserve keeps the reservation out of the kernel's overcommit
// accounting: untouched pages cost nothing.
const mapNoReserve = syscall.MAP_NORESERVE
