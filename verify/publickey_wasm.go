package verify

// publicKey is the type of [Key.PublicKey] in the wasm build: a []byte, not
// crypto/ed25519's type, because importing crypto/ed25519 at all runs the
// initializer of its FIPS module, which keeps Go's whole Ed25519 signing
// and verifying code in the module, unused (30 KB of the gzipped .wasm).
type publicKey = []byte
