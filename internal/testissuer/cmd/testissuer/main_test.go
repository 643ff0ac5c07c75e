package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licverify/licverify/internal/testissuer"
)

// TestMain lets the test binary stand in for the command, so the test
// below runs the real main in a child process.
func TestMain(m *testing.M) {
	if os.Getenv("TESTISSUER_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLineThenExitOnStdinClose: the command prints the README's one JSON
// line, serves at its url, and exits once its standard input closes.
func TestLineThenExitOnStdinClose(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TESTISSUER_RUN_MAIN=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(line, &got))
	url, _ := got["url"].(string)
	assert.Regexp(t, `^http://127\.0\.0\.1:[0-9]+$`, url)
	assert.Equal(t, testissuer.Keyring(), got["keys"])
	assert.Equal(t, "ql_test_key", got["api_key"])
	assert.Equal(t, "b28a923a-c747-49b2-bc90-d87004c10379", got["license_id"])
	assert.Equal(t, map[string]any{"cpu_id": "Intel-Core-i9-12900K", "disk_serial": "WD-ABC123456"}, got["fingerprint"])
	assert.Len(t, got, 5)

	resp, err := http.Get(url + "/_test/hits")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), "exits cleanly once stdin closes")
	_, err = http.Get(url + "/_test/hits")
	assert.Error(t, err, "and no longer listens")
}
