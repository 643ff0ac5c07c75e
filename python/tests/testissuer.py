"""The lifecycle tests' issuer (internal/testissuer,
testvectors/lifecycle/README.md): built once per test session with `go
build` into the tests' output directory, started as a subprocess that prints
one JSON line and exits when its standard input closes, and driven through
its /_test/ endpoints."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Any, Dict, Optional

from conftest import REPO

#: The issuer's clock after a reset (testvectors/lifecycle/README.md).
START = "2026-03-01T00:00:00Z"


def build(go: str, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = out_dir / ("testissuer.exe" if os.name == "nt" else "testissuer")
    subprocess.run(
        [go, "build", "-o", str(binary), "./internal/testissuer/cmd/testissuer"], cwd=REPO, check=True, timeout=600
    )
    return binary


class Issuer:
    """A running test issuer: ``url``, ``keys`` (the keyring's text),
    ``api_key``, ``license_id`` and ``fingerprint`` (its components) from
    the line it printed."""

    def __init__(self, binary: Path) -> None:
        self._proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._proc.stdout is not None
        lines: "queue.Queue[bytes]" = queue.Queue()
        stdout = self._proc.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            self.close()
            raise RuntimeError("the test issuer printed nothing in 60 s") from None
        if not line:
            self.close()
            raise RuntimeError(f"the test issuer exited ({self._proc.poll()}) before printing its line")
        info: Dict[str, Any] = json.loads(line)
        self.url: str = info["url"]
        self.keys: str = info["keys"]
        self.api_key: str = info["api_key"]
        self.license_id: str = info["license_id"]
        self.fingerprint: Dict[str, Any] = info["fingerprint"]

    def control(self, path: str, body: Optional[Dict[str, Any]] = None) -> bytes:
        """A /_test/ endpoint: POST with a JSON body, or GET without one."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        method = "GET" if body is None and path in ("hits", "set", "proof") else "POST"
        req = urllib.request.Request(f"{self.url}/_test/{path}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            out: bytes = resp.read()
            return out

    def hits(self) -> Dict[str, int]:
        v: Dict[str, int] = json.loads(self.control("hits"))
        return v

    def close(self) -> None:
        # Closing its standard input is the signal to stop.
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
