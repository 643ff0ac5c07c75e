"""The anti-rollback guard's memory: the highest epoch accepted per
namespace, kept in a JSON file written atomically, in the format of the
npm package's Node store (and of Go's epochstore.File), and raised under
the same lock file, so that processes in any of the three languages can
share one file. A store that cannot be read is an error, never "no epoch":
reading damage as zero would let an attacker roll back by corrupting the
file."""

from __future__ import annotations

import json
import os
import random
import stat
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

#: The largest epoch: documents carry epochs from 0 to 2^53, the integers a
#: JSON number read as a double holds exactly (the module's min_epoch bound).
MAX_EPOCH = 1 << 53

# The lock every binding's file store takes around a raise (RATIONALE.md,
# "One lock file for every epoch store"). A lock file last modified longer
# ago than LOCK_STALE_AFTER seconds was left by a holder that died: a raise
# holds it for one read and one small write. A wait for it ends in an error
# after _LOCK_GIVE_UP_AFTER; tries are at most _LOCK_POLL_MAX apart.
LOCK_STALE_AFTER = 10.0
_LOCK_GIVE_UP_AFTER = 30.0
_LOCK_POLL_MAX = 0.05


def _check_namespace(namespace: object) -> str:
    if not isinstance(namespace, str) or namespace == "":
        raise TypeError("licverify: an epoch namespace must be a non-empty str")
    try:
        namespace.encode("utf-8")
    except UnicodeEncodeError:
        raise TypeError("licverify: an epoch namespace must be UTF-8 (it holds a lone surrogate)") from None
    return namespace


def _check_epoch(epoch: object) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= MAX_EPOCH:
        raise TypeError(f"licverify: an epoch must be an int from 0 to 2^53, got {epoch!r}")
    return epoch


def _unique(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"{k!r} appears twice")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_epochs(data: bytes, where: str) -> Dict[str, int]:
    """Reads a store's {namespace: epoch} JSON; damage raises ValueError."""
    try:
        v = json.loads(data.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constant)
    except ValueError as e:  # also UnicodeDecodeError and JSONDecodeError
        raise ValueError(f"licverify: epoch store {where} is damaged: {e}") from e
    if not isinstance(v, dict):
        raise ValueError(f"licverify: epoch store {where} is damaged: not a JSON object")
    out: Dict[str, int] = {}
    for k, epoch in v.items():
        # 42.0 or 4.2e1 is the integer it spells, as JavaScript's JSON.parse
        # reads it (and Go's store); anything else is damage.
        if isinstance(epoch, float) and epoch.is_integer():
            epoch = int(epoch)
        if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= MAX_EPOCH:
            raise ValueError(f"licverify: epoch store {where} is damaged: {k!r} is {epoch!r}")
        out[k] = epoch
    return out


class EpochStore:
    """Keeps the highest epoch accepted per namespace in the JSON file at
    ``path``. Pass ``get(namespace)`` as ``min_epoch``, and after a valid
    result ``raise_to(namespace, result.store_epoch)``.

    Every update writes a temporary file beside the store, flushes it to
    disk and renames it over the old one, so a crash leaves the old file or
    the new one, never a torn one. An update takes the lock file
    ``path + ".lock"``, which the Go, command-line and Node stores take
    too, so that processes of any of them (and threads, and other stores
    for the same file, however its path is spelled) raising one file at
    once lose no raise: it creates the lock file exclusively (never through
    a symbolic link planted there), reads the file again, writes it, and
    removes the lock file. A raise that finds the lock held polls until it
    is free; a lock file modified over 10 seconds ago was left by a process
    that died and is removed; after 30 seconds of waiting the raise raises
    ``TimeoutError``. ``get`` takes no lock."""

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        if not isinstance(path, (str, os.PathLike)) or str(path) == "":
            raise TypeError("licverify: EpochStore needs the path of the file to keep epochs in")
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> Dict[str, int]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        return parse_epochs(data, str(self.path))

    def _write(self, epochs: Dict[str, int], lock: "_FileLock") -> None:
        directory = self.path.parent
        tmp = directory / f"{self.path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                # The Node and Go stores' layout: two-space indentation,
                # members sorted by name, a final newline.
                text = json.dumps(epochs, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            if not lock.held():
                raise OSError(f"licverify: epoch store {self.path}: its lock {lock.name} was taken over, "
                              f"held longer than {LOCK_STALE_AFTER:g} s; nothing written")
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _sync_dir(directory)

    def get(self, namespace: str) -> int:
        """The stored epoch, 0 when none. Raises ValueError when the store
        is damaged (never reads damage as 0)."""
        _check_namespace(namespace)
        with self._lock:
            return self._read().get(namespace, 0)

    def raise_to(self, namespace: str, epoch: int) -> int:
        """Stores ``epoch`` if it is higher than the stored one, and
        returns the stored epoch."""
        _check_namespace(namespace)
        _check_epoch(epoch)
        with self._lock:
            # Stored epochs only rise: one not newer now never will be, and
            # needs neither the lock nor a write.
            stored = self._read().get(namespace, 0)
            if epoch <= stored:
                return stored
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            lock = _lock_file(self.path)
            try:
                # Another process may have raised any namespace since.
                epochs = self._read()
                stored = epochs.get(namespace, 0)
                if epoch <= stored:
                    return stored
                epochs[namespace] = epoch
                self._write(epochs, lock)
                return epoch
            finally:
                lock.release()


class _FileLock:
    """A held lock file: ``text`` is what this holder wrote in it."""

    def __init__(self, name: str, text: bytes) -> None:
        self.name = name
        self.text = text

    def held(self) -> bool:
        """Whether the lock file is still this holder's: one slower than
        LOCK_STALE_AFTER may have lost it, and must then not write."""
        try:
            with open(self.name, "rb") as f:
                return f.read() == self.text
        except OSError:
            return False

    def release(self) -> None:
        if self.held():
            try:
                os.unlink(self.name)
            except OSError:
                pass


def _lock_file(path: Path) -> _FileLock:
    """Takes the lock of the epoch file at ``path``, whose directory must
    exist."""
    return lock_exclusive(f"{path}.lock", f"epoch store {path}")


def lock_exclusive(name: str, what: str) -> _FileLock:
    """Takes the lock file ``name`` by the epoch store's protocol (the
    session store's ``session.lock`` too); ``what`` names the locked thing
    in errors. An exclusive create (O_EXCL) never follows a symbolic link
    planted at the name: any existing name is "held"."""
    token = json.dumps({"pid": os.getpid(), "token": os.urandom(16).hex()}, separators=(",", ":"))
    text = (token + "\n").encode("ascii")
    give_up = time.monotonic() + _LOCK_GIVE_UP_AFTER
    pause = 0.001
    while True:
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            pass
        except OSError as e:
            raise OSError(e.errno, f"licverify: {what}: locking it: creating {name}: {e.strerror}") from e
        else:
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(text)
            except BaseException:
                try:
                    os.unlink(name)
                except OSError:
                    pass
                raise
            return _FileLock(name, text)

        try:
            seen = os.lstat(name)
        except FileNotFoundError:
            continue  # released in between
        if not stat.S_ISREG(seen.st_mode):
            raise OSError(f"licverify: {what}: locking it: {name} is not a regular file; remove it")
        if abs(time.time() - seen.st_mtime) > LOCK_STALE_AFTER:
            _break_stale(name, seen)
            continue
        if time.monotonic() > give_up:
            raise TimeoutError(f"licverify: {what}: locking it: {name} stayed held for "
                               f"{_LOCK_GIVE_UP_AFTER:g} s; remove it if no process holds it")
        time.sleep(pause / 2 + random.random() * pause / 2)
        pause = min(2 * pause, _LOCK_POLL_MAX)


def _break_stale(name: str, seen: os.stat_result) -> None:
    """Removes the stale lock file seen, unless it was replaced since: the
    one that replaced it is fresh."""
    try:
        now = os.lstat(name)
        if (now.st_dev, now.st_ino, now.st_mtime_ns) == (seen.st_dev, seen.st_ino, seen.st_mtime_ns):
            os.unlink(name)
    except OSError:
        pass  # gone already, or removed by another waiter: try again


def _sync_dir(directory: Path) -> None:
    # The rename is durable once the directory entry is on disk (POSIX).
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
