package host

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFingerprintFixtures: the Go collector's rules give, for every
// machine of the shared fixtures, the components the Node collector must
// give too (js/test reads the same file).
func TestFingerprintFixtures(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testvectors", "fingerprint", "collector.json"))
	require.NoError(t, err)
	var file struct {
		Cases []struct {
			Name string `json:"name"`
			Go   struct {
				GOOS   string `json:"goos"`
				GOARCH string `json:"goarch"`
			} `json:"go"`
			Sources    fingerprintSources `json:"sources"`
			Components map[string]string  `json:"components"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	require.NotEmpty(t, file.Cases)
	for _, c := range file.Cases {
		t.Run(c.Name, func(t *testing.T) {
			src := c.Sources
			src.GOOS, src.GOARCH = c.Go.GOOS, c.Go.GOARCH
			assert.Equal(t, c.Components, src.components())
		})
	}
}

// TestCollectFingerprintHere: on this machine the collector gives at
// least the components every system has, and the result hashes.
func TestCollectFingerprintHere(t *testing.T) {
	c := CollectFingerprint()
	assert.NotEmpty(t, c["platform"])
	assert.NotEmpty(t, c["arch"])
	for k, v := range c {
		assert.NotEmpty(t, v, k)
	}
}
