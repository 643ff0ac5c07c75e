"""The on-disk cache of compiled code, trusted only where no one else can
change it: its entries are machine code this process runs as it is, and
wasmtime documents ``Module.deserialize`` as unsafe for bytes it did not
write. The rules are the Go host's (package host, "Compilation"), and a
directory may be shared with it (LICVERIFY_CACHE_DIR):

- The directory must be this user's and writable by no one else; each
  directory above it this user's or root's, and writable by no one else
  unless sticky (as /tmp is). Otherwise it is refused (CacheRefused) and
  nothing is created there.
- Each entry is ``LVCODE1\\n``, an HMAC-SHA256 of the entry's file name, a
  zero byte and the body, then the body (what ``Module.serialize`` wrote).
  The key is a 32-byte secret beside the entries (licverify-cache.key,
  mode 0600, this user's). An entry that fails its MAC, is not this
  user's, may be written by others or is a symbolic link is a miss, and is
  written again.
- Files are written by renaming a new file into place, which replaces a
  symbolic link rather than following it.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import stat
from pathlib import Path
from typing import Callable, List, Optional, Union

SECRET_NAME = "licverify-cache.key"
SECRET_SIZE = 32
MAGIC = b"LVCODE1\n"
#: What is read from an entry at most (the compiled module is about 8 MB).
MAX_ENTRY = 1 << 30

_POSIX = os.name == "posix"


class CacheRefused(Exception):
    """A cache directory, or its secret, that others could change."""


Check = Callable[[str, os.stat_result], None]


def _check_owned(path: str, st: os.stat_result) -> None:
    if not _POSIX:
        return
    uid = os.getuid()
    if st.st_uid != uid:
        raise CacheRefused(f"{path} is owned by uid {st.st_uid}, not by this user (uid {uid})")
    _check_unwritable(path, st)


def _check_ancestor(path: str, st: os.stat_result) -> None:
    if not _POSIX:
        return
    uid = os.getuid()
    if st.st_uid not in (uid, 0):
        raise CacheRefused(f"{path} is owned by uid {st.st_uid}, neither this user (uid {uid}) nor root")
    if not st.st_mode & stat.S_ISVTX:
        _check_unwritable(path, st)


def _check_unwritable(path: str, st: os.stat_result) -> None:
    if st.st_mode & 0o022:
        raise CacheRefused(f"{path} is writable by others (mode {stat.S_IMODE(st.st_mode):04o})")


def _check_secret(path: str, st: os.stat_result) -> None:
    _check_owned(path, st)
    if _POSIX and st.st_mode & 0o077:
        raise CacheRefused(f"{path} is open to others (mode {stat.S_IMODE(st.st_mode):04o}, want 0600)")


def prepare_dir(directory: Path) -> Path:
    """Creates what is missing of directory (mode 0700), after checking
    every directory that exists above it, and returns it with symbolic
    links resolved: the path used from then on. Raises CacheRefused, or
    OSError when it cannot be created."""
    existing = os.path.abspath(directory)
    missing: List[str] = []
    while True:
        try:
            os.lstat(existing)
            break
        except FileNotFoundError:
            parent = os.path.dirname(existing)
            if parent == existing:
                raise
            missing.append(os.path.basename(existing))
            existing = parent
    real = os.path.realpath(existing, strict=True)
    chain = [real]
    while os.path.dirname(chain[-1]) != chain[-1]:
        chain.append(os.path.dirname(chain[-1]))
    for i in reversed(range(len(chain))):
        st = os.lstat(chain[i])
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", chain[i])
        (_check_owned if i == 0 and not missing else _check_ancestor)(chain[i], st)
    for i in reversed(range(len(missing))):
        real = os.path.join(real, missing[i])
        try:
            os.mkdir(real, 0o700)
        except FileExistsError:
            pass  # checked below, as another process made it
        st = os.lstat(real)
        if not stat.S_ISDIR(st.st_mode):
            raise CacheRefused(f"{real} is not a directory")
        (_check_owned if i == 0 else _check_ancestor)(real, st)
    return Path(real)


def _open_private(path: Path, check: Check, max_size: int) -> "tuple[int, os.stat_result]":
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not nofollow and os.path.islink(path):
        raise CacheRefused(f"{path} is a symbolic link")
    flags = os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise CacheRefused(f"{path} is a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CacheRefused(f"{path} is not a regular file")
        check(str(path), st)
        if st.st_size > max_size:
            raise CacheRefused(f"{path} is larger than {max_size} bytes")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def _load_secret(directory: Path) -> bytes:
    path = directory / SECRET_NAME
    for attempt in range(2):
        try:
            fd, st = _open_private(path, _check_secret, SECRET_SIZE)
        except FileNotFoundError:
            if attempt:
                raise
            _create_secret(directory, path)
            continue
        with os.fdopen(fd, "rb") as f:
            secret = f.read(SECRET_SIZE)
        if len(secret) != SECRET_SIZE:
            raise CacheRefused(f"{path} is {len(secret)} bytes, not {SECRET_SIZE}")
        return secret
    raise AssertionError("unreachable")  # pragma: no cover


def _create_secret(directory: Path, path: Path) -> None:
    """Writes a new secret beside path and links it into place: a reader
    sees the whole secret or none, and of two processes creating one, both
    use the one linked first. A link never follows or replaces what is at
    path."""
    import tempfile  # only when writing: it is slow to import

    fd, tmp = tempfile.mkstemp(dir=directory, prefix=SECRET_NAME + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(SECRET_SIZE))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


class Store:
    """A checked cache directory and its secret."""

    def __init__(self, directory: Path) -> None:
        """Raises CacheRefused, or OSError when the directory cannot be
        created or its secret read."""
        self.directory = prepare_dir(directory)
        try:
            self._secret = _load_secret(self.directory)
        except OSError as e:
            raise CacheRefused(str(e)) from None

    def _mac(self, name: str, body: Union[bytes, bytearray]) -> bytes:
        m = hmac.new(self._secret, digestmod=hashlib.sha256)
        m.update(name.encode())
        m.update(b"\0")
        m.update(body)
        return m.digest()

    def load(self, name: str) -> Optional[bytes]:
        """The body of entry name, or None when there is none that is this
        user's alone and verifies."""
        try:
            fd, st = _open_private(self.directory / name, _check_owned, MAX_ENTRY)
        except (OSError, CacheRefused):
            return None
        with os.fdopen(fd, "rb") as f:
            head = f.read(len(MAGIC) + 32)
            body = f.read(st.st_size)
        if head[: len(MAGIC)] != MAGIC or not hmac.compare_digest(head[len(MAGIC) :], self._mac(name, body)):
            return None
        return body

    def save(self, name: str, body: Union[bytes, bytearray]) -> None:
        """Writes entry name; a failure costs the next process a compile."""
        import tempfile

        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=name + ".", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + self._mac(name, body))
                f.write(body)
            # Renamed into place whole: a process that starts meanwhile
            # sees the old file or the new one, never half of one.
            os.replace(tmp, self.directory / name)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def remove(self, name: str) -> None:
        """Removes entry name, if there is one: an entry this process will
        never read again (a baseline entry once the optimized one is in)."""
        try:
            os.unlink(self.directory / name)
        except OSError:
            pass
