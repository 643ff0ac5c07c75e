//go:build linux

package epochstore_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/licverify/licverify/epochstore"
)

// secretServiceChild marks the child process of TestKeychainSecretService,
// the one that runs inside the private session bus.
const secretServiceChild = "LICVERIFY_EPOCHSTORE_SECRET_SERVICE"

// secretServiceScript runs in the private session bus that
// dbus-run-session starts. It starts GNOME Keyring with its login keyring
// created (in the private HOME) and unlocked with the password given on
// standard input, as PAM does at login; then has it register the Secret
// Service on the bus (rather than leaving that to D-Bus activation); then
// runs the test binary ("$@").
const secretServiceScript = `printf %s licverify-test | gnome-keyring-daemon --unlock --components=secrets >&2 || exit 1
gnome-keyring-daemon --start --components=secrets >&2 || exit 1
exec "$@"`

// TestKeychainSecretService checks the Keychain store against a real
// Secret Service: GNOME Keyring, started by the test in a private D-Bus
// session bus with a private HOME, so that no keyring of the user is read
// or changed. The test binary runs itself again inside
//
//	dbus-run-session -- sh -c 'printf %s PASSWORD | gnome-keyring-daemon --unlock --components=secrets
//		gnome-keyring-daemon --start --components=secrets
//		exec TEST-BINARY -test.run ...'
//
// It needs, on Debian 12 (bookworm):
//
//	apt-get install -y --no-install-recommends gnome-keyring dbus-daemon
//
// gnome-keyring gives gnome-keyring-daemon; dbus-daemon gives
// dbus-run-session and dbus-daemon (and pulls in dbus-session-bus-common,
// the session bus configuration). gnome-keyring also needs a package
// providing dbus-session-bus (dbus-user-session or dbus-x11), which apt
// picks when none is installed. Without these commands the test skips
// and says which are missing, except with CI=true, where it fails.
func TestKeychainSecretService(t *testing.T) {
	if os.Getenv(secretServiceChild) == "1" {
		// Inside the private bus: the real checks, with the OS keyring.
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			t.Fatal("no session bus: DBUS_SESSION_BUS_ADDRESS is not set")
		}
		checkKeychain(t, "licverify-epochstore-test")
		checkConcurrent(t, "concurrent", epochstore.Keychain("licverify-epochstore-test"))
		return
	}

	var missing []string
	for _, cmd := range []string{"dbus-run-session", "dbus-daemon", "gnome-keyring-daemon", "sh"} {
		if _, err := exec.LookPath(cmd); err != nil {
			missing = append(missing, cmd)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("no Secret Service can be started: %s not found in PATH "+
			"(Debian: apt-get install -y --no-install-recommends gnome-keyring dbus-daemon)",
			strings.Join(missing, ", "))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI=true, so this fails instead of skipping")
		}
		t.Skip(msg)
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	home, err := os.MkdirTemp("", "epochstore-keyring-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// gnome-keyring-daemon may still be leaving when the bus ends.
		for range 50 {
			if os.RemoveAll(home) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	runtimeDir := filepath.Join(home, "run")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}

	timeout := 2 * time.Minute
	if d, ok := t.Deadline(); ok && time.Until(d)-10*time.Second < timeout {
		timeout = time.Until(d) - 10*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dbus-run-session", "--", "sh", "-c", secretServiceScript, "sh",
		exe, "-test.run=^TestKeychainSecretService$", "-test.count=1", "-test.v")
	// Only what the bus, the keyring and the test need: no DISPLAY, no
	// user's bus address or keyring.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_RUNTIME_DIR=" + runtimeDir,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TMPDIR=" + os.TempDir(),
		"LANG=C.UTF-8",
		secretServiceChild + "=1",
	}
	// The bus, the keyring and the test binary in a process group of their
	// own, all killed on timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second

	out, err := cmd.CombinedOutput()
	t.Logf("in a private session bus with gnome-keyring-daemon:\n%s", out)
	if ctx.Err() != nil {
		t.Fatalf("the Secret Service test did not finish within %v", timeout)
	}
	if err != nil {
		t.Fatalf("the Secret Service test failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestKeychainSecretService") {
		t.Fatal("the Secret Service test did not run")
	}
}
