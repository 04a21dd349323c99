"""Shared fixtures: one build of the seed corpus and one of the small hand-written article."""
from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

# Builds stamp their dataset description with the time; a fixed one (the reproducible-builds
# convention kg follows) lets tests compare the files of two builds byte for byte.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")   # 2026-01-01T00:00:00Z

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "data" / "gold"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The seed corpus built once per test session (graph files in a temporary folder)."""
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("build")
    return build(CORPUS, out, use_cache=False)


@pytest.fixture(scope="session")
def small_build(tmp_path_factory):
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("small")
    return build(FIXTURES / "small", out, use_cache=False)


def trig_as_build(trig: Path, out: Path) -> Path:
    """A hand-written TriG file as a build folder: graph.nq and its union graph.ttl."""
    from rdflib import Dataset, Graph

    data = Dataset()
    data.parse(trig, format="trig")
    data.serialize(out / "graph.nq", format="nquads")
    union = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    union.serialize(out / "graph.ttl", format="turtle")
    return out


@pytest.fixture(scope="session")
def graph_dir(tmp_path_factory):
    """The hand-written graph tests/fixtures/graph/small.trig as a build folder."""
    return trig_as_build(FIXTURES / "graph" / "small.trig", tmp_path_factory.mktemp("graph"))


@pytest.fixture(scope="session")
def chains_dir(tmp_path_factory):
    """The hand-written graph tests/fixtures/graph/chains.trig (a chain with segments) as a build folder."""
    return trig_as_build(FIXTURES / "graph" / "chains.trig", tmp_path_factory.mktemp("chains"))


@pytest.fixture
def small_corpus(tmp_path):
    """A writable copy of the small article's folder."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "small", target, ignore=shutil.ignore_patterns("*.ttl"))
    return target


@pytest.fixture(scope="session")
def chrome():
    """Headless Debian Chromium driven by chromedriver, logging the console and the network.

    Skipped where Chromium is not installed, unless KG_REQUIRE_BROWSER is set (CI sets it)."""
    import os

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        if os.environ.get("KG_REQUIRE_BROWSER"):
            pytest.fail("Chromium and chromedriver are required (apt-get install chromium chromium-driver)")
        pytest.skip("Chromium is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def network_requests(driver) -> list[str]:
    """URLs the page asked for since the last call (from Chrome's performance log)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def need_built(built: bool, what: str) -> None:
    """Skip a test that needs a part of the front end `make test` builds with npm, unless
    CI requires it (KG_REQUIRE_BROWSER), where its absence is a failure."""
    import os

    if not built:
        message = f"{what} is not built (make test builds it with npm)"
        if os.environ.get("KG_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def listener():
    """A local port that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                seen.append(conn.recv(4096))
            except OSError:
                seen.append(b"")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/", seen
    stop.set()
    thread.join()
    server.close()
