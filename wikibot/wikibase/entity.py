"""Registry entries <-> Wikibase entity JSON (pure).

``to_entity`` writes an entry as the JSON ``wbeditentity`` takes: labels and descriptions in
every language the entry has, one statement per fact, qualifiers for time spans, and on every
statement a reference to the registry page's permalink with the date it was read.
``from_entity`` reads an entity (as ``wbgetentities`` gives it) back into an entry.
"""

from __future__ import annotations

import functools
import typing
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..registry.dates import WikiDate
from ..registry.kinds import ENTRY_TYPES
from ..registry.models import Entry, EntryKind
from ..registry.vocab import Term
from .datatypes import (
    DataValueError,
    ExternalIdValue,
    ItemValue,
    StringValue,
    TimeValue,
    UrlValue,
    Value,
    snak,
    value_of_snak,
)
from .mapping import KIND_CLASSES, FieldSpec, ResolvedMapping, property_spec, term_key

EntityJson = dict[str, Any]  # an entity as wbgetentities returns it, or wbeditentity data


@dataclass(frozen=True)
class Provenance:
    """Where the facts were read: a registry page at one revision, on one day."""

    page_url: str  # https://meta.wikimedia.org/w/index.php?title=Hubs/Registry
    oldid: int
    retrieved: WikiDate

    @classmethod
    def for_page(cls, index_url: str, title: str, oldid: int, retrieved: WikiDate) -> Provenance:
        query = urllib.parse.urlencode({"title": title.replace(" ", "_")}, safe="/:")
        return cls(f"{index_url}?{query}", oldid, retrieved)

    @property
    def permalink(self) -> str:
        return f"{self.page_url}&oldid={self.oldid}"

    def is_ours(self, reference: Mapping[str, Any], mapping: ResolvedMapping) -> bool:
        """True for a reference the bot wrote for this page (whatever revision it cited)."""
        for ref_snak in reference.get("snaks", {}).get(mapping.pid("reference_url"), []):
            url = ref_snak.get("datavalue", {}).get("value", "")
            if url == self.page_url or url.startswith(self.page_url + "&oldid="):
                return True
        return False


class MissingItemError(LookupError):
    """An entry names another entry that has no item yet: create that one first."""


class EntityReadError(ValueError):
    """An entity cannot be read as a registry entry; ``problems`` says why, field by field."""

    def __init__(self, entity_id: str, problems: list[str]) -> None:
        super().__init__(f"{entity_id}: " + "; ".join(problems))
        self.entity_id = entity_id
        self.problems = problems


def _plain(datatype: str, value: Any) -> Value:
    if datatype == "time":
        return TimeValue(value)
    if datatype == "url":
        return UrlValue(str(value))
    if datatype == "external-id":
        return ExternalIdValue(str(value))
    return StringValue(str(value))


def _values(spec: FieldSpec, raw: Any, mapping: ResolvedMapping, item_ids: Mapping[str, str]) -> Iterator[Value]:
    if raw is None:
        return
    datatype = property_spec(spec.property).datatype
    for value in raw if isinstance(raw, tuple) else (raw,):
        if spec.values == "entry":
            if value not in item_ids:
                raise MissingItemError(f"{spec.field}: {value!r} has no item yet")
            yield ItemValue(item_ids[value])
        elif spec.values in ("vocabulary", "class"):
            assert isinstance(value, Term)
            yield ItemValue(mapping.qid(term_key(value)))
        else:
            yield _plain(datatype, value)


def _reference(provenance: Provenance, mapping: ResolvedMapping) -> dict[str, Any]:
    url, retrieved = mapping.pid("reference_url"), mapping.pid("retrieved")
    return {
        "snaks": {url: [snak(url, UrlValue(provenance.permalink))],
                  retrieved: [snak(retrieved, TimeValue(provenance.retrieved))]},
        "snaks-order": [url, retrieved],
    }


def _statement(prop: str, value: Value, qualifiers: dict[str, list[dict[str, Any]]],
               reference: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {"type": "statement", "rank": "normal", "mainsnak": snak(prop, value)}
    if qualifiers:
        statement["qualifiers"] = qualifiers
        statement["qualifiers-order"] = list(qualifiers)
    if reference is not None:
        statement["references"] = [reference]
    return statement


def to_entity(
    entry: Entry,
    mapping: ResolvedMapping,
    provenance: Provenance | None,
    item_ids: Mapping[str, str] = {},
) -> EntityJson:
    """The entity JSON for ``entry``; ``item_ids`` maps registry ids to the items of other entries."""
    reference = _reference(provenance, mapping) if provenance else None
    specs = mapping.fields[entry.kind]
    qualifiers: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for spec in specs:
        if spec.qualifier_of is not None:
            for value in _values(spec, getattr(entry, spec.field), mapping, item_ids):
                prop = mapping.pid(spec.property)
                qualifiers.setdefault(spec.qualifier_of, {})[prop] = [snak(prop, value)]
    instance_of = mapping.pid("instance_of")
    claims = [_statement(instance_of, ItemValue(mapping.qid(KIND_CLASSES[entry.kind].key)), {}, reference)]
    for spec in specs:
        if spec.qualifier_of is not None:
            continue
        prop = mapping.pid(spec.property)
        for value in _values(spec, getattr(entry, spec.field), mapping, item_ids):
            claims.append(_statement(prop, value, qualifiers.get(spec.field, {}), reference))
    return {
        "labels": {lang: {"language": lang, "value": text} for lang, text in sorted(entry.names.items())},
        "descriptions": {lang: {"language": lang, "value": text}
                         for lang, text in sorted(entry.descriptions.items())},
        "aliases": {lang: [{"language": lang, "value": text} for text in texts]
                    for lang, texts in sorted(entry.aliases.items())},
        "claims": claims,
    }


def statements(entity: Mapping[str, Any], prop: str) -> list[dict[str, Any]]:
    """Every statement of ``prop`` on the entity, whatever its rank."""
    found: list[dict[str, Any]] = entity.get("claims", {}).get(prop, [])
    return found


def term_text(entity: Mapping[str, Any], terms: str, language: str) -> str | None:
    """The label (``terms="labels"``) or description in ``language``, if any."""
    value = entity.get(terms, {}).get(language, {}).get("value")
    return value if isinstance(value, str) else None


def registry_ids_of(entity: Mapping[str, Any], mapping: ResolvedMapping) -> list[str]:
    """The registry ids the entity's registry-id statements hold (any rank)."""
    found = []
    for statement in statements(entity, mapping.pid("registry_id")):
        value = statement.get("mainsnak", {}).get("datavalue", {}).get("value")
        if isinstance(value, str):
            found.append(value)
    return found


def status_edit(entity: Mapping[str, Any], mapping: ResolvedMapping, status: Term) -> EntityJson | None:
    """The ``wbeditentity`` data that leaves ``status`` the entity's only status (other status
    statements removed, one added when none holds it); None when it already is."""
    prop, wanted = mapping.pid("status"), mapping.qid(term_key(status))
    current = statements(entity, prop)
    claims: list[dict[str, Any]] = [{"id": s["id"], "remove": ""} for s in current if _item_id(s) != wanted]
    if len(claims) == len(current):
        claims.append({"mainsnak": snak(prop, ItemValue(wanted)), "type": "statement", "rank": "normal"})
    return {"claims": claims} if claims else None


def _item_id(statement: Mapping[str, Any]) -> str | None:
    value = statement.get("mainsnak", {}).get("datavalue", {}).get("value", {})
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def best_statements(entity: Mapping[str, Any], prop: str) -> list[dict[str, Any]]:
    """The statements of ``prop`` that count: preferred ones if any, else the normal ones."""
    counted = [s for s in statements(entity, prop) if s.get("rank") != "deprecated"]
    preferred = [s for s in counted if s.get("rank") == "preferred"]
    return preferred or counted


def entry_kind(entity: Mapping[str, Any], mapping: ResolvedMapping) -> EntryKind | None:
    """The kind of registry entry an entity is, from its ``instance of`` statements."""
    classes = {mapping.items.get(spec.key): kind for kind, spec in KIND_CLASSES.items()}
    for statement in statements(entity, mapping.pid("instance_of")):
        kind = classes.get(_item_id(statement))
        if kind is not None:
            return kind
    return None


def from_entity(
    entity: Mapping[str, Any], mapping: ResolvedMapping, registry_ids: Mapping[str, str]
) -> Entry:
    """The registry entry an entity holds; ``registry_ids`` maps item ids of entries to registry ids.

    Raises ``EntityReadError`` with every problem found.
    """
    entity_id = str(entity.get("id", "?"))
    kind = entry_kind(entity, mapping)
    if kind is None:
        raise EntityReadError(entity_id, ["not an instance of a registry class"])
    terms = mapping.item_keys
    specs = {s.field: s for s in reversed(mapping.fields[kind])}  # the first of a field wins, as next() did
    problems: list[str] = []
    data: dict[str, Any] = {
        "names": {lang: v["value"] for lang, v in entity.get("labels", {}).items()},
        "descriptions": {lang: v["value"] for lang, v in entity.get("descriptions", {}).items()},
        "aliases": {lang: tuple(dict.fromkeys(a["value"] for a in aliases))
                    for lang, aliases in entity.get("aliases", {}).items() if aliases},
        "item": entity_id,
    }
    for spec in mapping.fields[kind]:
        target = spec.qualifier_of or spec.field
        target_spec = specs[target]
        statements = best_statements(entity, mapping.pid(target_spec.property))
        snaks = ([q for s in statements for q in s.get("qualifiers", {}).get(mapping.pid(spec.property), [])]
                 if spec.qualifier_of else [s["mainsnak"] for s in statements])
        values: list[Any] = []
        for one in snaks:
            try:
                value = value_of_snak(one, property_spec(spec.property).datatype)
            except DataValueError as error:
                problems.append(f"{spec.field}: {error}")
                continue
            if value is None:
                continue
            try:
                read = _read(spec, value, terms, registry_ids, kind)
            except _UnreadableError as error:
                problems.append(f"{spec.field}: {error}")
                continue
            if read is not None:
                values.append(read)
        if _tuple_field(kind, spec.field):
            data[spec.field] = tuple(dict.fromkeys(values))
        elif len(set(values)) > 1:
            problems.append(f"{spec.field}: {len(values)} different values where one is expected")
        elif values:
            data[spec.field] = values[0]
    if problems:
        raise EntityReadError(entity_id, problems)
    try:
        return ENTRY_TYPES[kind].model_validate(data)
    except ValidationError as error:
        raise EntityReadError(entity_id, [
            f"{'.'.join(str(p) for p in e['loc']) or 'entity'}: {e['msg']}" for e in error.errors()
        ]) from None


class _UnreadableError(ValueError):
    pass


def _read(spec: FieldSpec, value: Value, terms: Mapping[str, str], registry_ids: Mapping[str, str],
          kind: EntryKind) -> Any:
    """A statement value as a model value, or None for a value that is not this field's."""
    if spec.values == "entry":
        assert isinstance(value, ItemValue)
        if value.id not in registry_ids:
            raise _UnreadableError(f"{value.id} is not the item of a registry entry")
        return registry_ids[value.id]
    if spec.values in ("vocabulary", "class"):
        assert isinstance(value, ItemValue) and spec.vocabulary is not None
        key = terms.get(value.id, "")
        if spec.values == "class" and (not key or key == KIND_CLASSES[kind].key or key.startswith("class:")):
            return None  # the kind's own class, or another class: not a value of this field
        term = _terms_by_key(spec.vocabulary).get(key)
        if term is None:
            if spec.values == "class":
                return None
            raise _UnreadableError(f"{value.id} is not a {spec.vocabulary.vocabulary_label()}")
        return term
    if isinstance(value, TimeValue):
        return value.date
    if isinstance(value, StringValue):
        return value.value
    return None


@functools.cache
def _tuple_field(kind: EntryKind, name: str) -> bool:
    return _is_tuple(ENTRY_TYPES[kind].model_fields[name].annotation)


@functools.cache
def _terms_by_key(vocabulary: type[Term]) -> dict[str, Term]:
    return {term_key(t): t for t in vocabulary}


def _is_tuple(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_tuple(typing.get_args(annotation)[0])
    return origin is tuple
