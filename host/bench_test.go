package host

import (
	"context"
	"testing"
)

func BenchmarkCallCanonicalize(b *testing.B) {
	v := newVerifier(b, Options{})
	req := []byte(`{"op":"canonicalize","document":"{\"b\":1,\"a\":[1,2,3]}"}`)
	ctx := context.Background()
	for b.Loop() {
		if _, err := v.Call(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
