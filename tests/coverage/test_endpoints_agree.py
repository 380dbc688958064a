"""Every coverage question gives the same answer on a real ``oxigraph serve`` over HTTP, through
SPARQLWrapper, as on the embedded store: the queries are standard SPARQL, and the same text
runs on both."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.coverage_support import CoverageEnv, table
from tests.oxigraph import Oxigraph
from wikibot.adapters.query_live import SparqlEndpoint
from wikibot.coverage.questions import NAMES
from wikibot.coverage.template import Name
from wikibot.wikibase.rdf import entities_triples


@pytest.fixture(scope="module")
def served(oxigraph: Oxigraph, coverage_env: CoverageEnv) -> SparqlEndpoint:
    """The example registry's RDF, made from the same entities, in the server's default graph."""
    fetched = coverage_env.entities.fetch_entities(coverage_env.entities.entity_ids())
    documents = [{**e.data, "lastrevid": e.revid} for e in fetched.values() if e is not None]
    triples = entities_triples(documents, coverage_env.prefixes)
    oxigraph.clear()
    oxigraph.load_turtle(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    return SparqlEndpoint(oxigraph.query_url, user_agent="wikibot tests (coverage)")


@pytest.mark.parametrize("name", NAMES)
def test_the_server_and_the_embedded_store_agree(name: str, served: SparqlEndpoint,
                                                 coverage_env: CoverageEnv) -> None:
    embedded = coverage_env.ask(name)
    remote = coverage_env.ask(name, endpoint=served)
    assert remote.query == embedded.query
    assert remote.result.variables == embedded.result.variables
    assert table(remote) == table(embedded)
    assert embedded.result.rows, f"{name}: no rows on the example registry: nothing was compared"


def test_the_server_counts_each_triple_once(served: SparqlEndpoint, coverage_env: CoverageEnv) -> None:
    # shared reference and value nodes are kept once in the embedded store, as on the server
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert served.select(query).values("n") == coverage_env.store.select(query).values("n")


def test_a_prefixed_name_of_the_instance_reaches_both(served: SparqlEndpoint, coverage_env: CoverageEnv) -> None:
    context = coverage_env.context()
    hub_class = Name("wd", coverage_env.mapping.qid("class:hub"))
    query = context.render("SELECT (COUNT(?x) AS ?n) WHERE { ?x wdt:{{P:instance_of}} wd:{{Q:class:hub}} }")
    assert f"{hub_class.prefix}:{hub_class.local}" in query
    assert served.select(query).values("n") == coverage_env.store.select(query).values("n") == [13]
