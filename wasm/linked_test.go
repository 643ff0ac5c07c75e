package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestModuleLeavesOut builds the module and reads the linker's list of
// what it keeps (-ldflags=-dumpdep): code the module does not need and
// that came back unnoticed would cost its size (RATIONALE.md, "No
// encoding/json, fmt or time formatting in the module"). Each entry is a
// symbol prefix that must not be linked, and why.
func TestModuleLeavesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module")
	}
	out := filepath.Join(t.TempDir(), "m.wasm")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-dumpdep", "-o", out, ".")
	cmd.Env = append(cmd.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=")
	dump, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", dump)
	kept := map[string]bool{}
	for _, line := range strings.Split(string(dump), "\n") {
		if _, to, ok := strings.Cut(line, " -> "); ok {
			kept[strings.TrimSuffix(to, " <UsedInIface>")] = true
		}
	}
	require.Greater(t, len(kept), 1000, "the linker printed its dependencies")
	for _, banned := range []struct{ prefix, why string }{
		{"encoding/json.", "results and requests go through internal/jsontext"},
		{"fmt.", "messages go through internal/msg"},
		{"time.Time.Format", "times are written by internal/timefmt; a time.Time in an interface or a type argument keeps Format"},
		{"time.Time.AppendFormat", "as time.Time.Format"},
		{"crypto/ed25519.", "the wasm build verifies with internal/ed25519wasm; importing crypto/ed25519 keeps its FIPS module"},
		{"math/big.", "came in only with crypto/ed25519's crypto/rand"},
		{"filippo.io/edwards25519", "the key check and the reduction mod L are internal/ed25519wasm's too"},
	} {
		for sym := range kept {
			if strings.HasPrefix(sym, banned.prefix) {
				t.Errorf("the module links %s: %s", sym, banned.why)
				break
			}
		}
	}
}
