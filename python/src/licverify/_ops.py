"""The module's table of ops (internal/api/ops.json), shipped with the
package as ops.json: every op, every member, where it travels and its kind.
The request builder is driven by it, and the tests fail when the copy here
differs from the repository's table or the API lacks an op or member."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Dict, Mapping, Optional

PART_KINDS = frozenset({"bytes", "bytes[]"})


@dataclass(frozen=True)
class Member:
    kind: str
    required: bool = False

    @property
    def is_part(self) -> bool:
        return self.kind in PART_KINDS


@dataclass(frozen=True)
class Op:
    name: str
    document: Optional[str]
    members: Mapping[str, Member]


def _load() -> tuple[int, Dict[str, Op]]:
    raw: Any = json.loads(resources.files(__package__).joinpath("ops.json").read_text("utf-8"))
    ops: Dict[str, Op] = {}
    for name, spec in raw["ops"].items():
        members = {
            m: Member(kind=str(v["kind"]), required=bool(v.get("required", False)))
            for m, v in spec["members"].items()
        }
        ops[name] = Op(name=name, document=spec.get("document"), members=members)
    return int(raw["abi_version"]), ops


ABI_VERSION, OPS = _load()
