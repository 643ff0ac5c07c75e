"""Session beyond the shared scenarios: two processes sharing one store
(no torn file, no lowered epoch), the background refresh and its stop, an
offline session, what a check reports about a damaged store, and its
configuration. Documents come from the test issuer (internal/testissuer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import pytest

import licverify
from conftest import PYTHON_DIR
from testissuer import START, Issuer

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


@pytest.fixture
def fresh(issuer: Issuer) -> Issuer:
    issuer.control("reset", {})
    return issuer


def _session(issuer: Issuer, store: Path, **kw: Any) -> licverify.Session:
    args: Dict[str, Any] = dict(
        keys=issuer.keys,
        license_id=issuer.license_id,
        fingerprint=issuer.fingerprint,
        store=store,
        transport=licverify.HTTPTransport(issuer.url, issuer.api_key, timeout=5),
        now=lambda: T0,
    )
    args.update(kw)
    return licverify.Session(**args)


def test_a_check_reports_what_it_did(fresh: Issuer, tmp_path: Path) -> None:
    s = _session(fresh, tmp_path / "store")
    r = s.check()
    assert (r.valid, r.code, str(r.refresh), str(r.sync), r.offline, r.stored_epoch) == (
        True, "ok", "accepted", "accepted", False, 1,
    )
    assert r.proof is not None and r.proof.license_id == fresh.license_id and r.proof.status == "valid"
    assert r.proof.entitlements == ["feature:api", "feature:export"]
    # The next fetch: the set's sync interval (300 s), before the proof's refresh point (18 h).
    assert r.next_at == T0 + timedelta(seconds=300) == r.plan.next_at
    assert r.plan.sync_set is not None and r.plan.sync_set.reason == "interval" and r.plan.sync_set.since_epoch == 1
    assert r.problems == ()
    store = tmp_path / "store"
    assert json.loads((store / "epochs.json").read_bytes()) == {licverify._session.EPOCH_NAMESPACE: 1}
    state = json.loads((store / "state.json").read_bytes())
    assert state["synced_at"] == "2026-03-01T00:00:00Z" and state["set_failures"] == 0
    # proof.json holds the bytes the issuer sent, whole.
    assert json.loads((store / "proof.json").read_bytes())["proof"]["license_id"] == fresh.license_id


def test_a_revocation_due_on_both_documents_is_taken_in_one_check(fresh: Issuer, tmp_path: Path) -> None:
    # At the refresh point the set has expired too: the revoked proof at
    # epoch 2 and the delta since epoch 1 are both due, and both are taken
    # in one check, though the proof, taken first, raised the stored epoch
    # past the cached chain's (the epoch is checked where the chain ends).
    clock = [T0]
    s = _session(fresh, tmp_path / "store", now=lambda: clock[0])
    assert s.check().valid
    fresh.control("revoke", {"license_id": fresh.license_id})
    clock[0] = T0 + timedelta(hours=18)
    fresh.control("clock", {"now": "2026-03-01T18:00:00Z"})
    r = s.check()
    assert (r.valid, r.code, str(r.refresh), str(r.sync), r.stored_epoch) == (False, "revoked", "accepted", "accepted", 2)
    assert r.plan.set is not None and r.plan.set.epoch == 2
    deltas = json.loads((tmp_path / "store" / "deltas.json").read_bytes())["deltas"]
    assert len(deltas) == 1 and json.loads(deltas[0])["since_epoch"] == 1


def test_an_offline_session_fetches_nothing(fresh: Issuer, tmp_path: Path) -> None:
    before = fresh.hits()
    for s in (
        _session(fresh, tmp_path / "a", offline=True),
        _session(fresh, tmp_path / "b", transport=None),
    ):
        r = s.check()
        assert (r.valid, r.code, str(r.refresh), str(r.sync), r.offline) == (False, "proof_missing", "none", "none", True)
        assert r.offline_reason in ("the session is offline", "the session has no transport")
    assert fresh.hits() == before


def test_a_transport_that_raises_is_a_failed_fetch(fresh: Issuer, tmp_path: Path) -> None:
    class Broken:
        def fetch_proof(self, license_id: str, fingerprint: Optional[Mapping[str, Any]], ttl_hours: int) -> bytes:
            raise RuntimeError("no route to the issuer")

        def fetch_revocation(self, since_epoch: Optional[int]) -> bytes:
            return "not bytes"  # type: ignore[return-value]

    s = _session(fresh, tmp_path / "store", transport=Broken())
    r = s.check()
    assert (r.refresh.done, r.refresh.error) == ("failed", "no route to the issuer")
    assert r.sync.done == "failed" and r.sync.error is not None and "not bytes" in r.sync.error
    assert r.offline and r.offline_reason is not None and "no route to the issuer" in r.offline_reason
    state = json.loads((tmp_path / "store" / "state.json").read_bytes())
    assert (state["proof_failures"], state["set_failures"]) == (1, 1)
    assert state["proof_failed_at"] == state["set_failed_at"] == "2026-03-01T00:00:00Z"


def test_fetches_run_without_the_stores_lock(fresh: Issuer, tmp_path: Path) -> None:
    # A slow network must not hold other processes' checks: the lock is
    # taken to read and to write, never around a fetch.
    store = tmp_path / "store"
    http = licverify.HTTPTransport(fresh.url, fresh.api_key, timeout=5)
    locked: List[bool] = []

    class Watching:
        def fetch_proof(self, license_id: str, fingerprint: Optional[Mapping[str, Any]], ttl_hours: int) -> bytes:
            locked.append((store / "session.lock").exists())
            return http.fetch_proof(license_id, fingerprint, ttl_hours)

        def fetch_revocation(self, since_epoch: Optional[int]) -> bytes:
            locked.append((store / "session.lock").exists())
            return http.fetch_revocation(since_epoch)

    r = _session(fresh, store, transport=Watching()).check()
    assert (str(r.refresh), str(r.sync)) == ("accepted", "accepted")
    assert locked == [False, False]


def test_store_damage_is_reported_and_repaired(fresh: Issuer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    s = _session(fresh, store)
    s.check()
    (store / "state.json").write_bytes(b"{not json")
    (store / "deltas.json").write_bytes(b'{"base": "sha256:00", "deltas": []}')
    r = s.check()
    assert r.valid and r.code == "ok"
    assert any(p.startswith("state.json: not JSON") for p in r.problems), r.problems
    assert "deltas.json: for another base than set.json; ignored" in r.problems
    # With no state, the set's sync is due (synced_at absent): it is fetched,
    # and what the check wrote reads back cleanly.
    assert str(r.sync) == "accepted"
    assert s.check().problems == ()


def test_a_damaged_epoch_store_raises(fresh: Issuer, tmp_path: Path) -> None:
    # Never read as 0, which would turn the anti-rollback guard off.
    store = tmp_path / "store"
    s = _session(fresh, store)
    s.check()
    (store / "epochs.json").write_bytes(b'{"lifecycle": -1}')
    with pytest.raises(ValueError, match="damaged"):
        s.check()


def test_the_epoch_never_falls(fresh: Issuer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    epochs = licverify.EpochStore(tmp_path / "epochs.json")
    epochs.raise_to("lifecycle", 7)
    s = _session(fresh, store, epochs=epochs)
    r = s.check()
    # The issuer is at epoch 1: both documents are rollbacks of what is stored.
    assert (str(r.refresh), str(r.sync), r.stored_epoch) == ("refused:epoch_rollback", "refused:epoch_rollback", 7)
    assert epochs.get("lifecycle") == 7
    assert not (store / "proof.json").exists() and not (store / "set.json").exists()


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"license_id": ""}, "license id"),
        ({"ttl_hours": 0}, "ttl_hours"),
        ({"ttl_hours": True}, "ttl_hours"),
        ({"policy": {"refresh_percent": 50}}, "Policy"),
    ],
)
def test_bad_configuration_is_refused(tmp_path: Path, kw: Dict[str, Any], message: str) -> None:
    args: Dict[str, Any] = dict(keys="[]", license_id="LIC-1", store=tmp_path)
    args.update(kw)
    with pytest.raises(TypeError, match=message):
        licverify.Session(**args)


def test_a_naive_clock_is_refused(fresh: Issuer, tmp_path: Path) -> None:
    s = _session(fresh, tmp_path / "store", now=lambda: datetime(2026, 3, 1))
    with pytest.raises(TypeError, match="aware"):
        s.check()


def test_start_refreshes_in_the_background_until_stopped(fresh: Issuer, tmp_path: Path) -> None:
    # A clock running from T0 at the real pace and a 1 s sync interval: the
    # background refresh checks again at each next_at, about every second.
    t0 = time.monotonic()
    reports: List[licverify.SessionReport] = []
    two = threading.Event()

    def on_report(r: licverify.SessionReport) -> None:
        reports.append(r)
        if sum(x.sync.done == "accepted" for x in reports) >= 2:
            two.set()

    s = _session(
        fresh,
        tmp_path / "store",
        now=lambda: T0 + timedelta(seconds=time.monotonic() - t0),
        policy=licverify.Policy(sync_interval_seconds=1),
    )
    with s.start(on_report=on_report):
        assert s.running
        with pytest.raises(RuntimeError, match="already running"):
            s.start()
        assert two.wait(60), [str(r.sync) for r in reports]
    # Leaving the block stopped it: the thread is gone and reports no more.
    assert not s.running
    seen = len(reports)
    time.sleep(1.5)
    assert len(reports) == seen
    assert s.last_report is reports[-1]
    assert reports[0].refresh.done == "accepted" and all(r.valid for r in reports)


def test_a_check_that_raises_goes_to_on_error_and_the_refresh_goes_on(fresh: Issuer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "epochs.json").write_bytes(b"damaged")
    errors: List[BaseException] = []
    got = threading.Event()

    def on_error(e: BaseException) -> None:
        errors.append(e)
        got.set()

    s = _session(fresh, store)
    s.start(on_error=on_error)
    try:
        assert got.wait(60)
    finally:
        s.stop()
    assert not s.running
    assert isinstance(errors[0], ValueError) and s.last_error is errors[0]


def test_two_processes_share_one_store(fresh: Issuer, tmp_path: Path) -> None:
    # Two processes check over one store while the issuer's epoch rises;
    # a third reader (this process) reads every file meanwhile. No file is
    # ever torn (each read parses), and no process sees its stored epoch
    # fall.
    store = tmp_path / "store"
    cfg = {
        "url": fresh.url, "keys": fresh.keys, "api_key": fresh.api_key, "license_id": fresh.license_id,
        "fingerprint": fresh.fingerprint, "store": str(store), "checks": 30, "start": START, "speed": 20,
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PYTHON_DIR / "src"), str(PYTHON_DIR / "tests")])}
    worker = str(PYTHON_DIR / "tests" / "session_worker.py")
    procs = [
        subprocess.Popen([sys.executable, worker, json.dumps(cfg)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in range(2)
    ]
    torn: List[str] = []
    reads = 0
    other = "5f0c9d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f"
    revoked = False
    while any(p.poll() is None for p in procs):
        for name in ("proof.json", "set.json", "deltas.json", "state.json", "epochs.json"):
            try:
                data = (store / name).read_bytes()
            except FileNotFoundError:
                continue
            reads += 1
            try:
                json.loads(data)
            except ValueError as e:
                torn.append(f"{name}: {e}")
        # The epoch rises under them: revoke and restore another license.
        fresh.control("restore" if revoked else "revoke", {"license_id": other})
        revoked = not revoked
        time.sleep(0.05)
    outputs = [p.communicate() for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err.decode()
    assert not torn, torn
    assert reads > 0
    top = 0
    for out, _ in outputs:
        lines = [json.loads(x) for x in out.decode().splitlines()]
        assert len(lines) == 30
        epochs = [x["stored_epoch"] for x in lines]
        assert epochs == sorted(epochs), epochs
        for x in lines:
            assert not [p for p in x["problems"] if "ignored" not in p], x
        # Each process took documents itself, under the other's writes.
        assert any(x["sync"] == "accepted" for x in lines[1:]), lines
        top = max(top, epochs[-1])
    # Documents were taken under the rising epoch, and the store holds the highest.
    assert top > 1
    stored = json.loads((store / "epochs.json").read_bytes())["lifecycle"]
    assert stored >= top
    assert [n for n in os.listdir(store) if n.endswith(".tmp") or n == "session.lock"] == []
