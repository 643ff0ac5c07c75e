package verify

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
)

// qkFuzzOpen decrypts a file as the format says, with the test's iteration
// count, independently of qkeyDecrypt.
func qkFuzzOpen(file []byte) ([]byte, bool) {
	if len(file) < 44 {
		return nil, false
	}
	key, err := pbkdf2.Key(sha256.New, DefaultQKeyPassword, file[:16], qkeyIterations, 32)
	if err != nil {
		return nil, false
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	sealed := append(append([]byte{}, file[44:]...), file[28:44]...)
	plain, err := gcm.Open(nil, file[16:28], sealed, nil)
	return plain, err == nil
}

// FuzzQKey: no file makes QKey panic; a valid signed result comes only
// from JSON (plain, or decrypted here independently) whose signature
// verifies; a valid unsigned one only when unsigned licenses are allowed
// and the JSON has no signature. PBKDF2 runs one iteration here so that
// the fuzzer explores the decryption path at speed; the vectors and
// TestQKeyEncrypted pin the real 100,000.
func FuzzQKey(f *testing.F) {
	qkCheap(f)
	var ring *Keyring
	seeds := 0
	for _, req := range licVectorRequests(f, "qkey") {
		file, err := base64.StdEncoding.DecodeString(req["qkey_b64"].(string))
		if err != nil {
			f.Fatal(err)
		}
		if ring == nil {
			if r, err := ParseKeyring([]byte(req["keys"].(string))); err == nil && r.Len() == 1 {
				ring = r
			}
		}
		allow, _ := req["allow_unsigned"].(bool)
		f.Add(file, allow)
		if qkeyIsPlain(file) {
			// The same JSON encrypted at the test's iteration count.
			f.Add(qkTestSeal(f, file, DefaultQKeyPassword, 1, false), allow)
		}
		seeds++
	}
	if seeds == 0 || ring == nil {
		f.Fatal("no seed loaded from testvectors/qkey.json")
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, file []byte, allowUnsigned bool) {
		res, err := QKey(file, ring, QKeyOptions{Now: now, AllowUnsigned: allowUnsigned})
		if err != nil {
			t.Fatalf("error for valid options: %v", err)
		}
		if res.Valid != (res.Code == CodeOK) {
			t.Fatalf("valid %v with code %s", res.Valid, res.Code)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
		if res.Package == "" {
			if res.Valid {
				t.Fatal("valid without claims")
			}
			return
		}
		candidates := [][]byte{bytes.TrimLeft(file, " \t\r\n")}
		if plain, ok := qkFuzzOpen(file); ok {
			candidates = append(candidates, plain)
		}
		for _, c := range candidates {
			if res.Signed && licFuzzVerifies(c, ring) {
				return
			}
			if !res.Signed && allowUnsigned {
				if _, sig, err := canonical.Signed(c, 0); err == nil && sig == nil {
					return
				}
			}
		}
		t.Fatalf("claims (%s, signed %v) for a file that neither verifies nor is allowed unsigned", res.Code, res.Signed)
	})
}
