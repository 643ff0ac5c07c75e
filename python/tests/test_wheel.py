"""The package as users get it: the wheel built by the PEP 517 backend,
installed offline into a fresh virtual environment from the wheel and
wasmtime's, used from there, and type-checked there as a user's code is."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import venv
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Iterator

import pytest

from conftest import PYTHON_DIR, REPO

WHEELHOUSE = PYTHON_DIR / ".venv" / "wheelhouse"

USER_CODE = """
from datetime import datetime, timezone
import licverify

r = licverify.verify_status_proof(b"{}", keys="[]", now=datetime.now(timezone.utc))
code: str = r.code
when: datetime | None = r.checked_at
q = licverify.verify_qkey(b"", keys=[], now="2026-01-01T00:00:00Z")
ok: bool = q.has("pro")
with licverify.load_revocation_set("{}", keys="[]", now="2026-01-01T00:00:00Z") as s:
    statuses = [x.status for x in s.lookup(["a"], "2026-01-01T00:00:00Z").lookups or []]
    s.apply_deltas([b"{}", "{}"], keys="[]", now="2026-01-01T00:00:00Z", min_epoch=3)
lic = licverify.evaluate_license(b"{}", keys="[]", now="2026-01-01T00:00:00Z", product_id="p",
                                 server_time=datetime.now(timezone.utc))
try:
    licverify.canonicalize("[]")
except licverify.LicverifyError as e:
    problem: licverify.Code | None = e.code
    text: str | None = e.code
first: licverify.Code = licverify.CODES[0]
"""


def need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{module} is needed (run-tests.sh installs it)")
        pytest.skip(f"{module} is not installed (run-tests.sh installs it)")


def run(*cmd: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, f"{' '.join(cmd)}\n{out.stdout}\n{out.stderr}"
    return out.stdout


def wasmtime_wheel() -> Path:
    """wasmtime's wheel for this machine, at the installed version: from
    the wheelhouse run-tests.sh fills, else downloaded into it once."""
    version = metadata.version("wasmtime")
    found = sorted(WHEELHOUSE.glob(f"wasmtime-{version}-*.whl"))
    if not found:
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             f"wasmtime=={version}", "-d", str(WHEELHOUSE)],
            capture_output=True, text=True,
        )
        found = sorted(WHEELHOUSE.glob(f"wasmtime-{version}-*.whl"))
        if not found:
            pytest.skip(f"no wasmtime wheel to install offline: {out.stderr.strip()[:300]}")
    return found[-1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need("build")
    need("hatchling")
    dist = tmp_path_factory.mktemp("dist")
    # --no-isolation: the backend from this environment, so no index is needed.
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(PYTHON_DIR), cwd=PYTHON_DIR)
    (whl,) = dist.glob("licverify-*.whl")
    return whl


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with the wheel installed offline; its python."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run(str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheel.parent),
        "--find-links", str(wasmtime_wheel().parent), "licverify", cwd=home)
    yield python


def test_the_wheel_holds_the_module_the_table_and_py_typed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert z.read("licverify/licverify.wasm") == (REPO / "host" / "licverify.wasm").read_bytes()
        assert z.read("licverify/ops.json") == (REPO / "internal" / "api" / "ops.json").read_bytes()
        assert "licverify/py.typed" in names
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert not any(n.startswith("tests/") for n in names)
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    assert requires == ["Requires-Dist: wasmtime<51,>=44"], requires


def test_the_installed_package_verifies(installed: Path, tmp_path: Path) -> None:
    v = json.loads((REPO / "testvectors" / "statusproof.json").read_text("utf-8"))["tests"][0]
    assert v["id"] == "statusproof/valid"
    script = (
        "import json, sys, licverify\n"
        "req = json.loads(sys.stdin.read())\n"
        "r = licverify.verify_status_proof(req['proof'].encode(), keys=req['keys'], now=req['now'])\n"
        "print(json.dumps({'file': licverify.__file__, 'result': r.to_dict()}))\n"
    )
    # Run from an empty directory with a clean environment: nothing of the
    # source tree can be imported instead of the installed package.
    env = {k: val for k, val in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    out = subprocess.run([str(installed), "-c", script], input=json.dumps(v["request"]), cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert Path(got["file"]).resolve().is_relative_to(installed.parent.parent.resolve())
    result = got["result"]
    assert result.pop("message") and result == v["expected"]


def test_users_code_type_checks_against_the_installed_package(installed: Path, tmp_path: Path) -> None:
    need("mypy")
    (tmp_path / "user.py").write_text(USER_CODE, "utf-8")
    (tmp_path / "wrong.py").write_text(
        "import licverify\n"
        "n: int = licverify.canonicalize('[]').canonical\n"
        "c: str = licverify.LicverifyError('x').code\n",
        "utf-8",
    )
    env = {k: val for k, val in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    base = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", str(installed)]
    run(*base, "user.py", cwd=tmp_path, env=env)
    wrong = subprocess.run([*base, "wrong.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    # The package's types are seen (py.typed): a wrong use is an error.
    assert wrong.returncode == 1 and 'Incompatible types in assignment (expression has type "str | None"' in wrong.stdout, wrong.stdout
    # LicverifyError.code is typed: a code or None, not a plain str.
    assert "wrong.py:3: error: Incompatible types in assignment" in wrong.stdout, wrong.stdout
