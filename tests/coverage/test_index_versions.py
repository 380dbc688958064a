"""The embedded query store says which revision it holds of the entities asked, by name: the cost of
keeping it current follows the entities a run touched, not the size of the store (issue 20)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wikibot.adapters.query_embedded import EmbeddedQueryStore
from wikibot.coverage.index import BATCH, QueryIndex
from wikibot.wikibase.rdf import RdfPrefixes

PREFIXES = RdfPrefixes.for_concept_uri("https://registry.example.org/entity/")
HELD = {f"Q{n}": 1000 + n for n in range(1, BATCH + 40)}  # more than one query's worth of names


def _item(entity_id: str, revid: int) -> dict[str, object]:
    return {"type": "item", "id": entity_id, "lastrevid": revid, "modified": "2026-12-01T00:00:00Z",
            "labels": {"en": {"language": "en", "value": f"item {entity_id}"}}, "descriptions": {}, "aliases": {},
            "claims": {}, "sitelinks": {}}


def _index() -> QueryIndex:
    index = QueryIndex(EmbeddedQueryStore(), PREFIXES)
    index.update([_item(i, r) for i, r in HELD.items()])
    return index


INDEX = _index()
names = st.one_of(st.sampled_from(sorted(HELD)), st.from_regex(r"[PQL][0-9]{1,6}", fullmatch=True),
                  st.text(max_size=12))  # held ids, ids it does not hold, and names that are no id at all


@settings(max_examples=60, deadline=None)
@given(st.lists(names, max_size=BATCH + 60))
def test_versions_of_the_ids_asked_are_those_of_the_whole_store(asked: list[str]) -> None:
    every = INDEX.versions()
    assert every == HELD
    assert INDEX.versions(asked) == {i: every[i] for i in asked if i in every}


def test_a_name_that_is_no_entity_id_never_reaches_the_query() -> None:
    assert INDEX.versions(['Q1> } } SELECT * WHERE { ?s ?p ?o } #', "Q2"]) == {"Q2": HELD["Q2"]}


def test_empty_or_not() -> None:
    empty = QueryIndex(EmbeddedQueryStore(), PREFIXES)
    assert empty.is_empty() and empty.versions() == {} and empty.versions(["Q1"]) == {}
    assert not INDEX.is_empty()
