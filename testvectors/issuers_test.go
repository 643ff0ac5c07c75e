package testvectors

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
