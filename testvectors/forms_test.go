package testvectors

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/licverify/licverify/internal/cpython"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// TestFormsSignedBytesAreCPython holds every Python-form vector to the
// real producer: each signed document's signature verifies over the bytes
// CPython's json.dumps(doc minus signature, sort_keys=True,
// separators=(',', ':')) writes for it, unless the vector tampered with
// it after signing, when it must not. The vectors' Python-form payloads
// were written by canonical.Python; this test does not use it.
func TestFormsSignedBytesAreCPython(t *testing.T) {
	py := cpython.Start(t)
	files, err := Load(Dir())
	require.NoError(t, err)
	checked := 0
	for _, f := range files {
		for _, v := range f.Tests {
			// A vector mixing forms (RFC8785 too) has documents of both.
			if !slices.Contains(v.Flags, "Python") || slices.Contains(v.Flags, "RFC8785") {
				continue
			}
			var req map[string]any
			require.NoError(t, json.Unmarshal(v.Request, &req))
			ring, err := verify.ParseKeyring([]byte(req["keys"].(string)))
			require.NoError(t, err, v.ID)
			for _, doc := range signedDocuments(t, req) {
				var m map[string]any
				require.NoError(t, json.Unmarshal(doc, &m), v.ID)
				sig, err := base64.StdEncoding.DecodeString(m["signature"].(string))
				require.NoError(t, err, v.ID)
				_, signed, err := py.Dumps(doc)
				require.NoError(t, err, v.ID)
				verified := false
				for _, k := range ring.Keys() {
					verified = verified || ed25519.Verify(ed25519.PublicKey(k.PublicKey), signed, sig)
				}
				tampered := slices.Contains(v.Flags, "Tamper")
				require.Equal(t, !tampered, verified, "%s: signature over CPython's %s", v.ID, signed)
				checked++
			}
		}
	}
	require.Greater(t, checked, 20)
	fmt.Printf("forms: %d Python-form documents checked against CPython's json.dumps\n", checked)
}

// signedDocuments returns the signed documents a request carries, as
// text: a status proof (bare, wrapped or compact), a set and its deltas,
// a license.key, or a .qkey (decrypted with the default password).
func signedDocuments(t *testing.T, req map[string]any) [][]byte {
	t.Helper()
	var docs [][]byte
	switch req["op"] {
	case "status_proof":
		p := strings.TrimSpace(req["proof"].(string))
		if !strings.HasPrefix(p, "{") {
			b, err := base64.StdEncoding.DecodeString(p)
			require.NoError(t, err)
			return [][]byte{b}
		}
		var w map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(p), &w))
		if inner, ok := w["proof"]; ok {
			return [][]byte{inner}
		}
		return [][]byte{[]byte(p)}
	case "revocation_set":
		docs = append(docs, []byte(req["set"].(string)))
		if ds, ok := req["deltas"].([]any); ok {
			for _, d := range ds {
				docs = append(docs, []byte(d.(string)))
			}
		}
	case "license":
		docs = append(docs, []byte(req["license"].(string)))
	case "qkey":
		if s, ok := req["qkey"].(string); ok {
			return [][]byte{[]byte(s)}
		}
		file, err := base64.StdEncoding.DecodeString(req["qkey_b64"].(string))
		require.NoError(t, err)
		key, err := pbkdf2.Key(sha256.New, "quantummeta", file[:16], 100_000, 32)
		require.NoError(t, err)
		block, err := aes.NewCipher(key)
		require.NoError(t, err)
		gcm, err := cipher.NewGCM(block)
		require.NoError(t, err)
		plain, err := gcm.Open(nil, file[16:28], append(slices.Clone(file[44:]), file[28:44]...), nil)
		require.NoError(t, err)
		docs = append(docs, plain)
	default:
		t.Fatalf("no signed document in a %v request", req["op"])
	}
	return docs
}
