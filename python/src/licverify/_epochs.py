"""The anti-rollback guard's memory: the highest epoch accepted per
namespace, kept in a JSON file written atomically, in the format of the
npm package's Node store (and of Go's epochstore.File), so that processes
in any of the three languages can share one file. A store that cannot be
read is an error, never "no epoch": reading damage as zero would let an
attacker roll back by corrupting the file."""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple, Union

try:  # POSIX: updates from several processes are serialized with flock.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The largest epoch: documents carry epochs from 0 to 2^53, the integers a
#: JSON number read as a double holds exactly (the module's min_epoch bound).
MAX_EPOCH = 1 << 53


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
    the new one, never a torn one. Updates from threads of one process run
    one after another; on POSIX, updates from several Python processes too
    (an exclusive flock on ``path + ".lock"``; the Node and Go stores take
    no such lock, so a raise from one of them at the same moment can still
    win with the smaller epoch, never one below what both read)."""

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

    def _write(self, epochs: Dict[str, int]) -> None:
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
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
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _sync_dir(directory)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if fcntl is None:  # pragma: no cover - Windows
                yield
                return
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

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
        with self._locked():
            epochs = self._read()
            stored = epochs.get(namespace, 0)
            if epoch <= stored:
                return stored
            epochs[namespace] = epoch
            self._write(epochs)
            return epoch


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
