"""Screenshots of each view of the explorer, for reviewers and the README.

    .venv/bin/python docs/screenshots.py [--build build] [--out docs/screenshots]

Starts `kg serve` on the built graph, drives headless Chromium (Debian's chromium and
chromium-driver, as the browser tests do) through the views a person uses, and writes one
PNG per view. Needs the test extras (selenium): `make install-dev`.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

FIGURES_BY_YEAR = """PREFIX kg: <https://w3id.org/zjkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?year ?city (COUNT(?obs) AS ?figures) WHERE {
  ?obs a kg:Observation ; kg:year ?year ; kg:region/kg:partOf* ?c .
  ?c a kg:City ; rdfs:label ?city . FILTER (lang(?city) = "zh")
} GROUP BY ?year ?city ORDER BY ?year"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LEADERS_AND_PLACES = """PREFIX kg: <https://w3id.org/zjkg/ontology#>
SELECT ?company ?industry ?place WHERE { ?company kg:leadsChain ?industry ; kg:locatedIn ?place }"""


def browser(width: int = 1400, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--window-size={width},{height}",
                 "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def wait(driver, script: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if driver.execute_script(script):
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for: {script}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--build", str(args.build), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    driver = None
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        driver = browser()
        shots = []

        def shot(name: str) -> None:
            time.sleep(0.4)
            path = args.out / f"{name}.png"
            driver.save_screenshot(str(path))
            shots.append(path)

        # the query page: a named query's results as a table, with labels beside IRIs
        driver.get(base + "/?" + urlencode({"name": "city-chains", "city": "金华"}))
        wait(driver, "return document.querySelectorAll('#results tr.row').length > 0 && "
                     "document.querySelector('#results code.iri') !== null")
        shot("query-table")
        # completion in the editor
        driver.get(base + "/")
        wait(driver, "return document.querySelector('.cm-content') !== null")
        driver.execute_script("kgQueryPage.editor.setValue('PREFIX kg: <https://w3id.org/zjkg/ontology#>\\n"
                              "SELECT ?c WHERE { ?c kg:lea'); kgQueryPage.editor.focus();"
                              "var v = kgQueryPage.editor.view; v.dispatch({selection: {anchor: v.state.doc.length}});"
                              "kgQueryPage.editor.complete();")
        wait(driver, "return document.querySelector('.cm-tooltip-autocomplete') !== null")
        shot("query-completion")
        # figures by year as a chart (scrolled to the results)
        driver.get(base + "/?" + urlencode({"query": FIGURES_BY_YEAR, "view": "chart"}))
        wait(driver, "return document.querySelector('#chart .point') !== null")
        driver.execute_script("document.getElementById('status').scrollIntoView()")
        shot("query-chart")
        # the graph view of a result
        driver.get(base + "/?" + urlencode({"query": LEADERS_AND_PLACES, "view": "graph"}))
        wait(driver, "return document.querySelector('#graph canvas') !== null")
        driver.execute_script("document.getElementById('status').scrollIntoView()")
        time.sleep(3)
        shot("query-graph")
        # search in the header
        driver.get(base + "/id/company/" + quote("晶科能源"))
        box = driver.find_element("id", "site-search")
        box.send_keys("jinhua")
        wait(driver, "return document.querySelectorAll('#site-search-hits li').length > 0")
        shot("search")
        # an entity page, a place page, a document page
        driver.get(base + "/id/company/" + quote("晶科能源"))
        shot("entity-company")
        driver.get(base + "/id/place/330700")
        shot("entity-place")
        driver.get(base + "/id/doc/000_e2287a8c5824cdbc")
        shot("document")
        # the map, at the fitted zoom, then with a node clicked
        driver.get(base + "/map")
        wait(driver, "return document.getElementById('status').textContent.indexOf('settled') >= 0", 90)
        time.sleep(1)
        shot("map")
        driver.execute_script("kgMap.select(kgMap.hubs()[0]);")
        time.sleep(1)
        shot("map-selected")
        for path in shots:
            print(path)
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
