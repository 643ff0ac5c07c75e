"""The WASI imports the module gets: wasmtime's WASI with nothing granted,
and the few imports this package replaces. A small module of our own calls
them directly, so that what the licverify module sees is checked, and what
wasmtime itself would give (the real wall clock, a sleeping poll) is shown
rather than assumed."""

from __future__ import annotations

import struct
import time
from typing import Tuple

import wasmtime

from licverify._runtime import EBADF, FAKE_EPOCH_NS, Host, bundled_wasm, compiled_module, default_cache_dir, engine

PROBE = """
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "crash text")
  (func (export "clock") (param $id i32) (result i64)
    (if (call $clock (local.get $id) (i64.const 1) (i32.const 0)) (then (return (i64.const -1))))
    (i64.load (i32.const 0)))
  (func (export "write") (param $fd i32) (result i32)
    (i32.store (i32.const 16) (i32.const 100))
    (i32.store (i32.const 20) (i32.const 10))
    (call $write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24)))
  (func (export "poll") (param $timeout i64) (result i32)
    (i64.store (i32.const 200) (i64.const 7))
    (i32.store8 (i32.const 208) (i32.const 0))
    (i32.store (i32.const 216) (i32.const 1))
    (i64.store (i32.const 224) (local.get $timeout))
    (i64.store (i32.const 232) (i64.const 0))
    (i32.store16 (i32.const 240) (i32.const 0))
    (call $poll (i32.const 200) (i32.const 304) (i32.const 1) (i32.const 400)))
  (func (export "args") (result i32)
    (drop (call $args (i32.const 500) (i32.const 504)))
    (drop (call $environ (i32.const 508) (i32.const 512)))
    (i32.add (i32.add (i32.load (i32.const 500)) (i32.load (i32.const 504)))
             (i32.add (i32.load (i32.const 508)) (i32.load (i32.const 512)))))
  (func (export "prestat") (param $fd i32) (result i32) (call $prestat (local.get $fd) (i32.const 600)))
  (func (export "close") (param $fd i32) (result i32) (call $close (local.get $fd)))
)
"""


def probe(shimmed: bool) -> Tuple[wasmtime.Store, wasmtime.Instance, Host]:
    eng = engine()
    store = wasmtime.Store(eng)
    store.set_wasi(wasmtime.WasiConfig())  # nothing granted, as the package does
    linker = wasmtime.Linker(eng)
    host = Host()
    if shimmed:
        host.define(linker)
    else:
        linker.define_wasi()
    return store, linker.instantiate(store, wasmtime.Module(eng, PROBE)), host


def export(store: wasmtime.Store, inst: wasmtime.Instance, name: str) -> wasmtime.Func:
    f = inst.exports(store)[name]
    assert isinstance(f, wasmtime.Func)
    return f


def test_the_wall_clock_is_fake_and_the_monotonic_clock_real() -> None:
    store, inst, _ = probe(shimmed=True)
    clock = export(store, inst, "clock")
    assert FAKE_EPOCH_NS <= clock(store, 0) < FAKE_EPOCH_NS + 60 * 10**9  # 2022-01-01T00:00:00Z on
    before = time.monotonic_ns()
    assert before <= clock(store, 1) <= time.monotonic_ns()
    assert clock(store, 2) == -1  # a CPU-time clock: EINVAL


def test_wasmtime_alone_gives_the_real_wall_clock() -> None:
    # Which is why the package replaces clock_time_get: the module must
    # never see a time it could decide with.
    store, inst, _ = probe(shimmed=False)
    assert abs(export(store, inst, "clock")(store, 0) - time.time_ns()) < 60 * 10**9


def test_fd_1_and_2_are_captured_and_nothing_else_written() -> None:
    store, inst, host = probe(shimmed=True)
    write = export(store, inst, "write")
    assert write(store, 2) == 0 and write(store, 1) == 0
    assert bytes(host.output) == b"crash textcrash text"
    assert write(store, 3) == EBADF and write(store, 0) == EBADF
    mem = inst.exports(store)["memory"]
    assert isinstance(mem, wasmtime.Memory)
    assert struct.unpack("<I", mem.read(store, 24, 28))[0] == 10  # nwritten


def test_poll_oneoff_returns_at_once_where_wasmtime_would_sleep() -> None:
    store, inst, _ = probe(shimmed=True)
    poll = export(store, inst, "poll")
    started = time.monotonic()
    assert poll(store, 10 * 10**9) == 0  # a 10 s clock subscription
    assert time.monotonic() - started < 1
    mem = inst.exports(store)["memory"]
    assert isinstance(mem, wasmtime.Memory)
    userdata, error, kind = struct.unpack("<QHB", mem.read(store, 304, 315))
    assert (userdata, error, kind) == (7, 0, 0)
    assert struct.unpack("<I", mem.read(store, 400, 404))[0] == 1
    store, inst, _ = probe(shimmed=False)
    started = time.monotonic()
    export(store, inst, "poll")(store, 300 * 10**6)
    assert time.monotonic() - started >= 0.25  # wasmtime's own sleeps


def test_nothing_is_granted() -> None:
    store, inst, _ = probe(shimmed=True)
    assert export(store, inst, "args")(store) == 0  # no arguments, no environment
    assert export(store, inst, "prestat")(store, 3) == EBADF  # no preopened directory
    assert export(store, inst, "close")(store, 1) == EBADF  # the host's stdout stays open


def test_the_replaced_imports_are_the_modules() -> None:
    # The module's imports are WASI preview1 functions, among them every
    # one replaced here (a stale list would replace nothing).
    module, _ = compiled_module(bundled_wasm(), default_cache_dir())
    imports = {(i.module, i.name) for i in module.imports}
    assert {m for m, _ in imports} == {"wasi_snapshot_preview1"}
    replaced = {"clock_time_get", "fd_write", "poll_oneoff", "fd_close", "fd_fdstat_set_flags"}
    assert replaced <= {n for _, n in imports}
