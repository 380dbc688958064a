"""Wikibase datatypes: one table of every datatype (``DATATYPE_TABLE``: its JSON form, its RDF
form, what a Wikibase refuses), and one class per datatype the bot writes, with its JSON form.

``from_datavalue`` reads a snak's datavalue back; equality of two values is equality of
these objects, so that ``+2021-05-00T00:00:00Z`` at month precision equals
``WikiDate(2021, 5)`` whatever way the server wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal

from ..registry.dates import Precision, WikiDate

GREGORIAN = "http://www.wikidata.org/entity/Q1985727"

Datatype = Literal[
    "wikibase-item", "string", "external-id", "time", "url", "monolingualtext", "quantity"
]
DATATYPES: tuple[Datatype, ...] = (
    "wikibase-item", "string", "external-id", "time", "url", "monolingualtext", "quantity",
)


_TIME = re.compile(r"^[+-]\d{4,}-(0\d|1[0-2])-([0-2]\d|3[01])T00:00:00Z$")
_AMOUNT = re.compile(r"^[+-]\d+(\.\d+)?$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")


def _refuse_url(value: Any) -> str | None:
    return None if _URL.match(str(value)) else f'This URL misses a scheme like "https://": {value}'


def _refuse_time(value: Any) -> str | None:
    time = value.get("time", "") if isinstance(value, dict) else ""
    return None if _TIME.match(str(time)) else "Data value corrupt: $timestamp must resemble ISO 8601"


def _refuse_quantity(value: Any) -> str | None:
    amount = value.get("amount", "") if isinstance(value, dict) else ""
    return None if _AMOUNT.match(str(amount)) else "Data value corrupt: not a well formed decimal value"


def _accept(value: Any) -> str | None:
    return None


@dataclass(frozen=True)
class DatatypeSpec:
    """One Wikibase datatype: the ``type`` of its datavalues in entity JSON; in the RDF dump its
    ``wikibase:propertyType`` (``Wikibase…``), whether its ``wdt:``/``ps:``/``pq:``/``pr:`` values
    are IRIs, and whether it has normalized predicates (``wdtn:``…; None: none, True: holding IRIs);
    and ``refuse``: why a Wikibase refuses a datavalue's value (None: it takes it)."""

    name: str
    json_type: str
    rdf_type: str
    rdf_iri: bool
    normalized: bool | None = None
    refuse: Callable[[Any], str | None] = _accept


DATATYPE_TABLE: dict[str, DatatypeSpec] = {spec.name: spec for spec in (
    DatatypeSpec("wikibase-item", "wikibase-entityid", "WikibaseItem", True),
    DatatypeSpec("wikibase-property", "wikibase-entityid", "WikibaseProperty", True),
    DatatypeSpec("string", "string", "String", False),
    DatatypeSpec("external-id", "string", "ExternalId", False, normalized=True),
    DatatypeSpec("time", "time", "Time", False, refuse=_refuse_time),
    DatatypeSpec("url", "string", "Url", True, refuse=_refuse_url),
    DatatypeSpec("monolingualtext", "monolingualtext", "Monolingualtext", False),
    DatatypeSpec("quantity", "quantity", "Quantity", False, normalized=False, refuse=_refuse_quantity),
    DatatypeSpec("globe-coordinate", "globecoordinate", "GlobeCoordinate", False),
)}


class DataValueError(ValueError):
    """A datavalue that is not of the expected form."""


@dataclass(frozen=True)
class ItemValue:
    datatype: ClassVar[Datatype] = "wikibase-item"
    id: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "wikibase-entityid",
                "value": {"entity-type": "item", "numeric-id": int(self.id[1:]), "id": self.id}}


@dataclass(frozen=True)
class StringValue:
    datatype: ClassVar[Datatype] = "string"
    value: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "string", "value": self.value}


@dataclass(frozen=True)
class ExternalIdValue(StringValue):
    datatype: ClassVar[Datatype] = "external-id"


@dataclass(frozen=True)
class UrlValue(StringValue):
    datatype: ClassVar[Datatype] = "url"


@dataclass(frozen=True)
class TimeValue:
    """A date with its precision; only the Gregorian calendar and day/month/year precisions."""

    datatype: ClassVar[Datatype] = "time"
    date: WikiDate

    def to_json(self) -> dict[str, Any]:
        d = self.date
        return {"type": "time", "value": {
            "time": f"+{d.year:04d}-{d.month or 0:02d}-{d.day or 0:02d}T00:00:00Z",
            "timezone": 0, "before": 0, "after": 0,
            "precision": int(d.precision), "calendarmodel": GREGORIAN,
        }}

    @classmethod
    def parse(cls, value: dict[str, Any]) -> TimeValue:
        match = re.fullmatch(r"\+(\d{4,})-(\d\d)-(\d\d)T00:00:00Z", str(value.get("time", "")))
        precision = value.get("precision")
        if not match or precision not in (9, 10, 11) or value.get("calendarmodel", GREGORIAN) != GREGORIAN:
            raise DataValueError(f"unsupported time value {value!r}")
        year, month, day = (int(g) for g in match.groups())
        if precision == Precision.YEAR:
            return cls(WikiDate(year))
        if precision == Precision.MONTH:
            return cls(WikiDate(year, month))
        return cls(WikiDate(year, month, day))


@dataclass(frozen=True)
class MonolingualTextValue:
    datatype: ClassVar[Datatype] = "monolingualtext"
    text: str
    language: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "monolingualtext", "value": {"text": self.text, "language": self.language}}


@dataclass(frozen=True)
class QuantityValue:
    datatype: ClassVar[Datatype] = "quantity"
    amount: Decimal
    unit: str = "1"  # "1": no unit; else the unit item's concept URI

    def to_json(self) -> dict[str, Any]:
        sign = "+" if self.amount >= 0 else ""
        return {"type": "quantity", "value": {"amount": f"{sign}{self.amount}", "unit": self.unit}}


Value = ItemValue | StringValue | ExternalIdValue | UrlValue | TimeValue | MonolingualTextValue | QuantityValue


def from_datavalue(datatype: str, datavalue: dict[str, Any]) -> Value:
    """The value a snak's ``datavalue`` holds, read as ``datatype``."""
    kind = datavalue.get("type")
    value: Any = datavalue.get("value")
    try:
        if datatype == "wikibase-item" and kind == "wikibase-entityid":
            return ItemValue(str(value["id"]))
        if datatype in ("string", "external-id", "url") and kind == "string" and isinstance(value, str):
            return {"string": StringValue, "external-id": ExternalIdValue, "url": UrlValue}[datatype](value)
        if datatype == "time" and kind == "time":
            return TimeValue.parse(value)
        if datatype == "monolingualtext" and kind == "monolingualtext":
            return MonolingualTextValue(value["text"], value["language"])
        if datatype == "quantity" and kind == "quantity":
            return QuantityValue(Decimal(value["amount"]), value.get("unit", "1"))
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise DataValueError(f"bad {datatype} datavalue {datavalue!r}: {error}") from None
    raise DataValueError(f"a {kind} datavalue is not a {datatype}")


def value_of_snak(snak: dict[str, Any], datatype: str) -> Value | None:
    """The value of a snak, or None for ``somevalue``/``novalue`` snaks."""
    if snak.get("snaktype") != "value":
        return None
    return from_datavalue(snak.get("datatype", datatype), snak["datavalue"])


def snak(prop: str, value: Value) -> dict[str, Any]:
    """A value snak as ``wbeditentity`` takes it."""
    return {"snaktype": "value", "property": prop, "datavalue": value.to_json()}
