"""Wikibase datatypes: one class per datatype, each with its JSON form (``datavalue``).

``from_datavalue`` reads a snak's datavalue back; equality of two values is equality of
these objects, so that ``+2021-05-00T00:00:00Z`` at month precision equals
``WikiDate(2021, 5)`` whatever way the server wrote it.
"""

from __future__ import annotations

import re
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
