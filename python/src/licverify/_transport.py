"""The session's transport (docs/lifecycle.md, "The transport"): fetch a
status proof, fetch the revocation set, each returning the document's bytes
or raising. HTTPTransport speaks the seeds' API with the standard library;
any object with the two methods of Transport replaces it."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Protocol

#: The largest answers read (docs/lifecycle.md, "The store"): a proof is
#: small; a set may be as large as the module takes one.
MAX_PROOF_ANSWER = 1 << 20
MAX_REVOCATION_ANSWER = 64 << 20
#: How much of an error answer is read for its ``detail``.
MAX_ERROR_ANSWER = 64 << 10


class Transport(Protocol):
    """What a session fetches with. Each method returns the document's
    exact bytes, or raises (any exception: the session records it as a
    failed fetch and backs off)."""

    def fetch_proof(self, license_id: str, fingerprint: Optional[Mapping[str, Any]], ttl_hours: int) -> bytes:
        """A status proof for the license (bound to the device whose
        fingerprint components are given, when they are), valid for
        ``ttl_hours``."""
        ...

    def fetch_revocation(self, since_epoch: Optional[int]) -> bytes:
        """The revocation set: a delta from ``since_epoch``, or the full
        set when it is None."""
        ...


class TransportError(Exception):
    """A fetch that failed: ``status`` is the HTTP status of a non-2xx
    answer (None when there was no answer: refused, reset, timed out, too
    large), ``detail`` the answer's ``{"detail": ...}`` when it had one."""

    status: Optional[int]
    detail: Optional[str]

    def __init__(self, message: str, status: Optional[int] = None, detail: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer of its own: following it would send the API
    # key elsewhere (and turn the POST into a GET).
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HTTPTransport:
    """The seeds' API over HTTP(S) with urllib: ``POST
    {base_url}/api/v1/v2/status-proof`` with ``{"license_id",
    "device_fingerprint"?, "ttl_hours"}`` and ``GET
    {base_url}/api/v1/v2/revocation[?since_epoch=N]``, each with
    ``Authorization: Bearer <api_key>``.

    ``timeout`` (seconds) bounds connecting, each read, and the whole
    answer (checked between reads). An answer is read up to 1 MiB for a
    proof and 64 MiB for a set; a larger one fails. A non-2xx answer,
    redirects included (never followed: they would carry the API key
    elsewhere), raises TransportError with its status and the body's
    ``detail``; so does every network failure, with ``status`` None.
    Proxies come from the environment, as urllib reads them."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        if not isinstance(base_url, str) or urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"licverify: HTTPTransport needs an http or https base URL, not {base_url!r}")
        if not isinstance(api_key, str) or api_key == "" or any(c in api_key for c in "\r\n"):
            raise ValueError("licverify: HTTPTransport needs an API key: a non-empty str on one line")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"licverify: timeout must be a positive number of seconds, not {timeout!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self._api_key = api_key
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:  # never the key
        return f"HTTPTransport({self.base_url!r}, timeout={self.timeout:g})"

    def fetch_proof(self, license_id: str, fingerprint: Optional[Mapping[str, Any]], ttl_hours: int) -> bytes:
        body: Dict[str, Any] = {"license_id": license_id}
        if fingerprint is not None:
            body["device_fingerprint"] = dict(fingerprint)
        body["ttl_hours"] = ttl_hours
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        return self._fetch("POST", "/api/v1/v2/status-proof", data, MAX_PROOF_ANSWER)

    def fetch_revocation(self, since_epoch: Optional[int]) -> bytes:
        path = "/api/v1/v2/revocation"
        if since_epoch is not None:
            if isinstance(since_epoch, bool) or not isinstance(since_epoch, int) or since_epoch < 0:
                raise ValueError(f"licverify: since_epoch must be a non-negative int, not {since_epoch!r}")
            path += f"?since_epoch={since_epoch}"
        return self._fetch("GET", path, None, MAX_REVOCATION_ANSWER)

    def _fetch(self, method: str, path: str, data: Optional[bytes], limit: int) -> bytes:
        url = self.base_url + path
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self._api_key}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status = resp.status
                length = resp.headers.get("Content-Length")
                if length is not None and length.isdigit() and int(length) > limit:
                    raise TransportError(f"licverify: {method} {url}: the answer is {length} bytes, over {limit}")
                body = _read(resp, limit, deadline, f"{method} {url}")
        except urllib.error.HTTPError as e:
            with e:
                try:
                    raw = _read(e, MAX_ERROR_ANSWER, deadline, f"{method} {url}", truncate=True)
                except (OSError, TransportError, http.client.HTTPException):
                    raw = b""
            detail = _detail(raw)
            msg = f"licverify: {method} {url}: HTTP {e.code}"
            raise TransportError(msg + (f": {detail}" if detail else ""), e.code, detail) from None
        except TransportError:
            raise
        except (OSError, ValueError, http.client.HTTPException) as e:  # URLError, timeouts, resets, a bad status line
            reason = e.reason if isinstance(e, urllib.error.URLError) else e
            raise TransportError(f"licverify: {method} {url}: {reason}") from e
        if not 200 <= status < 300:
            raise TransportError(f"licverify: {method} {url}: HTTP {status}", status, _detail(body))
        return body


def _read(resp: Any, limit: int, deadline: float, what: str, truncate: bool = False) -> bytes:
    """The answer's body, at most ``limit`` bytes (more fails, or with
    ``truncate`` is cut), before ``deadline``."""
    # read1: what has arrived, in one read of the socket; read would wait
    # for the whole amount, past the deadline.
    read = getattr(resp, "read1", resp.read)
    chunks: List[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TransportError(f"licverify: {what}: timed out reading the answer")
        chunk = read(min(64 << 10, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                break
            raise TransportError(f"licverify: {what}: the answer is over {limit} bytes")
    return b"".join(chunks)[:limit]


def _detail(body: bytes) -> Optional[str]:
    """The ``detail`` of an error body ``{"detail": ...}`` (a str as it
    is, anything else as its JSON), or None."""
    try:
        v = json.loads(body.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(v, dict) or "detail" not in v:
        return None
    d = v["detail"]
    return d if isinstance(d, str) else json.dumps(d)
