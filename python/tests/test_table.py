"""The package against the repository's table of ops (internal/api/ops.json)
and module: the copies it ships are identical, every op has an entry point,
and every member is an argument that reaches the module the way the table
says it travels (a part or a header member)."""

from __future__ import annotations

import inspect
import json
from importlib import resources
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import licverify
from conftest import REPO
from test_api import req
from vectorfile import Vector, split_frame

#: Where each op is reached: (owner, function, name of its document
#: argument). Written out here, so that an op the table gains fails the test
#: until the package has it.
ENTRY_POINTS: Dict[str, Tuple[str, str, Optional[str]]] = {
    "canonicalize": ("verifier", "canonicalize", "document"),
    "fingerprint": ("verifier", "fingerprint_hash", "components"),
    "status_proof": ("verifier", "verify_status_proof", "proof"),
    "revocation_set": ("verifier", "verify_revocation_set", "set"),
    "revocation_load": ("verifier", "load_revocation_set", "set"),
    "license": ("verifier", "evaluate_license", "license"),
    "qkey": ("verifier", "verify_qkey", "data"),
    "plan": ("verifier", "plan", None),
    "accept": ("verifier", "accept", "fetched"),
    "revocation_lookup": ("set", "lookup", "ids"),
    "revocation_apply": ("set", "apply_deltas", "deltas"),
    "revocation_free": ("set", "close", None),
}

SAMPLES: Dict[str, Any] = {
    "bytes": "{}",
    "bytes[]": ["{}"],
    "string": "x",
    "strings": ["x"],
    "time": "2026-01-01T00:00:00Z",
    "int": 1,
    "bool": True,
}


def test_the_shipped_copies_are_the_repositorys() -> None:
    pkg = resources.files("licverify")
    assert pkg.joinpath("ops.json").read_bytes() == (REPO / "internal" / "api" / "ops.json").read_bytes(), (
        "python/src/licverify/ops.json differs from internal/api/ops.json: copy it"
    )
    assert pkg.joinpath("licverify.wasm").read_bytes() == (REPO / "host" / "licverify.wasm").read_bytes(), (
        "python/src/licverify/licverify.wasm differs from host/licverify.wasm: "
        "cp host/licverify.wasm python/src/licverify/licverify.wasm (make wasm should)"
    )
    assert pkg.joinpath("py.typed").is_file()


def test_the_abi_version_is_the_tables(table: Dict[str, Any]) -> None:
    assert licverify.ABI_VERSION == table["abi_version"] == 2


def _params(fn: Callable[..., Any]) -> List[inspect.Parameter]:
    return list(inspect.signature(fn).parameters.values())


def test_every_op_and_member_has_an_argument(table: Dict[str, Any]) -> None:
    missing = sorted(set(table["ops"]) - set(ENTRY_POINTS))
    assert not missing, f"ops without an entry point: {missing}"
    owners: Dict[str, List[Callable[..., Any]]] = {}
    for op, (owner, name, doc_arg) in ENTRY_POINTS.items():
        spec = table["ops"][op]
        if owner == "verifier":
            fns = [getattr(licverify.Verifier, name), getattr(licverify, name)]
        else:
            fns = [getattr(licverify.LoadedRevocationSet, name)]
        owners[op] = fns
        members = {m for m, v in spec["members"].items() if v["kind"] != "handle" and m != spec.get("document")}
        for fn in fns:
            params = [p for p in _params(fn) if p.name != "self"]
            positional = [p for p in params if p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD]
            keywords = {p.name for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY}
            if doc_arg is None:
                assert spec.get("document") is None and not positional
            else:
                assert positional and positional[0].name == doc_arg, f"{fn.__qualname__}: the document first"
            if op == "revocation_lookup":
                # lookup(ids, now): both positional, as the npm package's.
                assert [p.name for p in positional] == ["ids", "now"]
                keywords |= {"now"}
            assert keywords == members, f"{fn.__qualname__}: {sorted(keywords ^ members)}"
            for m in members:
                required = spec["members"][m].get("required", False)
                p = inspect.signature(fn).parameters[m]
                assert (p.default is inspect.Parameter.empty) == required, f"{fn.__qualname__}({m}): required is {required}"


def _call_with(verifier: licverify.Verifier, op: str, member: Optional[str], table: Dict[str, Any], loaded: Any) -> List[bytes]:
    """Calls op's entry point with its required members and member set to
    a sample; returns the frames sent."""
    owner, name, _ = ENTRY_POINTS[op]
    spec = table["ops"][op]
    args: Dict[str, Any] = {}
    doc: Any = None
    for m, v in spec["members"].items():
        if v["kind"] == "handle" or not (v.get("required") or m == member or m == spec.get("document")):
            continue
        sample = SAMPLES[v["kind"]]
        if m == "keys":
            sample = "[]"
        if m == spec.get("document"):
            doc = sample
        else:
            args[m] = sample
    frames: List[bytes] = []
    verifier._sent = frames.append
    try:
        if owner == "verifier":
            # An op without a document (plan) takes keyword arguments only.
            getattr(verifier, name)(*([] if spec.get("document") is None else [doc]), **args)
        elif name == "close":
            loaded.close()
        elif name == "lookup":
            loaded.lookup(doc, args.pop("now"), **args)
        else:
            getattr(loaded, name)(doc, **args)
    except licverify.LicverifyError:
        pass  # the module may refuse a sample; what was sent is checked
    finally:
        verifier._sent = None
    return frames


def test_every_member_travels_as_the_table_says(
    verifier: licverify.Verifier, table: Dict[str, Any], vectors: List[Vector]
) -> None:
    r = req(vectors, "revocation/valid")
    for op, spec in table["ops"].items():
        for member, m in spec["members"].items():
            if m["kind"] == "handle":
                continue
            loaded = verifier.load_revocation_set(r["set"], keys=r["keys"], now=r["now"])
            assert loaded.valid
            frames = _call_with(verifier, op, member, table, loaded)
            loaded.close()
            assert frames, f"{op}.{member}: nothing sent"
            head, parts = split_frame(frames[-1])
            header = json.loads(head)
            assert header["op"] == op
            names = [n for n, _ in parts]
            if m["kind"] in ("bytes", "bytes[]"):
                assert member in names and member not in header, f"{op}.{member} must be a part"
            else:
                assert member in header and member not in names, f"{op}.{member} must be a header member"
            if "handle" in spec["members"]:
                assert isinstance(header.get("handle"), int), f"{op} needs the set's handle"
    frames = _call_with(verifier, "revocation_free", None, table, verifier.load_revocation_set(r["set"], keys=r["keys"], now=r["now"]))
    assert frames == [] or json.loads(split_frame(frames[-1])[0])["op"] == "revocation_free"


def test_close_frees_the_handle_in_the_module(verifier: licverify.Verifier, vectors: List[Vector], monkeypatch: pytest.MonkeyPatch) -> None:
    from licverify._runtime import Instance

    r = req(vectors, "revocation/valid")
    sent: List[bytes] = []
    original = Instance.call

    def spy(self: Instance, frame: bytes) -> bytes:
        sent.append(frame)
        return original(self, frame)

    loaded = verifier.load_revocation_set(r["set"], keys=r["keys"], now=r["now"])
    monkeypatch.setattr(Instance, "call", spy)
    loaded.close()
    header = json.loads(split_frame(sent[-1])[0])
    assert header["op"] == "revocation_free" and isinstance(header["handle"], int)
