"""The example registry synced into a local Wikibase and its RDF in an embedded query store,
with the registry models beside it, for checking each coverage question's SPARQL answer
against one computed in Python (``tests/coverage_oracle.py``)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

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
from wikibot.registry.check import Registry
from wikibot.settings import load_settings
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikibase.rdf import RdfPrefixes

TODAY = dt.date(2026, 11, 21)  # examples/registry/GAPS.md's "today"
CONCEPT_URI = "https://registry.example.org/entity/"


@dataclass
class CoverageEnv:
    root: Path
    registry: Registry
    mapping: ResolvedMapping
    prefixes: RdfPrefixes
    store: EmbeddedQueryStore
    entities: LocalEntityStore

    def context(self, *, today: dt.date = TODAY, days: int = 30, top: int = 10) -> QueryContext:
        return QueryContext(self.mapping, self.prefixes, query_values(self.mapping, today=today, days=days, top=top))

    def ask(self, name: str, *, endpoint: QueryEndpoint | None = None, **values: object) -> Answer:
        return ask(endpoint if endpoint is not None else self.store, load_question(name), self.context(**values))  # type: ignore[arg-type]


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
    QueryIndex(store, prefixes).rebuild(with_revision(e.data, e.revid) for e in fetched.values() if e is not None)
    return CoverageEnv(root, loaded.registry, mapping, prefixes, store, entities)


@pytest.fixture(scope="session")
def coverage_env(tmp_path_factory: pytest.TempPathFactory) -> CoverageEnv:
    return build_env(tmp_path_factory.mktemp("coverage") / "ws")


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
