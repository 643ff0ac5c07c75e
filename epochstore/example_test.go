package epochstore_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/licverify/licverify/epochstore"
)

func ExampleFile() {
	dir, err := os.MkdirTemp("", "licverify")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	store := epochstore.File(filepath.Join(dir, "epochs.json"))

	// Nothing stored yet: verify with MinEpoch 0.
	min, err := store.Get("issuer-a")
	fmt.Println("min_epoch", min, err)

	// A result said store_epoch 42: keep it.
	stored, err := store.Raise("issuer-a", 42)
	fmt.Println("stored", stored, err)

	// A replayed older document said store_epoch 40 (it would have been
	// refused with MinEpoch 42); the store never goes back.
	stored, err = store.Raise("issuer-a", 40)
	fmt.Println("stored", stored, err)

	// Another issuer's epochs are separate.
	min, err = store.Get("issuer-b")
	fmt.Println("issuer-b min_epoch", min, err)

	// Misuse is an error.
	_, err = store.Raise("issuer-a", -1)
	fmt.Println(err)

	data, _ := os.ReadFile(store.Path())
	fmt.Print(string(data))
	// Output:
	// min_epoch 0 <nil>
	// stored 42 <nil>
	// stored 42 <nil>
	// issuer-b min_epoch 0 <nil>
	// epochstore: misuse: an epoch must be an integer from 0 to 2^53, got -1
	// {
	//   "issuer-a": 42
	// }
}
