package host

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/verify"
)

// The wazero rows of the scale table of `make bench` (bench/run.mjs).
// They live in package host because they read the linear memory of the
// instance that did the work. They use the revocation sets that bench/gen
// writes, and skip without them.

type scaleBenchSet struct {
	IDs     int    `json:"ids"`
	File    string `json:"file"`
	Revoked string `json:"revoked"`
}

// scaleBenchInputs returns the keyring, now and sets of bench/gen's
// meta.json, or skips.
func scaleBenchInputs(b *testing.B) (string, *verify.Keyring, time.Time, []scaleBenchSet) {
	b.Helper()
	dir := os.Getenv("LICVERIFY_BENCH_FIXTURES")
	if dir == "" {
		dir = filepath.Join("..", "bench", "out", "fixtures")
	}
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if os.IsNotExist(err) {
		b.Skip("no bench inputs: run `make bench` (or go run ./bench/gen)")
	}
	if err != nil {
		b.Fatal(err)
	}
	var m struct {
		Now  string          `json:"now"`
		Keys string          `json:"keys"`
		Sets []scaleBenchSet `json:"sets"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		b.Fatal(err)
	}
	ring, err := verify.ParseKeyring([]byte(m.Keys))
	if err != nil {
		b.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, m.Now)
	if err != nil {
		b.Fatal(err)
	}
	return dir, ring, now, m.Sets
}

// BenchmarkScaleWazero verifies each set through Verifier.RevocationSet
// (request building, the copy into the module and the verification) and
// reports the linear memory of the instance afterwards, which a pooled
// instance keeps (wasm memory never shrinks), and the process's peak and
// current RSS after a Go GC. run.mjs runs each size in its own process.
func BenchmarkScaleWazero(b *testing.B) {
	dir, ring, now, sets := scaleBenchInputs(b)
	ctx := context.Background()
	for _, s := range sets {
		b.Run(strconv.Itoa(s.IDs), func(b *testing.B) {
			doc, err := os.ReadFile(filepath.Join(dir, s.File))
			if err != nil {
				b.Fatal(err)
			}
			v, err := New(ctx, Options{NoDiskCache: true, MaxInstances: 1, WaitForCompile: true})
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close(ctx)
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				res, err := v.RevocationSet(ctx, doc, ring, verify.RevocationOptions{Now: now})
				if err != nil || !res.Valid {
					b.Fatal(err, res)
				}
			}
			b.StopTimer()
			v.mu.Lock()
			mem := v.idle[0].mod.Memory().Size()
			v.mu.Unlock()
			b.ReportMetric(float64(mem)/(1<<20), "wasm-MiB")
			b.ReportMetric(float64(mem)/float64(len(doc)), "wasm/doc")
			scaleBenchRSS(b, "VmHWM:", "peak-RSS-MiB")
			runtime.GC()
			debug.FreeOSMemory()
			scaleBenchRSS(b, "VmRSS:", "after-RSS-MiB")
		})
	}
}

// BenchmarkLookupWazero is one id looked up in a set loaded with
// LoadRevocationSet: a small request to the instance that holds the set.
func BenchmarkLookupWazero(b *testing.B) {
	dir, ring, now, sets := scaleBenchInputs(b)
	ctx := context.Background()
	for _, s := range sets {
		b.Run(strconv.Itoa(s.IDs), func(b *testing.B) {
			doc, err := os.ReadFile(filepath.Join(dir, s.File))
			if err != nil {
				b.Fatal(err)
			}
			v, err := New(ctx, Options{NoDiskCache: true, WaitForCompile: true})
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close(ctx)
			set, res, err := v.LoadRevocationSet(ctx, doc, ring, verify.RevocationOptions{Now: now})
			if err != nil || !res.Valid {
				b.Fatal(err, res)
			}
			defer set.Close(ctx)
			got, err := set.Lookup(ctx, now, s.Revoked)
			if err != nil || got.Lookups[0].Status != "revoked" {
				b.Fatal("the revoked id is not revoked", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := set.Lookup(ctx, now, s.Revoked); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// scaleBenchRSS reports one kB line of /proc/self/status in MiB, where
// /proc has it.
func scaleBenchRSS(b *testing.B, field, unit string) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte(field)); ok {
			if kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB")); err == nil {
				b.ReportMetric(float64(kb)/1024, unit)
			}
			return
		}
	}
}
