package canonical_test

import (
	"fmt"

	"github.com/licverify/licverify/canonical"
)

func ExampleTransform() {
	doc := []byte(`{ "b": [1.50, 1e3, "\u20ac"], "a": {"z": null, "y": true} }`)
	out, err := canonical.Transform(doc, canonical.DefaultLimit)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))

	// Duplicate names are refused, even when spelled differently.
	_, err = canonical.Transform([]byte(`{"a": 1, "\u0061": 2}`), 0)
	fmt.Println(canonical.IsCode(err, canonical.CodeDuplicateKey))
	// Output:
	// {"a":{"y":true,"z":null},"b":[1.5,1000,"€"]}
	// true
}

func ExampleSigned() {
	doc := []byte(`{"license_id": "L-1", "signature": "c2lnbmF0dXJl", "seats": 5}`)
	payload, signature, err := canonical.Signed(doc, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(payload))
	fmt.Println(string(signature))
	// Output:
	// {"license_id":"L-1","seats":5}
	// "c2lnbmF0dXJl"
}
