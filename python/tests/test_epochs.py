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
import time
from pathlib import Path
from typing import Any, List, Union

import pytest

from conftest import REPO
from licverify import EpochStore, _epochs
from licverify._epochs import LOCK_STALE_AFTER


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epochs.json"]  # the lock file is removed too
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


RAISER = REPO / "epochstore" / "testdata"
ROUNDS = 20


def _raise_together(path: Path, commands: List[List[str]]) -> None:
    """Starts one child per command (epochstore/testdata/raise.*, given its
    number and the count), lets them all go at once, and checks that the
    file ends with every child's last epochs: the Go and Node tests run the
    same children."""
    n = len(commands)
    procs = [subprocess.Popen([*cmd, str(path), str(k), str(n), str(ROUNDS)], stdin=subprocess.PIPE,
                              stderr=subprocess.PIPE) for k, cmd in enumerate(commands)]
    for p in procs:
        assert p.stdin is not None
        p.stdin.close()
    for k, p in enumerate(procs):
        assert p.stderr is not None
        err = p.stderr.read()
        p.stderr.close()
        assert p.wait(120) == 0, f"child {k} ({commands[k]}): {err.decode(errors='replace')}"
    want = {f"own-{k}": ROUNDS for k in range(n)}
    want["shared"] = ROUNDS * n
    got = json.loads(path.read_text("utf-8"))
    lost = [ns for ns in want if ns not in got]
    assert not lost, f"{len(lost)} of {len(want)} namespaces lost"
    assert got == want
    assert not Path(f"{path}.lock").exists(), "the lock file is removed"


def test_six_processes_raising_one_file_lose_no_raise(tmp_path: Path) -> None:
    _raise_together(tmp_path / "epochs.json", [[sys.executable, str(RAISER / "raise.py")]] * 6)


def test_python_and_node_processes_take_one_lock(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is not installed; CI=true, so this fails instead of skipping")
        pytest.skip("node is not installed")
    py, js = [sys.executable, str(RAISER / "raise.py")], [node, str(RAISER / "raise.mjs")]
    _raise_together(tmp_path / "epochs.json", [py, js, py, js])


def _raise_through(path: Path, stores: List[EpochStore]) -> None:
    """400 raises of distinct namespaces from threads, spread over stores."""
    def work(t: int) -> None:
        for i in range(t, 400, 8):
            stores[i % len(stores)].raise_to(f"ns-{i}", i + 1)
    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = json.loads(path.read_text("utf-8"))
    lost = sum(1 for i in range(400) if got.get(f"ns-{i}") != i + 1)
    assert lost == 0, f"{lost} of 400 raises lost"


def test_two_stores_for_one_path_lose_no_raise(tmp_path: Path) -> None:
    path = tmp_path / "epochs.json"
    _raise_through(path, [EpochStore(path), EpochStore(path)])


def test_stores_under_aliased_paths_take_one_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    real.mkdir()
    monkeypatch.chdir(real)
    spellings: List[Union[str, Path]] = [real / "epochs.json", "epochs.json", f"{real}{os.sep}.{os.sep}epochs.json"]
    try:
        (tmp_path / "link").symlink_to(real, target_is_directory=True)
        spellings.append(tmp_path / "link" / "epochs.json")
    except OSError:
        if os.name == "posix":
            raise
    _raise_through(real / "epochs.json", [EpochStore(p) for p in spellings])


def test_a_stale_lock_is_removed_a_planted_link_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "epochs.json"
    lock = Path(f"{path}.lock")
    # An old lock file (an earlier version's flock file, or a dead holder's).
    lock.write_bytes(b"")
    old = time.time() - 2 * LOCK_STALE_AFTER
    os.utime(lock, (old, old))
    assert EpochStore(path).raise_to("a", 1) == 1
    assert not lock.exists()

    victim = tmp_path / "victim"
    try:
        lock.symlink_to(victim)
    except OSError:
        if os.name == "posix":
            raise
        pytest.skip("no symbolic links here")
    with pytest.raises(OSError, match="is not a regular file"):
        EpochStore(path).raise_to("a", 2)
    assert not victim.exists() and lock.is_symlink()
    assert EpochStore(path).get("a") == 1


def test_a_lock_taken_over_is_not_written_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "epochs.json"
    store = EpochStore(path)
    store.raise_to("a", 1)
    before = path.read_bytes()
    other = b'{"pid":1,"token":"another"}\n'
    take = _epochs._lock_file

    def taken_over(p: Path) -> Any:
        lock = take(p)
        Path(lock.name).write_bytes(other)  # as a process that took it for stale would
        return lock

    monkeypatch.setattr(_epochs, "_lock_file", taken_over)
    with pytest.raises(OSError, match="was taken over"):
        store.raise_to("a", 2)
    assert path.read_bytes() == before
    assert Path(f"{path}.lock").read_bytes() == other, "the other's lock is left alone"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epochs.json", "epochs.json.lock"]
