"""Every scenario of testvectors/lifecycle/scenarios.json, the list the Go,
npm and Python sessions all run, against the test issuer over real HTTP:
one test per scenario, run strictly (a step or an expectation this runner
does not know fails it, as does a member of the file it does not know)."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import pytest

import licverify
from conftest import REPO
from licverify._frame import format_time
from licverify._results import parse_time
from testissuer import Issuer

SCENARIOS = REPO / "testvectors" / "lifecycle" / "scenarios.json"
SCHEMA = "licverify-lifecycle-v1"

STEPS = {"issuer", "revoke", "restore", "advance", "session_clock", "unreachable", "restart", "crash", "tamper", "check"}
EXPECT = {"valid", "code", "refresh", "sync", "offline", "stored_epoch", "hits", "files"}
MODES = {"proof", "revocation"}


def _load() -> Dict[str, Any]:
    if not SCENARIOS.exists():
        return {"schema": SCHEMA, "session": {}, "scenarios": []}
    v: Dict[str, Any] = json.loads(SCENARIOS.read_text("utf-8"))
    return v


FILE = _load()


def _time(s: str) -> datetime:
    t = parse_time(s)
    assert t is not None, f"not an RFC 3339 time: {s!r}"
    return t


def _closed_port() -> str:
    """The URL of a loopback port nothing listens on."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


class Switch:
    """The session's transport: the issuer's, or one pointed at a closed
    port (the step ``unreachable``)."""

    def __init__(self, live: licverify.HTTPTransport, dead: licverify.HTTPTransport) -> None:
        self.live, self.dead = live, dead
        self.unreachable = False

    def _t(self) -> licverify.HTTPTransport:
        return self.dead if self.unreachable else self.live

    def fetch_proof(self, license_id: str, fingerprint: Optional[Mapping[str, Any]], ttl_hours: int) -> bytes:
        return self._t().fetch_proof(license_id, fingerprint, ttl_hours)

    def fetch_revocation(self, since_epoch: Optional[int]) -> bytes:
        return self._t().fetch_revocation(since_epoch)


@dataclass
class Clock:
    t: datetime

    def now(self) -> datetime:
        return self.t


@dataclass
class Run:
    """One scenario's world: the issuer, the store, the session's clock."""

    issuer: Issuer
    store: Path
    config: Dict[str, Any]
    clock: Clock
    issuer_now: datetime
    transport: Switch
    session: licverify.Session = field(init=False)

    def __post_init__(self) -> None:
        self.session = self.new_session()

    def new_session(self) -> licverify.Session:
        return licverify.Session(
            keys=self.issuer.keys,
            license_id=self.issuer.license_id,
            fingerprint=self.issuer.fingerprint,
            store=self.store,
            epochs=licverify.EpochStore(self.store / "epochs.json"),
            transport=self.transport,
            policy=licverify.Policy(**self.config.get("policy", {})),
            ttl_hours=self.config.get("ttl_hours", 24),
            now=self.clock.now,
        )


def _setup(issuer: Issuer, tmp_path: Path) -> Run:
    config = FILE["session"]
    unknown = set(config) - {"ttl_hours", "timeout_ms", "policy"}
    assert not unknown, f"session: members this runner does not know: {sorted(unknown)}"
    # The session's clock starts at the issuer's, as reset answers it.
    start = _time(json.loads(issuer.control("reset", {}))["now"])
    timeout = config.get("timeout_ms", 10000) / 1000
    transport = Switch(
        licverify.HTTPTransport(issuer.url, issuer.api_key, timeout=timeout),
        licverify.HTTPTransport(_closed_port(), issuer.api_key, timeout=timeout),
    )
    return Run(issuer, tmp_path / "store", config, Clock(start), start, transport)


def _step(run: Run, step: Dict[str, Any], where: str) -> None:
    actions = set(step) - {"expect"}
    assert len(actions) == 1 and actions <= STEPS, f"{where}: unknown or several actions: {sorted(step)}"
    (action,) = actions
    assert "expect" not in step or action == "check", f"{where}: expect belongs to a check"
    arg = step[action]
    if action == "issuer":
        assert isinstance(arg, dict) and set(arg) <= MODES, f"{where}: issuer takes {sorted(MODES)}"
        run.issuer.control("mode", arg)
    elif action in ("revoke", "restore"):
        run.issuer.control(action, {"license_id": arg})
    elif action == "advance":
        assert isinstance(arg, (int, float)) and not isinstance(arg, bool) and arg >= 0, f"{where}: advance {arg!r}"
        run.clock.t += timedelta(seconds=arg)
        run.issuer_now += timedelta(seconds=arg)
        run.issuer.control("clock", {"now": format_time(run.issuer_now)})
    elif action == "session_clock":
        run.clock.t = _time(arg)
    elif action == "unreachable":
        assert isinstance(arg, bool), f"{where}: unreachable {arg!r}"
        run.transport.unreachable = arg
    elif action == "restart":
        assert arg is True, f"{where}: restart {arg!r}"
        run.session = run.new_session()
    elif action == "crash":
        if arg == "set_written":
            (run.store / "set.json").write_bytes(run.issuer.control("set"))
        elif arg == "proof_written":
            (run.store / "proof.json").write_bytes(run.issuer.control("proof"))
        else:
            pytest.fail(f"{where}: unknown crash {arg!r}")
    elif action == "tamper":
        path = run.store / arg
        data = bytearray(path.read_bytes())
        # The middle byte, changed within ASCII: the file stays text and
        # no longer holds what was signed (or no longer parses).
        i = len(data) // 2
        data[i] ^= 0x01
        path.write_bytes(bytes(data))
    elif action == "check":
        assert arg == {}, f"{where}: check takes {{}}"
        _check(run, step.get("expect", {}), where)


def _check(run: Run, expect: Dict[str, Any], where: str) -> None:
    unknown = set(expect) - EXPECT
    assert not unknown, f"{where}: expectations this runner does not know: {sorted(unknown)}"
    before = run.issuer.hits()
    report = run.session.check()
    after = run.issuer.hits()
    got: Dict[str, Any] = {
        "valid": report.valid,
        "code": report.code,
        "refresh": str(report.refresh),
        "sync": str(report.sync),
        "offline": report.offline,
        "stored_epoch": report.stored_epoch,
        "hits": {k: after[k] - before[k] for k in after},
    }
    problems: List[str] = []
    for key, want in expect.items():
        if key == "files":
            for name in want:
                path = run.store / name
                try:
                    json.loads(path.read_bytes())
                except (OSError, ValueError) as e:
                    problems.append(f"files: {name}: {e}")
            continue
        if got[key] != want:
            problems.append(f"{key}: want {want!r}, got {got[key]!r}")
    if problems:
        pytest.fail(
            f"{where}: " + "; ".join(problems)
            + f"\n  report: {report.code} ({report.message}); refresh {report.refresh}; sync {report.sync}; "
            f"offline {report.offline_reason}; next_at {report.next_at}; problems {report.problems}",
            pytrace=False,
        )


def test_the_scenario_file_is_whole() -> None:
    assert SCENARIOS.exists(), f"{SCENARIOS} is missing"
    assert FILE["schema"] == SCHEMA
    assert set(FILE) == {"schema", "session", "scenarios"}, sorted(FILE)
    ids = [s["id"] for s in FILE["scenarios"]]
    assert ids and len(ids) == len(set(ids)), "scenario ids are missing or repeated"


@pytest.mark.parametrize("scenario", FILE["scenarios"], ids=[s["id"] for s in FILE["scenarios"]])
def test_scenario(scenario: Dict[str, Any], issuer: Issuer, tmp_path: Path) -> None:
    unknown = set(scenario) - {"id", "comment", "steps"}
    assert not unknown, f"{scenario['id']}: members this runner does not know: {sorted(unknown)}"
    run = _setup(issuer, tmp_path)
    checks = 0
    for i, step in enumerate(scenario["steps"]):
        _step(run, step, f"{scenario['id']} step {i + 1}")
        checks += "check" in step
    assert checks, f"{scenario['id']}: no check"
