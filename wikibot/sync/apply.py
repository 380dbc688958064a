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
    Refused,
    Rejected,
    Saved,
    Simulated,
    StateStore,
    SyncedEntry,
    text_sha1,
)
from ..registry.check import Claim
from ..registry.dates import WikiDate
from ..registry.kinds import KINDS
from ..registry.models import Entry
from ..registry.problems import Problem, ProblemCode, SourceRef
from ..wikibase.diff import diff_entity
from ..wikibase.entity import MissingItemError, Provenance, entry_kind, registry_ids_of, status_edit, to_entity
from ..wikibase.mapping import ResolvedMapping
from ..wikitext.registry_edit import update_entries
from ..wikitext.registry_page import TemplateNames, parse_registry
from .merge import Conflict, entry_values
from .plan import EntryPlan, SyncPlan, entry_from_values, item_registry_ids, owners_of_items, plan_entry

Progress = Callable[[str], None]


@dataclass
class SyncResult:
    plan: SyncPlan
    created: list[str] = field(default_factory=list)  # registry ids
    adopted: list[str] = field(default_factory=list)  # found an existing item instead of creating one
    items_updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    pages_edited: list[str] = field(default_factory=list)
    written_back: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # entries not (fully) synced, and why
    late_conflicts: list[tuple[EntryPlan, Conflict]] = field(default_factory=list)  # found on a retry
    refused: dict[str, str] = field(default_factory=dict)  # page -> why the wiki refused to save it
    saved_pages: dict[str, Page] = field(default_factory=dict)  # registry pages as saved
    simulated: list[str] = field(default_factory=list)  # writes pywikibot's simulate kept back (not recorded)
    report_saved: bool = False
    recorded: dict[str, SyncedEntry] = field(default_factory=dict)  # registry id -> merge base recorded now
    # item -> what it holds after this run's last write of it, as the Wikibase answered the write
    # (None: written, but the answer is not the item as saved: a patched edit, a retirement)
    written: dict[str, Entity | None] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return (len(self.created) + len(self.items_updated) + len(self.retired) + len(self.pages_edited)
                + int(self.report_saved))

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "adopted": len(self.adopted),
                "items_updated": len(self.items_updated), "retired": len(self.retired),
                "pages_edited": len(self.pages_edited), "written_back": len(self.written_back),
                "conflicts": len(self.plan.conflicts) + len(self.late_conflicts),
                "problems": len(self.problems), "invalid": len(self.plan.invalid), "refused": len(self.refused),
                **({"simulated": len(self.simulated)} if self.simulated else {})}

    def problem(self, registry_id: str | None, page: str | None, reason: str, line: int = 0) -> None:
        self.problems.append(Problem.of(registry_id, page, reason, ProblemCode.NOT_SYNCED, line=line))


@dataclass
class _Run:
    """One ``apply``, as it goes: the plan of each entry (replaced as it is carried out), the pages
    as last read, the state as recorded, each entry's item, the items read for the plan (read again
    only once a write moved them on), which new entries to look up first, and the result."""

    plans: dict[str, EntryPlan]
    pages: dict[str, Page | None]
    synced: dict[str, SyncedEntry]
    item_ids: dict[str, str]  # registry id -> item id
    owners: dict[str, str]  # item id -> the registry id it belongs to
    known: dict[str, Entity]
    result: SyncResult
    look_up: set[str] | None = None  # new entries to look up before creating; None: every one
    looked_up: set[str] = field(default_factory=set)

    def page(self, entry_plan: EntryPlan) -> Page:
        page = self.pages.get(entry_plan.page)
        assert page is not None
        return page

    def record(self, entry: SyncedEntry, state: StateStore) -> None:
        """Keep the merge base of one entry, durably, before anything else happens."""
        state.record(entry)
        self.synced[entry.registry_id] = entry
        self.result.recorded[entry.registry_id] = entry

    def own(self, registry_id: str, item: str) -> None:
        """``item`` is ``registry_id``'s (created or found for it)."""
        self.item_ids[registry_id] = item
        self.owners[item] = registry_id


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

    # -- the whole run ---------------------------------------------------------------------
    def apply(self, plan: SyncPlan, read: Mapping[str, Page | None], *, retire: bool = False,
              entities: Mapping[str, Entity | None] | None = None,
              synced: Mapping[str, SyncedEntry] | None = None) -> SyncResult:
        """Carry ``plan`` out; ``read``: the pages it was made from; ``entities``: the items it was
        made from (read again only where a write moved them on); ``synced``: the state it was made
        from, when the caller read it (else it is read here)."""
        synced = dict(synced) if synced is not None else self.state.entries()
        owners = dict(plan.registry_ids)
        item_ids = {s.registry_id: s.item for s in synced.values()}
        item_ids.update({p.registry_id: p.item for p in plan.entries if p.item})
        # An item is named for an entry only when it is that entry's (see plan_entry).
        item_ids = {rid: item for rid, item in item_ids.items() if owners.get(item, rid) == rid}
        run = _Run({p.registry_id: p for p in plan.entries}, dict(read), synced, item_ids, owners,
                   {i: e for i, e in (entities or {}).items() if e is not None}, SyncResult(plan))
        self._create(run)
        self._note_complete(run)
        for registry_id, entry_plan in list(run.plans.items()):
            if entry_plan.item_changes and entry_plan.problem is None:
                run.plans[registry_id] = self._update_item(run, entry_plan)
        for title in self.titles:
            page = run.pages.get(title)
            if page is not None and title not in plan.left_alone:
                self._edit_page(run, title, page)
        if retire:
            for removed in plan.removed:
                self._retire(run, removed.registry_id, removed.item)
        return run.result

    # -- creating ----------------------------------------------------------------------------
    def _create(self, run: _Run) -> None:
        waiting = sorted((p for p in run.plans.values() if p.action == "create"),
                         key=lambda p: (KINDS[p.kind].creation_order, p.page, p.line))
        complete = self.state.knows_every_item(self.mapping.pid("registry_id"))
        run.look_up = self.state.pending_creates() if complete else None
        while waiting:
            blocked: list[EntryPlan] = []
            for entry_plan in waiting:
                try:
                    done = self._create_one(run, entry_plan)
                except MissingItemError:
                    blocked.append(entry_plan)
                    continue
                run.plans[entry_plan.registry_id] = done
            if len(blocked) == len(waiting):  # no progress: they name entries that have no item
                for entry_plan in blocked:
                    missing = [r for _, r in entry_plan.entry.references() if r not in run.item_ids]
                    run.plans[entry_plan.registry_id] = self._problem(
                        run, entry_plan, f"names {', '.join(missing)}, which has no item (yet): created on a "
                                         "later run")
                break
            waiting = blocked

    def _create_one(self, run: _Run, entry_plan: EntryPlan) -> EntryPlan:
        entry, page = entry_plan.entry, run.page(entry_plan)
        data = to_entity(entry, self.mapping, self._provenance(page), run.item_ids)  # MissingItemError first
        found = self._find_existing(entry) if run.look_up is None or entry.id in run.look_up else None
        run.looked_up.add(entry.id)
        if found is not None:  # created before (a crash before the state was written): adopt it
            run.result.adopted.append(entry.id)
            if found.id in run.result.plan.wikibase_only:  # no page named it when planned; the page does now
                run.result.plan.wikibase_only.remove(found.id)
            self.progress(f"{entry.id}: found its item {found.id}; not created again")
            run.own(entry.id, found.id)
            # What the creation would have recorded: the item holds the entry as the page had it
            # (without this, the plan would be a creation again and the id never written back).
            adopted = SyncedEntry(entry.id, found.id, page.title, entry_values(entry), page.revid, found.revid)
            run.record(adopted, self.state)
            return plan_entry(_claim(entry_plan), entry, synced=adopted, entity=found, mapping=self.mapping,
                              registry_ids=run.owners, kinds=run.result.plan.kinds)
        self.state.begin_create(entry.id)  # a crash from here on: the next run looks the item up first
        outcome = self.entities.save_entity(None, data, base_revid=None, new="item",
                                            summary=f"wikibot: new registry entry {entry.id} from [[{page.title}]]")
        if isinstance(outcome, Rejected):
            self.state.end_create(entry.id)
            run.result.problem(entry.id, entry_plan.page,
                               f"the Wikibase refused the new item: {outcome.code}: {outcome.info}", entry_plan.line)
            return _skipped(entry_plan, "item not created")
        if isinstance(outcome, Simulated):  # nothing was created: nothing to record, nothing to write back
            self.state.end_create(entry.id)
            run.result.simulated.append(f"new item of {entry.id}")
            self.progress(f"{entry.id}: item creation simulated (pywikibot's simulate is on)")
            return _skipped(entry_plan, "item creation simulated")
        assert isinstance(outcome, EntitySaved | Patched)
        run.result.written[outcome.id] = Entity(outcome.id, outcome.revid, outcome.entity) \
            if isinstance(outcome, EntitySaved) else None
        run.own(entry.id, outcome.id)
        record = SyncedEntry(entry.id, outcome.id, page.title, entry_values(entry), page.revid, outcome.revid)
        run.record(record, self.state)  # before anything else: a rerun must know this item
        run.result.created.append(entry.id)
        self.progress(f"{entry.id}: created {outcome.id}")
        with_item = entry.model_copy(update={"item": outcome.id})
        return replace(entry_plan, item=outcome.id, entity_revid=outcome.revid, base=record.fields,
                       wanted_page=with_item, wanted_item=with_item)

    def _note_complete(self, run: _Run) -> None:
        """After a run that looked every new entry up (and read every other entry's item), the state
        knows every item holding a registry id: later runs look up only interrupted creations."""
        plan = run.result.plan
        if run.look_up is not None or plan.invalid or self.state.pending_creates():
            return
        if all(p.registry_id in run.looked_up for p in plan.entries if p.action == "create"):
            self.state.note_knows_every_item(self.mapping.pid("registry_id"))

    def _find_existing(self, entry: Entry) -> Entity | None:
        """An item already holding this registry id, found by its label (Wikibase's term index).

        Asked only when the state cannot know: a creation that began and was never recorded, or
        a state that has not yet seen every item (new, or rebuilt after a loss).
        """
        candidates = self.entities.find_by_label(entry.label("en"), entity_type="item")
        if not candidates:
            return None
        for entity in self.entities.fetch_entities(candidates).values():
            if entity is not None and entry.id in registry_ids_of(entity.data, self.mapping):
                return entity
        return None

    # -- updating items ------------------------------------------------------------------------
    def _update_item(self, run: _Run, entry_plan: EntryPlan, *, retried: bool = False,
                     entity: Entity | None = None) -> EntryPlan:
        assert entry_plan.item is not None and entry_plan.wanted_item is not None and entry_plan.merge is not None
        page = run.page(entry_plan)
        entity = entity or self._entity(run, entry_plan.item)
        if entity is None:
            return self._problem(run, entry_plan, f"item {entry_plan.item} is gone")
        try:
            wanted = to_entity(entry_plan.wanted_item, self.mapping, self._provenance(page), run.item_ids)
            previous = self._previous(entry_plan, run.item_ids)
        except MissingItemError as error:
            return self._problem(run, entry_plan, f"names an entry without an item: {error}")
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
                    run.result.problem(entry_plan.registry_id, entry_plan.page, f"item {entry_plan.item} changed "
                                       "during the sync twice; not updated this time", entry_plan.line)
                    return _skipped(entry_plan, "edit conflict on the item")
                return self._retry_item(run, entry_plan)
            if isinstance(outcome, Rejected):
                return self._problem(run, entry_plan, f"the Wikibase refused the update of {entry_plan.item}: "
                                                      f"{outcome.code}: {outcome.info}")
            if isinstance(outcome, Simulated):  # not written: the state keeps the old base
                run.result.simulated.append(entry_plan.item)
                self.progress(f"{entry_plan.registry_id}: update of {entry_plan.item} simulated")
                return _skipped(entry_plan, "item update simulated")
            if isinstance(outcome, Patched):  # saved over someone's edit, which the item holds now: merge it
                run.known.pop(entry_plan.item, None)
                run.result.written[entry_plan.item] = None
                run.result.items_updated.append(entry_plan.registry_id)
                self.progress(f"{entry_plan.registry_id}: updated {entry_plan.item} ({fields}), merged with an "
                              "edit made meanwhile")
                return self._retry_item(run, entry_plan)
            if isinstance(outcome, EntitySaved):
                revid = outcome.revid
                run.result.written[entry_plan.item] = Entity(outcome.id, outcome.revid, outcome.entity)
            if not isinstance(outcome, NoChange):
                run.known.pop(entry_plan.item, None)  # moved on: read it again if needed
                run.result.items_updated.append(entry_plan.registry_id)
                self.progress(f"{entry_plan.registry_id}: updated {entry_plan.item} ({fields})")
        fields_now = entry_plan.merge.base_after({"wikibase"})
        previous_record = run.synced.get(entry_plan.registry_id)
        run.record(SyncedEntry(entry_plan.registry_id, entry_plan.item, entry_plan.page, fields_now,
                               previous_record.page_revid if previous_record else page.revid, revid), self.state)
        return replace(entry_plan, entity_revid=revid, base=fields_now, item_written=True)

    def _retry_item(self, run: _Run, entry_plan: EntryPlan) -> EntryPlan:
        """The item changed since it was read: read it again, merge again, write once more (if the
        merge still has something for the item; what it has for the page goes to the page)."""
        assert entry_plan.item is not None
        entity = self.entities.fetch_entities([entry_plan.item])[entry_plan.item]
        again = plan_entry(_claim(entry_plan), entry_plan.entry, synced=run.synced.get(entry_plan.registry_id),
                           entity=entity, mapping=self.mapping, registry_ids=run.owners, kinds=run.result.plan.kinds)
        _late_conflicts(run, again, entry_plan)
        if again.problem is not None:
            return self._problem(run, again, again.problem)
        if not again.item_changes:
            return again
        return self._update_item(run, again, retried=True, entity=entity)

    # -- editing pages ---------------------------------------------------------------------------
    def _edit_page(self, run: _Run, title: str, page: Page, *, retried: bool = False) -> None:
        on_page = [p for p in run.plans.values() if p.page == title and p.problem is None and p.item is not None]
        changing = [p for p in on_page if p.page_changes]
        denial = run.result.plan.denied.get(title)
        if changing and denial is not None:
            for entry_plan in changing:
                run.result.problem(entry_plan.registry_id, title, f"not written to the page: {denial}",
                                   entry_plan.line)
            changing = []
        if not changing:
            self._settle(run, on_page, page)
            return
        wanted = [p.wanted_page for p in changing if p.wanted_page is not None]
        text = update_entries(page.text, wanted, self.names)
        summary = _page_summary(changing)
        outcome = self.pages.save_page(title, text, base=page, summary=summary)
        if isinstance(outcome, EditConflict) and not retried and outcome.current is not None:
            self.progress(f"{title}: edited by someone since it was read; reading it again")
            self._retry_page(run, title, outcome.current)
            return
        if isinstance(outcome, EditConflict):
            for entry_plan in changing:
                run.result.problem(entry_plan.registry_id, title, "the page kept changing during the sync; its "
                                   "updates wait for the next run", entry_plan.line)
            return
        if isinstance(outcome, Denied):
            for entry_plan in changing:
                run.result.problem(entry_plan.registry_id, title, f"not written: {outcome.reason}", entry_plan.line)
            return
        if isinstance(outcome, Simulated):  # not written: nothing recorded, the next real run writes it
            run.result.simulated.append(title)
            self.progress(f"{title}: save simulated (pywikibot's simulate is on): {summary}")
            return
        if isinstance(outcome, Refused):  # the page is left alone; the other pages go on
            run.result.refused[title] = str(outcome)
            self.progress(f"{title}: {outcome}")
            for entry_plan in changing:
                run.result.problem(entry_plan.registry_id, title, f"not written to the page: {outcome}",
                                   entry_plan.line)
            return
        if isinstance(outcome, Saved):
            run.result.pages_edited.append(title)
            run.result.saved_pages[title] = Page(title, text, outcome.revid, outcome.timestamp, text_sha1(text))
            self.progress(f"{title}: saved ({summary})")
            revid = outcome.revid
        else:
            assert isinstance(outcome, NoChange)
            revid = page.revid
        for entry_plan in changing:
            if entry_plan.entry.item is None:
                run.result.written_back.append(entry_plan.registry_id)
            self._record_page(run, entry_plan, revid)
        self._settle(run, [p for p in on_page if not p.page_changes], page)

    def _retry_page(self, run: _Run, title: str, current: Page) -> None:
        """Someone edited the page between our read and our save: merge their text, then save once more."""
        run.pages[title] = current
        texts = {t: p.text for t, p in run.pages.items() if p is not None}
        registry, _ = parse_registry(texts, self.names, retired_ids=self.retired_ids)
        claims = [(c, c.entry) for c in registry.claims if c.source.page == title and c.entry is not None]
        items = {entry.id: entry.item or run.item_ids.get(entry.id) for _, entry in claims}  # with the state's
        fetched = self.entities.fetch_entities([i for i in items.values() if i])
        registry_ids = owners_of_items(item_registry_ids(registry, run.synced) | run.owners, fetched, self.mapping)
        for claim, entry in claims:
            item = items[entry.id]
            if item is None:
                continue  # new since our read: created on the next run
            entity = fetched.get(item)
            again = plan_entry(claim, entry, synced=run.synced.get(entry.id), entity=entity,
                               mapping=self.mapping, registry_ids=registry_ids, kinds=run.result.plan.kinds)
            old = run.plans.get(entry.id)
            if old is not None:
                _late_conflicts(run, again, old)
            if again.item_changes and again.problem is None:
                again = self._update_item(run, again, entity=entity)
            run.plans[entry.id] = again
        for registry_id, entry_plan in list(run.plans.items()):
            if entry_plan.page == title and registry_id not in items:
                run.plans[registry_id] = _skipped(entry_plan, "gone from the page during the sync")
        self._edit_page(run, title, current, retried=True)

    def _record_page(self, run: _Run, entry_plan: EntryPlan, revid: int) -> None:
        assert entry_plan.item is not None
        previous = run.synced.get(entry_plan.registry_id)
        if entry_plan.merge is not None:
            item_holds_it = entry_plan.item_written or not entry_plan.item_changes
            fields = entry_plan.merge.base_after({"wikibase", "page"} if item_holds_it else {"page"})
        else:  # just created from the page: both sides hold the page's values
            item_holds_it = True
            fields = previous.fields if previous else entry_values(entry_plan.entry)
        if item_holds_it and entry_plan.entity_revid:  # the fields are the item's as of this revision
            entity_revid = entry_plan.entity_revid
        else:
            entity_revid = previous.entity_revid if previous else entry_plan.entity_revid or 0
        run.record(SyncedEntry(entry_plan.registry_id, entry_plan.item, entry_plan.page, fields, revid,
                               entity_revid), self.state)

    def _settle(self, run: _Run, plans: Sequence[EntryPlan], page: Page) -> None:
        """Entries already in agreement: record the agreement where the state does not hold it yet."""
        for entry_plan in plans:
            if entry_plan.merge is None or entry_plan.item is None or entry_plan.item_changes:
                continue
            fields = entry_plan.merge.base_after(set())
            previous = run.synced.get(entry_plan.registry_id)
            if previous and previous.fields == fields and previous.item == entry_plan.item \
                    and previous.page == entry_plan.page:
                continue
            run.record(SyncedEntry(entry_plan.registry_id, entry_plan.item, entry_plan.page, fields, page.revid,
                                   entry_plan.entity_revid or (previous.entity_revid if previous else 0)), self.state)

    # -- retiring ------------------------------------------------------------------------------------
    def _retire(self, run: _Run, registry_id: str, item: str) -> None:
        entity = self._entity(run, item)
        if entity is None:
            return
        kind = entry_kind(entity.data, self.mapping)
        retired = KINDS[kind].retired if kind is not None else None
        if retired is None:
            run.result.problem(registry_id, None, f"removed from the registry; {item} has no status to set to "
                                                  "closed (organisations have none)")
            return
        data = status_edit(entity.data, self.mapping, retired)
        if data is None:
            return
        run.known.pop(item, None)
        run.result.written[item] = None
        outcome = self.entities.save_entity(item, data, base_revid=entity.revid,
                                            summary=f"wikibot: {registry_id} removed from the registry: "
                                                    f"status {retired.value} (--retire)")
        if isinstance(outcome, EntitySaved | Patched):
            run.result.retired.append(registry_id)
        elif isinstance(outcome, Simulated):
            run.result.simulated.append(item)
        elif not isinstance(outcome, NoChange):
            run.result.problem(registry_id, None, f"could not retire {item}: {outcome}")

    # -- helpers -----------------------------------------------------------------------------------
    def _entity(self, run: _Run, item: str) -> Entity | None:
        """The item as read for the plan, else as the store has it now."""
        known = run.known.get(item)
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

    @staticmethod
    def _problem(run: _Run, entry_plan: EntryPlan, reason: str) -> EntryPlan:
        run.result.problem(entry_plan.registry_id, entry_plan.page, reason, entry_plan.line)
        return _skipped(entry_plan, reason)


def _late_conflicts(run: _Run, again: EntryPlan, before: EntryPlan) -> None:
    known = {c.field for c in before.merge.conflicts} if before.merge else set()
    if again.merge is not None:
        run.result.late_conflicts.extend((again, c) for c in again.merge.conflicts if c.field not in known)


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
