"""HTTPTransport against a real loopback HTTP server (the standard
library's, run on a thread): what it sends (the seeds' API, docs/lifecycle.md
"The transport"), and how each failure is reported: a non-2xx answer with
its status and ``detail``, an answer over the size bound, a timeout, a
closed connection, a redirect never followed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest

import licverify
from licverify._transport import MAX_PROOF_ANSWER

#: What the handler does for a path: (status, headers, body), or a callable
#: given the handler that answers by itself.
Answer = Tuple[int, Dict[str, str], bytes]


class Server:
    def __init__(self) -> None:
        self.routes: Dict[str, Any] = {}
        self.requests: List[Dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                route = outer.routes.get(self.path.split("?")[0])
                if route is None:
                    route = (404, {"Content-Type": "application/json"}, b'{"detail":"Not Found"}')
                if callable(route):
                    route(self)
                    return
                status, headers, data = route
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


PROOF_PATH = "/api/v1/v2/status-proof"
SET_PATH = "/api/v1/v2/revocation"


def test_the_requests_are_the_seeds_api(server: Server) -> None:
    server.routes[PROOF_PATH] = (200, {}, b'{"proof": "p"}')
    server.routes[SET_PATH] = (200, {}, b'{"epoch": 3}')
    t = licverify.HTTPTransport(server.url + "/", "k-123")
    assert t.fetch_proof("LIC-1", {"cpu_id": "c", "disk_serial": "d"}, 12) == b'{"proof": "p"}'
    assert t.fetch_proof("LIC-1", None, 24) == b'{"proof": "p"}'
    assert t.fetch_revocation(None) == b'{"epoch": 3}'
    assert t.fetch_revocation(42) == b'{"epoch": 3}'
    with_fp, without, full, delta = server.requests
    assert (with_fp["method"], with_fp["path"]) == ("POST", PROOF_PATH)
    assert json.loads(with_fp["body"]) == {
        "license_id": "LIC-1",
        "device_fingerprint": {"cpu_id": "c", "disk_serial": "d"},
        "ttl_hours": 12,
    }
    assert with_fp["headers"]["Content-Type"] == "application/json"
    assert json.loads(without["body"]) == {"license_id": "LIC-1", "ttl_hours": 24}
    assert (full["method"], full["path"], full["body"]) == ("GET", SET_PATH, b"")
    assert (delta["method"], delta["path"]) == ("GET", SET_PATH + "?since_epoch=42")
    for r in server.requests:
        assert r["headers"]["Authorization"] == "Bearer k-123"


def test_a_404_carries_its_status_and_detail(server: Server) -> None:
    server.routes[PROOF_PATH] = (404, {"Content-Type": "application/json"}, b'{"detail": "License not found: LIC-9"}')
    t = licverify.HTTPTransport(server.url, "k")
    with pytest.raises(licverify.TransportError) as e:
        t.fetch_proof("LIC-9", None, 24)
    assert (e.value.status, e.value.detail) == (404, "License not found: LIC-9")
    assert "HTTP 404: License not found: LIC-9" in str(e.value)


def test_a_401_and_an_error_without_detail(server: Server) -> None:
    server.routes[SET_PATH] = (401, {}, b'{"detail": "Invalid API key"}')
    t = licverify.HTTPTransport(server.url, "wrong")
    with pytest.raises(licverify.TransportError) as e:
        t.fetch_revocation(None)
    assert (e.value.status, e.value.detail) == (401, "Invalid API key")
    server.routes[SET_PATH] = (502, {}, b"<html>bad gateway</html>")
    with pytest.raises(licverify.TransportError) as e:
        t.fetch_revocation(None)
    assert (e.value.status, e.value.detail) == (502, None)


def test_a_redirect_is_not_followed(server: Server) -> None:
    # Following it would carry the API key to another server.
    server.routes[SET_PATH] = (302, {"Location": server.url + "/elsewhere"}, b"")
    server.routes["/elsewhere"] = (200, {}, b"{}")
    with pytest.raises(licverify.TransportError) as e:
        licverify.HTTPTransport(server.url, "k").fetch_revocation(None)
    assert e.value.status == 302
    assert [r["path"] for r in server.requests] == [SET_PATH]


def test_an_oversized_answer_fails(server: Server) -> None:
    big = b"{" + b" " * MAX_PROOF_ANSWER + b"}"
    server.routes[PROOF_PATH] = (200, {}, big)
    t = licverify.HTTPTransport(server.url, "k")
    with pytest.raises(licverify.TransportError, match="over 1048576") as e:
        t.fetch_proof("LIC-1", None, 24)
    assert e.value.status is None

    # Without a Content-Length (chunked), the bound holds while reading.
    def chunked(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b" " * 65536
        try:
            for _ in range(MAX_PROOF_ANSWER // len(chunk) + 4):
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client stopped reading, as it should

    server.routes[PROOF_PATH] = chunked
    with pytest.raises(licverify.TransportError, match="over 1048576"):
        t.fetch_proof("LIC-1", None, 24)
    # Exactly the bound is read whole.
    server.routes[PROOF_PATH] = (200, {}, big[: MAX_PROOF_ANSWER])
    assert len(t.fetch_proof("LIC-1", None, 24)) == MAX_PROOF_ANSWER


def test_a_slow_answer_times_out(server: Server) -> None:
    release = threading.Event()

    def slow(h: BaseHTTPRequestHandler) -> None:
        release.wait(10)

    server.routes[SET_PATH] = slow
    t = licverify.HTTPTransport(server.url, "k", timeout=0.3)
    try:
        with pytest.raises(licverify.TransportError, match="timed out") as e:
            t.fetch_revocation(None)
        assert e.value.status is None
    finally:
        release.set()


def test_a_dripping_answer_ends_at_the_deadline(server: Server) -> None:
    # One byte at a time, each within the socket timeout: the whole answer
    # is still bounded by it (checked between reads).
    stop = threading.Event()

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        try:
            for _ in range(1000):
                if stop.wait(0.05):
                    return
                h.wfile.write(b" ")
                h.wfile.flush()
        except OSError:
            pass

    server.routes[SET_PATH] = drip
    t = licverify.HTTPTransport(server.url, "k", timeout=0.5)
    try:
        with pytest.raises(licverify.TransportError, match="timed out"):
            t.fetch_revocation(None)
    finally:
        stop.set()


def test_a_closed_connection_and_a_closed_port_fail(server: Server) -> None:
    def hang_up(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        h.connection.close()

    server.routes[PROOF_PATH] = hang_up
    t = licverify.HTTPTransport(server.url, "k")
    with pytest.raises(licverify.TransportError) as e:
        t.fetch_proof("LIC-1", None, 24)
    assert e.value.status is None
    url = server.url
    server.close()
    with pytest.raises(licverify.TransportError) as e:
        licverify.HTTPTransport(url, "k", timeout=2).fetch_revocation(None)
    assert e.value.status is None


@pytest.mark.parametrize(
    "args, message",
    [
        (("file:///etc/passwd", "k"), "http or https"),
        (("ftp://example.com", "k"), "http or https"),
        (("https://example.com", ""), "API key"),
        (("https://example.com", "k\r\nX-Evil: 1"), "API key"),
        (("https://example.com", "k", 0), "timeout"),
        (("https://example.com", "k", True), "timeout"),
    ],
)
def test_bad_configuration_is_refused(args: Tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        licverify.HTTPTransport(*args)


def test_the_key_is_not_in_the_repr() -> None:
    assert "secret" not in repr(licverify.HTTPTransport("https://example.com", "secret"))


def test_a_transport_is_any_object_with_the_two_methods() -> None:
    class Canned:
        def fetch_proof(self, license_id: str, fingerprint: Optional[Mapping[str, Any]], ttl_hours: int) -> bytes:
            return b"{}"

        def fetch_revocation(self, since_epoch: Optional[int]) -> bytes:
            return b"{}"

    t: licverify.Transport = Canned()  # mypy checks the protocol here
    assert t.fetch_revocation(None) == b"{}"
