"""The Verifier: a pool of module instances behind the typed API. Every
method builds a request frame, sends it to an instance no other thread is
using, and returns the typed result. A verification that fails is a result
(``valid`` is False); only misuse and a keyring that does not load raise."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Union, cast

from ._codes import Code
from ._errors import LicverifyError, ModuleCrash
from ._frame import Document, build_request, frame_of, oversized_response
from ._results import (
    AcceptResult,
    CanonicalizeResult,
    FingerprintResult,
    LicenseResult,
    PlanResult,
    QKeyResult,
    RevocationSetResult,
    StatusProofResult,
)
from ._runtime import (
    DEFAULT_MEMORY_LIMIT,
    RECYCLE_MEMORY,
    AllocFailed,
    Instance,
    bundled_wasm,
    default_cache_dir,
    tiered_module,
)

if TYPE_CHECKING:
    from ._revocation import LoadedRevocationSet

#: A time: an aware datetime, or an RFC 3339 str sent as it is.
TimeInput = Union[datetime, str]
#: The keyring: its text or bytes (a JSON array, a JWKS, PEM public keys),
#: or its parsed value (a list or dict), sent as its JSON text.
KeysInput = Union[Document, Sequence[Mapping[str, Any]], Mapping[str, Any]]
#: Fingerprint components or a license state: text, bytes or a dict.
ConfigInput = Union[Document, Mapping[str, Any]]

_INTERNAL = b'{"error":"internal: '


class Verifier:
    """Runs the licverify module. Safe for use from many threads: each call
    borrows an instance of the module that no other thread is using, from a
    pool of at most ``max_instances`` (default: the number of CPUs); further
    callers wait. An instance that crashes (a trap, an exit, an internal
    error) is discarded and the call tried once more on a fresh one; a
    request that crashes a fresh instance too raises ModuleCrash.

    ``cache_dir`` is where compiled code is kept between processes (default:
    $LICVERIFY_CACHE_DIR, else the user cache directory's licverify/
    wasmtime); ``disk_cache=False`` keeps it in memory only. ``memory_limit``
    bounds each instance's linear memory in bytes (default 2 GiB, enough for
    a 64 MiB revocation set); an instance whose memory grew past 64 MiB is
    dropped rather than pooled, since wasm memory never shrinks.
    ``wasm`` replaces the bundled module."""

    def __init__(
        self,
        *,
        max_instances: Optional[int] = None,
        cache_dir: Union[str, "os.PathLike[str]", None] = None,
        disk_cache: bool = True,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        wasm: Optional[bytes] = None,
    ) -> None:
        if max_instances is None:
            max_instances = os.cpu_count() or 1
        if isinstance(max_instances, bool) or not isinstance(max_instances, int) or max_instances < 1:
            raise ValueError("licverify: max_instances must be a positive int")
        if isinstance(memory_limit, bool) or not isinstance(memory_limit, int) or not 65536 <= memory_limit <= 4 << 30:
            raise ValueError("licverify: memory_limit must be between 64 KiB and 4 GiB")
        directory: Optional[Path] = None
        if disk_cache:
            directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._code, self.load_info = tiered_module(wasm if wasm is not None else bundled_wasm(), directory)
        self._memory_limit = memory_limit
        self._slots = threading.BoundedSemaphore(max_instances)
        self._lock = threading.Lock()
        self._idle: List[Instance] = []
        self._closed = False
        #: Counts instances made: it changes each time a crashed one is replaced.
        self.instances_created = 0
        #: Tests set this to see every frame the typed methods send.
        self._sent: Optional[Callable[[bytes], None]] = None

    # -- the pool ---------------------------------------------------------------

    def _new_instance(self) -> Instance:
        code = self._code.current()
        inst = Instance(code.module, self._memory_limit, code.engine)
        with self._lock:
            self.instances_created += 1
        return inst

    def _get(self) -> Instance:
        self._slots.acquire()
        with self._lock:
            if self._closed:
                self._slots.release()
                raise LicverifyError("licverify: the verifier is closed")
            while self._idle:
                inst = self._idle.pop()
                if self._code.is_current(inst.module):
                    return inst
        try:
            return self._new_instance()
        except BaseException:
            self._slots.release()
            raise

    def _put(self, inst: Instance, healthy: bool) -> None:
        # An instance that failed may hold broken state: never reused. One
        # that grew large is dropped too, to give its memory back; one of
        # an older tier too, once better code is ready (_runtime.Tiered).
        keep = healthy and not inst.broken and inst.memory_size() <= RECYCLE_MEMORY
        keep = keep and self._code.is_current(inst.module)
        with self._lock:
            if keep and not self._closed:
                self._idle.append(inst)
        self._slots.release()
        self._code.answered()

    def _exchange(self, frame: bytes) -> bytes:
        """Sends a frame to a pooled instance and returns the response,
        replacing the instance and trying once more when it crashes, cannot
        allocate the request, or reports an internal error, so that a fault
        left by an earlier call never surfaces; a fault the request itself
        causes raises ModuleCrash."""
        oversized = oversized_response(len(frame))
        if oversized is not None:
            return oversized
        for attempt in range(2):
            inst = self._get()
            try:
                resp = inst.call(frame)
            except (ModuleCrash, AllocFailed) as e:
                self._put(inst, healthy=False)
                if attempt == 0:
                    continue
                if isinstance(e, AllocFailed):
                    raise ModuleCrash(f"{e} within its memory limit") from e
                raise
            except BaseException:
                self._put(inst, healthy=False)
                raise
            if resp.startswith(_INTERNAL):
                self._put(inst, healthy=False)
                if attempt == 0:
                    continue
                raise ModuleCrash(f"licverify: {_error_text(resp)}")
            self._put(inst, healthy=True)
            return resp
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Releases the idle instances; later calls raise LicverifyError.
        Loaded revocation sets keep working until closed themselves."""
        with self._lock:
            self._closed = True
            self._idle.clear()

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw and typed calls ----------------------------------------------------

    def call(self, frame: Union[bytes, bytearray, memoryview]) -> str:
        """Sends a raw request frame (wasm/ABI.md: "LVR2", the header
        length, the JSON header, the parts) as it is, and returns the
        module's response text unchanged: a result, or
        ``{"error":"licverify: bad request: ..."}``. Build frames with
        ``encode_frame``. For test runners and tools."""
        if not isinstance(frame, (bytes, bytearray, memoryview)):
            raise TypeError("licverify: call takes a request frame as bytes")
        return self._exchange(bytes(frame)).decode("utf-8")

    def _send(self, frame: bytes) -> Dict[str, Any]:
        if self._sent is not None:
            self._sent(frame)
        return parse_result(self._exchange(frame))

    def _op(self, op: str, document: Any, options: Mapping[str, Any]) -> Dict[str, Any]:
        return self._send(frame_of(build_request(op, document, options)))

    def canonicalize(self, document: Document, *, limit: Optional[int] = None) -> CanonicalizeResult:
        """The RFC 8785 canonical form of a JSON document, after the strict
        I-JSON checks every signed document gets."""
        return CanonicalizeResult.from_dict(self._op("canonicalize", document, {"limit": limit}))

    def fingerprint_hash(self, components: ConfigInput) -> FingerprintResult:
        """Hashes fingerprint components (a dict, or its JSON text or
        bytes) as every runtime does: ``binding_hash`` and ``machine_id``."""
        return FingerprintResult.from_dict(self._op("fingerprint", components, {}))

    def verify_status_proof(
        self,
        proof: Document,
        *,
        keys: KeysInput,
        now: TimeInput,
        license_id: Optional[str] = None,
        fingerprint: Optional[ConfigInput] = None,
        min_epoch: Optional[int] = None,
        max_ttl_seconds: Optional[int] = None,
        skew_seconds: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> StatusProofResult:
        """Verifies a status proof offline: the proof object, the API's
        ``{"proof": ...}`` wrapper, or the compact base64 form."""
        raw = self._op(
            "status_proof",
            proof,
            {
                "keys": keys,
                "now": now,
                "license_id": license_id,
                "fingerprint": fingerprint,
                "min_epoch": min_epoch,
                "max_ttl_seconds": max_ttl_seconds,
                "skew_seconds": skew_seconds,
                "limit": limit,
            },
        )
        return StatusProofResult.from_dict(raw)

    def verify_revocation_set(
        self,
        set: Document,
        *,
        keys: KeysInput,
        now: TimeInput,
        deltas: Sequence[Document] = (),
        min_epoch: Optional[int] = None,
        allow_stale: bool = False,
        lookup: Sequence[str] = (),
        skew_seconds: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> RevocationSetResult:
        """Verifies a revocation set, applies its deltas in order (at most
        4,096; ``delta_base_mismatch`` when one does not follow on), and
        looks the ``lookup`` license ids up in the result (at most
        65,536)."""
        options = _revocation_options(keys, now, deltas, min_epoch, allow_stale, lookup, skew_seconds, limit)
        return RevocationSetResult.from_dict(self._op("revocation_set", set, options))

    def load_revocation_set(
        self,
        set: Document,
        *,
        keys: KeysInput,
        now: TimeInput,
        deltas: Sequence[Document] = (),
        min_epoch: Optional[int] = None,
        allow_stale: bool = False,
        lookup: Sequence[str] = (),
        skew_seconds: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> "LoadedRevocationSet":
        """Verifies a set (and deltas) as verify_revocation_set does and,
        when it is valid, keeps it inside a module instance of its own for
        O(1) lookups that never send or verify it again. Check
        ``.result.valid``: a set that did not verify holds nothing, and its
        lookup and apply_deltas raise. Close it when done (or use it in a
        ``with`` block).

        Rollback and freshness are decided where a chain ends: a base set
        below the stored epoch whose deltas reach it is valid. Load the
        base with its deltas in one call, or on its own terms (no
        ``min_epoch``, ``allow_stale=True``) and then ``apply_deltas`` with
        the stored epoch, and look ids up only once that apply is valid
        (until then the set is the base, unchecked against the epoch)."""
        from ._revocation import LoadedRevocationSet

        options = _revocation_options(keys, now, deltas, min_epoch, allow_stale, lookup, skew_seconds, limit)
        return LoadedRevocationSet(self, build_request("revocation_load", set, options))

    def evaluate_license(
        self,
        license: Document,
        *,
        keys: KeysInput,
        now: TimeInput,
        product_id: str,
        fingerprint_hash: Optional[str] = None,
        state: Optional[ConfigInput] = None,
        release_date: Optional[TimeInput] = None,
        server_time: Optional[TimeInput] = None,
    ) -> LicenseResult:
        """Evaluates a Licensing Engine license.key with the previous
        license.state.json: run, warn or block, with every reason, and the
        new state to write.

        ``server_time`` (an aware datetime or an RFC 3339 str, as
        ``release_date``) is the time the vendor's server reported in a
        successful online check just made over your authenticated channel:
        it is recorded as the last check and restarts the clock guard, the
        way back from a clock that once ran ahead (a block with code
        ``clock_rollback``). Pass it only right after such a check."""
        raw = self._op(
            "license",
            license,
            {
                "keys": keys,
                "now": now,
                "product_id": product_id,
                "fingerprint_hash": fingerprint_hash,
                "state": state,
                "release_date": release_date,
                "server_time": server_time,
            },
        )
        return LicenseResult.from_dict(raw)

    def verify_qkey(
        self,
        data: Document,
        *,
        keys: KeysInput,
        now: TimeInput,
        password: Optional[str] = None,
        package: Optional[str] = None,
        machine_id: Optional[str] = None,
        allow_unsigned: bool = False,
        limit: Optional[int] = None,
    ) -> QKeyResult:
        """Decrypts and verifies a QuantumMeta .qkey license: the file's
        bytes (encrypted or plain JSON). An encrypted file read as text has
        lost bytes and will not verify: pass bytes."""
        raw = self._op(
            "qkey",
            data,
            {
                "keys": keys,
                "now": now,
                "password": password,
                "package": package,
                "machine_id": machine_id,
                "allow_unsigned": allow_unsigned,
                "limit": limit,
            },
        )
        return QKeyResult.from_dict(raw)


    def plan(
        self,
        *,
        keys: KeysInput,
        now: TimeInput,
        proof: Optional[Document] = None,
        set: Optional[Document] = None,
        deltas: Sequence[Document] = (),
        license_id: Optional[str] = None,
        fingerprint: Optional[ConfigInput] = None,
        max_ttl_seconds: Optional[int] = None,
        skew_seconds: Optional[int] = None,
        min_epoch: Optional[int] = None,
        synced_at: Optional[TimeInput] = None,
        proof_failures: Optional[int] = None,
        proof_failed_at: Optional[TimeInput] = None,
        set_failures: Optional[int] = None,
        set_failed_at: Optional[TimeInput] = None,
        refresh_percent: Optional[int] = None,
        sync_interval_seconds: Optional[int] = None,
        backoff_seconds: Optional[int] = None,
        backoff_max_seconds: Optional[int] = None,
        max_deltas: Optional[int] = None,
    ) -> PlanResult:
        """What holds now for what is cached, and what to fetch when
        (docs/lifecycle.md, "plan"): the cached ``proof`` (any of its three
        forms), the cached base ``set`` and its ``deltas`` in order, the
        stored ``min_epoch``, when the set was last synced and the failed
        fetches so far; the policy members default to the module's (75 %,
        300 s, 30 s doubling up to 3600 s, 256 deltas). Pure: nothing is
        remembered between calls. A Session calls it for you."""
        raw = self._op(
            "plan",
            None,
            {
                "keys": keys,
                "now": now,
                "proof": proof,
                "set": set,
                "deltas": deltas,
                "license_id": license_id,
                "fingerprint": fingerprint,
                "max_ttl_seconds": max_ttl_seconds,
                "skew_seconds": skew_seconds,
                "min_epoch": min_epoch,
                "synced_at": synced_at,
                "proof_failures": proof_failures,
                "proof_failed_at": proof_failed_at,
                "set_failures": set_failures,
                "set_failed_at": set_failed_at,
                "refresh_percent": refresh_percent,
                "sync_interval_seconds": sync_interval_seconds,
                "backoff_seconds": backoff_seconds,
                "backoff_max_seconds": backoff_max_seconds,
                "max_deltas": max_deltas,
            },
        )
        return PlanResult.from_dict(raw)

    def accept(
        self,
        fetched: Document,
        *,
        kind: str,
        keys: KeysInput,
        now: TimeInput,
        proof: Optional[Document] = None,
        set: Optional[Document] = None,
        deltas: Sequence[Document] = (),
        license_id: Optional[str] = None,
        fingerprint: Optional[ConfigInput] = None,
        min_epoch: Optional[int] = None,
        max_ttl_seconds: Optional[int] = None,
        skew_seconds: Optional[int] = None,
        max_deltas: Optional[int] = None,
    ) -> AcceptResult:
        """Whether a ``fetched`` document of the ``kind`` (``"proof"`` or
        ``"revocation"``: a delta when it has a ``since_epoch`` member,
        else a full set) replaces the cached one given as ``plan`` takes
        it (docs/lifecycle.md, "accept"): ``accept``, ``persist``
        (``proof``, ``set`` or ``delta``), the ``store_epoch`` to store
        after persisting, and ``code`` (``not_newer`` for a document older
        than the cached one). Pure. A Session calls it for you."""
        raw = self._op(
            "accept",
            fetched,
            {
                "kind": kind,
                "keys": keys,
                "now": now,
                "proof": proof,
                "set": set,
                "deltas": deltas,
                "license_id": license_id,
                "fingerprint": fingerprint,
                "min_epoch": min_epoch,
                "max_ttl_seconds": max_ttl_seconds,
                "skew_seconds": skew_seconds,
                "max_deltas": max_deltas,
            },
        )
        return AcceptResult.of_kind(raw, kind)

def _revocation_options(
    keys: Any,
    now: Any,
    deltas: Any,
    min_epoch: Any,
    allow_stale: Any,
    lookup: Any,
    skew_seconds: Any,
    limit: Any,
) -> Dict[str, Any]:
    return {
        "keys": keys,
        "now": now,
        "deltas": deltas,
        "min_epoch": min_epoch,
        "allow_stale": allow_stale,
        "lookup": lookup,
        "skew_seconds": skew_seconds,
        "limit": limit,
    }


def _error_text(resp: bytes) -> str:
    try:
        v = json.loads(resp)
        if isinstance(v, dict) and isinstance(v.get("error"), str):
            return str(v["error"])
    except ValueError:
        pass
    return resp.decode("utf-8", "replace")


def parse_result(resp: bytes) -> Dict[str, Any]:
    """A response's result object. A bad request raises LicverifyError; so
    does a keyring that does not load, with ``code`` the problem's result
    code (the module's ``{"error": "licverify: keyring: ...", "code": ...}``)."""
    try:
        out = json.loads(resp)
    except ValueError as e:
        raise ModuleCrash(f"licverify: the module answered something that is not JSON: {resp[:200]!r}") from e
    if not isinstance(out, dict) or not isinstance(out.get("valid"), bool):
        code = out.get("code") if isinstance(out, dict) and isinstance(out.get("error"), str) else None
        # A code the module answered is passed on as it is, even one newer
        # than this package's list of codes.
        raise LicverifyError(_error_text(resp), cast(Code, code) if isinstance(code, str) else None)
    return out


_default_lock = threading.Lock()
_default: Optional[Verifier] = None


def default_verifier() -> Verifier:
    """The process-wide Verifier the module-level functions use, created on
    first use (which compiles the module, or loads it from the cache)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Verifier()
        return _default

