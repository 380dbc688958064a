"""The QueryEndpoint port: one suite for the embedded store (pyoxigraph) and the live endpoint
(SPARQLWrapper against a real ``oxigraph serve``), both holding the real Wikibase export
``dump_full.ttl``; answers checked against the ones captured on that data
(``dump_full_pyoxigraph_queries.json``) or counted from the export itself.  Then what only the
live endpoint does (retries, Retry-After, POST, User-Agent, timeouts), against a stub HTTP
server on 127.0.0.1; and what only the embedded store does (one entity's triples replaced)."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from tests.mediawiki import _no_proxy_for_localhost
from tests.oxigraph import Oxigraph
from tests.servers import free_port
from wikibot.adapters.query_embedded import EmbeddedQueryStore, Triple
from wikibot.adapters.query_live import POST_THRESHOLD, SparqlEndpoint
from wikibot.ports import QueryEndpoint, QueryEndpointError, QueryError, RdfTerm, SelectResult

FIXTURES = Path(__file__).parent.parent / "fixtures" / "wikibase"
DUMP = FIXTURES / "dump_full.ttl"
CAPTURED = json.loads((FIXTURES / "dump_full_pyoxigraph_queries.json").read_text(encoding="utf-8"))
PREFIXES = "\n".join([*CAPTURED["prefixes"], "PREFIX s: <http://127.0.0.1:8282/entity/statement/>"]) + "\n"
ENTITY = CAPTURED["concept_base_uri"]
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
WIKIBASE_ITEM = "http://wikiba.se/ontology#Item"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
USER_AGENT = "wikibot-tests/1.0 (https://example.org/wikibot; tests@example.org)"


def _dump() -> list[ox.Quad]:
    return list(ox.parse(DUMP.read_bytes(), format=ox.RdfFormat.TURTLE))


def _labels() -> dict[str, dict[str, str]]:
    """entity IRI -> language -> label, read from the export itself (the oracle)."""
    labels: dict[str, dict[str, str]] = {}
    for quad in _dump():
        if quad.predicate.value == RDFS_LABEL and isinstance(quad.object, ox.Literal) and quad.object.language:
            labels.setdefault(quad.subject.value, {})[quad.object.language] = quad.object.value
    return labels


def _nt_rows(result: SelectResult) -> list[dict[str, str]]:
    return [{name: term.to_ntriples() for name, term in row.items()} for row in result.rows]


def _sorted(rows: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    return sorted(sorted(row.items()) for row in rows)


# -- the two adapters, each holding the export ---------------------------------------------------------

@pytest.fixture(scope="module")
def embedded() -> EmbeddedQueryStore:
    store = EmbeddedQueryStore()
    store.load_turtle(DUMP.read_bytes())
    return store


@pytest.fixture(scope="module")
def live(oxigraph: Oxigraph) -> SparqlEndpoint:
    oxigraph.load_turtle(DUMP.read_bytes())
    return SparqlEndpoint(oxigraph.query_url, user_agent=USER_AGENT, timeout=30, retries=0)


@pytest.fixture(params=["embedded", pytest.param("live", marks=pytest.mark.oxigraph)])
def endpoint(request: pytest.FixtureRequest) -> QueryEndpoint:
    adapter: QueryEndpoint = request.getfixturevalue(request.param)
    return adapter


# -- the shared suite -------------------------------------------------------------------------------------

def test_is_a_query_endpoint(endpoint: QueryEndpoint) -> None:
    assert isinstance(endpoint, QueryEndpoint)


@pytest.mark.parametrize("captured", CAPTURED["queries"], ids=[q["name"] for q in CAPTURED["queries"]])
def test_the_captured_answers(endpoint: QueryEndpoint, captured: dict[str, Any]) -> None:
    result = endpoint.select(PREFIXES + captured["sparql"])
    assert result.variables == tuple(captured["variables"])
    if "ORDER BY" in captured["sparql"]:
        assert _nt_rows(result) == captured["rows"]
    else:  # no order asked: the same rows in any order
        assert _sorted(_nt_rows(result)) == _sorted(captured["rows"])


def test_count_of_items(endpoint: QueryEndpoint) -> None:
    items = {q.subject.value for q in _dump() if q.predicate.value == RDF_TYPE and q.object.value == WIKIBASE_ITEM}
    result = endpoint.select(PREFIXES + "SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE { ?item a wikibase:Item }")
    assert result.rows == ({"n": RdfTerm("literal", str(len(items)), datatype=XSD_INTEGER)},)
    assert result.values("n") == [len(items)] == [66]


def test_labels_keep_their_language_tags(endpoint: QueryEndpoint) -> None:
    result = endpoint.select(PREFIXES + "SELECT ?label WHERE { wd:Q5 rdfs:label ?label }")
    expected = _labels()[ENTITY + "Q5"]
    assert {(t.value, t.language) for t in (row["label"] for row in result.rows)} == {
        (label, language) for language, label in expected.items()}
    assert all(row["label"].datatype is None for row in result.rows)


def test_a_plain_string_has_no_datatype_and_an_integer_is_an_int(endpoint: QueryEndpoint) -> None:
    result = endpoint.select(PREFIXES + 'SELECT ?id ?n WHERE { wd:Q5 wdt:P3 ?id FILTER(?id = "ADAMS-0042") '
                                        "BIND(STRLEN(?id) AS ?n) }")
    assert result.rows == ({"id": RdfTerm("literal", "ADAMS-0042"),
                            "n": RdfTerm("literal", "10", datatype=XSD_INTEGER)},)
    assert result.values("id") == ["ADAMS-0042"] and result.values("n") == [10]


def test_optional_with_a_language_fallback(endpoint: QueryEndpoint) -> None:
    query = PREFIXES + """
        SELECT ?item ?fr ?label WHERE {
          VALUES ?item { wd:Q1 wd:Q5 wd:Q6 }
          OPTIONAL { ?item rdfs:label ?fr FILTER(LANG(?fr) = "fr") }
          OPTIONAL { ?item rdfs:label ?en FILTER(LANG(?en) = "en") }
          BIND(COALESCE(?fr, ?en) AS ?label)
        } ORDER BY ?item"""
    result = endpoint.select(query)
    labels = _labels()
    assert result.variables == ("item", "fr", "label")
    assert [row["item"].value for row in result.rows] == [ENTITY + "Q1", ENTITY + "Q5", ENTITY + "Q6"]
    assert [(row["label"].value, row["label"].language) for row in result.rows] == [
        (labels[ENTITY + "Q1"]["fr"], "fr"), (labels[ENTITY + "Q5"]["fr"], "fr"), (labels[ENTITY + "Q6"]["en"], "en")]
    assert "fr" not in result.rows[2]  # unbound: absent from its row
    assert result.values("fr")[2] is None


def test_an_aggregate_with_group_by(endpoint: QueryEndpoint) -> None:
    result = endpoint.select(PREFIXES + """
        SELECT ?lang (COUNT(*) AS ?n) WHERE { ?item a wikibase:Item ; rdfs:label ?l BIND(LANG(?l) AS ?lang) }
        GROUP BY ?lang ORDER BY DESC(?n) ?lang""")
    items = {q.subject.value for q in _dump() if q.predicate.value == RDF_TYPE and q.object.value == WIKIBASE_ITEM}
    counted = Counter(language for entity, by_language in _labels().items() if entity in items
                      for language in by_language)
    assert [(lang, n) for lang, n in zip(result.values("lang"), result.values("n"), strict=True)] == sorted(
        counted.items(), key=lambda pair: (-pair[1], pair[0]))
    assert counted["fr"] == 2  # Q1 and Q5


def test_a_long_query(endpoint: QueryEndpoint) -> None:
    items = " ".join(f"wd:Q{n}" for n in range(1, 400))
    query = PREFIXES + (f"SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{ VALUES ?item {{ {items} }} "
                        "?item a wikibase:Item }")
    assert len(query) > POST_THRESHOLD
    assert endpoint.select(query).values("n") == [66]


def test_a_syntax_error_is_a_query_error(endpoint: QueryEndpoint) -> None:
    with pytest.raises(QueryError, match=r"\S"):
        endpoint.select("SELECT ?x WHERE { ?x ")


def test_both_adapters_give_identical_results(embedded: EmbeddedQueryStore, live: SparqlEndpoint) -> None:
    """Not only the same values: the same SelectResult, down to languages, datatypes and unbound cells
    (blank nodes aside, whose labels are each store's own)."""
    queries = [q["sparql"] for q in CAPTURED["queries"]]
    queries += [
        "SELECT ?p ?o WHERE { wd:Q5 ?p ?o FILTER(!isBlank(?o)) } ORDER BY ?p ?o",
        "SELECT ?s ?o WHERE { ?s wdt:P7 ?o } ORDER BY ?s ?o",
        "SELECT ?item ?d WHERE { ?item wdt:P1 wd:Q1 OPTIONAL { ?item schema:description ?d FILTER(LANG(?d)='fr') } }"
        " ORDER BY ?item",
    ]
    for query in queries:
        full = PREFIXES + "PREFIX schema: <http://schema.org/>\n" + query
        mine, theirs = embedded.select(full), live.select(full)
        if "ORDER BY" not in query:  # no order asked: compare the rows in any order
            mine, theirs = (SelectResult(r.variables, tuple(sorted(r.rows, key=repr))) for r in (mine, theirs))
        assert mine == theirs, query
        assert mine.rows, query
    blanks = "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isBlank(?o)) } ORDER BY ?s"
    kinds = [row["o"].kind for row in embedded.select(blanks).rows]
    assert kinds == [row["o"].kind for row in live.select(blanks).rows]
    assert set(kinds) == {"bnode"}


# -- the live endpoint against a stub server ---------------------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


ANSWER = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
    {"n": {"type": "literal", "value": "3", "datatype": XSD_INTEGER}}]}}).encode()


class Stub:
    """An HTTP server on 127.0.0.1 that gives the scripted replies in turn (the last one again when
    they run out) and records every request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.seen: list[Seen] = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                    params.update(urllib.parse.parse_qsl(body.decode()))
                stub.seen.append(Seen(self.command, url.path, params, dict(self.headers.items()), body))
                reply = stub.replies[min(len(stub.seen), len(stub.replies)) - 1]
                if reply.delay:
                    stub.release.wait(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", "application/sparql-results+json"))
                for name, value in reply.headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub() -> Iterator[Stub]:
    _no_proxy_for_localhost()
    server = Stub()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def _endpoint(url: str, sleeps: list[float], **options: Any) -> SparqlEndpoint:
    return SparqlEndpoint(url, user_agent=USER_AGENT, sleep=sleeps.append, **options)


def test_429_with_retry_after_is_waited_for_then_answered(stub: Stub, sleeps: list[float],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    stub.replies = [Reply(429, b"slow down", {"Retry-After": "7"}), Reply(200, ANSWER)]
    with caplog.at_level(logging.WARNING, logger="wikibot.adapters.query_live"):
        result = _endpoint(stub.url, sleeps).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.values("n") == [3]
    assert sleeps == [7.0]
    assert len(stub.seen) == 2
    assert "HTTP 429" in caplog.text and "waiting 7 s" in caplog.text


def test_a_retry_after_beyond_the_cap_is_not_waited_for(stub: Stub, sleeps: list[float]) -> None:
    stub.replies = [Reply(429, b"", {"Retry-After": "3600"}), Reply(200, ANSWER)]
    with pytest.raises(QueryEndpointError, match=r"HTTP 429.*wait 3600 s, more than the 60 s"):
        _endpoint(stub.url, sleeps, max_wait=60).select("SELECT * WHERE { ?s ?p ?o }")
    assert sleeps == [] and len(stub.seen) == 1


def test_repeated_503_gives_up_after_the_retries(stub: Stub, sleeps: list[float]) -> None:
    stub.replies = [Reply(503, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"})]
    with pytest.raises(QueryEndpointError, match=r"HTTP 503.*Service Unavailable.*gave up after 3 attempts"):
        _endpoint(stub.url, sleeps, retries=2, backoff=0.5, max_wait=0.7).select("SELECT * WHERE { ?s ?p ?o }")
    assert len(stub.seen) == 3  # the first request and two retries
    assert sleeps == [0.5, 0.7]  # doubled, then capped


def test_the_user_agent_is_sent_and_a_short_query_is_a_get(stub: Stub, sleeps: list[float]) -> None:
    stub.replies = [Reply(200, ANSWER)]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _endpoint(stub.url, sleeps).select(query)
    (seen,) = stub.seen
    assert seen.headers["User-Agent"] == USER_AGENT
    assert "application/sparql-results+json" in seen.headers["Accept"]
    assert (seen.method, seen.path, seen.params) == ("GET", "/sparql", {"query": query})


def test_a_long_query_is_posted_url_encoded(stub: Stub, sleeps: list[float]) -> None:
    stub.replies = [Reply(200, ANSWER)]
    query = "SELECT ?s WHERE { VALUES ?s { " + " ".join(f"<urn:x:{n}>" for n in range(200)) + " } }"
    assert len(query) > POST_THRESHOLD
    _endpoint(stub.url, sleeps).select(query)
    (seen,) = stub.seen
    assert seen.method == "POST"
    assert seen.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert seen.params == {"query": query}
    assert seen.headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize("length", [10, POST_THRESHOLD + 1], ids=["get", "post"])
def test_the_default_graph_is_sent_as_default_graph_uri(stub: Stub, sleeps: list[float], length: int) -> None:
    stub.replies = [Reply(200, ANSWER)]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }" + " " * length
    _endpoint(stub.url, sleeps, default_graph="http://example.org/graph?a=1&b=2").select(query)
    (seen,) = stub.seen
    assert seen.method == ("GET" if length == 10 else "POST")
    assert seen.params == {"query": query, "default-graph-uri": "http://example.org/graph?a=1&b=2"}


def test_the_default_graph_chooses_what_a_real_server_answers_from(oxigraph: Oxigraph, live: SparqlEndpoint) -> None:
    graph = "http://example.org/wikibot-tests/default-graph"
    oxigraph.load_turtle(b'<http://example.org/only-here> <http://example.org/p> "in the graph" .', graph=graph)
    query = "SELECT ?o WHERE { <http://example.org/only-here> ?p ?o }"
    chosen = SparqlEndpoint(oxigraph.query_url, user_agent=USER_AGENT, default_graph=graph, retries=0)
    assert chosen.select(query).values("o") == ["in the graph"]
    assert live.select(query).rows == ()  # the server's own default graph holds the dump, not this
    items = PREFIXES + "SELECT ?item WHERE { ?item a wikibase:Item }"
    assert live.select(items).rows and chosen.select(items).rows == ()


def test_a_timeout_is_an_endpoint_error_and_not_retried(stub: Stub, sleeps: list[float]) -> None:
    stub.replies = [Reply(200, ANSWER, delay=5.0)]
    started = time.monotonic()
    with pytest.raises(QueryEndpointError, match=r"no answer within 0\.3 s"):
        _endpoint(stub.url, sleeps, timeout=0.3).select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 3.0
    assert len(stub.seen) == 1 and sleeps == []


def test_http_400_is_a_query_error_with_the_endpoint_message(stub: Stub, sleeps: list[float]) -> None:
    stub.replies = [Reply(400, "Parse error: line 1, unexpected « }»".encode(), {"Content-Type": "text/plain"})]
    with pytest.raises(QueryError) as raised:
        _endpoint(stub.url, sleeps).select("SELECT * WHERE { ?s ?p }")
    assert str(raised.value) == "Parse error: line 1, unexpected « }»"
    assert len(stub.seen) == 1 and sleeps == []


def test_an_answer_that_is_not_a_result(stub: Stub, sleeps: list[float]) -> None:
    stub.replies = [Reply(200, b"<html>a captive portal</html>", {"Content-Type": "text/html"})]
    with pytest.raises(QueryEndpointError, match="not a SPARQL JSON result"):
        _endpoint(stub.url, sleeps).select("SELECT * WHERE { ?s ?p ?o }")


def test_an_unreachable_endpoint_is_retried_then_an_endpoint_error(sleeps: list[float]) -> None:
    _no_proxy_for_localhost()
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with pytest.raises(QueryEndpointError, match=r"unreachable.*gave up after 3 attempts"):
        _endpoint(url, sleeps, retries=2, backoff=0.1).select("SELECT * WHERE { ?s ?p ?o }")
    assert sleeps == [0.1, 0.2]


def test_no_user_agent_is_refused() -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        SparqlEndpoint("http://127.0.0.1:1/sparql", user_agent=" ")


# -- the embedded store: one entity at a time -----------------------------------------------------------

def _term(term: Any) -> RdfTerm:
    if isinstance(term, ox.NamedNode):
        return RdfTerm("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return RdfTerm("bnode", term.value)
    datatype = None if term.language else term.datatype.value
    return RdfTerm("literal", term.value, language=term.language, datatype=datatype)


def _owner(subject: str) -> str | None:
    """The entity a subject belongs to in a Wikibase export (None: shared, or the export's header)."""
    for prefix in (ENTITY + "statement/", "http://127.0.0.1:8282/index.php/Special:EntityData/", ENTITY):
        if subject.startswith(prefix):
            local = subject[len(prefix):]
            entity = local.split("-", 1)[0]
            if entity[:1] in "QP" and entity[1:].isdigit():
                return ENTITY + entity
    return None


def _by_entity() -> tuple[dict[str, list[Triple]], list[Triple]]:
    own: dict[str, list[Triple]] = {}
    shared: list[Triple] = []
    for quad in _dump():
        triple = (_term(quad.subject), _term(quad.predicate), _term(quad.object))
        owner = _owner(quad.subject.value) if isinstance(quad.subject, ox.NamedNode) else None
        (own.setdefault(owner, []) if owner else shared).append(triple)
    return own, shared


def _graph_rows(store: EmbeddedQueryStore, entity: str) -> list[dict[str, str]]:
    return _nt_rows(store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{entity}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"))


def test_an_export_stored_entity_by_entity_answers_as_the_whole(tmp_path: Path) -> None:
    own, shared = _by_entity()
    store = EmbeddedQueryStore(tmp_path / "store")
    for entity, triples in own.items():
        store.replace_entity(entity, triples, shared=shared)  # the shared triples again each time: kept once
    assert len(store) == CAPTURED["triples"] == 2431
    assert store.graphs() == set(own) and len(own) == 66 + 11
    for captured in CAPTURED["queries"]:
        result = store.select(PREFIXES + captured["sparql"])
        assert _sorted(_nt_rows(result)) == _sorted(captured["rows"]), captured["name"]


def test_replacing_one_entity_leaves_the_others_untouched(tmp_path: Path) -> None:
    own, shared = _by_entity()
    store = EmbeddedQueryStore(tmp_path / "store")
    for entity, triples in own.items():
        store.replace_entity(entity, triples, shared=shared)
    q5, q6 = ENTITY + "Q5", ENTITY + "Q6"
    before = {entity: _graph_rows(store, entity) for entity in own if entity != q5}
    label = (RdfTerm("uri", q5), RdfTerm("uri", RDFS_LABEL), RdfTerm("literal", "Douglas Adams", language="en"))
    kept = [t for t in own[q5] if t[1].value != RDFS_LABEL and "statement/" not in t[0].value]
    store.replace_entity(q5, [*kept, (label[0], label[1], RdfTerm("literal", "D. Adams (renamed)", language="en"))])

    labels = store.select(PREFIXES + "SELECT ?l WHERE { wd:Q5 rdfs:label ?l }")
    assert [(t.value, t.language) for t in (row["l"] for row in labels.rows)] == [("D. Adams (renamed)", "en")]
    statements = store.select(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?s wikibase:rank ?r FILTER(STRSTARTS(STR(?s),"
                              f' "{ENTITY}statement/Q5-")) }}')
    assert statements.values("n") == [0]  # Q5's statement nodes went with it
    assert {entity: _graph_rows(store, entity) for entity in own if entity != q5} == before
    assert store.select(PREFIXES + "SELECT ?l WHERE { wd:Q6 rdfs:label ?l FILTER(LANG(?l)='en') }").values("l") == [
        "Berlin (city)"]
    assert len(store) == 2431 - len(own[q5]) + len(kept) + 1

    store.remove_entity(q6)
    assert q6 not in store.graphs() and _graph_rows(store, q6) == []
    assert store.select(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?r a wikibase:Reference }").values("n") == [3]


def test_replacing_with_invalid_turtle_changes_nothing() -> None:
    store = EmbeddedQueryStore()
    entity = "http://example.org/entity/Q1"
    store.replace_entity(entity, f'<{entity}> <{RDFS_LABEL}> "one"@en .')
    with pytest.raises(ValueError, match="not valid Turtle"):
        store.replace_entity(entity, f'<{entity}> <{RDFS_LABEL}> "two"@en')  # no final dot
    assert store.select(f"SELECT ?l WHERE {{ <{entity}> ?p ?l }}").values("l") == ["one"]


def test_a_store_on_disk_is_there_for_the_next_process(tmp_path: Path) -> None:
    store = EmbeddedQueryStore(tmp_path / "query")
    store.load_turtle(DUMP.read_bytes(), graph=ENTITY + "dump")
    store.flush()
    del store
    again = EmbeddedQueryStore(tmp_path / "query")
    assert len(again) == 2431 and again.graphs() == {ENTITY + "dump"}
    again.clear()
    assert len(again) == 0 and again.select("SELECT * WHERE { ?s ?p ?o }").rows == ()


def test_only_select_is_answered_by_the_embedded_store() -> None:
    with pytest.raises(QueryError, match="not a SELECT"):
        EmbeddedQueryStore().select("ASK { ?s ?p ?o }")
