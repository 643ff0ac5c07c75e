"""The compiled-module cache: compiled once, then read from disk by later
processes. It holds code a later process runs, so these tests attack it as
another local user would: a directory others may write or own, an entry
whose code was changed, a planted symbolic link. Nothing changed is ever
run, a damaged entry is written again, and a refused directory says why.
Small modules of our own keep these tests quick (the real one takes
Cranelift tens of seconds to compile)."""

from __future__ import annotations

import json
import os
import platform
import stat
import struct
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import licverify
from licverify import _runtime
from licverify._cache import SECRET_NAME, Store
from licverify._runtime import compiled_module

TINY = b"\x00asm\x01\x00\x00\x00"  # the empty module

#: A module whose one export, f, returns 42: types () -> i32, one function,
#: its export, its body (i32.const 42).
ANSWER = (
    b"\x00asm\x01\x00\x00\x00"
    b"\x01\x05\x01\x60\x00\x01\x7f"
    b"\x03\x02\x01\x00"
    b"\x07\x05\x01\x01f\x00\x00"
    b"\x0a\x06\x01\x04\x00\x41\x2a\x0b"
)

NOBODY = 65534  # the uid of another local user

posix_only = pytest.mark.skipif(os.name != "posix", reason="owners and modes are POSIX")
root_only = pytest.mark.skipif(os.name != "posix" or os.getuid() != 0, reason="needs root, to give files to another user")


def forget_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_runtime, "_modules", {})


def test_compiled_then_read_from_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget_in_memory(monkeypatch)
    _, first = compiled_module(TINY, tmp_path / "cache")
    assert first.source == "compiled" and first.cache_file is not None and first.cache_file.is_file()
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    _, again = compiled_module(TINY, tmp_path / "cache")
    assert again.source == "memory"
    forget_in_memory(monkeypatch)
    _, later = compiled_module(TINY, tmp_path / "cache")
    assert later.source == "disk"  # what a new process sees


def test_a_damaged_cache_file_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget_in_memory(monkeypatch)
    _, info = compiled_module(TINY, tmp_path)
    assert info.cache_file is not None
    info.cache_file.write_bytes(b"not compiled code")
    forget_in_memory(monkeypatch)
    _, again = compiled_module(TINY, tmp_path)
    assert again.source == "compiled" and info.cache_file.read_bytes() != b"not compiled code"


@pytest.mark.skipif(os.name != "posix", reason="permissions are POSIX")
def test_a_directory_others_can_write_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget_in_memory(monkeypatch)
    shared = tmp_path / "shared"
    _, info = compiled_module(TINY, shared)
    shared.chmod(0o777)
    forget_in_memory(monkeypatch)
    with pytest.warns(RuntimeWarning, match="is writable by others"):
        _, again = compiled_module(TINY, shared)
    assert again.source == "compiled"


def test_a_new_process_loads_the_module_from_the_disk_cache() -> None:
    # The verifier of this session compiled (or loaded) the real module
    # into the default cache, the optimized tier behind the baseline one
    # when the cache was empty; a new process maps it in.
    assert licverify.Verifier()._code.wait(600)
    script = (
        "import json, time; t = time.perf_counter(); import licverify\n"
        "v = licverify.Verifier(); r = v.canonicalize('[1.0]')\n"
        "print(json.dumps({'source': v.load_info.source, 'canonical': r.canonical, 's': time.perf_counter() - t}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["source"] == "disk" and got["canonical"] == "[1]"


# -- attacks, each next process a real one -----------------------------------

#: A new process on the cache: loads ANSWER through it, calls f, and prints
#: where the compiled module came from and what f answered.
PROCESS = """
import json, sys, warnings, wasmtime
from pathlib import Path
from licverify._runtime import compiled_module, engine
warnings.simplefilter("ignore")
module, info = compiled_module(bytes.fromhex(sys.argv[1]), Path(sys.argv[2]))
store = wasmtime.Store(engine())
f = wasmtime.Instance(store, module, []).exports(store)["f"]
print(json.dumps({"source": info.source, "f": f(store), "cache_error": getattr(info, "cache_error", None)}))
"""


def run_process(cache: Path) -> Dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", PROCESS, ANSWER.hex(), str(cache)], env=env, capture_output=True, text=True)
    assert out.returncode == 0, f"the process died (status {out.returncode}): {out.stderr}"
    got: Dict[str, Any] = json.loads(out.stdout)
    assert got["f"] == 42, "code other than the module's ran"
    return got


def code_files(cache: Path) -> List[Path]:
    """The files of compiled code: every non-empty regular file but the secret."""
    return [p for p in cache.rglob("*") if p.is_file() and not p.is_symlink() and p.name != SECRET_NAME and p.stat().st_size > 0]


def warm(cache: Path) -> Path:
    assert run_process(cache)["source"] == "compiled"
    files = code_files(cache)
    assert len(files) == 1
    return files[0]


def text_section(data: bytes) -> Tuple[int, int]:
    """Where the machine code of the serialized module (an ELF object
    inside the entry) is: its .text section's offset and size."""
    base = data.index(b"\x7fELF")
    elf = data[base:]
    assert elf[4] == 2 and elf[5] == 1, "a 64-bit little-endian ELF"
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(i: int) -> Tuple[int, int, int]:
        name, _type, _flags, _addr, offset, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return name, offset, size

    names = section(shstrndx)[1]
    for i in range(shnum):
        name, offset, size = section(i)
        if elf[names + name : elf.index(b"\0", names + name)] == b".text":
            return base + offset, size
    raise AssertionError("no .text section")


TRAP = {"x86_64": b"\x0f\x0b", "AMD64": b"\x0f\x0b", "aarch64": b"\x00\x00\x00\x00", "arm64": b"\x00\x00\x00\x00"}


@pytest.mark.skipif(platform.machine() not in TRAP, reason="no trap instruction known for this CPU")
def test_changed_machine_code_is_never_run(tmp_path: Path) -> None:
    # The machine code of a cached entry overwritten with trap instructions
    # (ud2), the rest left loadable: deserializing it would kill every
    # process with SIGILL until the file was removed by hand.
    entry = warm(tmp_path / "cache")
    data = bytearray(entry.read_bytes())
    offset, size = text_section(bytes(data))
    trap = TRAP[platform.machine()]
    data[offset : offset + size] = (trap * (size // len(trap) + 1))[:size]
    entry.write_bytes(bytes(data))
    assert run_process(tmp_path / "cache")["source"] == "compiled"
    assert entry.read_bytes() != bytes(data), "the changed entry was kept"
    assert run_process(tmp_path / "cache")["source"] == "disk", "the rewritten entry was not loaded"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2] + bytes([b[len(b) // 2] ^ 0x40]) + b[len(b) // 2 + 1 :], id="a byte flipped"),
        pytest.param(lambda b: b[:-1] + bytes([b[-1] ^ 1]), id="the last byte flipped"),
        pytest.param(lambda b: b"", id="emptied"),
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b + b"\0", id="grown"),
    ],
)
def test_a_damaged_entry_is_a_miss_and_written_again(tmp_path: Path, damage: Any) -> None:
    cache = tmp_path / "cache"
    entry = warm(cache)
    before = sorted(p.name for p in cache.iterdir())
    damaged = damage(entry.read_bytes())
    entry.write_bytes(damaged)
    assert run_process(cache)["source"] == "compiled"
    assert entry.read_bytes() != damaged
    assert sorted(p.name for p in cache.iterdir()) == before, "something else was left in the directory"
    assert run_process(cache)["source"] == "disk"


@posix_only
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p.chmod(0o666), id="writable by others"),
        pytest.param(lambda p: p.chmod(0o620), id="writable by its group"),
        pytest.param(lambda p: os.chown(p, NOBODY, NOBODY), id="owned by another user", marks=root_only),
    ],
)
def test_an_entry_others_could_write_is_a_miss(tmp_path: Path, change: Any) -> None:
    entry = warm(tmp_path / "cache")
    change(entry)
    assert run_process(tmp_path / "cache")["source"] == "compiled"
    st = entry.stat()
    assert st.st_uid == os.getuid() and not st.st_mode & 0o022
    assert run_process(tmp_path / "cache")["source"] == "disk"


@posix_only
def test_planted_symbolic_links_are_not_followed(tmp_path: Path) -> None:
    # A link planted at every name the cache writes (found by a run on
    # another directory): nothing is created where it points.
    scratch = tmp_path / "scratch"
    warm(scratch)
    names = sorted(p.name for p in scratch.iterdir())
    assert SECRET_NAME in names and len(names) == 2
    for name in names:
        cache, victim = tmp_path / name / "cache", tmp_path / name / "victim"
        cache.mkdir(parents=True)
        (cache / name).symlink_to(victim)
        got = run_process(cache)
        assert not victim.exists(), f"{name}: a file was created through the link"
        if name == SECRET_NAME:
            assert got["cache_error"] == f"licverify: compilation cache directory {cache} is refused: {cache / name} is a symbolic link"
        else:
            assert got["cache_error"] is None and not (cache / name).is_symlink()
            assert run_process(cache)["source"] == "disk"


def listing(root: Path) -> List[str]:
    return sorted(str(p) for p in root.rglob("*"))


def mkdir(path: Path, mode: int) -> Path:
    path.mkdir()
    path.chmod(mode)
    return path


def with_secret(tmp: Path) -> Path:
    cache = tmp / "cache"
    Store(cache)
    assert (cache / SECRET_NAME).is_file()
    return cache


@posix_only
@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda t: (mkdir(t / "cache", 0o777), "{cache} is writable by others (mode 0777)"), id="writable by others"),
        pytest.param(lambda t: (mkdir(t / "cache", 0o770), "{cache} is writable by others (mode 0770)"), id="writable by its group"),
        pytest.param(
            lambda t: (mkdir(t / "shared", 0o777) / "a" / "cache", "{tmp}/shared is writable by others (mode 0777)"),
            id="below a directory others may write",
        ),
        pytest.param(
            lambda t: (chown(mkdir(t / "cache", 0o700)), "{cache} is owned by uid 65534, not by this user"),
            id="owned by another user",
            marks=root_only,
        ),
        pytest.param(
            lambda t: (chown(mkdir(t / "home", 0o755)) / ".cache" / "licverify", "{tmp}/home is owned by uid 65534, neither this user"),
            id="below another user's directory",
            marks=root_only,
        ),
        pytest.param(
            lambda t: (chown(with_secret(t) / SECRET_NAME).parent, "{cache}/licverify-cache.key is owned by uid 65534"),
            id="the secret owned by another user",
            marks=root_only,
        ),
        pytest.param(
            lambda t: (chmod(with_secret(t) / SECRET_NAME, 0o644).parent, "{cache}/licverify-cache.key is open to others (mode 0644, want 0600)"),
            id="the secret readable by others",
        ),
    ],
)
def test_a_directory_others_could_change_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: Any) -> None:
    forget_in_memory(monkeypatch)
    cache, why = setup(tmp_path)
    why = why.format(cache=cache, tmp=tmp_path)
    before = listing(tmp_path)
    with pytest.warns(RuntimeWarning, match="is refused: "):
        _, info = compiled_module(TINY, cache)
    assert info.source == "compiled" and info.cache_file is None
    assert info.cache_error is not None
    assert info.cache_error.startswith(f"licverify: compilation cache directory {cache} is refused: {why}"), info.cache_error
    assert listing(tmp_path) == before, "written in a refused directory"
    # Said once: a second Verifier on it is quiet.
    forget_in_memory(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, again = compiled_module(TINY, cache)
    assert again.cache_error == info.cache_error


def chown(path: Path) -> Path:
    os.chown(path, NOBODY, NOBODY)
    return path


def chmod(path: Path, mode: int) -> Path:
    path.chmod(mode)
    return path


@root_only
def test_another_users_home_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root running with another user's HOME (sudo keeping it): the default
    # directory there is refused, and nothing is created in that home.
    forget_in_memory(monkeypatch)
    home = chown(mkdir(tmp_path / "alice", 0o755))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("LICVERIFY_CACHE_DIR", raising=False)
    cache = _runtime.default_cache_dir()
    assert cache is not None
    with pytest.warns(RuntimeWarning):
        _, info = compiled_module(TINY, cache)
    assert info.cache_error is not None and f"is refused: {home} is owned by uid 65534" in info.cache_error
    assert list(home.iterdir()) == []


@posix_only
def test_a_sticky_directory_above_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget_in_memory(monkeypatch)
    shared = mkdir(tmp_path / "shared", 0o1777)
    _, info = compiled_module(TINY, shared / "cache")
    assert info.cache_error is None and info.cache_file is not None and info.cache_file.is_file()
    assert stat.S_IMODE((shared / "cache" / SECRET_NAME).stat().st_mode) == 0o600
