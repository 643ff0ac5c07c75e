"""The offline-first session (docs/lifecycle.md, "The sessions"): it keeps
the last accepted status proof and revocation chain in a directory, asks the
module's ``plan`` what holds and what to fetch, fetches it, asks ``accept``
whether the fetched document replaces the cached one, and stores what that
says. Every decision is the module's: the session reads, writes, fetches and
keeps time."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, List, Literal, Mapping, Optional, Protocol, Tuple, Union

from ._codes import Code
from ._epochs import EpochStore
from ._results import Due, PlanResult, StatusProofResult
from ._store import MAX_FAILURES, MAX_PROOF, MAX_SET, SET, Cache, DirectoryStore, State, StoreLock
from ._transport import Transport
from ._verifier import KeysInput, Verifier, default_verifier

#: The epoch store's namespace of a session's epoch (one epoch guards the
#: proof and the revocation chain alike, as ``plan`` takes one).
EPOCH_NAMESPACE = "lifecycle"

# The background refresh waits at least MIN_WAIT seconds between checks (a
# plan that says "now" again waits that long), and at most MAX_WAIT (so that
# a wall clock that jumped, or a machine that slept, is noticed).
MIN_WAIT = 1.0
MAX_WAIT = 900.0
#: The wait after a check that raised.
ERROR_WAIT = 60.0


class EpochStoreLike(Protocol):
    """Where the anti-rollback epoch lives: EpochStore (the default, a
    file), or any object with the same two methods."""

    def get(self, namespace: str) -> int:
        """The stored epoch, 0 when none; raises when the store is damaged."""
        ...

    def raise_to(self, namespace: str, epoch: int) -> int:
        """Stores ``epoch`` when it is higher; returns the stored epoch."""
        ...


@dataclass(frozen=True)
class Policy:
    """The plan's policy (docs/lifecycle.md, "plan"); None leaves the
    module's default: ``refresh_percent`` 75, ``sync_interval_seconds``
    300, ``backoff_seconds`` 30, ``backoff_max_seconds`` 3600,
    ``max_deltas`` 256; ``max_ttl_seconds`` and ``skew_seconds`` as for
    verify_status_proof."""

    refresh_percent: Optional[int] = None
    sync_interval_seconds: Optional[int] = None
    backoff_seconds: Optional[int] = None
    backoff_max_seconds: Optional[int] = None
    max_deltas: Optional[int] = None
    max_ttl_seconds: Optional[int] = None
    skew_seconds: Optional[int] = None


@dataclass(frozen=True)
class Action:
    """What a check did for one document: ``none`` (nothing was due, or
    the session is offline), ``accepted`` (fetched and stored),
    ``refused`` (fetched, and ``accept`` refused it: ``code`` says why) or
    ``failed`` (the transport raised: ``error``)."""

    done: Literal["none", "accepted", "refused", "failed"]
    code: Optional[str] = None
    error: Optional[str] = None

    def __str__(self) -> str:
        return f"refused:{self.code}" if self.done == "refused" else self.done


_NONE = Action("none")


@dataclass(frozen=True)
class SessionReport:
    """The answer of Session.check."""

    #: The verdict on what is cached after the check: ``valid`` is true
    #: exactly when ``code`` is ``ok`` (``proof_missing``, a proof's code,
    #: ``revoked``, ``suspended``...).
    valid: bool
    code: Code
    message: str
    #: The cached proof's result: its claims (license_id, status,
    #: entitlements, valid_until...); None when no proof is cached.
    proof: Optional[StatusProofResult]
    #: What was done for the proof and for the revocation set.
    refresh: Action
    sync: Action
    #: Whether the check ran without the network (an offline session, or a
    #: fetch that failed), and why.
    offline: bool
    offline_reason: Optional[str]
    #: The stored anti-rollback epoch after the check.
    stored_epoch: int
    #: When the next fetch is due: when to check again.
    next_at: Optional[datetime]
    #: The final plan, in full.
    plan: PlanResult
    #: What the store held during the check that was treated as absent, and
    #: why (a file too large, a symbolic link, not JSON, deltas for another
    #: base), each reason once.
    problems: Tuple[str, ...] = ()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _due(d: Optional[Due], now: datetime) -> bool:
    return d is not None and d.at is not None and d.at <= now


class Session:
    """Keeps a license's status proof and revocation set fresh, offline
    first (docs/lifecycle.md, "The sessions")::

        transport = licverify.HTTPTransport("https://licensing.example.com", api_key)
        with licverify.Session(keys=keys, license_id=lid, store="/var/lib/myapp/license",
                               transport=transport).start() as session:
            report = session.check()
            if not report.valid:
                raise SystemExit(report.code)

    ``store`` is the directory of the cache (made 0700; files 0600,
    replaced atomically, under its ``session.lock``). ``epochs`` keeps the
    anti-rollback epoch (default: EpochStore of ``epochs.json`` in the
    directory; namespace ``epoch_namespace``). ``transport`` fetches
    (HTTPTransport, or any Transport); without one, or with ``offline``,
    nothing is fetched. ``fingerprint`` is the device's components (a
    proof must be bound to them; they are sent with a proof request).
    ``ttl_hours`` is asked of the issuer for each proof. ``now`` is the
    clock (an aware datetime each call). ``verifier`` defaults to the
    process-wide one.

    ``check()`` raises only for misuse and configuration (LicverifyError
    for a keyring, ValueError for a damaged epoch store, which is never
    read as 0) and for a store it cannot write (OSError); a fetch that
    fails is reported, never raised. Safe for use from many threads (checks
    run one at a time) and processes (they share the store's lock)."""

    def __init__(
        self,
        *,
        keys: KeysInput,
        license_id: str,
        store: Union[str, "os.PathLike[str]"],
        transport: Optional[Transport] = None,
        fingerprint: Optional[Mapping[str, Any]] = None,
        epochs: Optional[EpochStoreLike] = None,
        policy: Policy = Policy(),
        ttl_hours: int = 24,
        now: Callable[[], datetime] = _utc_now,
        offline: bool = False,
        verifier: Optional[Verifier] = None,
        epoch_namespace: str = EPOCH_NAMESPACE,
    ) -> None:
        if not isinstance(license_id, str) or license_id == "":
            raise TypeError("licverify: a session needs the license id, a non-empty str")
        if isinstance(ttl_hours, bool) or not isinstance(ttl_hours, int) or ttl_hours < 1:
            raise TypeError(f"licverify: ttl_hours must be a positive int, not {ttl_hours!r}")
        if not isinstance(policy, Policy):
            raise TypeError("licverify: policy must be a licverify.Policy")
        self.keys = keys
        self.license_id = license_id
        self.fingerprint = dict(fingerprint) if fingerprint is not None else None
        self.store = DirectoryStore(store)
        self.epochs: EpochStoreLike = epochs if epochs is not None else EpochStore(Path(store) / "epochs.json")
        self.epoch_namespace = epoch_namespace
        self.transport = transport
        self.policy = policy
        self.ttl_hours = ttl_hours
        self.now = now
        self.offline = offline
        self._verifier = verifier
        self._mutex = threading.Lock()  # one check at a time
        self._control = threading.Lock()  # one start or stop at a time
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        #: The last report of the background refresh, and the last exception it met.
        self.last_report: Optional[SessionReport] = None
        self.last_error: Optional[BaseException] = None

    @property
    def verifier(self) -> Verifier:
        """The Verifier the session plans and accepts with."""
        return self._verifier if self._verifier is not None else default_verifier()

    # -- one check ----------------------------------------------------------------

    def check(self) -> SessionReport:
        """Plans on the cache, fetches what is due, stores what ``accept``
        takes, plans again, raises the stored epoch and reports."""
        with self._mutex:
            return self._check()

    def _clock(self) -> datetime:
        t = self.now()
        if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
            raise TypeError("licverify: the session's clock must return an aware datetime")
        return t

    def _plan(self, cache: Cache, epoch: int, now: datetime) -> PlanResult:
        p, s = self.policy, cache.state
        return self.verifier.plan(
            keys=self.keys,
            now=now,
            proof=cache.proof,
            set=cache.set,
            deltas=cache.deltas,
            license_id=self.license_id,
            fingerprint=self.fingerprint,
            max_ttl_seconds=p.max_ttl_seconds,
            skew_seconds=p.skew_seconds,
            min_epoch=epoch,
            synced_at=s.synced_at,
            proof_failures=s.proof_failures or None,
            proof_failed_at=s.proof_failed_at,
            set_failures=s.set_failures or None,
            set_failed_at=s.set_failed_at,
            refresh_percent=p.refresh_percent,
            sync_interval_seconds=p.sync_interval_seconds,
            backoff_seconds=p.backoff_seconds,
            backoff_max_seconds=p.backoff_max_seconds,
            max_deltas=p.max_deltas,
        )

    def _check(self) -> SessionReport:
        now = self._clock()
        with self.store.lock():
            cache = self.store.read()
            plan = self._plan(cache, self.epochs.get(self.epoch_namespace), now)
        problems = list(cache.problems)

        refresh = sync = _NONE
        offline: List[str] = []
        if self.offline:
            offline.append("the session is offline")
        elif self.transport is None:
            offline.append("the session has no transport")
        else:
            # The set first; a fetch that the plan after another makes due
            # (a set showing a revoked proof behind, a proof leaving the
            # set behind) is made in the same check. Each kind is fetched
            # at most once per check.
            tried_proof = tried_set = False
            while True:
                proof_due = not tried_proof and _due(plan.refresh_proof, now)
                set_due = not tried_set and _due(plan.sync_set, now)
                if not (proof_due or set_due):
                    break
                if set_due:
                    assert plan.sync_set is not None
                    tried_set = True
                    sync = self._fetch("revocation", plan.sync_set.since_epoch, problems)
                if proof_due:
                    tried_proof = True
                    refresh = self._fetch("proof", None, problems)
                now = self._clock()
                with self.store.lock():
                    cache = self.store.read()
                    plan = self._plan(cache, self.epochs.get(self.epoch_namespace), now)
            offline += [f"{what}: {a.error}" for what, a in (("proof", refresh), ("revocation", sync)) if a.done == "failed"]

        now = self._clock()
        with self.store.lock():
            cache = self.store.read()
            stored = self.epochs.get(self.epoch_namespace)
            plan = self._plan(cache, stored, now)
            if plan.store_epoch is not None:
                stored = self.epochs.raise_to(self.epoch_namespace, plan.store_epoch)
        return SessionReport(
            valid=plan.valid,
            code=plan.code,
            message=plan.message,
            proof=plan.proof,
            refresh=refresh,
            sync=sync,
            offline=bool(offline),
            offline_reason="; ".join(offline) if offline else None,
            stored_epoch=stored,
            next_at=plan.next_at,
            plan=plan,
            problems=tuple(dict.fromkeys(problems + cache.problems)),
        )

    def _fetch(self, kind: Literal["proof", "revocation"], since_epoch: Optional[int], problems: List[str]) -> Action:
        """Fetches one document without the lock, then, under it, asks
        ``accept`` against the cache as it is now and stores what it says:
        the document first, then the epoch, then the state."""
        assert self.transport is not None
        limit = MAX_PROOF if kind == "proof" else MAX_SET
        try:
            if kind == "proof":
                data: Any = self.transport.fetch_proof(self.license_id, self.fingerprint, self.ttl_hours)
            else:
                data = self.transport.fetch_revocation(since_epoch)
            if not isinstance(data, bytes):
                raise TypeError(f"the transport returned {type(data).__name__}, not bytes")
            if len(data) > limit:
                raise ValueError(f"the transport returned {len(data)} bytes, over {limit}")
        except Exception as e:  # the transport's failure: recorded, reported, backed off
            with self.store.lock() as lock:
                self._record(kind, False, self._clock(), lock, self.store.read_state(problems))
            return Action("failed", error=str(e) or type(e).__name__)

        with self.store.lock() as lock:
            cache = self.store.read()
            problems += cache.problems
            now = self._clock()
            p = self.policy
            a = self.verifier.accept(
                data,
                kind=kind,
                keys=self.keys,
                now=now,
                proof=cache.proof,
                set=cache.set,
                deltas=cache.deltas,
                license_id=self.license_id,
                fingerprint=self.fingerprint,
                min_epoch=self.epochs.get(self.epoch_namespace),
                max_ttl_seconds=p.max_ttl_seconds,
                skew_seconds=p.skew_seconds,
                max_deltas=p.max_deltas,
            )
            if not a.accept:
                self._record(kind, False, now, lock, cache.state)
                return Action("refused", code=a.code)
            if a.persist == "proof":
                self.store.write("proof.json", data, lock)
            elif a.persist == "set":
                self.store.write(SET, data, lock)
                self.store.write_deltas(data, [], lock)
            elif a.persist == "delta" and cache.set is not None:
                self.store.write_deltas(cache.set, [*cache.deltas, data], lock)
            else:
                raise AssertionError(f"licverify: accept said persist {a.persist!r} for a {kind}")
            if a.store_epoch is not None:
                self.epochs.raise_to(self.epoch_namespace, a.store_epoch)
            self._record(kind, True, now, lock, cache.state)
        return Action("accepted")

    def _record(self, kind: str, ok: bool, now: datetime, lock: StoreLock, s: State) -> None:
        """state.json after a fetch, from ``s`` as read under ``lock``: a
        success clears the kind's failures (and a revocation sets
        ``synced_at``); a failure counts."""
        if kind == "proof":
            if ok:
                s.proof_failures, s.proof_failed_at = 0, None
            else:
                s.proof_failures, s.proof_failed_at = min(s.proof_failures + 1, MAX_FAILURES), now
        else:
            if ok:
                s.set_failures, s.set_failed_at, s.synced_at = 0, None, now
            else:
                s.set_failures, s.set_failed_at = min(s.set_failures + 1, MAX_FAILURES), now
        self.store.write("state.json", s.to_json(), lock)

    # -- the background refresh ---------------------------------------------------

    def start(
        self,
        on_report: Optional[Callable[[SessionReport], None]] = None,
        on_error: Optional[Callable[[BaseException], None]] = None,
    ) -> "Session":
        """Runs ``check()`` now and again at each report's ``next_at`` (at
        least 1 s and at most 15 minutes apart; 60 s after a check that
        raised) on a daemon thread, until ``stop()``. Each report goes to
        ``on_report`` and ``last_report``; an exception to ``on_error`` and
        ``last_error``. Returns the session, for ``with session.start():``."""
        with self._control:
            if self._thread is not None and self._thread.is_alive():
                raise RuntimeError("licverify: the session's background refresh is already running")
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stop, on_report, on_error), name="licverify-session", daemon=True
            )
            self._thread.start()
        return self

    def _run(
        self,
        stop: threading.Event,
        on_report: Optional[Callable[[SessionReport], None]],
        on_error: Optional[Callable[[BaseException], None]],
    ) -> None:
        while not stop.is_set():
            try:
                report = self.check()
                self.last_report = report
                wait = MAX_WAIT
                if report.next_at is not None:
                    wait = (report.next_at - self._clock()).total_seconds()
                if on_report is not None and not stop.is_set():
                    on_report(report)
            except Exception as e:
                self.last_error = e
                wait = ERROR_WAIT
                if on_error is not None:
                    try:
                        on_error(e)
                    except Exception:
                        pass
            stop.wait(min(max(wait, MIN_WAIT), MAX_WAIT))

    def stop(self, timeout: Optional[float] = None) -> None:
        """Stops the background refresh and waits for a check under way to
        end (at most ``timeout`` seconds)."""
        with self._control:
            self._stop.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the background refresh is running."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
