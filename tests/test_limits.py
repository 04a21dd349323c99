"""Connection and request limits of the HTTP server (kg/serve/limits.py) on a real uvicorn,
in a thread, with a trivial application behind them."""
from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from kg.serve.limits import Limits, protect, protocol_for

from .helpers import fetch, free_port

LIMITS = Limits(bound_host="127.0.0.1", head_timeout=0.5, body_timeout=0.5, max_url=4096, max_head=8192,
                max_body=10_000, cors_origins=("http://yasgui.example",))


@pytest.fixture(scope="module")
def base():
    import uvicorn

    app = FastAPI()

    @app.api_route("/echo", methods=["GET", "POST"])
    async def echo(request: Request):
        return PlainTextResponse(f"{len(await request.body())} {request.url.path}")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(protect(app, LIMITS), host="127.0.0.1", port=port, log_level="error",
                                           http=protocol_for(LIMITS), timeout_keep_alive=1,
                                           h11_max_incomplete_event_size=LIMITS.max_head + 1024))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", port
    server.should_exit = True
    thread.join(timeout=10)


def test_limits_long_url_is_a_414_not_a_reset(base):
    url, _ = base
    code, _, body = fetch(url + "/echo?query=" + "x" * 1_000_000)
    assert code == 414 and "POST long queries" in body
    assert fetch(url + "/echo?q=short")[0] == 200


def test_limits_large_head_is_a_431(base):
    url, _ = base
    code, _, _ = fetch(url + "/echo", headers={f"X-Filler-{i}": "y" * 1000 for i in range(20)})
    assert code == 431


def test_limits_body_size(base):
    url, _ = base
    assert fetch(url + "/echo", b"a" * 9_000)[2].startswith("9000 ")
    code, _, body = fetch(url + "/echo", b"a" * 400_000)
    assert code == 413 and "10,000 bytes" in body


def test_limits_idle_and_slow_connections_are_closed(base):
    _, port = base
    idle = socket.create_connection(("127.0.0.1", port))
    idle.settimeout(20)
    assert idle.recv(100) == b""                  # closed by the server, nothing said
    slow = socket.create_connection(("127.0.0.1", port))
    slow.settimeout(20)
    slow.sendall(b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    assert slow.recv(200).startswith(b"HTTP/1.1 408")
    body = socket.create_connection(("127.0.0.1", port))
    body.settimeout(20)
    body.sendall(b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\nonly this")
    assert body.recv(200) == b""                  # the body never came in full: closed
    for s in (idle, slow, body):
        s.close()


def test_limits_many_idle_connections_do_not_stop_a_client(base):
    url, port = base
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(300)]
    try:
        assert fetch(url + "/echo")[0] == 200
    finally:
        for s in idle:
            s.close()


def test_limits_host_header_and_utf8(base):
    url, port = base
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/echo", headers={"Host": "rebind.evil.example:%d" % port})
    response = conn.getresponse()
    assert response.status == 421 and b"DNS rebinding" in response.read()
    conn.request("GET", "/echo", headers={"Host": "localhost:%d" % port})
    assert conn.getresponse().status == 200
    conn.close()
    assert fetch(url + "/echo/%FF")[0] == 400
    assert fetch(url + "/echo?q=%E6%99%B6")[0] == 200


def test_limits_cors_only_for_given_origins(base):
    url, _ = base
    for origin, allowed in (("http://yasgui.example", "http://yasgui.example"), ("http://evil.example", None)):
        with urllib.request.urlopen(urllib.request.Request(url + "/echo", headers={"Origin": origin}), timeout=20) as r:
            assert r.headers.get("Access-Control-Allow-Origin") == allowed
