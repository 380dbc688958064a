"""The three-way merge of one entry (pure): base (last synced), page and Wikibase values.

Values are the JSON form of an entry's fields (``Entry.model_dump(mode="json")``), flattened
so that each language of a multilingual field is a field of its own (``names.pl``): a name
changed on the page and a label added in another language on the Wikibase do not collide.
Absent, ``None``, ``[]`` and ``{}`` are the same thing: no value.  Lists compare as multisets
(``PL, CZ`` = ``CZ, PL``).

Per field:

==========================  ==============================================
page = item                 nothing to do
page = base, item changed   changed in the Wikibase only: update the page
item = base, page changed   changed on the page only: update the item
both changed (no base:      conflict: neither side written for that field
both have a value)
no base, one side empty     the other side's value fills it
==========================  ==============================================
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..registry.models import Entry

Direction = Literal["wikibase", "page"]
NOT_MERGED = frozenset({"id", "item"})  # the key, and the link the bot itself writes
MULTILINGUAL = frozenset({"names", "descriptions", "aliases"})


def entry_values(entry: Entry) -> dict[str, Any]:
    """An entry's mergeable values, flattened, empty ones left out."""
    return flatten(entry.model_dump(mode="json"))


def flatten(values: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if name in NOT_MERGED:
            continue
        if name in MULTILINGUAL and isinstance(value, Mapping):
            for language, text in value.items():
                if not _empty(text):
                    flat[f"{name}.{language}"] = text
        elif not _empty(value):
            flat[name] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in flat.items():
        base, dot, language = name.partition(".")
        if dot:
            values.setdefault(base, {})[language] = value
        else:
            values[name] = value
    return values


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ()


def _key(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def same(a: Any, b: Any) -> bool:
    """Equal values; lists as multisets; empty = absent."""
    if a == b:
        return True
    if _empty(a) or _empty(b):
        return _empty(a) and _empty(b)
    if isinstance(a, list) and isinstance(b, list):
        return Counter(map(_key, a)) == Counter(map(_key, b))
    return bool(a == b)


@dataclass(frozen=True)
class Change:
    """One field to write on one side: ``old`` there becomes ``new`` (None: no value)."""

    field: str
    old: Any
    new: Any
    to: Direction


@dataclass(frozen=True)
class Conflict:
    """A field changed on both sides differently since the last sync: neither side is written."""

    field: str
    base: Any
    page: Any
    wikibase: Any


@dataclass(frozen=True)
class Merge:
    page: dict[str, Any]  # the flat values wanted on the page
    wikibase: dict[str, Any]  # ... and on the item
    changes: tuple[Change, ...]
    conflicts: tuple[Conflict, ...]
    _agreed: dict[str, Any] = field(repr=False)

    def changes_to(self, side: Direction) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.to == side)

    def base_after(self, written: frozenset[Direction] | set[Direction]) -> dict[str, Any]:
        """The merge base to record once the sides in ``written`` hold their new values."""
        agreed = dict(self._agreed)
        for change in self.changes:
            if change.to in written:
                if _empty(change.new):
                    agreed.pop(change.field, None)
                else:
                    agreed[change.field] = change.new
        return agreed


def merge(base: Mapping[str, Any] | None, page: Mapping[str, Any], wikibase: Mapping[str, Any]) -> Merge:
    """Merge flat values (see ``flatten``); ``base`` None: never synced (or the state was lost)."""
    on_page, on_item = dict(page), dict(wikibase)
    changes: list[Change] = []
    conflicts: list[Conflict] = []
    agreed: dict[str, Any] = dict(base or {})
    for name in sorted(set(page) | set(wikibase) | set(base or {})):
        p, w = page.get(name), wikibase.get(name)
        if same(p, w):
            if _empty(p):
                agreed.pop(name, None)
            else:
                agreed[name] = p
            continue
        if base is None:
            b_is_p, b_is_w = _empty(p), _empty(w)  # no base: as if it were the empty value
        else:
            b = base.get(name)
            b_is_p, b_is_w = same(b, p), same(b, w)
        if b_is_p and not b_is_w:  # changed in the Wikibase only
            changes.append(Change(name, p, w, "page"))
            _put(on_page, name, w)
        elif b_is_w and not b_is_p:  # changed on the page only
            changes.append(Change(name, w, p, "wikibase"))
            _put(on_item, name, p)
        else:
            conflicts.append(Conflict(name, (base or {}).get(name), p, w))
    return Merge(on_page, on_item, tuple(changes), tuple(conflicts), agreed)


def _put(values: dict[str, Any], name: str, value: Any) -> None:
    if _empty(value):
        values.pop(name, None)
    else:
        values[name] = value
