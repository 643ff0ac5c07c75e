package api

import (
	"sync"

	"github.com/licverify/licverify/verify"
)

// A host sends its keyring with every request, and checking it (base64,
// point decoding, the small-order test) costs about as much as the rest of
// a status-proof verification. keyCache keeps the last few keyrings that
// loaded, under their exact text: a Keyring is immutable once built and
// depends on nothing but those bytes, so a hit is the same keyring a fresh
// parse would give. Refused keyrings are not kept; they are parsed, and
// refused, every time.
const (
	keyCacheEntries  = 8
	keyCacheMaxBytes = 64 << 10 // larger keyrings are parsed every time
)

var keyCache = struct {
	sync.Mutex
	rings map[string]*verify.Keyring
}{rings: map[string]*verify.Keyring{}}

func cachedKeyring(text []byte) *verify.Keyring {
	if len(text) > keyCacheMaxBytes {
		return nil // never cached
	}
	keyCache.Lock()
	defer keyCache.Unlock()
	return keyCache.rings[string(text)]
}

func cacheKeyring(text []byte, ring *verify.Keyring) {
	if len(text) > keyCacheMaxBytes {
		return
	}
	keyCache.Lock()
	defer keyCache.Unlock()
	if len(keyCache.rings) >= keyCacheEntries {
		// Forgetting everything keeps this simple and bounded; a host that
		// rotates through more than keyCacheEntries keyrings only loses the
		// saving, never correctness.
		clear(keyCache.rings)
	}
	keyCache.rings[string(text)] = ring
}
