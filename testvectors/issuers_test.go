package testvectors

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/licverify/licverify/canonical"
	"github.com/stretchr/testify/require"
)

// recipes is issuers/recipes/manifest.json, the part these tests read.
type recipes struct {
	Recipes []struct {
		Recipe string  `json:"recipe"`
		Out    *string `json:"out"`
		Form   string  `json:"form"`
	} `json:"recipes"`
}

func loadRecipes(t *testing.T) recipes {
	data, err := os.ReadFile(filepath.Join(Dir(), "issuers", "recipes", "manifest.json"))
	require.NoError(t, err)
	var r recipes
	require.NoError(t, json.Unmarshal(data, &r))
	require.NotEmpty(t, r.Recipes)
	return r
}

// TestGoRecipeWritesItsOutput runs the Go recipe of docs/issuers.md and
// requires the committed output's bytes.
func TestGoRecipeWritesItsOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "go.json")
	cmd := exec.Command("go", "run", "./issuers/recipes/go", out)
	cmd.Dir = Dir()
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(Dir(), "issuers", "recipes", "out", "go.json"))
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "run make issuers")
}

// TestPHPRecipeWritesItsOutput runs the PHP recipe (php-cli, which
// .ci/run installs) and requires the committed output's bytes.
func TestPHPRecipeWritesItsOutput(t *testing.T) {
	php, err := exec.LookPath("php")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no php on PATH: CI must install php-cli (.ci/run)")
		}
		t.Skip("no php on PATH (apt-get install php-cli php-mbstring); skipping the PHP recipe")
	}
	out := filepath.Join(t.TempDir(), "php.json")
	msg, err := exec.Command(php, filepath.Join(Dir(), "issuers", "recipes", "php", "sign.php"), out).CombinedOutput()
	require.NoError(t, err, "%s", msg)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(Dir(), "issuers", "recipes", "out", "php.json"))
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "run make issuers")
}

// TestRFC8785RecipesAgree requires the recipes that write RFC 8785 to have
// written the same bytes: one form, one signature, in every language.
func TestRFC8785RecipesAgree(t *testing.T) {
	var first []byte
	n := 0
	for _, r := range loadRecipes(t).Recipes {
		if r.Form != "rfc8785" || r.Out == nil {
			continue
		}
		got, err := os.ReadFile(filepath.Join(Dir(), "issuers", "recipes", *r.Out))
		require.NoError(t, err)
		if first == nil {
			first = got
		}
		require.Equal(t, string(first), string(got), r.Recipe)
		n++
	}
	require.GreaterOrEqual(t, n, 3)
}

// TestIssuersDocQuotesRecipes requires docs/issuers.md to quote every
// recipe as its file is now, in a fenced block of its language.
func TestIssuersDocQuotesRecipes(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(Dir(), "..", "docs", "issuers.md"))
	require.NoError(t, err)
	lang := map[string]string{".py": "python", ".mjs": "js", ".go": "go", ".java": "java", ".php": "php"}
	for _, r := range loadRecipes(t).Recipes {
		src, err := os.ReadFile(filepath.Join(Dir(), "issuers", "recipes", r.Recipe))
		require.NoError(t, err)
		l, ok := lang[filepath.Ext(r.Recipe)]
		require.True(t, ok, r.Recipe)
		block := "```" + l + "\n" + string(src) + "```\n"
		require.True(t, strings.Contains(string(doc), block), "docs/issuers.md does not quote %s as it is", r.Recipe)
	}
}

// TestPythonFormIsWhatQuantumMetaSigned requires canonical's Python form of
// each genuine QuantumMeta document to be the very bytes the package
// handed to Ed25519, as issue.py recorded them.
func TestPythonFormIsWhatQuantumMetaSigned(t *testing.T) {
	dir := filepath.Join(Dir(), "issuers", "quantummeta")
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	var m struct {
		DefaultPassword string `json:"default_password"`
		Files           []struct {
			File          string          `json:"file"`
			Password      *string         `json:"password"`
			Encrypted     bool            `json:"encrypted"`
			SignedPayload *string         `json:"signed_payload"`
			Tampered      json.RawMessage `json:"tampered"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal(data, &m))
	checked := 0
	for _, f := range m.Files {
		if f.SignedPayload == nil || f.Tampered != nil {
			continue
		}
		t.Run(f.File, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join(dir, f.File))
			require.NoError(t, err)
			if f.Encrypted {
				password := m.DefaultPassword
				if f.Password != nil {
					password = *f.Password
				}
				doc = openQKey(t, doc, password)
			}
			payload, _, err := canonical.SignedForm(doc, len(doc), canonical.Python)
			require.NoError(t, err)
			require.Equal(t, *f.SignedPayload, string(payload))
		})
		checked++
	}
	require.GreaterOrEqual(t, checked, 6)
}

// TestPythonRecipeSignedThePythonForm requires the Python recipe's
// signature to verify over canonical's Python form of its output.
func TestPythonRecipeSignedThePythonForm(t *testing.T) {
	dir := filepath.Join(Dir(), "issuers", "recipes")
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	var m struct {
		PublicKey string `json:"public_key"`
	}
	require.NoError(t, json.Unmarshal(data, &m))
	pub, err := base64.StdEncoding.DecodeString(m.PublicKey)
	require.NoError(t, err)
	doc, err := os.ReadFile(filepath.Join(dir, "out", "python.json"))
	require.NoError(t, err)
	payload, sig, err := canonical.SignedForm(doc, len(doc), canonical.Python)
	require.NoError(t, err)
	var b64 string
	require.NoError(t, json.Unmarshal(sig, &b64))
	raw, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err)
	require.True(t, ed25519.Verify(pub, payload, raw), "%s", payload)
	rfc, _, err := canonical.SignedForm(doc, len(doc), canonical.RFC8785)
	require.NoError(t, err)
	require.False(t, ed25519.Verify(pub, rfc, raw), "the recipe's two forms differ, and it signed the python one")
}

// openQKey decrypts a .qkey file: salt(16) nonce(12) tag(16) ciphertext,
// PBKDF2-HMAC-SHA256 at 100,000 iterations, AES-256-GCM.
func openQKey(t *testing.T, data []byte, password string) []byte {
	require.GreaterOrEqual(t, len(data), 44)
	key, err := pbkdf2.Key(sha256.New, password, data[:16], 100_000, 32)
	require.NoError(t, err)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	plain, err := gcm.Open(nil, data[16:28], append(append([]byte{}, data[44:]...), data[28:44]...), nil)
	require.NoError(t, err)
	return plain
}
