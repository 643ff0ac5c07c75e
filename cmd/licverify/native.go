package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/licverify/licverify/canonical"
)

// signLimit is the largest document sign accepts: a revocation set at its
// limit.
const signLimit = 64 << 20

// privateKey is the file keygen writes and sign reads. It holds the
// 32-byte Ed25519 seed; the verifier refuses it as a keyring.
type privateKey struct {
	KID        string `json:"kid"`
	Alg        string `json:"alg"`
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
}

func runKeygen(e *env, args []string) error {
	f := newFlags("keygen", false)
	kid := f.String("kid", "", "the key id (default derived from the public key)")
	seedHex := f.String("seed", "", "64 hex digits of seed, for reproducible fixtures (default random)")
	keyring := f.String("keyring", "", "also write the public keyring (JSON array) to this file")
	if pos, err := f.parse(args); err != nil {
		return err
	} else if len(pos) != 0 {
		return usagef("takes no arguments")
	}
	seed := make([]byte, ed25519.SeedSize)
	if *seedHex != "" {
		s, err := hex.DecodeString(*seedHex)
		if err != nil || len(s) != ed25519.SeedSize {
			return usagef("--seed must be %d hex digits", 2*ed25519.SeedSize)
		}
		seed = s
	} else if _, err := rand.Read(seed); err != nil {
		return err
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	if *kid == "" {
		sum := sha256.Sum256(pub)
		*kid = "key-" + hex.EncodeToString(sum[:4])
	}
	k := privateKey{KID: *kid, Alg: "ed25519", PrivateKey: base64.StdEncoding.EncodeToString(seed), PublicKey: base64.StdEncoding.EncodeToString(pub)}
	if *keyring != "" {
		ring, _ := json.Marshal([]map[string]string{{"kid": k.KID, "alg": "ed25519", "public_key": k.PublicKey}})
		if err := writeFileAtomic(*keyring, append(ring, '\n')); err != nil {
			return err
		}
	}
	out, _ := json.Marshal(k)
	fmt.Fprintln(e.stdout, string(out))
	return nil
}

func runSign(e *env, args []string) error {
	f := newFlags("sign", false)
	keyFile := f.String("key", "", "private key file from keygen (required)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *keyFile == "" {
		return usagef("want --key PRIVATE and one DOC")
	}
	kb, err := readFile(*keyFile)
	if err != nil {
		return err
	}
	var k privateKey
	if err := json.Unmarshal(kb, &k); err != nil || k.PrivateKey == "" {
		return usagef("%s is not a private key file from licverify keygen", *keyFile)
	}
	seed, err := base64.StdEncoding.DecodeString(k.PrivateKey)
	if err != nil || len(seed) != ed25519.SeedSize {
		return usagef("%s: private_key is not %d bytes of base64", *keyFile, ed25519.SeedSize)
	}
	doc, err := readFile(pos[0])
	if err != nil {
		return err
	}
	signed, err := sign(doc, ed25519.NewKeyFromSeed(seed))
	if err != nil {
		return usagef("%s: %v", pos[0], err)
	}
	fmt.Fprintln(e.stdout, string(signed))
	return nil
}

// sign returns doc, canonicalized, with a "signature" member: the Ed25519
// signature of its canonical form without any signature member, exactly
// the bytes a verifier checks.
func sign(doc []byte, key ed25519.PrivateKey) ([]byte, error) {
	payload, _, err := canonical.Signed(doc, signLimit)
	if err != nil {
		return nil, err
	}
	sig, _ := json.Marshal(base64.StdEncoding.EncodeToString(ed25519.Sign(key, payload)))
	var out []byte
	if string(payload) == "{}" {
		out = []byte(`{"signature":` + string(sig) + `}`)
	} else {
		out = append(append(append(payload[:len(payload)-1:len(payload)-1], `,"signature":`...), sig...), '}')
	}
	return canonical.Transform(out, signLimit+len(sig)+16)
}

// collectFingerprint reads this machine's identifiers: the same members,
// read the same way, as the npm package's Node collector, so that one
// machine has one fingerprint whichever host computes it. Components that
// cannot be read are left out.
func collectFingerprint() map[string]string {
	c := map[string]string{
		"machine_id":   machineID(),
		"mac":          primaryMAC(),
		"cpu_model":    cpuModel(),
		"total_memory": totalMemory(),
		"platform":     nodePlatform(),
		"arch":         nodeArch(),
	}
	if h, err := os.Hostname(); err == nil {
		c["hostname"] = h
	}
	for k, v := range c {
		if v == "" {
			delete(c, k)
		}
	}
	return c
}

func machineID() string {
	// systemd and D-Bus keep a stable per-installation id on Linux; the
	// firmware's system UUID is the fallback.
	for _, name := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id", "/sys/class/dmi/id/product_uuid"} {
		if b, err := os.ReadFile(name); err == nil {
			if id := strings.TrimSpace(string(b)); id != "" {
				return id
			}
		}
	}
	return ""
}

// virtualInterface matches interfaces that come and go (containers,
// bridges, VPNs); they would make the fingerprint unstable.
var virtualInterface = regexp.MustCompile(`^(lo|docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|utun|zt|wg|tailscale|awdl|llw|bridge)`)

// primaryMAC is the MAC of the first (by name) non-loopback, non-virtual
// interface that has an address.
func primaryMAC() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return ""
	}
	sort.Slice(ifaces, func(i, j int) bool { return ifaces[i].Name < ifaces[j].Name })
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagLoopback != 0 || virtualInterface.MatchString(ifc.Name) {
			continue
		}
		mac := strings.ToLower(ifc.HardwareAddr.String())
		if mac == "" || mac == "00:00:00:00:00:00" {
			continue
		}
		if addrs, err := ifc.Addrs(); err != nil || len(addrs) == 0 {
			continue
		}
		return mac
	}
	return ""
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// totalMemory is the total memory in bytes, as a decimal string.
func totalMemory() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseUint(fields[1], 10, 64); err == nil {
				return strconv.FormatUint(kb*1024, 10)
			}
		}
	}
	return ""
}

// nodePlatform and nodeArch name the system as Node's os.platform() and
// os.arch() do.
func nodePlatform() string {
	if runtime.GOOS == "windows" {
		return "win32"
	}
	return runtime.GOOS
}

func nodeArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x64"
	case "386":
		return "ia32"
	}
	return runtime.GOARCH
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
