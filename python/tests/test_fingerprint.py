"""collect_fingerprint: the rules of docs/formats.md ("Fingerprint
components"), as one pure function run on the fixtures the Go and Node
collectors share (testvectors/fingerprint/collector.json), and on this
machine the same hash as Go's collector."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any, Dict, List

import pytest

import licverify
from conftest import REPO
from licverify._fingerprint import collect_sources, fingerprint_components, node_arch, node_platform

KNOWN = {"machine_id", "mac", "hostname", "cpu_model", "total_memory", "platform", "arch"}

FIXTURES = REPO / "testvectors" / "fingerprint" / "collector.json"


def fixture_cases() -> List[Dict[str, Any]]:
    cases: List[Dict[str, Any]] = json.loads(FIXTURES.read_text("utf-8"))["cases"]
    return cases


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda c: str(c["name"]))
def test_the_shared_collector_fixtures(case: Dict[str, Any]) -> None:
    # Python names the system as Node does: the fixture's "node" member.
    sources = {**case["sources"], "platform": case["node"]["platform"], "arch": case["node"]["arch"]}
    assert fingerprint_components(sources) == case["components"]


def test_every_fixture_is_run() -> None:
    # The parametrized test above is made from the file when the tests are
    # collected; the file must hold cases, or nothing was checked.
    assert len(fixture_cases()) >= 6


def test_the_rules_read_nothing_but_their_sources() -> None:
    # Not Linux: the files are not read even when given, and the operating
    # system's answers are trimmed; Linux: the reverse.
    files = {"/etc/machine-id": "abc\n", "/proc/meminfo": "MemTotal: 2 kB\n"}
    mac = fingerprint_components({"platform": "darwin", "arch": "arm64", "files": files, "cpu_model": " M3 ", "total_memory": 8})
    assert mac == {"platform": "darwin", "arch": "arm64", "cpu_model": "M3", "total_memory": "8"}
    linux = fingerprint_components({"platform": "linux", "arch": "x64", "files": files, "cpu_model": "ignored", "total_memory": 8})
    assert linux == {"platform": "linux", "arch": "x64", "machine_id": "abc", "total_memory": "2048"}
    # Trimmed as Go trims (U+001F is not space there), numbers in ASCII only.
    odd = fingerprint_components({"platform": "linux", "arch": "x64", "files": {
        "/etc/machine-id": "\x1fid\x1f", "/proc/meminfo": "MemTotal: \u0661\u0662 kB\n",
        "/proc/cpuinfo": "model name\r\nmodel name :\u00a0X\u3000\r\n"}})
    assert odd == {"platform": "linux", "arch": "x64", "machine_id": "\x1fid\x1f", "cpu_model": "X"}


def test_names_are_nodes() -> None:
    assert [node_platform(p) for p in ("linux", "darwin", "win32", "freebsd14", "openbsd7", "sunos5", "aix")] == [
        "linux", "darwin", "win32", "freebsd", "openbsd", "sunos", "aix"]
    arch = {
        ("x86_64", 64): "x64", ("AMD64", 64): "x64", ("x86_64", 32): "ia32", ("i686", 32): "ia32",
        ("aarch64", 64): "arm64", ("arm64", 64): "arm64", ("ARM64", 64): "arm64", ("armv7l", 32): "arm",
        ("ppc64le", 64): "ppc64", ("ppc64", 64): "ppc64", ("s390x", 64): "s390x", ("riscv64", 64): "riscv64",
        ("loongarch64", 64): "loong64", ("mips64", 64): "mips64el", ("mips", 32): "mipsel",
    }
    for (machine, bits), want in arch.items():
        assert node_arch(machine, bits, "little") == want, (machine, bits)
    assert node_arch("mips", 32, "big") == "mips"


def test_components_are_non_empty_strings_of_the_known_names() -> None:
    c = licverify.collect_fingerprint()
    assert set(c) <= KNOWN and {"platform", "arch"} <= set(c)
    assert all(isinstance(v, str) and v for v in c.values())
    assert c == fingerprint_components(collect_sources())
    r = licverify.fingerprint_hash(c)
    assert r.valid and r.binding_hash and r.machine_id and r.binding_hash[7:39] == r.machine_id


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="getifaddrs is checked against /sys on Linux")
def test_interfaces_agree_with_sys_class_net() -> None:
    # What getifaddrs lists, read another way: /sys/class/net and
    # /proc/net/if_inet6.
    listed = {i["name"]: i for i in collect_sources()["interfaces"]}
    for name in os.listdir("/sys/class/net"):
        assert name in listed, name
        flags = int(open(f"/sys/class/net/{name}/flags").read(), 16)
        assert listed[name]["loopback"] == bool(flags & 0x8), name
        address = open(f"/sys/class/net/{name}/address").read().strip()
        if address and any(x != "0" for x in address.replace(":", "")) and not name.startswith(("tun", "sit", "gre", "ip6")):
            assert listed[name]["mac"] == address, name
    with open("/proc/net/if_inet6") as f:
        for line in f:
            if line.strip():
                assert listed[line.split()[-1]]["addresses"] >= 1, line


def test_the_same_hash_as_go_on_this_machine() -> None:
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed: cannot compare with Go's collector (go run ./cmd/licverify fingerprint --json)")
    out = subprocess.run([go, "run", "./cmd/licverify", "fingerprint", "--json"], cwd=REPO,
                         capture_output=True, text=True, check=True)
    want = json.loads(out.stdout)
    got = licverify.fingerprint_hash(licverify.collect_fingerprint())
    assert got.valid and want["valid"]
    assert got.binding_hash == want["binding_hash"], (licverify.collect_fingerprint(), out.stdout)


def test_the_same_components_as_node() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    out = subprocess.run(
        [node, "--input-type=module", "-e",
         "import { collectFingerprint } from './lib/node-host.js';"
         "console.log(JSON.stringify(await collectFingerprint()));"],
        cwd=REPO / "js", capture_output=True, text=True, check=True,
    )
    assert licverify.collect_fingerprint() == json.loads(out.stdout)
