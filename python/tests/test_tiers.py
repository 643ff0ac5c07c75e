"""The two tiers of compiled code: a first process answers from Winch's
code, compiles Cranelift's behind it and switches to it; each tier has its
own cache entry, and code of one is never loaded as the other's. The
vectors run on each tier in test_vectors.py; here, the switch itself, with
calls in flight, and what lands in the cache."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Set

import pytest
import wasmtime

import licverify
from licverify import _runtime
from licverify._cache import Store
from licverify._runtime import BASELINE, OPTIMIZED, TIER_ENV, TIERS, config_tag, engine, tiered_module
from test_api import req
from test_cache import ANSWER, code_files
from vectorfile import Vector


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new process would: nothing compiled in memory,
    no tier forced."""
    monkeypatch.setattr(_runtime, "_tiered", {})
    monkeypatch.delenv(TIER_ENV, raising=False)


def call_f(code: _runtime.Tiered) -> Any:
    c = code.current()
    store = wasmtime.Store(c.engine)
    return wasmtime.Instance(store, c.module, []).exports(store)["f"](store)  # type: ignore[operator]


def entry_tiers(cache: Path) -> Set[str]:
    """The tiers that have an entry in cache."""
    return {t for t in TIERS for p in code_files(cache) if p.name.endswith(f"-{config_tag(t)}.code")}


def test_each_tier_has_its_own_configuration_and_entry() -> None:
    assert TIERS[BASELINE] != TIERS[OPTIMIZED]
    assert config_tag(BASELINE) != config_tag(OPTIMIZED)
    assert engine(BASELINE) is not engine(OPTIMIZED)
    assert engine(BASELINE) is engine(BASELINE)


def test_a_first_process_answers_from_baseline_code_then_switches(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code, info = tiered_module(ANSWER, cache)
    assert (info.source, info.tier) == ("compiled", BASELINE)
    assert call_f(code) == 42
    assert code.wait(120), "the optimized compile did not finish"
    assert code.upgrade_error is None
    assert code.current().tier == OPTIMIZED and call_f(code) == 42
    # The optimized entry replaces the baseline one in the cache.
    assert entry_tiers(cache) == {OPTIMIZED}
    _runtime._tiered.clear()
    _, later = tiered_module(ANSWER, cache)
    assert (later.source, later.tier) == ("disk", OPTIMIZED)


def test_a_forced_tier_is_the_only_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(TIER_ENV, BASELINE)
    code, info = tiered_module(ANSWER, cache)
    assert (info.source, info.tier) == ("compiled", BASELINE)
    assert code.wait(0) and code.current().tier == BASELINE and call_f(code) == 42
    assert entry_tiers(cache) == {BASELINE}
    monkeypatch.setenv(TIER_ENV, OPTIMIZED)
    code, info = tiered_module(ANSWER, cache)
    # The baseline entry is never read for the optimized tier.
    assert (info.source, info.tier) == ("compiled", OPTIMIZED)
    assert entry_tiers(cache) == {BASELINE, OPTIMIZED}


def test_a_process_that_ended_early_leaves_baseline_code_for_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(TIER_ENV, BASELINE)
    tiered_module(ANSWER, cache)
    _runtime._tiered.clear()
    monkeypatch.delenv(TIER_ENV)
    code, info = tiered_module(ANSWER, cache)
    assert (info.source, info.tier) == ("disk", BASELINE)
    assert code.wait(120) and code.current().tier == OPTIMIZED and entry_tiers(cache) == {OPTIMIZED}


def test_code_of_one_tier_under_the_others_name_is_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A body authenticated under the other tier's name (as only a writer
    # holding the secret could make) is refused by wasmtime, and compiled
    # again; a body copied to the other name fails its MAC.
    cache = tmp_path / "cache"
    store = Store(cache)
    digest = __import__("hashlib").sha256(ANSWER).hexdigest()
    for tier, other in ((OPTIMIZED, BASELINE), (BASELINE, OPTIMIZED)):
        body = wasmtime.Module(engine(other), ANSWER).serialize()
        store.save(_runtime._entry_name(digest, tier), body)
        monkeypatch.setenv(TIER_ENV, tier)
        _runtime._tiered.clear()
        code, info = tiered_module(ANSWER, cache)
        assert (info.source, info.tier) == ("compiled", tier) and call_f(code) == 42
    copied = (cache / _runtime._entry_name(digest, BASELINE)).read_bytes()
    (cache / _runtime._entry_name(digest, OPTIMIZED)).write_bytes(copied)
    monkeypatch.setenv(TIER_ENV, OPTIMIZED)
    _runtime._tiered.clear()
    _, info = tiered_module(ANSWER, cache)
    assert info.source == "compiled"


def test_a_tier_that_does_not_exist_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIER_ENV, "fast")
    with pytest.raises(ValueError, match="LICVERIFY_TIER must be auto, baseline or optimized, not 'fast'"):
        licverify.Verifier(disk_cache=False)


#: A new process that starts the optimized compile, made slow on purpose,
#: and exits at once: the exit waits for it, so the entry lands.
EXITING = """
import sys, time
from pathlib import Path
from licverify import _runtime
load = _runtime._load
def slow(store, name, eng, wasm):
    if eng is _runtime.engine("optimized"):
        time.sleep(1)
    return load(store, name, eng, wasm)
_runtime._load = slow
code, info = _runtime.tiered_module(bytes.fromhex(sys.argv[1]), Path(sys.argv[2]))
assert info.tier == "baseline", info
code.answered()
"""


def test_a_process_exits_after_its_optimized_code_is_in_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != TIER_ENV}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    subprocess.run([sys.executable, "-c", EXITING, ANSWER.hex(), str(cache)], env=env, check=True)
    assert entry_tiers(cache) == {OPTIMIZED}


def test_calls_in_flight_finish_on_the_old_tier(tmp_path: Path, vectors: List[Vector]) -> None:
    # The real module, from an empty cache: eight threads call through two
    # instances of Winch's code while Cranelift compiles, and go on until
    # the switch and past it. Every answer is the one a single thread gets.
    proof = req(vectors, "statusproof/valid")
    tampered = req(vectors, "statusproof/tamper-valid-until")
    with licverify.Verifier(max_instances=2, cache_dir=tmp_path / "cache") as v:
        assert v.load_info.tier == BASELINE
        calls: Dict[str, Callable[[], Dict[str, Any]]] = {
            "proof": lambda: v.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"]).to_dict(),
            "tampered": lambda: v.verify_status_proof(tampered["proof"], keys=tampered["keys"], now=tampered["now"]).to_dict(),
            "canonical": lambda: v.canonicalize('{"b":[1.0,2e1],"a":"\\u00e9"}').to_dict(),
        }
        alone: Dict[str, Dict[str, Any]] = {name: call() for name, call in calls.items()}
        assert alone["proof"]["valid"] and alone["tampered"]["code"] == "bad_signature"
        wrong: List[str] = []
        after: List[int] = []

        def work(i: int) -> None:
            names = sorted(calls)
            n, past = 0, 0
            while past < 20 and n < 100_000:
                name = names[(i + n) % len(names)]
                if calls[name]() != alone[name]:
                    wrong.append(name)
                n += 1
                if v._code.current().tier == OPTIMIZED:
                    past += 1
            after.append(past)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert v._code.upgrade_error is None
        assert not wrong and after == [20] * 8
        assert v._code.current().tier == OPTIMIZED
        # The pool holds only optimized instances, made after the switch.
        assert v._idle and all(v._code.is_current(inst.module) for inst in v._idle)
        assert v.instances_created > 2
    assert entry_tiers(tmp_path / "cache") == {OPTIMIZED}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_keeps_its_code_and_does_not_wait_at_exit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The optimized compile is running in the parent (made slow here); a
    # child forked then has no compile thread: it must neither wait for one
    # at exit nor start one.
    load = _runtime._load
    started = threading.Event()

    def slow(store: Any, name: str, eng: wasmtime.Engine, wasm: bytes) -> Any:
        if eng is engine(OPTIMIZED):
            started.set()
            __import__("time").sleep(2)
        return load(store, name, eng, wasm)

    monkeypatch.setattr(_runtime, "_load", slow)
    code, info = tiered_module(ANSWER, tmp_path / "cache")
    assert info.tier == BASELINE
    code.answered()
    assert started.wait(60)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        ok = code.wait(0) and code.current().tier == BASELINE and not _runtime._pending
        code.answered()
        ok = ok and code.wait(0) and call_f(code) == 42
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert code.wait(60) and code.current().tier == OPTIMIZED


def test_entry_names_carry_the_installed_wasmtime_version() -> None:
    # Read from the dist-info beside the package, not importlib.metadata
    # (slow to import on a first start); they must agree.
    from importlib import metadata

    _runtime.wasmtime_version.cache_clear()
    assert _runtime.wasmtime_version() == metadata.version("wasmtime")
    assert f"-wasmtime-{metadata.version('wasmtime')}-" in _runtime._entry_name("0" * 64, BASELINE)


def test_an_optimized_compile_that_fails_leaves_the_baseline_code_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load = _runtime._load

    def failing(store: Any, name: str, eng: wasmtime.Engine, wasm: bytes) -> Any:
        if eng is engine(OPTIMIZED):
            raise MemoryError("no room for Cranelift")
        return load(store, name, eng, wasm)

    monkeypatch.setattr(_runtime, "_load", failing)
    cache = tmp_path / "cache"
    code, info = tiered_module(ANSWER, cache)
    assert info.tier == BASELINE
    assert code.wait(60)
    assert code.upgrade_error == "MemoryError: no room for Cranelift"
    assert code.current().tier == BASELINE and call_f(code) == 42
    # The baseline entry stays for the next process.
    assert entry_tiers(cache) == {BASELINE}
