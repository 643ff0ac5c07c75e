//go:build !linux

package host

// The id is computed on Linux only, which alone reads these.
func (osMachine) interfaces() []qmInterface { return nil }
func (osMachine) uname() (string, string)   { return "", "" }
