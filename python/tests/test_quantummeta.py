"""collect_quantummeta_machine_id: the rules of docs/formats.md
("QuantumMeta's machine id") on the fixtures the Go and Node collectors
share (testvectors/fingerprint/quantummeta.json), the fixtures held to
QuantumMeta's own code, and on this machine the id QuantumMeta's
get_machine_id() gives, from Python, Go and Node alike."""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import licverify
from conftest import REPO
from licverify._quantummeta import _File, _find, _Run, _Stat, classify, quantummeta

FIXTURES = json.loads((REPO / "testvectors" / "fingerprint" / "quantummeta.json").read_text("utf-8"))
PROBE = Path(__file__).with_name("quantummeta_probe.py")
CASE_KEYS = {"name", "comment", "platform", "env", "fs", "runs", "interfaces", "uname", "expect"}


class FakeMachine:
    """A machine of the fixtures; a command it does not list fails."""

    def __init__(self, case: Dict[str, Any]) -> None:
        assert set(case) <= CASE_KEYS, set(case) - CASE_KEYS
        self.case = case

    def platform(self) -> str:
        return str(self.case["platform"])

    def getenv(self, key: str) -> Optional[str]:
        v = self.case["env"].get(key)
        return None if v is None else str(v)

    def stat(self, path: str) -> _Stat:
        f = self.case["fs"].get(path, {"kind": ""})
        return _Stat(f["kind"], exec=f.get("exec", False), writable=f.get("writable", False))

    def read(self, path: str, limit: int) -> _File:
        f = self.case["fs"].get(path)
        if f is None:
            return _File("missing")
        if f["kind"] != "file":
            return _File(f["kind"])
        data = f.get("text", "").encode("utf-8")
        return _File("large") if len(data) > limit else _File("ok", data)

    def run(self, path: str, name: str, *args: str) -> _Run:
        argv = " ".join((name, *args))
        assert posixpath.basename(path) == name
        runs = self.case.get("runs", {})
        assert argv in runs, f"the rules ran {argv!r} ({path}), which the case does not list"
        r = runs[argv]
        return _Run(exit=r.get("exit", 0), stdout=r.get("stdout", "").encode("utf-8"),
                    timeout=r.get("timeout", False), large=r.get("large", False), failed=r.get("failed", False))

    def interfaces(self) -> List[Dict[str, Any]]:
        return list(self.case.get("interfaces", []))

    def uname(self) -> Tuple[str, str]:
        u = self.case.get("uname", {})
        return str(u.get("nodename", "")), str(u.get("machine", ""))


@pytest.mark.parametrize("case", FIXTURES["cache_files"], ids=lambda c: str(c["name"]))
def test_cache_file_fixtures(case: Dict[str, Any]) -> None:
    assert set(case["expect"]) <= {"machine_id", "decline", "recompute"} and len(case["expect"]) == 1
    want = (case["expect"].get("machine_id", ""), case["expect"].get("decline", ""), case["expect"].get("recompute", ""))
    assert classify("machine_id.json", case["text"].encode("utf-8")) == want


@pytest.mark.parametrize("case", FIXTURES["machines"], ids=lambda c: str(c["name"]))
def test_machine_fixtures(case: Dict[str, Any]) -> None:
    assert quantummeta(FakeMachine(case)).to_dict() == case["expect"]


def test_every_fixture_is_run() -> None:
    # The parametrized tests are made from the file when collected; it
    # must hold cases, or nothing was checked.
    assert len(FIXTURES["cache_files"]) >= 50 and len(FIXTURES["machines"]) >= 50


# -- the fixtures held to QuantumMeta's own code ---------------------------------


def quantummeta_python() -> str:
    """This Python, when it has quantummeta-license (python/run-tests.sh
    installs it); the test is skipped without it, outside CI."""
    try:
        import quantummeta_license  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("quantummeta-license is not installed: not checked against QuantumMeta's own code")
    return sys.executable


def probe(args: List[str], payload: Any, env: Dict[str, str]) -> str:
    out = subprocess.run([quantummeta_python(), str(PROBE), *args], input=json.dumps(payload), capture_output=True,
                         text=True, env={**os.environ, **env}, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_cache_files_as_quantummeta_reads_them(tmp_path: Path) -> None:
    # _load_cached_machine_id() on each text: an id reported is what it
    # returns; a decline is of something it returns (not an id computed
    # anew); a recompute is where it returns nothing.
    cases = FIXTURES["cache_files"]
    got = json.loads(probe(["load"], [c["text"] for c in cases], {"XDG_CACHE_HOME": str(tmp_path), "PYTHONUTF8": "1"}))
    for case, q in zip(cases, got, strict=True):
        e = case["expect"]
        if "machine_id" in e:
            assert q == {"type": "str", "value": e["machine_id"], "truthy": True}, case["name"]
        elif "decline" in e:
            assert q["truthy"], (case["name"], q)
        else:
            assert not q["truthy"], (case["name"], q)


def computed_cases() -> Iterator[Dict[str, Any]]:
    return (c for c in FIXTURES["machines"] if c["expect"].get("source") == "computed")


@pytest.mark.parametrize("case", list(computed_cases()), ids=lambda c: str(c["name"]))
def test_computed_fixtures_are_get_machine_ids(case: Dict[str, Any], tmp_path: Path) -> None:
    # get_machine_id() given the same inputs: the files, the commands this
    # PATH finds, os.uname(), /proc/meminfo, and the one Ethernet MAC the
    # rules take for uuid.getnode()'s.
    m = FakeMachine(case)
    dirs = (m.getenv("PATH") or "/bin:/usr/bin").split(":")
    found = [name for name in ("lsblk", "uname") if _find(m, dirs, name)[0]]
    (eth,) = [i for i in case["interfaces"] if i["type"] == 1]
    payload = {**case, "found": found, "node": eth["address"].replace(":", "")}
    assert probe(["compute"], payload, {"XDG_CACHE_HOME": str(tmp_path)}).strip() == case["expect"]["quantummeta_machine_id"]


# -- this machine ---------------------------------------------------------------


@pytest.fixture(scope="module")
def go_cli(tmp_path_factory: pytest.TempPathFactory) -> Optional[Path]:
    """The CLI, built once with the usual Go environment (a scratch HOME
    would make `go run` build everything anew)."""
    go = shutil.which("go")
    if go is None:
        return None
    exe = tmp_path_factory.mktemp("go") / "licverify"
    subprocess.run([go, "build", "-o", str(exe), "./cmd/licverify"], cwd=REPO, check=True, timeout=600)
    return exe


def others(env: Dict[str, str], go_cli: Optional[Path]) -> Dict[str, Dict[str, str]]:
    """What the Go and Node collectors report with this environment."""
    full = {**os.environ, **env}
    for k in ("XDG_CACHE_HOME", "HOME"):
        if k not in env:
            full.pop(k, None)
    got: Dict[str, Dict[str, str]] = {}
    if go_cli is not None:
        out = subprocess.run([str(go_cli), "fingerprint", "--quantummeta", "--json"], env=full, capture_output=True, text=True, timeout=120)
        assert out.returncode in (0, 1), out.stderr
        got["go"] = json.loads(out.stdout)
    node = shutil.which("node")
    if node is not None:
        out = subprocess.run(
            [node, "--input-type=module", "-e",
             "import { collectQuantumMetaMachineId } from './lib/quantummeta.js';"
             "console.log(JSON.stringify(await collectQuantumMetaMachineId()));"],
            cwd=REPO / "js", env=full, capture_output=True, text=True, check=True, timeout=120)
        got["node"] = json.loads(out.stdout)
    if os.environ.get("CI") == "true":
        assert set(got) == {"go", "node"}, "CI has go and node"
    return got


def get_machine_id(env: Dict[str, str]) -> str:
    """QuantumMeta's own get_machine_id() in a fresh process."""
    code = "from quantummeta_license.core.hardware import get_machine_id; print(get_machine_id())"
    full = {**os.environ, **env}
    out = subprocess.run([quantummeta_python(), "-c", code], env=full, capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.strip()


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the environment places the cache so on Linux")


@linux_only
@pytest.mark.parametrize("where", ["XDG_CACHE_HOME", "HOME"])
def test_the_id_get_machine_id_cached(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      go_cli: Optional[Path]) -> None:
    # get_machine_id() writes its cache; every collector then reports what
    # it returns.
    env = {"HOME": str(tmp_path / "home")}
    if where == "XDG_CACHE_HOME":
        env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
        file = tmp_path / "xdg" / "quantummeta" / "machine_id.json"
    else:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        file = tmp_path / "home" / ".cache" / "quantummeta" / "machine_id.json"
    (tmp_path / "home").mkdir()
    want = get_machine_id(env)
    assert file.is_file()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    got = licverify.collect_quantummeta_machine_id()
    assert got.to_dict() == {"quantummeta_machine_id": want, "source": "cache", "path": str(file)}
    for runtime, r in others(env, go_cli).items():
        assert r == got.to_dict(), runtime


@linux_only
def test_without_a_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, go_cli: Optional[Path]) -> None:
    # No cache: the id get_machine_id() computes, or why it cannot be
    # known; where the reason is a random input, two computations differ.
    env = {"XDG_CACHE_HOME": str(tmp_path / "ours")}
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    got = licverify.collect_quantummeta_machine_id()
    assert (got.quantummeta_machine_id is None) != (got.reason is None), got
    assert not (tmp_path / "ours").exists(), "the collector made QuantumMeta's cache directory"
    for runtime, r in others(env, go_cli).items():
        assert r == got.to_dict(), runtime
    first = get_machine_id({"XDG_CACHE_HOME": str(tmp_path / "first")})
    if got.quantummeta_machine_id is not None:
        assert got.source == "computed" and got.quantummeta_machine_id == first
        return
    assert got.reason is not None and ", so get_machine_id() computes a new id, and " in got.reason
    if "uses a random UUID" in got.reason:
        assert get_machine_id({"XDG_CACHE_HOME": str(tmp_path / "second")}) != first, got.reason


@linux_only
def test_the_cache_is_read_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    file = tmp_path / "quantummeta" / "machine_id.json"
    file.parent.mkdir()
    text = '{"machine_id": "3F2A9C0D5E6B7A8190FEDCBA12345678"}'
    file.write_text(text.ljust(4096))
    assert licverify.collect_quantummeta_machine_id().quantummeta_machine_id == "3F2A9C0D5E6B7A8190FEDCBA12345678"
    file.write_text(text.ljust(4097))
    assert licverify.collect_quantummeta_machine_id().reason == f"{file} is larger than 4096 bytes"
    file.unlink()
    os.mkfifo(file)
    started = time.monotonic()
    assert licverify.collect_quantummeta_machine_id().reason == f"{file} is not a regular file"
    assert time.monotonic() - started < 5


@linux_only
def test_not_a_fingerprint_component(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "quantummeta").mkdir()
    (tmp_path / "quantummeta" / "machine_id.json").write_text('{"machine_id": "3f2a9c0d5e6b7a8190fedcba12345678"}')
    assert licverify.collect_quantummeta_machine_id().quantummeta_machine_id == "3f2a9c0d5e6b7a8190fedcba12345678"
    c = licverify.collect_fingerprint()
    assert "quantummeta_machine_id" not in c and "3f2a9c0d5e6b7a8190fedcba12345678" not in c.values()
