"""Typed results: the module's JSON result as dataclasses with the same
member names. ``valid`` is true exactly when ``code`` is ``"ok"``; claims
are present (not None) only once the document's signature has verified.
Times are aware datetimes in UTC (to the microsecond: ``to_dict()`` keeps
the module's exact text, nanoseconds included; a time in year 0000, which a
datetime cannot hold, is None here and exact there)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Dict, List, Optional, Type, TypeVar

from ._codes import Code

_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})\Z"
)


def parse_time(s: str) -> Optional[datetime]:
    """An RFC 3339 time of a result as an aware datetime in UTC, or None
    when datetime cannot hold it (year 0000)."""
    m = _TIME.match(s)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    micro = int((m.group(7) or "").ljust(6, "0")[:6])
    zone = m.group(8)
    try:
        t = datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc)
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            t -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    except (ValueError, OverflowError):
        return None
    return t


T = TypeVar("T", bound="Result")


@dataclass(frozen=True, kw_only=True)
class Result:
    """What every result has."""

    valid: bool
    #: A result code of docs/formats.md (``CODES``): stable, for programs.
    code: Code
    #: A sentence for people; its wording may change, ``code`` does not.
    message: str
    _raw: Dict[str, Any] = field(repr=False, compare=False)

    #: Members read as times.
    _times: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> Dict[str, Any]:
        """The module's result exactly as parsed from its JSON (a copy)."""
        return copy.deepcopy(self._raw)

    @classmethod
    def from_dict(cls: Type[T], raw: Dict[str, Any]) -> T:
        """Builds the typed result from a parsed module result."""
        values: Dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "_raw" or f.name not in raw:
                continue
            v = raw[f.name]
            if f.name in cls._times and isinstance(v, str):
                v = parse_time(v)
            else:
                v = cls._convert(f.name, copy.deepcopy(v))
            values[f.name] = v
        return cls(_raw=raw, **values)

    @classmethod
    def _convert(cls, name: str, v: Any) -> Any:
        return v


@dataclass(frozen=True, kw_only=True)
class CanonicalizeResult(Result):
    #: The RFC 8785 canonical form; present when valid.
    canonical: Optional[str] = None


@dataclass(frozen=True, kw_only=True)
class FingerprintResult(Result):
    #: ``"sha256:" + hex(SHA-256(JCS(components)))``: a proof's binding_hash, a license's fingerprint_hash.
    binding_hash: Optional[str] = None
    #: The first 32 hex digits of the same digest: a .qkey machine_id.
    machine_id: Optional[str] = None


@dataclass(frozen=True, kw_only=True)
class StatusProofResult(Result):
    license_id: Optional[str] = None
    #: "valid", "revoked", "expired" or "grace_period".
    status: Optional[str] = None
    checked_at: Optional[datetime] = None
    valid_until: Optional[datetime] = None
    epoch: Optional[int] = None
    entitlements: Optional[List[str]] = None
    #: The kid of the key that verified the proof.
    kid: Optional[str] = None
    #: The signed form the signature is over: "rfc8785" or "python"
    #: (docs/formats.md "Signed forms").
    signed_form: Optional[str] = None
    #: Whether the proof is bound to a device.
    bound: Optional[bool] = None
    #: checked_at + 75 % of the TTL: when to fetch a fresh proof.
    refresh_after: Optional[datetime] = None
    #: True for a proof in its grace period (still valid).
    grace: Optional[bool] = None
    #: The epoch to store as the new anti-rollback epoch (EpochStore.raise_to).
    store_epoch: Optional[int] = None

    _times = frozenset({"checked_at", "valid_until", "refresh_after"})


@dataclass(frozen=True)
class LookupResult:
    """The status of one license id in a revocation set."""

    license_id: str
    #: "revoked", "suspended" or "not_revoked".
    status: str
    #: The end of a suspension.
    until: Optional[datetime] = None

    @classmethod
    def from_dict(cls, raw: Dict[str, Any]) -> "LookupResult":
        until = raw.get("until")
        return cls(
            license_id=raw["license_id"],
            status=raw["status"],
            until=parse_time(until) if isinstance(until, str) else None,
        )


def _lookups(v: Any) -> Any:
    if isinstance(v, list):
        return [LookupResult.from_dict(x) for x in v]
    return v


@dataclass(frozen=True, kw_only=True)
class RevocationSetResult(Result):
    epoch: Optional[int] = None
    issued_at: Optional[datetime] = None
    valid_until: Optional[datetime] = None
    kid: Optional[str] = None
    #: The signed form of the last document applied (the set, or a chain's
    #: last delta): "rfc8785" or "python".
    signed_form: Optional[str] = None
    revoked_count: Optional[int] = None
    suspended_count: Optional[int] = None
    #: Accepted past valid_until because ``allow_stale`` was set.
    stale: Optional[bool] = None
    #: The epoch to store as the new anti-rollback epoch.
    store_epoch: Optional[int] = None
    #: The answers for ``lookup``, in order.
    lookups: Optional[List[LookupResult]] = None

    _times = frozenset({"issued_at", "valid_until"})

    @classmethod
    def _convert(cls, name: str, v: Any) -> Any:
        return _lookups(v) if name == "lookups" else v


@dataclass(frozen=True, kw_only=True)
class LookupsResult(Result):
    """The answer of LoadedRevocationSet.lookup."""

    #: The set's epoch (after any deltas applied).
    epoch: Optional[int] = None
    #: Past valid_until, accepted because the set was loaded with allow_stale.
    stale: Optional[bool] = None
    #: One entry per id asked for, in order.
    lookups: Optional[List[LookupResult]] = None

    @classmethod
    def _convert(cls, name: str, v: Any) -> Any:
        return _lookups(v) if name == "lookups" else v


@dataclass(frozen=True)
class LicensePolicy:
    check_interval_days: int
    warn_after_days: int
    max_offline_days: int
    max_transfers: int


@dataclass(frozen=True, kw_only=True)
class LicenseResult(Result):
    """An evaluated license.key: ``decision`` and ``reasons`` are always
    present, also for a license refused before its evaluation ("block" and
    ``[code]``); ``valid`` is true for "run" and "warn"."""

    #: "run", "warn" or "block".
    decision: str
    #: Everything that applies: blocking codes first, then warnings, then notices.
    reasons: List[str]
    license_id: Optional[str] = None
    product_id: Optional[str] = None
    customer_id: Optional[str] = None
    customer_name: Optional[str] = None
    plan: Optional[str] = None
    status: Optional[str] = None
    issued_at: Optional[datetime] = None
    expires_at: Optional[datetime] = None
    updates_until: Optional[datetime] = None
    trial_days: Optional[int] = None
    trial_ends_at: Optional[datetime] = None
    bound: Optional[bool] = None
    fingerprint_hash: Optional[str] = None
    #: The signed form the signature is over: "rfc8785" or "python"
    #: (docs/formats.md "Signed forms").
    signed_form: Optional[str] = None
    policy: Optional[LicensePolicy] = None
    #: max(now, the state's last_seen_time): every decision is taken at this time.
    trusted_time: Optional[datetime] = None
    days_to_expiry: Optional[int] = None
    days_offline: Optional[int] = None
    check_due: Optional[bool] = None
    #: Whether updates cover ``release_date`` (when it was given).
    update_allowed: Optional[bool] = None
    #: The new license.state.json to write (atomically), as parsed JSON.
    state: Optional[Dict[str, Any]] = None

    _times = frozenset({"issued_at", "expires_at", "updates_until", "trial_ends_at", "trusted_time"})

    @classmethod
    def _convert(cls, name: str, v: Any) -> Any:
        if name == "policy" and isinstance(v, dict):
            return LicensePolicy(**v)
        return v

    def state_bytes(self) -> Optional[bytes]:
        """The new license.state.json as UTF-8 JSON text, to write
        atomically and pass back as ``state`` next time; None when the
        evaluation produced no state."""
        if self.state is None:
            return None
        return (json.dumps(self.state, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True, kw_only=True)
class QKeyResult(Result):
    package: Optional[str] = None
    user: Optional[str] = None
    machine_id: Optional[str] = None
    #: Lower-cased, without duplicates, sorted.
    features: Optional[List[str]] = None
    issued: Optional[datetime] = None
    expires: Optional[datetime] = None
    days_left: Optional[int] = None
    #: False only for an unsigned license accepted with allow_unsigned.
    signed: Optional[bool] = None
    #: The signed form the signature is over: "rfc8785" or "python"
    #: (docs/formats.md "Signed forms"); None when unsigned.
    signed_form: Optional[str] = None

    _times = frozenset({"issued", "expires"})

    def has(self, feature: str) -> bool:
        """Whether the license is valid and grants ``feature``, compared
        case-insensitively in ASCII only, as Go's QKeyResult.Has (the module
        lower-cases features that way)."""
        if not self.valid or not isinstance(feature, str) or not self.features:
            return False
        return feature.translate(_ASCII_LOWER) in self.features


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Due:
    """When to fetch a document, from ``plan`` (docs/lifecycle.md): ``at``
    at or before ``now`` means now."""

    at: Optional[datetime]
    #: Why: for a proof ``missing``, ``rejected``, ``behind``,
    #: ``refresh_point`` or ``backoff``; for the set ``missing``,
    #: ``rejected``, ``deltas``, ``behind``, ``expired``, ``interval`` or
    #: ``backoff``.
    reason: str
    #: For the set: the chain's epoch when a delta will do (fetch with
    #: ``since_epoch``); None when a full set is needed.
    since_epoch: Optional[int] = None

    @classmethod
    def from_dict(cls, raw: Dict[str, Any]) -> "Due":
        at = raw.get("at")
        since = raw.get("since_epoch")
        return cls(
            at=parse_time(at) if isinstance(at, str) else None,
            reason=str(raw.get("reason", "")),
            since_epoch=since if isinstance(since, int) and not isinstance(since, bool) else None,
        )


@dataclass(frozen=True, kw_only=True)
class PlanResult(Result):
    """What ``plan`` answers: the verdict on what is cached (``valid``,
    ``code``: ``proof_missing``, the proof's code when it is not ``ok``,
    ``revoked`` or ``suspended`` from the cached set, else ``ok``), the
    results it is drawn from, and what to fetch when."""

    #: The cached proof's result, as verify_status_proof gives it; None when no proof was given.
    proof: Optional[StatusProofResult] = None
    #: The cached chain's result, as verify_revocation_set gives it (with the
    #: lookup of the proof's license id); None when no set was given.
    set: Optional[RevocationSetResult] = None
    #: The epoch to raise the stored anti-rollback epoch to.
    store_epoch: Optional[int] = None
    #: When to fetch a status proof, and why.
    refresh_proof: Optional[Due] = None
    #: When to sync the revocation set, and why (``since_epoch`` for a delta).
    sync_set: Optional[Due] = None
    #: The earlier of the two ``at``s.
    next_at: Optional[datetime] = None

    _times = frozenset({"next_at"})

    @classmethod
    def _convert(cls, name: str, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        if name == "proof":
            return StatusProofResult.from_dict(v)
        if name == "set":
            return RevocationSetResult.from_dict(v)
        if name in ("refresh_proof", "sync_set"):
            return Due.from_dict(v)
        return v


@dataclass(frozen=True, kw_only=True)
class AcceptResult(Result):
    """What ``accept`` answers: whether the fetched document replaces the
    cached one (``accept``), how to store it (``persist``), the epoch to
    store after it, and the verdict on the fetched document (``valid``,
    ``code``: ``not_newer`` when it is older than the cached one) with its
    full verification ``result``."""

    #: Whether to keep the fetched document.
    accept: bool = False
    #: ``"proof"`` (replace proof.json), ``"set"`` (replace the base and drop
    #: the deltas) or ``"delta"`` (append it); None when not accepted.
    persist: Optional[str] = None
    #: The epoch to raise the stored epoch to, after persisting.
    store_epoch: Optional[int] = None
    #: The fetched document's verification: a StatusProofResult for a
    #: proof, a RevocationSetResult for a set or a delta.
    result: Optional[Result] = None

    @classmethod
    def _convert(cls, name: str, v: Any) -> Any:
        if name == "result" and isinstance(v, dict):
            return Result.from_dict(v)
        return v

    @classmethod
    def of_kind(cls, raw: Dict[str, Any], kind: str) -> "AcceptResult":
        """The typed answer of ``accept`` for a fetched document of the
        kind: its ``result`` a StatusProofResult for ``"proof"``, else a
        RevocationSetResult."""
        out = cls.from_dict(raw)
        inner = raw.get("result")
        if isinstance(inner, dict):
            typed = StatusProofResult.from_dict(inner) if kind == "proof" else RevocationSetResult.from_dict(inner)
            out = replace(out, result=typed)
        return out
