"""QuantumMeta's machine id: what get_machine_id() of the PyPI package
quantummeta-license 1.1.1 gives on this machine, the id a .qkey license is
bound to, by the rules of docs/formats.md ("QuantumMeta's machine id"). The
Go package (host.CollectQuantumMetaMachineID, ``licverify fingerprint
--quantummeta``) and the npm package (collectQuantumMetaMachineId in Node)
follow the same rules; all three are run on the fixtures of
testvectors/fingerprint/quantummeta.json.

The rules read the machine through a _Machine (this one, or a fixture's),
so that they run on the fixtures as on this machine. They never write: not
QuantumMeta's cache, not its directory."""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Protocol, Tuple

#: Limits on what is read: QuantumMeta writes {"machine_id": "<32 hex
#: digits>"}, 50 bytes; sysfs files are one line; the commands print a
#: line per disk.
CACHE_LIMIT = 4096
FILE_LIMIT = 4096
PROC_LIMIT = 1 << 16
OUTPUT_LIMIT = 1 << 16
TIMEOUT = 10  # seconds a command may run
MAX_DEPTH = 64
#: libuuid reads the IPv4 addresses (SIOCGIFCONF) into 1024 bytes: 25 of them.
IFCONF_LIMIT = 25

_PRODUCT_UUID = "/sys/class/dmi/id/product_uuid"
_SDA_SERIAL = "/sys/block/sda/device/serial"
_MEMINFO = "/proc/meminfo"
_GETNODE = "uuid.getnode() is not reproducible here: "

#: What str.strip() removes that bytes.strip() does not, for env values.
_PY_SPACE = "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


@dataclass(frozen=True)
class QuantumMetaMachineID:
    """The machine id QuantumMeta's get_machine_id() gives here, or why it
    is unavailable. The members are those of the Go and Node results."""

    #: 32 hex digits, as get_machine_id() returns it; None when unavailable.
    quantummeta_machine_id: Optional[str] = None
    #: ``"cache"``: read from QuantumMeta's cache file; ``"computed"``:
    #: computed as get_machine_id() computes it where there is no cache.
    source: Optional[str] = None
    #: QuantumMeta's cache file: the one read, or the one get_machine_id()
    #: would write; None when where it is is not known.
    path: Optional[str] = None
    #: Why the id is unavailable.
    reason: Optional[str] = None

    def to_dict(self) -> Dict[str, str]:
        """The members that are set, as the Go and Node results carry them."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class _Stat:
    kind: str  # "dir", "file", "other", "error", "" (missing)
    exec: bool = False  # a file this user may execute
    writable: bool = False  # a directory this user may add entries to


@dataclass(frozen=True)
class _File:
    kind: str  # "ok", "missing", "error", "dir", "other", "large"
    data: bytes = b""


@dataclass(frozen=True)
class _Run:
    exit: int = 0
    stdout: bytes = b""
    timeout: bool = False
    large: bool = False
    failed: bool = False  # could not be started


class _Machine(Protocol):
    def platform(self) -> str: ...
    def getenv(self, key: str) -> Optional[str]: ...
    def stat(self, path: str) -> _Stat: ...
    def read(self, path: str, limit: int) -> _File: ...
    def run(self, path: str, name: str, *args: str) -> _Run: ...
    def interfaces(self) -> List[Dict[str, Any]]: ...
    def uname(self) -> Tuple[str, str]: ...


def collect_quantummeta_machine_id() -> QuantumMetaMachineID:
    """See licverify.collect_quantummeta_machine_id."""
    return quantummeta(_OSMachine())


def quantummeta(m: _Machine) -> QuantumMetaMachineID:
    """get_machine_id(): the cache, then a computed id."""
    file, why = _cache_file(m)
    if why:
        return QuantumMetaMachineID(reason=why)
    machine_id, decline, state = _read_cache(m, file)
    if machine_id:
        return QuantumMetaMachineID(quantummeta_machine_id=machine_id, source="cache", path=file)
    if decline:
        return QuantumMetaMachineID(path=file, reason=decline)
    machine_id, why = _compute(m)
    if why:
        return QuantumMetaMachineID(path=file, reason=state + ", so get_machine_id() computes a new id, and " + why)
    return QuantumMetaMachineID(quantummeta_machine_id=machine_id, source="computed", path=file)


# -- where the cache is ---------------------------------------------------------


def _cache_file(m: _Machine) -> Tuple[str, str]:
    """The file _get_cache_file() names: machine_id.json in
    platformdirs.user_cache_dir("quantummeta"), which it creates, or
    quantummeta_machine_id.json in tempfile.gettempdir() when that fails.
    Where platformdirs' versions (3.0.0 and later) differ, it declines."""
    p = m.platform()
    if p == "win32":
        return _windows_cache_file(m)
    if p in ("android", "ios", ""):
        return "", "QuantumMeta's cache is not looked for on " + p
    if m.getenv("ANDROID_DATA") == "/data" and m.getenv("ANDROID_ROOT") == "/system":
        return "", "ANDROID_DATA and ANDROID_ROOT are set: platformdirs may choose Android's directories"
    xdg = m.getenv("XDG_CACHE_HOME") or ""
    directory = ""
    if p == "darwin":
        if xdg.startswith("/"):
            return "", "XDG_CACHE_HOME is set: newer platformdirs versions put the cache there on macOS, older ones do not"
    elif xdg.startswith("/"):
        directory = _posix_join(xdg, "quantummeta")
    elif xdg.strip(_PY_SPACE):
        return "", "XDG_CACHE_HOME is set but not an absolute path: platformdirs versions differ on what that means"
    if not directory:
        home = m.getenv("HOME")
        if home is None or not home.startswith("/"):
            return "", "HOME is not set to an absolute path: platformdirs versions differ on where the home directory then is"
        base = home.rstrip("/")
        directory = base + ("/Library/Caches/quantummeta" if p == "darwin" else "/.cache/quantummeta")
    directory = _pathlib_clean(directory)
    if _can_create(m, directory):
        return _posix_join(directory, "machine_id.json"), ""
    return _temp_file(m, directory)


def _can_create(m: _Machine, directory: str) -> bool:
    """Path(directory).mkdir(parents=True, exist_ok=True) predicted, not
    done: it succeeds on a directory, and on a missing one whose nearest
    existing ancestor is a directory this user may add entries to."""
    kind = m.stat(directory).kind
    if kind == "dir":
        return True
    if kind != "":
        return False
    p = _posix_parent(directory)
    while True:
        s = m.stat(p)
        if s.kind != "":
            return s.kind == "dir" and s.writable
        if _posix_parent(p) == p:
            return False
        p = _posix_parent(p)


def _temp_file(m: _Machine, directory: str) -> Tuple[str, str]:
    """The fallback in tempfile.gettempdir(): the first of $TMPDIR, $TEMP,
    $TMP, /tmp, /var/tmp, /usr/tmp that is a directory this user may
    create files in."""
    cannot = "QuantumMeta cannot create " + directory + ", so it keeps its cache in the temporary directory, and "
    cands = [(k, v) for k in ("TMPDIR", "TEMP", "TMP") if (v := m.getenv(k) or "")]
    cands += [("", "/tmp"), ("", "/var/tmp"), ("", "/usr/tmp")]
    for k, v in cands:
        if not v.startswith("/"):
            # Made absolute from get_machine_id()'s working directory.
            return "", cannot + k + " is a relative path"
        d = _normpath(v)
        s = m.stat(d)
        if s.kind == "dir" and s.writable:
            return _posix_join(d, "quantummeta_machine_id.json"), ""
    return "", cannot + "none of the usual ones is usable"


def _windows_cache_file(m: _Machine) -> Tuple[str, str]:
    """platformdirs' Windows user_cache_dir: the Local AppData known
    folder (LOCALAPPDATA names it), appauthor (the app name when not
    given), the app name and "Cache". One that os.path.normpath would
    change is declined."""
    if (m.getenv("WIN_PD_OVERRIDE_LOCAL_APPDATA") or "").strip(_PY_SPACE):
        return "", "WIN_PD_OVERRIDE_LOCAL_APPDATA is set: newer platformdirs versions put the cache there, older ones do not"
    base = m.getenv("LOCALAPPDATA") or ""
    if not _plain_windows_path(base):
        return "", "LOCALAPPDATA is not a plain absolute path (such as C:\\Users\\me\\AppData\\Local)"
    directory = base + "\\quantummeta\\quantummeta\\Cache"
    if m.stat(directory).kind in ("dir", ""):
        return directory + "\\machine_id.json", ""
    return "", "QuantumMeta cannot create " + directory + ", so it keeps its cache in the temporary directory, which is not looked for on Windows"


def _plain_windows_path(p: str) -> bool:
    if len(p) < 4 or not ("A" <= p[0] <= "Z" or "a" <= p[0] <= "z") or p[1:3] != ":\\":
        return False
    for c in p[3:].split("\\"):
        if c in ("", ".", "..") or any(ch in '/:*?"<>|' or ch < "\x20" for ch in c):
            return False
    return True


# -- what the cache holds -------------------------------------------------------


def _read_cache(m: _Machine, file: str) -> Tuple[str, str, str]:
    """What _load_cached_machine_id() makes of the file: an id to report,
    a reason to decline what it returns, or (neither) why get_machine_id()
    computes a new id."""
    f = m.read(file, CACHE_LIMIT)
    if f.kind == "missing":
        return "", "", "there is no " + file
    if f.kind in ("error", "dir"):
        return "", "", file + " cannot be read"
    if f.kind == "other":
        return "", file + " is not a regular file", ""
    if f.kind == "large":
        return "", f"{file} is larger than {CACHE_LIMIT} bytes", ""
    return classify(file, f.data)


_KINDS = ((bool, "true"), (int, "a number"), (float, "a number"), (list, "an array"), (dict, "an object"))


def classify(file: str, data: bytes) -> Tuple[str, str, str]:
    """json.load and data.get('machine_id') on the file's bytes, as
    _load_cached_machine_id() reads it: a non-empty string of 32 hex
    digits is reported as it is; another truthy value is declined
    (get_machine_id() returns it, and no .qkey's machine id, 32 hex
    digits, equals it); no object, no member or a falsy one means
    get_machine_id() computes a new id."""
    if any(b >= 0x80 for b in data):
        return "", file + " is not ASCII, and how Python decodes it depends on its version and locale", ""
    if _depth(data) > MAX_DEPTH:
        return "", f"{file} nests deeper than {MAX_DEPTH} levels", ""
    try:
        doc = json.loads(data.decode("ascii"))
    except ValueError:
        return "", "", file + " is not JSON"
    if not isinstance(doc, dict):
        return "", "", file + " is not a JSON object"
    v = doc.get("machine_id")
    if not v:
        return "", "", file + " holds no machine_id, or an empty one"
    if not isinstance(v, str):
        kind = next(name for t, name in _KINDS if isinstance(v, t))
        return "", file + " holds a machine_id that is " + kind + ", not a string: get_machine_id() returns it, and no license's machine id equals it", ""
    if not _hex32(v):
        return "", file + " holds a machine_id that is not 32 hex digits: get_machine_id() returns it as it is, and no .qkey's machine id equals it", ""
    return v, "", ""


def _depth(s: bytes) -> int:
    """The deepest nesting of [ and { outside strings, counted before
    parsing so that every runtime declines the same files."""
    depth = deepest = 0
    in_string = False
    i = 0
    while i < len(s):
        c = s[i]
        if in_string:
            if c == 0x5C:  # backslash
                i += 1
            elif c == 0x22:
                in_string = False
        elif c == 0x22:
            in_string = True
        elif c in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in b"]}":
            depth -= 1
        i += 1
    return deepest


def _hex32(s: str) -> bool:
    return len(s) == 32 and all(c in "0123456789abcdefABCDEF" for c in s)


# -- computing it ---------------------------------------------------------------


def _compute(m: _Machine) -> Tuple[str, str]:
    """The id as get_machine_id() computes it without a cache: SHA-256 of
    "uuid:…|mac:…|disk:…|host:…|arch:…|cpu:…|mem:…" (identifiers it cannot
    read left out), the first 32 hex digits. Declined wherever an input is
    random or depends on what is not known here (the Python build, the
    locale)."""
    p = m.platform()
    if p == "win32":
        return "", "on Windows hardware.py reads the output of wmic, which is not reproduced here"
    if p != "linux":
        return "", "on " + p + " hardware.py's system UUID is random: the file it reads exists on Linux only"
    ids: List[str] = []

    # get_system_uuid(): product_uuid, else /proc/sys/kernel/random/uuid or
    # uuid4(), new on every read.
    f = m.read(_PRODUCT_UUID, FILE_LIMIT)
    why = _file_problem(_PRODUCT_UUID, f)
    if why:
        return "", why
    if f.kind != "ok":
        return "", _PRODUCT_UUID + " cannot be read, so hardware.py uses a random UUID"
    text, why = _py_text(_PRODUCT_UUID, f.data)
    if why:
        return "", why
    u = text.strip()
    if not u:
        return "", _PRODUCT_UUID + " is empty, so hardware.py uses a random UUID"
    if u != "unknown":
        ids.append("uuid:" + u)

    path, why = _exec_path(m)
    if why:
        return "", why
    mac, why = _mac(m, path)
    if why:
        return "", why
    ids.append("mac:" + mac)

    disk, why = _disk(m, path)
    if why:
        return "", why
    if disk and disk != "unknown":
        ids.append("disk:" + disk)

    # platform.node() and platform.machine(): os.uname(), "unknown" as "".
    node, machine = m.uname()
    for prefix, name, value in (("host:", "the host name", node), ("arch:", "the machine name", machine)):
        why = _ascii(name, value.encode("utf-8", "surrogateescape"))
        if why:
            return "", why
        if value and value != "unknown":
            ids.append(prefix + value)

    cpu, why = _processor(m, path)
    if why:
        return "", why
    if len(cpu) > 5:
        ids.append("cpu:" + cpu)

    mem, why = _mem_total(m)
    if why:
        return "", why
    if mem:
        ids.append("mem:" + mem)
    import hashlib

    return hashlib.sha256("|".join(ids).encode()).hexdigest()[:32], ""


def _file_problem(path: str, f: _File) -> str:
    """Declines a file Python would block on, or too large to be what
    hardware.py reads."""
    if f.kind == "other":
        return path + " is not a regular file"
    if f.kind == "large":
        return f"{path} is larger than {FILE_LIMIT} bytes"
    return ""


def _exec_path(m: _Machine) -> Tuple[List[str], str]:
    """The search path of subprocess and of uuid's command lookup: $PATH,
    else os.defpath. A relative entry depends on get_machine_id()'s
    working directory."""
    path = m.getenv("PATH")
    dirs = ("/bin:/usr/bin" if path is None else path).split(":")
    if any(not d.startswith("/") for d in dirs):
        return [], "PATH has a relative entry, whose meaning depends on get_machine_id()'s working directory"
    return dirs, ""


def _find(m: _Machine, dirs: List[str], name: str) -> Tuple[str, bool]:
    """The program subprocess runs: the first dir/name this user may
    execute; and whether a candidate exists that cannot be run."""
    present = False
    for d in dirs:
        p = _posix_join(d, name)
        s = m.stat(p)
        if s.kind == "file" and s.exec:
            return p, present
        if s.kind != "":
            present = True
    return "", present


def _mac(m: _Machine, path: List[str]) -> Tuple[str, str]:
    """get_mac_address(): uuid.getnode() as upper-case hex pairs. Which
    interface getnode() reports depends on how Python was built (libuuid:
    the first interface with an IPv4 address and a non-zero hardware
    address; without it, `ip link`'s first universally administered
    link/ether address, else its first local one, else ifconfig's, else a
    random one), so it is reproduced only where every way gives the same
    interface: the one Ethernet interface, alone in having a hardware
    address, up, with an IPv4 address, and ip or ifconfig installed."""
    cands = []
    ipv4 = 0
    for i in m.interfaces():
        ipv4 += i["ipv4"]
        if i["type"] != 772 and (i["type"] == 1 or _non_zero(i["address"])):
            cands.append(i)
    if not cands:
        return "", _GETNODE + "no network interface has a hardware address, so Python reports a random one"
    if len(cands) > 1:
        names = ", ".join(sorted((i["name"] for i in cands), key=os.fsencode))
        return "", _GETNODE + "more than one network interface (" + names + ") is Ethernet or has a hardware address, and which one Python reports depends on how it was built"
    i = cands[0]
    mac = i["address"].lower()
    if i["type"] != 1 or not _is_mac(mac) or not _non_zero(mac):
        return "", _GETNODE + i["name"] + ", the one interface with a hardware address, has no Ethernet MAC"
    if not i["up"]:
        return "", _GETNODE + i["name"] + " is not up"
    if i["ipv4"] == 0:
        return "", _GETNODE + i["name"] + " has no IPv4 address, so libuuid does not see it"
    if ipv4 > IFCONF_LIMIT:
        return "", f"{_GETNODE}there are {ipv4} IPv4 addresses, more than the {IFCONF_LIMIT} libuuid reads"
    tools = path + ["/sbin", "/usr/sbin"]
    if not _find(m, tools, "ip")[0] and not _find(m, tools, "ifconfig")[0]:
        return "", _GETNODE + "neither ip nor ifconfig is installed, so a Python built without libuuid reports a random MAC"
    return mac.upper(), ""


def _non_zero(address: str) -> bool:
    return any(c not in "0:" for c in address)


def _is_mac(s: str) -> bool:
    return len(s) == 17 and all(
        (c == ":") if k % 3 == 2 else (c in "0123456789abcdef") for k, c in enumerate(s)
    )


def _disk(m: _Machine, path: List[str]) -> Tuple[str, str]:
    """get_disk_serial(): the first non-blank line of `lsblk -o SERIAL
    -n`; when lsblk is not found, exits non-zero or prints none,
    /sys/block/sda/device/serial; "unknown" when that cannot be read."""
    cmd = "lsblk -o SERIAL -n"
    lsblk, present = _find(m, path, "lsblk")
    if not lsblk and present:
        return "", "lsblk is on PATH but cannot be run"
    if lsblk:
        r = m.run(lsblk, "lsblk", "-o", "SERIAL", "-n")
        why = _run_problem(cmd, r)
        if why:
            return "", why
        if r.failed:
            return "", "lsblk is on PATH but cannot be run"
        if r.exit == 0:
            out, why = _py_text("the output of " + cmd, r.stdout)
            if why:
                return "", why
            for line in out.split("\n"):
                if line.strip():
                    return line.strip(), ""
    f = m.read(_SDA_SERIAL, FILE_LIMIT)
    why = _file_problem(_SDA_SERIAL, f)
    if why:
        return "", why
    if f.kind != "ok":
        return "unknown", ""
    text, why = _py_text(_SDA_SERIAL, f.data)
    return text.strip(), why


def _processor(m: _Machine, path: List[str]) -> Tuple[str, str]:
    """platform.processor() on Linux: `uname -p`, stripped, "unknown" as
    ""; "" when uname cannot be run or fails."""
    cmd = "uname -p"
    uname = _find(m, path, "uname")[0]
    if not uname:
        return "", ""
    r = m.run(uname, "uname", "-p")
    why = _run_problem(cmd, r)
    if why:
        return "", why
    if r.failed or r.exit != 0:
        return "", ""
    out, why = _py_text("the output of " + cmd, r.stdout)
    if why:
        return "", why
    s = out.strip()
    return ("" if s == "unknown" else s), ""


def _run_problem(cmd: str, r: _Run) -> str:
    if r.timeout:
        return f"{cmd} did not finish within {TIMEOUT} seconds"
    if r.large:
        return f"{cmd} printed more than {OUTPUT_LIMIT} bytes"
    return ""


def _mem_total(m: _Machine) -> Tuple[str, str]:
    """psutil.virtual_memory().total on Linux: MemTotal of /proc/meminfo ×
    1024, after psutil has read every line as "key value ..." with an
    integer value; "" when it is 0."""
    bad = _MEMINFO + " is not as psutil reads it"
    f = m.read(_MEMINFO, PROC_LIMIT)
    if f.kind != "ok" or not f.data:
        return "", bad
    total = b""
    # A last "\n" ends the last line; it does not start an empty one.
    for line in f.data.removesuffix(b"\n").split(b"\n"):
        fields = line.split()
        if len(fields) < 2 or not fields[1].isdigit():
            return "", bad
        if fields[0] == b"MemTotal:":
            total = fields[1]
    if not total or int(total) > 1 << 53:
        return "", bad
    kb = int(total)
    return (str(kb * 1024) if kb else ""), ""


def _ascii(name: str, b: bytes) -> str:
    """Declines text that is not ASCII: Python decodes it by its locale
    (or as UTF-8), which is not known here."""
    if any(c >= 0x80 for c in b):
        return name + " is not ASCII, and how Python decodes it depends on its version and locale"
    return ""


def _py_text(name: str, b: bytes) -> Tuple[str, str]:
    """A file or an output read in text mode: ASCII only, with universal
    newlines ("\\r\\n" and "\\r" read as "\\n")."""
    why = _ascii(name, b)
    if why:
        return "", why
    return b.decode("ascii").replace("\r\n", "\n").replace("\r", "\n"), ""


# -- paths ----------------------------------------------------------------------


def _posix_join(directory: str, name: str) -> str:
    if directory == "" or directory.endswith("/"):
        return directory + name
    return directory + "/" + name


def _posix_parent(p: str) -> str:
    i = p.rfind("/")
    if i < 0:
        return p
    if p[:i].lstrip("/") == "":
        return p[: i + 1]
    return p[:i]


def _pathlib_clean(p: str) -> str:
    """str(pathlib.PurePosixPath(p)), written out so that Go and Node can
    follow it exactly."""
    root = "//" if p.startswith("//") and not p.startswith("///") else "/" if p.startswith("/") else ""
    parts = [c for c in p.split("/") if c not in ("", ".")]
    return (root + "/".join(parts)) or "."


def _normpath(p: str) -> str:
    """posixpath.normpath, written out for the same reason."""
    if not p:
        return "."
    initial = 2 if p.startswith("//") and not p.startswith("///") else 1 if p.startswith("/") else 0
    parts: List[str] = []
    for c in p.split("/"):
        if c in ("", "."):
            continue
        if c != "..":
            parts.append(c)
        elif (initial == 0 and not parts) or (parts and parts[-1] == ".."):
            parts.append(c)
        elif parts:
            parts.pop()
    return ("/" * initial + "/".join(parts)) or "."


# -- this machine ---------------------------------------------------------------


class _OSMachine:
    def platform(self) -> str:
        from ._fingerprint import node_platform

        return node_platform(sys.platform)

    def getenv(self, key: str) -> Optional[str]:
        return os.environ.get(key)

    def stat(self, path: str) -> _Stat:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return _Stat("")
        except (OSError, ValueError):
            return _Stat("error")
        if stat.S_ISDIR(st.st_mode):
            # Windows decides by ACLs, which access() does not model; the
            # user's own Local AppData is taken to be writable.
            return _Stat("dir", writable=os.name == "nt" or os.access(path, os.W_OK | os.X_OK))
        if stat.S_ISREG(st.st_mode):
            return _Stat("file", exec=os.access(path, os.X_OK))
        return _Stat("other")

    def read(self, path: str, limit: int) -> _File:
        try:
            # O_NONBLOCK: an open of a FIFO does not wait for a writer.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return _File("missing")
        except (OSError, ValueError):
            return _File("error")
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                return _File("dir")
            if not stat.S_ISREG(st.st_mode):
                return _File("other")
            chunks: List[bytes] = []
            n = 0
            while n <= limit:
                b = os.read(fd, limit + 1 - n)
                if not b:
                    break
                chunks.append(b)
                n += len(b)
        except OSError:
            return _File("error")
        finally:
            os.close(fd)
        return _File("large") if n > limit else _File("ok", b"".join(chunks))

    def run(self, path: str, name: str, *args: str) -> _Run:
        import subprocess

        try:
            r = subprocess.run(
                [name, *args], executable=path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, timeout=TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired:
            return _Run(timeout=True)
        except OSError:
            return _Run(failed=True)
        if len(r.stdout) > OUTPUT_LIMIT:
            return _Run(large=True)
        return _Run(exit=r.returncode, stdout=r.stdout)

    def interfaces(self) -> List[Dict[str, Any]]:
        """/sys/class/net with each interface's ARPHRD type, hardware
        address, flags and operational state, and its IPv4 addresses from
        getifaddrs, as Go and Node see them."""
        from ._fingerprint import _posix_interfaces

        try:
            names = os.listdir("/sys/class/net")
        except OSError:
            return []
        try:
            ipv4 = {i["name"]: int(i["ipv4"]) for i in _posix_interfaces()}
        except (OSError, AttributeError, ValueError):
            ipv4 = {}

        def text(d: str, name: str) -> str:
            try:
                with open(os.path.join(d, name), "rb") as f:
                    return f.read().decode("utf-8", "replace").strip()
            except OSError:
                return ""

        out: List[Dict[str, Any]] = []
        for name in names:
            d = "/sys/class/net/" + name
            try:
                typ = int(text(d, "type"), 10)
            except ValueError:
                continue  # not an interface (bonding_masters)
            try:
                flags = int(text(d, "flags").removeprefix("0x"), 16)
            except ValueError:
                flags = 0
            oper = text(d, "operstate")
            # IFF_RUNNING is IFF_UP with an operational state of up or
            # unknown (the kernel's dev_get_flags).
            out.append({"name": name, "type": typ, "address": text(d, "address"),
                        "up": bool(flags & 1) and oper in ("up", "unknown"), "ipv4": ipv4.get(name, 0)})
        return out

    def uname(self) -> Tuple[str, str]:
        u = os.uname()
        return u.nodename, u.machine
