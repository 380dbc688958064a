"""Every coverage question on every SPARQL engine the suite can start gives the embedded store's
answer: the same rows (as multisets; lists as sets; numbers as numbers) and, since every
question asks for an order, the same rows in the same order.  The engines: the embedded store
(pyoxigraph, the reference), a real ``oxigraph serve`` and a real Virtuoso, the last two over
HTTP through SPARQLWrapper, exactly as ``wikibot coverage`` sends the queries.  The data: the
example registry, and a generated registry of 1,000 entries, each loaded once per server into
a graph of its own, chosen per query by ``default-graph-uri`` (``[query] default_graph``).
The embedded answers are themselves checked against the Python oracle on both registries.
What a query must avoid to pass here is in ``wikibot/coverage/queries/README.md``."""

from __future__ import annotations

import pytest

from tests import coverage_oracle as oracle
from tests.coverage_support import TODAY, CoverageEnv, differences, table
from tests.oxigraph import Oxigraph
from tests.virtuoso import Virtuoso
from wikibot.adapters.query_live import SparqlEndpoint
from wikibot.coverage.questions import NAMES
from wikibot.coverage.template import Name

DATASETS = ("example", "generated-1000")
GRAPH = "http://example.org/wikibot-tests/"  # + the dataset's name
USER_AGENT = "wikibot tests (coverage on every engine)"
ENGINES = ["oxigraph-serve", pytest.param("virtuoso", marks=pytest.mark.virtuoso)]
Served = dict[str, SparqlEndpoint]


@pytest.fixture(scope="module")
def datasets(coverage_env: CoverageEnv, generated_env: CoverageEnv) -> dict[str, CoverageEnv]:
    return {"example": coverage_env, "generated-1000": generated_env}


@pytest.fixture(scope="module")
def oxigraph_serve(oxigraph: Oxigraph, datasets: dict[str, CoverageEnv]) -> Served:
    """Each registry's RDF in a graph of its own on a real ``oxigraph serve``."""
    for name, env in datasets.items():
        oxigraph.load_turtle(env.ntriples, graph=GRAPH + name)  # N-Triples is Turtle
    return {name: SparqlEndpoint(oxigraph.query_url, user_agent=USER_AGENT, default_graph=GRAPH + name, retries=0)
            for name in datasets}


@pytest.fixture(scope="module")
def virtuoso_served(virtuoso: Virtuoso, datasets: dict[str, CoverageEnv]) -> Served:
    """Each registry's RDF in a graph of its own on a real Virtuoso."""
    for name, env in datasets.items():
        virtuoso.load_ntriples(env.ntriples, graph=GRAPH + name)
    return {name: SparqlEndpoint(virtuoso.query_url, user_agent=USER_AGENT, default_graph=GRAPH + name, retries=0)
            for name in datasets}


def _served(request: pytest.FixtureRequest, engine: str) -> Served:
    fixture = {"oxigraph-serve": "oxigraph_serve", "virtuoso": "virtuoso_served"}[engine]
    served: Served = request.getfixturevalue(fixture)
    return served


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_every_engine_answers_every_question_as_the_embedded_store(
        engine: str, name: str, dataset: str, datasets: dict[str, CoverageEnv], request: pytest.FixtureRequest) -> None:
    env = datasets[dataset]
    embedded = env.ask(name)
    served = env.ask(name, endpoint=_served(request, engine)[dataset])
    assert served.query == embedded.query  # the same text, sent as it is
    assert embedded.result.rows, f"{name}: no rows on the {dataset} registry: nothing was compared"
    assert differences(embedded, served) == [], f"{name} on {engine}, {dataset} registry"


@pytest.mark.parametrize("engine", ENGINES)
def test_each_triple_is_counted_once_in_the_chosen_graph(engine: str, datasets: dict[str, CoverageEnv],
                                                         request: pytest.FixtureRequest) -> None:
    # shared reference and value nodes are kept once in the embedded store, as on the servers;
    # and the servers' other graphs (the other registry, Virtuoso's own) are not seen
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for dataset, endpoint in _served(request, engine).items():
        assert endpoint.select(query).values("n") == datasets[dataset].store.select(query).values("n"), dataset


@pytest.mark.parametrize("engine", ENGINES)
def test_a_prefixed_name_of_the_instance_reaches_every_engine(engine: str, coverage_env: CoverageEnv,
                                                              request: pytest.FixtureRequest) -> None:
    context = coverage_env.context()
    hub_class = Name("wd", coverage_env.mapping.qid("class:hub"))
    query = context.render("SELECT (COUNT(?x) AS ?n) WHERE { ?x wdt:{{P:instance_of}} wd:{{Q:class:hub}} }")
    assert f"{hub_class.prefix}:{hub_class.local}" in query
    served = _served(request, engine)["example"]
    assert served.select(query).values("n") == coverage_env.store.select(query).values("n") == [13]


def test_the_embedded_answers_at_1000_entries_are_the_python_ones(generated_env: CoverageEnv) -> None:
    """The reference itself, on the generated registry (the example's are checked question by
    question in the other modules of tests/coverage)."""
    env, registry = generated_env, generated_env.registry
    assert len(registry.entries) == 1000
    checks = {
        "languages": (("rank", "code", "language", "speakers", "operating", "belowPilot", "inactive", "verdict"),
                      oracle.languages(registry, 10)),
        "regions": (("region", "hubs", "operating", "affiliates", "inNoHub", "inNoHubCount", "verdict"),
                    oracle.regions(registry)),
        "themes": (("theme", "hubs", "openHubs", "partnerships", "stewards", "largest", "leads"),
                   oracle.themes(registry)),
        "partnerships": (("type", "steward", "count", "partnerships"), oracle.partnerships(registry)),
        "reviews": (("hub", "status", "state"), oracle.reviews(registry, TODAY, 30)),
        "completeness": (("class", "field", "items", "with"), oracle.completeness(registry)),
        "gaps": (("dimension", "code", "label"), oracle.gaps(registry, 10)),
    }
    assert set(checks) == set(NAMES)
    for name, (variables, expected) in checks.items():
        assert table(env.ask(name), *variables) == expected, name
        assert expected, f"{name}: nothing to compare on the generated registry"
