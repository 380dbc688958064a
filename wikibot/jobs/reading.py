"""What a sync reads: everything (a full reconciliation), or only what changed since the last sync.

``Reader.changes`` asks both wikis what changed (one request each when little did);
``read_all`` reads every registry page and every item, as a sync always did; ``read_changed``
reads the pages and items that changed, takes the others from what the last runs kept
(``memory.py``), and says which entries must be planned again; ``remember`` keeps what the next
run needs.  Either way the plan is made by ``sync/plan.py`` from the same inputs, so that both
end in the same state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..ports import Entity, EntityStore, Page, PageStore, StateStore, SyncedEntry
from ..registry.check import Claim, assemble_registry
from ..registry.models import Entry, EntryKind
from ..settings import Settings
from ..sync.apply import SyncResult
from ..sync.plan import SETTLED, EntryPlan, SyncPlan, item_registry_ids, kinds_of, owners_of_items, plan_entry
from ..sync.report import plan_text
from ..wikibase.entity import entry_kind, registry_ids_of
from ..wikibase.mapping import ResolvedMapping
from ..wikitext.registry_page import ParsedPage, loose_id, parse_registry_page, reparse_registry_page
from .memory import Keyed, Memory, entry_inputs, plan_key, worth_keeping
from .registry import RESERVED_TERMS, ValidationResult

WAITING = ("create ", "update ", "  ")  # plan lines of what a run does, not of what it leaves for a person


@dataclass
class Found:
    """What changed since the last sync, as the wikis say."""

    pages_mark: str
    entities_mark: str
    changed_pages: set[str]
    changed_items: set[str]
    gone: set[str]  # items that no longer exist
    retry: set[str]  # entries the last run could not carry through
    revisions: dict[str, int] = field(default_factory=dict)  # changed item -> its revision now
    new: set[str] = field(default_factory=set)  # entities the sync never read, when it lists the Wikibase's

    @property
    def nothing(self) -> bool:
        return not (self.changed_pages or self.changed_items or self.retry or self.new)


@dataclass
class Read:
    """The inputs of the plan."""

    loaded: ValidationResult
    pages: dict[str, Page | None]
    synced: dict[str, SyncedEntry]
    entities: dict[str, Entity | None]  # the items read now
    owners: dict[str, str]  # item -> the registry id it belongs to
    keys: dict[str, Keyed | None]  # registry id -> the digest of its plan's inputs, as last planned
    revids: dict[str, int]  # item -> its revision, as read now or as last synced
    fetched_pages: set[str] = field(default_factory=set)  # titles read now
    reuse: Callable[[Claim], EntryPlan | Literal["settled"] | None] | None = None
    exists: Callable[[str], bool] | None = None
    as_kept: set[str] = field(default_factory=set)  # titles read as the state keeps them (nothing to keep)


@dataclass
class Reader:
    settings: Settings
    pages: PageStore
    entities: EntityStore
    state: StateStore
    memory: Memory
    mapping: ResolvedMapping
    shaping: str
    marks: tuple[str, str] = ("", "")
    found: Found | None = None
    read: Read | None = None
    _kept_owners: dict[str, list[str]] = field(default_factory=dict, repr=False)  # item -> ids it held, as kept
    _before: dict[str, Keyed] | None = field(default=None, repr=False)  # the plan keys kept by the last run
    _kinds: tuple[ValidationResult, dict[str, EntryKind]] | None = field(default=None, repr=False)

    @property
    def titles(self) -> list[str]:
        return list(self.settings.registry.pages)

    # -- what changed -----------------------------------------------------------------------------
    def changes(self, *, listing: bool = False) -> Found | None:
        """What changed since the last sync; None when a wiki cannot tell (then everything is read).
        ``listing``: the sync lists every item of the Wikibase (new ones may be registry items)."""
        meta = self.memory.meta
        page_changes = self.pages.changes_since(meta.get("pages_mark"), self.titles)
        if page_changes is None:
            return None
        entity_changes = self.entities.changes_since(meta.get("entities_mark"))
        if entity_changes is None:
            return None
        seen: dict[str, list[Any]] = meta.get("pages", {})
        changed_pages = {title for title in self.titles if title not in seen}
        for title, version in page_changes.versions.items():
            kept = seen.get(title)
            if version is None or kept is None or version.revid != kept[0] or (
                    version.sha1 and kept[1] and version.sha1 != kept[1]):
                changed_pages.add(title)
        known = self.state.item_revisions(list(entity_changes.versions))
        changed_items = {item for item, version in entity_changes.versions.items()
                         if item in known and (version is None or version.revid != known[item])}
        gone = {item for item, version in entity_changes.versions.items() if version is None}
        retry = set(meta.get("retry", [])) | self.state.pending_creates()
        self.marks = (page_changes.watermark, entity_changes.watermark)
        revisions = {item: version.revid for item, version in entity_changes.versions.items()
                     if item in changed_items and version is not None}
        new = {item for item, version in entity_changes.versions.items()
               if listing and version is not None and item not in known} if listing else set()
        self.found = Found(page_changes.watermark, entity_changes.watermark, changed_pages, changed_items & set(known)
                           | (gone & set(known)), gone, retry, revisions, new)
        return self.found

    # -- reading ------------------------------------------------------------------------------------
    def read_all(self) -> Read:
        """Every registry page and every item the pages or the state name (a full reconciliation)."""
        self.marks = (self.pages.watermark(), self.entities.watermark())  # before reading: no change is missed
        fetched = self.pages.fetch_pages(self.titles)
        kept = self.memory.pages(self.titles)
        parsed = {}
        as_kept = set()  # read as the state keeps them already: the same revision, its parse kept
        for title, page in fetched.items():
            if page is None:
                continue
            old = kept.get(title)
            parsed[title] = old[1] if old is not None and old[0].text == page.text else self._parse(page, old)
            if old is not None and old[0] == page:
                as_kept.add(title)
        loaded = self._assemble(fetched, parsed)
        synced = self.state.entries()
        items = sorted({e.item for e in loaded.registry.entries if e.item} | {s.item for s in synced.values()})
        entities = self.entities.fetch_entities(items)
        owners = owners_of_items(item_registry_ids(loaded.registry, synced), entities, self.mapping)
        revids = {item: entity.revid for item, entity in entities.items() if entity is not None}
        self.read = Read(loaded, dict(fetched), synced, dict(entities), owners, {}, revids, set(fetched),
                         as_kept=as_kept)
        return self.read

    def read_changed(self) -> Read:
        """The pages and items that changed; the rest as the last runs kept them."""
        found = self.found
        assert found is not None
        kept = self.memory.pages(self.titles)
        wanted = sorted(found.changed_pages | {t for t in self.titles if t not in kept})
        fetched = self.pages.fetch_pages(wanted) if wanted else {}
        pages: dict[str, Page | None] = {}
        parsed: dict[str, ParsedPage] = {}
        for title in self.titles:
            if title in fetched:
                page = fetched[title]
                pages[title] = page
                if page is not None:
                    old = kept.get(title)
                    parsed[title] = (old[1] if old is not None and old[0].text == page.text
                                     else self._parse(page, old))
            else:
                pages[title], parsed[title] = kept[title]
        loaded = self._assemble(pages, parsed)
        synced = self.state.entries()
        claimed = loaded.registry.claimed_ids
        held_ids = frozenset().union(*(p.held_ids for p in parsed.values()))
        held_items = frozenset().union(*(p.held_items for p in parsed.values()))
        candidates = {s.item for rid, s in synced.items()  # entries that may be gone: is their item still there?
                      if rid not in claimed and loose_id(rid) not in held_ids and s.item not in held_items}
        known = {s.item: s.entity_revid for s in synced.values()}
        revids = {item: revid for item, revid in known.items() if item not in found.gone}
        revids.update(found.revisions)  # the revision each changed item has now, as the changes say
        before = self._before = self.memory.plan_keys()

        def planned_again(entities: Mapping[str, Entity | None],
                          earlier: tuple[dict[str, str], dict[str, Keyed | None]] | None = None,
                          ) -> tuple[dict[str, str], dict[str, Keyed | None], set[str]]:
            owners = self._owners(loaded, synced, entities)
            if earlier is None:
                keys = self._keys(loaded, synced, owners, revids, before)
            else:  # only the keys the items read can have changed: theirs, and those that asked of them
                old_owners, keys = earlier[0], dict(earlier[1])
                moved = {i for i in entities if old_owners.get(i) != owners.get(i)}
                moved |= {i for i in old_owners.keys() ^ owners.keys()}
                asked = {rid for rid, kept in before.items() if not moved.isdisjoint(kept.items)} if moved else set()
                keys.update(self._keys(loaded, synced, owners, revids, before,
                                       only=lambda rid, item: item in entities or rid in asked))
            again = {rid for rid, key in keys.items() if key is None or before[rid].key != key.key} | found.retry
            return owners, keys, again

        # what is planned again, as far as the changes tell, and every item it needs: one batched read
        by_id = loaded.registry.by_id()
        first_owners, first_keys, again = planned_again({})
        wanted_items = found.changed_items | candidates | {
            item for rid in again if (item := self._item(rid, by_id, synced))}
        entities = dict(self.entities.fetch_entities(sorted(wanted_items)))
        revids.update({item: entity.revid for item, entity in entities.items() if entity is not None})
        owners, keys, again = planned_again(entities, (first_owners, first_keys))  # the items read may hold
        # other registry ids, and have other revisions than the changes said
        more = sorted({item for rid in again if (item := self._item(rid, by_id, synced))} - set(entities))
        if more:
            entities.update(self.entities.fetch_entities(more))
        plans = self.memory.kept_plans(sorted(set(keys) - again))

        def reuse(claim: Claim) -> EntryPlan | Literal["settled"] | None:
            registry_id = claim.entry.id if claim.entry is not None else None
            if registry_id is None or registry_id in again:
                return None
            kept_plan = plans.get(registry_id)
            return kept_plan if kept_plan is not None else SETTLED

        def exists(item: str) -> bool:
            return item not in found.gone and (entities.get(item) is not None if item in entities else True)

        self.read = Read(loaded, pages, synced, entities, owners, keys, revids, set(fetched), reuse, exists)
        return self.read

    def listed(self, registry_items: Callable[[list[str]], list[str]], every: Callable[[], list[str]]) -> list[str]:
        """The registry items of the Wikibase (a listing store): all listed and read on a full sync;
        else those kept, less the deleted, with the changed and new ones checked again."""
        if self.found is None:
            found = registry_items(every())
            self.memory.keep_listed(found, replace_all=True)
            return found
        touched = sorted(self.found.new | self.found.changed_items)
        kept = self.memory.listed() - self.found.gone - set(touched)
        have = self.read.entities if self.read is not None else {}
        now = {item for item in touched if (entity := have.get(item)) is not None
               and entry_kind(entity.data, self.mapping) is not None}
        rest = [item for item in touched if item not in have]
        now |= set(registry_items(rest)) if rest else set()
        self.memory.keep_listed_changes(added=now, removed=(self.found.gone | set(touched)) - now)
        return sorted(kept | now)

    def _parse(self, page: Page, old: tuple[Page, ParsedPage] | None = None) -> ParsedPage:
        """The parse of ``page``; given ``old``, an earlier revision of it with its parse, only what
        changed since is parsed again (the result is the same)."""
        names = self.settings.registry.template_names()
        if old is not None:
            return reparse_registry_page(old[0].text, old[1], page.text, page.title, names)
        return parse_registry_page(page.text, page.title, names)

    def _assemble(self, pages: Mapping[str, Page | None], parsed: Mapping[str, ParsedPage]) -> ValidationResult:
        claims = [claim for title in self.titles if title in parsed for claim in parsed[title].claims]
        problems = [p for title in self.titles if title in parsed for p in parsed[title].page_problems]
        registry = assemble_registry(claims, problems, retired_ids=self.settings.registry.retired_ids,
                                     reserved_terms=RESERVED_TERMS)
        missing = tuple(title for title in self.titles if pages.get(title) is None)
        return ValidationResult(registry, {t: parsed[t] for t in self.titles if t in parsed}, missing)

    def _owners(self, loaded: ValidationResult, synced: Mapping[str, SyncedEntry],
                read: Mapping[str, Entity | None]) -> dict[str, str]:
        """Item -> owner: the pages and the state, overruled by what each item held when last read,
        and by what the items read now hold (as ``owners_of_items`` does with every item read)."""
        owners = item_registry_ids(loaded.registry, synced)
        unknown = [item for item in owners if item not in self._kept_owners]
        if unknown:  # read from the state once a run
            self._kept_owners.update({item: [] for item in unknown} | self.memory.owners(unknown))
        for item in list(owners):
            held = self._kept_owners[item]
            if item in read:
                continue
            if len(set(held)) == 1:
                owners[item] = held[0]
            elif held:
                owners.pop(item, None)
        return owners_of_items(owners, read, self.mapping)

    def _keys(self, loaded: ValidationResult, synced: Mapping[str, SyncedEntry], owners: Mapping[str, str],
              revids: Mapping[str, int], before: Mapping[str, Keyed],
              only: Callable[[str, str | None], bool] | None = None) -> dict[str, Keyed | None]:
        """Each entry's plan key now, for the lookups its last plan made (``before``); None: no
        plan kept, or one that cannot be reused.  ``only(registry id, item)``: the entries wanted."""
        if self._kinds is None or self._kinds[0] is not loaded:
            self._kinds = (loaded, kinds_of(loaded.registry.claims))
        kinds = self._kinds[1]
        keys: dict[str, Keyed | None] = {}
        for claim in loaded.registry.claims:
            entry = claim.entry
            if entry is None:
                continue
            state = synced.get(entry.id)
            if only is not None and not only(entry.id, entry.item or (state.item if state else None)):
                continue
            kept = before.get(entry.id)
            if kept is None:
                keys[entry.id] = None
                continue
            item, inputs = self._entry_inputs(claim, state)
            keys[entry.id] = plan_key(self.shaping, inputs, item, revids.get(item) if item else None,
                                      (kept.items, kept.ids), owners, kinds)
        return keys

    @staticmethod
    def _entry_inputs(claim: Claim, state: SyncedEntry | None) -> tuple[str | None, str]:
        """(its item, ``entry_inputs``) of the claim's entry."""
        assert claim.entry is not None
        item = claim.entry.item or (state.item if state else None)
        return item, entry_inputs(claim, item, state)

    @staticmethod
    def _item(registry_id: str, by_id: Mapping[str, Entry], synced: Mapping[str, SyncedEntry]) -> str | None:
        entry = by_id.get(registry_id)
        state = synced.get(registry_id)
        return (entry.item if entry is not None else None) or (state.item if state else None)

    def _after_writes(self, plan: SyncPlan, result: SyncResult,
                      kept_pages: Mapping[str, tuple[Page, ParsedPage] | None],
                      troubled: set[str]) -> dict[str, tuple[Keyed | None, EntryPlan | None]]:
        """The plan key and kept plan of each entry this run wrote, as of after the writes: its
        call on the page as saved, its merge base as recorded, its item as the Wikibase answered
        the write; planned again from those, so that the next run needs to read nothing of it
        unless something changes again.  An entry whose item is not known as written (a patched
        edit) is left to be planned again (key None)."""
        read = self.read
        assert read is not None
        acted = [p for p in plan.entries if p.action != "none" and p.registry_id not in troubled]
        if not acted:
            return {}
        claims: dict[str, Claim | None] = {}
        for read_claim in read.loaded.registry.claims:
            if read_claim.entry is not None:
                claims[read_claim.entry.id] = None if read_claim.entry.id in claims else read_claim  # twice: no
        saved_claims: dict[str, Claim | None] = {}
        for title in result.saved_pages:
            kept = kept_pages.get(title)
            for on_page in kept[1].claims if kept is not None else ():
                if on_page.entry is not None:
                    saved_claims[on_page.entry.id] = None if on_page.entry.id in saved_claims else on_page
        updated = set(result.items_updated)
        owners = dict(plan.registry_ids)  # with the items this run created or found for new entries
        owners.update({result.recorded[rid].item: rid for rid in [*result.created, *result.adopted]
                       if rid in result.recorded})
        after: dict[str, tuple[Keyed | None, EntryPlan | None]] = {}
        for before in acted:
            registry_id = before.registry_id
            claim = saved_claims.get(registry_id) if before.page in result.saved_pages else claims.get(registry_id)
            synced = result.recorded.get(registry_id, read.synced.get(registry_id))
            item = (claim.entry.item if claim is not None and claim.entry is not None else None) \
                or (synced.item if synced else None)
            if item in result.written:
                entity = result.written[item]
            else:
                entity = read.entities.get(item) if item and registry_id not in updated else None
            if claim is None or claim.entry is None or item is None or entity is None:
                after[registry_id] = (None, None)
                continue
            again = plan_entry(claim, claim.entry, synced=synced, entity=entity, mapping=self.mapping,
                               registry_ids=owners, kinds=plan.kinds)
            key = plan_key(self.shaping, entry_inputs(claim, item, synced), item, entity.revid, again.consulted,
                           owners, plan.kinds)
            if again.action == "none" and again.problem is None and not (again.merge and again.merge.conflicts):
                after[registry_id] = (key, None)  # settled: nothing to read or do till something changes
            elif worth_keeping(again):
                after[registry_id] = (key, again)
            else:
                after[registry_id] = (None, None)
        return after

    # -- what the next run needs -------------------------------------------------------------------
    def remember(self, plan: SyncPlan, result: SyncResult | None, is_full: bool, now: dt.datetime,
                 run: Any) -> None:
        read = self.read
        assert read is not None
        versions: dict[str, list[Any]] = dict(self.memory.meta.get("pages", {})) if not is_full else {}
        kept_pages: dict[str, tuple[Page, ParsedPage] | None] = {}
        for title in self.titles:
            page = read.pages.get(title)
            if page is None:
                versions.pop(title, None)
                kept_pages[title] = None
            elif title in read.fetched_pages or is_full:
                versions[title] = [page.revid, page.sha1 or None]
                if title not in read.as_kept:
                    kept_pages[title] = (page, read.loaded.pages[title])
        for title, page in (result.saved_pages.items() if result else ()):
            versions[title] = [page.revid, None]
            before, parsed_before = read.pages.get(title), read.loaded.pages.get(title)
            old = (before, parsed_before) if before is not None and parsed_before is not None else None
            kept_pages[title] = (page, self._parse(page, old))
        held = {item: registry_ids_of(entity.data, self.mapping) for item, entity in read.entities.items()
                if entity is not None}
        if result is not None:  # what the items hold after this run's writes, where the answers tell
            held.update({item: registry_ids_of(entity.data, self.mapping) for item, entity in result.written.items()
                         if entity is not None})
        if result is not None and (result.created or result.adopted):
            now_synced = self.state.entries()
            for registry_id in [*result.created, *result.adopted]:
                if registry_id in now_synced:
                    held[now_synced[registry_id].item] = [registry_id]
        self.memory.keep_owners(held, replace_all=is_full)
        troubled = {p.registry_id for p in (result.problems if result else []) if p.registry_id}
        troubled |= {p.registry_id for p, _ in (result.late_conflicts if result else [])}
        planned = {p.registry_id: p for p in plan.entries}
        keys: dict[str, Keyed | None] = {}
        blobs: dict[str, EntryPlan | None] = {}
        present = set()
        for claim in read.loaded.registry.claims:
            if claim.entry is None:
                continue
            registry_id = claim.entry.id
            present.add(registry_id)
            entry_plan = planned.get(registry_id)
            if entry_plan is None and not is_full:
                continue  # reused: as kept
            if entry_plan is None or registry_id in troubled:
                keys[registry_id], blobs[registry_id] = None, None
                continue
            item, inputs = self._entry_inputs(claim, read.synced.get(registry_id))
            keys[registry_id] = key = plan_key(self.shaping, inputs, item, read.revids.get(item) if item else None,
                                               entry_plan.consulted, plan.registry_ids, plan.kinds)
            blobs[registry_id] = entry_plan if key is not None and worth_keeping(entry_plan) else None
        if result is not None:
            for registry_id, (after_key, blob) in self._after_writes(plan, result, kept_pages, troubled).items():
                keys[registry_id], blobs[registry_id] = after_key, blob
        self.memory.keep_pages(kept_pages)  # after the keys: its claims keep the digests they made
        if not is_full:  # entries gone from the pages: forgotten
            assert self._before is not None  # read_changed read them
            for registry_id in set(self._before) - present:
                keys[registry_id], blobs[registry_id] = None, None
        self.memory.keep_plans(keys, blobs, replace_all=is_full)
        lines = [line for line in plan_text(plan) if not line.startswith(WAITING)]
        carried = {"outcome": "blocked" if plan.guards else ("ok" if run.clean else "problems"),
                   "lines": lines, "attention": run.attention(),
                   "error": "; ".join(f"{g.page}: {g.reason}" for g in plan.guards) or None}
        unfinished = []  # what only reading everything again brings back
        if result is not None and result.simulated:
            unfinished.append("writes simulated (pywikibot's simulate) were not made")
        if getattr(run, "index_error", None):
            unfinished.append("the query store was not brought up to date")
        meta: dict[str, Any] = {"fingerprint": self.shaping, "pages_mark": self.marks[0],
                                "entities_mark": self.marks[1], "pages": versions, "retry": sorted(troubled),
                                "carried": carried, "unfinished": "; ".join(unfinished) or None}
        if is_full:
            meta["last_full"] = now.isoformat()
        self.memory.save_meta(**meta)

