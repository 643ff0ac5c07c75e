package host

import (
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// interfaces lists /sys/class/net with each interface's ARPHRD type,
// hardware address, flags and operational state, and its IPv4 addresses
// (netlink, as getifaddrs and Node see them).
func (osMachine) interfaces() []qmInterface {
	entries, err := os.ReadDir("/sys/class/net")
	if err != nil {
		return nil
	}
	ipv4 := map[string]int{}
	if ifaces, err := net.Interfaces(); err == nil {
		for _, ifc := range ifaces {
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
					ipv4[ifc.Name]++
				}
			}
		}
	}
	text := func(dir, name string) string {
		b, _ := os.ReadFile(dir + "/" + name)
		return strings.TrimSpace(string(b))
	}
	var out []qmInterface
	for _, e := range entries {
		dir := "/sys/class/net/" + e.Name()
		typ, err := strconv.Atoi(text(dir, "type"))
		if err != nil {
			continue // not an interface (bonding_masters)
		}
		flags, _ := strconv.ParseUint(strings.TrimPrefix(text(dir, "flags"), "0x"), 16, 32)
		// IFF_RUNNING is IFF_UP with an operational state of up or
		// unknown (the kernel's dev_get_flags).
		oper := text(dir, "operstate")
		out = append(out, qmInterface{
			Name: e.Name(), Type: typ, Address: text(dir, "address"),
			Up:   flags&unix.IFF_UP != 0 && (oper == "up" || oper == "unknown"),
			IPv4: ipv4[e.Name()],
		})
	}
	return out
}

func (osMachine) uname() (string, string) {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "", ""
	}
	return unix.ByteSliceToString(u.Nodename[:]), unix.ByteSliceToString(u.Machine[:])
}
