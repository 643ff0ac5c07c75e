"""Request frames of the module's ABI (wasm/ABI.md), built from the typed
API's arguments over the table of ops (ops.json):

    frame = "LVR2" header-length(uint32 LE) header part*
    part  = name-length(uint8) name data-length(uint32 LE) data

Documents travel as parts, as their exact bytes: bytes given are sent as
they are, never decoded here, and a str is encoded without repair, so that
what a document holds is the module's alone to judge and every runtime
answers the same for it. Everything else is a header member, JSON-encoded
with the standard json module; its bounds are the module's to check.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ._errors import LicverifyError
from ._ops import OPS, Member

#: The largest frame the module accepts: a 64 MiB document and an 8 MiB
#: envelope (internal/api MaxRequest).
MAX_REQUEST = (64 << 20) + (8 << 20)

MAGIC = b"LVR2"

#: What a document may be given as: its exact text or its bytes.
Document = Union[str, bytes, bytearray, memoryview]

#: Members that are configuration rather than signed content: given as a
#: parsed value (a dict or a list) they are sent as its JSON text, which
#: cannot change what a signature covers. A signed document given as a
#: parsed value is refused: re-serializing it could change what was signed.
CONFIGURATION = frozenset({"keys", "state", "fingerprint", "components"})

_U32 = struct.Struct("<I")


@dataclass
class Request:
    """A request before framing: the op, its header members as JSON texts
    and its parts, in order."""

    op: str
    header: List[Tuple[str, str]] = field(default_factory=list)
    parts: List[Tuple[str, bytes]] = field(default_factory=list)


def encode_text(s: str) -> bytes:
    """The bytes of a str: UTF-8, with a lone surrogate written as its
    three-byte generalized UTF-8 form (ED A0 80 for U+D800). Those bytes are
    not UTF-8, so the module refuses them exactly as native Go refuses such
    bytes; replacing the surrogate with U+FFFD instead would hand the
    verifier text nobody sent."""
    return s.encode("utf-8", "surrogatepass")


def format_time(d: datetime) -> str:
    """RFC 3339 in UTC, with a fraction only when there is one (the module
    echoes the precision it was given, as Go's RFC3339Nano writes it)."""
    if d.tzinfo is None or d.utcoffset() is None:
        raise TypeError(
            "licverify: a naive datetime has no time zone; give an aware one, "
            "such as datetime.now(timezone.utc)"
        )
    try:
        u = d.astimezone(timezone.utc)
    except OverflowError as e:
        raise ValueError(f"licverify: {d!r} is outside the years datetime can hold in UTC") from e
    s = f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
    if u.microsecond:
        s += "." + f"{u.microsecond:06d}".rstrip("0")
    return s + "Z"


def _json_config(name: str, v: Any) -> bytes:
    try:
        text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"licverify: {name} has no JSON form: {e}") from e
    return encode_text(text)


def part_bytes(name: str, member: str, v: Any) -> bytes:
    """The bytes of a part: a str encoded, bytes as they are, a
    configuration value (a dict or list) as its JSON text."""
    if isinstance(v, str):
        return encode_text(v)
    if isinstance(v, bytes):
        return v
    if isinstance(v, (bytearray, memoryview)):
        # A copy: the caller's buffer may change after the call returns
        # (a loaded revocation set keeps its request to reload it).
        return bytes(v)
    if member in CONFIGURATION:
        if isinstance(v, Mapping):
            return _json_config(name, dict(v))
        if isinstance(v, (list, tuple)):
            return _json_config(name, list(v))
        raise TypeError(f"licverify: {name} must be its text, its bytes, or a dict or list to send as JSON")
    raise TypeError(
        f"licverify: {name} must be given as its exact text (a str) or bytes, "
        f"not {type(v).__name__}: re-serializing a parsed document could change what was signed"
    )


def _strings(name: str, v: Any) -> List[str]:
    if isinstance(v, (str, bytes)) or not isinstance(v, (list, tuple)):
        raise TypeError(f"licverify: {name} must be a list of str")
    for x in v:
        if not isinstance(x, str):
            raise TypeError(f"licverify: {name} must be a list of str, not holding {type(x).__name__}")
    return list(v)


def header_text(kind: str, name: str, v: Any) -> str:
    """The JSON text of a header member of the kind, after checking the
    value's type. A lone surrogate in a str becomes a \\ud800 escape, which
    the module refuses as a bad request: an id holding one cannot have been
    issued."""
    if kind == "string":
        if not isinstance(v, str):
            raise TypeError(f"licverify: {name} must be a str, not {type(v).__name__}")
        return json.dumps(v)
    if kind == "strings":
        return json.dumps(_strings(name, v))
    if kind == "time":
        if isinstance(v, datetime):
            return json.dumps(format_time(v))
        if isinstance(v, str):
            return json.dumps(v)
        raise TypeError(f"licverify: {name} must be an aware datetime or an RFC 3339 str, not {type(v).__name__}")
    if kind in ("int", "handle"):
        # bool is an int in Python, and never what an int option means.
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"licverify: {name} must be an int, not {type(v).__name__}")
        return str(v)
    if kind == "bool":
        if not isinstance(v, bool):
            raise TypeError(f"licverify: {name} must be a bool, not {type(v).__name__}")
        return "true" if v else "false"
    raise TypeError(f"licverify: {name} has kind {kind}, which this package does not know")


def _add(req: Request, member: str, m: Member, v: Any) -> None:
    if m.kind == "bytes":
        req.parts.append((member, part_bytes(member, member, v)))
    elif m.kind == "bytes[]":
        if isinstance(v, (str, bytes, bytearray, memoryview)) or not isinstance(v, (list, tuple)):
            raise TypeError(f"licverify: {member} must be a list of documents")
        for i, d in enumerate(v):
            req.parts.append((member, part_bytes(f"{member}[{i}]", member, d)))
    else:
        req.header.append((member, header_text(m.kind, member, v)))


def _omitted(m: Member, v: Any) -> bool:
    """Whether an optional member's value means "not given": None, and the
    Python defaults that mean the same as absence (False for a flag, no
    deltas, no lookups). Their type is checked first by the caller."""
    if v is None:
        return True
    if m.required:
        return False
    if m.kind == "bool":
        return v is False
    if m.kind in ("bytes[]", "strings"):
        return isinstance(v, (list, tuple)) and len(v) == 0
    return False


def build_request(op: str, document: Any, options: Mapping[str, Any]) -> Request:
    """The request of a typed call: the op's document (None for an op
    without one) and its other members by name; None leaves a member out."""
    spec = OPS.get(op)
    if spec is None:
        raise ValueError(f"licverify: no op {op!r}")
    req = Request(op)
    if spec.document is not None:
        if document is None:
            raise TypeError(f"licverify: {spec.document} is required")
        _add(req, spec.document, spec.members[spec.document], document)
    for name, v in options.items():
        m = spec.members.get(name)
        if m is None or name == spec.document:
            known = ", ".join(n for n in spec.members if n != spec.document) or "none"
            raise TypeError(f"licverify: {op} has no option {name!r} (options: {known})")
        if v is None:
            if m.required:
                raise TypeError(f"licverify: {name} is required")
            continue
        if m.kind in ("bytes[]", "strings") and not isinstance(v, (list, tuple)):
            raise TypeError(f"licverify: {name} must be a list")
        if m.kind == "bool" and not isinstance(v, bool):
            raise TypeError(f"licverify: {name} must be a bool, not {type(v).__name__}")
        if _omitted(m, v):
            continue
        _add(req, name, m, v)
    return req


def _utf8_order(item: Tuple[str, str]) -> bytes:
    # Go's api.Request sorts header members by name in byte order; the same
    # request then has the same header, and a message that points into it
    # the same offset, in every runtime.
    return item[0].encode("utf-8")


def encode_frame(
    op: str,
    header: Iterable[Tuple[str, str]] = (),
    parts: Sequence[Tuple[str, Union[bytes, bytearray, memoryview]]] = (),
) -> bytes:
    """Lays out a request frame: ``"op"``, then the header members (name,
    JSON text) sorted by name, then the parts (name, bytes) in order.
    Header texts are copied as given; nothing is checked but the frame's
    own bounds, so that the module judges the rest."""
    members = [f'"op":{json.dumps(op, ensure_ascii=False)}']
    for name, text in sorted(header, key=_utf8_order):
        members.append(f"{json.dumps(name, ensure_ascii=False)}:{text}")
    head = ("{" + ",".join(members) + "}").encode("utf-8", "surrogatepass")
    size = 8 + len(head)
    names: List[bytes] = []
    for name, data in parts:
        nb = name.encode("ascii")
        if not 1 <= len(nb) <= 64:
            raise ValueError(f"licverify: part name {name!r} is not 1 to 64 bytes")
        names.append(nb)
        size += 5 + len(nb) + memoryview(data).nbytes
    if size > MAX_REQUEST:
        # Refused before a buffer that size is made; the module would refuse it too.
        raise LicverifyError(f"licverify: bad request: request is {size} bytes, limit is {MAX_REQUEST}")
    pieces: List[Union[bytes, bytearray, memoryview]] = [MAGIC, _U32.pack(len(head)), head]
    for nb, (_, data) in zip(names, parts):
        pieces += [bytes((len(nb),)), nb, _U32.pack(memoryview(data).nbytes), data]
    return b"".join(pieces)


def frame_of(req: Request, extra: Iterable[Tuple[str, str]] = ()) -> bytes:
    """The frame of a built request, with extra header members (a loaded
    set's handle)."""
    return encode_frame(req.op, [*req.header, *extra], req.parts)


def oversized_response(size: int) -> Optional[bytes]:
    """The module's answer to a frame larger than any request (its alloc
    refuses a buffer that large, so the frame cannot be handed to it), the
    bad request native Go gives, so that every runtime answers the same; or
    None for a frame of an acceptable size."""
    if size <= MAX_REQUEST:
        return None
    msg = f"licverify: bad request: request is {size} bytes, limit is {MAX_REQUEST}"
    return json.dumps({"error": msg}, separators=(",", ":")).encode("utf-8")
