// Command gen writes the demo's sample files into examples/demo (or -out).
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/licverify/licverify/examples/demo"
)

func main() {
	out := flag.String("out", "examples/demo", "directory to write the samples to")
	flag.Parse()
	files := demo.Files()
	for _, name := range demo.Names() {
		if err := os.WriteFile(filepath.Join(*out, name), files[name], 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
