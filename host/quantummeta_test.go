package host

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeMachine is a machine of testvectors/fingerprint/quantummeta.json.
type fakeMachine struct {
	Platform string              `json:"platform"`
	Env      map[string]string   `json:"env"`
	FS       map[string]fakeFile `json:"fs"`
	// Runs are the commands the rules may run, by argv.
	Runs       map[string]qmRun `json:"runs"`
	Interfaces []qmInterface    `json:"interfaces"`
	Uname      struct {
		Nodename string `json:"nodename"`
		Machine  string `json:"machine"`
	} `json:"uname"`
	t *testing.T
}

type fakeFile struct {
	Kind     string `json:"kind"`
	Exec     bool   `json:"exec"`
	Writable bool   `json:"writable"`
	Text     string `json:"text"`
}

func (m *fakeMachine) platform() string { return m.Platform }

func (m *fakeMachine) getenv(k string) (string, bool) {
	v, ok := m.Env[k]
	return v, ok
}

func (m *fakeMachine) stat(p string) qmStat {
	f := m.FS[p]
	return qmStat{Kind: f.Kind, Exec: f.Exec, Writable: f.Writable}
}

func (m *fakeMachine) read(p string, limit int) qmFile {
	f, ok := m.FS[p]
	switch {
	case !ok:
		return qmFile{kind: "missing"}
	case f.Kind != "file":
		return qmFile{kind: f.Kind}
	case len(f.Text) > limit:
		return qmFile{kind: "large"}
	}
	return qmFile{kind: "ok", data: []byte(f.Text)}
}

func (m *fakeMachine) run(p, name string, args ...string) qmRun {
	argv := strings.Join(append([]string{name}, args...), " ")
	require.Equal(m.t, name, path.Base(p))
	r, ok := m.Runs[argv]
	require.True(m.t, ok, "the rules ran %q (%s), which the case does not list", argv, p)
	return r
}

func (m *fakeMachine) interfaces() []qmInterface { return m.Interfaces }

func (m *fakeMachine) uname() (string, string) { return m.Uname.Nodename, m.Uname.Machine }

type quantumMetaFixtures struct {
	About      string `json:"about"`
	CacheFiles []struct {
		Name   string `json:"name"`
		Text   string `json:"text"`
		Expect struct {
			MachineID string `json:"machine_id"`
			Decline   string `json:"decline"`
			Recompute string `json:"recompute"`
		} `json:"expect"`
	} `json:"cache_files"`
	Machines []struct {
		Name    string `json:"name"`
		Comment string `json:"comment"`
		fakeMachine
		Expect QuantumMetaMachineID `json:"expect"`
	} `json:"machines"`
}

func loadQuantumMetaFixtures(t *testing.T) quantumMetaFixtures {
	data, err := os.ReadFile(filepath.Join("..", "testvectors", "fingerprint", "quantummeta.json"))
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f quantumMetaFixtures
	require.NoError(t, dec.Decode(&f))
	require.NotEmpty(t, f.CacheFiles)
	require.NotEmpty(t, f.Machines)
	return f
}

// TestQuantumMetaCacheFiles: what get_machine_id() makes of a cache
// file's text, as Python's json module reads it (the Python tests hold
// the fixtures to QuantumMeta's own reader).
func TestQuantumMetaCacheFiles(t *testing.T) {
	for _, c := range loadQuantumMetaFixtures(t).CacheFiles {
		t.Run(c.Name, func(t *testing.T) {
			id, decline, recompute := qmClassify("machine_id.json", []byte(c.Text))
			assert.Equal(t, c.Expect.MachineID, id, "machine_id")
			assert.Equal(t, c.Expect.Decline, decline, "decline")
			assert.Equal(t, c.Expect.Recompute, recompute, "recompute")
		})
	}
}

// TestQuantumMetaMachines: the rules on every fixture machine give the
// result every collector must give.
func TestQuantumMetaMachines(t *testing.T) {
	for _, c := range loadQuantumMetaFixtures(t).Machines {
		t.Run(c.Name, func(t *testing.T) {
			m := c.fakeMachine
			m.t = t
			assert.Equal(t, c.Expect, quantumMeta(&m))
		})
	}
}

// quantumMetaPython is the Python of python/run-tests.sh's venv, which
// has quantummeta-license installed; "" (the test skipped) when it is
// absent outside CI.
func quantumMetaPython(t *testing.T) string {
	t.Helper()
	python, _ := filepath.Abs(filepath.Join("..", "python", ".venv", "bin", "python"))
	if err := exec.Command(python, "-c", "import quantummeta_license.core.hardware").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import quantummeta_license (%v): run python/run-tests.sh --setup", python, err)
		}
		t.Skipf("not checked against QuantumMeta's get_machine_id(): %s cannot import quantummeta_license (python/run-tests.sh --setup makes it)", python)
	}
	return python
}

// getMachineID runs QuantumMeta's get_machine_id() with its cache under
// cacheHome.
func getMachineID(t *testing.T, python, cacheHome string) string {
	t.Helper()
	cmd := exec.Command(python, "-c", "from quantummeta_license.core.hardware import get_machine_id; print(get_machine_id())")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cacheHome)
	out, err := cmd.Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func linuxOnly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the cache is placed by XDG_CACHE_HOME on Linux only")
	}
}

// TestQuantumMetaAgainstGetMachineID: with the cache QuantumMeta wrote,
// the collector reports its id; without one, it reports the id
// get_machine_id() computes, or says why not, and then a second
// computation must indeed differ where it says an input is random.
func TestQuantumMetaAgainstGetMachineID(t *testing.T) {
	linuxOnly(t)
	python := quantumMetaPython(t)

	cached := t.TempDir()
	want := getMachineID(t, python, cached)
	t.Setenv("XDG_CACHE_HOME", cached)
	got := CollectQuantumMetaMachineID()
	assert.Equal(t, QuantumMetaMachineID{ID: want, Source: "cache", Path: filepath.Join(cached, "quantummeta", "machine_id.json")}, got)

	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	got = CollectQuantumMetaMachineID()
	require.True(t, (got.ID != "") != (got.Reason != ""), "an id or a reason, not both or neither: %+v", got)
	first := getMachineID(t, python, t.TempDir())
	if got.ID != "" {
		assert.Equal(t, "computed", got.Source)
		assert.Equal(t, first, got.ID)
		return
	}
	t.Logf("unavailable here: %s", got.Reason)
	assert.Contains(t, got.Reason, "so get_machine_id() computes a new id, and ")
	if strings.Contains(got.Reason, "uses a random UUID") {
		assert.NotEqual(t, first, getMachineID(t, python, t.TempDir()), "get_machine_id() gave the same id twice, which the reason says it cannot")
	}
}

// TestQuantumMetaIsNotAFingerprintComponent: only a caller that asks for
// it by name gets it.
func TestQuantumMetaIsNotAFingerprintComponent(t *testing.T) {
	linuxOnly(t)
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	require.NoError(t, os.Mkdir(filepath.Join(home, "quantummeta"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, "quantummeta", "machine_id.json"), []byte(`{"machine_id": "3f2a9c0d5e6b7a8190fedcba12345678"}`), 0o600))
	c := CollectFingerprint()
	assert.NotContains(t, c, "quantummeta_machine_id")
	for k, v := range c {
		assert.NotEqual(t, "3f2a9c0d5e6b7a8190fedcba12345678", v, k)
	}
}
