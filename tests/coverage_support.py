"""The example registry synced into a local Wikibase and its RDF in an embedded query store,
with the registry models beside it, for checking each coverage question's SPARQL answer
against one computed in Python (``tests/coverage_oracle.py``); a generated registry of 1,000
entries made the same way (``generated_env``); and the comparison of two engines' answers
(``differences``): the same rows as multisets, numbers compared as numbers, and the same
order where the question asks for one."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from wikibot import jobs
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.query_embedded import EmbeddedQueryStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.cli import main
from wikibot.coverage.index import QueryIndex, with_revision
from wikibot.coverage.questions import Answer, ask, load_question, query_values
from wikibot.coverage.template import QueryContext
from wikibot.ports import QueryEndpoint
from wikibot.registry.check import Claim, Registry
from wikibot.registry.problems import SourceRef
from wikibot.settings import load_settings
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikibase.rdf import RdfPrefixes, entities_triples

TODAY = dt.date(2026, 11, 21)  # examples/registry/GAPS.md's "today"
CONCEPT_URI = "https://registry.example.org/entity/"


@dataclass
class CoverageEnv:
    root: Path | None  # the workspace (None: a generated registry, made without one)
    registry: Registry
    mapping: ResolvedMapping
    prefixes: RdfPrefixes
    store: EmbeddedQueryStore
    documents: list[dict[str, Any]] = field(repr=False)  # every entity's JSON, with its lastrevid

    def context(self, *, today: dt.date = TODAY, days: int = 30, top: int = 10) -> QueryContext:
        return QueryContext(self.mapping, self.prefixes, query_values(self.mapping, today=today, days=days, top=top))

    def ask(self, name: str, *, endpoint: QueryEndpoint | None = None, **values: object) -> Answer:
        return ask(endpoint if endpoint is not None else self.store, load_question(name), self.context(**values))  # type: ignore[arg-type]

    @cached_property
    def ntriples(self) -> bytes:
        """Every entity's RDF as one N-Triples document (each triple once), for a server."""
        return ox.serialize(entities_triples(self.documents, self.prefixes), format=ox.RdfFormat.N_TRIPLES)


def _run(*args: str) -> None:
    out = io.StringIO()
    code = main(list(args), out=out)
    assert code == 0, out.getvalue()


def build_env(root: Path) -> CoverageEnv:
    """``wikibot init``, ``bootstrap``, ``sync`` on a fresh copy of the example, then every
    entity of its local Wikibase written into an in-memory query store."""
    _run("init", str(root))
    _run("bootstrap", "--workspace", str(root))
    _run("sync", "--workspace", str(root))
    settings = load_settings(workspace=root)
    loaded = jobs.load_registry(settings, LocalPageStore(root))
    assert loaded.valid, loaded.problems
    mapping = InstanceIds.parse((root / "wikibase-ids.json").read_text(encoding="utf-8")).resolved()
    entities = LocalEntityStore(root)
    prefixes = RdfPrefixes.for_concept_uri(CONCEPT_URI)
    store = EmbeddedQueryStore()
    fetched = entities.fetch_entities(entities.entity_ids())
    documents = [with_revision(e.data, e.revid) for e in fetched.values() if e is not None]
    QueryIndex(store, prefixes).rebuild(documents)
    return CoverageEnv(root, loaded.registry, mapping, prefixes, store, documents)


def build_generated_env(n: int, seed: int = 0) -> CoverageEnv:
    """The registry of ``bench.generate.generate_entries(n, seed)`` as a Wikibase holds it after
    bootstrap and sync (``bench.bench_coverage.make_entities``: the mapping's properties and
    items, then one item per entry), in an in-memory query store; the entries beside it."""
    from bench.bench_coverage import make_entities
    from bench.generate import generate_entries

    instance, _ = make_entities(n, seed)
    prefixes = RdfPrefixes.for_concept_uri(CONCEPT_URI)
    store = EmbeddedQueryStore()
    QueryIndex(store, prefixes).rebuild(instance.entities)
    claims = tuple(Claim(entry.id, entry.kind, SourceRef("generated", 1), entry) for entry in generate_entries(n, seed))
    return CoverageEnv(None, Registry(claims, ()), instance.mapping, prefixes, store, instance.entities)


@pytest.fixture(scope="session")
def coverage_env(tmp_path_factory: pytest.TempPathFactory) -> CoverageEnv:
    return build_env(tmp_path_factory.mktemp("coverage") / "ws")


@pytest.fixture(scope="session")
def generated_env() -> CoverageEnv:
    """A generated registry of 1,000 entries, built once per test run."""
    return build_generated_env(1000)


def cell(answer: Answer, row: dict[str, object], variable: str) -> object:
    """One cell as Python: lists (the question's ``# lists:``) as sorted tuples, numbers as numbers."""
    term = row.get(variable)
    if term is None:
        return None
    value = term.to_python()  # type: ignore[attr-defined]
    if variable in answer.question.lists:
        return tuple(sorted(v for v in str(value).split(", ") if v))
    return value


def table(answer: Answer, *variables: str) -> list[tuple[object, ...]]:
    """The answer's rows as tuples of the named variables' cells, sorted (row order is the
    query's concern, and tested where it matters)."""
    names = variables or answer.result.variables
    return sorted((tuple(cell(answer, row, v) for v in names) for row in answer.result.rows), key=repr)


# -- comparing two engines' answers -----------------------------------------------------------------

# Numbers are compared as numbers (an xsd:integer 3 equals an xsd:decimal 3.0, a JSON float equals
# the decimal it came from) within this tolerance.  The shares the questions compute are rounded to
# 0.001 in the queries, so engines agree exactly; the tolerance only absorbs the way a number is
# written (decimal, double) and is far below anything that could be a real disagreement: two
# different shares differ by 0.001 at least, two different fractions of counts below 10**4 by more
# than 10**-8.
NUMBER_TOLERANCE = Fraction(1, 10**9)
_NUMBER = object()  # a number's place in a row's key


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def same_cell(a: object, b: object) -> bool:
    if _is_number(a) and _is_number(b):
        return abs(Fraction(a) - Fraction(b)) <= NUMBER_TOLERANCE  # type: ignore[arg-type]
    return type(a) is type(b) and a == b


def same_row(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(same_cell(x, y) for x, y in zip(a, b, strict=True))


def rows(answer: Answer) -> list[tuple[object, ...]]:
    """The answer's rows in its order, each a tuple of its cells in the order of its variables
    (``cell``: lists as sorted tuples, numbers as numbers, unbound as None)."""
    return [tuple(cell(answer, row, v) for v in answer.result.variables) for row in answer.result.rows]


def unmatched(left: list[tuple[object, ...]], right: list[tuple[object, ...]]) -> tuple[list[Any], list[Any]]:
    """The rows of each side that have no equal (``same_row``) on the other, as multisets: rows
    are bucketed by everything but their numbers, then paired within a bucket."""
    def key(row: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(_NUMBER if _is_number(value) else repr(value) for value in row)

    buckets: dict[tuple[object, ...], list[tuple[object, ...]]] = defaultdict(list)
    for row in right:
        buckets[key(row)].append(row)
    only_left = []
    for row in left:
        bucket = buckets[key(row)]
        match = next((i for i, other in enumerate(bucket) if same_row(row, other)), None)
        if match is None:
            only_left.append(row)
        else:
            bucket.pop(match)
    return only_left, list(itertools.chain.from_iterable(buckets.values()))


def differences(expected: Answer, got: Answer) -> list[str]:
    """How ``got`` differs from ``expected``: other variables, other rows (as multisets), or,
    when the question defines an order (ORDER BY), the same rows in another order."""
    if got.result.variables != expected.result.variables:
        return [f"variables {got.result.variables} instead of {expected.result.variables}"]
    mine, theirs = rows(expected), rows(got)
    missing, extra = unmatched(mine, theirs)
    if missing or extra:
        return ([f"{len(missing)} rows missing, e.g. {missing[:2]}"] if missing else []) + \
               ([f"{len(extra)} rows extra, e.g. {extra[:2]}"] if extra else [])
    if "ORDER BY" in expected.question.template.upper():
        for position, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            if not same_row(a, b):
                return [f"another order: row {position} is {b}, expected {a}"]
    return []
