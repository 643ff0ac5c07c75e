package host

import (
	"context"
	"testing"

	"github.com/licverify/licverify/internal/api"
)

func BenchmarkCallCanonicalize(b *testing.B) {
	v := newVerifier(b, Options{})
	req := mustEncode(api.NewRequest("canonicalize").Part("document", []byte(`{"b":1,"a":[1,2,3]}`)))
	ctx := context.Background()
	for b.Loop() {
		if _, err := v.Call(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
