//go:build darwin

package host

import "golang.org/x/sys/unix"

// The same sysctls libuv (and so Node's os.cpus() and os.totalmem()) reads.
func osCPUModel() string {
	s, _ := unix.Sysctl("machdep.cpu.brand_string")
	return s
}

func osTotalMemory() uint64 {
	n, _ := unix.SysctlUint64("hw.memsize")
	return n
}
