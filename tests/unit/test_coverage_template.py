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
    MESSAGE_LIMIT,
    NAMES,
    Answer,
    Failure,
    Question,
    ask_each,
    load_question,
    query_values,
    reference_languages,
    short_message,
)
from wikibot.coverage.report import render_csv, render_json, render_table, render_wiki, show
from wikibot.coverage.template import Iri, Name, QueryContext, QueryTemplateError, render_term, sparql_string
from wikibot.ports import QueryEndpointError, QueryError, RdfTerm, SelectResult
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
    assert "! Item !! Partnerships !! Share !! Ids !! When !! Name" in page  # headers in words
    assert "|| 55.6 % ||" in page  # a share as a percentage (the CSV and JSON keep 0.556)
    assert "A&#124;B &#91;&#91;x&#93;&#93; &#123;&#123;y&#125;&#125; &#33; &#60;z&#62;" in page
    assert '<div class="mw-collapsible mw-collapsed">' in page
    assert "<pre>\nSELECT ?a WHERE { ?a ?b ?c } # a &lt; b &amp; c\n</pre>" in page
    link = next(line for line in page.splitlines() if line.startswith("[https://query.example/#"))
    assert urllib.parse.unquote(link.split()[0][len("[https://query.example/#"):]) == answer.query
    assert " " not in link.split(" Open")[0]
    assert "query.example" not in render_wiki([answer])
    assert render_wiki([answer]) == render_wiki([answer])  # nothing volatile: republishing is a no-op


# -- a question not answered --------------------------------------------------------------------------

QUERY = "PREFIX wd: <https://wb.example/entity/>\nSELECT ?hub WHERE {\n  ?hub wd:P1 wd:Q5 .\n}"


def test_the_message_of_a_failed_question_is_the_engines_words_without_the_query() -> None:
    virtuoso = QueryError("Virtuoso 37000 Error SP031: SPARQL compiler: Internal error: side effect var passed"
                          "\n\nSPARQL query:\ndefine sql:big-data-const 0 " + QUERY)
    assert short_message(virtuoso, QUERY) == ("Virtuoso 37000 Error SP031: SPARQL compiler: Internal error: "
                                              "side effect var passed")
    quoting = QueryError("parse error in\n" + QUERY + "\nat line 2")
    assert short_message(quoting, QUERY) == "parse error in"
    long = QueryEndpointError("http://q.example/sparql: HTTP 500: " + "overloaded " * 100)
    short = short_message(long, QUERY)
    assert len(short) <= MESSAGE_LIMIT and short.endswith("…") and short.startswith("http://q.example/sparql: HTTP 500")
    assert short_message(QueryError("error at 2:26:\n   expected   one of"), QUERY) == "error at 2:26: expected one of"
    assert short_message(QueryError(""), QUERY) == "QueryError"


class _Refusing:
    """An endpoint (the embedded store) that refuses, or cannot answer, the queries with a marker."""

    def __init__(self) -> None:
        self.store = EmbeddedQueryStore()
        self.asked: list[str] = []

    def select(self, query: str) -> SelectResult:
        self.asked.append(query)
        if "#refuse" in query:
            raise QueryError("no such thing\n\nSPARQL query:\n" + query)
        if "#timeout" in query:
            raise QueryEndpointError("http://q.example/sparql: no answer within 60 s")
        return self.store.select(query)


def test_each_question_is_asked_and_a_failing_one_does_not_stop_the_others() -> None:
    questions = [Question(name, name.title(), "", f"SELECT ?x WHERE {{ BIND(1 AS ?x) }} {marker}")
                 for name, marker in [("one", "#refuse"), ("two", ""), ("three", "#timeout"), ("four", "")]]
    endpoint = _Refusing()
    outcomes = ask_each(endpoint, questions, QueryContext(ResolvedMapping({}, {}), PREFIXES, {}))
    assert [type(o).__name__ for o in outcomes] == ["Failure", "Answer", "Failure", "Answer"]
    assert len(endpoint.asked) == 4
    assert [o.message for o in outcomes if isinstance(o, Failure)] == [
        "no such thing", "http://q.example/sparql: no answer within 60 s"]
    assert all(isinstance(o, Answer) and o.result.values("x") == [1] for o in outcomes[1::2])


def test_a_failed_question_is_shown_as_not_answered_in_each_format() -> None:
    answer = _answer(ROWS, VARS, ("ids",))
    failure = Failure(Question("broken", "Broken | question", "What it asks.", "SELECT …"), QUERY,
                      "Virtuoso 37000 Error SP031: <internal> error")
    outcomes = [answer, failure]
    assert "Broken | question: not answered: Virtuoso 37000 Error SP031: <internal> error" in render_table(outcomes)
    assert render_csv(outcomes) == render_csv([answer])  # no place for it: the command says it on stderr
    document = json.loads(render_json(outcomes))
    assert [q["name"] for q in document["questions"]] == ["demo"]
    assert document["failed"] == [{"name": "broken", "title": "Broken | question", "query": QUERY,
                                   "error": "Virtuoso 37000 Error SP031: <internal> error"}]
    assert json.loads(render_json([answer]))["failed"] == []
    page = render_wiki(outcomes, ui_url="https://query.example/")
    section = page[page.index("== Broken &#124; question =="):]
    assert "'''Not answered this time'''" in section and "SP031: &#60;internal&#62; error" in section
    assert "wikitable" not in section and "<pre>\nPREFIX wd: &lt;https://wb.example/entity/&gt;" in section
    assert page.index("== Demo") < page.index("== Broken")  # in the order asked
