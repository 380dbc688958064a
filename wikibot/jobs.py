"""The jobs: each takes settings and ports, does one piece of work, and returns a result value.

Commands (``cli.py``) build the settings and adapters and print the result; jobs never
print, and never construct an adapter themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .bulk import bulk_allocation
from .ports import EntityStore, EntityStoreError, Page, PageStore, PageStoreError, Saved, StateStore
from .registry.check import Registry
from .registry.models import EntryKind
from .registry.problems import Problem, ProblemCode, SourceRef
from .settings import Settings
from .sync.apply import Syncer, SyncResult
from .sync.plan import SyncPlan, plan_sync
from .sync.report import report_page
from .wikibase.entity import entry_kind
from .wikibase.mapping import ResolvedMapping
from .wikitext.registry_page import ParsedPage, parse_registry


@dataclass(frozen=True)
class ValidationResult:
    registry: Registry
    pages: dict[str, ParsedPage]
    missing_pages: tuple[str, ...] = field(default=())

    @property
    def problems(self) -> tuple[Problem, ...]:
        missing = tuple(
            Problem(SourceRef(title, 0), None, None, "the page does not exist", ProblemCode.MISSING_PAGE)
            for title in self.missing_pages
        )
        return missing + self.registry.problems

    @property
    def valid(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, dict[str, int]]:
        """Per page and in all: valid entries of each kind, and invalid entries."""
        keys = [*(k.value for k in EntryKind), "invalid"]
        per_page: dict[str, Counter[str]] = {title: Counter() for title in self.pages}
        for claim in self.registry.claims:  # after the checks across pages
            per_page[claim.source.page][claim.kind.value if claim.entry else "invalid"] += 1
        total = sum(per_page.values(), Counter())
        result = {title: {k: counter[k] for k in keys} for title, counter in per_page.items()}
        result["total"] = {k: total[k] for k in keys}
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "counts": self.counts(),
            "problems": [p.to_json() for p in self.problems],
        }


def load_registry(settings: Settings, pages: PageStore) -> ValidationResult:
    """Read the configured registry pages and parse them; nothing is written."""
    return read_registry(settings, pages.fetch_pages(settings.registry.pages))


def read_registry(settings: Settings, fetched: Mapping[str, Page | None]) -> ValidationResult:
    """The configured registry pages, as read, parsed."""
    titles = settings.registry.pages
    texts = {title: page.text for title in titles if (page := fetched.get(title)) is not None}
    with bulk_allocation():
        registry, parsed = parse_registry(
            texts, settings.registry.templates.names(), retired_ids=settings.registry.retired_ids
        )
    missing = tuple(title for title in titles if fetched.get(title) is None)
    return ValidationResult(registry, parsed, missing)


def validate(settings: Settings, pages: PageStore) -> ValidationResult:
    """``wikibot validate``: every problem of the registry pages."""
    return load_registry(settings, pages)


@dataclass
class SyncRun:
    """What ``wikibot sync`` found and did; ``result`` is None when nothing was applied."""

    plan: SyncPlan
    result: SyncResult | None = None
    report_changed: bool = False
    dry_run: bool = False

    @property
    def blocked(self) -> bool:
        return self.plan.blocked

    @property
    def clean(self) -> bool:
        """Nothing for editors or operators to look at."""
        problems = self.result.problems if self.result else []
        late = self.result.late_conflicts if self.result else []
        return not (self.plan.guards or self.plan.conflicts or late or problems or self.plan.invalid
                    or any(p.problem for p in self.plan.entries))

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
) -> SyncRun:
    """``wikibot sync``: registry pages and Wikibase items brought into agreement, both ways.

    ``list_items``: every entity id of the Wikibase, when the store can list them (to report
    registry items that no page names).  Store failures propagate after the run is logged.
    """
    titles = list(settings.registry.pages)
    read = pages.fetch_pages(titles)
    loaded = read_registry(settings, read)
    synced = state.entries()
    items = sorted({e.item for e in loaded.registry.entries if e.item} | {s.item for s in synced.values()})
    fetched = entities.fetch_entities(items)
    listed = _registry_items(entities, mapping, list_items()) if list_items is not None else None
    plan = plan_sync(loaded.registry, loaded.pages, read, synced, fetched, mapping, titles=titles, user=user,
                     max_shrink=1.0 if allow_shrink else settings.sync.max_shrink, listed_items=listed)
    if dry_run:
        return SyncRun(plan, dry_run=True)
    run_id = state.start_run("sync", dry_run=False)
    if plan.blocked:
        state.finish_run(run_id, outcome="blocked", counts={}, error="; ".join(
            f"{g.page}: {g.reason}" for g in plan.guards))
        return SyncRun(plan)
    syncer = Syncer(pages, entities, state, mapping, settings.registry.templates.names(),
                    settings.wiki.index_url, titles, settings.registry.retired_ids, progress)
    try:
        result = syncer.apply(plan, read, retire=retire, entities=fetched)
        run = SyncRun(plan, result)
        report_title = settings.sync.report_page
        if report_title:
            run.report_changed = publish_report(pages, report_title, report_page(result, plan))
            result.report_saved = run.report_changed
    except (EntityStoreError, PageStoreError) as error:
        state.finish_run(run_id, outcome="failed", counts={}, error=str(error))
        raise
    state.finish_run(run_id, outcome="ok" if run.clean else "problems", counts=result.counts())
    return run


def publish_report(pages: PageStore, title: str, text: str) -> bool:
    """Save the report page when its text changed; True when it was saved."""
    current = pages.fetch_pages([title])[title]
    if current is not None and current.text == text:
        return False
    outcome = pages.save_page(title, text, base=current, summary="wikibot: sync report updated")
    return isinstance(outcome, Saved)


def _registry_items(entities: EntityStore, mapping: ResolvedMapping, ids: list[str]) -> list[str]:
    """Of ``ids``, the items that are registry entries (an instance of a registry class)."""
    fetched = entities.fetch_entities([i for i in ids if i.startswith("Q")])
    return [i for i, entity in fetched.items() if entity is not None and entry_kind(entity.data, mapping) is not None]
