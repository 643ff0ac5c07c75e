// The Go half of `make bench`: the native and wazero figures of
// bench/results.md. Every benchmark reads the inputs that bench/gen wrote
// (the same bytes the Node and Chromium runs use) and skips without them,
// so `go test ./...` stays fast; run.mjs runs these with -benchmem and
// reads the output.
package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/licverify/licverify/host"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
)

type meta struct {
	Now  string `json:"now"`
	Keys string `json:"keys"`
	Sets []struct {
		IDs     int    `json:"ids"`
		File    string `json:"file"`
		Revoked string `json:"revoked"`
		Absent  string `json:"absent"`
	} `json:"sets"`
	Latency []struct {
		Name  string `json:"name"`
		File  string `json:"file"`
		Frame string `json:"frame"`
	} `json:"latency"`
}

// fixtures returns the directory bench/gen wrote and its meta.json, or
// skips the benchmark.
func fixtures(b *testing.B) (string, *meta) {
	b.Helper()
	dir := os.Getenv("LICVERIFY_BENCH_FIXTURES")
	if dir == "" {
		dir = filepath.Join("out", "fixtures")
	}
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if os.IsNotExist(err) {
		b.Skip("no bench inputs: run `make bench` (or go run ./bench/gen)")
	}
	if err != nil {
		b.Fatal(err)
	}
	var m meta
	if err := json.Unmarshal(data, &m); err != nil {
		b.Fatal(err)
	}
	for _, j := range m.Latency {
		if j.Frame == "" {
			b.Fatalf("%s/meta.json has no request frames: run go run ./bench/gen again", dir)
		}
	}
	return dir, &m
}

func read(b *testing.B, dir, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// mustBeValid fails the benchmark unless resp is a valid result: a fast
// rejection would make any figure meaningless.
func mustBeValid(b *testing.B, what string, resp []byte) {
	b.Helper()
	var r struct {
		Valid bool   `json:"valid"`
		Code  string `json:"code"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || !r.Valid {
		b.Fatalf("%s: not a valid result: %.300s", what, resp)
	}
}

func newHost(b *testing.B, opts host.Options) *host.Verifier {
	b.Helper()
	// Figures of the compiled module, not of the interpreter that answers
	// while it compiles.
	opts.WaitForCompile = true
	v, err := host.New(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close(context.Background()) })
	return v
}

func call(b *testing.B, v *host.Verifier, req []byte) []byte {
	resp, err := v.Call(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	return resp
}

// BenchmarkLatency is one verification of each latency job: natively
// through the request codec (api.Handle, the exact work the module does
// for the same request frame) and through the module under wazero. The
// status proof also runs through verify.StatusProof with the keyring
// parsed once, as a Go program would call it.
func BenchmarkLatency(b *testing.B) {
	dir, m := fixtures(b)
	for _, job := range m.Latency {
		req := read(b, dir, job.Frame)
		b.Run(job.Name+"/native", func(b *testing.B) {
			mustBeValid(b, job.Name, api.Handle(req))
			b.ReportAllocs()
			for b.Loop() {
				api.Handle(req)
			}
		})
		if job.Name == "statusproof" {
			b.Run(job.Name+"/native-typed", func(b *testing.B) {
				// The vector's JSON form holds the proof and keyring
				// as text.
				var r struct{ Keys, Now, Proof string }
				if err := json.Unmarshal(read(b, dir, job.File), &r); err != nil {
					b.Fatal(err)
				}
				ring, err := verify.ParseKeyring([]byte(r.Keys))
				if err != nil {
					b.Fatal(err)
				}
				now, err := time.Parse(time.RFC3339, r.Now)
				if err != nil {
					b.Fatal(err)
				}
				proof := []byte(r.Proof)
				res, err := verify.StatusProof(proof, ring, verify.StatusProofOptions{Now: now})
				if err != nil || !res.Valid {
					b.Fatal(err, res)
				}
				b.ReportAllocs()
				for b.Loop() {
					verify.StatusProof(proof, ring, verify.StatusProofOptions{Now: now})
				}
			})
		}
		b.Run(job.Name+"/wazero", func(b *testing.B) {
			v := newHost(b, host.Options{MaxInstances: 1})
			mustBeValid(b, job.Name, call(b, v, req))
			b.ReportAllocs()
			for b.Loop() {
				call(b, v, req)
			}
		})
	}
}

// BenchmarkStartup is the cost of a host.Verifier before its first
// answer: compiling the module with an empty cache ("cold", as on a
// machine's first run), loading it from a cache an earlier process wrote
// ("warm"), and the first call of a new Verifier (instantiation and the Go
// runtime's initialization inside the module, then one status proof).
func BenchmarkStartup(b *testing.B) {
	dir, m := fixtures(b)
	req := read(b, dir, m.Latency[0].Frame)
	ctx := context.Background()
	b.Run("compile-cold", func(b *testing.B) {
		for b.Loop() {
			v, err := host.New(ctx, host.Options{CacheDir: b.TempDir(), WaitForCompile: true})
			if err != nil {
				b.Fatal(err)
			}
			v.Close(ctx)
		}
	})
	b.Run("compile-warm", func(b *testing.B) {
		// A cache written by another Verifier; each iteration opens a
		// copy under a new path, which the process has not seen, so the
		// compiled code comes from disk as in a new process.
		// LICVERIFY_BENCH_WARM_CACHE names a cache an earlier process
		// wrote, so that a CPU profile of this process holds the loads
		// only, not the compile that warms the cache.
		warm := os.Getenv("LICVERIFY_BENCH_WARM_CACHE")
		if warm == "" {
			warm = b.TempDir()
		}
		v, err := host.New(ctx, host.Options{CacheDir: warm, WaitForCompile: true})
		if err != nil {
			b.Fatal(err)
		}
		v.Close(ctx)
		for b.Loop() {
			b.StopTimer()
			cache := copyDir(b, warm)
			b.StartTimer()
			v, err := host.New(ctx, host.Options{CacheDir: cache, WaitForCompile: true})
			if err != nil {
				b.Fatal(err)
			}
			v.Close(ctx)
		}
	})
	b.Run("first-call", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			v, err := host.New(ctx, host.Options{NoDiskCache: true, WaitForCompile: true})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			resp, err := v.Call(ctx, req)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			mustBeValid(b, "first call", resp)
			v.Close(ctx)
			b.StartTimer()
		}
	})
}

func copyDir(b *testing.B, src string) string {
	b.Helper()
	dst := b.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkThroughput is status proofs per second through one
// host.Verifier shared by 1, 2 and 4 goroutines (MaxInstances = the
// goroutines), and natively through api.Handle for comparison.
func BenchmarkThroughput(b *testing.B) {
	dir, m := fixtures(b)
	req := read(b, dir, m.Latency[0].Frame)
	for _, g := range []int{1, 2, 4} {
		b.Run("wazero/goroutines="+strconv.Itoa(g), func(b *testing.B) {
			v := newHost(b, host.Options{MaxInstances: g})
			// Every instance exists before the clock starts.
			var wg sync.WaitGroup
			for range g {
				wg.Go(func() { mustBeValid(b, "warm-up", call(b, v, req)) })
			}
			wg.Wait()
			parallel(b, g, func() { call(b, v, req) })
		})
		b.Run("native/goroutines="+strconv.Itoa(g), func(b *testing.B) {
			parallel(b, g, func() { api.Handle(req) })
		})
	}
}

// parallel runs f b.N times over g goroutines and reports the rate.
func parallel(b *testing.B, g int, f func()) {
	var next atomic.Int64
	n := int64(b.N)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			for next.Add(1) <= n {
				f()
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifies/s")
}

// BenchmarkScale verifies each revocation set natively with
// verify.RevocationSet (the Go API; the set is in memory already, as a
// Go program holding the file would have it) and reports the process's
// peak RSS. run.mjs runs each size in a process of its own so that the
// peak is that size's.
func BenchmarkScale(b *testing.B) {
	dir, m := fixtures(b)
	ring, err := verify.ParseKeyring([]byte(m.Keys))
	if err != nil {
		b.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, m.Now)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range m.Sets {
		b.Run(strconv.Itoa(s.IDs), func(b *testing.B) {
			doc := read(b, dir, s.File)
			opts := verify.RevocationOptions{Now: now}
			var set *verify.VerifiedSet
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := verify.RevocationSet(doc, ring, opts)
				if err != nil || !res.Valid {
					b.Fatal(err, res.Message)
				}
				set = res.Set
			}
			b.StopTimer()
			if set.Lookup(s.Revoked, now).Status != "revoked" || set.Lookup(s.Absent, now).Status != "not_revoked" {
				b.Fatal("lookups give wrong answers")
			}
			reportPeakRSS(b)
		})
	}
}

// BenchmarkLookup is one id looked up in a verified set, natively.
func BenchmarkLookup(b *testing.B) {
	dir, m := fixtures(b)
	ring, err := verify.ParseKeyring([]byte(m.Keys))
	if err != nil {
		b.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, m.Now)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range m.Sets {
		b.Run(strconv.Itoa(s.IDs), func(b *testing.B) {
			res, err := verify.RevocationSet(read(b, dir, s.File), ring, verify.RevocationOptions{Now: now})
			if err != nil || !res.Valid {
				b.Fatal(err, res.Message)
			}
			if res.Set.Lookup(s.Revoked, now).Status != "revoked" {
				b.Fatal("the revoked id is not revoked")
			}
			b.ReportAllocs()
			for b.Loop() {
				res.Set.Lookup(s.Revoked, now)
			}
		})
	}
}

// reportPeakRSS reports the process's peak resident set (VmHWM), where
// /proc has it.
func reportPeakRSS(b *testing.B) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"))
			if err == nil {
				b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, "no VmHWM in /proc/self/status")
}
