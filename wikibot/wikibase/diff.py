"""The minimal ``wbeditentity`` data that turns the current entity into the wanted one (pure).

Only what the bot owns is compared: labels and descriptions in the languages the entry has,
the entry's aliases, and statements of the properties the mapping gives the entry's kind.
A statement is removed only when ``previous`` (the entity the registry wanted at the last sync) had its value and the
registry no longer has it: a statement someone else added stays, even on an owned property.
Terms (labels, descriptions, aliases) are only added or changed, never removed, unless
``previous`` (the entity as last synced) shows that the registry had them and dropped them:
other people add aliases and labels too, and only the last synced state tells them apart.  Everything else on the
item (other properties, other languages, sitelinks, other people's references, deprecated
statements) is never sent, so it cannot be changed.  An equal statement is never added
twice: the bot's reference is added to it instead.  No difference gives None: no request.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from .datatypes import DataValueError, Value, value_of_snak
from .entity import EntityJson

IsOurReference = Callable[[Mapping[str, Any]], bool]


def _value(snak: Mapping[str, Any], datatypes: Mapping[str, str]) -> Value | None:
    try:
        return value_of_snak(dict(snak), datatypes.get(str(snak.get("property")), "string"))
    except DataValueError:
        return None


def _qualifier_values(statement: Mapping[str, Any], props: frozenset[str],
                      datatypes: Mapping[str, str]) -> dict[str, list[Value | None]]:
    qualifiers = statement.get("qualifiers", {})
    return {p: [_value(q, datatypes) for q in qualifiers.get(p, [])] for p in props if qualifiers.get(p)}


def _terms(current: Mapping[str, Any], wanted: Mapping[str, Any], key: str) -> dict[str, Any]:
    have = current.get(key, {})
    return {lang: term for lang, term in wanted.get(key, {}).items()
            if have.get(lang, {}).get("value") != term["value"]}


def _dropped_terms(current: Mapping[str, Any], wanted: Mapping[str, Any], previous: Mapping[str, Any],
                   key: str) -> dict[str, Any]:
    """Terms the registry had (``previous``) and no longer has, still on the entity: removed."""
    return {lang: {"language": lang, "remove": ""} for lang, term in previous.get(key, {}).items()
            if lang not in wanted.get(key, {}) and current.get(key, {}).get(lang, {}).get("value") == term["value"]}


def _aliases(current: Mapping[str, Any], wanted: Mapping[str, Any],
             previous: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Wanted aliases the entity lacks (``add``), and ones the registry dropped (``remove``)."""
    changes: dict[str, list[dict[str, str]]] = {}
    have = {lang: {a["value"] for a in aliases} for lang, aliases in current.get("aliases", {}).items()}
    want = {lang: {a["value"] for a in aliases} for lang, aliases in wanted.get("aliases", {}).items()}
    for lang, aliases in wanted.get("aliases", {}).items():
        for alias in aliases:
            if alias["value"] not in have.get(lang, set()):
                changes.setdefault(lang, []).append({"language": lang, "value": alias["value"], "add": ""})
    for lang, aliases in previous.get("aliases", {}).items():
        for alias in aliases:
            value = alias["value"]
            if value not in want.get(lang, set()) and value in have.get(lang, set()):
                changes.setdefault(lang, []).append({"language": lang, "value": value, "remove": ""})
    return changes


def diff_entity(
    current: Mapping[str, Any] | None,
    wanted: Mapping[str, Any],
    *,
    owned: frozenset[str],
    owned_qualifiers: Mapping[str, frozenset[str]],
    datatypes: Mapping[str, str],
    is_ours: IsOurReference,
    previous: Mapping[str, Any] | None = None,
) -> EntityJson | None:
    """``data`` for one ``wbeditentity`` call, or None when nothing differs.

    ``owned``: the properties whose statements the bot manages; ``owned_qualifiers``: per
    property, the qualifiers it manages on them (others are kept); ``datatypes``: property
    -> datatype; ``is_ours``: whether a reference is one the bot writes; ``previous``: the
    wanted entity as of the last sync, whose terms the registry may since have dropped.
    """
    if current is None:
        return dict(wanted)
    data: EntityJson = {}
    for key in ("labels", "descriptions"):
        changed = _terms(current, wanted, key)
        if previous is not None:
            changed.update(_dropped_terms(current, wanted, previous, key))
        if changed:
            data[key] = changed
    aliases = _aliases(current, wanted, previous or {})
    if aliases:
        data["aliases"] = aliases
    claims: list[dict[str, Any]] = []
    previous_values: dict[str, list[Value | None]] = {}
    for statement in (previous or {}).get("claims", []):
        snak = statement["mainsnak"]
        previous_values.setdefault(snak["property"], []).append(_value(snak, datatypes))
    wanted_by_prop: dict[str, list[Mapping[str, Any]]] = {}
    for statement in wanted.get("claims", []):
        wanted_by_prop.setdefault(statement["mainsnak"]["property"], []).append(statement)
    for prop in sorted(owned):
        existing = [s for s in current.get("claims", {}).get(prop, []) if s.get("rank") != "deprecated"]
        wanted_values = [_value(w["mainsnak"], datatypes) for w in wanted_by_prop.get(prop, [])]
        matched: set[str] = set()
        for want, value in zip(wanted_by_prop.get(prop, []), wanted_values, strict=True):
            twin = next((s for s in existing if s["id"] not in matched
                         and _value(s["mainsnak"], datatypes) == value), None)
            if twin is None:
                claims.append(dict(want))
                continue
            matched.add(twin["id"])
            update = _update_statement(twin, want, owned_qualifiers.get(prop, frozenset()), datatypes, is_ours)
            if update is not None:
                claims.append(update)
        for statement in existing:
            if statement["id"] in matched:
                continue
            value = _value(statement["mainsnak"], datatypes)
            if value in wanted_values:
                continue  # a second copy of a wanted fact, made by someone: not ours to remove
            if value not in previous_values.get(prop, ()):
                continue  # not a fact the registry had: someone else's, it stays
            claims.append({"id": statement["id"], "remove": ""})
    if claims:
        data["claims"] = claims
    return data or None


def _update_statement(
    have: Mapping[str, Any], want: Mapping[str, Any], qualifier_props: frozenset[str],
    datatypes: Mapping[str, str], is_ours: IsOurReference,
) -> dict[str, Any] | None:
    """The existing statement changed to carry the wanted qualifiers and the bot's reference."""
    new_qualifiers = \
        _qualifier_values(have, qualifier_props, datatypes) != _qualifier_values(want, qualifier_props, datatypes)
    references = have.get("references", [])
    new_reference = not any(is_ours(r) for r in references) and bool(want.get("references"))
    if not (new_qualifiers or new_reference):
        return None  # as wanted already (the copy below is made only for a statement that changes)
    updated = copy.deepcopy(dict(have))
    changed = False
    if new_qualifiers:
        qualifiers = {p: q for p, q in have.get("qualifiers", {}).items() if p not in qualifier_props}
        qualifiers.update({p: q for p, q in want.get("qualifiers", {}).items() if p in qualifier_props})
        updated["qualifiers"] = qualifiers
        updated["qualifiers-order"] = list(qualifiers)
        if not qualifiers:
            updated.pop("qualifiers")
            updated.pop("qualifiers-order")
        changed = True
    if new_reference:
        updated["references"] = [*references, *want["references"]]
        changed = True
    return updated if changed else None
