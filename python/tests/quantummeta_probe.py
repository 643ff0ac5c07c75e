"""Runs QuantumMeta's own code on what a fixture machine of
testvectors/fingerprint/quantummeta.json answers; run by
test_quantummeta.py in a subprocess, with quantummeta-license installed.

    python quantummeta_probe.py compute < machine.json
        get_machine_id() computing an id from the machine's inputs: its
        files (product_uuid, sda's serial), its commands (lsblk, uname -p,
        those of the input's "found" list), os.uname(), /proc/meminfo (as
        psutil's PROCFS_PATH) and uuid.getnode() (the input's "node"):
        prints the id.
    python quantummeta_probe.py load < texts.json
        _load_cached_machine_id() on each text written to the cache file
        (XDG_CACHE_HOME must name a scratch directory): prints, for each,
        the type name of what it returns and the value when a string.

Nothing but QuantumMeta's inputs is replaced: its parsing, fallbacks,
formatting and hashing run as they are."""

from __future__ import annotations

import builtins
import io
import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Dict, List


def compute(m: Dict[str, Any]) -> str:
    import platform
    import uuid

    import psutil  # type: ignore[import-untyped]
    from quantummeta_license.core import hardware  # type: ignore[import-untyped]

    fs: Dict[str, Dict[str, Any]] = m["fs"]
    real_open = builtins.open

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if file in ("/sys/class/dmi/id/product_uuid", "/sys/block/sda/device/serial", "/proc/sys/kernel/random/uuid"):
            f = fs.get(file)
            if f is None:
                raise FileNotFoundError(2, "No such file or directory", file)
            if f["kind"] == "dir":
                raise IsADirectoryError(21, "Is a directory", file)
            if f["kind"] != "file":
                raise PermissionError(13, "Permission denied", file)
            return io.StringIO(f.get("text", ""), newline=None)
        return real_open(file, mode, *args, **kwargs)

    def fake_run(args: List[str], *a: Any, check: bool = False, **kwargs: Any) -> Any:
        argv = " ".join(args)
        if args[0] not in m["found"]:
            raise FileNotFoundError(2, "No such file or directory", args[0])
        r = m["runs"][argv]
        out = r.get("stdout", "").replace("\r\n", "\n").replace("\r", "\n")
        if check and r.get("exit", 0) != 0:
            raise subprocess.CalledProcessError(r["exit"], args, out)
        return subprocess.CompletedProcess(args, r.get("exit", 0), out, "")

    procfs = tempfile.mkdtemp()
    if "/proc/meminfo" in fs:
        with real_open(os.path.join(procfs, "meminfo"), "w") as f:
            f.write(fs["/proc/meminfo"]["text"])
    psutil.PROCFS_PATH = procfs
    u = m["uname"]
    os.uname = lambda: os.uname_result(("Linux", u["nodename"], "6.1.0", "#1 SMP", u["machine"]))
    platform._uname_cache = None  # type: ignore[attr-defined]
    uuid.getnode = lambda: int(m["node"], 16)
    builtins.open = fake_open
    subprocess.run = fake_run  # type: ignore[assignment]
    assert hardware._load_cached_machine_id() is None, "XDG_CACHE_HOME must name an empty scratch directory"
    machine_id: str = hardware.get_machine_id()
    return machine_id


def load(texts: List[str]) -> List[Dict[str, Any]]:
    from quantummeta_license.core import hardware

    out: List[Dict[str, Any]] = []
    for text in texts:
        with open(hardware._get_cache_file(), "w", encoding="utf-8") as f:
            f.write(text)
        got = hardware._load_cached_machine_id()
        out.append({"type": type(got).__name__, "value": got if isinstance(got, str) else None, "truthy": bool(got)})
    return out


if __name__ == "__main__":
    if sys.argv[1] == "compute":
        print(compute(json.load(sys.stdin)))
    else:
        json.dump(load(json.load(sys.stdin)), sys.stdout)
