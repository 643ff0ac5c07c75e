"""A process running Session.check() in a loop over a store another process
shares (tests/test_session.py): its clock runs at ``speed`` times the real
one from ``start``, and each report's stored epoch, code and store problems
are printed as one JSON line.

    python session_worker.py '{"url", "keys", "api_key", "license_id",
                               "fingerprint", "store", "checks", "start", "speed"}'
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta

import licverify
from licverify._results import parse_time


def main() -> None:
    cfg = json.loads(sys.argv[1])
    start = parse_time(cfg["start"])
    assert start is not None
    t0 = time.monotonic()

    def now() -> datetime:
        assert start is not None
        return start + timedelta(seconds=(time.monotonic() - t0) * cfg["speed"])

    session = licverify.Session(
        keys=cfg["keys"],
        license_id=cfg["license_id"],
        fingerprint=cfg["fingerprint"],
        store=cfg["store"],
        transport=licverify.HTTPTransport(cfg["url"], cfg["api_key"], timeout=10),
        policy=licverify.Policy(sync_interval_seconds=1, backoff_seconds=1, backoff_max_seconds=2),
        now=now,
    )
    for _ in range(cfg["checks"]):
        r = session.check()
        line = {
            "stored_epoch": r.stored_epoch,
            "code": r.code,
            "refresh": str(r.refresh),
            "sync": str(r.sync),
            "problems": list(r.problems),
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
