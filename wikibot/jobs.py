"""The jobs: each takes settings and ports, does one piece of work, and returns a result value.

Commands (``cli.py``) build the settings and adapters and print the result; jobs never
print, and never construct an adapter themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import heartbeat
from .bulk import bulk_allocation
from .coverage.index import QueryIndex, Watched, with_revision
from .coverage.questions import Answer, Failure, Outcome, Question, ask_each, not_answered, query_values
from .coverage.report import render_wiki
from .coverage.template import QueryContext
from .ports import (
    EntityJson,
    EntityStore,
    EntityStoreError,
    Page,
    PageStore,
    PageStoreError,
    QueryEndpoint,
    QueryEndpointError,
    Saved,
    StateStore,
)
from .registry.check import Registry
from .registry.models import EntryKind
from .registry.problems import Problem, ProblemCode, SourceRef
from .settings import Settings
from .status.refresh import BoxRefresher, StatusProblem, StatusRun, refresh
from .sync.apply import Syncer, SyncResult
from .sync.plan import SyncPlan, plan_sync
from .sync.report import report_page
from .wikibase.entity import entry_kind
from .wikibase.mapping import ResolvedMapping
from .wikibase.rdf import RdfPrefixes
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
    indexed: list[str] = field(default_factory=list)  # entities written to the query store
    index_error: str | None = None  # the query store could not be brought up to date

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
    index: QueryIndex | None = None,
) -> SyncRun:
    """``wikibot sync``: registry pages and Wikibase items brought into agreement, both ways.

    ``list_items``: every entity id of the Wikibase, when the store can list them (to report
    registry items that no page names).  ``index``: the embedded query store, brought up to
    date from the entities the run read and wrote (no extra request).  Store failures
    propagate after the run is logged.
    """
    watched = Watched(entities) if index is not None and not dry_run else None
    entities = watched or entities
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
    syncer = Syncer(pages, entities, state, mapping, settings.registry.templates.names(),
                    settings.wiki.index_url, titles, settings.registry.retired_ids, progress)
    with logged_run(settings, pages, state, "sync") as log:
        if plan.blocked:
            log.finish("blocked", {}, _guarded(plan))
            return SyncRun(plan)
        result = syncer.apply(plan, read, retire=retire, entities=fetched)
        run = SyncRun(plan, result)
        report_title = settings.sync.report_page
        if report_title:
            run.report_changed = publish_report(pages, report_title, report_page(result, plan))
            result.report_saved = run.report_changed
        counts = result.counts()
        if index is not None and watched is not None:
            try:
                run.indexed = index_entities(index, watched, mapping, seen=watched.seen, gone=watched.gone,
                                             progress=progress)
                counts["query_store"] = len(run.indexed)
            except QueryEndpointError as error:  # the wikis are in agreement; only the copy lags
                run.index_error = str(error)
        if plan.guards:  # the other pages were synced; these need a person: a failure on the heartbeat
            log.finish("blocked", counts, _guarded(plan) + " (left alone; the other registry pages were synced)")
        else:
            log.finish("ok" if run.clean else "problems", counts)
    return run


def _guarded(plan: SyncPlan) -> str:
    """The pages a guard left alone, and why, for the run log."""
    return "; ".join(f"{g.page}: {g.reason}" for g in plan.guards)


def publish_report(pages: PageStore, title: str, text: str, summary: str = "wikibot: sync report updated") -> bool:
    """Save the report page when its text changed; True when it was saved."""
    current = pages.fetch_pages([title])[title]
    if current is not None and current.text == text:
        return False
    outcome = pages.save_page(title, text, base=current, summary=summary)
    return isinstance(outcome, Saved)


@dataclass
class RunLog:
    """One run in the run log; ``finish`` records how it ended (else it ends as failed)."""

    state: StateStore
    run_id: int
    finished: bool = False

    def finish(self, outcome: str, counts: dict[str, int], error: str | None = None) -> None:
        self.state.finish_run(self.run_id, outcome=outcome, counts=counts, error=error)
        self.finished = True


@contextlib.contextmanager
def logged_run(settings: Settings, pages: PageStore, state: StateStore, job: str) -> Iterator[RunLog]:
    """A run of ``job``: opened in the run log, closed as failed when anything stops it; then the
    heartbeat page is saved (once), also after a failure when the wiki still answers."""
    log = RunLog(state, state.start_run(job, dry_run=False))
    try:
        yield log
    except Exception as error:  # a store that failed, or a bug: the run is logged as failed either way
        known = isinstance(error, (EntityStoreError, PageStoreError))
        log.finish("failed", {}, str(error) if known else f"{type(error).__name__}: {error}")
        _beat(settings, pages, state, quiet=True)
        raise
    if not log.finished:
        log.finish("failed", {}, "the run ended without a result")
    _beat(settings, pages, state, quiet=False)


def _beat(settings: Settings, pages: PageStore, state: StateStore, *, quiet: bool) -> None:
    title = settings.heartbeat.page
    if not title:
        return
    try:
        publish_report(pages, title, heartbeat.render(heartbeat.beats(state.runs())),
                       summary="wikibot: heartbeat")
    except Exception:  # after a failure, the failure is what the caller must see
        if not quiet:
            raise


def status(
    settings: Settings, pages: PageStore, entities: EntityStore, state: StateStore, *,
    mapping: ResolvedMapping, user: str, today: dt.date, dry_run: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> StatusRun:
    """``wikibot status``: each hub's (and partnership's) status box made to say what the Wikibase holds."""
    loaded = load_registry(settings, pages)
    kinds = [EntryKind(kind) for kind in settings.status.kinds]
    templates = {EntryKind.HUB: settings.status.templates.hub,
                 EntryKind.PARTNERSHIP: settings.status.templates.partnership}
    forbidden = [*settings.registry.pages, settings.sync.report_page or "", settings.heartbeat.page or "",
                 settings.query.report_page or ""]
    refresher = BoxRefresher(pages, templates, user, today, settings.status.missing == "add", progress)
    go = functools.partial(refresh, loaded.registry.entries, entities, refresher, mapping=mapping, kinds=kinds,
                           forbidden=forbidden, prefixes=settings.status.page_prefixes)
    if dry_run:
        return go(dry_run=True)
    with logged_run(settings, pages, state, "status") as log:
        run = go()
        run.problems += [StatusProblem(None, p.source.page, f"registry page: {p.reason}")
                         for p in loaded.problems if p.code is ProblemCode.MISSING_PAGE]
        log.finish("ok" if run.clean else "problems", run.counts())
    return run


@dataclass(frozen=True)
class HealthReport:
    source: str  # where the beats were read
    checks: list[heartbeat.Health]

    @property
    def healthy(self) -> bool:
        return bool(self.checks) and all(c.healthy for c in self.checks)


def health(settings: Settings, pages: PageStore, state: StateStore, *, now: dt.datetime, max_age: dt.timedelta,
           jobs: Sequence[str] = ()) -> HealthReport:
    """``wikibot health``: has each job succeeded recently?  Read from the heartbeat page (what
    editors see), or from the run log when no heartbeat page is configured."""
    title = settings.heartbeat.page
    if title:
        page = pages.fetch_pages([title])[title]
        found = heartbeat.parse(page.text) if page is not None else []
        source = f"the heartbeat page {title!r}" + ("" if page is not None else " (missing)")
    else:
        found, source = heartbeat.beats(state.runs()), "the run log"
    return HealthReport(source, heartbeat.check(found, now, max_age, jobs))


# -- coverage ------------------------------------------------------------------------------------
def query_context(settings: Settings, mapping: ResolvedMapping, *, today: dt.date, days: int | None = None,
                  top: int | None = None) -> QueryContext:
    """What the coverage queries are filled with, from the settings (``days``, ``top``: overrides)."""
    query = settings.query
    values = query_values(mapping, today=today, days=query.review_days if days is None else days,
                          top=query.top_languages if top is None else top)
    return QueryContext(mapping, RdfPrefixes.for_concept_uri(query.concept_uri), values,
                        tuple(query.label_languages))


def index_entities(index: QueryIndex, entities: EntityStore, mapping: ResolvedMapping, *,
                   seen: Mapping[str, EntityJson] = {}, gone: Iterable[str] = (),
                   progress: Callable[[str], None] = lambda m: None) -> list[str]:
    """Bring the query store up to date: the ``seen`` entities whose revision it does not hold,
    the ``gone`` ones (deleted on the Wikibase) taken out, and the instance's properties and
    vocabulary items added when it lacks them (read, 50 a request).  The ids written or removed."""
    versions = index.versions()
    removed = index.remove(sorted(gone), known=versions)
    wanted = [i for i in (*mapping.properties.values(), *mapping.items.values()) if i not in versions and i not in seen]
    fetched = entities.fetch_entities(wanted) if wanted else {}
    documents = [*seen.values(), *(with_revision(e.data, e.revid) for e in fetched.values() if e is not None)]
    return [*removed, *index.update(documents, known=versions, progress=progress)]


def rebuild_index(index: QueryIndex, entities: EntityStore, ids: Sequence[str], *,
                  progress: Callable[[str], None] = lambda m: None) -> int:
    """Empty the query store and write the entities ``ids`` into it (read 50 a request); how many."""
    progress(f"query store: reading {len(ids)} entities")
    fetched = entities.fetch_entities(list(ids))
    return index.rebuild((with_revision(e.data, e.revid) for e in fetched.values() if e is not None), progress)


@dataclass
class CoverageRun:
    outcomes: list[Outcome]  # per question, in the order asked: its Answer, or a Failure
    published: bool | None = None  # None: not asked to publish
    page_text: str | None = None  # the report page's text, when asked to publish (or a dry run)
    current_text: str | None = None  # the page's text before

    @property
    def answers(self) -> list[Answer]:
        return [o for o in self.outcomes if isinstance(o, Answer)]

    @property
    def failures(self) -> list[Failure]:
        return [o for o in self.outcomes if isinstance(o, Failure)]


def coverage(settings: Settings, endpoint: QueryEndpoint, questions: Sequence[Question], context: QueryContext, *,
             pages: PageStore | None = None, state: StateStore | None = None, publish: bool = False,
             dry_run: bool = False) -> CoverageRun:
    """``wikibot coverage``: each question asked; one the endpoint refuses or does not answer is
    a Failure in the run, and the others are still asked.  With ``publish`` the answers are
    saved to the report page (``[query] report_page``), only when they changed, each failed
    question marked on it.  QueryEndpointError, saying why each failed, when no question was
    answered: then nothing is published."""
    if not publish:
        return _answered(CoverageRun(ask_each(endpoint, questions, context)))
    title = settings.query.report_page
    if not title or pages is None or state is None:
        raise ValueError("publishing needs [query] report_page, the page store and the state store")

    def answer_and_render() -> CoverageRun:
        run = _answered(CoverageRun(ask_each(endpoint, questions, context)))
        run.page_text = render_wiki(run.outcomes, ui_url=settings.query.ui_url, intro=_coverage_intro(settings))
        current = pages.fetch_pages([title])[title]
        run.published, run.current_text = False, current.text if current is not None else None
        return run

    if dry_run:
        return answer_and_render()
    with logged_run(settings, pages, state, "coverage") as log:
        run = answer_and_render()
        assert run.page_text is not None
        changed = _changed_sections(run.current_text or "", run.outcomes, settings)
        summary = f"wikibot: coverage report updated ({', '.join(changed) or 'layout'})"
        run.published = publish_report(pages, title, run.page_text, summary=summary)
        counts = {"questions": len(run.answers), "rows": sum(len(a.result.rows) for a in run.answers),
                  "saved": int(run.published)}
        if run.failures:
            counts["failed"] = len(run.failures)
            log.finish("failed", counts, "not answered: " + not_answered(run.failures))
        else:
            log.finish("ok", counts)
    return run


def _answered(run: CoverageRun) -> CoverageRun:
    """The run, unless no question was answered at all (QueryEndpointError)."""
    if run.outcomes and not run.answers:
        raise QueryEndpointError(not_answered(run.failures))
    return run


def _coverage_intro(settings: Settings) -> list[str]:
    return ["This page is written by wikibot ('wikibot coverage --publish'): the answers to the registry's "
            "coverage questions, from the Wikibase's query service. Edits here are overwritten by the "
            "next run; change the questions in wikibot's query files instead."]


def _changed_sections(current: str, outcomes: Sequence[Outcome], settings: Settings) -> list[str]:
    """The questions whose section is not on the page as it will be written."""
    return [outcome.question.name for outcome in outcomes
            if render_wiki([outcome], ui_url=settings.query.ui_url) not in current]


def _registry_items(entities: EntityStore, mapping: ResolvedMapping, ids: list[str]) -> list[str]:
    """Of ``ids``, the items that are registry entries (an instance of a registry class)."""
    fetched = entities.fetch_entities([i for i in ids if i.startswith("Q")])
    return [i for i, entity in fetched.items() if entity is not None and entry_kind(entity.data, mapping) is not None]
