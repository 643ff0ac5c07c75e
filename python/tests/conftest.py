"""Shared fixtures: the repository's vectors and table of ops, native Go's
response to every vector (internal/cmd/nativeresponses, run once per
session), the module built with its test hooks, and the summary lines that
`make test` shows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, TypeVar

import pytest

import licverify
from vectorfile import Vector, load_vectors

if TYPE_CHECKING:
    from testissuer import Issuer

PYTHON_DIR = Path(__file__).resolve().parent.parent
REPO = PYTHON_DIR.parent
OUT = PYTHON_DIR / "tests" / "out"

#: Summary lines, printed at the end of the run (see pytest_terminal_summary).
SUMMARY: Dict[str, str] = {}

T = TypeVar("T")
R = TypeVar("R")


def go_or_skip(need: str = "native Go's responses") -> str:
    """The go command; without it the tests that need native Go (or what
    Go builds: ``need``) skip, except in CI, where they fail."""
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"go is needed for {need}")
        pytest.skip(f"go is not installed; it is needed for {need}")
    return go


@pytest.fixture(scope="session")
def table() -> Dict[str, Any]:
    """internal/api/ops.json, read from the repository, not the package."""
    v: Dict[str, Any] = json.loads((REPO / "internal" / "api" / "ops.json").read_text("utf-8"))
    return v


@pytest.fixture(scope="session")
def vectors() -> List[Vector]:
    return load_vectors(REPO / "testvectors")


@pytest.fixture(scope="session")
def native() -> Dict[str, str]:
    """Native Go's response text to every vector, by id."""
    go = go_or_skip()
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / "native.json"
    subprocess.run([go, "run", "./internal/cmd/nativeresponses", "-out", str(out)], cwd=REPO, check=True)
    v: Dict[str, str] = json.loads(out.read_text("utf-8"))
    return v


@pytest.fixture(scope="session")
def verifier() -> Iterator[licverify.Verifier]:
    """A verifier of two instances: the machine has two cores."""
    with licverify.Verifier(max_instances=2) as v:
        yield v


@pytest.fixture(scope="session")
def hooked_wasm() -> bytes:
    """The module built with the licverify_testhooks tag, whose request
    {"op":"__panic"} panics inside call: a real instance crashed on
    purpose. Built with `make wasm`'s flags, so that the same sources give
    the same bytes and the compiled-module cache is reused between runs."""
    go = go_or_skip()
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / "testhooks.wasm"
    env = {**os.environ, "GOOS": "wasip1", "GOARCH": "wasm", "CGO_ENABLED": "0", "GOWASM": "", "GOFLAGS": ""}
    subprocess.run(
        [go, "build", "-buildmode=c-shared", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=",
         "-tags", "licverify_testhooks", "-o", str(out), "./wasm"],
        cwd=REPO,
        env=env,
        check=True,
    )
    return out.read_bytes()


@pytest.fixture(scope="session")
def issuer() -> Iterator["Issuer"]:
    """The lifecycle tests' issuer (internal/testissuer), built and started
    once per session."""
    from testissuer import Issuer, build

    server = Issuer(build(go_or_skip("the test issuer (internal/testissuer)"), OUT))
    try:
        yield server
    finally:
        server.close()


def parallel(fn: Callable[[T], R], items: Iterable[T], workers: int = 2) -> List[R]:
    """fn over items on a few threads (the module releases the GIL while it
    runs), results in order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def assert_no_failures(failures: List[str], what: str) -> None:
    """Fails with the first failures in full and a count of the rest: a
    stale module can fail every vector, and a screenful is enough."""
    if not failures:
        return
    shown = "\n".join(failures[:10])
    more = f"\n... and {len(failures) - 10} more" if len(failures) > 10 else ""
    hint = "\n(a module built from older sources fails here too: `make wasm-check` tells)"
    pytest.fail(f"{what}: {len(failures)} failed\n{shown}{more}{hint}", pytrace=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # The raw vectors first, as the other runtimes print theirs.
    for key in sorted(SUMMARY, key=lambda k: (k != "raw", k)):
        terminalreporter.write_line(SUMMARY[key])
