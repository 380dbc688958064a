"""What ``validate`` accepts can be written everywhere (issue 16, class 4): a property test drives
values that pass the page parser and validation through every place they go: the Wikibase (the
local entity store, which refuses what a Wikibase refuses), the RDF of the query store and a
query on it, the registry page written back, a status box, and the report and coverage pages;
and every value it refuses is reported with page, line, field and reason.
"""

from __future__ import annotations

import unicodedata

import mwparserfromhell
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mwparserfromhell.nodes import ExternalLink, Wikilink

from tests.unit.test_fuzz_pages import DANGEROUS
from tests.wikibase_support import bootstrapped
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.query_embedded import EmbeddedQueryStore
from wikibot.coverage.index import QueryIndex
from wikibot.ports import EntitySaved
from wikibot.registry.dates import WikiDate
from wikibot.registry.language_codes import LANGUAGE_CODES
from wikibot.status.boxes import box_values
from wikibot.sync.merge import entry_values
from wikibot.sync.plan import entry_from_values
from wikibot.wikibase.entity import Provenance, from_entity, to_entity
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikibase.rdf import RdfPrefixes, entity_triples
from wikibot.wikitext.escape import show_cell
from wikibot.wikitext.registry_edit import render_registry_page
from wikibot.wikitext.registry_page import parse_registry
from wikibot.wikitext.status_box import render_box

PREFIXES = RdfPrefixes.for_concept_uri("https://registry.example.org/entity/")
text = st.lists(st.one_of(st.text(max_size=6), st.sampled_from(DANGEROUS)), min_size=1, max_size=8).map("".join)
codes = st.sampled_from(sorted(LANGUAGE_CODES)) | st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=8)
host = st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9-]{1,8}){0,2}\.[a-z]{2,4}", fullmatch=True) | text
urls = st.builds(lambda host, path: f"https://{host}/{path}", host, text | st.text(max_size=10)) | text
plain = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30)
titles = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ._/()'-]{0,30}", fullmatch=True) | text
known = st.lists(st.sampled_from(sorted(LANGUAGE_CODES)), max_size=3, unique=True)
ACCEPTED: list[str] = []


@pytest.fixture(scope="module")
def wikibase(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalEntityStore, ResolvedMapping]:
    return bootstrapped(tmp_path_factory.mktemp("accepted"))


def _page(names: dict[str, str], description: str, website: str, page: str, languages: list[str]) -> str:
    def one(value: str) -> str:  # as an editor types it: escaped only where it would break the call
        return value.replace("|", "{{!}}").replace("\n", " ")

    lines = ["{{Hub registry entry", "| id = a-hub", "| kind = thematic", "| status = pilot", "| themes = glam",
             "| host = an-org"]
    lines += [f"| {'name' if code == 'en' else 'name_' + code} = {one(name)}" for code, name in names.items()]
    lines += [f"| description = {one(description)}", f"| website = {one(website)}", f"| page = {one(page)}",
              f"| languages = {', '.join(one(code) for code in languages)}", "}}",
              "{{Organization registry entry", "| id = an-org", "| name = An organisation", "| type = chapter", "}}"]
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(st.dictionaries(codes, plain | text, max_size=2).flatmap(
           lambda names: (plain | plain | text).map(lambda en: {"en": en, **names})),
       plain | plain | text, urls, titles, known | known | st.lists(codes, max_size=3))
def test_every_value_validate_accepts_is_written_everywhere_and_every_other_is_reported(
        wikibase: tuple[LocalEntityStore, ResolvedMapping], names: dict[str, str], description: str, website: str,
        page: str, languages: list[str]) -> None:
    # (each example's hub told apart from the earlier ones' in the one Wikibase of the module, as the
    # Wikibase refuses two items with one label and description)
    wikitext = _page(names, f"{description} #{len(ACCEPTED)}", website, page, languages)
    registry, _ = parse_registry({"Hubs/Registry": wikitext})
    for problem in registry.problems:  # refused: said where and why
        assert problem.source.page == "Hubs/Registry" and 1 <= problem.source.line <= wikitext.count("\n") + 1
        assert problem.reason and (problem.field or problem.code in ("malformed-template", "inconsistent"))
    hub = registry.by_id().get("a-hub")
    if hub is None:
        return
    ACCEPTED.append(hub.id)
    store, mapping = wikibase
    org = registry.by_id()["an-org"]
    outcome = store.save_entity(None, to_entity(org, mapping, None), base_revid=None, summary="test")
    assert isinstance(outcome, EntitySaved), outcome
    item_ids = {"an-org": outcome.id}
    provenance = Provenance.for_page("https://meta.wikimedia.org/w/index.php", "Hubs/Registry", 1, WikiDate(2026, 1, 1))
    saved = store.save_entity(None, to_entity(hub, mapping, provenance, item_ids), base_revid=None, summary="test")
    assert isinstance(saved, EntitySaved), (saved, hub)  # the Wikibase takes it
    back = from_entity(saved.entity, mapping, {outcome.id: "an-org"})
    for read in (hub, back):  # kept as read when a merge leaves a side alone (plan_entry): as if rebuilt
        assert entry_from_values(read.kind, read.id, read.item, entry_values(read)) == read
    assert back.model_copy(update={"item": None}) == hub  # and gives it back
    triples = entity_triples(saved.entity, PREFIXES)  # RDF takes it
    query = EmbeddedQueryStore()
    QueryIndex(query, PREFIXES).update([saved.entity])
    found = query.select(f'SELECT ?label WHERE {{ <{PREFIXES.concept_uri}{saved.id}> '
                         '<http://www.w3.org/2000/01/rdf-schema#label> ?label }')
    assert {row["label"].value for row in found.rows} == set(hub.names.values())
    assert len(triples) > 10 and all(isinstance(t, ox.Triple) for t in triples)
    # Written back to a page: read back the same.
    again, _ = parse_registry({"P": render_registry_page([org, back.model_copy(update={"item": saved.id})])})
    assert again.by_id()["a-hub"] == back.model_copy(update={"item": saved.id})
    # Shown on a status box and a report: plain text, no link, template or signature.
    values = box_values(back, {"an-org": org, "a-hub": back}, WikiDate(2026, 1, 1).earliest)
    for shown in (render_box("Hub status", values), "\n".join(show_cell(v) for v in hub.names.values())):
        code = mwparserfromhell.parse(shown)
        assert not code.filter(forcetype=(Wikilink, ExternalLink)), shown
        assert [str(t.name).strip() for t in code.filter_templates()] in ([], ["Hub status"]), shown
        assert "~~~" not in shown


def test_the_property_test_reaches_both_outcomes(wikibase: tuple[LocalEntityStore, ResolvedMapping]) -> None:
    """A control: the property test met accepted values often, and the checks refuse each kind of value
    of the class (a URL that is no IRI, a language MediaWiki does not know, a name equal to its
    description, a title MediaWiki refuses)."""
    assert len(ACCEPTED) >= 10  # of the 150 examples (the test above runs first in this module)
    ok, _ = parse_registry({"H": _page({"en": "Hub"}, "A hub", "https://a.example/", "Some page", ["pl", "ar"])})
    assert "a-hub" in ok.by_id()
    for bad in (_page({"en": "Hub"}, "A hub", "https://a.example/x^y", "P", []),
                _page({"xx-nope": "Hub"}, "A hub", "https://a.example/", "P", []),
                _page({"en": "Hub"}, "Hub", "https://a.example/", "P", []),
                _page({"en": "Hub"}, "A hub", "https://a.example/", "a%20b", [])):
        refused, _ = parse_registry({"H": bad})
        assert "a-hub" not in refused.by_id()
        assert unicodedata.normalize("NFC", refused.problems[0].reason)
