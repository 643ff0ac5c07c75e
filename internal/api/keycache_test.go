package api_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
)

// TestKeyringCacheIsInvisible answers every vector twice: once in file
// order, once in a shuffled order after every keyring has been seen (and
// the cache has been filled and cleared many times over). The responses
// must be byte-identical, so a cached keyring can never stand in for a
// different one.
func TestKeyringCacheIsInvisible(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	var reqs [][]byte
	for _, f := range files {
		for _, v := range f.Tests {
			reqs = append(reqs, v.Frame)
		}
	}
	require.NotEmpty(t, reqs)
	first := make([]string, len(reqs))
	for i, r := range reqs {
		first[i] = string(api.Handle(r))
	}
	order := rand.New(rand.NewPCG(1, 2)).Perm(len(reqs))
	for _, i := range order {
		assert.Equal(t, first[i], string(api.Handle(reqs[i])), "request %d", i)
	}
}

// TestKeyringCacheKeepsNoRefusal: a refused keyring is refused every time,
// and a valid keyring that differs from a cached one by one character is
// parsed on its own.
func TestKeyringCacheKeepsNoRefusal(t *testing.T) {
	const good = `[{"kid":"k","alg":"ed25519","public_key":"WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="}]`
	// The identity point: small order.
	weak := strings.Replace(good, "WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1)
	req := func(keys string) []byte {
		return api.MustFromJSON(`{"op":"status_proof","keys":` + quote(keys) + `,"now":"2026-01-01T00:00:00Z","proof":"{}"}`)
	}
	for range 3 {
		assert.Contains(t, string(api.Handle(req(weak))), `"code":"weak_key"`)
		assert.NotContains(t, string(api.Handle(req(good))), `"code":"weak_key"`)
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
