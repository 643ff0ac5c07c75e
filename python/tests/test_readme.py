"""What python/README.md says holds: its snippets pass mypy --strict, the
module size it gives is the bundled module's, and on a machine wasmtime has
no native library for, ``import licverify`` says so, naming licverify and
the platform."""

from __future__ import annotations

import platform
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest
from mypy import api as mypy_api

from licverify._platform import no_runtime_message

PYTHON_DIR = Path(__file__).resolve().parent.parent
README = (PYTHON_DIR / "README.md").read_text("utf-8")

#: The names the snippets use without defining them: what a program has
#: before it verifies (its documents, keys and clock, read elsewhere).
PRELUDE = """\
from __future__ import annotations
from datetime import datetime
from pathlib import Path
from typing import Optional
import licverify

proof: bytes
keys: bytes
now: datetime
data: bytes
license_bytes: bytes
set_bytes: bytes
delta_bytes: bytes
epochs: licverify.EpochStore
api_key: str
"""


def snippets() -> List[str]:
    """Every ```python block, list items' indented ones too, dedented."""
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", README, re.S | re.M)
    return [textwrap.dedent(body) for _, body in blocks]


def test_readme_snippets_pass_mypy_strict(tmp_path: Path) -> None:
    found = snippets()
    assert len(found) >= 5, "the README's python snippets were not found"
    # Each snippet in a function of its own: they are separate programs
    # that reuse names.
    body = PRELUDE + "".join(
        f"\n\ndef snippet_{i}() -> None:\n" + textwrap.indent(s, "    ") for i, s in enumerate(found)
    )
    path = tmp_path / "readme_snippets.py"
    path.write_text(body, "utf-8")
    out, err, status = mypy_api.run(
        ["--strict", "--python-version", "3.10", "--no-incremental", "--config-file", "", str(path)]
    )
    numbered = "\n".join(f"{n + 1:4} {line}" for n, line in enumerate(body.splitlines()))
    assert status == 0, f"{out}{err}\n{numbered}"


def test_readme_states_the_module_size() -> None:
    size = (PYTHON_DIR / "src" / "licverify" / "licverify.wasm").stat().st_size
    stated = re.findall(r"the ([0-9.]+) MB module", README)
    assert stated, "the README gives no module size"
    for mb in stated:
        assert abs(float(mb) - size / 1e6) <= 0.1, f"README: {mb} MB; licverify.wasm: {size / 1e6:.2f} MB"


FAKE_WASMTIME = """\
import sys
raise {error}
"""


@pytest.mark.parametrize(
    "error",
    [
        # What ctypes says when the wheel holds no library for this machine.
        "OSError('/venv/lib/python3.11/site-packages/wasmtime/linux-aarch64/_libwasmtime.so: "
        "cannot open shared object file: No such file or directory')",
        # What wasmtime says itself on 32-bit Python and other machines.
        "RuntimeError('wasmtime only works on 64-bit platforms right now')",
        "RuntimeError('unsupported architecture for wasmtime: riscv64')",
    ],
)
def test_import_names_licverify_and_the_platform(tmp_path: Path, error: str) -> None:
    fake = tmp_path / "wasmtime"
    fake.mkdir()
    (fake / "__init__.py").write_text(FAKE_WASMTIME.format(error=error), "utf-8")
    program = textwrap.dedent(
        f"""\
        import sys
        sys.path[:0] = [{str(tmp_path)!r}, {str(PYTHON_DIR / "src")!r}]
        try:
            import licverify
        except ImportError as e:
            print(type(e.__cause__).__name__)
            print(e)
        else:
            print("imported")
        """
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    cause, message = out.stdout.split("\n", 1)
    assert cause == error.split("(")[0]
    assert message.startswith(f"licverify cannot run on this platform ({platform.system()} {platform.machine()}, 64-bit Python ")
    assert "wasmtime has one for x86_64 and aarch64 (arm64) on Linux (glibc or musl), macOS and Windows" in message
    assert error.split("'")[1] in message


def test_no_runtime_message() -> None:
    msg = no_runtime_message(OSError("_libwasmtime.so: cannot open shared object file"))
    assert msg.startswith("licverify cannot run on this platform (")
    assert msg.endswith("(import wasmtime failed with OSError: _libwasmtime.so: cannot open shared object file)")
