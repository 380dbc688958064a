"""``wikibot status``: each hub's (and partnership's) status box made to say what the Wikibase holds."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

from ..ports import EntityStore, PageStore, StateStore
from ..registry.models import EntryKind
from ..registry.problems import Problem, ProblemCode
from ..settings import Settings
from ..status.refresh import BoxRefresher, StatusRun, refresh
from ..sync.plan import GuardError, guard_pages
from ..wikibase.mapping import ResolvedMapping
from .registry import ValidationResult, read_registry
from .runlog import logged_run


def status(
    settings: Settings, pages: PageStore, entities: EntityStore, state: StateStore, *,
    mapping: ResolvedMapping, user: str, today: dt.date, dry_run: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> StatusRun:
    """``wikibot status``: each hub's (and partnership's) status box made to say what the Wikibase holds."""
    titles = list(settings.registry.pages)
    read = pages.fetch_pages(titles)
    loaded = read_registry(settings, read)
    guards = guard_pages(titles, read, loaded.pages, state.entries(), max_shrink=settings.sync.max_shrink)
    hold = _held_boxes(loaded, guards)
    kinds = [EntryKind(kind) for kind in settings.status.kinds]
    templates = {kind: settings.status.template_of(kind) for kind in kinds}
    forbidden = [*settings.registry.pages, settings.sync.report_page or "", settings.heartbeat.page or "",
                 settings.query.report_page or ""]
    refresher = BoxRefresher(pages, templates, user, today, settings.status.missing == "add", progress,
                             settings.wiki.reader())
    go = functools.partial(refresh, loaded.registry.entries, entities, refresher, mapping=mapping, kinds=kinds,
                           forbidden=forbidden, prefixes=settings.status.page_prefixes, hold=hold)
    if dry_run:
        return go(dry_run=True)
    with logged_run(settings, pages, state, "status") as log:
        run = go()
        run.problems += [Problem.of(None, p.source.page, f"registry page: {p.reason}", ProblemCode.BOX_NOT_KEPT)
                         for p in loaded.problems if p.code is ProblemCode.MISSING_PAGE]
        refused = "; ".join(f"{title}: {why}" for title, why in run.refused.items()) or None
        if guards:  # boxes were left as they are: a registry page needs a person, as for sync
            log.finish("blocked", run.counts(), "; ".join(f"{g.page}: {g.reason}" for g in guards)
                       + " (the boxes that depend on it left as they are)", attention=run.attention())
        else:
            log.finish("ok" if run.clean else "problems", run.counts(), refused, attention=run.attention())
    return run


def _held_boxes(loaded: ValidationResult, guards: Sequence[GuardError]) -> dict[str, str]:
    """Registry id -> why its box is left as it is: the box shows values drawn from a registry page
    a guard left alone (missing, blanked, shrunken, unparsable), which would be read as gone.  A
    box draws on its entry's page and the pages of the entries it names; a hub's also on every page
    that may hold the partnerships it stewards (any page left alone may)."""
    if not guards:
        return {}
    why = {g.page: g.reason for g in guards}
    page_of = {c.registry_id: c.source.page for c in loaded.registry.claims if c.registry_id}
    held: dict[str, str] = {}
    for claim in loaded.registry.claims:
        entry = claim.entry
        if entry is None:
            continue
        drawn = {claim.source.page, *(page_of.get(target, "") for _, target in entry.references())}
        if entry.kind is EntryKind.HUB:
            drawn |= set(why)
        alone = sorted(page for page in drawn if page in why)
        if alone:
            held[entry.id] = "; ".join(f"{page} is left alone ({why[page]})" for page in alone)
    return held
