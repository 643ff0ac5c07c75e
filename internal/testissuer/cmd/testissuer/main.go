// Command testissuer runs the lifecycle tests' issuer
// (testvectors/lifecycle/README.md) on 127.0.0.1 at a free port, prints
// one JSON line — url, keys, api_key, license_id, fingerprint — and exits
// when its standard input closes, so a test that dies leaves no server
// behind.
//
//	go run ./internal/testissuer/cmd/testissuer
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/licverify/licverify/internal/testissuer"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatalf("testissuer: %v", err)
	}
	srv := &http.Server{Handler: testissuer.New(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != http.ErrServerClosed {
			log.Fatalf("testissuer: %v", err)
		}
	}()
	line, err := json.Marshal(testissuer.NewInfo("http://" + ln.Addr().String()))
	if err != nil {
		log.Fatalf("testissuer: %v", err)
	}
	fmt.Printf("%s\n", line)

	// Standard input closing (the parent exited or closed the pipe) is
	// the signal to stop.
	io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	srv.Shutdown(ctx)
}
