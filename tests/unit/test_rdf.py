"""wikibot.wikibase.rdf against the real dumps of a real Wikibase (MediaWiki 1.43, Wikibase REL1_43).

The fixtures (tests/fixtures/wikibase/, see INDEX.json) were exported from the same instance:
``dump_all.json`` by ``dumpJson.php``, ``dump_full.ttl`` by ``dumpRdf.php`` (full flavor, all 77
entities), ``dump_truthy.nt`` by ``dumpRdf.php --flavor truthy-dump``; ``entitydata_item_json.json``
and ``entitydata_item_ttl.ttl`` are ``Special:EntityData/Q5`` in JSON and Turtle.

How the dumps are compared: for each entity, the triples of the dump *about* it are those reachable
from ``wd:X``, ``data:X`` and (for a property) ``wdt:X``, ``p:X``... ``wdno:X``, following only
statement (``s:``), reference (``ref:``), value (``v:``) and blank nodes. Value nodes, whose names
are Wikibase's own hashes, are renamed by their content (every triple about them); blank nodes by
the one triple pointing at them. Statement and reference nodes keep their names: ours must be
Wikibase's. Everything else is compared term for term, lexical forms included.

Left out of the comparison, and why:
- ``schema:dateModified`` on ``data:X`` in the dumps: ``dumpJson.php`` writes no ``modified``, so
  nothing can derive it; it is checked against ``Special:EntityData/Q5`` (whose JSON has it).
- The dump header (the six triples about ``wikibase:Dump``): about the dump, not an entity; in the
  same way ``cc:license`` and ``schema:softwareVersion``, which ``Special:EntityData`` puts on the
  ``data:`` node of the page it serves.
A test checks that these are all the dump holds beyond the triples compared.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, Triple, parse

from wikibot.wikibase.rdf import (
    PROPERTY_PREFIXES,
    RdfMappingError,
    RdfPrefixes,
    entities_triples,
    entity_triples,
    php_float,
    statement_node,
    xsd_datetime,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "wikibase"
INFO = json.loads((FIXTURES / "instance_info.json").read_text())
PREFIXES = RdfPrefixes.for_concept_uri(INFO["concept_base_uri"], INFO["rdf_prefixes"]["data"])
NS = PREFIXES.namespaces()
ENTITIES: list[dict[str, Any]] = json.loads((FIXTURES / "dump_all.json").read_text())
DATE_MODIFIED = NamedNode("http://schema.org/dateModified")
DUMP = NamedNode("http://wikiba.se/ontology#Dump")


def _load(name: str, fmt: RdfFormat) -> list[Triple]:
    return [quad.triple for quad in parse(path=FIXTURES / name, format=fmt)]


@pytest.fixture(scope="module")
def full_dump() -> list[Triple]:
    return _load("dump_full.ttl", RdfFormat.TURTLE)


@pytest.fixture(scope="module")
def truthy_dump() -> list[Triple]:
    return _load("dump_truthy.nt", RdfFormat.N_TRIPLES)


def about(triples: Iterable[Triple], entity_id: str) -> list[Triple]:
    """The triples reachable from the entity's own nodes through statement/reference/value/blank nodes."""
    by_subject: dict[Any, list[Triple]] = defaultdict(list)
    for triple in triples:
        by_subject[triple.subject].append(triple)
    roots: list[Any] = [NamedNode(NS["wd"] + entity_id), NamedNode(NS["data"] + entity_id)]
    if entity_id.startswith("P"):
        roots += [NamedNode(NS[p] + entity_id) for p in PROPERTY_PREFIXES]
    inner = (NS["s"], NS["ref"], NS["v"])
    seen, queue, found = set(roots), list(roots), []
    while queue:
        for triple in by_subject[queue.pop()]:
            found.append(triple)
            obj = triple.object
            if obj not in seen and (isinstance(obj, BlankNode) or
                                    (isinstance(obj, NamedNode) and obj.value.startswith(inner))):
                seen.add(obj)
                queue.append(obj)
    return found


def canonical(triples: Iterable[Triple]) -> set[tuple[str, str, str]]:
    """Triples as strings, value nodes named by their content and blank nodes by what points at them."""
    triples = list(triples)
    content: dict[Any, list[str]] = defaultdict(list)
    pointer: dict[Any, Triple] = {}
    for t in triples:
        if isinstance(t.subject, NamedNode) and t.subject.value.startswith(NS["v"]):
            content[t.subject].append(f"{t.predicate} {t.object}")
        if isinstance(t.object, BlankNode):
            assert t.object not in pointer, f"{t.object} pointed at twice"
            pointer[t.object] = t

    def name(term: Any) -> str:
        if isinstance(term, NamedNode) and term.value.startswith(NS["v"]):
            return "v[" + " ; ".join(sorted(content[term])) + "]"
        if isinstance(term, BlankNode):
            return f"_:[{name(pointer[term].subject)} {pointer[term].predicate}]"
        return str(term)

    return {(name(t.subject), str(t.predicate), name(t.object)) for t in triples}


def _entity(entity_id: str) -> dict[str, Any]:
    return next(e for e in ENTITIES if e["id"] == entity_id)


# ------------------------------------------------------------------------------------------------
# the real dumps


def test_every_entity_of_the_json_dump_is_in_the_rdf_dumps(full_dump: list[Triple]) -> None:
    ids = [e["id"] for e in ENTITIES]
    assert len(ids) == 77 and ids[0] == "P1"
    in_dump = {t.object.value[len(NS["wd"]):] for t in full_dump if t.predicate.value == "http://schema.org/about"}
    assert in_dump == set(ids)


@pytest.mark.parametrize("entity_id", [e["id"] for e in ENTITIES])
def test_full_flavor_equals_the_real_dump(entity_id: str, full_dump: list[Triple]) -> None:
    ours = entity_triples(_entity(entity_id), PREFIXES)
    expected = [t for t in about(full_dump, entity_id) if t.predicate != DATE_MODIFIED]
    assert not any(t.predicate == DATE_MODIFIED for t in ours)  # dumpJson.php gives no `modified`
    assert len(ours) == len(set(ours))
    ours_c, expected_c = canonical(ours), canonical(expected)
    assert sorted(ours_c - expected_c) == [] and sorted(expected_c - ours_c) == []


@pytest.mark.parametrize("entity_id", [e["id"] for e in ENTITIES])
def test_truthy_flavor_equals_the_real_truthy_dump(entity_id: str, truthy_dump: list[Triple]) -> None:
    ours = entity_triples(_entity(entity_id), PREFIXES, flavor="truthy")
    expected = [t for t in about(truthy_dump, entity_id) if t.predicate != DATE_MODIFIED]
    ours_c, expected_c = canonical(ours), canonical(expected)
    assert sorted(ours_c - expected_c) == [] and sorted(expected_c - ours_c) == []


@pytest.mark.parametrize("name,fmt", [("dump_full.ttl", RdfFormat.TURTLE), ("dump_truthy.nt", RdfFormat.N_TRIPLES)])
def test_the_comparison_leaves_out_only_the_header_and_the_modification_dates(name: str, fmt: RdfFormat) -> None:
    dump = _load(name, fmt)
    compared = {t for e in ENTITIES for t in about(dump, e["id"])}
    rest = [t for t in dump if t not in compared]
    assert len(rest) == 6 and all(t.subject == DUMP for t in rest)
    dates = [t for t in compared if t.predicate == DATE_MODIFIED]
    assert len(dates) == len(ENTITIES)


def test_all_entities_at_once_give_the_whole_dump(full_dump: list[Triple]) -> None:
    """Shared references and values come once; the union is the dump less its header and dates."""
    ours = entities_triples(ENTITIES, PREFIXES)
    expected = [t for t in full_dump if t.subject != DUMP and t.predicate != DATE_MODIFIED]
    assert len(ours) == len(expected) == 2348
    assert canonical(ours) == canonical(expected)


def test_special_entitydata_of_q5_with_its_modification_date() -> None:
    entity = json.loads((FIXTURES / "entitydata_item_json.json").read_text())["response"]["entities"]["Q5"]
    assert entity["modified"] == "2026-11-21T07:10:23Z"
    ours = entity_triples(entity, PREFIXES)
    everything = about(_load("entitydata_item_ttl.ttl", RdfFormat.TURTLE), "Q5")
    # the page's own header, like the dump's wikibase:Dump triples: not about the entity
    header = {"http://creativecommons.org/ns#license", "http://schema.org/softwareVersion"}
    expected = [t for t in everything if t.predicate.value not in header]
    assert len(everything) - len(expected) == 2
    assert any(t.predicate == DATE_MODIFIED for t in expected)
    assert canonical(ours) == canonical(expected)


def test_the_captured_sparql_queries_give_the_captured_rows_over_our_triples() -> None:
    captured = json.loads((FIXTURES / "dump_full_pyoxigraph_queries.json").read_text())
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object) for t in entities_triples(ENTITIES, PREFIXES))
    for query in captured["queries"]:
        solutions = store.query(PREFIXES.render_sparql() + query["sparql"])
        rows = [{v: str(row[v]) for v in query["variables"] if row[v] is not None} for row in solutions]
        key = (lambda r: sorted(r.items())) if "ORDER BY" not in query["sparql"] else None
        assert (sorted(rows, key=key) if key else rows) == (sorted(query["rows"], key=key) if key else query["rows"]), \
            query["name"]


def test_prefixes_are_those_of_the_instance_and_of_the_dump_header() -> None:
    assert {k: NS[k] for k in INFO["rdf_prefixes"]} == INFO["rdf_prefixes"]
    header = re.findall(r"^@prefix (\w+): <([^>]*)> \.$", (FIXTURES / "dump_full.ttl").read_text(), re.MULTILINE)
    assert len(header) == 28
    assert {k: v for k, v in header if k != "cc"} == {k: NS[k] for k, _ in header if k != "cc"}
    lines = PREFIXES.render_sparql().splitlines()
    assert "PREFIX wdt: <http://127.0.0.1:8282/prop/direct/>" in lines
    assert all(re.fullmatch(r"PREFIX \w+: <[^>]+>", line) for line in lines)


def test_prefixes_from_a_concept_uri_alone() -> None:
    prefixes = RdfPrefixes.for_concept_uri("https://example.org/entity/")
    ns = prefixes.namespaces()
    assert ns["wd"] == "https://example.org/entity/"
    assert ns["s"] == "https://example.org/entity/statement/"
    assert ns["ref"] == "https://example.org/reference/"
    assert ns["wdno"] == "https://example.org/prop/novalue/"
    assert ns["data"] == "https://example.org/wiki/Special:EntityData/"
    with pytest.raises(ValueError):
        RdfPrefixes.for_concept_uri("https://example.org/entity")


# ------------------------------------------------------------------------------------------------
# focused cases

EX = RdfPrefixes.for_concept_uri("https://example.org/entity/")
WDT, P, PS = "https://example.org/prop/direct/", "https://example.org/prop/", "https://example.org/prop/statement/"
WIKIBASE = "http://wikiba.se/ontology#"
A = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _string_statement(guid: str, value: str, rank: str) -> dict[str, Any]:
    return {"id": guid, "type": "statement", "rank": rank,
            "mainsnak": {"snaktype": "value", "property": "P2", "datatype": "string",
                         "datavalue": {"type": "string", "value": value}}}


def _item(claims: dict[str, list[dict[str, Any]]], **terms: Any) -> dict[str, Any]:
    return {"type": "item", "id": "Q9", "lastrevid": 7, "claims": claims, **terms}


def _objects(triples: list[Triple], subject: str, predicate: str) -> set[str]:
    return {str(t.object) for t in triples if t.subject.value == subject and t.predicate.value == predicate}


def test_truthy_values_are_the_best_ranked_only() -> None:
    entity = _item({"P2": [_string_statement("Q9$a", "normal", "normal"),
                           _string_statement("Q9$b", "preferred", "preferred"),
                           _string_statement("Q9$c", "deprecated", "deprecated")]})
    triples = entity_triples(entity, EX)
    wd = "https://example.org/entity/Q9"
    assert _objects(triples, wd, WDT + "P2") == {'"preferred"'}
    assert set(entity_triples(entity, EX, flavor="truthy")) < set(triples)
    best = {t.subject.value for t in triples if t.predicate == A and t.object.value == WIKIBASE + "BestRank"}
    assert best == {"https://example.org/entity/statement/Q9-b"}


def test_without_preferred_the_normal_ones_are_truthy_never_the_deprecated() -> None:
    entity = _item({"P2": [_string_statement("Q9$a", "one", "normal"), _string_statement("Q9$b", "two", "normal"),
                           _string_statement("Q9$c", "old", "deprecated")]})
    triples = entity_triples(entity, EX)
    assert _objects(triples, "https://example.org/entity/Q9", WDT + "P2") == {'"one"', '"two"'}


def test_deprecated_statements_are_in_p_and_ps_not_in_wdt() -> None:
    entity = _item({"P2": [_string_statement("Q9$OLD-1", "old", "deprecated")]})
    triples = entity_triples(entity, EX)
    node = "https://example.org/entity/statement/Q9-OLD-1"
    assert _objects(triples, "https://example.org/entity/Q9", P + "P2") == {f"<{node}>"}
    assert _objects(triples, node, PS + "P2") == {'"old"'}
    assert _objects(triples, node, WIKIBASE + "rank") == {f"<{WIKIBASE}DeprecatedRank>"}
    assert _objects(triples, node, str(A.value)) == {f"<{WIKIBASE}Statement>"}
    assert _objects(triples, "https://example.org/entity/Q9", WDT + "P2") == set()
    assert not any(t.predicate.value.startswith(P + "statement/") for t in entity_triples(entity, EX, "truthy"))


def test_statement_nodes_are_named_by_the_guid() -> None:
    assert statement_node("Q5$2E64CF96-C8A1", EX).value == "https://example.org/entity/statement/Q5-2E64CF96-C8A1"


@pytest.mark.parametrize("time,precision,calendar,expected", [
    ("+2021-05-00T00:00:00Z", 10, None, "2021-05-01T00:00:00Z"),  # month precision
    ("+2021-05-17T00:00:00Z", 10, None, "2021-05-01T00:00:00Z"),
    ("+1979-00-00T00:00:00Z", 9, None, "1979-01-01T00:00:00Z"),  # year precision
    ("+1952-03-11T00:00:00Z", 11, None, "1952-03-11T00:00:00Z"),
    ("+0800-00-00T00:00:00Z", 9, None, "0800-01-01T00:00:00Z"),
    ("-0044-03-15T00:00:00Z", 11, None, "-0043-03-15T00:00:00Z"),  # XSD 1.1: year 0 is 1 BCE
    ("-0001-00-00T00:00:00Z", 9, None, "0000-01-01T00:00:00Z"),
    ("+2023-02-31T00:00:00Z", 11, None, "2023-02-28T00:00:00Z"),
    ("+12345-00-00T00:00:00Z", 9, None, "12345-01-01T00:00:00Z"),
    ("+1582-10-05T00:00:00Z", 11, "http://www.wikidata.org/entity/Q1985786", "1582-10-15T00:00:00Z"),  # Julian
    ("+1700-00-00T00:00:00Z", 9, "http://www.wikidata.org/entity/Q1985786", "1700-01-01T00:00:00Z"),
    ("+0000-00-00T00:00:00Z", 9, None, None),
])
def test_time_literals(time: str, precision: int, calendar: str | None, expected: str | None) -> None:
    assert (xsd_datetime(time, precision, calendar) if calendar else xsd_datetime(time, precision)) == expected


def test_a_month_precision_time_statement() -> None:
    snak = {"snaktype": "value", "property": "P4", "datatype": "time", "datavalue": {"type": "time", "value": {
        "time": "+2021-05-00T00:00:00Z", "timezone": 0, "before": 0, "after": 0, "precision": 10,
        "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}}}
    triples = entity_triples(_item({"P4": [{"id": "Q9$t", "rank": "normal", "mainsnak": snak}]}), EX)
    literal = '"2021-05-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    assert _objects(triples, "https://example.org/entity/Q9", WDT + "P4") == {literal}
    value_node = next(t.object for t in triples if t.predicate.value == P + "statement/value/P4")
    assert _objects(triples, value_node.value, WIKIBASE + "timeValue") == {literal}
    assert _objects(triples, value_node.value, WIKIBASE + "timePrecision") == {
        '"10"^^<http://www.w3.org/2001/XMLSchema#integer>'}


def test_terms_and_monolingual_text_keep_their_language() -> None:
    entity = _item({"P6": [{"id": "Q9$m", "rank": "normal", "mainsnak": {
        "snaktype": "value", "property": "P6", "datatype": "monolingualtext",
        "datavalue": {"type": "monolingualtext", "value": {"text": "Berlin", "language": "de"}}}}]},
        labels={"fr": {"language": "fr", "value": "Berlin (ville)"}},
        descriptions={"de": {"language": "de", "value": "Stadt"}},
        aliases={"en-gb": [{"language": "en-gb", "value": "Berlin, DE"}]})
    triples = entity_triples(entity, EX)
    wd = "https://example.org/entity/Q9"
    for predicate in ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
                      "http://schema.org/name"):
        assert _objects(triples, wd, predicate) == {'"Berlin (ville)"@fr'}
    assert _objects(triples, wd, "http://schema.org/description") == {'"Stadt"@de'}
    assert _objects(triples, wd, "http://www.w3.org/2004/02/skos/core#altLabel") == {'"Berlin, DE"@en-gb'}
    assert _objects(triples, wd, WDT + "P6") == {'"Berlin"@de'}


def test_novalue_and_somevalue() -> None:
    entity = _item({"P7": [{"id": "Q9$n", "rank": "normal", "mainsnak": {
                        "snaktype": "novalue", "property": "P7", "datatype": "quantity"}}],
                    "P8": [{"id": "Q9$s", "rank": "normal", "mainsnak": {
                        "snaktype": "somevalue", "property": "P8", "datatype": "globe-coordinate"}}]})
    triples = entity_triples(entity, EX)
    novalue = "<https://example.org/prop/novalue/P7>"
    assert novalue in _objects(triples, "https://example.org/entity/Q9", A.value)
    assert novalue in _objects(triples, "https://example.org/entity/statement/Q9-n", A.value)
    somevalue = [t.object for t in triples if t.predicate.value in (WDT + "P8", PS + "P8")]
    assert len(somevalue) == 2 and all(isinstance(o, BlankNode) for o in somevalue)
    assert entity_triples(entity, EX) == triples  # deterministic


@pytest.mark.parametrize("number,text", [(0.016666666666667, "0.016666666666667"), (52.0, "52"), (52, "52"),
                                         (1e-05, "1.0E-5"), (1.5e-07, "1.5E-7"), (1e20, "1.0E+20"),
                                         (-13.5, "-13.5"), (1 / 3600, "0.00027777777777778")])
def test_floats_are_written_as_php_writes_them(number: float, text: str) -> None:
    assert php_float(number) == text


def test_unsupported_things_are_errors() -> None:
    with pytest.raises(RdfMappingError):
        entity_triples({"type": "lexeme", "id": "L1"}, EX)
    statement = _string_statement("Q9$x", "a.jpg", "normal")
    statement["mainsnak"]["datatype"] = "commonsMedia"
    with pytest.raises(RdfMappingError):
        entity_triples(_item({"P2": [statement]}), EX)
