"""Many threads at once: every call gets an instance no other thread is
using, and the answers are the ones a single thread gets."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Tuple

import pytest

import licverify
from test_api import req
from vectorfile import Vector


def test_threads_share_a_verifier(vectors: List[Vector]) -> None:
    proof = req(vectors, "statusproof/valid")
    tampered = req(vectors, "statusproof/tamper-valid-until")
    lic = req(vectors, "license/seed/resigned")
    jobs: List[Tuple[str, Callable[[licverify.Verifier], Dict[str, Any]]]] = [
        ("proof", lambda v: v.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"]).to_dict()),
        ("tampered", lambda v: v.verify_status_proof(tampered["proof"], keys=tampered["keys"], now=tampered["now"]).to_dict()),
        ("license", lambda v: v.evaluate_license(lic["license"], keys=lic["keys"], now=lic["now"], product_id=lic["product_id"], fingerprint_hash=lic["fingerprint_hash"]).to_dict()),
        ("canonical", lambda v: v.canonicalize('{"b":[1.0,2e1],"a":"\\u00e9"}').to_dict()),
    ]
    with licverify.Verifier(max_instances=2) as v:
        alone = {name: job(v) for name, job in jobs}
        work = [jobs[i % len(jobs)] for i in range(400)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda j: (j[0], j[1](v)), work))
        assert all(answer == alone[name] for name, answer in answers)
        assert alone["proof"]["valid"] and alone["tampered"]["code"] == "bad_signature"
        # Eight threads, two instances: the others waited for one.
        assert v.instances_created <= 2


def test_threads_share_a_loaded_set(verifier: licverify.Verifier, vectors: List[Vector]) -> None:
    r = req(vectors, "revocation/valid")
    want = [x["status"] for x in next(v for v in vectors if v.id == "revocation/valid").expected["lookups"]]
    with verifier.load_revocation_set(r["set"], keys=r["keys"], now=r["now"]) as rs:
        def look(_: int) -> List[str]:
            return [x.status for x in rs.lookup(r["lookup"], r["now"]).lookups or []]

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert all(got == want for got in pool.map(look, range(200)))


def test_the_default_verifier_is_made_once() -> None:
    made: List[licverify.Verifier] = []
    barrier = threading.Barrier(8)

    def get() -> None:
        barrier.wait()
        made.append(licverify.default_verifier())

    threads = [threading.Thread(target=get) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(v) for v in made}) == 1


def test_close_with_calls_in_flight(vectors: List[Vector]) -> None:
    """Closing a verifier while threads call it: each call gets its answer
    or LicverifyError("... closed"), and none takes the process down (the
    Go host once unmapped memory a running call used)."""
    proof = req(vectors, "statusproof/valid")
    v = licverify.Verifier(max_instances=4)
    alone = v.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"]).to_dict()
    started = threading.Barrier(9)
    failures: List[str] = []

    def call(n: int) -> None:
        first = True
        while True:
            try:
                got = v.verify_status_proof(proof["proof"], keys=proof["keys"], now=proof["now"]).to_dict()
            except licverify.LicverifyError as e:
                if "closed" not in str(e):
                    failures.append(f"thread {n}: {e}")
                break
            finally:
                if first:
                    first = False
                    started.wait()
            if got != alone:
                failures.append(f"thread {n}: {got}")
                break

    threads = [threading.Thread(target=call, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    started.wait()
    v.close()
    for t in threads:
        t.join()
    assert failures == []
    with pytest.raises(licverify.LicverifyError, match="closed"):
        v.canonicalize("{}")


def test_a_loaded_set_outlives_its_verifier(vectors: List[Vector]) -> None:
    """A loaded set holds an instance of its own: after the verifier's
    close() it keeps answering, as documented, until closed itself; then it
    raises LicverifyError, never crashes."""
    r = req(vectors, "revocation/valid")
    v = licverify.Verifier(max_instances=1)
    rs = v.load_revocation_set(r["set"], keys=r["keys"], now=r["now"])
    want = rs.lookup(r["lookup"], r["now"]).to_dict()
    with ThreadPoolExecutor(max_workers=4) as pool:
        running = [pool.submit(lambda: rs.lookup(r["lookup"], r["now"]).to_dict()) for _ in range(40)]
        v.close()
        assert all(f.result() == want for f in running)
    assert rs.lookup(r["lookup"], r["now"]).to_dict() == want
    with pytest.raises(licverify.LicverifyError, match="closed"):
        v.load_revocation_set(r["set"], keys=r["keys"], now=r["now"])
    rs.close()
    with pytest.raises(licverify.LicverifyError, match="closed"):
        rs.lookup(r["lookup"], r["now"])
    with pytest.raises(licverify.LicverifyError, match="closed"):
        rs.apply_deltas(r["set"], keys=r["keys"], now=r["now"])
