"""The message for a machine wasmtime has no native library for.

wasmtime-py publishes its native library for 64-bit x86 and ARM only; pip
still installs it elsewhere (a pure-Python wheel, whose library is for
another machine), and ``import wasmtime`` then fails with ctypes' OSError
naming ``_libwasmtime.so``, or wasmtime's own RuntimeError. That says
nothing of licverify, so ``import licverify`` replaces it with this.
"""

from __future__ import annotations

import platform
import sys

#: Where wasmtime-py ships its native library (the wheels of wasmtime 50).
SUPPORTED = "x86_64 and aarch64 (arm64) on Linux (glibc or musl), macOS and Windows"


def no_runtime_message(err: BaseException) -> str:
    machine = platform.machine() or "an unknown machine"
    bits = "64-bit" if sys.maxsize > 2**32 else "32-bit"
    return (
        f"licverify cannot run on this platform ({platform.system() or sys.platform} {machine}, "
        f"{bits} Python {platform.python_version()}): it runs its WebAssembly module under "
        f"wasmtime, which has no native library for this machine; wasmtime has one for {SUPPORTED}. "
        f"(import wasmtime failed with {type(err).__name__}: {err})"
    )
