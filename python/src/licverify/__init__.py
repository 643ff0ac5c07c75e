"""licverify: offline verification of signed software licenses and license
status proofs (RFC 8785 canonical JSON + Ed25519), by the same WebAssembly
module that gives the same answer, byte for byte, in Go, Node, browsers and
here (under wasmtime).

    import licverify
    from datetime import datetime, timezone

    r = licverify.verify_status_proof(proof_bytes, keys=keyring_text, now=datetime.now(timezone.utc))
    if r.valid:
        print(r.license_id, r.status, "refresh after", r.refresh_after)
    else:
        print("rejected:", r.code, r.message)  # e.g. bad_signature

Every verification returns a result (``valid: False`` is an answer, not an
exception); only misuse and configuration raise: TypeError or ValueError
before the module is called, LicverifyError (a ValueError) for a request
the module refuses, and for a keyring that does not load (then its ``code``
is the problem's result code, such as ``"weak_key"``).

The module-level functions share one process-wide Verifier, safe for use
from many threads; create your own Verifier to choose its cache directory,
pool size or memory limit.

Session keeps a license's status proof and revocation set fresh in a
directory, offline first (docs/lifecycle.md): the module's ops plan and
accept decide what to fetch and what to keep; HTTPTransport fetches.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

from ._codes import CODES, Code
from ._epochs import EpochStore
from ._errors import LicverifyError, ModuleCrash
from ._frame import MAX_REQUEST, Document, encode_frame
from ._ops import ABI_VERSION
from ._quantummeta import QuantumMetaMachineID
from ._results import (
    AcceptResult,
    CanonicalizeResult,
    Due,
    FingerprintResult,
    LicensePolicy,
    LicenseResult,
    LookupResult,
    LookupsResult,
    PlanResult,
    QKeyResult,
    Result,
    RevocationSetResult,
    StatusProofResult,
)
from ._revocation import LoadedRevocationSet
from ._session import Action, EpochStoreLike, Policy, Session, SessionReport
from ._transport import HTTPTransport, Transport, TransportError
from ._verifier import ConfigInput, KeysInput, TimeInput, Verifier, default_verifier

__all__ = [
    "ABI_VERSION",
    "CODES",
    "MAX_REQUEST",
    "AcceptResult",
    "Action",
    "CanonicalizeResult",
    "Code",
    "ConfigInput",
    "Document",
    "Due",
    "EpochStore",
    "EpochStoreLike",
    "FingerprintResult",
    "HTTPTransport",
    "KeysInput",
    "LicensePolicy",
    "LicenseResult",
    "LicverifyError",
    "LoadedRevocationSet",
    "LookupResult",
    "LookupsResult",
    "ModuleCrash",
    "PlanResult",
    "Policy",
    "QKeyResult",
    "QuantumMetaMachineID",
    "Result",
    "RevocationSetResult",
    "Session",
    "SessionReport",
    "StatusProofResult",
    "TimeInput",
    "Transport",
    "TransportError",
    "Verifier",
    "accept",
    "call",
    "canonicalize",
    "collect_fingerprint",
    "collect_quantummeta_machine_id",
    "default_verifier",
    "encode_frame",
    "evaluate_license",
    "fingerprint_hash",
    "load_revocation_set",
    "plan",
    "verify_qkey",
    "verify_revocation_set",
    "verify_status_proof",
]

__version__ = "0.1.0"


def collect_fingerprint() -> Dict[str, str]:
    """This machine's fingerprint components for fingerprint_hash, read by
    the rules of docs/formats.md ("Fingerprint components"), which the Go
    package's and the npm package's collectors follow too, so that a
    license bound from one of them matches from Python: ``machine_id``,
    ``mac``, ``hostname``, ``cpu_model``, ``total_memory``, ``platform``,
    ``arch`` (Node's names); components that cannot be read are left out.
    A convenience: pass your own components instead."""
    # Imported on use: it needs modules (socket, uuid) a verifier does not.
    from ._fingerprint import collect_fingerprint as collect

    return collect()


def collect_quantummeta_machine_id() -> QuantumMetaMachineID:
    """The machine id QuantumMeta's get_machine_id() (quantummeta-license
    1.1.1) gives on this machine, for this user and environment: the id a
    .qkey is bound to, to pass as verify_qkey's ``machine_id``. It is asked
    for by name only: collect_fingerprint never includes it, and it is no
    part of any fingerprint hash.

    It is read from QuantumMeta's cache file (``machine_id.json`` in
    platformdirs' user cache directory "quantummeta", or
    ``quantummeta_machine_id.json`` in the temporary directory where that
    cannot be made), at most 4096 bytes, parsed as Python's json module
    parses it. Any process of the user can write that file, so the id is
    only as strong as the file. Where there is no cache it is computed as
    get_machine_id() computes it, on Linux only and only where every input
    is reproducible (running lsblk and uname -p, as it does). Otherwise
    the result has a ``reason`` and no id: never an id get_machine_id()
    would not give. Nothing is written. docs/formats.md ("QuantumMeta's
    machine id") has the rules, which the Go and Node collectors follow
    too."""
    from ._quantummeta import collect_quantummeta_machine_id as collect

    return collect()


def call(frame: bytes) -> str:
    """Sends a raw request frame and returns the module's response text
    unchanged (see Verifier.call)."""
    return default_verifier().call(frame)


def canonicalize(document: Document, *, limit: Optional[int] = None) -> CanonicalizeResult:
    """The RFC 8785 canonical form of a JSON document, after the strict
    I-JSON checks every signed document gets (``duplicate_key``,
    ``malformed_json``, ``input_too_large``)."""
    return default_verifier().canonicalize(document, limit=limit)


def fingerprint_hash(components: ConfigInput) -> FingerprintResult:
    """Hashes fingerprint components (a dict, or its JSON text or bytes):
    ``binding_hash`` and ``machine_id``. See collect_fingerprint."""
    return default_verifier().fingerprint_hash(components)


def verify_status_proof(
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
    ``{"proof": ...}`` wrapper, or the compact base64 form.

    ``keys`` come from your configuration, ``now`` from a clock you trust;
    pass the stored anti-rollback epoch as ``min_epoch`` and store
    ``store_epoch`` after a valid result (EpochStore)."""
    return default_verifier().verify_status_proof(
        proof,
        keys=keys,
        now=now,
        license_id=license_id,
        fingerprint=fingerprint,
        min_epoch=min_epoch,
        max_ttl_seconds=max_ttl_seconds,
        skew_seconds=skew_seconds,
        limit=limit,
    )


def verify_revocation_set(
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
    4,096), and looks the ``lookup`` license ids up in the result (at most
    65,536)."""
    return default_verifier().verify_revocation_set(
        set,
        keys=keys,
        now=now,
        deltas=deltas,
        min_epoch=min_epoch,
        allow_stale=allow_stale,
        lookup=lookup,
        skew_seconds=skew_seconds,
        limit=limit,
    )


def load_revocation_set(
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
) -> LoadedRevocationSet:
    """Verifies a revocation set as verify_revocation_set does and, when it
    is valid, keeps it in the module for O(1) lookups::

        with licverify.load_revocation_set(data, keys=keys, now=now) as rs:
            if not rs.result.valid:
                raise SystemExit(rs.result.code)
            rs.lookup(["LIC-1"], now).lookups[0].status  # revoked | suspended | not_revoked
    """
    return default_verifier().load_revocation_set(
        set,
        keys=keys,
        now=now,
        deltas=deltas,
        min_epoch=min_epoch,
        allow_stale=allow_stale,
        lookup=lookup,
        skew_seconds=skew_seconds,
        limit=limit,
    )


def evaluate_license(
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
    license.state.json: ``decision`` (run / warn / block), every reason,
    and the new ``state`` to write atomically.

    ``server_time`` is the time the vendor's server reported in a
    successful online check just made: it records the check and restarts
    the clock guard (the way back from ``clock_rollback``)."""
    return default_verifier().evaluate_license(
        license,
        keys=keys,
        now=now,
        product_id=product_id,
        fingerprint_hash=fingerprint_hash,
        state=state,
        release_date=release_date,
        server_time=server_time,
    )


def verify_qkey(
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
    """Decrypts and verifies a QuantumMeta .qkey license (pass the file's
    bytes); the result has ``has(feature)``."""
    return default_verifier().verify_qkey(
        data,
        keys=keys,
        now=now,
        password=password,
        package=package,
        machine_id=machine_id,
        allow_unsigned=allow_unsigned,
        limit=limit,
    )


def plan(
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
    """What holds for the cached proof and revocation chain, and what to
    fetch when (docs/lifecycle.md, "plan"); see Verifier.plan. A Session
    calls it for you."""
    return default_verifier().plan(
        keys=keys,
        now=now,
        proof=proof,
        set=set,
        deltas=deltas,
        license_id=license_id,
        fingerprint=fingerprint,
        max_ttl_seconds=max_ttl_seconds,
        skew_seconds=skew_seconds,
        min_epoch=min_epoch,
        synced_at=synced_at,
        proof_failures=proof_failures,
        proof_failed_at=proof_failed_at,
        set_failures=set_failures,
        set_failed_at=set_failed_at,
        refresh_percent=refresh_percent,
        sync_interval_seconds=sync_interval_seconds,
        backoff_seconds=backoff_seconds,
        backoff_max_seconds=backoff_max_seconds,
        max_deltas=max_deltas,
    )


def accept(
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
    """Whether a fetched document (``kind`` ``"proof"`` or
    ``"revocation"``) replaces the cached one (docs/lifecycle.md,
    "accept"); see Verifier.accept. A Session calls it for you."""
    return default_verifier().accept(
        fetched,
        kind=kind,
        keys=keys,
        now=now,
        proof=proof,
        set=set,
        deltas=deltas,
        license_id=license_id,
        fingerprint=fingerprint,
        min_epoch=min_epoch,
        max_ttl_seconds=max_ttl_seconds,
        skew_seconds=skew_seconds,
        max_deltas=max_deltas,
    )
