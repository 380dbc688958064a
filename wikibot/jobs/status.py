"""``wikibot status``: each hub's (and partnership's) status box made to say what the Wikibase holds."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from ..ports import EntityStore, PageStore, StateStore
from ..registry.models import EntryKind
from ..registry.problems import Problem, ProblemCode
from ..settings import Settings
from ..status.refresh import BoxRefresher, StatusRun, refresh
from ..wikibase.mapping import ResolvedMapping
from .registry import load_registry
from .runlog import logged_run


def status(
    settings: Settings, pages: PageStore, entities: EntityStore, state: StateStore, *,
    mapping: ResolvedMapping, user: str, today: dt.date, dry_run: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> StatusRun:
    """``wikibot status``: each hub's (and partnership's) status box made to say what the Wikibase holds."""
    loaded = load_registry(settings, pages)
    kinds = [EntryKind(kind) for kind in settings.status.kinds]
    templates = {kind: settings.status.template_of(kind) for kind in kinds}
    forbidden = [*settings.registry.pages, settings.sync.report_page or "", settings.heartbeat.page or "",
                 settings.query.report_page or ""]
    refresher = BoxRefresher(pages, templates, user, today, settings.status.missing == "add", progress)
    go = functools.partial(refresh, loaded.registry.entries, entities, refresher, mapping=mapping, kinds=kinds,
                           forbidden=forbidden, prefixes=settings.status.page_prefixes)
    if dry_run:
        return go(dry_run=True)
    with logged_run(settings, pages, state, "status") as log:
        run = go()
        run.problems += [Problem.of(None, p.source.page, f"registry page: {p.reason}", ProblemCode.BOX_NOT_KEPT)
                         for p in loaded.problems if p.code is ProblemCode.MISSING_PAGE]
        refused = "; ".join(f"{title}: {why}" for title, why in run.refused.items()) or None
        log.finish("ok" if run.clean else "problems", run.counts(), refused)
    return run
