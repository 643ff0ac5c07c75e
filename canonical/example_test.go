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

func ExampleTransformForm() {
	doc := []byte(`{"user": "Zoë", "seats": 5.0, "ratio": 1e-7, "😀": 1, "ﬁ": 2}`)
	for _, f := range canonical.Forms {
		out, err := canonical.TransformForm(doc, 0, f)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %s\n", f, out)
	}
	// Output:
	// rfc8785: {"ratio":1e-7,"seats":5,"user":"Zoë","😀":1,"ﬁ":2}
	// python: {"ratio":1e-07,"seats":5.0,"user":"Zo\u00eb","\ufb01":2,"\ud83d\ude00":1}
}

func ExampleMessage_Form() {
	m, err := canonical.NewMessage([]byte(`{"id": "L-1", "n": 2, "signature": "c2ln"}`), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	// ASCII and integers only: the forms are the same bytes, so a verifier
	// checks the signature once.
	payload, same := m.Form(canonical.Python)
	fmt.Println(string(payload), same)
	// Output:
	// {"id":"L-1","n":2} true
}
