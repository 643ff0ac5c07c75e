"""A revocation set verified once and held inside the module, so that
lookups are O(1) and never send or verify the set again."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Sequence, Union

from ._errors import LicverifyError, ModuleCrash
from ._frame import Document, Request, build_request, frame_of
from ._results import LookupsResult, RevocationSetResult
from ._runtime import AllocFailed, Instance

if TYPE_CHECKING:
    from ._verifier import KeysInput, TimeInput, Verifier

_INTERNAL = b'{"error":"internal: '


def _handle_member(handle: int) -> List[tuple[str, str]]:
    return [("handle", str(handle))]


class LoadedRevocationSet:
    """A verified revocation set held by a module instance of its own under
    a handle (made by ``load_revocation_set``). Safe for use from many
    threads; calls on one set run one at a time.

    It keeps the requests that built it (the load and every accepted
    delta): when its instance crashes and is replaced, the set is verified,
    loaded and moved forward again from them on next use, so lookups keep
    working. That costs the memory of the set's bytes until ``close()``."""

    #: The verification of the set and its deltas, as verify_revocation_set gives it.
    result: RevocationSetResult

    def __init__(self, verifier: "Verifier", request: Request) -> None:
        """Made by load_revocation_set (request is its revocation_load)."""
        from ._verifier import parse_result

        if verifier._closed:
            raise LicverifyError("licverify: the verifier is closed")
        self._verifier = verifier
        self._lock = threading.Lock()
        self._load_frame: Optional[bytes] = frame_of(request)
        self._applies: List[Request] = []
        self._instance: Optional[Instance] = None
        self._handle = 0
        self._closed = False
        load_frame = self._load_frame
        if verifier._sent is not None:
            verifier._sent(load_frame)
        raw = parse_result(self._exchange(lambda handle: load_frame, loading=True))
        handle = raw.pop("handle", None)
        self.result = RevocationSetResult.from_dict(raw)
        if not self.result.valid:
            # Nothing was kept: no instance, no requests to hold on to.
            self._instance = None
            self._load_frame = None
            self._closed = True
            return
        if isinstance(handle, bool) or not isinstance(handle, int):
            raise ModuleCrash("licverify: revocation_load answered a valid set without a handle")
        self._handle = handle

    @property
    def valid(self) -> bool:
        """Whether the set verified and is held (``result.valid``)."""
        return self.result.valid

    # -- the instance -----------------------------------------------------------

    def _check_open(self) -> None:
        if not self.result.valid:
            raise LicverifyError(f"licverify: the revocation set was not loaded: {self.result.code}")
        if self._closed:
            raise LicverifyError("licverify: the revocation set was closed")

    def _reload(self) -> Instance:
        """A fresh instance holding the set again, built from the requests
        that built it, after its instance crashed."""
        from ._verifier import parse_result

        assert self._load_frame is not None
        inst = self._verifier._new_instance()
        loaded = parse_result(_checked(inst.call(self._load_frame)))
        handle = loaded.get("handle")
        if loaded.get("valid") is not True or isinstance(handle, bool) or not isinstance(handle, int):
            raise ModuleCrash(f"licverify: loading the revocation set again after a crash gave {loaded.get('code')}")
        for req in self._applies:
            r = parse_result(_checked(inst.call(frame_of(req, _handle_member(handle)))))
            if r.get("valid") is not True:
                raise ModuleCrash(f"licverify: applying a delta again after a crash gave {r.get('code')}")
        self._handle = handle
        return inst

    def _exchange(self, build: Callable[[int], bytes], loading: bool = False) -> bytes:
        """Sends the frame build(handle) to the set's instance, replacing a
        crashed instance (and loading the set into the new one) and trying
        once more, as the Verifier does for pooled instances."""
        for attempt in range(2):
            try:
                inst = self._instance
                if inst is None or inst.broken:
                    self._instance = None
                    inst = self._verifier._new_instance() if loading else self._reload()
                    self._instance = inst
                resp = inst.call(build(self._handle))
                if resp.startswith(_INTERNAL):
                    inst.broken = True
                    if attempt == 0:
                        continue
                    raise ModuleCrash(f"licverify: {resp.decode('utf-8', 'replace')}")
                return resp
            except (ModuleCrash, AllocFailed) as e:
                if self._instance is not None:
                    self._instance.broken = True
                if attempt == 0:
                    continue
                if isinstance(e, AllocFailed):
                    raise ModuleCrash(f"{e} within its memory limit") from e
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, req: Request) -> dict[str, Any]:
        from ._verifier import parse_result

        def build(handle: int) -> bytes:
            frame = frame_of(req, _handle_member(handle))
            if self._verifier._sent is not None:
                self._verifier._sent(frame)
            return frame

        return parse_result(self._exchange(build))

    # -- the operations -----------------------------------------------------------

    def lookup(self, ids: Union[str, Sequence[str]], now: "TimeInput") -> LookupsResult:
        """The status of license ids at ``now`` (at most 65,536 a call):
        revoked, suspended (with its end) or not_revoked. A set that has
        expired since it was loaded answers ``set_expired`` (no lookups)
        unless it was loaded with allow_stale."""
        if isinstance(ids, str):
            ids = [ids]
        req = build_request("revocation_lookup", list(ids) if isinstance(ids, tuple) else ids, {"now": now})
        with self._lock:
            self._check_open()
            return LookupsResult.from_dict(self._send(req))

    def apply_deltas(
        self,
        deltas: Union[Document, Sequence[Document]],
        *,
        keys: "KeysInput",
        now: "TimeInput",
        min_epoch: Optional[int] = None,
        allow_stale: bool = False,
        skew_seconds: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> RevocationSetResult:
        """Moves the set forward with one delta or a list of them, in
        order, in one request (one ``revocation_apply`` with a part per
        delta): each must follow on from the epoch before it
        (``delta_base_mismatch`` otherwise). Rollback (``min_epoch``) and
        freshness (``allow_stale``) are decided where the chain ends, so a
        set loaded on its own terms (no stored epoch, stale allowed) is
        lifted here, with the stored epoch, to the set the chain reaches.
        On success the set is the new one; on a rejection it stays as it
        was. The result is the new set's. At most 4,096 deltas a call."""
        if isinstance(deltas, (str, bytes, bytearray, memoryview)):
            deltas = [deltas]
        req = build_request(
            "revocation_apply",
            list(deltas) if isinstance(deltas, tuple) else deltas,
            {
                "keys": keys,
                "now": now,
                "min_epoch": min_epoch,
                "allow_stale": allow_stale,
                "skew_seconds": skew_seconds,
                "limit": limit,
            },
        )
        with self._lock:
            self._check_open()
            raw = self._send(req)
            raw.pop("handle", None)
            result = RevocationSetResult.from_dict(raw)
            if result.valid:
                # Kept to move a reloaded set forward again after a crash.
                self._applies.append(req)
            return result

    def close(self) -> None:
        """Releases the set and its instance; lookups raise afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            inst, self._instance = self._instance, None
            self._load_frame = None
            self._applies = []
            if inst is not None and not inst.broken:
                try:
                    inst.call(frame_of(build_request("revocation_free", None, {}), _handle_member(self._handle)))
                except (ModuleCrash, AllocFailed):
                    pass  # the instance is dropped either way

    def __enter__(self) -> "LoadedRevocationSet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<LoadedRevocationSet {self.result.code} epoch={self.result.epoch} {state}>"


def _checked(resp: bytes) -> bytes:
    if resp.startswith(_INTERNAL):
        raise ModuleCrash(f"licverify: {resp.decode('utf-8', 'replace')}")
    return resp
