"""Carry a sync plan out through the ports, one write at a time, recording the state after each.

Order: items are created (or found: by the state, then by label and registry id, so that a
rerun after a crash never creates a second item; the label search is made only where the
state cannot know: a creation begun and never recorded, or a state that has not yet seen
every item), then items are updated (one ``wbeditentity`` per changed entity, with its
``baserevid``), then each registry page gets
one edit carrying all its updates and item-id write-backs (on its base revision).  On
a conflict the entity or page is read again, merged again and written once more; a second
conflict is reported.  The merge base of an entry is recorded right after each write, per
side: a crash between two writes loses nothing and the next run goes on from there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..ports import (
    Denied,
    EditConflict,
    Entity,
    EntityConflict,
    EntitySaved,
    EntityStore,
    NoChange,
    Page,
    PageStore,
    Patched,
    Rejected,
    Saved,
    StateStore,
    SyncedEntry,
)
from ..registry.check import Claim
from ..registry.dates import WikiDate
from ..registry.models import Entry, EntryKind
from ..registry.problems import SourceRef
from ..registry.vocab import HubStatus, PartnershipStatus
from ..wikibase.datatypes import ItemValue, snak
from ..wikibase.diff import diff_entity
from ..wikibase.entity import MissingItemError, Provenance, entry_kind, to_entity
from ..wikibase.mapping import ResolvedMapping, term_key
from ..wikitext.registry_page import TemplateNames, parse_registry, update_entries
from .merge import entry_values
from .plan import EntryPlan, SyncPlan, entry_from_values, item_registry_ids, plan_entry

Progress = Callable[[str], None]
KIND_ORDER = {EntryKind.ORGANIZATION: 0, EntryKind.HUB: 1, EntryKind.PARTNERSHIP: 2}
RETIRED_STATUS: dict[EntryKind, HubStatus | PartnershipStatus] = {
    EntryKind.HUB: HubStatus.CLOSED, EntryKind.PARTNERSHIP: PartnershipStatus.ENDED}


@dataclass
class Problem:
    """Something an editor or operator should see: an entry not (fully) synced, and why."""

    registry_id: str | None
    page: str | None
    reason: str


@dataclass
class SyncResult:
    plan: SyncPlan
    created: list[str] = field(default_factory=list)  # registry ids
    adopted: list[str] = field(default_factory=list)  # found an existing item instead of creating one
    items_updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    pages_edited: list[str] = field(default_factory=list)
    written_back: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    late_conflicts: list[tuple[EntryPlan, Any]] = field(default_factory=list)  # found on a retry
    report_saved: bool = False

    @property
    def writes(self) -> int:
        return (len(self.created) + len(self.items_updated) + len(self.retired) + len(self.pages_edited)
                + int(self.report_saved))

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "adopted": len(self.adopted),
                "items_updated": len(self.items_updated), "retired": len(self.retired),
                "pages_edited": len(self.pages_edited), "written_back": len(self.written_back),
                "conflicts": len(self.plan.conflicts) + len(self.late_conflicts),
                "problems": len(self.problems), "invalid": len(self.plan.invalid)}


@dataclass
class Syncer:
    pages: PageStore
    entities: EntityStore
    state: StateStore
    mapping: ResolvedMapping
    names: TemplateNames
    index_url: str
    titles: Sequence[str]
    retired_ids: Sequence[str] = ()
    progress: Progress = lambda message: None
    today: WikiDate = field(default_factory=lambda: _today())
    _known: dict[str, Entity] = field(default_factory=dict, init=False, repr=False)  # items as read for the plan
    _look_up: set[str] | None = field(default=None, init=False, repr=False)  # None: look every new entry up
    _looked_up: set[str] = field(default_factory=set, init=False, repr=False)

    # -- the whole run ---------------------------------------------------------------------
    def apply(self, plan: SyncPlan, read: Mapping[str, Page | None], *, retire: bool = False,
              entities: Mapping[str, Entity | None] | None = None) -> SyncResult:
        """Carry ``plan`` out; ``read``: the pages it was made from; ``entities``: the items it was
        made from (read again only where a write moved them on)."""
        self._known = {i: e for i, e in (entities or {}).items() if e is not None}
        self._looked_up = set()
        result = SyncResult(plan)
        synced = self.state.entries()
        pages = dict(read)
        item_ids = {s.registry_id: s.item for s in synced.values()}
        item_ids.update({p.registry_id: p.item for p in plan.entries if p.item})
        plans = {p.registry_id: p for p in plan.entries}
        self._create(plans, pages, synced, item_ids, result)
        self._note_complete(plan)
        for registry_id, entry_plan in list(plans.items()):
            if entry_plan.item_changes and entry_plan.problem is None:
                plans[registry_id] = self._update_item(entry_plan, pages, synced, item_ids, result)
        for title in self.titles:
            page = pages.get(title)
            if page is not None and title not in plan.left_alone:
                self._edit_page(title, page, plans, pages, synced, item_ids, result)
        if retire:
            for removed in plan.removed:
                self._retire(removed.registry_id, removed.item, result)
        return result

    # -- creating ----------------------------------------------------------------------------
    def _create(self, plans: dict[str, EntryPlan], pages: Mapping[str, Page | None],
                synced: dict[str, SyncedEntry], item_ids: dict[str, str], result: SyncResult) -> None:
        waiting = sorted((p for p in plans.values() if p.action == "create"),
                         key=lambda p: (KIND_ORDER[p.kind], p.page, p.line))
        complete = self.state.knows_every_item(self.mapping.pid("registry_id"))
        self._look_up = self.state.pending_creates() if complete else None
        while waiting:
            blocked: list[EntryPlan] = []
            for entry_plan in waiting:
                page = pages.get(entry_plan.page)
                assert page is not None
                try:
                    done = self._create_one(entry_plan, page, synced, item_ids, result)
                except MissingItemError:
                    blocked.append(entry_plan)
                    continue
                plans[entry_plan.registry_id] = done
            if len(blocked) == len(waiting):  # no progress: they name entries that have no item
                for entry_plan in blocked:
                    missing = [r for _, r in entry_plan.entry.references() if r not in item_ids]
                    plans[entry_plan.registry_id] = _skipped(entry_plan, f"names {', '.join(missing)}, which has "
                                                                         "no item (yet): created on a later run")
                    result.problems.append(Problem(entry_plan.registry_id, entry_plan.page,
                                                   plans[entry_plan.registry_id].problem or ""))
                break
            waiting = blocked

    def _create_one(self, entry_plan: EntryPlan, page: Page, synced: dict[str, SyncedEntry],
                    item_ids: dict[str, str], result: SyncResult) -> EntryPlan:
        entry = entry_plan.entry
        data = to_entity(entry, self.mapping, self._provenance(page), item_ids)  # MissingItemError first
        found = self._find_existing(entry) if self._look_up is None or entry.id in self._look_up else None
        self._looked_up.add(entry.id)
        if found is not None:  # created before (a crash before the state was written): adopt it
            result.adopted.append(entry.id)
            self.progress(f"{entry.id}: found its item {found.id}; not created again")
            item_ids[entry.id] = found.id
            # What the creation would have recorded: the item holds the entry as the page had it
            # (without this, the plan would be a creation again and the id never written back).
            adopted = SyncedEntry(entry.id, found.id, page.title, entry_values(entry), page.revid, found.revid)
            self.state.record(adopted)
            synced[entry.id] = adopted
            return plan_entry(_claim(entry_plan), entry, synced=adopted, entity=found, mapping=self.mapping,
                              registry_ids=_by_item(item_ids))
        self.state.begin_create(entry.id)  # a crash from here on: the next run looks the item up first
        outcome = self.entities.save_entity(None, data, base_revid=None, new="item",
                                            summary=f"wikibot: new registry entry {entry.id} from [[{page.title}]]")
        if isinstance(outcome, Rejected):
            self.state.end_create(entry.id)
            result.problems.append(Problem(entry.id, entry_plan.page,
                                           f"the Wikibase refused the new item: {outcome.code}: {outcome.info}"))
            return _skipped(entry_plan, "item not created")
        assert isinstance(outcome, EntitySaved | Patched)
        item_ids[entry.id] = outcome.id
        record = SyncedEntry(entry.id, outcome.id, page.title, entry_values(entry), page.revid, outcome.revid)
        self.state.record(record)  # before anything else: a rerun must know this item
        synced[entry.id] = record
        result.created.append(entry.id)
        self.progress(f"{entry.id}: created {outcome.id}")
        with_item = entry.model_copy(update={"item": outcome.id})
        return replace(entry_plan, item=outcome.id, entity_revid=outcome.revid, base=record.fields,
                       wanted_page=with_item, wanted_item=with_item)

    def _note_complete(self, plan: SyncPlan) -> None:
        """After a run that looked every new entry up (and read every other entry's item), the state
        knows every item holding a registry id: later runs look up only interrupted creations."""
        if self._look_up is not None or plan.invalid or self.state.pending_creates():
            return
        if all(p.registry_id in self._looked_up for p in plan.entries if p.action == "create"):
            self.state.note_knows_every_item(self.mapping.pid("registry_id"))

    def _find_existing(self, entry: Entry) -> Entity | None:
        """An item already holding this registry id, found by its label (Wikibase's term index).

        Asked only when the state cannot know: a creation that began and was never recorded, or
        a state that has not yet seen every item (new, or rebuilt after a loss).
        """
        candidates = self.entities.find_by_label(entry.label("en"), entity_type="item")
        if not candidates:
            return None
        registry_id = self.mapping.pid("registry_id")
        for entity in self.entities.fetch_entities(candidates).values():
            if entity is None:
                continue
            for statement in entity.data.get("claims", {}).get(registry_id, []):
                if statement.get("mainsnak", {}).get("datavalue", {}).get("value") == entry.id:
                    return entity
        return None

    # -- updating items ------------------------------------------------------------------------
    def _update_item(self, entry_plan: EntryPlan, pages: Mapping[str, Page | None],
                     synced: dict[str, SyncedEntry], item_ids: dict[str, str], result: SyncResult,
                     *, retried: bool = False, entity: Entity | None = None) -> EntryPlan:
        assert entry_plan.item is not None and entry_plan.wanted_item is not None and entry_plan.merge is not None
        page = pages.get(entry_plan.page)
        assert page is not None
        entity = entity or self._entity(entry_plan.item)
        if entity is None:
            return self._problem(entry_plan, result, f"item {entry_plan.item} is gone")
        try:
            wanted = to_entity(entry_plan.wanted_item, self.mapping, self._provenance(page), item_ids)
            previous = self._previous(entry_plan, item_ids)
        except MissingItemError as error:
            return self._problem(entry_plan, result, f"names an entry without an item: {error}")
        kind = entry_plan.kind
        data = diff_entity(entity.data, wanted, owned=self.mapping.owned_properties(kind),
                           owned_qualifiers=self.mapping.owned_qualifiers(kind), datatypes=self.mapping.datatypes(),
                           is_ours=lambda ref: self._provenance(page).is_ours(ref, self.mapping), previous=previous)
        revid = entity.revid
        if data is not None:
            fields = ", ".join(sorted({c.field.split(".")[0] for c in entry_plan.merge.changes_to("wikibase")}))
            outcome = self.entities.save_entity(
                entry_plan.item, data, base_revid=entry_plan.entity_revid or entity.revid,
                summary=f"wikibot: {entry_plan.registry_id} changed on [[{page.title}]]: {fields}")
            if isinstance(outcome, EntityConflict):
                if retried:
                    result.problems.append(Problem(entry_plan.registry_id, entry_plan.page,
                                                   f"item {entry_plan.item} changed during the sync twice; not "
                                                   "updated this time"))
                    return _skipped(entry_plan, "edit conflict on the item")
                return self._retry_item(entry_plan, pages, synced, item_ids, result)
            if isinstance(outcome, Rejected):
                return self._problem(entry_plan, result, f"the Wikibase refused the update of {entry_plan.item}: "
                                                         f"{outcome.code}: {outcome.info}")
            if isinstance(outcome, Patched):
                fresh = self.entities.fetch_entities([entry_plan.item])[entry_plan.item]
                revid = fresh.revid if fresh else outcome.revid
            elif isinstance(outcome, EntitySaved):
                revid = outcome.revid
            if not isinstance(outcome, NoChange):
                self._known.pop(entry_plan.item, None)  # moved on: read it again if needed
                result.items_updated.append(entry_plan.registry_id)
                self.progress(f"{entry_plan.registry_id}: updated {entry_plan.item} ({fields})")
        fields_now = entry_plan.merge.base_after({"wikibase"})
        previous_record = synced.get(entry_plan.registry_id)
        record = SyncedEntry(entry_plan.registry_id, entry_plan.item, entry_plan.page, fields_now,
                             previous_record.page_revid if previous_record else page.revid, revid)
        self.state.record(record)
        synced[entry_plan.registry_id] = record
        return replace(entry_plan, entity_revid=revid, base=fields_now, item_written=True)

    def _retry_item(self, entry_plan: EntryPlan, pages: Mapping[str, Page | None],
                    synced: dict[str, SyncedEntry], item_ids: dict[str, str], result: SyncResult) -> EntryPlan:
        """The item changed since it was read: read it again, merge again, write once more."""
        assert entry_plan.item is not None
        entity = self.entities.fetch_entities([entry_plan.item])[entry_plan.item]
        again = plan_entry(_claim(entry_plan), entry_plan.entry, synced=synced.get(entry_plan.registry_id),
                           entity=entity, mapping=self.mapping, registry_ids=_by_item(item_ids))
        self._late_conflicts(again, entry_plan, result)
        if again.problem is not None:
            return self._problem(again, result, again.problem)
        if not again.item_changes:
            return again
        return self._update_item(again, pages, synced, item_ids, result, retried=True, entity=entity)

    # -- editing pages ---------------------------------------------------------------------------
    def _edit_page(self, title: str, page: Page, plans: dict[str, EntryPlan], pages: dict[str, Page | None],
                   synced: dict[str, SyncedEntry], item_ids: dict[str, str], result: SyncResult,
                   *, retried: bool = False) -> None:
        on_page = [p for p in plans.values() if p.page == title and p.problem is None and p.item is not None]
        changing = [p for p in on_page if p.page_changes]
        denial = result.plan.denied.get(title)
        if changing and denial is not None:
            for entry_plan in changing:
                result.problems.append(Problem(entry_plan.registry_id, title, f"not written to the page: {denial}"))
            changing = []
        if not changing:
            self._settle(on_page, page, synced)
            return
        wanted = [p.wanted_page for p in changing if p.wanted_page is not None]
        text = update_entries(page.text, wanted, self.names)
        summary = self._page_summary(changing)
        outcome = self.pages.save_page(title, text, base=page, summary=summary)
        if isinstance(outcome, EditConflict) and not retried and outcome.current is not None:
            self.progress(f"{title}: edited by someone since it was read; reading it again")
            self._retry_page(title, outcome.current, plans, pages, synced, item_ids, result)
            return
        if isinstance(outcome, EditConflict):
            for entry_plan in changing:
                result.problems.append(Problem(entry_plan.registry_id, title, "the page kept changing during the "
                                               "sync; its updates wait for the next run"))
            return
        if isinstance(outcome, Denied):
            for entry_plan in changing:
                result.problems.append(Problem(entry_plan.registry_id, title, f"not written: {outcome.reason}"))
            return
        if isinstance(outcome, Saved):
            result.pages_edited.append(title)
            self.progress(f"{title}: saved ({summary})")
            revid = outcome.revid
        else:
            assert isinstance(outcome, NoChange)
            revid = page.revid
        for entry_plan in changing:
            if entry_plan.entry.item is None:
                result.written_back.append(entry_plan.registry_id)
            self._record_page(entry_plan, revid, synced)
        self._settle([p for p in on_page if not p.page_changes], page, synced)

    def _retry_page(self, title: str, current: Page, plans: dict[str, EntryPlan], pages: dict[str, Page | None],
                    synced: dict[str, SyncedEntry], item_ids: dict[str, str], result: SyncResult) -> None:
        """Someone edited the page between our read and our save: merge their text, then save once more."""
        pages[title] = current
        texts = {t: p.text for t, p in pages.items() if p is not None}
        registry, _ = parse_registry(texts, self.names, retired_ids=self.retired_ids)
        claims = [(c, c.entry) for c in registry.claims if c.source.page == title and c.entry is not None]
        items = {entry.id: entry.item or item_ids.get(entry.id) for _, entry in claims}  # item_ids has the state's
        fetched = self.entities.fetch_entities([i for i in items.values() if i])
        registry_ids = item_registry_ids(registry, synced) | _by_item(item_ids)
        for claim, entry in claims:
            item = items[entry.id]
            if item is None:
                continue  # new since our read: created on the next run
            entity = fetched.get(item)
            again = plan_entry(claim, entry, synced=synced.get(entry.id), entity=entity,
                               mapping=self.mapping, registry_ids=registry_ids)
            old = plans.get(entry.id)
            if old is not None:
                self._late_conflicts(again, old, result)
            if again.item_changes and again.problem is None:
                again = self._update_item(again, pages, synced, item_ids, result, entity=entity)
            plans[entry.id] = again
        for registry_id, entry_plan in list(plans.items()):
            if entry_plan.page == title and registry_id not in items:
                plans[registry_id] = _skipped(entry_plan, "gone from the page during the sync")
        self._edit_page(title, current, plans, pages, synced, item_ids, result, retried=True)

    def _record_page(self, entry_plan: EntryPlan, revid: int, synced: dict[str, SyncedEntry]) -> None:
        assert entry_plan.item is not None
        previous = synced.get(entry_plan.registry_id)
        if entry_plan.merge is not None:
            item_holds_it = entry_plan.item_written or not entry_plan.item_changes
            fields = entry_plan.merge.base_after({"wikibase", "page"} if item_holds_it else {"page"})
        else:  # just created from the page: both sides hold the page's values
            fields = previous.fields if previous else entry_values(entry_plan.entry)
        record = SyncedEntry(entry_plan.registry_id, entry_plan.item, entry_plan.page, fields, revid,
                             previous.entity_revid if previous else entry_plan.entity_revid or 0)
        self.state.record(record)
        synced[entry_plan.registry_id] = record

    def _settle(self, plans: Sequence[EntryPlan], page: Page, synced: dict[str, SyncedEntry]) -> None:
        """Entries already in agreement: record the agreement where the state does not hold it yet."""
        for entry_plan in plans:
            if entry_plan.merge is None or entry_plan.item is None or entry_plan.item_changes:
                continue
            fields = entry_plan.merge.base_after(set())
            previous = synced.get(entry_plan.registry_id)
            if previous and previous.fields == fields and previous.item == entry_plan.item \
                    and previous.page == entry_plan.page:
                continue
            record = SyncedEntry(entry_plan.registry_id, entry_plan.item, entry_plan.page, fields, page.revid,
                                 entry_plan.entity_revid or (previous.entity_revid if previous else 0))
            self.state.record(record)
            synced[entry_plan.registry_id] = record

    # -- retiring ------------------------------------------------------------------------------------
    def _retire(self, registry_id: str, item: str, result: SyncResult) -> None:
        entity = self._entity(item)
        if entity is None:
            return
        status = self.mapping.pid("status")
        kind = entry_kind(entity.data, self.mapping)
        if kind not in RETIRED_STATUS:
            result.problems.append(Problem(registry_id, None, f"removed from the registry; {item} has no status to "
                                                              "set to closed (organisations have none)"))
            return
        closed = self.mapping.qid(term_key(RETIRED_STATUS[kind]))
        claims: list[dict[str, Any]] = [{"id": s["id"], "remove": ""} for s in entity.data.get("claims", {})
                                        .get(status, []) if s.get("mainsnak", {}).get("datavalue", {})
                                        .get("value", {}).get("id") != closed]
        if len(claims) == len(entity.data.get("claims", {}).get(status, [])):
            claims.append({"mainsnak": snak(status, ItemValue(closed)), "type": "statement", "rank": "normal"})
        if not claims:
            return
        self._known.pop(item, None)
        outcome = self.entities.save_entity(item, {"claims": claims}, base_revid=entity.revid,
                                            summary=f"wikibot: {registry_id} removed from the registry: "
                                                    f"status {RETIRED_STATUS[kind].value} (--retire)")
        if isinstance(outcome, EntitySaved | Patched):
            result.retired.append(registry_id)
        elif not isinstance(outcome, NoChange):
            result.problems.append(Problem(registry_id, None, f"could not retire {item}: {outcome}"))

    # -- helpers -----------------------------------------------------------------------------------
    def _entity(self, item: str) -> Entity | None:
        """The item as read for the plan, else as the store has it now."""
        known = self._known.get(item)
        return known if known is not None else self.entities.fetch_entities([item])[item]

    def _previous(self, entry_plan: EntryPlan, item_ids: Mapping[str, str]) -> dict[str, Any] | None:
        """The entity the registry wanted at the last sync (what may be removed now)."""
        if entry_plan.base is None:
            return None
        try:
            before = entry_from_values(entry_plan.kind, entry_plan.registry_id, entry_plan.item, entry_plan.base)
            return to_entity(before, self.mapping, None, item_ids)
        except (ValueError, MissingItemError):
            return None

    def _provenance(self, page: Page) -> Provenance:
        return Provenance.for_page(self.index_url, page.title, page.revid, self.today)

    def _problem(self, entry_plan: EntryPlan, result: SyncResult, reason: str) -> EntryPlan:
        result.problems.append(Problem(entry_plan.registry_id, entry_plan.page, reason))
        return _skipped(entry_plan, reason)

    @staticmethod
    def _late_conflicts(again: EntryPlan, before: EntryPlan, result: SyncResult) -> None:
        known = {c.field for c in before.merge.conflicts} if before.merge else set()
        if again.merge is not None:
            result.late_conflicts.extend((again, c) for c in again.merge.conflicts if c.field not in known)

    @staticmethod
    def _page_summary(changing: Sequence[EntryPlan]) -> str:
        updated = [p.registry_id for p in changing if p.merge is not None and p.merge.changes_to("page")]
        backs = [p.registry_id for p in changing if p.entry.item is None]
        conflicts = sum(len(p.merge.conflicts) for p in changing if p.merge is not None)
        parts = []
        if updated:
            parts.append(f"{len(updated)} {'entry' if len(updated) == 1 else 'entries'} updated from the Wikibase "
                         f"({_ids(updated)})")
        if backs:
            parts.append(f"{len(backs)} item {'id' if len(backs) == 1 else 'ids'} written back ({_ids(backs)})")
        if conflicts:
            parts.append(f"{conflicts} {'conflict' if conflicts == 1 else 'conflicts'} left for editors")
        return "wikibot: " + ", ".join(parts)


def _today() -> WikiDate:
    now = dt.datetime.now(dt.UTC)
    return WikiDate(now.year, now.month, now.day)


def _ids(ids: Sequence[str], shown: int = 5) -> str:
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def _skipped(entry_plan: EntryPlan, reason: str) -> EntryPlan:
    return replace(entry_plan, problem=reason, wanted_page=None, wanted_item=None)


def _claim(entry_plan: EntryPlan) -> Claim:
    """The claim a planned entry was made from (for planning it again)."""
    return Claim(entry_plan.registry_id, entry_plan.kind, SourceRef(entry_plan.page, entry_plan.line), entry_plan.entry)


def _by_item(item_ids: Mapping[str, str]) -> dict[str, str]:
    """Registry id -> item id, turned round."""
    return {item: registry_id for registry_id, item in item_ids.items()}
