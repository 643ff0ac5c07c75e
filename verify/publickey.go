//go:build !wasm

package verify

import "crypto/ed25519"

// publicKey is the type of [Key.PublicKey]: crypto/ed25519's, except in the
// wasm build (publickey_wasm.go).
type publicKey = ed25519.PublicKey
