"""The compiled-module cache: compiled once, then read from disk by later
processes; a file that does not load, or a directory others may write, is
never trusted. A small module of our own keeps these tests quick (the
real one takes Cranelift tens of seconds to compile)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import licverify
from licverify import _runtime
from licverify._runtime import compiled_module

TINY = b"\x00asm\x01\x00\x00\x00"  # the empty module


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
    _, again = compiled_module(TINY, shared)
    assert again.source == "compiled"


def test_a_new_process_loads_the_module_from_the_disk_cache() -> None:
    # The verifier of this session compiled (or loaded) the real module
    # into the default cache; a new process maps it in.
    licverify.Verifier()
    script = (
        "import json, time; t = time.perf_counter(); import licverify\n"
        "v = licverify.Verifier(); r = v.canonicalize('[1.0]')\n"
        "print(json.dumps({'source': v.load_info.source, 'canonical': r.canonical, 's': time.perf_counter() - t}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["source"] == "disk" and got["canonical"] == "[1]"
