"""What a sync will do (pure): per entry, the merge of page, item and last synced state; the guards.

Nothing here reads or writes: the caller gives the pages as read, their parse, the state and
the items, and gets a ``SyncPlan``.  ``plan_entry`` is also what a retry calls after re-reading
one page or one item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from pydantic import ValidationError

from ..ports import Entity, Page, SyncedEntry
from ..registry.check import NO_TERMS, Claim, Registry, ReservedTerms, reference_problems, term_clashes
from ..registry.kinds import ENTRY_TYPES
from ..registry.models import Entry, EntryKind
from ..registry.problems import Problem, ProblemCode
from ..wikibase.entity import EntityReadError, entry_kind, from_entity, registry_ids_of
from ..wikibase.mapping import ResolvedMapping
from ..wikitext.bots import bots_denial
from ..wikitext.registry_page import ParsedPage, loose_id
from .merge import Conflict, Merge, entry_values, merge, unflatten

Action = Literal["create", "update", "none", "skip"]
SETTLED: Literal["settled"] = "settled"  # what ``Reuse`` gives for an entry in agreement with nothing to report
Reuse = Callable[[Claim], "EntryPlan | Literal['settled'] | None"]
V = TypeVar("V")
DEFAULT_MAX_SHRINK = 0.10  # a page that lost more than this share of its entries is left alone


@dataclass(frozen=True)
class EntryPlan:
    """One entry: what it is on the page, which item holds it, and what each side should become."""

    registry_id: str
    kind: EntryKind
    page: str
    line: int
    entry: Entry  # as on the page
    item: str | None  # None: no item yet, to be created (or found)
    entity_revid: int | None = None
    base: dict[str, Any] | None = None  # flat values as last synced; None: never synced
    merge: Merge | None = None  # None for a creation
    wanted_page: Entry | None = None  # what the page's template should say (None: leave it)
    wanted_item: Entry | None = None  # what the item should say
    problem: str | None = None  # why the entry is skipped this time
    item_written: bool = False  # the item got this plan's changes (set while applying)
    # what the plan looked up of the other entries: the items whose owner it asked, the registry
    # ids whose kind it asked (None: it went through all of them); see ``Consulted``
    consulted: tuple[tuple[str, ...], tuple[str, ...]] | None = ((), ())
    clash: bool = False  # skipped for the terms another item holds (depends on every entry's terms)

    @property
    def action(self) -> Action:
        if self.problem is not None:
            return "skip"
        if self.item is None:
            return "create"
        return "update" if self.item_changes or self.page_changes else "none"

    @property
    def item_changes(self) -> bool:
        return self.merge is not None and bool(self.merge.changes_to("wikibase"))

    @property
    def page_changes(self) -> bool:
        """The template must be edited: fields from the Wikibase, or the item id written back."""
        return self.wanted_page is not None and self.wanted_page != self.entry


@dataclass(frozen=True)
class Removed:
    """An entry the state knows, gone from every page, whose item still exists: never deleted."""

    registry_id: str
    item: str
    page: str


@dataclass(frozen=True)
class GuardError:
    """A page the sync must not act on this time (blanked, unparsable, missing)."""

    page: str
    reason: str


@dataclass
class SyncPlan:
    entries: list[EntryPlan]
    invalid: tuple[Problem, ...]  # entries skipped because they are invalid on the page
    removed: list[Removed] = field(default_factory=list)
    wikibase_only: list[str] = field(default_factory=list)  # registry items no page names
    guards: list[GuardError] = field(default_factory=list)  # pages left alone: nothing from or to them
    denied: dict[str, str] = field(default_factory=dict)  # page -> why it excludes the bot
    acting: tuple[str, ...] = ()  # the registry pages the run may act on (present, no guard tripped)
    kinds: dict[str, EntryKind] = field(default_factory=dict)  # every registry id on the pages, and its kind
    registry_ids: dict[str, str] = field(default_factory=dict)  # item id -> the registry id it belongs to
    unlisted: list[Removed] = field(default_factory=list)  # synced entries whose page is not a registry page now

    @property
    def left_alone(self) -> set[str]:
        """Pages a guard tripped on: their entries are neither read into items nor written."""
        return {g.page for g in self.guards}

    @property
    def blocked(self) -> bool:
        """Guards tripped on every registry page: nothing may be written anywhere this run."""
        return bool(self.guards) and not self.acting

    def on_page(self, title: str) -> list[EntryPlan]:
        return [p for p in self.entries if p.page == title]

    @property
    def conflicts(self) -> list[tuple[EntryPlan, Conflict]]:
        return [(p, c) for p in self.entries if p.merge for c in p.merge.conflicts]


def entry_from_values(kind: EntryKind, registry_id: str, item: str | None, flat: Mapping[str, Any]) -> Entry:
    return ENTRY_TYPES[kind].model_validate({**unflatten(flat), "id": registry_id, "item": item})


def plan_entry(
    claim: Claim, entry: Entry, *, synced: SyncedEntry | None, entity: Entity | Literal["unread"] | None,
    mapping: ResolvedMapping, registry_ids: Mapping[str, str], kinds: Mapping[str, EntryKind],
) -> EntryPlan:
    """The plan of one valid entry on a page (see ``_plan_entry``), with what it looked up of the
    other entries (``EntryPlan.consulted``)."""
    owners, kinds_asked = Consulted(registry_ids), Consulted(kinds)
    plan = _plan_entry(claim, entry, synced=synced, entity=entity, mapping=mapping, registry_ids=owners,
                       kinds=kinds_asked)
    consulted = None if owners.everything or kinds_asked.everything else \
        (tuple(sorted(owners.asked)), tuple(sorted(kinds_asked.asked)))
    return replace(plan, consulted=consulted)


def _plan_entry(
    claim: Claim, entry: Entry, *, synced: SyncedEntry | None, entity: Entity | Literal["unread"] | None,
    mapping: ResolvedMapping, registry_ids: Mapping[str, str], kinds: Mapping[str, EntryKind],
) -> EntryPlan:
    """The plan of one valid entry on a page.

    ``synced``: the state of its last sync; ``entity``: its item as read now (None: the item id
    names nothing; "unread": the entry has no item id yet); ``registry_ids``: item id -> registry
    id of every entry's item; ``kinds``: every registry id on the pages, and its kind.

    An item belongs to the entry whose registry id it holds: an entry is never written into an
    item that holds another registry id (nor such an item into the entry).  What the Wikibase
    holds passes the checks the pages' values pass: a value naming an entry of the wrong kind,
    or no entry, is reported, and nothing is written for the entry.
    """
    page, line = claim.source.page, claim.source.line
    item = entry.item or (synced.item if synced else None)
    plan = EntryPlan(entry.id, entry.kind, page, line, entry, item)
    if item is None:  # new: create it (the creation looks for an existing item first)
        return EntryPlan(entry.id, entry.kind, page, line, entry, None, wanted_item=entry)
    if entity == "unread" or entity is None:
        return _skip(plan, f"item {item} does not exist (deleted or merged?); the entry is not synced")
    if entry.item and synced and synced.item != entry.item:
        synced = None  # the page now names another item: the old base belongs to the old one
    owners = list(dict.fromkeys(registry_ids_of(entity.data, mapping)))
    if owners and owners != [entry.id]:
        return _skip(plan, _not_its_item(entry, item, owners))
    if entry_kind(entity.data, mapping) not in (None, entry.kind):
        return _skip(plan, f"item {item} is not a {entry.kind.value}")
    try:
        on_item = from_entity(entity.data, mapping, registry_ids)
    except EntityReadError as error:
        return _skip(plan, f"item {item} cannot be read: {'; '.join(error.problems)}")
    base = synced.fields if synced else None
    merged = merge(base, entry_values(entry), entry_values(on_item))
    try:  # a side the merge leaves as it is, is wanted as it is (validated when it was read)
        wanted_page = entry if not merged.changes_to("page") and entry.item == item else \
            entry_from_values(entry.kind, entry.id, item, merged.page)
        wanted_item = on_item if not merged.changes_to("wikibase") and (on_item.id, on_item.item) == (entry.id, item) \
            else entry_from_values(entry.kind, entry.id, item, merged.wikibase)
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in error.errors())
        return _skip(plan, f"page and item merge into an invalid entry ({reasons}); fix one side")
    for wanted in (wanted_page, wanted_item):
        wrong = reference_problems(wanted, kinds)
        if wrong:
            shown = "; ".join(f"{name} = {getattr(wanted, name)!r}: {reason}" for name, reason, _ in wrong)
            return _skip(plan, f"the Wikibase and the page together say {shown}; fix the side that is wrong "
                               "(nothing is written for this entry until then)")
    return EntryPlan(entry.id, entry.kind, page, line, entry, item, entity.revid, base, merged,
                     wanted_page, wanted_item)


def _not_its_item(entry: Entry, item: str, owners: Sequence[str]) -> str:
    """Why ``entry`` is not synced with ``item``, which holds the registry ids ``owners``."""
    if entry.id in owners:
        others = ", ".join(repr(o) for o in owners if o != entry.id)
        return (f"item {item} holds the registry ids {entry.id!r} and {others}: an item belongs to one entry; "
                f"remove the wrong registry id from {item} (nothing is written for this entry until then)")
    owner = owners[0]
    return (f"item {item} belongs to {owner!r} (it holds that registry id), not to {entry.id!r}: if this entry "
            f"was {owner!r} renamed, put its registry id back (registry ids never change); if not, remove "
            f"'item = {item}' from it (nothing is written for this entry until then)")


def _skip(plan: EntryPlan, problem: str) -> EntryPlan:
    return EntryPlan(plan.registry_id, plan.kind, plan.page, plan.line, plan.entry, plan.item, problem=problem,
                     consulted=plan.consulted)


class Consulted(Mapping[str, V]):
    """A mapping that notes which keys were looked up (``asked``); iterating over it notes that
    everything was (``everything``).  What an entry's plan depends on of the other entries is
    what it looked up of ``registry_ids`` and ``kinds``: the kept plan of an entry is reused
    while those answers are the same (``jobs/memory.py``)."""

    def __init__(self, inner: Mapping[str, V]) -> None:
        self.inner = inner
        self.asked: set[str] = set()
        self.everything = False

    def __getitem__(self, key: str) -> V:
        self.asked.add(key)
        return self.inner[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return key in self.inner

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return self.inner.get(key, default)

    def __iter__(self) -> Iterator[str]:
        self.everything = True
        return iter(self.inner)

    def __len__(self) -> int:
        self.everything = True
        return len(self.inner)


def guard_pages(
    titles: Sequence[str], pages: Mapping[str, Page | None], parsed: Mapping[str, ParsedPage],
    state: Mapping[str, SyncedEntry], *, max_shrink: float = DEFAULT_MAX_SHRINK,
) -> list[GuardError]:
    """Pages that must not be acted on: missing or unparsable, or lost too many entries."""
    before = Counter(s.page for s in state.values())
    errors = []
    for title in titles:
        page = pages.get(title)
        if page is None:
            if before[title]:
                errors.append(GuardError(title, f"the page is missing; it held {before[title]} synced entries"))
            continue
        malformed = [p for p in parsed[title].problems if p.code == ProblemCode.MALFORMED_TEMPLATE]
        if malformed:
            errors.append(GuardError(title, f"the page no longer parses ({malformed[0]})"))
            continue
        now = len(parsed[title].claims)
        if before[title] and now < before[title] * (1 - max_shrink):
            errors.append(GuardError(
                title, f"the page holds {now} entries, {before[title]} at the last sync: more than "
                       f"{max_shrink:.0%} are gone (blanked or vandalised?); restore it, or run with "
                       "--allow-shrink if the removals are intended"))
    return errors


def plan_sync(
    registry: Registry, parsed: Mapping[str, ParsedPage], pages: Mapping[str, Page | None],
    state: Mapping[str, SyncedEntry], entities: Mapping[str, Entity | None], mapping: ResolvedMapping, *,
    titles: Sequence[str], user: str, max_shrink: float = DEFAULT_MAX_SHRINK,
    listed_items: Sequence[str] | None = None, reserved_terms: ReservedTerms = NO_TERMS,
    registry_ids: Mapping[str, str] | None = None, reuse: Reuse | None = None,
    exists: Callable[[str], bool] | None = None,
) -> SyncPlan:
    """The whole plan.  ``entities``: every item named by a page or the state, as read now;
    ``listed_items``: every registry item of the Wikibase, when the store can list them.

    An entry counts as removed only when no template call on any registry page holds its
    registry id (however mistyped: ``loose_id``) or its item id, whatever else is wrong with the
    call, and its page is a registry page that was read and parsed.

    An incremental sync reads only what changed: ``reuse(claim)`` gives the plan of an entry
    whose page, item and state are as when it was last planned (``SETTLED``: nothing to do or
    report), None to plan it again (its item is then in ``entities``); ``registry_ids`` the owner
    of every item (as ``owners_of_items`` made it from the items when they were read); ``exists``
    whether an item not read now still exists."""
    kinds = kinds_of(registry.claims)
    if registry_ids is None:
        registry_ids = owners_of_items(item_registry_ids(registry, state), entities, mapping)
    guards = guard_pages(titles, pages, parsed, state, max_shrink=max_shrink)
    left_alone = {g.page for g in guards}
    plans: list[EntryPlan] = []
    terms: list[tuple[str, Entry]] = []  # what each item will be called, in page order
    holding: set[str] = set()  # entries whose items hold their names and descriptions already, and keep them
    for claim in registry.claims:
        if claim.entry is None or claim.source.page in left_alone:
            continue
        entry = claim.entry
        kept = reuse(claim) if reuse is not None else None
        if kept is SETTLED:
            terms.append((entry.id, entry))
            holding.add(entry.id)
            continue
        if isinstance(kept, EntryPlan):
            plans.append(replace(kept, line=claim.source.line))  # the page may have moved it
        else:
            synced = state.get(entry.id)
            item = entry.item or (synced.item if synced else None)
            entity: Entity | Literal["unread"] | None = entities.get(item) if item else "unread"
            plans.append(plan_entry(claim, entry, synced=synced, entity=entity, mapping=mapping,
                                    registry_ids=registry_ids, kinds=kinds))
        if plans[-1].wanted_item is not None and plans[-1].problem is None:
            terms.append((entry.id, plans[-1].wanted_item))
            if plans[-1].item is not None and not _renames(plans[-1]):
                holding.add(entry.id)
    plans = _told_apart(plans, terms, holding, reserved_terms)
    invalid = tuple(p for p in registry.problems if p.code != ProblemCode.MISSING_PAGE)
    plan = SyncPlan(plans, invalid, guards=guards,
                    acting=tuple(t for t in titles if t not in left_alone and pages.get(t) is not None),
                    kinds=kinds, registry_ids=dict(registry_ids))
    held_ids = frozenset().union(*(parsed[t].held_ids for t in titles if t in parsed))
    held_items = frozenset().union(*(parsed[t].held_items for t in titles if t in parsed))
    for registry_id, synced in sorted(state.items()):
        if registry_id in kinds or loose_id(registry_id) in held_ids or synced.item in held_items:
            continue  # still on a page, however broken or renamed: not removed
        if not (exists(synced.item) if exists is not None else entities.get(synced.item) is not None):
            continue
        gone = Removed(registry_id, synced.item, synced.page)
        if synced.page not in titles:  # its page is no registry page now: not a removal
            plan.unlisted.append(gone)
        elif synced.page not in left_alone and pages.get(synced.page) is not None:
            plan.removed.append(gone)
    if listed_items is not None:
        known = set(registry_ids)
        plan.wikibase_only = [i for i in listed_items if i not in known]
    for title in titles:
        page = pages.get(title)
        denial = bots_denial(page.text, user) if page is not None else None
        if denial is not None:
            plan.denied[title] = denial
    return plan


def owners_of_items(known: Mapping[str, str], entities: Mapping[str, Entity | None],
                    mapping: ResolvedMapping) -> dict[str, str]:
    """Item id -> registry id: what the pages and the state say (``known``), overruled by what
    each item read holds (an item belongs to the entry whose registry id it holds); an item
    that holds several is nobody's."""
    owners = dict(known)
    for item, entity in entities.items():
        if entity is None:
            continue
        held = list(dict.fromkeys(registry_ids_of(entity.data, mapping)))
        if len(held) == 1:
            owners[item] = held[0]
        elif held:
            owners.pop(item, None)
    return owners


def kinds_of(claims: Sequence[Claim]) -> dict[str, EntryKind]:
    """Every registry id claimed on the pages (valid or not), and its kind (the first claim's)."""
    kinds: dict[str, EntryKind] = {}
    for claim in claims:
        if claim.registry_id:
            kinds.setdefault(claim.registry_id, claim.kind)
    return kinds


def _renames(plan: EntryPlan) -> bool:
    """The plan changes its item's names or descriptions."""
    return plan.merge is not None and any(c.field.startswith(("names.", "descriptions."))
                                          for c in plan.merge.changes_to("wikibase"))


def _told_apart(plans: list[EntryPlan], terms: Sequence[tuple[str, Entry]], holding: set[str],
                reserved_terms: ReservedTerms) -> list[EntryPlan]:
    """The plans, those whose item would get the name and description another item has in a
    language skipped (the Wikibase refuses it; the pages' own clashes are found by validate);
    ``terms``: what each item will be called, in page order; ``holding``: the entries whose
    items have their names already and keep them, which nothing of this run can take from them
    (checked first: the write that would make a clash is the one refused)."""
    ordered = [t for t in terms if t[0] in holding] + [t for t in terms if t[0] not in holding]
    clashes = {key: (language, holder) for key, _, language, holder in term_clashes(ordered, reserved_terms)
               if key not in holding}
    return [replace(_skip(p, f"its name and description in {clashes[p.registry_id][0]!r} would be those of "
                             f"{clashes[p.registry_id][1]}: the Wikibase refuses two items with the same label "
                             "and description; make the description tell them apart"), clash=True)
            if p.registry_id in clashes else p for p in plans]


def item_registry_ids(registry: Registry, state: Mapping[str, SyncedEntry]) -> dict[str, str]:
    """Item id -> registry id, for every entry the pages or the state know."""
    found = {s.item: s.registry_id for s in state.values()}
    for entry in registry.entries:
        if entry.item:
            found[entry.item] = entry.id
    return found
