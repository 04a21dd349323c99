"""The SPARQL Protocol's request rules, the Host check, the map cache and IRI paths, without a server."""
from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from kg.serve.app import MapCache
from kg.serve.guard import GraphSelection
from kg.serve.limits import Limits, host_allowed
from kg.serve.markup import local_link, uri_to_iri
from kg.serve.protocol import BadRequest, sparql_request

Q = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
FORM = "application/x-www-form-urlencoded"


def refused(status, *args):
    with pytest.raises(BadRequest) as error:
        sparql_request(*args)
    assert error.value.status == status
    return str(error.value)


def test_protocol_get_post_and_form_give_the_query():
    assert sparql_request("GET", "", urlencode({"query": Q}).encode(), b"").query == Q
    assert sparql_request("POST", "application/sparql-query", b"", Q.encode()).query == Q
    assert sparql_request("POST", FORM, b"", urlencode({"query": Q}).encode()).query == Q


def test_protocol_more_than_one_query_is_a_400():
    assert "send exactly one" in refused(400, "GET", "", urlencode([("query", Q), ("query", "ASK {}")]).encode(), b"")
    refused(400, "POST", FORM, urlencode({"query": Q}).encode(), urlencode({"query": "ASK {}"}).encode())
    refused(400, "POST", "application/sparql-query", urlencode({"query": Q}).encode(), Q.encode())


def test_protocol_dataset_parameters_from_url_and_form():
    g1, g2 = "https://w3id.org/zjkg/id/graph/a", "https://w3id.org/zjkg/id/graph/reference"
    asked = sparql_request("GET", "", urlencode([("query", Q), ("default-graph-uri", g1),
                                                 ("named-graph-uri", g1), ("named-graph-uri", g2)]).encode(), b"")
    assert asked.dataset == GraphSelection((g1,), (g1, g2))
    form = sparql_request("POST", FORM, urlencode({"default-graph-uri": g2}).encode(), urlencode({"query": Q}).encode())
    assert form.dataset == GraphSelection((g2,), ())
    assert "not an absolute IRI" in refused(400, "GET", "", urlencode({"query": Q, "default-graph-uri": "x y"}).encode(), b"")


def test_protocol_encodings():
    assert sparql_request("POST", "application/sparql-query; charset=utf-16", b"", "ASK { ?s ?p \"长\" }".encode("utf-16")).query \
        == 'ASK { ?s ?p "长" }'
    assert sparql_request("POST", "application/sparql-query", b"", "ASK {}".encode("utf-16")).query == "ASK {}"   # by its BOM
    assert "not utf-8" in refused(400, "POST", "application/sparql-query", b"", b"ASK { \xff }")
    assert "not UTF-8" in refused(400, "GET", "", b"query=ASK%20%7B%FF%7D", b"")
    refused(415, "POST", "application/sparql-query; charset=rot13", b"", b"ASK {}")
    refused(415, "POST", "text/plain", b"", b"ASK {}")


def test_protocol_updates_and_bad_parameters():
    refused(403, "POST", "application/sparql-update", b"", b"DROP ALL")
    refused(403, "POST", FORM, b"", b"update=DROP%20ALL")
    refused(400, "GET", "", b"", b"")
    refused(400, "GET", "", urlencode({"query": Q, "format": "bogus"}).encode(), b"")


@pytest.mark.parametrize("host, bound, allowed", [
    ("127.0.0.1:8000", "127.0.0.1", True), ("localhost:8000", "127.0.0.1", True), ("[::1]:8000", "127.0.0.1", True),
    ("evil.example:8000", "127.0.0.1", False), ("evil.example", "0.0.0.0", False), ("10.0.0.5:80", "0.0.0.0", True),
    ("10.0.0.5", "127.0.0.1", False), ("kg.example.org", "127.0.0.1", False),
])
def test_protocol_host_header_names_the_bound_address(host, bound, allowed):
    assert host_allowed(host, Limits(bound_host=bound)) is allowed
    assert host_allowed("kg.example.org", Limits(bound_host=bound, allowed_hosts=frozenset({"kg.example.org"})))


def test_protocol_entity_paths_decode_once():
    iri_path = "company/甲%22乙%2F丙"           # an IRI with its own percent-encoded characters
    link = local_link("https://w3id.org/zjkg/id/" + iri_path)
    assert "%22" in link and "%2F" in link and "%25" not in link
    assert uri_to_iri(link.removeprefix("/id/")) == iri_path
    assert uri_to_iri(quote("甲光伏")) == "甲光伏" and uri_to_iri("%41b%7e") == "Ab~"


def test_protocol_map_cache_is_bounded():
    cache = MapCache(max_bytes=1000)
    for i in range(50):
        cache.put(("city", str(i)), "x" * 300)
    assert len(cache) == 3 and cache.size <= 1000
    assert cache.get(("city", "49")) is not None and cache.get(("city", "0")) is None
