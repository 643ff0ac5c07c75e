"""Every shared vector through the raw call: the module under wasmtime must
answer byte for byte what native Go answers, and meet the vector's
expectation, on each tier's compiled code (Winch's and Cranelift's,
forced with LICVERIFY_TIER)."""

from __future__ import annotations

import time
from typing import Any, Dict, Iterator, List, Optional

import pytest

import licverify
from licverify._runtime import TIER_ENV
from conftest import SUMMARY, assert_no_failures, parallel
from vectorfile import Vector, check, from_json


@pytest.fixture(scope="module", params=["optimized", "baseline"])
def tier_verifier(request: pytest.FixtureRequest) -> Iterator[licverify.Verifier]:
    """A verifier of two instances on one tier's code only."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TIER_ENV, request.param)
        v = licverify.Verifier(max_instances=2)
    assert v.load_info.tier == request.param
    with v:
        yield v
    assert v._code.current().tier == request.param, "a forced tier changed"


def test_vectors_identical_to_native_go(
    tier_verifier: licverify.Verifier, vectors: List[Vector], native: Dict[str, str], table: Dict[str, Any]
) -> None:
    verifier = tier_verifier
    tier = verifier.load_info.tier
    started = time.perf_counter()

    def run(v: Vector) -> Optional[str]:
        frame = from_json(v.request, v.pad, table)
        got = verifier.call(frame)
        want = native.get(v.id)
        if want is None:
            return f"{v.id}: native Go has no response (stale nativeresponses?)"
        if got.encode("utf-8") != want.encode("utf-8"):
            return f"{v.id}: differs from native Go\n  wasm:   {got[:400]}\n  native: {want[:400]}"
        why = check(v.expected, got)
        return f"{v.id}: {why}" if why else None

    failures = [f for f in parallel(run, vectors) if f is not None]
    identical = len(vectors) - len(failures)
    SUMMARY["raw" if tier == "optimized" else f"raw-{tier}"] = (
        f"python: {identical}/{len(vectors)} vectors identical to Go "
        f"(wasmtime, {tier} tier, raw frames, {time.perf_counter() - started:.1f} s)"
    )
    assert_no_failures(failures, "vectors")


def test_every_vector_has_a_native_response(vectors: List[Vector], native: Dict[str, str]) -> None:
    # A vector file and the native responses come from the same checkout.
    assert sorted(v.id for v in vectors) == sorted(native)
