// Command startup is one process's start-up with the wazero host, for the
// start-up table of `make bench`: it creates a host.Verifier with the
// given compilation cache directory (empty: a cold compile; written by an
// earlier process: warm), verifies one request, and prints the times of
// both steps as a JSON line the moment it has the verdict. run.mjs times
// the process from outside to that line (a new process → its first
// verdict) and to its exit. Then it closes the Verifier, as a program does
// before it exits (a host that compiles in the background writes the
// cache for the next process then), and prints the time Close took as a
// second JSON line.
// The request file is a request frame, or a request in the test vectors'
// JSON form, which is turned into its frame before the clock starts.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/licverify/licverify/host"
	"github.com/licverify/licverify/internal/api"
)

func main() {
	cache := flag.String("cache", "", "compilation cache directory")
	request := flag.String("request", "", "file holding the request to verify")
	flag.Parse()
	req, err := os.ReadFile(*request)
	if err != nil {
		log.Fatal(err)
	}
	if !bytes.HasPrefix(req, []byte(api.Magic)) {
		if req, err = api.FromJSON(req); err != nil {
			log.Fatalf("%s: %v", *request, err)
		}
	}
	ctx := context.Background()
	t0 := time.Now()
	v, err := host.New(ctx, host.Options{CacheDir: *cache})
	if err != nil {
		log.Fatal(err)
	}
	t1 := time.Now()
	resp, err := v.Call(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	t2 := time.Now()
	var r struct {
		Valid bool `json:"valid"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || !r.Valid {
		log.Fatalf("not a valid result: %.300s", resp)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf(`{"newMs":%.3f,"firstCallMs":%.3f}`+"\n", ms(t1.Sub(t0)), ms(t2.Sub(t1)))
	t3 := time.Now()
	if err := v.Close(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf(`{"closeMs":%.3f}`+"\n", ms(time.Since(t3)))
}
