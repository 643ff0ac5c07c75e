"""Collecting a device's fingerprint components for fingerprint_hash, by the
rules of docs/formats.md ("Fingerprint components"). The Go package
(host.CollectFingerprint, the CLI's ``licverify fingerprint``) and the npm
package (collectFingerprint in Node) follow the same rules, so that a
machine gives the same binding hash from each of them.

The rules are one pure function, fingerprint_components, over what a
machine answered (its *sources*, in the shape of the shared fixtures
testvectors/fingerprint/collector.json, with ``platform`` and ``arch`` in
Node's names); collect_sources reads those from this machine. The tests run
the function on every fixture and compare this machine's hash with Go's."""

from __future__ import annotations

import os
import platform
import re
import struct
import sys
from typing import Any, Dict, List, Mapping, Optional

#: Interfaces that come and go (containers, bridges, VPNs) would change the
#: fingerprint; they are skipped when choosing the primary MAC.
_VIRTUAL = re.compile(r"^(lo|docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|utun|zt|wg|tailscale|awdl|llw|bridge)")

#: The Linux files the rules read, machine id candidates first, in order.
LINUX_FILES = (
    "/etc/machine-id",
    "/var/lib/dbus/machine-id",
    "/sys/class/dmi/id/product_uuid",
    "/proc/cpuinfo",
    "/proc/meminfo",
)

#: What Go's strings.TrimSpace removes (unicode.IsSpace): Python's own
#: str.strip() also removes U+001C to U+001F, which Go keeps.
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

_DIGITS = re.compile(r"[0-9]+")


def _trim(s: str) -> str:
    return s.strip(_SPACE)


def _proc_value(text: Optional[str], key: str) -> str:
    """The trimmed value of the first ``key : value`` line of a /proc file
    whose key is ``key``; "" when there is none."""
    for line in (text or "").split("\n"):
        k, colon, v = line.partition(":")
        if colon and _trim(k) == key:
            return _trim(v)
    return ""


def _primary_mac(interfaces: Any) -> str:
    """The lower-case MAC of the first interface, by name in byte order,
    that is not loopback, not virtual, has an address and a MAC that is not
    all zeros; "" when none is."""
    listed: List[Mapping[str, Any]] = list(interfaces or [])
    for ifc in sorted(listed, key=lambda i: os.fsencode(str(i.get("name") or ""))):
        name = str(ifc.get("name") or "")
        mac = str(ifc.get("mac") or "").lower()
        if (
            ifc.get("loopback")
            or _VIRTUAL.match(name)
            or not ifc.get("addresses")
            or mac in ("", "00:00:00:00:00:00")
        ):
            continue
        return mac
    return ""


def fingerprint_components(sources: Mapping[str, Any]) -> Dict[str, str]:
    """The rules of docs/formats.md applied to what a machine answered: the
    components object to hash. ``sources`` has the shape of the fixtures'
    ``sources`` (``files`` by path, ``hostname``, ``interfaces`` of
    ``{name, mac, loopback, addresses}``, and where there is no /proc the
    operating system's ``cpu_model`` and ``total_memory``), plus
    ``platform`` and ``arch`` in Node's names. Pure: it reads nothing."""
    files: Mapping[str, str] = sources.get("files") or {}
    c: Dict[str, str] = {
        "platform": str(sources.get("platform") or ""),
        "arch": str(sources.get("arch") or ""),
        "hostname": str(sources.get("hostname") or ""),
        "mac": _primary_mac(sources.get("interfaces")),
    }
    if c["platform"] == "linux":
        # systemd's and D-Bus's per-installation ids, then the firmware's
        # system UUID.
        for name in LINUX_FILES[:3]:
            machine_id = _trim(files.get(name) or "")
            if machine_id:
                c["machine_id"] = machine_id
                break
        c["cpu_model"] = _proc_value(files.get("/proc/cpuinfo"), "model name")
        kb = _proc_value(files.get("/proc/meminfo"), "MemTotal")
        kb = kb[: -len(" kB")] if kb.endswith(" kB") else kb
        if _DIGITS.fullmatch(kb):
            c["total_memory"] = str(int(kb) * 1024)
    else:
        c["cpu_model"] = _trim(str(sources.get("cpu_model") or ""))
        total = sources.get("total_memory")
        if isinstance(total, int) and not isinstance(total, bool) and total > 0:
            c["total_memory"] = str(total)
    return {k: v for k, v in c.items() if v}


def collect_fingerprint() -> Dict[str, str]:
    """This machine's fingerprint components (see collect_sources)."""
    return fingerprint_components(collect_sources())


def collect_sources() -> Dict[str, Any]:
    """What this machine answers, in the sources shape: on Linux the files
    the rules name; on macOS and Windows the operating system's CPU model
    and total memory (sysctl; the registry and GlobalMemoryStatusEx), as
    the Go and Node collectors read them; the host name; and the network
    interfaces with their MAC, loopback flag and number of IP addresses
    (getifaddrs, as Go and Node list them). What cannot be read is left
    out.

    On Windows the interfaces are not read (the standard library has no
    GetAdaptersAddresses), so there ``mac`` is absent and the hash differs
    from the Go and Node collectors'."""
    import socket

    src: Dict[str, Any] = {
        "platform": node_platform(sys.platform),
        "arch": node_arch(platform.machine(), struct.calcsize("P") * 8, sys.byteorder, sys.platform),
        "files": {},
        "interfaces": [],
    }
    try:
        src["hostname"] = socket.gethostname()
    except OSError:
        pass
    if src["platform"] == "linux":
        for name in LINUX_FILES:
            try:
                with open(name, "rb") as f:
                    src["files"][name] = f.read().decode("utf-8", "replace")
            except OSError:
                pass  # not on this system, or not readable
    else:
        src["cpu_model"], src["total_memory"] = _os_cpu_model(), _os_total_memory()
    if os.name == "posix":
        try:
            src["interfaces"] = _posix_interfaces()
        except (OSError, AttributeError, ValueError):
            src["interfaces"] = []
    return src


def node_platform(p: str) -> str:
    """Node's os.platform() for Python's sys.platform: "linux", "darwin",
    "win32", "freebsd" (not "freebsd14"), "sunos" (illumos and Solaris)."""
    if p.startswith("linux"):
        return "linux"
    if p.startswith(("sunos", "solaris", "illumos")):
        return "sunos"
    if p in ("darwin", "win32", "cygwin"):
        return p
    return re.sub(r"\d+$", "", p)


def node_arch(machine: str, bits: int, byteorder: str, system: str = "") -> str:
    """Node's os.arch() (the arch of the running process, as Go's GOARCH
    is the program's) from the kernel's machine name, the process's pointer
    size and byte order: "x64", "ia32", "arm64", "arm", "ppc64" (either
    byte order), "mipsel", "loong64", ..."""
    m = machine.lower()
    wide = bits == 64
    if m in ("x86_64", "amd64", "x64", "i86pc", "i386", "i486", "i586", "i686", "x86"):
        return "x64" if wide and m not in ("i386", "i486", "i586", "i686", "x86") else "ia32"
    if m in ("aarch64", "arm64", "aarch64_be", "armv8l", "armv8b"):
        return "arm64" if wide else "arm"
    if m.startswith("arm"):
        return "arm"
    if m.startswith(("ppc64", "powerpc64")) or system.startswith("aix"):
        return "ppc64" if wide else "ppc"
    if m in ("ppc", "powerpc"):
        return "ppc"
    if m.startswith("mips64"):
        return "mips64el" if byteorder == "little" else "mips64"
    if m.startswith("mips"):
        return "mipsel" if byteorder == "little" else "mips"
    if m == "loongarch64":
        return "loong64"
    if m == "s390x":
        return "s390x" if wide else "s390"
    return m


# -- what the operating system answers ----------------------------------------


def _os_cpu_model() -> str:
    """macOS: sysctl machdep.cpu.brand_string; Windows: the first
    processor's ProcessorNameString; "" elsewhere (as Go, which knows no
    source there)."""
    try:
        if sys.platform == "darwin":
            raw = _sysctl("machdep.cpu.brand_string")
            return raw.rstrip(b"\0").decode("utf-8", "replace") if raw else ""
        if sys.platform == "win32":
            import winreg

            key = r"HARDWARE\DESCRIPTION\System\CentralProcessor\0"
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key, 0, winreg.KEY_QUERY_VALUE) as k:
                value, kind = winreg.QueryValueEx(k, "ProcessorNameString")
                return value if isinstance(value, str) and kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ) else ""
    except (OSError, AttributeError, ValueError):
        pass
    return ""


def _os_total_memory() -> int:
    """macOS: sysctl hw.memsize; Windows: GlobalMemoryStatusEx's total
    physical memory; 0 elsewhere."""
    try:
        if sys.platform == "darwin":
            raw = _sysctl("hw.memsize")
            return int.from_bytes(raw, sys.byteorder) if raw is not None and len(raw) == 8 else 0
        if sys.platform == "win32":
            import ctypes

            class MemoryStatusEx(ctypes.Structure):
                _fields_ = [
                    ("length", ctypes.c_uint32),
                    ("memory_load", ctypes.c_uint32),
                    ("total_phys", ctypes.c_uint64),
                    ("avail_phys", ctypes.c_uint64),
                    ("total_page_file", ctypes.c_uint64),
                    ("avail_page_file", ctypes.c_uint64),
                    ("total_virtual", ctypes.c_uint64),
                    ("avail_virtual", ctypes.c_uint64),
                    ("avail_extended_virtual", ctypes.c_uint64),
                ]

            m = MemoryStatusEx()
            m.length = ctypes.sizeof(MemoryStatusEx)
            if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(m)):
                return int(m.total_phys)
    except (OSError, AttributeError, ValueError):
        pass
    return 0


def _sysctl(name: str) -> Optional[bytes]:
    """sysctlbyname's value (macOS), or None."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fn = libc.sysctlbyname
    fn.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p, ctypes.c_size_t]
    fn.restype = ctypes.c_int
    size = ctypes.c_size_t(0)
    if fn(name.encode(), None, ctypes.byref(size), None, 0) != 0 or size.value == 0:
        return None
    buf = ctypes.create_string_buffer(size.value)
    if fn(name.encode(), buf, ctypes.byref(size), None, 0) != 0:
        return None
    return buf.raw[: size.value]


#: Link types whose "hardware address" is a tunnel's IPv4 or IPv6 endpoint
#: (ARPHRD_TUNNEL, ARPHRD_IPGRE, ARPHRD_SIT; ARPHRD_TUNNEL6, ARPHRD_IP6GRE):
#: Go never reports those as a MAC.
_TUNNEL4 = frozenset({768, 778, 776})
_TUNNEL6 = frozenset({769, 823})

_IFF_LOOPBACK = 0x8


def _posix_interfaces() -> List[Dict[str, Any]]:
    """Every network interface, from getifaddrs(3): its name, MAC (from
    its link-level entry: AF_PACKET on Linux, AF_LINK on the BSDs and
    macOS), loopback flag and number of IPv4 and IPv6 addresses, as Go's
    net.Interfaces and Addrs give them (and, apart, of IPv4 addresses)."""
    import ctypes
    import socket

    class Ifaddrs(ctypes.Structure):
        pass

    Ifaddrs._fields_ = [
        ("ifa_next", ctypes.POINTER(Ifaddrs)),
        ("ifa_name", ctypes.c_char_p),
        ("ifa_flags", ctypes.c_uint),
        ("ifa_addr", ctypes.c_void_p),
        ("ifa_netmask", ctypes.c_void_p),
        ("ifa_dstaddr", ctypes.c_void_p),
        ("ifa_data", ctypes.c_void_p),
    ]
    libc = ctypes.CDLL(None, use_errno=True)
    getifaddrs, freeifaddrs = libc.getifaddrs, libc.freeifaddrs
    getifaddrs.argtypes = [ctypes.POINTER(ctypes.POINTER(Ifaddrs))]
    getifaddrs.restype = ctypes.c_int
    freeifaddrs.argtypes = [ctypes.POINTER(Ifaddrs)]
    freeifaddrs.restype = None

    linux = sys.platform.startswith("linux")
    bsd = sys.platform == "darwin" or "bsd" in sys.platform or sys.platform.startswith("dragonfly")
    inet = {socket.AF_INET, socket.AF_INET6}
    link = getattr(socket, "AF_PACKET", 17) if linux else getattr(socket, "AF_LINK", 18)

    head = ctypes.POINTER(Ifaddrs)()
    if getifaddrs(ctypes.byref(head)) != 0:
        raise OSError(ctypes.get_errno(), "getifaddrs failed")
    found: Dict[str, Dict[str, Any]] = {}
    try:
        p = head
        while p:
            ifa = p.contents
            p = ifa.ifa_next
            if not ifa.ifa_name:
                continue
            # A Linux address label ("eth0:1") belongs to its interface.
            name = os.fsdecode(ifa.ifa_name).split(":", 1)[0]
            entry = found.setdefault(name, {"name": name, "mac": "", "loopback": False, "addresses": 0, "ipv4": 0})
            if ifa.ifa_flags & _IFF_LOOPBACK:
                entry["loopback"] = True
            addr = ifa.ifa_addr
            if not addr:
                continue
            if linux:
                family = ctypes.c_uint16.from_address(addr).value
            elif bsd:
                family = ctypes.c_uint8.from_address(addr + 1).value  # after sa_len
            else:
                family = ctypes.c_uint16.from_address(addr).value
            if family in inet:
                entry["addresses"] += 1
                if family == socket.AF_INET:
                    entry["ipv4"] += 1
            elif family == link and linux:
                # sockaddr_ll: family, protocol, ifindex, hatype (at 8),
                # pkttype, halen (at 11), addr (at 12).
                hatype = ctypes.c_uint16.from_address(addr + 8).value
                halen = ctypes.c_uint8.from_address(addr + 11).value
                entry["mac"] = _linux_mac(ctypes.string_at(addr + 12, halen), hatype)
            elif family == link and bsd:
                # sockaddr_dl: len, family, index, type, nlen (at 5),
                # alen (at 6), slen, data (at 8): the name, then the address.
                nlen = ctypes.c_uint8.from_address(addr + 5).value
                alen = ctypes.c_uint8.from_address(addr + 6).value
                entry["mac"] = _format_mac(ctypes.string_at(addr + 8 + nlen, alen))
    finally:
        freeifaddrs(head)
    return list(found.values())


def _format_mac(b: bytes) -> str:
    return ":".join(f"{x:02x}" for x in b)


def _linux_mac(b: bytes, hatype: int) -> str:
    """A Linux link address as Go's net package reports it: none when all
    zeros, or when it is a tunnel's IP endpoint."""
    if (len(b) == 4 and hatype in _TUNNEL4) or (len(b) == 16 and hatype in _TUNNEL6) or not any(b):
        return ""
    return _format_mac(b)
