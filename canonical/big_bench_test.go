package canonical_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/licverify/licverify/canonical"
)

// bigSet is a revocation set of n ids, members in canonical order.
func bigSet(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"epoch":1,"issued_at":"2026-01-01T00:00:00Z","revoked_ids":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"lic-%08d-0000-4000-8000-000000000000"`, i)
	}
	b.WriteString(`],"signature":"c2ln","valid_until":"2026-02-01T00:00:00Z"}`)
	return b.Bytes()
}

// forgedDoc is a document of n small top-level members whose names are
// not in canonical order, the shape of a forged set: every member must be
// checked for duplicates and sorted before a signature can be checked.
func forgedDoc(n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b bytes.Buffer
	b.WriteString(`{"epoch":1,"signature":"c2ln"`)
	name := make([]byte, 4)
	for i := range n {
		x := i
		for k := 3; k >= 0; k-- {
			name[k] = alphabet[x%len(alphabet)]
			x /= len(alphabet)
		}
		b.WriteString(`,"`)
		b.Write(name)
		b.WriteString(`":0`)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func benchSigned(b *testing.B, doc []byte) {
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := canonical.Signed(doc, 1<<30); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignedSet is a genuine-looking set of 1,000,000 ids (43 MB).
func BenchmarkSignedSet(b *testing.B) { benchSigned(b, bigSet(1_000_000)) }

// BenchmarkSignedForged is 1,000,000 small members out of order (9 MB).
func BenchmarkSignedForged(b *testing.B) { benchSigned(b, forgedDoc(1_000_000)) }
