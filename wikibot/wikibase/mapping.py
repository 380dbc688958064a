"""Where each registry fact lives in a Wikibase: properties, class items, vocabulary items.

The *mapping* names things by key and label (``"region"`` → property labelled "region",
datatype wikibase-item); it is the same for every instance and is written out to
``schemas/mapping*.json``.  The *instance ids* (``region`` → ``P5`` on this Wikibase) are
the operator's: ``wikibot bootstrap`` finds or creates them and records them in the
instance's ids file.  ``ResolvedMapping`` joins the two and is what ``entity.py`` uses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..registry.kinds import INSTANCE_OF, KINDS, ValueKind, value_kind
from ..registry.models import EntryKind
from ..registry.vocab import VOCABULARIES, HubKind, OrganizationType, Term
from .datatypes import Datatype

REGISTRY = "in the Wikimedia registry of hubs and partnerships"


@dataclass(frozen=True)
class PropertySpec:
    key: str
    label: str
    datatype: Datatype
    description: str


@dataclass(frozen=True)
class ItemSpec:
    """A class or vocabulary item: found by its label and description, or created with them."""

    key: str  # "class:hub", "region:eseap"
    label: str
    description: str


@dataclass(frozen=True)
class FieldSpec:
    """How a model field is stored (``registry/kinds.py`` declares it): as statements of a
    property, or as qualifiers of another field's statements (a time span); ``values`` say what
    the values are (another registry entry's item, a vocabulary term's item, a class, or the
    value itself)."""

    field: str
    property: str  # key of a PropertySpec
    values: ValueKind = "plain"
    vocabulary: type[Term] | None = None
    qualifier_of: str | None = None  # stored as a qualifier on this field's statements


PROPERTIES: tuple[PropertySpec, ...] = (
    PropertySpec("instance_of", "instance of", "wikibase-item",
                 "that class of which this subject is a particular example and member"),
    PropertySpec("registry_id", "registry id", "external-id",
                 f"stable identifier (slug) of the entry {REGISTRY}; never changes"),
    PropertySpec("status", "registry status", "wikibase-item",
                 f"lifecycle stage of a hub or status of a partnership {REGISTRY}"),
    PropertySpec("region", "Wikimedia region", "wikibase-item",
                 "Wikimedia region covered by or home of the subject"),
    PropertySpec("country", "country code", "string",
                 "country covered by or home of the subject (ISO 3166-1 alpha-2 code)"),
    PropertySpec("language", "language code", "string",
                 "language covered or used by the subject (Wikimedia language code)"),
    PropertySpec("theme", "thematic area", "wikibase-item", "thematic area covered by the subject"),
    PropertySpec("host", "host organization", "wikibase-item",
                 "organisation hosting the hub or acting as its fiscal sponsor"),
    PropertySpec("member", "member organization", "wikibase-item", "organisation that is a member of the hub"),
    PropertySpec("partner", "partner organization", "wikibase-item", "the organisation partnered with"),
    PropertySpec("partner_type", "partner type", "wikibase-item", "kind of partner in a partnership"),
    PropertySpec("partnership_type", "partnership type", "wikibase-item",
                 "kind of partnership: content, technology, financial, advocacy, education, research"),
    PropertySpec("steward", "steward organization", "wikibase-item",
                 "organisation leading and stewarding the partnership"),
    PropertySpec("scope", "partnership scope", "wikibase-item", "global, regional or national scope"),
    PropertySpec("established", "inception", "time", "date when the subject was founded or established"),
    PropertySpec("pilot_start", "pilot start date", "time", "start of the hub's pilot phase"),
    PropertySpec("next_review", "next review date", "time", "date of the hub's next reassessment"),
    PropertySpec("start_time", "start time", "time", "time a time span begins"),
    PropertySpec("end_time", "end time", "time", "time a time span ends"),
    PropertySpec("meta_page", "Meta-Wiki page", "string", "title of the subject's own page on Meta-Wiki"),
    PropertySpec("website", "official website", "url", "URL of the official website of the subject"),
    PropertySpec("reference_url", "reference URL", "url", "URL of the source of a statement"),
    PropertySpec("retrieved", "retrieved", "time", "date the source of a statement was read"),
)

FIELDS: dict[EntryKind, tuple[FieldSpec, ...]] = {
    kind: tuple(FieldSpec(s.field, s.property, *value_kind(kind, s), qualifier_of=s.qualifier_of)
                for s in spec.stored)
    for kind, spec in KINDS.items()
}

# Every entry is an instance of the class of its kind; hubs and organisations also of the
# class of their hub kind(s) or organisation type.
KIND_CLASSES: dict[EntryKind, ItemSpec] = {
    kind: ItemSpec(spec.class_key, spec.class_label, f"{spec.class_noun} {REGISTRY}") for kind, spec in KINDS.items()
}


def term_key(term: Term) -> str:
    """The item key of a vocabulary term: ``region:eseap``."""
    return f"{type(term).vocabulary_name()}:{term.value}"


def _term_item(term: Term) -> ItemSpec:
    vocabulary = type(term)
    if vocabulary is HubKind:
        return ItemSpec(term_key(term), f"{term.label.lower()} hub", f"kind of hub {REGISTRY}")
    if vocabulary is OrganizationType:
        return ItemSpec(term_key(term), term.label, f"type of organisation {REGISTRY}")
    return ItemSpec(term_key(term), term.label, f"{vocabulary.vocabulary_label()} {REGISTRY}")


def vocabulary_items() -> Iterator[ItemSpec]:
    yield from KIND_CLASSES.values()
    for vocabulary in VOCABULARIES:
        for term in vocabulary:
            yield _term_item(term)


@dataclass(frozen=True)
class ResolvedMapping:
    """The mapping with this instance's ids: property key -> P id, item key -> Q id."""

    properties: Mapping[str, str]
    items: Mapping[str, str]
    fields: Mapping[EntryKind, tuple[FieldSpec, ...]] = field(default_factory=lambda: FIELDS)

    def missing(self) -> list[str]:
        """Keys that have no id yet (bootstrap has not run, or the ids file is incomplete)."""
        wanted = [p.key for p in PROPERTIES if p.key in self.used_properties()]
        wanted_items = [i.key for i in vocabulary_items()]
        return [k for k in wanted if k not in self.properties] + [k for k in wanted_items if k not in self.items]

    def used_properties(self) -> set[str]:
        used = {f.property for specs in self.fields.values() for f in specs}
        return used | {INSTANCE_OF, "reference_url", "retrieved"}

    def pid(self, key: str) -> str:
        return self.properties[key]

    def qid(self, key: str) -> str:
        return self.items[key]

    @cached_property
    def item_keys(self) -> Mapping[str, str]:
        """Q id -> item key (made once: every item read asks it)."""
        return {qid: key for key, qid in self.items.items()}

    def owned_properties(self, kind: EntryKind) -> frozenset[str]:
        """The P ids the bot owns on an item of ``kind``: statements of others stay untouched."""
        return frozenset(self.properties[f.property] for f in self.fields[kind] if f.qualifier_of is None)

    def owned_qualifiers(self, kind: EntryKind) -> dict[str, frozenset[str]]:
        """Per owned property, the qualifiers the bot manages on its statements (time spans)."""
        owned: dict[str, set[str]] = {}
        by_field = {f.field: f for f in self.fields[kind]}
        for spec in self.fields[kind]:
            if spec.qualifier_of is not None:
                target = self.properties[by_field[spec.qualifier_of].property]
                owned.setdefault(target, set()).add(self.properties[spec.property])
        return {prop: frozenset(qualifiers) for prop, qualifiers in owned.items()}

    def datatypes(self) -> dict[str, Datatype]:
        by_key = {p.key: p.datatype for p in PROPERTIES}
        return {pid: by_key[key] for key, pid in self.properties.items() if key in by_key}


def property_spec(key: str) -> PropertySpec:
    return _PROPERTY_SPECS[key]


_PROPERTY_SPECS: dict[str, PropertySpec] = {p.key: p for p in reversed(PROPERTIES)}  # the first of a key wins


# On Wikidata the bot uses existing properties where there are ones; None: no Wikidata
# property fits, the field is not written there.  Values of item-valued properties whose
# values here are codes (country, language) need the code -> item table of the instance ids.
WIKIDATA_PROPERTIES: dict[str, tuple[str | None, str]] = {
    "instance_of": ("P31", "instance of"),
    "registry_id": (None, "no Wikidata property; the registry id stays in the registry (and the state store)"),
    "status": (None, "no Wikidata property for a hub's lifecycle stage or a partnership's status"),
    "region": ("P2541", "operating area; values: the region items of the instance ids"),
    "country": ("P17", "country; values: country items (ISO 3166-1 alpha-2 code -> item, via P297)"),
    "language": ("P2936", "language used; values: language items (code -> item, via P424)"),
    "theme": ("P101", "field of work"),
    "host": ("P749", "parent organization (host or fiscal sponsor)"),
    "member": ("P527", "has part(s)"),
    "partner": ("P2652", "partnership with"),
    "partner_type": (None, "no Wikidata property"),
    "partnership_type": (None, "no Wikidata property"),
    "steward": (None, "no Wikidata property"),
    "scope": (None, "no Wikidata property"),
    "established": ("P571", "inception"),
    "pilot_start": (None, "no Wikidata property"),
    "next_review": (None, "no Wikidata property"),
    "start_time": ("P580", "start time (qualifier)"),
    "end_time": ("P582", "end time (qualifier)"),
    "meta_page": (None, "a sitelink to metawiki instead of a statement"),
    "website": ("P856", "official website"),
    "reference_url": ("P854", "reference URL"),
    "retrieved": ("P813", "retrieved"),
}
