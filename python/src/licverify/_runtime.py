"""One instance of the licverify module under wasmtime, and the compiled
module it is made from.

Compiling the module takes Cranelift (the optimizing compiler) 4 to 20
seconds on a small machine, so the compiled code is kept: in memory for the
life of the process, and on disk (Module.serialize) in a cache directory,
keyed by the module's SHA-256, the wasmtime version and the engine
configuration, so that the first call of a later process only loads it.
That directory holds code this process runs, so it is used only when no one
else can change it, and each entry is authenticated before it is
deserialized (_cache).

The first process on a machine does not wait for Cranelift: it compiles the
module with Winch, wasmtime's baseline compiler (about a second), answers
from that code, and compiles the optimized module on a thread once its
first call is answered; new instances are then made from the optimized
module, and the process waits for that compile at exit so that it lands in
the cache (Tiered). LICVERIFY_TIER=baseline or optimized forces one tier.

The WASI imports come from wasmtime's own WASI, configured with nothing
granted: no preopened directories, no environment, no arguments, no stdin.
A few imports are replaced (the linker shadows them) so that the module
sees exactly what wasm/ABI.md asks a host to give:

- clock_time_get: wasmtime answers the real wall clock. Here the wall
  clock is fake, starting at 2022-01-01T00:00:00Z when the instance is made,
  as the Go host's wazero clock and the npm package's shim do: the module
  takes "now" from every request and must never decide with a clock of its
  own, and a wrong clock makes any slip show in the test vectors. The
  monotonic clock is real: the Go runtime paces itself with it.
- fd_write: written to memory rather than to a wasmtime output stream, so
  that what the Go runtime writes to fd 1 and fd 2 (its crash text) is kept
  for the error. wasmtime's custom output streams call back into Python
  from a runtime thread, which aborts the process when that happens during
  interpreter shutdown.
- poll_oneoff: wasmtime would sleep for a clock subscription; the module
  never waits on anything (the Go runtime only polls to sleep, as its
  usleep does while crashing), so every clock subscription fires at once
  and every descriptor subscription fails with EBADF, as in the npm shim.
- fd_close, fd_fdstat_set_flags: EBADF, so that the module cannot close or
  change the host's standard descriptors.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import hashlib
import os
import struct
import sys
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from ._cache import CacheRefused, Store
from ._errors import ModuleCrash
from ._ops import ABI_VERSION
from ._platform import no_runtime_message

try:
    import wasmtime
except (OSError, RuntimeError) as e:  # no native library for this machine: _platform.py
    raise ImportError(no_runtime_message(e)) from e

WASI = "wasi_snapshot_preview1"

ESUCCESS = 0
EBADF = 8
EFAULT = 21
EINVAL = 28

CLOCK_REALTIME = 0
CLOCK_MONOTONIC = 1

EVENTTYPE_CLOCK = 0

#: 2022-01-01T00:00:00Z in nanoseconds: the module's wall clock starts here.
FAKE_EPOCH_NS = 1640995200 * 1_000_000_000

#: What the module writes to fd 1 and 2 is kept up to this size (its tail):
#: crash text is short, and a module must not grow the host's memory.
STDERR_LIMIT = 64 * 1024

#: Each instance's linear memory is bounded, as in the Go host: enough to
#: verify a revocation set at its 64 MiB limit.
DEFAULT_MEMORY_LIMIT = 2 << 30

#: An idle instance whose linear memory grew past this is dropped rather
#: than kept: wasm memory never shrinks, and dropping the instance gives it
#: back. A fresh instance has 4 MiB; verifying a 100,000-id set grows it to
#: about 21 MiB (kept), a 1,000,000-id set to about 190 MiB (dropped).
RECYCLE_MEMORY = 64 << 20

REQUIRED_EXPORTS = ("memory", "_initialize", "abi_version", "alloc", "free", "call")

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_IOVEC = struct.Struct("<II")


def bundled_wasm() -> bytes:
    """The licverify.wasm shipped in the package."""
    return resources.files(__package__).joinpath("licverify.wasm").read_bytes()


def default_cache_dir() -> Optional[Path]:
    """$LICVERIFY_CACHE_DIR, else the user cache directory's
    licverify/wasmtime (as the Go host uses os.UserCacheDir()/licverify/
    wazero), or None when there is no home to put it in."""
    env = os.environ.get("LICVERIFY_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base, "licverify", "cache", "wasmtime") if base else None
    if sys.platform == "darwin":
        home = os.environ.get("HOME")
        return Path(home, "Library", "Caches", "licverify", "wasmtime") if home else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg, "licverify", "wasmtime")
    home = os.environ.get("HOME")
    return Path(home, ".cache", "licverify", "wasmtime") if home else None


#: The tiers, in the order a first process uses them. Each is an engine
#: configuration: (setting, value) pairs applied by _config, and part of
#: the cache entry's name, so that code serialized under one configuration
#: is never offered to another (wasmtime refuses it too).
#:
#: - baseline: Winch, a single-pass compiler, ready in about a second where
#:   Cranelift takes 4 to 20; its code is slower per call (python/bench.py
#:   coldstart measures both). Winch still compiles the host-call
#:   trampolines with Cranelift, so those are built at opt level none with
#:   the single-pass register allocator: they are a few instructions each,
#:   and that took a quarter off the compile.
#: - optimized: Cranelift with wasmtime's defaults.
TIERS: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "baseline": (("strategy", "winch"), ("cranelift_opt_level", "none"), ("regalloc", "single_pass")),
    "optimized": (),
}
BASELINE = "baseline"
OPTIMIZED = "optimized"

#: The environment variable that forces one tier (for tests and
#: benchmarks, or a process that wants only one): "baseline" never
#: compiles with Cranelift, "optimized" waits for it as before; unset or
#: "auto", the first process starts on the baseline tier.
TIER_ENV = "LICVERIFY_TIER"

#: How long a first call runs on baseline code before the optimized compile
#: starts anyway (Tiered.current); a first status proof takes a few ms.
HEAVY_CALL = 0.7


def _c_enum(name: str, member: str) -> Optional[int]:
    # wasmtime-py's generated enums number from 1 (Python's auto()); the C
    # header's from 0, in the same order.
    from wasmtime import _ffi as ffi

    enum = getattr(ffi, name, None)
    if enum is None:
        return None
    names = [m.name for m in enum]
    return names.index(member) if member in names else None


def _config(tier: str) -> wasmtime.Config:
    """A new Config for tier. Raises WasmtimeError when this wasmtime
    cannot build it (a binding without Winch's C setting)."""
    from wasmtime import _ffi as ffi

    config = wasmtime.Config()
    for key, value in TIERS[tier]:
        if key == "cranelift_opt_level":
            config.cranelift_opt_level = value
            continue
        # wasmtime-py's Config does not take these two; its C API does.
        if key == "strategy":
            n = _c_enum("wasmtime_strategy_enum", "WASMTIME_STRATEGY_" + value.upper())
            setter = getattr(ffi, "wasmtime_config_strategy_set", None)
        elif key == "regalloc":
            n = _c_enum("wasmtime_regalloc_algorithm_enum", "WASMTIME_REGALLOC_" + value.upper())
            setter = getattr(ffi, "wasmtime_config_cranelift_regalloc_algorithm_set", None)
        else:  # pragma: no cover - a setting added to TIERS without its setter
            raise AssertionError(key)
        if n is None or setter is None:
            raise wasmtime.WasmtimeError(f"this wasmtime cannot set {key}={value}")
        setter(config.ptr(), n)
    return config


def config_tag(tier: str) -> str:
    """The tier's configuration in a cache entry's name: its name and a
    hash of its settings, so that a change to the settings is a new entry."""
    settings = ",".join(f"{k}={v}" for k, v in TIERS[tier])
    return f"{tier}-{hashlib.sha256(settings.encode()).hexdigest()[:8]}"


_engine_lock = threading.Lock()
_engines: Dict[str, wasmtime.Engine] = {}


def engine(tier: str = OPTIMIZED) -> wasmtime.Engine:
    """The process's one engine for tier (thread-safe in wasmtime): code
    compiled under one engine's configuration runs only in stores of an
    engine with the same one. Raises WasmtimeError when this wasmtime
    cannot build the tier's configuration."""
    with _engine_lock:
        eng = _engines.get(tier)
        if eng is None:
            eng = _engines[tier] = wasmtime.Engine(_config(tier))
        return eng


def forced_tier() -> Optional[str]:
    """The tier $LICVERIFY_TIER forces, or None. Raises ValueError for a
    value that names no tier."""
    value = os.environ.get(TIER_ENV, "")
    if value in ("", "auto"):
        return None
    if value not in TIERS:
        raise ValueError(f"licverify: {TIER_ENV} must be auto, baseline or optimized, not {value!r}")
    return value


@dataclass(frozen=True)
class LoadInfo:
    """How a compiled module was obtained, for tools and benchmarks."""

    source: str  # "memory", "disk" or "compiled"
    seconds: float
    cache_file: Optional[Path]
    #: Why the disk cache was not used (a directory that cannot be created,
    #: or one refused because others could change its code); None when it
    #: was, or when there is none.
    cache_error: Optional[str] = None
    #: The tier of that module: "baseline" or "optimized".
    tier: str = OPTIMIZED


_modules_lock = threading.Lock()
_modules: Dict[Tuple[str, Optional[str]], Tuple[wasmtime.Module, LoadInfo]] = {}


def _entry_name(digest: str, tier: str = OPTIMIZED) -> str:
    # The compiled form depends on the module, the wasmtime version, the
    # engine configuration and the host CPU; wasmtime refuses a body from
    # another version, configuration or CPU, and the name keeps them from
    # overwriting each other. The MAC covers the name: an entry renamed to
    # another configuration's name is a miss.
    return f"licverify-{digest[:32]}-wasmtime-{wasmtime_version()}-{config_tag(tier)}.code"


@functools.lru_cache(maxsize=None)
def wasmtime_version() -> str:
    """The installed wasmtime's version (the package has no __version__),
    from the one dist-info directory beside it: importlib.metadata takes
    about 0.1 s to import and search, on every first start. Read on first
    use; importlib.metadata when there is not exactly one."""
    site = Path(wasmtime.__file__).resolve().parent.parent
    found = list(site.glob("wasmtime-*.dist-info"))
    if len(found) == 1:
        try:
            with open(found[0] / "METADATA", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
                    if not line.strip():
                        break  # the end of the headers
        except OSError:
            pass
    from importlib import metadata

    try:
        return metadata.version("wasmtime")
    except metadata.PackageNotFoundError:  # pragma: no cover - a vendored copy
        return "unknown"


def _open_store(cache_dir: Path) -> Tuple[Optional[Store], Optional[str]]:
    """The cache directory's store, or why there is none, said once per
    process and reason (a RuntimeWarning)."""
    try:
        return Store(cache_dir), None
    except CacheRefused as e:
        why = f"licverify: compilation cache directory {cache_dir} is refused: {e}"
    except OSError as e:
        why = f"licverify: compilation cache directory {cache_dir} cannot be created: {e}"
    if why not in _warned:
        _warned.add(why)
        import warnings

        warnings.warn(why + "; the module is compiled in memory, in every process", RuntimeWarning, stacklevel=4)
    return None, why


_warned: Set[str] = set()


def _from_cache(store: Optional[Store], name: str, eng: wasmtime.Engine) -> Optional[wasmtime.Module]:
    """The module of cache entry name, when one verifies and wasmtime
    accepts it for eng."""
    body = store.load(name) if store is not None else None
    if body is None:
        return None
    try:
        return wasmtime.Module.deserialize(eng, body)
    except wasmtime.WasmtimeError:
        return None  # another version or CPU: compiled again


def _load(store: Optional[Store], name: str, eng: wasmtime.Engine, wasm: bytes) -> Tuple[wasmtime.Module, str]:
    """The module from the cache entry name ("disk"), else compiled
    ("compiled"), not yet saved."""
    module = _from_cache(store, name, eng)
    return (module, "disk") if module is not None else (wasmtime.Module(eng, wasm), "compiled")


def compiled_module(wasm: bytes, cache_dir: Optional[Path]) -> Tuple[wasmtime.Module, LoadInfo]:
    """The optimized module for wasm (the engine(OPTIMIZED) one): from
    memory, else the disk cache, else compiled (and written to the cache).
    A cache that cannot be read or written costs speed, never correctness;
    an entry that does not verify is never deserialized."""
    digest = hashlib.sha256(wasm).hexdigest()
    key = (digest, str(cache_dir) if cache_dir is not None else None)
    with _modules_lock:
        hit = _modules.get(key)
        if hit is not None:
            return hit[0], LoadInfo("memory", 0.0, hit[1].cache_file, hit[1].cache_error)
        eng = engine()
        started = time.perf_counter()
        store, why = _open_store(cache_dir) if cache_dir is not None else (None, None)
        name = _entry_name(digest)
        module, source = _load(store, name, eng, wasm)
        if source == "compiled" and store is not None:
            store.save(name, module.serialize())
        info = LoadInfo(source, time.perf_counter() - started, store.directory / name if store else None, why)
        _modules[key] = (module, info)
        return module, info


@dataclass(frozen=True)
class Compiled:
    """A compiled module, the engine its instances' stores must use, and
    its tier."""

    module: wasmtime.Module
    engine: wasmtime.Engine
    tier: str


class Tiered:
    """The compiled code a verifier makes instances from, which may get
    better while it is used: a module compiled by the baseline tier, then
    the optimized one, compiled on a thread started when the first call on
    the baseline code returns (``answered``), or once it has run for
    HEAVY_CALL seconds. current() is what a new
    instance is made from; an instance of the older tier finishes the call
    it is running and is then dropped, never pooled (the Verifier checks
    is_current), so no call is stopped or run twice.

    Why after the first call: on two cores, Cranelift's parallel compile
    beside that call would slow it down, and a process that verifies one
    document wants that one answer first. Why wait at exit: the compile is
    only worth its seconds of CPU once it is in the cache, and a process
    that exits before it lands leaves the next one on the baseline tier
    again; so a process that has a cache waits for it after its last
    answer, as the Go host's Close does. Without a disk cache nothing is
    kept, and the thread does not hold up the exit."""

    def __init__(
        self, wasm: bytes, digest: str, store: Optional[Store], first: Compiled, *, upgrade: bool, save_first: bool
    ) -> None:
        self._wasm = wasm
        self._digest = digest
        self._store = store
        self._lock = threading.Lock()
        self._current = first
        self._save_first = save_first
        self._upgrade = upgrade and first.tier != OPTIMIZED
        self._thread: Optional[threading.Thread] = None
        self._timer: Optional[threading.Timer] = None
        self._done = threading.Event()
        if not self._upgrade:
            self._done.set()
        #: Why the optimized compile failed, when it did: the baseline
        #: code then stays in use.
        self.upgrade_error: Optional[str] = None

    def current(self) -> Compiled:
        """The best code ready now. The first time, on baseline code, also
        arms a timer that starts the optimized compile if the first call
        runs HEAVY_CALL seconds without returning: an encrypted .qkey's key
        derivation, whose later calls then get the optimized code sooner."""
        if self._upgrade and self._timer is None:
            with self._lock:
                if self._timer is None:
                    self._timer = threading.Timer(HEAVY_CALL, self.answered)
                    self._timer.daemon = True
                    self._timer.start()
        return self._current

    def is_current(self, module: wasmtime.Module) -> bool:
        """Whether an instance of module may be pooled."""
        return self._current.module is module

    def answered(self) -> None:
        """A call on this code has returned: starts the optimized compile
        when there is one to do and it has not started."""
        if not self._upgrade or self._thread is not None:
            return
        with self._lock:
            if self._thread is not None:
                return
            if self._timer is not None:
                self._timer.cancel()
            # Daemon, so that a process without a cache exits at once; one
            # with a cache joins it at exit (_join_at_exit).
            self._thread = threading.Thread(target=self._compile_optimized, name="licverify-optimize", daemon=True)
            self._thread.start()
        if self._store is not None:
            _pending.add(self)

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Waits until no compile is left to do or running (starting it if
        the first call has not); False when timeout seconds pass first."""
        self.answered()
        return self._done.wait(timeout)

    def _stop_upgrading(self) -> None:
        self._lock = threading.Lock()  # it may have been held by a thread that is gone
        if not self._done.is_set():
            self._upgrade = False
            self._done.set()

    def _compile_optimized(self) -> None:
        store = self._store
        try:
            first = self._current
            if self._save_first and store is not None:
                # Kept in case this process ends before the optimized code
                # is saved: the next one then loads it instead of compiling.
                store.save(_entry_name(self._digest, first.tier), first.module.serialize())
            eng = engine(OPTIMIZED)
            name = _entry_name(self._digest, OPTIMIZED)
            module, source = _load(store, name, eng, self._wasm)
            if store is not None:
                if source == "compiled":
                    store.save(name, module.serialize())
                store.remove(_entry_name(self._digest, first.tier))
            self._current = Compiled(module, eng, OPTIMIZED)
        except Exception as e:  # the baseline code keeps answering
            self.upgrade_error = f"{type(e).__name__}: {e}"
        finally:
            self._done.set()


#: The compiles whose result goes to a disk cache, joined at exit.
_pending: Set[Tiered] = set()


def _join_at_exit() -> None:
    for t in list(_pending):
        try:
            t.wait()
        except KeyboardInterrupt:  # the user would rather exit now
            return


atexit.register(_join_at_exit)


def _after_fork_in_child() -> None:
    # A forked child has no compile thread, and compiling there could wait
    # forever on wasmtime's thread pool, whose threads did not survive the
    # fork: the child stays on the code it has, and joins nothing at exit.
    # The parent still writes the optimized entry.
    _pending.clear()
    for code, _ in _tiered.values():
        code._stop_upgrading()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

_tiered: Dict[Tuple[str, Optional[str], Optional[str]], Tuple[Tiered, LoadInfo]] = {}


def tiered_module(wasm: bytes, cache_dir: Optional[Path]) -> Tuple[Tiered, LoadInfo]:
    """The code for wasm, shared by every verifier of this process with the
    same module, cache directory and $LICVERIFY_TIER: the optimized module
    when it is in memory or in the cache; else the baseline one (from the
    cache, or compiled in about a second) with the optimized one to follow
    (Tiered). A wasmtime without the baseline compiler gets the optimized
    module, compiled now. Raises ValueError for a $LICVERIFY_TIER that
    names no tier."""
    forced = forced_tier()
    digest = hashlib.sha256(wasm).hexdigest()
    key = (digest, str(cache_dir) if cache_dir is not None else None, forced)
    with _modules_lock:
        hit = _tiered.get(key)
        if hit is not None:
            code, info = hit
            return code, LoadInfo("memory", 0.0, info.cache_file, info.cache_error, code.current().tier)
        started = time.perf_counter()
        store, why = _open_store(cache_dir) if cache_dir is not None else (None, None)
        loaded: Optional[Tuple[wasmtime.Module, str, str]] = None
        if forced != BASELINE:
            cached = _from_cache(store, _entry_name(digest, OPTIMIZED), engine(OPTIMIZED))
            if cached is not None:
                loaded = cached, "disk", OPTIMIZED
        if loaded is None and forced != OPTIMIZED:
            try:
                eng = engine(BASELINE)
                module, source = _load(store, _entry_name(digest, BASELINE), eng, wasm)
                loaded = module, source, BASELINE
            except wasmtime.WasmtimeError:
                if forced == BASELINE:
                    raise
        if loaded is None:  # forced, or a wasmtime without Winch
            module = wasmtime.Module(engine(OPTIMIZED), wasm)
            if store is not None:
                store.save(_entry_name(digest, OPTIMIZED), module.serialize())
            loaded = module, "compiled", OPTIMIZED
        module, source, tier = loaded
        fresh = tier == BASELINE and source == "compiled" and store is not None
        if fresh and forced == BASELINE and store is not None:
            store.save(_entry_name(digest, BASELINE), module.serialize())
        # Otherwise saved on the compile thread, off the first call's path.
        code = Tiered(
            wasm,
            digest,
            store,
            Compiled(module, engine(tier), tier),
            upgrade=forced is None,
            save_first=fresh and forced is None,
        )
        entry = store.directory / _entry_name(digest, tier) if store else None
        info = LoadInfo(source, time.perf_counter() - started, entry, why, tier)
        _tiered[key] = (code, info)
        return code, info


class AllocFailed(Exception):
    """The module's alloc returned 0: it could not make room for the request."""

    def __init__(self, size: int) -> None:
        super().__init__(f"licverify: the module could not allocate a request of {size} bytes")
        self.size = size


def _i32(n: int) -> List[wasmtime.ValType]:
    return [wasmtime.ValType.i32()] * n


class Host:
    """The WASI imports this package replaces in wasmtime's (see the module
    docstring), with their state: the instance's clock origin and what it
    wrote to fd 1 and 2."""

    def __init__(self) -> None:
        self.output = bytearray()
        self._started_ns = time.monotonic_ns()

    def define(self, linker: wasmtime.Linker) -> None:
        """Defines wasmtime's WASI in the linker, then shadows the imports
        replaced here."""
        linker.define_wasi()
        linker.allow_shadowing = True
        i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()
        define = linker.define_func
        define(WASI, "clock_time_get", wasmtime.FuncType([i32, i64, i32], [i32]), self._clock_time_get, access_caller=True)
        define(WASI, "fd_write", wasmtime.FuncType(_i32(4), [i32]), self._fd_write, access_caller=True)
        define(WASI, "poll_oneoff", wasmtime.FuncType(_i32(4), [i32]), self._poll_oneoff, access_caller=True)
        define(WASI, "fd_close", wasmtime.FuncType(_i32(1), [i32]), lambda fd: EBADF)
        define(WASI, "fd_fdstat_set_flags", wasmtime.FuncType(_i32(2), [i32]), lambda fd, flags: EBADF)

    # Host functions never raise: wasmtime-py hands a Python exception back
    # through a process-wide variable, which threads would share.

    @staticmethod
    def _mem(caller: wasmtime.Caller) -> Optional[wasmtime.Memory]:
        m = caller.get("memory")
        return m if isinstance(m, wasmtime.Memory) else None

    def _clock_time_get(self, caller: wasmtime.Caller, clock: int, _precision: int, ptr: int) -> int:
        now = time.monotonic_ns()
        if clock == CLOCK_REALTIME:
            t = FAKE_EPOCH_NS + (now - self._started_ns)
        elif clock == CLOCK_MONOTONIC:
            t = now
        else:
            return EINVAL
        return _write(caller, self._mem(caller), ptr, _U64.pack(t))

    def _fd_write(self, caller: wasmtime.Caller, fd: int, iovs: int, n: int, nwritten: int) -> int:
        if fd not in (1, 2):
            return EBADF
        mem = self._mem(caller)
        if mem is None:
            return EFAULT
        try:
            vec = mem.read(caller, iovs, iovs + 8 * n)
            if len(vec) != 8 * n:
                return EFAULT
            total = 0
            for i in range(n):
                p, length = _IOVEC.unpack_from(vec, 8 * i)
                self.output += mem.read(caller, p, p + length)
                total += length
            if len(self.output) > STDERR_LIMIT:
                del self.output[: len(self.output) - STDERR_LIMIT]
        except Exception:
            return EFAULT
        return _write(caller, mem, nwritten, _U32.pack(total & 0xFFFFFFFF))

    def _poll_oneoff(self, caller: wasmtime.Caller, subs: int, events: int, n: int, nevents: int) -> int:
        mem = self._mem(caller)
        if mem is None or n == 0:
            return EINVAL
        try:
            raw = mem.read(caller, subs, subs + 48 * n)
            if len(raw) != 48 * n:
                return EFAULT
            out = bytearray(32 * n)
            for i in range(n):
                userdata = raw[48 * i : 48 * i + 8]
                tag = raw[48 * i + 8]
                out[32 * i : 32 * i + 8] = userdata
                struct.pack_into("<HB", out, 32 * i + 8, ESUCCESS if tag == EVENTTYPE_CLOCK else EBADF, tag)
            if _write(caller, mem, events, bytes(out)) != ESUCCESS:
                return EFAULT
        except Exception:
            return EFAULT
        return _write(caller, mem, nevents, _U32.pack(n))


class Instance:
    """One instantiated module. Not safe for concurrent use: the Go runtime
    inside is single-threaded and keeps state between calls. Discarded
    after any failure (``broken``)."""

    def __init__(
        self, module: wasmtime.Module, memory_limit: int = DEFAULT_MEMORY_LIMIT, eng: Optional[wasmtime.Engine] = None
    ) -> None:
        """eng is the engine module was compiled by (default: the optimized
        tier's)."""
        names = {e.name for e in module.exports}
        missing = [n for n in REQUIRED_EXPORTS if n not in names]
        if missing:
            raise TypeError(f"licverify: not the licverify module: missing exports {', '.join(missing)}")
        if eng is None:
            eng = engine()
        #: The module this instance was made from (Tiered.is_current).
        self.module = module
        self.broken = False
        self._host = Host()
        self._store = wasmtime.Store(eng)
        # Nothing granted: no preopens, no environment, no arguments, no stdin.
        self._store.set_wasi(wasmtime.WasiConfig())
        self._store.set_limits(memory_size=memory_limit)
        linker = wasmtime.Linker(eng)
        self._host.define(linker)
        self._instance = self._guard(lambda: linker.instantiate(self._store, module))
        exports = self._instance.exports(self._store)

        def func(name: str) -> wasmtime.Func:
            f = exports[name]
            if not isinstance(f, wasmtime.Func):
                raise TypeError(f"licverify: export {name} is not a function")
            return f

        memory = exports["memory"]
        if not isinstance(memory, wasmtime.Memory):
            raise TypeError("licverify: export memory is not a memory")
        self._memory = memory
        self._alloc = func("alloc")
        self._free = func("free")
        self._call = func("call")
        self._initialize = func("_initialize")
        # The reactor's one-time start: the Go runtime cannot be started twice.
        self._guard(lambda: self._initialize(self._store))
        abi = self._guard(lambda: func("abi_version")(self._store))
        if abi != ABI_VERSION:
            raise TypeError(
                f"licverify: the module speaks ABI version {abi}, this package speaks {ABI_VERSION}: "
                "use the licverify.wasm built with this package"
            )

    # -- calls ----------------------------------------------------------------

    def memory_size(self) -> int:
        """The size of the instance's linear memory, in bytes."""
        return int(self._memory.data_len(self._store))

    def output(self) -> str:
        """What the module wrote to fd 1 and 2 (the tail of it)."""
        return self._host.output.decode("utf-8", "replace")

    def _guard(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            self.broken = True
            detail = self.output().strip()
            what = str(e).splitlines()[0] if str(e) else type(e).__name__
            code = getattr(e, "trap_code", None)
            if code is not None:
                what += f" ({code.name.lower()})"
            exit_code = getattr(e, "code", None)
            if isinstance(exit_code, int):
                what += f" (exit code {exit_code})"
            raise ModuleCrash(f"licverify: the module crashed: {what}" + (f"\n{detail}" if detail else "")) from e

    def call(self, frame: bytes) -> bytes:
        """Sends one request frame and returns the response bytes. Raises
        ModuleCrash when the module traps or exits (the instance is then
        broken), AllocFailed when it cannot make room for the request."""
        if self.broken:
            raise ModuleCrash("licverify: the instance crashed earlier")
        return self._guard(lambda: self._exchange(frame))  # type: ignore[no-any-return]

    def _exchange(self, frame: bytes) -> bytes:
        store = self._store
        n = len(frame)
        ptr = self._alloc(store, n)
        if ptr == 0:
            raise AllocFailed(n)
        self._copy_in(ptr, frame)
        packed = self._call(store, ptr, n) & 0xFFFFFFFFFFFFFFFF
        # Freed only after a call that returned: after a trap the instance
        # is discarded, and calling into its broken runtime again could
        # replace the crash with another.
        self._free(store, ptr)
        rp, rn = packed >> 32, packed & 0xFFFFFFFF
        out = self._copy_out(rp, rn)
        self._free(store, rp)
        return out

    def _base(self, end: int) -> int:
        # Read again for every copy: a call may grow memory, which moves it.
        if end > self._memory.data_len(self._store):
            self.broken = True
            raise ModuleCrash("licverify: the module answered a buffer outside its memory")
        return ctypes.addressof(self._memory.data_ptr(self._store).contents)

    def _copy_in(self, ptr: int, data: bytes) -> None:
        ctypes.memmove(self._base(ptr + len(data)) + ptr, data, len(data))

    def _copy_out(self, ptr: int, n: int) -> bytes:
        return ctypes.string_at(self._base(ptr + n) + ptr, n)

    def trap_for_test(self) -> None:
        """Makes the module trap for real (a second _initialize is an
        ``unreachable``), as a crash would, for tests of recovery."""
        self._guard(lambda: self._initialize(self._store))


def _write(caller: wasmtime.Caller, mem: Optional[wasmtime.Memory], ptr: int, data: bytes) -> int:
    if mem is None:
        return EFAULT
    try:
        if ptr < 0 or ptr + len(data) > mem.data_len(caller):
            return EFAULT
        mem.write(caller, data, ptr)
    except Exception:
        return EFAULT
    return ESUCCESS
