package verify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// qkTestSeal encrypts plain as the format says, independently of
// qkeyDecrypt: salt ‖ nonce ‖ tag ‖ ciphertext. tagLast writes Go's own
// ciphertext ‖ tag order instead, which must not decrypt.
func qkTestSeal(t testing.TB, plain []byte, password string, iterations int, tagLast bool) []byte {
	seed := sha256.Sum256(append([]byte("qkey unit test salt "), plain...))
	salt, nonce := seed[:16], seed[16:28]
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	require.NoError(t, err)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	sealed := gcm.Seal(nil, nonce, plain, nil)
	out := append(append([]byte{}, salt...), nonce...)
	if tagLast {
		return append(out, sealed...)
	}
	ct, tag := sealed[:len(plain)], sealed[len(plain):]
	return append(append(out, tag...), ct...)
}

func qkTestDoc() map[string]any {
	return map[string]any{
		"package":    "Quantum-Sim ",
		"user":       "researcher@university.edu",
		"machine_id": "A1B2C3D4E5F67890123456789ABCDEF0",
		"issued":     "2025-07-15T09:00:00",
		"expires":    "2026-07-15",
		"features":   []any{"Core", "pro", "CORE"},
	}
}

// qkCheap makes PBKDF2 cheap for the duration of a test.
func qkCheap(t testing.TB) {
	old := qkeyIterations
	qkeyIterations = 1
	t.Cleanup(func() { qkeyIterations = old })
}

var qkTestNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestQKeyEncrypted(t *testing.T) {
	ring := licTestRing(t, "vendor")
	plain := licSign(t, licTestKey("vendor"), qkTestDoc())
	file := qkTestSeal(t, plain, DefaultQKeyPassword, 100_000, false)
	res, err := QKey(file, ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	assert.Equal(t, "quantum-sim", res.Package)
	assert.Equal(t, "a1b2c3d4e5f67890123456789abcdef0", res.MachineID)
	assert.Equal(t, []string{"core", "pro"}, res.Features)
	assert.Equal(t, time.Date(2025, 7, 15, 9, 0, 0, 0, time.UTC), res.Issued)
	assert.Equal(t, time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC), res.Expires)
	assert.Equal(t, int64(135), res.DaysLeft)
	assert.True(t, res.Signed)

	// The tag after the ciphertext (Go's own layout) is not the format.
	res, err = QKey(qkTestSeal(t, plain, DefaultQKeyPassword, 100_000, true), ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	assert.Equal(t, CodeDecryptFailed, res.Code)
	// One iteration fewer derives another key.
	res, err = QKey(qkTestSeal(t, plain, DefaultQKeyPassword, 99_999, false), ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	assert.Equal(t, CodeDecryptFailed, res.Code)
}

// TestQKeyFlipEveryByte: a change anywhere in an encrypted file is
// decrypt_failed (GCM authenticates the ciphertext; the salt and nonce
// change the key and the tag mask).
func TestQKeyFlipEveryByte(t *testing.T) {
	qkCheap(t)
	ring := licTestRing(t, "vendor")
	file := qkTestSeal(t, licSign(t, licTestKey("vendor"), qkTestDoc()), DefaultQKeyPassword, 1, false)
	res, err := QKey(file, ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	for i := range file {
		forged := append([]byte(nil), file...)
		forged[i] ^= 0x80
		res, err := QKey(forged, ring, QKeyOptions{Now: qkTestNow})
		require.NoError(t, err)
		require.Equal(t, CodeDecryptFailed, res.Code, "byte %d", i)
	}
	for n := 0; n < qkeyHeaderSize; n++ {
		res, err := QKey(file[:n], ring, QKeyOptions{Now: qkTestNow})
		require.NoError(t, err)
		require.Equal(t, CodeDecryptFailed, res.Code, "%d bytes", n)
	}
}

func TestQKeyMisuse(t *testing.T) {
	ring := licTestRing(t, "vendor")
	tests := []struct {
		name string
		ring *Keyring
		opts QKeyOptions
	}{
		{"nil keyring", nil, QKeyOptions{Now: qkTestNow}},
		{"zero now", ring, QKeyOptions{}},
		{"blank package", ring, QKeyOptions{Now: qkTestNow, Package: " \t"}},
		{"machine id 31", ring, QKeyOptions{Now: qkTestNow, MachineID: strings.Repeat("a", 31)}},
		{"machine id not hex", ring, QKeyOptions{Now: qkTestNow, MachineID: strings.Repeat("g", 32)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := QKey([]byte(`{}`), tt.ring, tt.opts)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrMisuse))
			assert.Nil(t, res)
		})
	}
}

func TestQKeyHas(t *testing.T) {
	ring := licTestRing(t, "vendor")
	res, err := QKey(licSign(t, licTestKey("vendor"), qkTestDoc()), ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	require.True(t, res.Valid, res.Message)
	assert.True(t, res.Has("core"))
	assert.True(t, res.Has("CORE"))
	assert.True(t, res.Has("Pro"))
	assert.False(t, res.Has("enterprise"))
	assert.False(t, res.Has(" core"), "features are not trimmed")

	expired, err := QKey(licSign(t, licTestKey("vendor"), qkTestDoc()), ring, QKeyOptions{Now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, CodeExpired, expired.Code)
	assert.Equal(t, []string{"core", "pro"}, expired.Features, "claims are reported")
	assert.False(t, expired.Has("core"), "an invalid license grants nothing")
	var none *QKeyResult
	assert.False(t, none.Has("core"))
}

func TestQKeyUnsigned(t *testing.T) {
	ring := licTestRing(t, "vendor")
	doc, _ := json.Marshal(qkTestDoc())
	res, err := QKey(doc, ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	assert.Equal(t, CodeSignatureMissing, res.Code)
	assert.Empty(t, res.Package, "no claims before the signature step")

	res, err = QKey(doc, ring, QKeyOptions{Now: qkTestNow, AllowUnsigned: true})
	require.NoError(t, err)
	assert.True(t, res.Valid)
	assert.False(t, res.Signed)
	assert.True(t, res.Has("pro"))

	other := licSign(t, licTestKey("stranger"), qkTestDoc())
	res, err = QKey(other, ring, QKeyOptions{Now: qkTestNow, AllowUnsigned: true})
	require.NoError(t, err)
	assert.Equal(t, CodeBadSignature, res.Code, "allowing unsigned never skips a signature that is there")
}

func TestQKeyIsPlain(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"object", `{"a":1}`, true},
		{"spaces", " \r\n\t{}", true},
		{"array", `[]`, false},
		{"empty", ``, false},
		{"spaces only", `   `, false},
		{"bom", "\xef\xbb\xbf{}", false},
		{"brace then binary", "{\xff\xfe", false},
		{"form feed", "\f{}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, qkeyIsPlain([]byte(tt.in)))
		})
	}
}

func TestQKeyParseTime(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // RFC 3339 UTC, or "" for invalid
	}{
		{"date", "2025-07-15", "2025-07-15T00:00:00Z"},
		{"date-time", "2025-07-15T10:30:00", "2025-07-15T10:30:00Z"},
		{"micro", "2025-07-15T10:30:00.123456", "2025-07-15T10:30:00.123456Z"},
		{"nano", "2025-07-15T10:30:00.123456789Z", "2025-07-15T10:30:00.123456789Z"},
		{"offset", "2025-07-15T10:30:00+05:00", "2025-07-15T05:30:00Z"},
		{"negative offset", "2025-07-15T22:30:00-03:30", "2025-07-16T02:00:00Z"},
		{"fraction and offset", "2025-07-15T10:30:00.5+01:00", "2025-07-15T09:30:00.5Z"},
		{"Z", "2025-07-15T10:30:00Z", "2025-07-15T10:30:00Z"},
		{"lower z", "2025-07-15T10:30:00z", ""},
		{"no seconds", "2025-07-15T10:30", ""},
		{"space", "2025-07-15 10:30:00", ""},
		{"offset no colon", "2025-07-15T10:30:00+0500", ""},
		{"offset hour 24", "2025-07-15T10:30:00+24:00", ""},
		{"offset minute 60", "2025-07-15T10:30:00+01:60", ""},
		{"ten digits", "2025-07-15T10:30:00.1234567890", ""},
		{"empty fraction", "2025-07-15T10:30:00.", ""},
		{"feb 29 2025", "2025-02-29", ""},
		{"month 0", "2025-00-10", ""},
		{"hour 24", "2025-07-15T24:00:00", ""},
		{"second 60", "2025-07-15T23:59:60", ""},
		{"short year", "25-07-15", ""},
		{"week date", "2025-W29-2", ""},
		{"ordinal", "2025-196", ""},
		{"trailing", "2025-07-15T10:30:00Zjunk", ""},
		{"year 0 to -1", "0000-01-01T00:30:00+01:00", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qkeyParseTime("issued", tt.in)
			if tt.want == "" {
				require.NotNil(t, err, "parsed as %v", got)
				assert.Equal(t, CodeInvalidField, err.Code)
				return
			}
			require.Nil(t, err)
			assert.Equal(t, tt.want, got.Format(time.RFC3339Nano))
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestQKeyJSON(t *testing.T) {
	ring := licTestRing(t, "vendor")
	res, err := QKey([]byte("short"), ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	out, _ := json.Marshal(res)
	var got map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, []string{"code", "message", "valid"}, slices.Sorted(maps.Keys(got)))

	doc := qkTestDoc()
	doc["features"] = []any{}
	res, err = QKey(licSign(t, licTestKey("vendor"), doc), ring, QKeyOptions{Now: qkTestNow})
	require.NoError(t, err)
	out, _ = json.Marshal(res)
	got = nil
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, []any{}, got["features"], "an empty feature list is [], not null")
	assert.Equal(t, "2025-07-15T09:00:00Z", got["issued"])
}

func BenchmarkQKey(b *testing.B) {
	ring := licTestRing(b, "vendor")
	file := qkTestSeal(b, licSign(b, licTestKey("vendor"), qkTestDoc()), DefaultQKeyPassword, 100_000, false)
	b.ReportAllocs()
	for b.Loop() {
		res, _ := QKey(file, ring, QKeyOptions{Now: qkTestNow})
		if !res.Valid {
			b.Fatal(res.Message)
		}
	}
}

// BenchmarkQKeyPlain is the same license in plain JSON: everything but the
// key derivation and decryption.
func BenchmarkQKeyPlain(b *testing.B) {
	ring := licTestRing(b, "vendor")
	file := licSign(b, licTestKey("vendor"), qkTestDoc())
	b.ReportAllocs()
	for b.Loop() {
		res, _ := QKey(file, ring, QKeyOptions{Now: qkTestNow})
		if !res.Valid {
			b.Fatal(res.Message)
		}
	}
}
