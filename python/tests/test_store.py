"""The session's directory store (docs/lifecycle.md, "The store"): its
modes, its atomic writes under session.lock, and everything read back
treated as untrusted: bounded, never through a symbolic link, and what does
not parse treated as absent with the reason kept."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from licverify._store import (
    MAX_PROOF,
    Cache,
    DirectoryStore,
    State,
    base_of,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="modes and O_NOFOLLOW are POSIX's")


def _store(tmp_path: Path) -> DirectoryStore:
    s = DirectoryStore(tmp_path / "store")
    s.ensure()
    return s


def test_the_directory_is_0700_and_files_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        s = _store(tmp_path)
        with s.lock() as lock:
            s.write("proof.json", b"{}", lock)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(s.path).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(s.path / "proof.json").st_mode) == 0o600
    # Nothing is left beside the files: the temporary was renamed, the lock removed.
    assert sorted(os.listdir(s.path)) == ["proof.json"]


def test_what_was_written_reads_back(tmp_path: Path) -> None:
    s = _store(tmp_path)
    t = datetime(2026, 3, 1, 0, 5, tzinfo=timezone.utc)
    with s.lock() as lock:
        s.write("proof.json", b'{"proof": 1}', lock)
        s.write("set.json", b'{"epoch": 1}', lock)
        s.write_deltas(b'{"epoch": 1}', [b'{"since_epoch": 1}', "{\"x\": \"\u00e9\"}".encode("utf-8")], lock)
        s.write("state.json", State(synced_at=t, set_failures=2, set_failed_at=t).to_json(), lock)
    c = s.read()
    assert c.proof == b'{"proof": 1}' and c.set == b'{"epoch": 1}'
    assert c.deltas == [b'{"since_epoch": 1}', "{\"x\": \"\u00e9\"}".encode("utf-8")]
    assert c.state == State(synced_at=t, set_failures=2, set_failed_at=t)
    assert c.problems == []
    doc = json.loads((s.path / "deltas.json").read_bytes())
    assert doc["base"] == base_of(b'{"epoch": 1}') and doc["base"].startswith("sha256:")


def test_an_empty_store_is_an_empty_cache(tmp_path: Path) -> None:
    assert _store(tmp_path).read() == Cache()


def test_deltas_of_another_base_are_ignored(tmp_path: Path) -> None:
    # What a crash between writing set.json and deltas.json leaves.
    s = _store(tmp_path)
    with s.lock() as lock:
        s.write_deltas(b"old set", [b"{}"], lock)
        s.write("set.json", b"new set", lock)
    c = s.read()
    assert c.set == b"new set" and c.deltas == []
    assert c.problems == ["deltas.json: for another base than set.json; ignored"]


def test_an_oversized_file_is_absent(tmp_path: Path) -> None:
    s = _store(tmp_path)
    (s.path / "proof.json").write_bytes(b" " * (MAX_PROOF + 1))
    (s.path / "state.json").write_bytes(b" " * (MAX_PROOF + 1))
    c = s.read()
    assert c.proof is None and c.state == State()
    assert any(p.startswith("proof.json: 1048577 bytes, over its bound of 1048576") for p in c.problems), c.problems
    assert any(p.startswith("state.json: 1048577 bytes") for p in c.problems), c.problems
    (s.path / "proof.json").write_bytes(b" " * MAX_PROOF)
    assert s.read().proof == b" " * MAX_PROOF


def test_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    s = _store(tmp_path)
    target = tmp_path / "elsewhere.json"
    target.write_bytes(b'{"planted": true}')
    os.symlink(target, s.path / "proof.json")
    c = s.read()
    assert c.proof is None
    assert c.problems == ["proof.json: not read (a symbolic link); treated as absent"]
    # A write replaces the link, never writes through it.
    with s.lock() as lock:
        s.write("proof.json", b"{}", lock)
    assert target.read_bytes() == b'{"planted": true}'
    assert not (s.path / "proof.json").is_symlink()


def test_a_directory_or_fifo_is_absent(tmp_path: Path) -> None:
    s = _store(tmp_path)
    (s.path / "set.json").mkdir()
    os.mkfifo(s.path / "proof.json")  # a read of it would block: never opened for reading as a file
    c = s.read()
    assert c.set is None and c.proof is None
    assert sorted(c.problems) == [
        "proof.json: not a regular file; treated as absent",
        "set.json: not a regular file; treated as absent",
    ]


@pytest.mark.parametrize(
    "text, problem",
    [
        (b"not json", "state.json: not JSON"),
        (b"[]", "state.json: not a JSON object"),
        (b'{"synced_at": "yesterday"}', "state.json: synced_at is not an RFC 3339 time"),
        (b'{"proof_failures": -1}', "state.json: proof_failures is not an integer from 0 to 1000000"),
        (b'{"set_failures": 1000001}', "state.json: set_failures is not an integer"),
        (b'{"set_failures": true}', "state.json: set_failures is not an integer"),
        (b'{"set_failures": 1, "set_failures": 2}', "state.json: not JSON"),
        (b'{"set_failures": NaN}', "state.json: not JSON"),
        (b'\xff{}', "state.json: not JSON"),
    ],
)
def test_damaged_state_is_absent(tmp_path: Path, text: bytes, problem: str) -> None:
    s = _store(tmp_path)
    (s.path / "state.json").write_bytes(text)
    c = s.read()
    assert c.state == State()
    assert len(c.problems) == 1 and c.problems[0].startswith(problem), c.problems


@pytest.mark.parametrize(
    "doc, problem",
    [
        (b"{", "deltas.json: not JSON"),
        (b'{"base": "x"}', 'deltas.json: not {"base", "deltas"}'),
        (b'{"deltas": []}', 'deltas.json: not {"base", "deltas"}'),
        (b'{"base": "B", "deltas": [1]}', "deltas.json: a delta is not a string"),
        (b'{"base": "B", "deltas": ["\\ud800"]}', "deltas.json: a delta is not UTF-8 text"),
        (b'{"base": "B", "deltas": [' + b",".join([b'"{}"'] * 4097) + b"]}", "deltas.json: 4097 deltas, over 4096"),
    ],
)
def test_damaged_deltas_are_absent(tmp_path: Path, doc: bytes, problem: str) -> None:
    s = _store(tmp_path)
    (s.path / "set.json").write_bytes(b"set")
    (s.path / "deltas.json").write_bytes(doc.replace(b'"B"', json.dumps(base_of(b"set")).encode()))
    c = s.read()
    assert c.set == b"set" and c.deltas == []
    assert len(c.problems) == 1 and c.problems[0].startswith(problem), c.problems


def test_a_write_is_refused_once_the_lock_was_taken_over(tmp_path: Path) -> None:
    # A holder slower than the lock's 10 s may lose it; it must then write
    # nothing, as the epoch store's does.
    s = _store(tmp_path)
    with s.lock() as lock:
        (s.path / "session.lock").write_bytes(b"someone else\n")
        with pytest.raises(OSError, match="taken over"):
            s.write("proof.json", b"{}", lock)
    assert not (s.path / "proof.json").exists()
    assert [n for n in os.listdir(s.path) if n.endswith(".tmp")] == []


def test_the_lock_is_exclusive(tmp_path: Path) -> None:
    s = _store(tmp_path)
    with s.lock():
        # Held: a second taker waits; with the lock made stale it breaks it.
        old = os.stat(s.path / "session.lock").st_mtime - 60
        os.utime(s.path / "session.lock", (old, old))
        with s.lock() as second:
            assert second.held()
