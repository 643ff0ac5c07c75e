// Command forged verifies one of the 64 MiB revocation sets of bench/gen
// (meta.json's "big": a forged one and a genuine one of the same size) in
// one process, natively (verify.RevocationSet) or in wazero
// (host.Verifier.RevocationSet, with a memory limit of 4 GiB less a page,
// the most wasm32 has), and prints the verdict, the time to it and the
// process's peak RSS as JSON. run.mjs runs it once per runtime and set,
// each in a new process so that the peak is that set's, and stops it after
// its time limit.
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
	opts := verify.RevocationOptions{Now: now}
	ctx := context.Background()
	var res *verify.RevocationSetResult
	var d time.Duration
	switch *runtime {
	case "native":
		t := time.Now()
		res, err = verify.RevocationSet(doc, ring, opts)
		d = time.Since(t)
	case "wazero":
		o := host.Options{MaxInstances: 1, MemoryLimit: 4<<30 - 64<<10, NoDiskCache: *cache == "", CacheDir: *cache}
		v, err := host.New(ctx, o)
		if err != nil {
			log.Fatal(err)
		}
		// The instance exists before the clock starts.
		if _, err := v.Canonicalize(ctx, []byte("{}"), 0); err != nil {
			log.Fatal(err)
		}
		t := time.Now()
		res, err = v.RevocationSet(ctx, doc, ring, opts)
		d = time.Since(t)
		if err != nil {
			// Out of memory and the like: the result of this run.
			fmt.Printf(`{"ms":%.1f,"error":%q,"peakRSS":%d}`+"\n", float64(d.Microseconds())/1000, err.Error(), peakRSS())
			return
		}
	default:
		log.Fatalf("unknown runtime %q", *runtime)
	}
	if err != nil {
		log.Fatal(err)
	}
	if string(res.Code) != want {
		log.Fatalf("%s set: code %q (%s), want %q", *name, res.Code, res.Message, want)
	}
	fmt.Printf(`{"ms":%.1f,"code":%q,"peakRSS":%d}`+"\n", float64(d.Microseconds())/1000, res.Code, peakRSS())
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
