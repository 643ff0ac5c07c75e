"""The session's directory store (docs/lifecycle.md, "The store"): the last
accepted proof, base set and deltas, and the scheduling state, each file
replaced atomically, under the ``session.lock`` lock file of the epoch
store's protocol. Everything read back is untrusted: it is bounded in size,
read without following a symbolic link, and what does not parse is treated
as absent, with the reason kept for the report; the documents themselves
are verified again by every ``plan``."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from ._epochs import _FileLock, _sync_dir, _unique, lock_exclusive
from ._frame import format_time
from ._results import parse_time

PROOF = "proof.json"
SET = "set.json"
DELTAS = "deltas.json"
STATE = "state.json"
LOCK = "session.lock"

#: Bounds of what is read back (docs/lifecycle.md): a proof and the state
#: are small; a set and its deltas may be as large as a set the module takes.
MAX_PROOF = 1 << 20
MAX_STATE = 1 << 20
MAX_SET = 64 << 20
MAX_DELTAS = 64 << 20
#: The most deltas a plan takes in one request.
MAX_DELTA_COUNT = 4096
#: The most consecutive failures plan takes.
MAX_FAILURES = 1_000_000

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


@dataclass
class State:
    """state.json: what schedules the next fetches. Never a verdict."""

    synced_at: Optional[datetime] = None
    proof_failures: int = 0
    proof_failed_at: Optional[datetime] = None
    set_failures: int = 0
    set_failed_at: Optional[datetime] = None

    def to_json(self) -> bytes:
        def t(d: Optional[datetime]) -> Optional[str]:
            return None if d is None else format_time(d)

        doc = {
            "synced_at": t(self.synced_at),
            "proof_failures": self.proof_failures,
            "proof_failed_at": t(self.proof_failed_at),
            "set_failures": self.set_failures,
            "set_failed_at": t(self.set_failed_at),
        }
        return (json.dumps(doc, indent=2) + "\n").encode("utf-8")


@dataclass
class Cache:
    """What the store holds, as read: absent documents are None, and
    ``problems`` says what was found and treated as absent (a file too
    large, not a regular file, not JSON, deltas for another base)."""

    proof: Optional[bytes] = None
    set: Optional[bytes] = None
    deltas: List[bytes] = field(default_factory=list)
    state: State = field(default_factory=State)
    problems: List[str] = field(default_factory=list)


def base_of(set_bytes: bytes) -> str:
    """deltas.json's ``base``: the SHA-256 of set.json's exact bytes."""
    return "sha256:" + hashlib.sha256(set_bytes).hexdigest()


class StoreLock:
    """The held ``session.lock``; writes check it is still held."""

    def __init__(self, lock: _FileLock) -> None:
        self._lock = lock

    def held(self) -> bool:
        return self._lock.held()

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> "StoreLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class DirectoryStore:
    """The files of docs/lifecycle.md's store in ``path``, a directory made
    with mode 0700 when missing; files are written with mode 0600."""

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        if not isinstance(path, (str, os.PathLike)) or str(path) == "":
            raise TypeError("licverify: a session store needs the path of its directory")
        self.path = Path(path)

    def ensure(self) -> None:
        """Makes the directory (0700) when it is missing, and its parents."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(self.path, 0o700)
        except FileExistsError:
            pass
        else:
            os.chmod(self.path, 0o700)  # whatever the umask took away or left
        st = os.stat(self.path)
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(f"licverify: session store {self.path} is not a directory")

    def lock(self) -> StoreLock:
        """Takes ``session.lock`` (created exclusively; a lock left by a
        process that died is broken after 10 s, as the epoch store's)."""
        self.ensure()
        name = str(self.path / LOCK)
        return StoreLock(lock_exclusive(name, f"session store {self.path}"))

    # -- reading ------------------------------------------------------------------

    def _read(self, name: str, limit: int, problems: List[str]) -> Optional[bytes]:
        """The file's bytes; None when it is absent, or unusable (then the
        reason joins ``problems``)."""
        path = self.path / name
        try:
            fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY | _O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as e:
            # ELOOP: a symbolic link planted there (O_NOFOLLOW).
            why = "a symbolic link" if e.errno in (errno.ELOOP, errno.EMLINK) else e.strerror
            problems.append(f"{name}: not read ({why}); treated as absent")
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                problems.append(f"{name}: not a regular file; treated as absent")
                return None
            if st.st_size > limit:
                problems.append(f"{name}: {st.st_size} bytes, over its bound of {limit}; treated as absent")
                return None
            chunks: List[bytes] = []
            size = 0
            while True:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    # It grew while being read.
                    problems.append(f"{name}: over its bound of {limit} bytes; treated as absent")
                    return None
            return b"".join(chunks)
        except OSError as e:
            problems.append(f"{name}: not read ({e.strerror}); treated as absent")
            return None
        finally:
            os.close(fd)

    def read(self) -> Cache:
        """Everything the store holds, each file judged on its own."""
        c = Cache()
        c.proof = self._read(PROOF, MAX_PROOF, c.problems)
        c.set = self._read(SET, MAX_SET, c.problems)
        raw = self._read(DELTAS, MAX_DELTAS, c.problems)
        if raw is not None and c.set is not None:
            c.deltas = _parse_deltas(raw, base_of(c.set), c.problems)
        elif raw is not None:
            c.problems.append(f"{DELTAS}: no {SET} to follow; ignored")
        c.state = self.read_state(c.problems)
        return c

    def read_state(self, problems: List[str]) -> State:
        """state.json alone; a fresh State when it is absent or unusable."""
        raw = self._read(STATE, MAX_STATE, problems)
        return State() if raw is None else _parse_state(raw, problems)

    # -- writing ------------------------------------------------------------------

    def write(self, name: str, data: bytes, lock: StoreLock) -> None:
        """Replaces the file atomically: a temporary file in the directory
        (created exclusively, 0600), synced, renamed over the old one once
        the lock is known to be still held, then the directory synced."""
        tmp = self.path / f".{name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if not lock.held():
                raise OSError(f"licverify: session store {self.path}: its lock {LOCK} was taken over "
                              f"(held over 10 s); {name} not written")
            os.replace(tmp, self.path / name)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _sync_dir(self.path)

    def write_deltas(self, set_bytes: bytes, deltas: List[bytes], lock: StoreLock) -> None:
        """deltas.json for the base ``set_bytes``. Deltas are stored as their
        text: one that is not UTF-8 never verified, so never gets here."""
        doc = {"base": base_of(set_bytes), "deltas": [d.decode("utf-8") for d in deltas]}
        self.write(DELTAS, (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"), lock)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constant)


def _parse_deltas(raw: bytes, base: str, problems: List[str]) -> List[bytes]:
    try:
        doc = _json(raw)
    except ValueError as e:
        problems.append(f"{DELTAS}: not JSON ({e}); treated as absent")
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("base"), str) or not isinstance(doc.get("deltas"), list):
        problems.append(f'{DELTAS}: not {{"base", "deltas"}}; treated as absent')
        return []
    deltas = doc["deltas"]
    if not all(isinstance(d, str) for d in deltas):
        problems.append(f"{DELTAS}: a delta is not a string; treated as absent")
        return []
    if len(deltas) > MAX_DELTA_COUNT:
        problems.append(f"{DELTAS}: {len(deltas)} deltas, over {MAX_DELTA_COUNT}; treated as absent")
        return []
    if doc["base"] != base:
        # A crash between writing set.json and this file leaves this.
        problems.append(f"{DELTAS}: for another base than {SET}; ignored")
        return []
    try:
        return [d.encode("utf-8") for d in deltas]
    except UnicodeEncodeError:  # a lone surrogate, from a \ud800 escape
        problems.append(f"{DELTAS}: a delta is not UTF-8 text; treated as absent")
        return []


def _parse_state(raw: bytes, problems: List[str]) -> State:
    try:
        doc = _json(raw)
    except ValueError as e:
        problems.append(f"{STATE}: not JSON ({e}); treated as absent")
        return State()
    if not isinstance(doc, dict):
        problems.append(f"{STATE}: not a JSON object; treated as absent")
        return State()
    out: Dict[str, Any] = {}
    for name in ("synced_at", "proof_failed_at", "set_failed_at"):
        v = doc.get(name)
        t = parse_time(v) if isinstance(v, str) else None
        if v is not None and t is None:
            problems.append(f"{STATE}: {name} is not an RFC 3339 time; treated as absent")
            return State()
        out[name] = t
    for name in ("proof_failures", "set_failures"):
        v = doc.get(name, 0)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_FAILURES:
            problems.append(f"{STATE}: {name} is not an integer from 0 to {MAX_FAILURES}; treated as absent")
            return State()
        out[name] = v
    return State(**out)
