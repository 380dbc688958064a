"""``wikibot sync``: registry pages and Wikibase items brought into agreement, both ways."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..bulk import bulk_allocation
from ..coverage.index import QueryIndex, Watched
from ..errors import QueryEndpointError
from ..ports import EntityStore, PageStore, Refused, Saved, Simulated, StateStore
from ..settings import Settings
from ..sync.apply import Syncer, SyncResult
from ..sync.plan import SyncPlan, plan_sync
from ..sync.report import report_page
from ..wikibase.entity import entry_kind
from ..wikibase.mapping import ResolvedMapping
from .coverage import index_entities
from .memory import Carried, Memory, fingerprint
from .reading import Found, Reader
from .registry import RESERVED_TERMS
from .runlog import logged_run, publish_report


@dataclass
class SyncRun:
    """What ``wikibot sync`` found and did; ``result`` is None when nothing was applied."""

    plan: SyncPlan
    result: SyncResult | None = None
    report_changed: bool = False
    dry_run: bool = False
    indexed: list[str] = field(default_factory=list)  # entities written to the query store
    index_error: str | None = None  # the query store could not be brought up to date
    mode: str = "full"  # "full": everything read again; "incremental": what changed only
    why: str = ""  # why this kind of sync ran
    carried: Carried | None = None  # nothing changed: what the last run left for a person stands

    @property
    def blocked(self) -> bool:
        return self.plan.blocked

    @property
    def clean(self) -> bool:
        """Nothing for editors or operators to look at."""
        if self.carried is not None:
            return self.carried.outcome == "ok"
        problems = self.result.problems if self.result else []
        late = self.result.late_conflicts if self.result else []
        refused = self.result.refused if self.result else {}
        return not (self.plan.guards or self.plan.conflicts or late or problems or self.plan.invalid or refused
                    or any(p.problem for p in self.plan.entries))

    def attention(self) -> list[str]:
        """What needs a person after this run, one line a thing (for telling new things from known ones)."""
        if self.carried is not None:
            return list(self.carried.attention)
        plan, result = self.plan, self.result
        lines = [f"conflict {p.registry_id} {c.field} {c.page!r} {c.wikibase!r}"
                 for p, c in [*plan.conflicts, *(result.late_conflicts if result else [])]]
        lines += [f"skip {p.registry_id} {p.problem}" for p in plan.entries if p.problem]
        lines += [f"invalid {p}" for p in plan.invalid]
        lines += [f"guard {g.page} {g.reason}" for g in plan.guards]
        lines += [f"removed {r.registry_id}" for r in plan.removed]
        lines += [f"excluded {title}" for title in plan.denied]
        if result is not None:
            lines += [f"problem {p.registry_id} {p.page} {p.reason}" for p in result.problems]
            lines += [f"refused {title} {why}" for title, why in result.refused.items()]
        return lines

    def counts(self) -> dict[str, int]:
        if self.result is not None:
            return self.result.counts()
        actions = Counter(p.action for p in self.plan.entries)
        return {"to_create": actions["create"], "to_update": actions["update"],
                "conflicts": len(self.plan.conflicts), "invalid": len(self.plan.invalid),
                "skipped": actions["skip"]}


def sync(
    settings: Settings, pages: PageStore, entities: EntityStore, state: StateStore, *,
    mapping: ResolvedMapping, user: str, dry_run: bool = False, retire: bool = False, allow_shrink: bool = False,
    list_items: Callable[[], list[str]] | None = None, progress: Callable[[str], None] = lambda message: None,
    index: QueryIndex | None = None, full: bool = False, now: dt.datetime | None = None,
) -> SyncRun:
    """``wikibot sync``: registry pages and Wikibase items brought into agreement, both ways.

    A sync asks both wikis what changed since the last one and reads, parses and merges only
    that (see ``memory.py``); a full reconciliation reads everything: asked for (``full``), with
    a new state or another mapping, settings or version, and every ``[sync] full_every``.

    ``list_items``: every entity id of the Wikibase, when the store can list them (to report
    registry items that no page names).  ``index``: the embedded query store, brought up to
    date from the entities the run read and wrote (no extra request).  Store failures
    propagate after the run is logged.
    """
    with bulk_allocation():  # long-lived objects, no cyclic garbage: the collector waits till the end, when
        # what the run read is freed already and only its outcome is left for the collector to look at
        return _sync(settings, pages, entities, state, mapping=mapping, user=user, dry_run=dry_run, retire=retire,
                     allow_shrink=allow_shrink, list_items=list_items, progress=progress, index=index, full=full,
                     now=now or dt.datetime.now(dt.UTC))


def _sync(
    settings: Settings, pages: PageStore, entities: EntityStore, state: StateStore, *,
    mapping: ResolvedMapping, user: str, dry_run: bool, retire: bool, allow_shrink: bool,
    list_items: Callable[[], list[str]] | None, progress: Callable[[str], None], index: QueryIndex | None,
    full: bool, now: dt.datetime,
) -> SyncRun:
    memory = Memory.load(state)
    shaping = fingerprint(mapping, [settings.registry.model_dump(mode="json"), user,
                                    sorted(map(list, RESERVED_TERMS))])
    is_full, why = memory.mode(shaping, asked_full=full, full_every=settings.sync.full_interval(), now=now)
    watched = Watched(entities) if index is not None and not dry_run else None
    reader = Reader(settings, pages, watched or entities, state, memory, mapping, shaping)
    if not is_full:
        found = reader.changes(listing=list_items is not None)
        if found is None:
            is_full, why = True, "the wikis could not say what changed since the last sync"
        elif found.nothing and not (dry_run or retire or allow_shrink):  # those act on what the last left
            return _nothing_changed(settings, pages, state, memory, reader, found)
    read = reader.read_all() if is_full else reader.read_changed()
    listed = reader.listed(lambda ids: _registry_items(entities, mapping, ids), list_items) \
        if list_items is not None else None
    plan = plan_sync(read.loaded.registry, read.loaded.pages, read.pages, read.synced, read.entities, mapping,
                     titles=reader.titles, user=user, max_shrink=1.0 if allow_shrink else settings.sync.max_shrink,
                     listed_items=listed, reserved_terms=RESERVED_TERMS, registry_ids=read.owners,
                     reuse=read.reuse, exists=read.exists)
    if dry_run:
        return SyncRun(plan, dry_run=True, mode=_mode_name(is_full), why=why)
    syncer = Syncer(pages, watched or entities, state, mapping, settings.registry.template_names(),
                    settings.wiki.index_url, reader.titles, settings.registry.retired_ids, progress)
    with logged_run(settings, pages, state, "sync") as log:
        if plan.blocked:
            run = SyncRun(plan, mode=_mode_name(is_full), why=why)
            log.finish("blocked", {}, _guarded(plan), attention=run.attention())
            reader.remember(plan, None, is_full, now, run)
            return run
        result = syncer.apply(plan, read.pages, retire=retire, entities=read.entities, synced=read.synced)
        run = SyncRun(plan, result, mode=_mode_name(is_full), why=why)
        report_title = settings.sync.report_page
        if report_title:
            outcome = publish_report(pages, report_title, report_page(
                result, plan, settings.wiki.reader(), item_url=settings.query.concept_uri))
            run.report_changed = isinstance(outcome, Saved)
            result.report_saved = run.report_changed
            if isinstance(outcome, Refused):
                result.refused[report_title] = str(outcome)
            if isinstance(outcome, Simulated):
                result.simulated.append(report_title)
        counts = result.counts()
        if index is not None and watched is not None:
            try:
                run.indexed = index_entities(index, watched, mapping, seen=watched.seen, gone=watched.gone,
                                             progress=progress)
                counts["query_store"] = len(run.indexed)
            except QueryEndpointError as error:  # the wikis are in agreement; only the copy lags
                run.index_error = str(error)
        reader.remember(plan, result, is_full, now, run)
        refused = "; ".join(f"{title}: {why}" for title, why in result.refused.items()) or None
        if plan.guards:  # the other pages were synced; these need a person: a failure on the heartbeat
            log.finish("blocked", counts, _guarded(plan) + " (left alone; the other registry pages were "
                       "synced)" + (f"; {refused}" if refused else ""), attention=run.attention())
        else:
            log.finish("ok" if run.clean else "problems", counts, refused, attention=run.attention())
    return run


def _mode_name(is_full: bool) -> str:
    return "full" if is_full else "incremental"


def _nothing_changed(settings: Settings, pages: PageStore, state: StateStore, memory: Memory, reader: Reader,
                     found: Found) -> SyncRun:
    """Neither wiki changed anything the registry holds since the last sync: nothing is read or
    written; what the last run left for a person stands (and is said again)."""
    carried = memory.carried()
    run = SyncRun(SyncPlan([], ()), mode="incremental", why="nothing changed since the last sync",
                  carried=carried)
    with logged_run(settings, pages, state, "sync") as log:
        memory.save_meta(pages_mark=found.pages_mark, entities_mark=found.entities_mark)
        log.finish(carried.outcome, {"unchanged": 1}, carried.error, attention=carried.attention)
    return run


def _guarded(plan: SyncPlan) -> str:
    """The pages a guard left alone, and why, for the run log."""
    return "; ".join(f"{g.page}: {g.reason}" for g in plan.guards)




def _registry_items(entities: EntityStore, mapping: ResolvedMapping, ids: list[str]) -> list[str]:
    """Of ``ids``, the items that are registry entries (an instance of a registry class)."""
    fetched = entities.fetch_entities([i for i in ids if i.startswith("Q")])
    return [i for i, entity in fetched.items() if entity is not None and entry_kind(entity.data, mapping) is not None]
