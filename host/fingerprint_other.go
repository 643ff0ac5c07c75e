//go:build !darwin && !windows

package host

// On Linux the rules read /proc; elsewhere no component source is known.
func osCPUModel() string    { return "" }
func osTotalMemory() uint64 { return 0 }
