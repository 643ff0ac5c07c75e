"""The typed API's behaviour beyond the vectors: how documents, times and
options reach the module, misuse, results, loaded revocation sets, and
what happens when an instance crashes."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest

import licverify
from licverify._frame import MAX_REQUEST
from licverify._runtime import Instance
from vectorfile import Vector, base64_strict, split_frame


def req(vectors: List[Vector], vid: str) -> Dict[str, Any]:
    """A vector's request, parsed, with <member>_b64 decoded to bytes under
    the member's name."""
    v = next(x for x in vectors if x.id == vid)
    out: Dict[str, Any] = {}
    for k, val in json.loads(v.request).items():
        if k.endswith("_b64"):
            out[k[:-4]] = [base64_strict(x) for x in val] if isinstance(val, list) else base64_strict(val)
        else:
            out[k] = val
    return out


def expected(vectors: List[Vector], vid: str) -> Dict[str, Any]:
    e: Dict[str, Any] = next(x for x in vectors if x.id == vid).expected
    return e


def sent_frames(verifier: licverify.Verifier) -> List[bytes]:
    frames: List[bytes] = []
    verifier._sent = frames.append
    return frames


@pytest.fixture
def proof(vectors: List[Vector]) -> Dict[str, Any]:
    return req(vectors, "statusproof/valid")


# -- documents -----------------------------------------------------------------


def test_a_str_document_with_a_lone_surrogate_is_malformed_json(verifier: licverify.Verifier, proof: Dict[str, Any]) -> None:
    # The surrogate becomes ED A0 80, which is not UTF-8: malformed_json,
    # exactly as native Go answers for those bytes; never repaired into
    # U+FFFD (which the signed text may hold).
    doc = proof["proof"].replace("valid", "val\ud800id", 1)
    r = verifier.verify_status_proof(doc, keys=proof["keys"], now=proof["now"])
    assert (r.valid, r.code) == (False, "malformed_json")
    frames = sent_frames(verifier)
    try:
        verifier.canonicalize('["\udc00"]')
    finally:
        verifier._sent = None
    assert dict(split_frame(frames[0])[1])["document"] == b'["\xed\xb0\x80"]'
    assert verifier.canonicalize('["\udc00"]').code == "malformed_json"
    assert verifier.canonicalize('["\ufffd"]').code == "ok"


def test_bytes_are_sent_untouched(verifier: licverify.Verifier, proof: Dict[str, Any]) -> None:
    frames = sent_frames(verifier)
    try:
        bom = b"\xef\xbb\xbf" + proof["proof"].encode()
        r = verifier.verify_status_proof(bom, keys=proof["keys"].encode(), now=proof["now"])
        r2 = verifier.verify_status_proof(bytearray(proof["proof"].encode()), keys=memoryview(proof["keys"].encode()), now=proof["now"])
    finally:
        verifier._sent = None
    # A byte order mark is part of the document: refused, never stripped.
    assert r.code == "malformed_json"
    assert dict(split_frame(frames[0])[1])["proof"] == bom
    assert r2.valid


def test_parsed_documents_are_refused_but_parsed_configuration_is_sent_as_json(
    verifier: licverify.Verifier, proof: Dict[str, Any]
) -> None:
    with pytest.raises(TypeError, match="exact text"):
        verifier.verify_status_proof(json.loads(proof["proof"]), keys=proof["keys"], now=proof["now"])
    # A keyring given as its parsed value verifies as its text does.
    r = verifier.verify_status_proof(proof["proof"], keys=json.loads(proof["keys"]), now=proof["now"])
    assert r.valid
    assert verifier.fingerprint_hash({"b": "2", "a": "1"}).binding_hash == verifier.fingerprint_hash('{"a":"1","b":"2"}').binding_hash


# -- times -----------------------------------------------------------------------


def test_now_is_an_aware_datetime_or_an_rfc3339_str(verifier: licverify.Verifier, proof: Dict[str, Any]) -> None:
    now = datetime.fromisoformat(proof["now"].replace("Z", "+00:00"))
    frames = sent_frames(verifier)
    try:
        a = verifier.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"])
        b = verifier.verify_status_proof(proof["proof"], keys=proof["keys"], now=now.astimezone(timezone(timedelta(hours=-5))))
        verifier.verify_status_proof(proof["proof"], keys=proof["keys"], now=now + timedelta(microseconds=500000))
    finally:
        verifier._sent = None
    assert a.to_dict() == b.to_dict() and a.valid
    headers = [json.loads(split_frame(f)[0]) for f in frames]
    assert headers[1]["now"] == now.strftime("%Y-%m-%dT%H:%M:%SZ")  # converted to UTC
    assert headers[2]["now"].endswith(".5Z")
    with pytest.raises(TypeError, match="naive"):
        verifier.verify_status_proof(proof["proof"], keys=proof["keys"], now=datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        verifier.verify_status_proof(proof["proof"], keys=proof["keys"], now=1767225600)  # type: ignore[arg-type]
    # A loose time is the module's to refuse.
    with pytest.raises(licverify.LicverifyError, match="bad request"):
        verifier.verify_status_proof(proof["proof"], keys=proof["keys"], now="2026-01-01 00:00:00")


def test_result_times_are_aware_datetimes_and_to_dict_is_the_json(verifier: licverify.Verifier, proof: Dict[str, Any]) -> None:
    r = verifier.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"])
    d = r.to_dict()
    assert r.checked_at == datetime.fromisoformat(d["checked_at"].replace("Z", "+00:00"))
    assert r.checked_at is not None and r.checked_at.utcoffset() == timedelta(0)
    d["valid"] = False  # a copy: the result is not changed
    assert r.to_dict()["valid"] is True and r.valid is True


# -- misuse ------------------------------------------------------------------------


def test_misuse_raises(verifier: licverify.Verifier, proof: Dict[str, Any]) -> None:
    doc, keys, now = proof["proof"], proof["keys"], proof["now"]
    bad_types: List[Dict[str, Any]] = [
        {"limit": "1000"},
        {"limit": 1.5},
        {"min_epoch": True},
        {"license_id": 42},
        {"fingerprint": 42},
        {"skew_seconds": "0"},
    ]
    for options in bad_types:
        with pytest.raises(TypeError):
            verifier.verify_status_proof(doc, keys=keys, now=now, **options)
    with pytest.raises(TypeError):
        verifier.verify_status_proof(doc, keys=keys, now=now, minepoch=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        verifier.verify_revocation_set("{}", keys=keys, now=now, lookup="LIC-1")
    with pytest.raises(TypeError):
        verifier.verify_revocation_set("{}", keys=keys, now=now, deltas="{}")
    with pytest.raises(TypeError):
        verifier.verify_revocation_set("{}", keys=keys, now=now, allow_stale="true")  # type: ignore[arg-type]
    # The module's bounds: a LicverifyError (a ValueError) with its message.
    module_refuses: List[Dict[str, Any]] = [
        {"license_id": ""},
        {"limit": 0},
        {"limit": (1 << 20) + 1},
        {"min_epoch": (1 << 53) + 1},
        {"max_ttl_seconds": 0},
        {"skew_seconds": -1},
        {"fingerprint": ""},
        {"license_id": "LIC-\ud800"},  # JSON-encoded as "\ud800", refused
    ]
    for options in module_refuses:
        with pytest.raises(licverify.LicverifyError, match="^licverify: bad request: "):
            verifier.verify_status_proof(doc, keys=keys, now=now, **options)
    with pytest.raises(licverify.LicverifyError, match="bad request"):
        verifier.verify_status_proof(doc, keys="", now=now)
    with pytest.raises(ValueError):
        verifier.evaluate_license("{}", keys=keys, now=now, product_id="")


def test_a_request_over_72_mib_is_refused_before_the_module(verifier: licverify.Verifier) -> None:
    big = b" " * (MAX_REQUEST + 1)
    with pytest.raises(licverify.LicverifyError, match=f"request is \\d+ bytes, limit is {MAX_REQUEST}"):
        verifier.canonicalize(big)
    # A raw frame that large gets native Go's answer, without an instance.
    frame = licverify.encode_frame("canonicalize") + b"\x08document" + (len(big)).to_bytes(4, "little") + big
    assert json.loads(verifier.call(frame)) == {
        "error": f"licverify: bad request: request is {len(frame)} bytes, limit is {MAX_REQUEST}"
    }


def test_an_instance_that_grew_large_is_not_kept(vectors: List[Vector], table: Dict[str, Any], native: Dict[str, str]) -> None:
    # The 64 MiB set at its limit grows the instance's memory past what the
    # pool keeps: it is dropped after the call, so its memory is given back.
    from vectorfile import from_json

    v = next(x for x in vectors if x.id == "transport/set/at-limit")
    with licverify.Verifier(max_instances=1) as small:
        assert small.call(from_json(v.request, v.pad, table)) == native[v.id]
        assert small._idle == [] and small.instances_created == 1
        assert small.canonicalize("[]").valid
        assert len(small._idle) == 1 and small.instances_created == 2


# -- results -------------------------------------------------------------------------


def test_license_results_always_carry_decision_and_reasons(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    for vid in ("license/seed/verbatim", "license/seed/resigned"):
        r = req(vectors, vid)
        res = verifier.evaluate_license(
            r["license"], keys=r["keys"], now=r["now"], product_id=r["product_id"], fingerprint_hash=r.get("fingerprint_hash")
        )
        want = expected(vectors, vid)
        assert (res.decision, res.reasons, res.code) == (want["decision"], want["reasons"], want["code"])
    assert res.valid and res.state is not None and res.policy is not None
    # The new state goes back in as it came out.
    state = res.state_bytes()
    assert state is not None
    again = verifier.evaluate_license(r["license"], keys=r["keys"], now=r["now"], product_id=r["product_id"], fingerprint_hash=r["fingerprint_hash"], state=state)
    assert again.decision == "run" and "state_invalid" not in again.reasons


def test_qkey_has_a_feature_case_insensitively_in_ascii_only(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    r = req(vectors, "qkey/seed/pro-resigned")
    res = verifier.verify_qkey(r["qkey"], keys=r["keys"], now=r["now"])
    assert res.valid and res.features == expected(vectors, "qkey/seed/pro-resigned")["features"]
    assert res.has("pro") and res.has("PRO") and res.has("Api")
    assert not res.has("enterprise") and not res.has("")
    # Only A-Z fold: the Kelvin sign lower-cases to "k" in Unicode, not here.
    assert not res.has("\u212a")  # would be "k"
    assert not res.has("pr\u00f6")
    late = verifier.verify_qkey(r["qkey"], keys=r["keys"], now="2199-01-01T00:00:00Z")
    assert not late.valid and not late.has("pro")


# -- loaded revocation sets -------------------------------------------------------------


def test_a_loaded_set_looks_up_and_moves_forward(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    chain = req(vectors, "revocation/delta-chain")
    want = expected(vectors, "revocation/delta-chain")
    with verifier.load_revocation_set(chain["set"], keys=chain["keys"], now=chain["now"]) as rs:
        assert rs.valid and rs.result.epoch == 42
        # A delta that does not follow on (the second first: its base is
        # not epoch 42) is refused, and the set stays as it was.
        bad = rs.apply_deltas(chain["deltas"][1], keys=chain["keys"], now=chain["now"])
        assert bad.code == "delta_base_mismatch"
        assert rs.lookup(chain["lookup"][0], chain["now"]).epoch == 42
        applied = rs.apply_deltas(chain["deltas"], keys=chain["keys"], now=chain["now"])
        assert applied.valid and applied.epoch == want["epoch"] and "handle" not in applied.to_dict()
        got = rs.lookup(chain["lookup"], chain["now"])
        assert got.valid and got.epoch == want["epoch"]
        assert [x.status for x in got.lookups or []] == [x["status"] for x in want["lookups"]]
        assert rs.lookup([], chain["now"]).lookups == []
    with pytest.raises(licverify.LicverifyError, match="closed"):
        rs.lookup("x", chain["now"])
    rs.close()  # twice is fine


def test_a_set_that_does_not_verify_holds_nothing(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    r = req(vectors, "revocation/delta-tampered")
    rs = verifier.load_revocation_set(r["set"], keys=r["keys"], now=r["now"], deltas=r["deltas"])
    assert not rs.valid and rs.result.code == expected(vectors, "revocation/delta-tampered")["code"]
    with pytest.raises(licverify.LicverifyError, match="not loaded: bad_signature"):
        rs.lookup("x", r["now"])


def test_a_loaded_set_survives_a_crash_of_its_instance(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    chain = req(vectors, "revocation/delta-chain")
    want = [x["status"] for x in expected(vectors, "revocation/delta-chain")["lookups"]]
    with verifier.load_revocation_set(chain["set"], keys=chain["keys"], now=chain["now"], deltas=chain["deltas"][:1]) as rs:
        rs.apply_deltas(chain["deltas"][1:], keys=chain["keys"], now=chain["now"])
        before = verifier.instances_created
        inst = rs._instance
        assert inst is not None
        with pytest.raises(licverify.ModuleCrash, match="unreachable"):
            inst.trap_for_test()  # a real trap inside the module
        got = rs.lookup(chain["lookup"], chain["now"])
        # Loaded again on a new instance, with the delta applied again.
        assert verifier.instances_created == before + 1 and rs._instance is not inst
        assert got.epoch == 45 and [x.status for x in got.lookups or []] == want


def test_a_crash_during_a_lookup_is_retried_on_a_new_instance(
    verifier: licverify.Verifier, vectors: List[Vector], monkeypatch: pytest.MonkeyPatch
) -> None:
    r = req(vectors, "revocation/valid")
    with verifier.load_revocation_set(r["set"], keys=r["keys"], now=r["now"]) as rs:
        original = Instance.call
        crashed: List[bytes] = []

        def crash_once(self: Instance, frame: bytes) -> bytes:
            if b'"revocation_lookup"' in frame and not crashed:
                crashed.append(frame)
                self.broken = True
                raise licverify.ModuleCrash("licverify: injected crash")
            return original(self, frame)

        monkeypatch.setattr(Instance, "call", crash_once)
        got = rs.lookup(r["lookup"], r["now"])
        assert crashed and [x.status for x in got.lookups or []] == [x["status"] for x in expected(vectors, "revocation/valid")["lookups"]]


# -- crashes -----------------------------------------------------------------------------


def test_an_internal_error_replaces_the_instance(hooked_wasm: bytes, proof: Dict[str, Any]) -> None:
    with licverify.Verifier(wasm=hooked_wasm, max_instances=1) as v:
        assert v.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"]).valid
        created = v.instances_created
        # The hook panics on every instance: raised after one retry on a
        # fresh instance, and neither instance is used again.
        with pytest.raises(licverify.ModuleCrash, match="internal: panic: test hook"):
            v.call(b'{"op":"__panic"}')
        assert v.instances_created == created + 1
        assert v.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"]).valid
        assert v.instances_created == created + 2


# One Ed25519 key (the base point): a keyring that loads.
BASE_POINT_KEYRING = '[{"kid":"k","alg":"ed25519","public_key":"WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="}]'


def test_an_out_of_memory_exit_carries_the_crash_text(verifier: licverify.Verifier) -> None:
    # 16 MiB of linear memory cannot hold a 12 MB document twice over.
    big = '{"revoked_ids":[' + ",".join(['"' + "x" * 100 + '"'] * 110000) + "]}"
    with licverify.Verifier(memory_limit=16 << 20, max_instances=1) as v:
        with pytest.raises(licverify.ModuleCrash) as e:
            # A keyring that loads, so that the set itself is read.
            v.verify_revocation_set(big, keys=BASE_POINT_KEYRING, now="2026-01-01T00:00:00Z")
        # What the Go runtime wrote to fd 2 before it stopped.
        assert re.search(r"fatal error: (runtime: cannot allocate memory|out of memory)", str(e.value))
        assert v.canonicalize("[1.0]").canonical == "[1]"


# -- keyrings that do not load ----------------------------------------------------------


def test_a_keyring_that_does_not_load_raises_with_its_code(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    # Configuration, not the document: an error carrying the problem's
    # result code, never a result that would look like a bad document.
    weak = req(vectors, "statusproof/key-weak-in-ring")
    with pytest.raises(licverify.LicverifyError) as e:
        verifier.verify_status_proof(weak["proof"], keys=weak["keys"], now=weak["now"])
    assert e.value.code == "weak_key" and str(e.value).startswith("licverify: keyring: ")
    assert isinstance(e.value, ValueError)
    with pytest.raises(licverify.LicverifyError) as e:
        verifier.verify_status_proof(weak["proof"], keys=b"\xff", now=weak["now"])
    assert e.value.code == "malformed_json" and str(e.value).startswith("licverify: keyring: ")
    # The same from a loaded set, and from the module-level functions.
    rs = req(vectors, "revocation/key-weak-in-ring")
    with pytest.raises(licverify.LicverifyError) as e:
        verifier.load_revocation_set(rs["set"], keys=rs["keys"], now=rs["now"])
    assert e.value.code == "weak_key"
    with pytest.raises(licverify.LicverifyError) as e:
        licverify.verify_revocation_set(rs["set"], keys=rs["keys"], now=rs["now"])
    assert e.value.code == "weak_key"
    # A bad request has no code.
    with pytest.raises(licverify.LicverifyError) as e:
        verifier.verify_status_proof(weak["proof"], keys="", now=weak["now"])
    assert e.value.code is None and str(e.value).startswith("licverify: bad request: ")
    # The code survives pickling (an error sent between processes).
    import pickle

    again = pickle.loads(pickle.dumps(licverify.LicverifyError("licverify: keyring: x", "weak_key")))
    assert again.code == "weak_key" and str(again) == "licverify: keyring: x"


def test_a_loaded_set_applying_with_a_keyring_that_does_not_load_raises(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    chain = req(vectors, "revocation/delta-chain")
    weak = req(vectors, "revocation/key-weak-in-ring")["keys"]
    with verifier.load_revocation_set(chain["set"], keys=chain["keys"], now=chain["now"]) as rs:
        with pytest.raises(licverify.LicverifyError) as e:
            rs.apply_deltas(chain["deltas"], keys=weak, now=chain["now"])
        assert e.value.code == "weak_key"
        # Nothing was applied: the set is still the base.
        assert rs.lookup([], chain["now"]).epoch == rs.result.epoch


def test_codes_are_the_documents() -> None:
    from conftest import REPO

    doc = (REPO / "docs" / "formats.md").read_text("utf-8")
    table = doc.split("### Result codes", 1)[1].split("\n### ", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, re.M)
    assert list(licverify.CODES) == documented
    go = re.findall(r'^\s*Code\w+\s+Code = "([a-z_]+)"', (REPO / "verify" / "codes.go").read_text("utf-8"), re.M)
    assert sorted(licverify.CODES) == sorted(go)
    assert "clock_rollback" in licverify.CODES


# -- license: server_time --------------------------------------------------------------


def test_server_time_is_an_aware_datetime_or_an_rfc3339_str(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    r = req(vectors, "license/clock/server-time-ahead-of-clock")
    want = expected(vectors, "license/clock/server-time-ahead-of-clock")
    server = datetime(2026, 3, 5, tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=2)))
    options = {k: r[k] for k in ("keys", "now", "product_id", "fingerprint_hash", "state")}
    frames = sent_frames(verifier)
    try:
        a = verifier.evaluate_license(r["license"], server_time=r["server_time"], **options)
        b = verifier.evaluate_license(r["license"], server_time=server, **options)
    finally:
        verifier._sent = None
    assert [json.loads(split_frame(f)[0])["server_time"] for f in frames] == ["2026-03-05T00:00:00Z"] * 2
    for res in (a, b):
        d = res.to_dict()
        d.pop("message")
        assert d == want and res.trusted_time == datetime(2026, 3, 5, tzinfo=timezone.utc)
    # Without it, the guard blocks a clock that once ran ahead: clock_rollback.
    ahead = req(vectors, "license/clock/ran-ahead")
    blocked = licverify.evaluate_license(ahead["license"], **{k: ahead[k] for k in options})
    assert (blocked.code, blocked.decision) == ("clock_rollback", "block")
    reset = licverify.evaluate_license(ahead["license"], server_time=ahead["now"], **{k: ahead[k] for k in options})
    assert reset.decision == "run" and reset.state is not None
    assert reset.state["last_success_check_at"] == ahead["now"]
    with pytest.raises(TypeError, match="naive"):
        verifier.evaluate_license(r["license"], server_time=datetime(2026, 3, 5), **options)
    with pytest.raises(licverify.LicverifyError, match="bad request"):
        verifier.evaluate_license(r["license"], server_time="2026-03-05", **options)


# -- loaded sets and chains --------------------------------------------------------------


def test_loaded_sets_agree_with_verify_revocation_set(
    verifier: licverify.Verifier, vectors: List[Vector], table: Dict[str, Any]
) -> None:
    # A set loaded once and looked up, with its deltas applied one call
    # later (all of them in one apply_deltas), gives for every vector what
    # the one-shot revocation_set op gives. Rollback and freshness are
    # decided where a chain ends: a base that deltas follow is loaded on its
    # own terms (no stored epoch, stale allowed), and the apply, with the
    # vector's options, decides them.
    from conftest import SUMMARY, assert_no_failures
    from test_typed import typed_calls
    from vectorfile import check

    failures: List[str] = []
    n = keyrings = 0
    for v in vectors:
        fn, calls, _ = typed_calls(v, table)
        if fn != "verify_revocation_set" or v.bad_request:
            continue
        c = calls[0]
        options = dict(c.options)
        deltas = options.pop("deltas", None)
        lookup = options.pop("lookup", None)
        if v.keyring_error:
            keyrings += 1
            with pytest.raises(licverify.LicverifyError) as e:
                verifier.load_revocation_set(c.document, **options)
            if e.value.code != v.expected["code"]:
                failures.append(f"{v.id}: raised with code {e.value.code}, want {v.expected['code']}")
            continue
        n += 1
        want = {k: val for k, val in v.expected.items() if k != "lookups"}
        if deltas:
            options.pop("min_epoch", None)
            options["allow_stale"] = True
        with verifier.load_revocation_set(c.document, **options) as rs:
            got = rs.result
            if rs.valid and deltas:
                apply = {k: c.options[k] for k in ("keys", "now", "min_epoch", "allow_stale", "skew_seconds", "limit") if k in c.options}
                got = rs.apply_deltas(deltas, **apply)
            why = check(want, json.dumps(got.to_dict()))
            if why is not None:
                failures.append(f"{v.id}: {why}")
                continue
            if lookup and v.expected["valid"]:
                r = rs.lookup(lookup, c.options["now"]).to_dict()
                r.pop("message")
                want_r = {"valid": True, "code": "ok", "epoch": v.expected["epoch"], **({"stale": True} if v.expected.get("stale") else {}),
                          "lookups": v.expected.get("lookups", [])}
                if r != want_r:
                    failures.append(f"{v.id}: lookup gave {r}\n want {want_r}")
    SUMMARY["loaded"] = f"python: loaded sets: {n - len(failures)}/{n} revocation vectors agree ({keyrings} keyrings refused)"
    assert_no_failures(failures, "loaded sets")
    assert n > 50 and keyrings >= 2


def test_a_base_below_the_stored_epoch_is_lifted_by_its_chain(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    # docs/formats.md "Keeping the epoch across restarts": after a restart
    # the stored epoch is the chain's end; the base alone is below it.
    chain = req(vectors, "revocation/delta-chain")
    kw = {"keys": chain["keys"], "now": chain["now"]}
    end = verifier.verify_revocation_set(chain["set"], deltas=chain["deltas"], **kw)
    assert end.valid and end.store_epoch is not None and end.epoch == end.store_epoch == 45
    stored = end.store_epoch
    # The base alone, against the stored epoch: a rollback.
    assert verifier.verify_revocation_set(chain["set"], min_epoch=stored, **kw).code == "epoch_rollback"
    # The base with the chain, in one request: valid.
    again = verifier.verify_revocation_set(chain["set"], deltas=chain["deltas"], min_epoch=stored, **kw)
    assert again.valid and again.epoch == stored
    with verifier.load_revocation_set(chain["set"], deltas=chain["deltas"], min_epoch=stored, **kw) as rs:
        assert rs.valid and rs.result.epoch == stored
    # Loaded on its own terms, then lifted by one apply with every delta.
    with verifier.load_revocation_set(chain["set"], allow_stale=True, **kw) as rs:
        assert rs.valid and rs.result.epoch == 42
        short = rs.apply_deltas(chain["deltas"][:1], min_epoch=stored, **kw)
        assert short.code == "epoch_rollback"  # a chain that ends below the stored epoch
        lifted = rs.apply_deltas(chain["deltas"], min_epoch=stored, **kw)
        assert lifted.valid and lifted.epoch == stored and lifted.store_epoch == stored
        assert rs.lookup(chain["lookup"], chain["now"]).epoch == stored
