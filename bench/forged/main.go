// Command forged verifies one of the 64 MiB revocation sets of bench/gen
// (meta.json's "big": a forged one and a genuine one of the same size) in
// one process, natively (verify.RevocationSet) or in wazero
// (host.Verifier.RevocationSet, with a memory limit of 4 GiB less a page,
// the most wasm32 has), and prints the verdict, the time to it, the
// process's peak RSS and, in wazero, the instance's linear memory as JSON.
// A verdict other than the set's expected one is printed, not fatal:
// run.mjs reports it. run.mjs runs it once per runtime and set, each in a
// new process so that the peak is that set's, and stops it after its time
// limit; it runs the native forged set once more with -cpuprofile and
// -memprofile, for what dominates.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/licverify/licverify/host"
	"github.com/licverify/licverify/verify"
)

func main() {
	fixtures := flag.String("fixtures", "bench/out/fixtures", "bench/gen's output directory")
	name := flag.String("set", "forged", "which set of meta.json's big: forged or genuine")
	runtime := flag.String("runtime", "native", "native or wazero")
	cache := flag.String("cache", "", "wazero compilation cache directory (empty: none)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the verification to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile to this file after the verification")
	flag.Parse()
	var meta struct {
		Now  string `json:"now"`
		Keys string `json:"keys"`
		Big  []struct {
			Name, File, Code string
		} `json:"big"`
	}
	m, err := os.ReadFile(filepath.Join(*fixtures, "meta.json"))
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(m, &meta); err != nil {
		log.Fatal(err)
	}
	file, want := "", ""
	for _, b := range meta.Big {
		if b.Name == *name {
			file, want = b.File, b.Code
		}
	}
	if file == "" {
		log.Fatalf("no set %q in meta.json", *name)
	}
	doc, err := os.ReadFile(filepath.Join(*fixtures, file))
	if err != nil {
		log.Fatal(err)
	}
	ring, err := verify.ParseKeyring([]byte(meta.Keys))
	if err != nil {
		log.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, meta.Now)
	if err != nil {
		log.Fatal(err)
	}
	startProfile := func() {
		if *cpuProfile == "" {
			return
		}
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	stopProfile := func() {
		if *cpuProfile != "" {
			pprof.StopCPUProfile()
		}
		if *memProfile != "" {
			// The profile is as of the last collection: collect, so that
			// it has every allocation of the verification.
			goruntime.GC()
			f, err := os.Create(*memProfile)
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				log.Fatal(err)
			}
			f.Close()
		}
	}
	opts := verify.RevocationOptions{Now: now}
	ctx := context.Background()
	var res *verify.RevocationSetResult
	var d time.Duration
	wasm := ""
	switch *runtime {
	case "native":
		startProfile()
		t := time.Now()
		res, err = verify.RevocationSet(doc, ring, opts)
		d = time.Since(t)
		stopProfile()
	case "wazero":
		o := host.Options{WaitForCompile: true, MaxInstances: 1, MemoryLimit: 4<<30 - 64<<10, NoDiskCache: *cache == "", CacheDir: *cache}
		v, err := host.New(ctx, o)
		if err != nil {
			log.Fatal(err)
		}
		// The instance exists before the clock starts.
		if _, err := v.Canonicalize(ctx, []byte("{}"), 0); err != nil {
			log.Fatal(err)
		}
		startProfile()
		t := time.Now()
		res, err = v.RevocationSet(ctx, doc, ring, opts)
		d = time.Since(t)
		stopProfile()
		if err != nil {
			// Out of memory and the like: the result of this run.
			fmt.Printf(`{"ms":%.1f,"error":%q,"peakRSS":%d}`+"\n", float64(d.Microseconds())/1000, err.Error(), peakRSS())
			return
		}
		// MaxInstances is 1: the instance that verified the set is the
		// one idle now.
		wasm = fmt.Sprintf(`,"wasmBytes":%d`, v.MemoryBytes())
	default:
		log.Fatalf("unknown runtime %q", *runtime)
	}
	if err != nil {
		log.Fatal(err)
	}
	if string(res.Code) != want {
		log.Printf("%s set: code %q (%s), want %q", *name, res.Code, res.Message, want)
	}
	fmt.Printf(`{"ms":%.1f,"code":%q,"message":%q,"peakRSS":%d%s}`+"\n", float64(d.Microseconds())/1000, res.Code, res.Message, peakRSS(), wasm)
}

// peakRSS is the process's VmHWM in bytes, or 0 where there is none.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}
