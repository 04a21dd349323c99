"""What the HTTP server accepts before a request reaches the application.

- Connections: the request head (line and headers) must arrive within `head_timeout`
  (slow or idle connections are closed: a thousand idle sockets must not use up the file
  descriptors); a request line longer than `max_url` gets 414, a head larger than
  `max_head` 431, each read to the end and answered, not reset. Idle keep-alive
  connections close after uvicorn's keep-alive timeout.
- Requests: the Host header must name the address the server is bound to (a DNS-rebinding
  page names its own host), or one given with `--allow-host`; the path and query string
  must be UTF-8; a body must be at most `max_body` bytes (413) and arrive within
  `body_timeout` (else the connection is closed).
- Cross-origin reads only for the origins given with `--cors`.
"""
from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class Limits:
    bound_host: str = "127.0.0.1"
    allowed_hosts: frozenset[str] = frozenset()    # more host names, e.g. behind a proxy
    cors_origins: tuple[str, ...] = ()
    head_timeout: float = 10.0
    body_timeout: float = 30.0
    max_url: int = 32 * 1024
    max_head: int = 64 * 1024
    max_body: int = 1024 * 1024
    keep_alive: int = 5
    max_connections: int = 1000


# ====================================================================== connections
def _raw_response(status: int, reason: str, message: str) -> bytes:
    body = (message + "\n").encode("utf-8")
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode("ascii") + body


class GuardedProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head and size limits on it."""
    limits = Limits()
    LINGER = 2.0    # seconds to keep reading (and dropping) a refused request before closing

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head = bytearray()
        self._deadline: asyncio.TimerHandle | None = None
        self._watching = ""
        self._refused = False
        self._watch("head")

    def _watch(self, stage: str) -> None:
        """One deadline per stage of a request: its head, then its body."""
        if self._watching == stage:
            return
        self._unwatch()
        seconds = self.limits.head_timeout if stage == "head" else self.limits.body_timeout
        self._deadline = self.loop.call_later(seconds, self._too_slow)
        self._watching = stage

    def _unwatch(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._watching = None, ""

    def _too_slow(self) -> None:
        stage, self._deadline, self._watching = self._watching, None, ""
        if stage == "head" and self._head:
            self._refuse(408, "Request Timeout", f"the request head did not arrive within "
                                                 f"{self.limits.head_timeout:g} s")
        elif not self.transport.is_closing():
            self.transport.close()      # an idle connection, or a body that did not come in time

    def _refuse(self, status: int, reason: str, message: str) -> None:
        """Answer, stop parsing, read and drop what the client still sends, then close: a
        client that is still writing would otherwise see a reset, not the answer."""
        self._refused = True
        self._unwatch()
        if not self.transport.is_closing():
            self.transport.write(_raw_response(status, reason, message))
            self.loop.call_later(self.LINGER, self.transport.close)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self.conn.their_state is h11.IDLE:      # reading a request head
            self._watch("head")
            room = self.limits.max_head + 4 - len(self._head)
            self._head += data[:max(room, 0)]
            line_end = self._head.find(b"\r\n")
            if line_end > self.limits.max_url or (line_end < 0 and len(self._head) > self.limits.max_url):
                self._refuse(414, "URI Too Long", f"the request line is longer than {self.limits.max_url:,} bytes; "
                                                  "POST long queries (application/sparql-query)")
                return
            if self._head.find(b"\r\n\r\n") < 0 and len(self._head) > self.limits.max_head:
                self._refuse(431, "Request Header Fields Too Large",
                             f"the request head is larger than {self.limits.max_head:,} bytes")
                return
        super().data_received(data)
        state = self.conn.their_state
        if state is not h11.IDLE:
            self._head = bytearray()
            if state is h11.SEND_BODY:
                self._watch("body")
            else:
                self._unwatch()

    def connection_lost(self, exc) -> None:
        self._unwatch()
        super().connection_lost(exc)


def protocol_for(limits: Limits) -> type[GuardedProtocol]:
    return type("KgProtocol", (GuardedProtocol,), {"limits": limits})


# ====================================================================== requests
def host_allowed(host_header: str, limits: Limits) -> bool:
    """Whether a Host header names this server: its bound address (any IP literal when bound
    to all interfaces; `localhost` when bound to loopback) or a host given with --allow-host."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.rstrip(".")
    if host in limits.allowed_hosts:
        return True
    bound = limits.bound_host.strip("[]").lower()
    wildcard = bound in ("", "0.0.0.0", "::")
    try:
        bound_ip = ipaddress.ip_address(bound)
    except ValueError:
        bound_ip = None
    loopback = bound == "localhost" or (bound_ip is not None and bound_ip.is_loopback)
    if host == "localhost":
        return loopback or wildcard
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host == bound      # a name: only the one the server was bound to
    return wildcard or ip == bound_ip or (loopback and ip.is_loopback)


class RequestLimits:
    """ASGI middleware: the Host, UTF-8 and body checks of the module docstring. The body is
    read here (bounded in size and time) and handed on whole."""

    def __init__(self, app, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        problem = self._problem(scope, headers)
        if problem is None:
            body, problem = await self._read_body(receive, headers)
        if problem is not None:
            await _plain(send, *problem)
            return
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _problem(self, scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host")
        if host is not None and not host_allowed(host, self.limits):
            return 421, (f"this server does not answer for the host {host!r} (a check against DNS rebinding); "
                         "start kg serve with --allow-host NAME to serve it under that name")
        try:
            unquote_to_bytes(scope.get("raw_path", b"").decode("latin-1")).decode("utf-8")
            unquote_to_bytes(scope.get("query_string", b"").decode("latin-1").replace("+", " ")).decode("utf-8")
        except UnicodeDecodeError:
            return 400, "the path or the query string is not UTF-8 (percent-encode UTF-8 bytes)"
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                return 400, "Content-Length is not a number"
            if int(length) > self.limits.max_body:
                return 413, f"the request body is larger than {self.limits.max_body:,} bytes"
        return None

    async def _read_body(self, receive, headers) -> tuple[bytes, tuple[int, str] | None]:
        """The whole body, at most max_body bytes (the protocol's deadline bounds its time)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", (400, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body:
                return b"", (413, f"the request body is larger than {self.limits.max_body:,} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None


async def _plain(send, status: int, message: str) -> None:
    body = (message + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def protect(app, limits: Limits):
    """The application behind the request checks, with CORS only for the given origins."""
    if limits.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(limits.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Accept"])
    app.add_middleware(RequestLimits, limits=limits)
    return app


def raise_file_limit() -> None:
    """Let the server keep as many sockets open as the system allows (the soft limit is often 1,024)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or hard > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
    except (ImportError, ValueError, OSError):
        pass
