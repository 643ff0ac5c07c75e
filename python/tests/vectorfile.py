"""The shared test vectors (../testvectors/*.json, schema
licverify-vectors-v2) and their requests turned into frames, as wasm/ABI.md
"Running the test vectors" says: this suite's own implementation of Go's
api.FromJSON, written apart from the package's frame builder so that a
mistake in one is caught by the other. It works from each request's exact
text: header members are copied as the file spells them, since a parsed and
re-serialized value could lose a lone surrogate escape or an integer beyond
2^53 that the module must see."""

from __future__ import annotations

import base64
import binascii
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

SCHEMA = "licverify-vectors-v2"


@dataclass
class Node:
    """A JSON value's span in its text, with its members or items."""

    start: int
    end: int = 0
    members: Optional[Dict[str, "Node"]] = None
    items: Optional[List["Node"]] = None


def spans(text: str) -> Node:
    """Parses JSON text (already validated by json.loads) into nodes that
    keep their source span. A member name that appears twice is an error,
    as in Go's loader."""
    i = 0
    n = len(text)

    def ws() -> None:
        nonlocal i
        while i < n and text[i] in " \t\r\n":
            i += 1

    def string() -> str:
        nonlocal i
        start = i
        i += 1
        while text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        i += 1
        s = json.loads(text[start:i])
        assert isinstance(s, str)
        return s

    def value() -> Node:
        nonlocal i
        ws()
        node = Node(start=i)
        c = text[i]
        if c == '"':
            string()
        elif c == "{":
            node.members = {}
            i += 1
            ws()
            while text[i] != "}":
                ws()
                key = string()
                ws()
                i += 1  # ':'
                if key in node.members:
                    raise ValueError(f"member {key!r} appears twice at {node.start}")
                node.members[key] = value()
                ws()
                if text[i] == ",":
                    i += 1
                ws()
            i += 1
        elif c == "[":
            node.items = []
            i += 1
            ws()
            while text[i] != "]":
                node.items.append(value())
                ws()
                if text[i] == ",":
                    i += 1
                ws()
            i += 1
        else:
            while i < n and text[i] not in ",]} \t\r\n":
                i += 1
        node.end = i
        return node

    return value()


@dataclass
class Vector:
    file: str
    id: str
    comment: str
    #: The request object's exact text in the file.
    request: str
    expected: Any
    pad: Optional[Dict[str, Any]] = None
    flags: List[str] = field(default_factory=list)

    @property
    def bad_request(self) -> bool:
        return bool(self.expected == {"error": "bad_request"})

    @property
    def keyring_error(self) -> bool:
        """Whether the vector expects a keyring that does not load:
        {"error": "keyring", "code": C}."""
        return is_keyring_error(self.expected)


def is_keyring_error(expected: Any) -> bool:
    return isinstance(expected, dict) and expected.get("error") == "keyring"


def load_vectors(directory: Path) -> List[Vector]:
    """Every vector of every file, by file name then order in the file."""
    out: List[Vector] = []
    for path in sorted(directory.glob("*.json")):
        text = path.read_text("utf-8")
        doc = json.loads(text)
        if doc.get("schema") != SCHEMA:
            raise ValueError(f"{path.name}: schema {doc.get('schema')!r}, want {SCHEMA}")
        root = spans(text)
        assert root.members is not None
        tests = root.members["tests"].items
        assert tests is not None and len(tests) == len(doc["tests"])
        for node, t in zip(tests, doc["tests"]):
            assert node.members is not None
            r = node.members["request"]
            out.append(
                Vector(
                    file=path.name,
                    id=t["id"],
                    comment=t.get("comment", ""),
                    request=text[r.start : r.end],
                    expected=t["expected"],
                    pad=t.get("pad"),
                    flags=list(t.get("flags") or []),
                )
            )
    if not out:
        raise ValueError(f"no vectors in {directory}")
    return out


def base64_strict(s: str) -> bytes:
    """Standard padded base64, as Go's StdEncoding.Strict() reads it."""
    try:
        data = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"not standard base64: {e}") from e
    if base64.b64encode(data).decode("ascii") != s:
        raise ValueError("base64 with non-zero trailing bits or missing padding")
    return data


def _has_lone_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def from_json(text: str, pad: Optional[Dict[str, Any]], table: Dict[str, Any]) -> bytes:
    """The frame of a request in the vectors' JSON form (Go's FromJSON,
    then the vector's padding)."""
    root = spans(text)
    if root.members is None:
        raise ValueError("request is not a JSON object")

    def raw(node: Node) -> str:
        return text[node.start : node.end]

    op_node = root.members.get("op")
    op_value = json.loads(raw(op_node)) if op_node is not None else None
    # As Go: an op that is not a string is sent as "", for the module to refuse.
    op = op_value if isinstance(op_value, str) else ""
    spec = table["ops"].get(op)
    header = [f'"op":{json.dumps(op, ensure_ascii=False)}']
    parts: List[Tuple[str, bytes]] = []
    for name in sorted(root.members, key=lambda s: s.encode("utf-8")):
        if name == "op":
            continue
        node = root.members[name]
        b64 = name.endswith("_b64")
        base = name[:-4] if b64 else name
        m = spec["members"].get(base) if spec is not None else None
        if m is None or m["kind"] not in ("bytes", "bytes[]"):
            header.append(f"{json.dumps(name, ensure_ascii=False)}:{compact(raw(node))}")
            continue
        items = [node]
        if m["kind"] == "bytes[]":
            if node.items is None:
                raise ValueError(f"{name}: want an array")
            items = node.items
        for i, item in enumerate(items):
            s = json.loads(raw(item))
            if not isinstance(s, str):
                raise ValueError(f"{name}[{i}]: want a string")
            if _has_lone_surrogate(s):
                raise ValueError(f"{name}[{i}]: a lone surrogate; write such bytes as {base}_b64")
            parts.append((base, base64_strict(s) if b64 else s.encode("utf-8")))
    if pad is not None:
        at = [k for k, (n, _) in enumerate(parts) if n == pad["member"]]
        if len(at) != 1 or len(parts[at[0]][1]) > pad["to"]:
            raise ValueError(f"pad: {pad['member']} is not one part of at most {pad['to']} bytes")
        name, data = parts[at[0]]
        parts[at[0]] = (name, data + b"\t" * (pad["to"] - len(data)))
    return frame(("{" + ",".join(header) + "}").encode("utf-8"), parts)


def compact(raw: str) -> str:
    """A JSON value's text without the whitespace between its tokens, every
    token spelled as it is (Go's json.Compact). Go's FromJSON copies a
    header member's text this way, so that a message pointing into the
    header (the offset of a lone surrogate escape, say) points at the same
    byte in every runtime that writes its header compactly. wasm/ABI.md's
    "as its exact JSON text" means exactly this."""
    out = []
    in_string = False
    i = 0
    while i < len(raw):
        c = raw[i]
        if in_string:
            out.append(c)
            if c == "\\":
                out.append(raw[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif c not in " \t\r\n":
            out.append(c)
        i += 1
    return "".join(out)


def frame(header: bytes, parts: List[Tuple[str, bytes]]) -> bytes:
    """Lays out "LVR2" len header (namelen name len data)*."""
    out = [b"LVR2", struct.pack("<I", len(header)), header]
    for name, data in parts:
        nb = name.encode("ascii")
        out += [bytes((len(nb),)), nb, struct.pack("<I", len(data)), data]
    return b"".join(out)


def split_frame(b: bytes) -> Tuple[bytes, List[Tuple[str, bytes]]]:
    """A frame's header bytes and parts, for tests that check what the
    package sent."""
    if b[:4] != b"LVR2":
        raise ValueError("no LVR2 magic")
    (hn,) = struct.unpack_from("<I", b, 4)
    header = b[8 : 8 + hn]
    parts: List[Tuple[str, bytes]] = []
    at = 8 + hn
    while at < len(b):
        nn = b[at]
        name = b[at + 1 : at + 1 + nn].decode("ascii")
        at += 1 + nn
        (dn,) = struct.unpack_from("<I", b, at)
        parts.append((name, b[at + 4 : at + 4 + dn]))
        at += 4 + dn
    if at != len(b):
        raise ValueError("frame ends inside a part")
    return header, parts


def json_equal(a: Any, b: Any) -> bool:
    """JSON value equality: numbers by value, but a bool is never a number
    (Python's True == 1 would hide a wrong type)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and bool(a == b)


def _drop_nested_messages(v: Any) -> None:
    """Drops, in place, the message of every result nested in v (an object
    with a "valid" member, as the lifecycle ops answer): it is for people,
    as the response's own is."""
    if isinstance(v, list):
        for e in v:
            _drop_nested_messages(e)
    elif isinstance(v, dict):
        if "valid" in v:
            v.pop("message", None)
        for e in v.values():
            _drop_nested_messages(e)


def check(expected: Any, response: str) -> Optional[str]:
    """testvectors.Check: the response carries a non-empty message and,
    without it and the messages of the results nested in it, equals the
    expected value; {"error": "bad_request"} needs a
    bad-request error; {"error": "keyring", "code": C} needs exactly
    {"error": "licverify: keyring: ...", "code": C}. Returns why it fails,
    or None."""
    try:
        got = json.loads(response)
    except ValueError:
        return f"response is not JSON: {response[:300]}"
    if not isinstance(got, dict):
        return f"response is not a JSON object: {response[:300]}"
    if expected == {"error": "bad_request"}:
        err = got.get("error")
        if isinstance(err, str) and err.startswith("licverify: bad request: "):
            return None
        return f"want a bad request error, got {response[:300]}"
    if is_keyring_error(expected):
        err = got.get("error")
        if (
            isinstance(err, str)
            and err.startswith("licverify: keyring: ")
            and got.get("code") == expected.get("code")
            and len(got) == 2
        ):
            return None
        return f"want a keyring error with code {expected.get('code')}, got {response[:300]}"
    msg = got.pop("message", None)
    if not isinstance(msg, str) or not msg.strip():
        return f"response has no message: {response[:300]}"
    _drop_nested_messages(got)
    if not json_equal(got, expected):
        return f"result differs\n got: {json.dumps(got)[:600]}\nwant: {json.dumps(expected)[:600]}\n(message: {msg})"
    return None
