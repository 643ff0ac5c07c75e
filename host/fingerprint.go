package host

import (
	"bufio"
	"net"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// CollectFingerprint reads this machine's fingerprint components, the
// object [Verifier.Fingerprint] and the status proof's fingerprint option
// hash. The components and how each is read are defined once, in
// docs/formats.md ("Fingerprint components"), and the npm package's Node
// collector follows the same definition, so that a license bound by an
// Electron app matches in a Go program on the same machine. A component
// that cannot be read is left out. The result names only hardware and
// installation identifiers; nothing leaves the machine unless the caller
// sends it.
func CollectFingerprint() map[string]string {
	src := fingerprintSources{
		GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		Files: map[string]string{},
	}
	if runtime.GOOS == "linux" {
		for _, name := range linuxFingerprintFiles {
			if b, err := os.ReadFile(name); err == nil {
				src.Files[name] = string(b)
			}
		}
	} else {
		src.CPUModel, src.TotalMemory = osCPUModel(), osTotalMemory()
	}
	if h, err := os.Hostname(); err == nil {
		src.Hostname = h
	}
	if ifaces, err := net.Interfaces(); err == nil {
		for _, ifc := range ifaces {
			addrs, _ := ifc.Addrs()
			// The first 6 bytes, as libuv (and so Node) reports any
			// hardware address, an InfiniBand one's 20 bytes included.
			mac := ifc.HardwareAddr
			if len(mac) > 6 {
				mac = mac[:6]
			}
			src.Interfaces = append(src.Interfaces, fingerprintInterface{
				Name: ifc.Name, MAC: mac.String(),
				Loopback: ifc.Flags&net.FlagLoopback != 0, Addresses: len(addrs),
			})
		}
	}
	return src.components()
}

// fingerprintSources is everything a collector reads from the machine, so
// that the rules are tested on fixtures shared with the Node collector
// (testvectors/fingerprint/collector.json).
type fingerprintSources struct {
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	// Files holds the Linux files the rules read, by path.
	Files      map[string]string      `json:"files"`
	Hostname   string                 `json:"hostname"`
	Interfaces []fingerprintInterface `json:"interfaces"`
	// CPUModel and TotalMemory are the operating system's own answers,
	// used where there is no /proc (macOS: sysctl; Windows: the registry
	// and GlobalMemoryStatusEx), 0 or "" when unknown.
	CPUModel    string `json:"cpu_model"`
	TotalMemory uint64 `json:"total_memory"`
}

type fingerprintInterface struct {
	Name      string `json:"name"`
	MAC       string `json:"mac"`
	Loopback  bool   `json:"loopback"`
	Addresses int    `json:"addresses"`
}

// linuxFingerprintFiles are the files the rules read on Linux, machine id
// candidates first, in order.
var linuxFingerprintFiles = []string{
	"/etc/machine-id", "/var/lib/dbus/machine-id", "/sys/class/dmi/id/product_uuid",
	"/proc/cpuinfo", "/proc/meminfo",
}

// virtualInterface matches interfaces that come and go (containers,
// bridges, VPNs); they would make the fingerprint unstable.
var virtualInterface = regexp.MustCompile(`^(lo|docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|utun|zt|wg|tailscale|awdl|llw|bridge)`)

// components applies the rules of docs/formats.md to what was read.
func (s fingerprintSources) components() map[string]string {
	c := map[string]string{
		"platform": nodePlatform(s.GOOS),
		"arch":     nodeArch(s.GOARCH),
		"hostname": s.Hostname,
		"mac":      s.primaryMAC(),
	}
	if s.GOOS == "linux" {
		// systemd's and D-Bus's per-installation ids, then the firmware's
		// system UUID.
		for _, name := range linuxFingerprintFiles[:3] {
			if id := strings.TrimSpace(s.Files[name]); id != "" {
				c["machine_id"] = id
				break
			}
		}
		c["cpu_model"] = procValue(s.Files["/proc/cpuinfo"], "model name")
		if kb, err := strconv.ParseUint(strings.TrimSuffix(procValue(s.Files["/proc/meminfo"], "MemTotal"), " kB"), 10, 64); err == nil {
			c["total_memory"] = strconv.FormatUint(kb*1024, 10)
		}
	} else {
		c["cpu_model"] = strings.TrimSpace(s.CPUModel)
		if s.TotalMemory > 0 {
			c["total_memory"] = strconv.FormatUint(s.TotalMemory, 10)
		}
	}
	for k, v := range c {
		if v == "" {
			delete(c, k)
		}
	}
	return c
}

// procValue is the trimmed value of the first "key : value" line of a
// /proc file whose key is key.
func procValue(text, key string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// primaryMAC is the lower-case MAC of the first interface, by name in byte
// order, that is not loopback, not virtual, has an address and a MAC that
// is not all zeros.
func (s fingerprintSources) primaryMAC() string {
	ifaces := append([]fingerprintInterface(nil), s.Interfaces...)
	sort.Slice(ifaces, func(i, j int) bool { return ifaces[i].Name < ifaces[j].Name })
	for _, ifc := range ifaces {
		mac := strings.ToLower(ifc.MAC)
		if ifc.Loopback || virtualInterface.MatchString(ifc.Name) || ifc.Addresses == 0 ||
			mac == "" || mac == "00:00:00:00:00:00" {
			continue
		}
		return mac
	}
	return ""
}

// nodePlatform and nodeArch name the system as Node's os.platform() and
// os.arch() do, so that both collectors write the same words.
func nodePlatform(goos string) string {
	switch goos {
	case "windows":
		return "win32"
	case "illumos", "solaris":
		return "sunos"
	}
	return goos
}

func nodeArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "x64"
	case "386":
		return "ia32"
	case "ppc64le":
		return "ppc64"
	case "mipsle":
		return "mipsel"
	case "mips64le":
		return "mips64el"
	}
	return goarch
}
