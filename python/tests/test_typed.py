"""The typed API over the shared vectors: each vector's request turned back
into a call of the typed function (its document positional, its other
members keyword arguments), once with every part as bytes and once as str
(when the bytes are UTF-8). The result must equal native Go's response;
a request native Go refuses must raise LicverifyError with native Go's
message, and a keyring that does not load LicverifyError with native Go's
message and its ``code``."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import pytest

import licverify
from conftest import SUMMARY, assert_no_failures, parallel
from licverify._results import Due, LookupResult, Result, parse_time
from vectorfile import Vector, base64_strict, compact, json_equal, spans

#: The typed function of each op that has one. Written out here rather than
#: taken from the package, so that a wrong name fails the test. The ops on
#: a loaded set's handle are reached through the set (test_api).
FUNCTIONS = {
    "canonicalize": "canonicalize",
    "fingerprint": "fingerprint_hash",
    "status_proof": "verify_status_proof",
    "revocation_set": "verify_revocation_set",
    "revocation_load": "load_revocation_set",
    "license": "evaluate_license",
    "qkey": "verify_qkey",
    "plan": "plan",
    "accept": "accept",
}


@dataclass
class Call:
    form: str  # "bytes" or "str"
    document: Any = None
    options: Dict[str, Any] = field(default_factory=dict)


def _header_value(kind: str, text: str) -> Tuple[bool, Any]:
    """The typed value of a header member of the kind, or (False, None)
    when only a raw request can carry it (a wrong type, null, an integer
    Python would spell otherwise)."""
    v = json.loads(text)
    if kind in ("string", "time"):
        return isinstance(v, str), v
    if kind == "strings":
        return isinstance(v, list) and all(isinstance(x, str) for x in v), v
    if kind == "bool":
        return isinstance(v, bool), v
    if kind == "int":
        ok = re.fullmatch(r"-?\d+", text) is not None and str(int(text)) == text
        return ok, int(text) if ok else None
    return False, None


def typed_calls(v: Vector, table: Dict[str, Any]) -> Tuple[Optional[str], List[Call], str]:
    """(function name, calls, why not) for a vector's request."""
    root = spans(v.request)
    assert root.members is not None

    def raw(node: Any) -> str:
        return v.request[node.start : node.end]

    op = json.loads(raw(root.members["op"])) if "op" in root.members else None
    fn = FUNCTIONS.get(op) if isinstance(op, str) else None
    if fn is None:
        return None, [], f"op {op!r} has no typed function"
    spec = table["ops"][op]
    as_bytes, as_str = Call("bytes"), Call("str")
    textual = True
    seen = set()
    for name, node in root.members.items():
        if name == "op":
            continue
        b64 = name.endswith("_b64")
        member = name[:-4] if b64 else name
        m = spec["members"].get(member)
        if m is None or m["kind"] == "handle":
            return None, [], f"member {name}"
        if member in seen:
            return None, [], f"{member} given twice"
        seen.add(member)
        if m["kind"] in ("bytes", "bytes[]"):
            value = json.loads(raw(node))
            items = value if m["kind"] == "bytes[]" else [value]
            data = [base64_strict(s) if b64 else s.encode("utf-8") for s in items]
            texts: List[Optional[str]] = []
            for d in data:
                try:
                    texts.append(d.decode("utf-8"))  # "utf-8" keeps a BOM
                except UnicodeDecodeError:
                    textual = False
                    texts.append(None)
            b_val: Any = data if m["kind"] == "bytes[]" else data[0]
            s_val: Any = texts if m["kind"] == "bytes[]" else texts[0]
        else:
            ok, b_val = _header_value(m["kind"], compact(raw(node)))
            if not ok:
                return None, [], f"{name} {raw(node)}"
            s_val = b_val
        for call, val in ((as_bytes, b_val), (as_str, s_val)):
            if member == spec.get("document"):
                call.document = val
            else:
                call.options[member] = val
    calls = [as_bytes] + ([as_str] if textual else [])
    if v.pad is not None:
        calls = [_padded(c, v.pad, spec) for c in calls]
    return fn, calls, ""


def _padded(c: Call, pad: Dict[str, Any], spec: Dict[str, Any]) -> Call:
    """The vector's padding applied to the typed call's part: the tabs the
    frame's part gets."""

    def grow(x: Any) -> Any:
        if isinstance(x, str):
            return x + "\t" * (pad["to"] - len(x.encode("utf-8")))
        return bytes(x) + b"\t" * (pad["to"] - len(x))

    if pad["member"] == spec.get("document"):
        return Call(c.form, grow(c.document), dict(c.options))
    return Call(c.form, c.document, {**c.options, pad["member"]: grow(c.options[pad["member"]])})


def _invoke(verifier: licverify.Verifier, fn: str, c: Call) -> Dict[str, Any]:
    """Calls the typed function; its result as the module's JSON, or
    {"error": message} for a LicverifyError, with its "code" when it has
    one (a keyring that does not load). Checks on the way that the typed
    attributes say what the JSON says."""
    try:
        if fn == "load_revocation_set":
            with verifier.load_revocation_set(c.document, **c.options) as s:
                result: Result = s.result
        elif c.document is None:
            result = getattr(verifier, fn)(**c.options)  # plan: no document
        else:
            result = getattr(verifier, fn)(c.document, **c.options)
    except licverify.LicverifyError as e:
        return {"error": str(e)} if e.code is None else {"error": str(e), "code": e.code}
    out = result.to_dict()
    _check_attributes(result, out)
    return out


def _check_attributes(result: Result, raw: Dict[str, Any]) -> None:
    for f in dataclasses.fields(result):
        if f.name == "_raw":
            continue
        got = getattr(result, f.name)
        if f.name not in raw:
            assert got is None, f"{f.name} is {got!r} without a member in {raw}"
            continue
        want = raw[f.name]
        if isinstance(want, str) and f.name in type(result)._times:
            assert got == parse_time(want) and got is not None and got.tzinfo is not None, (f.name, got, want)
        elif f.name == "lookups":
            assert [dataclasses.asdict(x) for x in got] == [
                {"license_id": x["license_id"], "status": x["status"], "until": parse_time(x["until"]) if "until" in x else None}
                for x in want
            ]
            assert all(isinstance(x, LookupResult) for x in got)
        elif f.name == "policy":
            assert dataclasses.asdict(got) == want
        elif isinstance(got, Result):
            # A result within a result (plan's proof and set, accept's result).
            assert isinstance(want, dict), (f.name, want)
            _check_attributes(got, want)
        elif isinstance(got, Due):
            assert isinstance(want, dict) and set(want) <= {"at", "reason", "since_epoch"}, (f.name, want)
            assert got.at == parse_time(want["at"]) and got.at is not None, (f.name, got, want)
            assert got.reason == want["reason"] and got.since_epoch == want.get("since_epoch"), (f.name, got, want)
        else:
            assert json_equal(got, want), (f.name, got, want)


def _compare(native: str, got: Dict[str, Any], load: bool) -> Optional[str]:
    want = json.loads(native)
    if "error" in want:
        # A bad request raises without a code; a keyring that does not load
        # raises with the module's code (None when there is none).
        if got.get("error") != want["error"] or got.get("code") != want.get("code") or set(got) != set(want):
            return f"want error {json.dumps(want)[:300]}, got {json.dumps(got)[:300]}"
        return None
    if load:
        want.pop("handle", None)
    if not json_equal(got, want):
        return f"result differs\n  typed:  {json.dumps(got)[:400]}\n  native: {json.dumps(want)[:400]}"
    return None


def test_typed_api_equals_native_go(
    verifier: licverify.Verifier, vectors: List[Vector], native: Dict[str, str], table: Dict[str, Any]
) -> None:
    started = time.perf_counter()
    counts = {"bytes": 0, "str": 0}
    skipped: List[str] = []

    def run(v: Vector) -> Tuple[List[str], List[str]]:
        fn, calls, why = typed_calls(v, table)
        if fn is None:
            return [], [f"{v.id} ({why})"]
        failures = []
        for c in calls:
            why_not = _compare(native[v.id], _invoke(verifier, fn, c), fn == "load_revocation_set")
            if why_not:
                failures.append(f"{v.id} [{c.form}]: {why_not}")
        return failures, [c.form for c in calls]

    failures: List[str] = []
    for v, (failed, forms) in zip(vectors, parallel(run, vectors)):
        failures += failed
        if forms and forms[0] in counts:
            for f in forms:
                counts[f] += 1
        else:
            skipped += forms
    typed = len(vectors) - len(skipped)
    SUMMARY["typed"] = (
        f"python: typed API on {typed}/{len(vectors)} vectors equal to Go "
        f"({counts['bytes']} as bytes, {counts['str']} as str; {len(skipped)} raw-only; "
        f"{time.perf_counter() - started:.1f} s)"
    )
    assert_no_failures(failures, "typed API")
    # Only requests the typed API cannot spell are left out: a member the
    # table lacks or a handle, a value of the wrong type.
    assert typed >= len(vectors) * 0.9, skipped


@pytest.mark.parametrize("form", ["bytes", "str"])
def test_a_document_reaches_the_module_as_the_vector_holds_it(
    verifier: licverify.Verifier, vectors: List[Vector], table: Dict[str, Any], form: str
) -> None:
    # What the typed call sends for the document is exactly the vector's
    # part, whether given as bytes or as str (no BOM stripped, no repair).
    sent: List[bytes] = []
    verifier._sent = sent.append
    try:
        v = next(x for x in vectors if x.id == "transport/proof/unicode")
        fn, calls, _ = typed_calls(v, table)
        assert fn is not None
        call = next(c for c in calls if c.form == form)
        getattr(verifier, fn)(call.document, **call.options)
    finally:
        verifier._sent = None
    from vectorfile import split_frame

    _, parts = split_frame(sent[0])
    doc = json.loads(v.request)["proof"].encode("utf-8")
    assert dict(parts)["proof"] == doc


