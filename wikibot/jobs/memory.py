"""What the sync keeps between runs to read only what changed (incremental sync).

The sync state holds, beside the merge base of each entry (``StateStore.entries``):

* ``meta``: the fingerprint of what shapes the entries (this version of wikibot, the mapping,
  the registry settings: a change of any makes the next sync a full one), when the last full
  reconciliation ran, the watermarks of both wikis' changes, the entries to plan again (a
  write that failed), and what the last run left for a person (carried by a run that finds
  nothing changed);
* ``page``: each registry page as last read or saved, with its parse;
* ``owners``: the registry ids each item held when it was last read;
* ``plan-key`` / ``plan``: for each entry, a digest of everything its plan was made from (its
  call on the page, its item's revision, its merge base, and what the plan looked up of the
  other entries: the owner of each item its item names, the kind of each registry id it
  names), with the lookups themselves, and the plan itself when it holds something for a
  person (a conflict, a reason it was skipped).  An entry is planned again when any of those
  changed, and only then: a new entry elsewhere re-plans only the entries that name it.

Everything here is a cache: lost or unreadable, the next sync is a full one; a plan is reused
only when every input it was made from is unchanged, so an incremental sync ends where a full
one would (``tests/integration/test_incremental.py`` checks it over random sequences of edits,
crashes and reruns).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .. import __version__
from ..ports import Page, StateStore, SyncedEntry
from ..registry.check import Claim
from ..sync.plan import EntryPlan
from ..wikibase.mapping import ResolvedMapping
from ..wikitext.registry_page import ParsedPage

FORMAT = 4  # of what is kept here: a state of another format is read again from the wikis


def _dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _load(blob: bytes) -> Any:
    try:
        return pickle.loads(blob)  # our own state file, written by this code (FORMAT)
    except Exception:
        return None


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def fingerprint(mapping: ResolvedMapping, shaping: Any) -> str:
    """What shapes the entries: a change makes the next sync a full one."""
    return digest(FORMAT, __version__, dict(mapping.properties), dict(mapping.items), shaping)


@dataclass
class Carried:
    """What the last run left for a person: said again by a run that finds nothing changed."""

    outcome: str = "ok"
    lines: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Memory:
    """The kept state of one sync (see the module docstring), read and written through the state store."""

    state: StateStore
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, state: StateStore) -> Memory:
        kept = state.cached("meta").get("meta")
        meta = json.loads(kept) if kept else {}
        return cls(state, meta if isinstance(meta, dict) else {})

    def save_meta(self, **values: Any) -> None:
        self.meta.update(values)
        self.state.cache("meta", {"meta": json.dumps(self.meta, sort_keys=True).encode()})

    def mode(self, fingerprint: str, *, asked_full: bool, full_every: dt.timedelta,
             now: dt.datetime) -> tuple[bool, str]:
        """(a full reconciliation?, why): asked for, a new or other state, or the one a day."""
        if asked_full:
            return True, "asked for (--full)"
        if not self.meta:
            return True, "the first with this state"
        if self.meta.get("fingerprint") != fingerprint:
            return True, "the mapping, the registry settings or wikibot changed since the last"
        if self.meta.get("unfinished"):
            return True, f"the last sync left work undone: {self.meta['unfinished']}"
        last = self.meta.get("last_full")
        try:
            last_full = dt.datetime.fromisoformat(str(last))
        except ValueError:
            return True, "no full reconciliation recorded"
        if now - last_full >= full_every:
            return True, f"the last full reconciliation is more than {full_every} old"
        return False, "only what changed since the last sync"

    # -- pages ------------------------------------------------------------------------------------
    def pages(self, titles: Iterable[str]) -> dict[str, tuple[Page, ParsedPage]]:
        found = {}
        for title, blob in self.state.cached("page", list(titles)).items():
            kept = _load(blob)
            if isinstance(kept, tuple) and len(kept) == 2:
                found[title] = kept
        return found

    def keep_pages(self, pages: Mapping[str, tuple[Page, ParsedPage] | None]) -> None:
        self.state.cache("page", {title: None if kept is None else _dump(kept) for title, kept in pages.items()})

    # -- items ------------------------------------------------------------------------------------
    def owners(self, items: Iterable[str] | None = None) -> dict[str, list[str]]:
        found = {}
        for item, blob in self.state.cached("owners", None if items is None else list(items)).items():
            held = json.loads(blob)
            if isinstance(held, list):
                found[item] = [str(h) for h in held]
        return found

    def keep_owners(self, owners: Mapping[str, list[str]], *, replace_all: bool = False) -> None:
        self.state.cache("owners", {item: json.dumps(held).encode() for item, held in owners.items()},
                         replace_all=replace_all)

    # -- the registry items of a Wikibase the sync lists ------------------------------------------------
    def listed(self) -> set[str]:
        return set(self.state.cached("listed"))

    def keep_listed(self, items: Iterable[str], *, replace_all: bool = False) -> None:
        self.state.cache("listed", dict.fromkeys(items, b""), replace_all=replace_all)

    def keep_listed_changes(self, *, added: Iterable[str], removed: Iterable[str]) -> None:
        self.state.cache("listed", {**dict.fromkeys(removed), **dict.fromkeys(added, b"")})

    # -- plans ------------------------------------------------------------------------------------
    def plan_keys(self) -> dict[str, Keyed]:
        found = {}
        for rid, blob in self.state.cached("plan-key").items():
            try:
                key, items, ids = json.loads(blob)
                found[rid] = Keyed(str(key), tuple(map(str, items)), tuple(map(str, ids)))
            except (ValueError, TypeError):
                continue  # planned again
        return found

    def kept_plans(self, registry_ids: Iterable[str]) -> dict[str, EntryPlan]:
        found = {}
        for rid, blob in self.state.cached("plan", list(registry_ids)).items():
            plan = _load(blob)
            if isinstance(plan, EntryPlan):
                found[rid] = plan
        return found

    def keep_plans(self, keys: Mapping[str, Keyed | None], plans: Mapping[str, EntryPlan | None],
                   *, replace_all: bool = False) -> None:
        self.state.cache("plan-key", {rid: None if key is None else json.dumps(list(key)).encode()
                                      for rid, key in keys.items()}, replace_all=replace_all)
        self.state.cache("plan", {rid: None if plan is None else _dump(plan) for rid, plan in plans.items()},
                         replace_all=replace_all)

    # -- what was left for a person -----------------------------------------------------------------
    def carried(self) -> Carried:
        kept = self.meta.get("carried")
        if not isinstance(kept, dict):
            return Carried()
        return Carried(str(kept.get("outcome", "ok")), list(kept.get("lines", [])),
                       list(kept.get("attention", [])), kept.get("error"))


class Keyed(NamedTuple):
    """An entry's plan key, and the lookups of other entries it covers (``EntryPlan.consulted``)."""

    key: str
    items: tuple[str, ...]  # items whose owner the plan asked
    ids: tuple[str, ...]  # registry ids whose kind the plan asked


def plan_key(shaping: str, inputs: str | None, item: str | None, item_revid: int | None,
             consulted: tuple[tuple[str, ...], tuple[str, ...]] | None, owners: Mapping[str, str],
             kinds: Mapping[str, Any]) -> Keyed | None:
    """The digest of everything an entry's plan is made from (not its line: an edit elsewhere on
    the page moves it; a kept plan gets the line of now): what shapes entries, ``inputs``
    (``entry_inputs``), its item's revision, and the answers now to the lookups the plan made of
    the other entries (``consulted``: the items whose owner, the registry ids whose kind it
    asked).  None: plan it every time (no item yet, one whose revision is not known, a plan that
    looked at every entry)."""
    if inputs is None or item is None or item_revid is None or consulted is None:
        return None
    items, ids = consulted
    # the answers only (the questions are the same each time they are compared): registry ids,
    # kinds or None, none of which holds a separator
    answers = "\x1f".join([*(str(owners.get(i)) for i in items), "\x1e", *(str(kinds.get(r)) for r in ids)])
    return Keyed(hashlib.sha256(f"{shaping}\0{inputs}\0{item_revid}\0{answers}".encode()).hexdigest(), items, ids)


def entry_inputs(claim: Claim, item: str | None, synced: SyncedEntry | None) -> str:
    """What an entry's plan is made from besides the other entries and its item's revision: its
    call on the page, its item, its merge base (digested with the rest by ``plan_key``)."""
    base = f"{synced.item}\0{synced.page}\0{synced.canonical}" if synced else ""
    return f"{claim.digest}\0{item}\0{base}"


def worth_keeping(plan: EntryPlan) -> bool:
    """A plan that will be carried out changes its inputs; one that holds something for a person
    (a conflict, a reason the entry is skipped) and writes nothing is kept for the next runs."""
    if plan.clash:  # depends on every other entry's names: planned again every run while it lasts
        return False
    if plan.action == "skip":
        return True
    return plan.action == "none" and plan.merge is not None and bool(plan.merge.conflicts)
