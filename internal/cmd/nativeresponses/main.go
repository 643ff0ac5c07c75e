// Command nativeresponses prints, as one JSON object, the native Go
// response to every test vector's request: {"<vector id>": "<response
// text>", ...}. Runtimes that call the wasm module (the npm package in Node
// and in Chromium) compare their responses with these byte for byte, so a
// difference between the module and native Go cannot hide behind an
// expectation that leaves out the message.
//
// Usage:
//
//	go run ./internal/cmd/nativeresponses [-vectors dir] [-out file]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
)

func main() {
	dir := flag.String("vectors", testvectors.Dir(), "directory holding the vector files")
	out := flag.String("out", "", "file to write (default: standard output)")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "nativeresponses:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	data, err := responses(dir)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// responses answers every vector's request, exactly the bytes the vector
// file holds, with the native request handler.
func responses(dir string) ([]byte, error) {
	files, err := testvectors.Load(dir)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, f := range files {
		for _, v := range f.Tests {
			m[v.ID] = string(api.Handle(v.Frame))
		}
	}
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
