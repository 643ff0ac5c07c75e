package host

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func newVerifier(t testing.TB, opts Options) *Verifier {
	t.Helper()
	if opts.CacheDir == "" {
		opts.NoDiskCache = true
	}
	v, err := New(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { v.Close(context.Background()) })
	return v
}

func TestCallCanonicalize(t *testing.T) {
	v := newVerifier(t, Options{})
	resp, err := v.Call(context.Background(), []byte(`{"op":"canonicalize","document":"{\"b\":1,\"a\":2}"}`))
	require.NoError(t, err)
	require.JSONEq(t, `{"valid":true,"code":"ok","message":"canonical form computed","canonical":"{\"a\":2,\"b\":1}"}`, string(resp))
}
