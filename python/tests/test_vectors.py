"""Every shared vector through the raw call: the module under wasmtime must
answer byte for byte what native Go answers, and meet the vector's
expectation."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import licverify
from conftest import SUMMARY, assert_no_failures, parallel
from vectorfile import Vector, check, from_json


def test_vectors_identical_to_native_go(
    verifier: licverify.Verifier, vectors: List[Vector], native: Dict[str, str], table: Dict[str, Any]
) -> None:
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
    SUMMARY["raw"] = (
        f"python: {identical}/{len(vectors)} vectors identical to Go "
        f"(wasmtime, raw frames, {time.perf_counter() - started:.1f} s)"
    )
    assert_no_failures(failures, "vectors")


def test_every_vector_has_a_native_response(vectors: List[Vector], native: Dict[str, str]) -> None:
    # A vector file and the native responses come from the same checkout.
    assert sorted(v.id for v in vectors) == sorted(native)
