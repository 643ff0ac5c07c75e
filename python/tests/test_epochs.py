"""EpochStore: the highest epoch accepted per namespace, in a JSON file
written atomically, in the Node store's format."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import REPO
from licverify import EpochStore


def test_get_raise_and_never_lower(tmp_path: Path) -> None:
    store = EpochStore(tmp_path / "state" / "epochs.json")
    assert store.get("status") == 0  # no file yet
    assert store.raise_to("status", 42) == 42
    assert store.raise_to("status", 41) == 42  # never lowered
    assert store.raise_to("revocation", 7) == 7
    assert store.get("status") == 42 and store.get("revocation") == 7
    # Reopened: the file is the memory.
    assert EpochStore(tmp_path / "state" / "epochs.json").get("status") == 42
    assert store.raise_to("status", 1 << 53) == 1 << 53


def test_epochs_up_to_2_53_and_any_namespace(tmp_path: Path) -> None:
    # As the Go and Node stores: 2^53 is an epoch (the largest a document
    # carries), and names that are also JavaScript's Object.prototype's are
    # ordinary namespaces, written as members of their own.
    path = tmp_path / "epochs.json"
    store = EpochStore(path)
    store.raise_to("proofs", 5)
    assert store.raise_to("top", 1 << 53) == 1 << 53
    assert EpochStore(path).get("top") == 1 << 53
    for ns in ("__proto__", "constructor", "toString", "hasOwnProperty", "__defineGetter__"):
        assert store.get(ns) == 0, ns
        assert store.raise_to(ns, 6) == 6, ns
        assert EpochStore(path).get(ns) == 6, ns
    assert store.raise_to("__proto__", 1 << 53) == 1 << 53
    text = path.read_text("utf-8")
    assert '  "__proto__": 9007199254740992,\n' in text
    assert json.loads(text)["__proto__"] == 1 << 53 and json.loads(text)["proofs"] == 5
    # What the Node store writes for those names reads the same here.
    path.write_text('{"__proto__": 9007199254740992, "constructor": 7}\n', "utf-8")
    assert store.get("__proto__") == 1 << 53 and store.get("constructor") == 7 and store.get("toString") == 0
    with pytest.raises(TypeError):
        store.raise_to("__proto__", (1 << 53) + 1)


def test_the_node_store_reads_what_python_wrote(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    path = tmp_path / "epochs.json"
    store = EpochStore(path)
    store.raise_to("__proto__", 1 << 53)
    store.raise_to("constructor", 3)
    script = (
        "import { createEpochStore } from './lib/node-host.js';"
        "const s = createEpochStore({ path: process.argv[1] });"
        "console.log(JSON.stringify([await s.get('__proto__'), await s.get('constructor'), await s.get('toString'),"
        " await s.raise('constructor', 2 ** 53)]));"
    )
    out = subprocess.run([node, "--input-type=module", "-e", script, str(path)], cwd=REPO / "js",
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [1 << 53, 3, 0, 1 << 53]
    assert store.get("constructor") == 1 << 53 and store.get("__proto__") == 1 << 53


def test_the_file_is_the_node_stores_format(tmp_path: Path) -> None:
    path = tmp_path / "epochs.json"
    store = EpochStore(path)
    store.raise_to("z-issuer", 3)
    store.raise_to("a-issuer", 5)
    assert path.read_text("utf-8") == '{\n  "a-issuer": 5,\n  "z-issuer": 3\n}\n'
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # No temporary file is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epochs.json", "epochs.json.lock"]
    # What the Node store writes (JSON.parse reads 42.0 as 42) reads the same.
    path.write_text('{"issuer": 42.0, "other": 4.2e1}', "utf-8")
    assert store.get("issuer") == 42 and store.get("other") == 42


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[]", b'{"a": -1}', b'{"a": "1"}', b'{"a": 1.5}', b'{"a": true}', b'{"a": 1, "a": 2}',
     b'{"a": NaN}', b'{"a": 9007199254740993}', b'\xff{}'],
)
def test_a_damaged_store_is_an_error_never_zero(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "epochs.json"
    path.write_bytes(content)
    store = EpochStore(path)
    with pytest.raises(ValueError, match="damaged"):
        store.get("a")
    with pytest.raises(ValueError, match="damaged"):
        store.raise_to("a", 5)
    assert path.read_bytes() == content  # left as it is


def test_misuse(tmp_path: Path) -> None:
    store = EpochStore(tmp_path / "e.json")
    for bad in ("", "\ud800", 5):
        with pytest.raises(TypeError):
            store.get(bad)  # type: ignore[arg-type]
    for epoch in (-1, (1 << 53) + 1, 1.0, True, "3"):
        with pytest.raises(TypeError):
            store.raise_to("a", epoch)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        EpochStore("")


def test_concurrent_raises_keep_the_highest(tmp_path: Path) -> None:
    path = tmp_path / "epochs.json"
    store = EpochStore(path)
    threads = [threading.Thread(target=lambda e=e: store.raise_to("ns", e)) for e in range(1, 41)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get("ns") == 40


@pytest.mark.skipif(os.name != "posix", reason="processes are serialized with flock on POSIX")
def test_processes_raising_together_keep_the_highest(tmp_path: Path) -> None:
    path = tmp_path / "epochs.json"
    script = (
        "import sys; from licverify import EpochStore\n"
        "s = EpochStore(sys.argv[1])\n"
        "for e in range(int(sys.argv[2]), 400, 2): s.raise_to('ns', e)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), str(k)], env=env) for k in (0, 1)]
    assert all(p.wait(60) == 0 for p in procs)
    assert json.loads(path.read_text("utf-8")) == {"ns": 399}
