package host_test

import (
	"context"
	"fmt"
	"log"

	"github.com/licverify/licverify/host"
)

// One Verifier per process; its methods answer what package verify
// answers, computed by the WebAssembly module every runtime shares.
func Example() {
	ctx := context.Background()
	v, err := host.New(ctx, host.Options{NoDiskCache: true})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close(ctx)

	canon, err := v.Canonicalize(ctx, []byte(`{"b": [1.0, 2e1], "a": "\u00e9"}`), 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(canon))

	fp, err := v.Fingerprint(ctx, []byte(`{"machine_id": "4c4c4544", "hostname": "build-01"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fp.MachineID)

	_, err = v.Canonicalize(ctx, []byte(`{"a": 1, "a": 2}`), 0)
	fmt.Println(err)
	// Output:
	// {"a":"é","b":[1,20]}
	// 8578c127c5a3bac28e9d083b44d9c7a6
	// canonical: duplicate member name "a" at byte 9
}
