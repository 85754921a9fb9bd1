"""Simulated platforms on loopback: the subset of each API the connectors call, served over real
HTTP, so the tests drive the real connector code (and the demo captures without the internet).

Each simulator is a `Simulator` subclass with its own state (accounts, posts, comments, tokens) and
routes; `serve(simulator)` starts it on 127.0.0.1 on a free port in a daemon thread and returns the
running server, whose `.url` is the base address to give a connection.

Faults a test (or the demo) can ask for, taken one per request in order (`simulator.faults`):
  ("status", 503)            answer that status with the platform's error body
  ("rate_limit", 7)          429 with Retry-After: 7 (or the platform's own rate-limit answer)
  ("slow", 3.0)              sleep that long before answering (the client's timeout fires)
  ("expired_token", None)    the platform's answer to an expired token
A fault may be limited to paths containing a string: ("status", 500, "/comments").
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Response:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, data, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(
            status,
            json.dumps(data, ensure_ascii=False).encode(),
            [("Content-Type", "application/json; charset=utf-8"), *(headers or [])],
        )

    @classmethod
    def text(cls, body: str, content_type: str, status: int = 200) -> Response:
        return cls(status, body.encode(), [("Content-Type", content_type)])


REASONS = {
    200: "OK", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}  # fmt: skip


class Simulator:
    """Routes are (method, regex, handler) tuples; a handler gets the Request and the regex's named
    groups and returns a Response."""

    name = "simulator"

    def __init__(self):
        self.faults: list[tuple] = []
        self.requests: list[Request] = []  # every request, for tests that count calls
        self.lock = threading.RLock()
        self.url = ""  # set by serve()

    # To override ---------------------------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, Callable[..., Response]]]:
        return []

    def error(self, status: int, request: Request) -> Response:
        """The platform's own error body for `status`."""
        return Response.json({"error": REASONS.get(status, "Error")}, status=status)

    def rate_limited(self, retry_after: float, request: Request) -> Response:
        return Response.json(
            {"error": "Too Many Requests"}, status=429, headers=[("Retry-After", str(int(retry_after)))]
        )

    def expired_token(self, request: Request) -> Response:
        return self.error(401, request)

    # The server side ------------------------------------------------------------------------------

    def add_fault(self, kind: str, value=None, path_contains: str = ""):
        with self.lock:
            self.faults.append((kind, value, path_contains))

    def _take_fault(self, request: Request):
        with self.lock:
            for index, (kind, value, path_contains) in enumerate(self.faults):
                if path_contains in request.path:
                    del self.faults[index]
                    return kind, value
        return None

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
        fault = self._take_fault(request)
        if fault:
            kind, value = fault
            if kind == "slow":
                time.sleep(float(value))
            elif kind == "status":
                return self.error(int(value), request)
            elif kind == "rate_limit":
                return self.rate_limited(float(value or 60), request)
            elif kind == "expired_token":
                return self.expired_token(request)
        for method, pattern, handler in self.routes():
            if method != request.method:
                continue
            match = re.fullmatch(pattern, request.path)
            if match:
                with self.lock:
                    return handler(request, **match.groupdict())
        return self.error(404, request)

    def wsgi(self, environ, start_response):
        query = {key: values[-1] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        request = Request(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), query, headers)
        try:
            response = self.handle(request)
        except Exception as error:  # a simulator bug answers 500 like a platform would, and says why
            response = Response.json({"error": f"simulator: {error!r}"}, status=500)
        status = f"{response.status} {REASONS.get(response.status, 'Status')}"
        start_response(status, [*response.headers, ("Content-Length", str(len(response.body)))])
        return [response.body]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class RunningSimulator:
    def __init__(self, simulator: Simulator, server, thread):
        self.simulator = simulator
        self.server = server
        self.thread = thread
        self.url = f"http://127.0.0.1:{server.server_port}"
        simulator.url = self.url

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def serve(simulator: Simulator, port: int = 0, host: str = "127.0.0.1") -> RunningSimulator:
    """Serves `simulator` on loopback in a daemon thread (port 0: a free one)."""
    server = make_server(host, port, simulator.wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"simulator-{simulator.name}", daemon=True)
    thread.start()
    return RunningSimulator(simulator, server, thread)
