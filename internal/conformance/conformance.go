// Package conformance locates the public conformance data (RFC 8785 cases,
// Wycheproof, CCTV, speccheck and RFC 8032 vectors) that tests read from
// ../shared/conformance beside the repository. Where it is absent the
// tests skip, except under CI=true, where its absence fails them.
package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var skipNotice sync.Once

// Dir returns the conformance data directory, or skips (fails under
// CI=true) the test when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "conformance")
	if env := os.Getenv("LICVERIFY_CONFORMANCE"); env != "" {
		dir = env
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("conformance data not found at %s: CI must provide ../shared/conformance", dir)
		}
		msg := fmt.Sprintf("conformance data not found at %s (../shared/conformance beside the repository); skipping", dir)
		// Printed once, so that a run that skipped them says so.
		skipNotice.Do(func() { fmt.Println("conformance: " + msg) })
		t.Skip(msg)
	}
	return dir
}

// Path returns a file below the conformance directory, failing the test if
// it is missing: a present directory with a missing file is a broken copy.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Dir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("conformance file missing: %v", err)
	}
	return p
}
