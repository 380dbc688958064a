"""Wikibase entity JSON -> RDF triples in the Wikibase RDF dump format (pure, no I/O).

``entity_triples`` gives, for one entity as ``wbgetentities``/``Special:EntityData``/``dumpJson.php``
give it, the triples ``dumpRdf.php`` writes for it: the ``data:`` node (version, date modified,
counts), the entity's type and terms, for a property its predicates and their OWL declarations,
the truthy ``wdt:`` values of the best-ranked statements, and (full flavor) every statement with
its rank, qualifiers, references and ``psv:``/``pqv:``/``prv:`` value nodes.

Literals follow Wikibase's RDF builders: times are cleaned the way ``DateTimeValueCleaner`` and
``JulianDateTimeValueCleaner`` do (``+1979-00-00T00:00:00Z`` at year precision becomes
``"1979-01-01T00:00:00Z"^^xsd:dateTime``), floats are written as PHP writes them (14 significant
digits), a quantity without unit has the unit ``http://www.wikidata.org/entity/Q199``.

Statement nodes are ``s:`` + the GUID (``$`` -> ``-``) and reference nodes ``ref:`` + the reference
hash, as Wikibase names them. Value nodes are named ``v:`` + an MD5 of the datavalue (Wikibase
uses its own hash: same shape, other digits), ``somevalue`` blank nodes by a hash of where they
stand, so that the output is deterministic.

Not produced: sitelink triples (the instance has no sites; their count is), normalized values
(``psn:``/``wdtn:``: Wikibase writes them only with unit conversion or formatter URIs
configured; the predicates are declared), lexemes, and the dump's own ``wikibase:Dump`` header.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pyoxigraph import BlankNode, NamedNode
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import Triple as Triple  # the terms this module makes (re-exported)

from .datatypes import DATATYPE_TABLE, GREGORIAN
from .entity import best_statements

JULIAN = "http://www.wikidata.org/entity/Q1985786"
EARTH = "http://www.wikidata.org/entity/Q2"
UNIT_ONE = "http://www.wikidata.org/entity/Q199"  # the unit of a quantity without unit

Flavor = Literal["full", "truthy"]

WIKIBASE = "http://wikiba.se/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
GEO = "http://www.opengis.net/ont/geosparql#"

_STANDARD = {"rdf": RDF, "xsd": XSD, "rdfs": RDFS, "owl": OWL, "wikibase": WIKIBASE, "skos": SKOS,
             "schema": SCHEMA, "prov": PROV, "geo": GEO}

# the prefixes under which each property has a predicate (wdt:P1, p:P1...)
PROPERTY_PREFIXES = ("wdt", "wdtn", "p", "ps", "psv", "psn", "pq", "pqv", "pqn", "pr", "prv", "prn", "wdno")


class RdfMappingError(ValueError):
    """An entity, or a value in it, that this module cannot write as RDF."""


@dataclass(frozen=True)
class RdfPrefixes:
    """The namespaces of one Wikibase instance, derived as Wikibase's ``RdfVocabulary`` derives them.

    ``concept_uri`` is the instance's concept base URI (``https://example.org/entity/``);
    ``data_uri`` the prefix of its ``Special:EntityData`` pages.
    """

    concept_uri: str
    data_uri: str

    @classmethod
    def for_concept_uri(cls, concept_uri: str, data_uri: str | None = None) -> RdfPrefixes:
        """Prefixes from a concept URI; ``data_uri`` defaults to ``<top>wiki/Special:EntityData/``."""
        if not concept_uri.endswith("/"):
            raise ValueError(f"a concept URI ends with '/': {concept_uri!r}")
        top = concept_uri[: -len("entity/")] if concept_uri.endswith("/entity/") else concept_uri
        return cls(concept_uri, data_uri if data_uri is not None else f"{top}wiki/Special:EntityData/")

    @property
    def top(self) -> str:
        """The concept URI without its trailing ``entity/``: where ``prop/``, ``value/``... live."""
        uri = self.concept_uri
        return uri[: -len("entity/")] if uri.endswith("/entity/") else uri

    def namespaces(self) -> dict[str, str]:
        """Prefix -> namespace IRI, the instance's own and the standard ones."""
        prop = self.top + "prop/"
        own = {
            "wd": self.concept_uri, "data": self.data_uri, "s": self.concept_uri + "statement/",
            "ref": self.top + "reference/", "v": self.top + "value/",
            "wdt": prop + "direct/", "wdtn": prop + "direct-normalized/", "p": prop,
            "ps": prop + "statement/", "psv": prop + "statement/value/",
            "psn": prop + "statement/value-normalized/",
            "pq": prop + "qualifier/", "pqv": prop + "qualifier/value/",
            "pqn": prop + "qualifier/value-normalized/",
            "pr": prop + "reference/", "prv": prop + "reference/value/",
            "prn": prop + "reference/value-normalized/",
            "wdno": prop + "novalue/",
        }
        return own | _STANDARD

    def render_sparql(self) -> str:
        """The ``PREFIX`` lines of every namespace, one a line, to prepend to a query."""
        return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in self.namespaces().items())

    def iri(self, prefix: str, local: str) -> NamedNode:
        return NamedNode(self.namespaces()[prefix] + local)


def _node(namespace: str, local: str) -> NamedNode:
    return NamedNode(namespace + local)


_A = _node(RDF, "type")


def _integer(value: int) -> RdfLiteral:
    return RdfLiteral(str(value), datatype=_node(XSD, "integer"))


def php_float(value: float | int) -> str:
    """A number as PHP writes it into a string (``precision`` = 14): ``0.016666666666667``, ``1.0E-5``."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.14G}"
    if "E" not in text:
        return text
    mantissa, exponent = text.split("E")
    if "." not in mantissa:
        mantissa += ".0"
    power = int(exponent)
    return f"{mantissa}E{'+' if power >= 0 else '-'}{abs(power)}"


def _days_in_month(year: int, month: int) -> int:
    """Days in a Gregorian month; ``year`` as PHP's calendar counts it (no year 0, -1 is 1 BCE)."""
    astronomical = year + 1 if year < 0 else year
    leap = astronomical % 4 == 0 and (astronomical % 100 != 0 or astronomical % 400 == 0)
    return [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]


def _parse_time(time: str) -> tuple[str, str, int, int, str] | None:
    date, _, clock = time.partition("T")
    minus = "-" if date.startswith("-") else ""
    parts = date[1:].split("-", 2)
    if len(parts) != 3:
        return None
    year = parts[0].lstrip("0")
    month = min(max(int(parts[1]), 1), 12)
    day = max(int(parts[2]), 1)
    if not year:  # year 0 is invalid (T94064)
        return None
    return minus, year, month, day, clock


def _gregorian_to_xsd(time: str, precision: int) -> str | None:
    parsed = _parse_time(time)
    if parsed is None:
        return None
    minus, year, month, day, clock = parsed
    if precision <= 9:
        month = day = 1
    elif precision == 10:
        day = 1
    if not (day <= 28 or (month != 2 and day <= 30)):
        safe_year = -4713 if minus and float(year) >= 4714 else int(year) * (-1 if minus else 1)
        day = min(day, _days_in_month(safe_year, month))
    if precision >= 9 and minus:  # XSD 1.1: year 0 is 1 BCE
        year = str(int(year) - 1)
        if year == "0":
            minus = ""
    return f"{minus}{year:0>4}-{month:02d}-{day:02d}T{clock}"


def _julian_to_xsd(time: str) -> str | None:
    parsed = _parse_time(time)
    if parsed is None:
        return None
    minus, year_text, month, day, clock = parsed
    year = -int(year_text) if minus else int(year_text)
    if year < -4713 or year > 1465072:
        return None
    astronomical = year + 1 if year < 0 else year
    a = (14 - month) // 12
    y, m = astronomical + 4800 - a, month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    # Julian day number -> proleptic Gregorian (astronomical year: XSD 1.1's own numbering)
    a = jdn + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    g_day, g_month, g_year = e - (153 * m + 2) // 5 + 1, m + 3 - 12 * (m // 10), 100 * b + d - 4800 + m // 10
    return f"{'-' if g_year < 0 else ''}{abs(g_year):04d}-{g_month:02d}-{g_day:02d}T{clock}"


def xsd_datetime(time: str, precision: int, calendar: str = GREGORIAN) -> str | None:
    """The ``xsd:dateTime`` lexical form Wikibase writes for a time value, or None if it writes none.

    ``+2021-05-00T00:00:00Z`` at month precision (10) gives ``2021-05-01T00:00:00Z``; a Julian date
    at day precision or finer is converted to the Gregorian calendar.
    """
    try:
        if calendar == JULIAN and precision >= 11:
            return _julian_to_xsd(time) or _gregorian_to_xsd(time, precision)
        return _gregorian_to_xsd(time, precision)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# values


def _hash(*parts: Any) -> str:
    return hashlib.md5(json.dumps(parts, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


def _simple_value(datatype: str, datavalue: Mapping[str, Any], prefixes: RdfPrefixes) -> NamedNode | RdfLiteral | None:
    """The object of ``wdt:``/``ps:``/``pq:``/``pr:`` for a value snak (None when Wikibase writes none)."""
    value: Any = datavalue.get("value")
    kind = datavalue.get("type")
    try:
        if datatype in ("wikibase-item", "wikibase-property") and kind == "wikibase-entityid":
            return NamedNode(prefixes.concept_uri + str(value["id"]))
        if datatype in ("string", "external-id") and kind == "string":
            return RdfLiteral(str(value))
        if datatype == "url" and kind == "string":
            return NamedNode(str(value))
        if datatype == "monolingualtext" and kind == "monolingualtext":
            return RdfLiteral(str(value["text"]), language=str(value["language"]))
        if datatype == "time" and kind == "time":
            text = xsd_datetime(value["time"], int(value["precision"]), value.get("calendarmodel", GREGORIAN))
            return None if text is None else RdfLiteral(text, datatype=_node(XSD, "dateTime"))
        if datatype == "quantity" and kind == "quantity":
            return RdfLiteral(str(value["amount"]), datatype=_node(XSD, "decimal"))
        if datatype == "globe-coordinate" and kind == "globecoordinate":
            point = f"Point({php_float(value['longitude'])} {php_float(value['latitude'])})"
            globe = value.get("globe") or EARTH
            if globe != EARTH:
                point = f"<{globe.replace('>', '%3E')}> {point}"
            return RdfLiteral(point, datatype=_node(GEO, "wktLiteral"))
    except (KeyError, TypeError, ValueError) as error:
        raise RdfMappingError(f"bad {datatype} datavalue {dict(datavalue)!r}: {error}") from None
    raise RdfMappingError(f"no RDF form for a {kind} datavalue of datatype {datatype}")


def _value_node(datatype: str, datavalue: Mapping[str, Any],
                prefixes: RdfPrefixes) -> tuple[NamedNode, list[Triple]] | None:
    """The ``v:`` node of a time, quantity or globe-coordinate value, with its triples."""
    if datatype not in ("time", "quantity", "globe-coordinate"):
        return None
    value: dict[str, Any] = dict(datavalue["value"])
    node = prefixes.iri("v", _hash(datatype, value))
    triples: list[Triple] = []

    def say(predicate: str, obj: NamedNode | RdfLiteral) -> None:
        triples.append(Triple(node, _node(WIKIBASE, predicate), obj))

    def decimal(text: str) -> RdfLiteral:
        return RdfLiteral(text, datatype=_node(XSD, "decimal"))

    def double(number: float | int) -> RdfLiteral:
        return RdfLiteral(php_float(number), datatype=_node(XSD, "double"))

    if datatype == "time":
        triples.append(Triple(node, _A, _node(WIKIBASE, "TimeValue")))
        calendar = value.get("calendarmodel", GREGORIAN)
        text = xsd_datetime(value["time"], int(value["precision"]), calendar)
        if text is not None:
            say("timeValue", RdfLiteral(text, datatype=_node(XSD, "dateTime")))
        say("timePrecision", _integer(int(value["precision"])))
        say("timeTimezone", _integer(int(value.get("timezone", 0))))
        say("timeCalendarModel", NamedNode(calendar))
    elif datatype == "quantity":
        triples.append(Triple(node, _A, _node(WIKIBASE, "QuantityValue")))
        say("quantityAmount", decimal(str(value["amount"])))
        if "upperBound" in value:
            say("quantityUpperBound", decimal(str(value["upperBound"])))
        if "lowerBound" in value:
            say("quantityLowerBound", decimal(str(value["lowerBound"])))
        unit = str(value.get("unit", "1")).strip()
        say("quantityUnit", NamedNode(UNIT_ONE if unit == "1" else unit))
    else:
        triples.append(Triple(node, _A, _node(WIKIBASE, "GlobecoordinateValue")))
        say("geoLatitude", double(value["latitude"]))
        say("geoLongitude", double(value["longitude"]))
        precision = value.get("precision")
        if precision is None:  # Wikibase: auto precision, one arc second
            triples.append(Triple(node, _A, _node(WIKIBASE, "GeoAutoPrecision")))
            precision = 1 / 3600
        say("geoPrecision", double(precision))
        say("geoGlobe", NamedNode(str(value.get("globe") or EARTH).strip()))
    return node, triples


def _snak_triples(subject: NamedNode, snak: Mapping[str, Any], prefixes: RdfPrefixes,
                  simple: str, value: str | None) -> Iterator[Triple]:
    """The triples of one snak on ``subject``: ``simple`` is the prefix of the plain value
    (``wdt``, ``ps``, ``pq``, ``pr``), ``value`` that of the value node (None: no value node)."""
    prop = str(snak["property"])
    snaktype = snak.get("snaktype")
    if snaktype == "novalue":
        yield Triple(subject, _A, prefixes.iri("wdno", prop))
        return
    predicate = prefixes.iri(simple, prop)
    if snaktype == "somevalue":
        yield Triple(subject, predicate, BlankNode(_hash(subject.value, predicate.value, snak.get("hash"))))
        return
    datatype = snak.get("datatype")
    if datatype not in DATATYPE_TABLE:
        raise RdfMappingError(f"{prop}: unsupported datatype {datatype!r}")
    obj = _simple_value(datatype, snak["datavalue"], prefixes)
    if obj is not None:
        yield Triple(subject, predicate, obj)
    if value is not None:
        node = _value_node(datatype, snak["datavalue"], prefixes)
        if node is not None:
            yield Triple(subject, prefixes.iri(value, prop), node[0])
            yield from node[1]


# ---------------------------------------------------------------------------------------------
# entities


def statement_node(guid: str, prefixes: RdfPrefixes) -> NamedNode:
    """``s:`` + the statement GUID, each character other than ``[A-Za-z0-9_-]`` made ``-``."""
    return prefixes.iri("s", re.sub(r"[^\w-]", "-", guid, flags=re.ASCII))


def _statements(entity: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for statements in entity.get("claims", {}).values():
        yield from statements


def _data_triples(entity: Mapping[str, Any], prefixes: RdfPrefixes, flavor: Flavor) -> Iterator[Triple]:
    entity_id = str(entity["id"])
    data = prefixes.iri("data", entity_id)
    yield Triple(data, _A, _node(SCHEMA, "Dataset"))
    yield Triple(data, _node(SCHEMA, "about"), prefixes.iri("wd", entity_id))
    if "lastrevid" in entity:
        yield Triple(data, _node(SCHEMA, "version"), _integer(int(entity["lastrevid"])))
    if "modified" in entity:
        yield Triple(data, _node(SCHEMA, "dateModified"), RdfLiteral(str(entity["modified"]),
                                                                     datatype=_node(XSD, "dateTime")))
    if flavor == "full":
        statements = list(_statements(entity))
        yield Triple(data, _node(WIKIBASE, "statements"), _integer(len(statements)))
        if entity.get("type") == "item":
            yield Triple(data, _node(WIKIBASE, "sitelinks"), _integer(len(entity.get("sitelinks") or {})))
            identifiers = [s for s in statements if s.get("mainsnak", {}).get("datatype") == "external-id"]
            yield Triple(data, _node(WIKIBASE, "identifiers"), _integer(len(identifiers)))


def _term_triples(subject: NamedNode, entity: Mapping[str, Any]) -> Iterator[Triple]:
    for term in (entity.get("labels") or {}).values():
        label = RdfLiteral(term["value"], language=term["language"])
        for predicate in (_node(RDFS, "label"), _node(SKOS, "prefLabel"), _node(SCHEMA, "name")):
            yield Triple(subject, predicate, label)
    for term in (entity.get("descriptions") or {}).values():
        yield Triple(subject, _node(SCHEMA, "description"), RdfLiteral(term["value"], language=term["language"]))
    for terms in (entity.get("aliases") or {}).values():
        for term in terms:
            yield Triple(subject, _node(SKOS, "altLabel"), RdfLiteral(term["value"], language=term["language"]))


def _property_triples(subject: NamedNode, entity: Mapping[str, Any], prefixes: RdfPrefixes) -> Iterator[Triple]:
    prop, datatype = str(entity["id"]), str(entity.get("datatype"))
    spec = DATATYPE_TABLE.get(datatype)
    if spec is None:
        raise RdfMappingError(f"{prop}: unsupported datatype {datatype!r}")
    yield Triple(subject, _node(WIKIBASE, "propertyType"), _node(WIKIBASE, spec.rdf_type))
    links = {"directClaim": "wdt", "claim": "p", "statementProperty": "ps", "statementValue": "psv",
             "qualifier": "pq", "qualifierValue": "pqv", "reference": "pr", "referenceValue": "prv",
             "novalue": "wdno"}
    if spec.normalized is not None:
        links |= {"directClaimNormalized": "wdtn", "statementValueNormalized": "psn",
                  "qualifierValueNormalized": "pqn", "referenceValueNormalized": "prn"}
    for link, prefix in links.items():
        yield Triple(subject, _node(WIKIBASE, link), prefixes.iri(prefix, prop))
    object_property, datatype_property = _node(OWL, "ObjectProperty"), _node(OWL, "DatatypeProperty")
    for prefix in ("p", "psv", "pqv", "prv"):
        yield Triple(prefixes.iri(prefix, prop), _A, object_property)
    for prefix in ("wdt", "ps", "pq", "pr"):
        yield Triple(prefixes.iri(prefix, prop), _A, object_property if spec.rdf_iri else datatype_property)
    if spec.normalized is not None:
        for prefix in ("psn", "pqn", "prn"):
            yield Triple(prefixes.iri(prefix, prop), _A, object_property)
        wdtn_type = object_property if spec.normalized else datatype_property
        yield Triple(prefixes.iri("wdtn", prop), _A, wdtn_type)
    novalue = prefixes.iri("wdno", prop)
    restriction = BlankNode(_hash("novalue", novalue.value))
    yield Triple(novalue, _A, _node(OWL, "Class"))
    yield Triple(novalue, _node(OWL, "complementOf"), restriction)
    yield Triple(restriction, _A, _node(OWL, "Restriction"))
    yield Triple(restriction, _node(OWL, "onProperty"), prefixes.iri("wdt", prop))
    yield Triple(restriction, _node(OWL, "someValuesFrom"), _node(OWL, "Thing"))


_RANKS = {"normal": "NormalRank", "preferred": "PreferredRank", "deprecated": "DeprecatedRank"}


def _full_statement_triples(subject: NamedNode, statement: Mapping[str, Any], best: bool,
                            prefixes: RdfPrefixes) -> Iterator[Triple]:
    mainsnak = statement["mainsnak"]
    node = statement_node(str(statement["id"]), prefixes)
    yield Triple(subject, prefixes.iri("p", str(mainsnak["property"])), node)
    yield Triple(node, _A, _node(WIKIBASE, "Statement"))
    if best:
        yield Triple(node, _A, _node(WIKIBASE, "BestRank"))
    rank = statement.get("rank", "normal")
    if rank not in _RANKS:
        raise RdfMappingError(f"{statement['id']}: unknown rank {rank!r}")
    yield Triple(node, _node(WIKIBASE, "rank"), _node(WIKIBASE, _RANKS[rank]))
    yield from _snak_triples(node, mainsnak, prefixes, "ps", "psv")
    qualifiers = statement.get("qualifiers") or {}
    for prop in statement.get("qualifiers-order") or list(qualifiers):
        for snak in qualifiers.get(prop, []):
            yield from _snak_triples(node, snak, prefixes, "pq", "pqv")
    for reference in statement.get("references") or []:
        ref = prefixes.iri("ref", str(reference["hash"]))
        yield Triple(node, _node(PROV, "wasDerivedFrom"), ref)
        yield Triple(ref, _A, _node(WIKIBASE, "Reference"))
        snaks = reference.get("snaks") or {}
        for prop in reference.get("snaks-order") or list(snaks):
            for snak in snaks.get(prop, []):
                yield from _snak_triples(ref, snak, prefixes, "pr", "prv")


def _entity_triples(entity: Mapping[str, Any], prefixes: RdfPrefixes, flavor: Flavor) -> Iterator[Triple]:
    entity_id, kind = str(entity["id"]), entity.get("type")
    if kind not in ("item", "property"):
        raise RdfMappingError(f"{entity_id}: no RDF mapping for entities of type {kind!r}")
    subject = prefixes.iri("wd", entity_id)
    yield from _data_triples(entity, prefixes, flavor)
    yield Triple(subject, _A, _node(WIKIBASE, "Item" if kind == "item" else "Property"))
    claims: Mapping[str, list[dict[str, Any]]] = entity.get("claims") or {}
    for prop in claims:
        for statement in best_statements(entity, prop):
            yield from _snak_triples(subject, statement["mainsnak"], prefixes, "wdt", None)
    if flavor == "full":
        for prop in claims:
            best = {id(s) for s in best_statements(entity, prop)}
            for statement in claims[prop]:
                yield from _full_statement_triples(subject, statement, id(statement) in best, prefixes)
    yield from _term_triples(subject, entity)
    if kind == "property":
        yield from _property_triples(subject, entity, prefixes)


def entity_triples(entity: Mapping[str, Any], prefixes: RdfPrefixes, flavor: Flavor = "full") -> list[Triple]:
    """The triples ``dumpRdf.php`` writes for one entity, each once, in the order Wikibase writes them.

    ``flavor="truthy"`` gives those of ``--flavor truthy-dump``: no statement, reference or value
    nodes, no counts on the ``data:`` node.
    """
    try:
        return list(dict.fromkeys(_entity_triples(entity, prefixes, flavor)))
    except (ValueError, TypeError, KeyError) as error:  # a value RDF cannot hold (a lone surrogate, a bad IRI)
        if isinstance(error, RdfMappingError):
            raise
        raise RdfMappingError(f"{entity.get('id', '?')}: cannot be written as RDF: {error}") from None


def entities_triples(entities: Iterable[Mapping[str, Any]], prefixes: RdfPrefixes,
                     flavor: Flavor = "full") -> list[Triple]:
    """The triples of several entities, each once (references and values shared between them too)."""
    return list(dict.fromkeys(t for entity in entities for t in entity_triples(entity, prefixes, flavor)))
