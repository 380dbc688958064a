"""Query templates: ids from the mapping, values escaped, labels with fallback; and the reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import urllib.parse
from decimal import Decimal

import pyoxigraph as ox
import pytest

from wikibot.adapters.query_embedded import EmbeddedQueryStore
from wikibot.coverage.questions import (
    LANGUAGES_FILE,
    NAMES,
    Answer,
    Question,
    load_question,
    query_values,
    reference_languages,
)
from wikibot.coverage.report import render_csv, render_json, render_table, render_wiki, show
from wikibot.coverage.template import Iri, Name, QueryContext, QueryTemplateError, render_term, sparql_string
from wikibot.ports import RdfTerm, SelectResult
from wikibot.wikibase.mapping import PROPERTIES, ResolvedMapping, vocabulary_items
from wikibot.wikibase.rdf import RdfPrefixes

PREFIXES = RdfPrefixes.for_concept_uri("https://wb.example/entity/")
MAPPING = ResolvedMapping(properties={"region": "P5", "registry_id": "P2", "instance_of": "P1"},
                          items={"class:hub": "Q7"})
HOSTILE = ['plain', 'quote " and backslash \\', "line\nbreak\ttab\r", '" } ; DROP ALL ; SELECT * { "',
           "\\u0022 not an escape", "'single' \"double\" '''triple'''", "ünïcödé 中文 🙂", ""]


def context(**values: object) -> QueryContext:
    return QueryContext(MAPPING, PREFIXES, values, ("fr", "en"))  # type: ignore[arg-type]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_string_reads_back_as_itself_whatever_it_holds(text: str) -> None:
    store = EmbeddedQueryStore()
    query = context(name=text).render("SELECT ?v WHERE { BIND({{param:name}} AS ?v) }")
    assert store.select(query).values("v") == [text]
    rows = context(rows=[(text, 1)]).render("SELECT ?v ?n WHERE { {{VALUES ?v ?n = rows}} }")
    assert store.select(rows).values("v") == [text]


def test_string_literals_escape_what_could_end_them() -> None:
    assert sparql_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


def test_terms_of_each_kind() -> None:
    assert render_term(3, PREFIXES) == "3"
    assert render_term(True, PREFIXES) == "true"
    assert render_term(None, PREFIXES) == "UNDEF"
    assert render_term(Decimal("0.5"), PREFIXES) == '"0.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert render_term(dt.date(2026, 11, 21), PREFIXES).startswith('"2026-11-21T00:00:00Z"^^<')
    assert render_term(Name("wd", "Q7"), PREFIXES) == "wd:Q7"
    assert render_term(Iri("https://x.example/a"), PREFIXES) == "<https://x.example/a>"


@pytest.mark.parametrize("bad", [Iri("https://x.example/a> . ?s ?p <b"), Iri("a b"), Iri(""),
                                 Name("nope", "Q1"), Name("wd", "Q1 } DROP"), Decimal("NaN")])
def test_values_that_could_change_the_query_are_refused(bad: object) -> None:
    with pytest.raises(QueryTemplateError):
        render_term(bad, PREFIXES)  # type: ignore[arg-type]


def test_ids_come_from_the_mapping_and_prefixes_only_those_used() -> None:
    query = context().render("SELECT ?x WHERE { ?x wdt:{{P:region}} ?r ; wdt:{{P:instance_of}} wd:{{Q:class:hub}} }")
    assert "wdt:P5 ?r ; wdt:P1 wd:Q7" in query
    declared = [line.split()[1] for line in query.splitlines() if line.startswith("PREFIX")]
    assert declared == ["wd:", "wdt:"]
    assert "PREFIX wd: <https://wb.example/entity/>" in query


def test_a_query_declaring_a_prefix_keeps_its_own() -> None:
    query = context().render("PREFIX wd: <http://other.example/>\nSELECT * WHERE { ?x ?p wd:Q1 }")
    assert query.count("PREFIX wd:") == 1 and "other.example" in query


@pytest.mark.parametrize("template, message", [
    ("{{P:nope}}", "no property 'nope'"), ("{{Q:class:nope}}", "no item 'class:nope'"),
    ("\n\n{{WHAT:x}}", "line 3: unknown placeholder"), ("{{param:missing}}", "no value 'missing'"),
    ("{{VALUES ?a = rows}}", "rows of 2 values for 1 variables"), ("{{VALUES a b}}", "write {{VALUES"),
    ("{{LABEL ?x}}", "write {{LABEL"), ("{{param:rows}}", "is a table"), ("{{VALUES ?a = one}}", "one value"),
])
def test_a_bad_placeholder_says_what_and_where(template: str, message: str) -> None:
    with pytest.raises(QueryTemplateError, match=message.replace("{", r"\{").replace("?", r"\?")):
        context(rows=[(1, 2)], one=1).render(template)


def test_an_id_file_with_a_non_id_is_refused() -> None:
    mapping = ResolvedMapping(properties={"region": "P5> . ?s ?p ?o"}, items={})
    with pytest.raises(QueryTemplateError, match="not an id"):
        QueryContext(mapping, PREFIXES, {}).render("{{P:region}}")


def test_labels_fall_back_through_the_languages_then_the_id() -> None:
    store = EmbeddedQueryStore()
    store.load_turtle("""
        <https://wb.example/entity/Q1> <http://www.w3.org/2000/01/rdf-schema#label> "un"@fr, "one"@en .
        <https://wb.example/entity/Q2> <http://www.w3.org/2000/01/rdf-schema#label> "two"@en, "zwei"@de .
        <https://wb.example/entity/Q3> <http://www.w3.org/2000/01/rdf-schema#label> "drei"@de .
    """)
    query = context().render(
        "SELECT ?x ?label WHERE { VALUES ?x { wd:Q1 wd:Q2 wd:Q3 } {{LABEL ?x ?label}} } ORDER BY ?x")
    assert "SERVICE" not in query
    assert store.select(query).values("label") == ["un", "two", "Q3"]


def test_the_reference_languages_name_their_source_and_rank() -> None:
    languages = reference_languages()
    assert [language.code for language in languages[:10]] == [
        "en", "zh", "hi", "es", "fr", "ar", "bn", "pt", "ru", "ur"]
    assert [language.rank for language in languages] == list(range(1, len(languages) + 1))
    assert all(a.speakers >= b.speakers for a, b in itertools.pairwise(languages))
    header = [line for line in LANGUAGES_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any(line.startswith("# Source: Ethnologue") for line in header)


def test_every_question_has_a_title_a_description_and_fills_on_a_full_mapping() -> None:
    mapping = ResolvedMapping({p.key: f"P{i}" for i, p in enumerate(PROPERTIES, 1)},
                              {item.key: f"Q{i}" for i, item in enumerate(vocabulary_items(), 1)})
    full = QueryContext(mapping, PREFIXES, query_values(mapping, today=dt.date(2026, 11, 21)))
    for name in NAMES:
        question = load_question(name)
        assert question.title != name and question.description, name
        query = full.render(question.template)
        assert "{{" not in query and "SERVICE" not in query
        ox.Store().query(query)  # it parses, and runs (on nothing)


def _answer(rows: list[dict[str, RdfTerm]], variables: tuple[str, ...], lists: tuple[str, ...] = ()) -> Answer:
    question = Question("demo", "Demo | question", "What it asks.", "SELECT …", lists)
    return Answer(question, "SELECT ?a WHERE { ?a ?b ?c } # a < b & c", SelectResult(variables, tuple(rows)))


XSD = "http://www.w3.org/2001/XMLSchema#"
ROWS = [
    {"item": RdfTerm("uri", "https://wb.example/entity/Q12"),
     "share": RdfTerm("literal", "0.55555", datatype=XSD + "decimal"),
     "ids": RdfTerm("literal", "b, a, c"),
     "when": RdfTerm("literal", "2026-02-15T00:00:00Z", datatype=XSD + "dateTime"),
     "name": RdfTerm("literal", "A|B [[x]] {{y}} ! <z>")},
    {"item": RdfTerm("uri", "https://wb.example/entity/Q3"),
     "count": RdfTerm("literal", "5", datatype=XSD + "integer")},
]
VARS = ("item", "count", "share", "ids", "when", "name")


def test_cells_are_shown_alike_everywhere() -> None:
    assert show(ROWS[0]["item"]) == "Q12"
    assert show(ROWS[0]["share"]) == "0.556"
    assert show(ROWS[0]["ids"], is_list=True) == "a, b, c"
    assert show(ROWS[0]["when"]) == "2026-02-15"
    assert show(None) == ""


def test_table_csv_and_json() -> None:
    answer = _answer(ROWS, VARS, ("ids",))
    table = render_table([answer]).splitlines()
    assert table[0] == "Demo | question (2 rows)"
    assert table[1].split() == list(VARS)
    assert table[3].split()[:2] == ["Q12", "0.556"]
    parsed = list(csv.reader(io.StringIO(render_csv([answer]))))
    assert parsed[0] == list(VARS) and parsed[1][3] == "a, b, c" and parsed[2][:2] == ["Q3", "5"]
    both = list(csv.reader(io.StringIO(render_csv([answer, answer]))))
    assert both[0][0] == "question" and len(both) == 5 and both[1][0] == "demo"
    document = json.loads(render_json([answer]))["questions"][0]
    assert document["rows"][0]["ids"] == ["a", "b", "c"] and document["rows"][1]["count"] == 5
    assert document["rows"][0]["share"] == pytest.approx(0.55555) and "count" not in document["rows"][0]
    assert document["query"] == answer.query and document["columns"] == list(VARS)


def test_the_wiki_page_is_a_sortable_table_with_the_query_collapsed_and_linked() -> None:
    answer = _answer(ROWS, VARS, ("ids",))
    page = render_wiki([answer], ui_url="https://query.example/")
    assert '{| class="wikitable sortable"' in page
    assert "== Demo &#124; question ==" in page
    assert "! item !! count !! share !! ids !! when !! name" in page
    assert "A&#124;B &#91;&#91;x&#93;&#93; &#123;&#123;y&#125;&#125; &#33; &#60;z&#62;" in page
    assert '<div class="mw-collapsible mw-collapsed">' in page
    assert "<pre>\nSELECT ?a WHERE { ?a ?b ?c } # a &lt; b &amp; c\n</pre>" in page
    link = next(line for line in page.splitlines() if line.startswith("[https://query.example/#"))
    assert urllib.parse.unquote(link.split()[0][len("[https://query.example/#"):]) == answer.query
    assert " " not in link.split(" Open")[0]
    assert "query.example" not in render_wiki([answer])
    assert render_wiki([answer]) == render_wiki([answer])  # nothing volatile: republishing is a no-op
