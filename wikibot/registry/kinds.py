"""Each kind of registry entry, declared once: everything that is particular to hubs, partnerships
and organisations, and that the parser, validation, the Wikibase mapping, sync, the status boxes,
coverage and the schemas read from here.

A kind is its model (``models.py``: fields, their types and vocabularies, the checks of one
entry) plus this declaration: the registry template that holds it on a page and the
parameters named otherwise than their field, the class item it is an instance of in the
Wikibase and the property each field is stored in, its status box (if it has one), the status
it is given when it leaves the registry, and its place in the order of creation (an entry is
created after the entries it names).  Adding a kind: a model, an ``EntryKind`` member, and a
``Kind`` here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from .dates import WikiDate
from .models import Entry, EntryKind, Hub, Organization, Partnership
from .vocab import HubStatus, PartnershipStatus, Term

# How a stored field's values read in the Wikibase: another registry entry's item, a vocabulary
# term's item, a class (an ``instance of`` value), or the value itself.
ValueKind = Literal["plain", "entry", "vocabulary", "class"]
INSTANCE_OF = "instance_of"  # the property key of the class statements


@dataclass(frozen=True)
class Stored:
    """One model field in the Wikibase: the statements of ``property`` (a property key of the
    mapping), or, with ``qualifier_of``, a qualifier on another field's statements."""

    field: str
    property: str
    qualifier_of: str | None = None


@dataclass(frozen=True)
class StatusBox:
    """The box on an entry's own page: its template (the default name; ``[status.templates]``)
    and the parameters the bot owns, in the order a new box lists them."""

    template: str
    params: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    kind: EntryKind
    model: type[Entry]
    creation_order: int  # created after the kinds of a lower order (the entries it may name)
    template: str  # the default name of its registry template (``[registry.templates]``)
    class_label: str  # the English label of its class item in the Wikibase
    class_noun: str  # what its class item's description calls it ("hub", "organisation")
    stored: tuple[Stored, ...]  # how its fields are kept in the Wikibase, in statement order
    params: Mapping[str, str] = field(default_factory=dict)  # field -> template parameter, where they differ
    status_box: StatusBox | None = None
    retired: Term | None = None  # the status its item gets when it leaves the registry (--retire)

    @property
    def class_key(self) -> str:
        """The key of its class item in the mapping and the ids file: ``class:hub``."""
        return f"class:{self.kind.value}"


# Every kind keeps these, before its own fields.
_COMMON = (Stored("id", "registry_id"), Stored("page", "meta_page"), Stored("website", "website"))

KINDS: dict[EntryKind, Kind] = {
    EntryKind.HUB: Kind(
        EntryKind.HUB, Hub, 1, "Hub registry entry", "Wikimedia hub", "hub",
        params={"hub_kind": "kind"},
        stored=(*_COMMON, Stored("hub_kind", INSTANCE_OF), Stored("status", "status"), Stored("regions", "region"),
                Stored("countries", "country"), Stored("languages", "language"), Stored("themes", "theme"),
                Stored("host", "host"), Stored("members", "member"), Stored("established", "established"),
                Stored("pilot_start", "pilot_start"), Stored("next_review", "next_review")),
        status_box=StatusBox("Hub status", ("status", "kind", "host", "regions", "languages", "themes", "members",
                                            "partnerships", "next_review", "overdue", "item")),
        retired=HubStatus.CLOSED,
    ),
    EntryKind.PARTNERSHIP: Kind(
        EntryKind.PARTNERSHIP, Partnership, 2, "Partnership registry entry", "Wikimedia partnership", "partnership",
        params={"partnership_type": "type"},
        stored=(*_COMMON, Stored("partner", "partner"), Stored("start", "start_time", qualifier_of="partner"),
                Stored("end", "end_time", qualifier_of="partner"), Stored("partner_type", "partner_type"),
                Stored("partnership_type", "partnership_type"), Stored("stewards", "steward"),
                Stored("themes", "theme"), Stored("scope", "scope"), Stored("regions", "region"),
                Stored("countries", "country"), Stored("languages", "language"), Stored("status", "status")),
        status_box=StatusBox("Partnership status", ("status", "type", "partner", "stewards", "scope", "regions",
                                                    "languages", "themes", "start", "end", "item")),
        retired=PartnershipStatus.ENDED,
    ),
    EntryKind.ORGANIZATION: Kind(
        EntryKind.ORGANIZATION, Organization, 0, "Organization registry entry", "organization", "organisation",
        stored=(*_COMMON, Stored("type", INSTANCE_OF), Stored("regions", "region"), Stored("countries", "country"),
                Stored("languages", "language"), Stored("established", "established")),
    ),
}

ENTRY_TYPES: dict[EntryKind, type[Entry]] = {kind: spec.model for kind, spec in KINDS.items()}


def kind_spec(kind: EntryKind) -> Kind:
    return KINDS[kind]


def with_status_box() -> Iterator[Kind]:
    """The kinds whose entries have a status box on their own page."""
    return (spec for spec in KINDS.values() if spec.status_box is not None)


def field_element(model: type[Entry], name: str) -> tuple[type, bool]:
    """(element type, is a list) of a model field: ``str``, ``WikiDate`` or a vocabulary (a
    ``Term`` subclass); a multilingual field (language -> value) by its values."""
    return _element_and_many(model.model_fields[name].annotation)


def _element_and_many(annotation: Any) -> tuple[type, bool]:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _element_and_many(args[0])
    if origin is dict:  # a multilingual field: language -> value
        return _element_and_many(args[1])
    if origin is tuple:
        element, _ = _element_and_many(args[0])
        return element, True
    if origin in (typing.Union, types.UnionType):
        return _element_and_many(args[0])
    if isinstance(annotation, type) and (issubclass(annotation, (Term, WikiDate))):
        return annotation, False
    return str, False


@cache
def value_kind(kind: EntryKind, stored: Stored) -> tuple[ValueKind, type[Term] | None]:
    """How the values of a stored field read in the Wikibase, and their vocabulary (if any)."""
    model = KINDS[kind].model
    element, _ = field_element(model, stored.field)
    if stored.field in model.reference_fields:
        return "entry", None
    if isinstance(element, type) and issubclass(element, Term):
        return ("class" if stored.property == INSTANCE_OF else "vocabulary"), element
    return "plain", None
