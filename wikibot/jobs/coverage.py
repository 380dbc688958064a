"""``wikibot coverage`` and ``wikibot sparql``: the questions asked, the report page, the embedded store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..coverage.index import QueryIndex, with_revision
from ..coverage.questions import Answer, Failure, Outcome, Question, ask_each, not_answered, query_values
from ..coverage.report import Presentation, render_wiki
from ..coverage.template import QueryContext
from ..errors import UsageError
from ..ports import (
    EntityJson,
    EntityStore,
    Page,
    PageStore,
    QueryEndpoint,
    QueryEndpointError,
    Refused,
    Saved,
    Simulated,
    StateStore,
)
from ..settings import Settings
from ..wikibase.mapping import ResolvedMapping
from ..wikibase.rdf import RdfPrefixes
from .registry import read_registry
from .runlog import logged_run, publish_report


def query_context(settings: Settings, mapping: ResolvedMapping, *, today: dt.date, days: int | None = None,
                  top: int | None = None) -> QueryContext:
    """What the coverage queries are filled with, from the settings (``days``, ``top``: overrides)."""
    query = settings.query
    try:
        values = query_values(mapping, today=today, days=query.review_days if days is None else days,
                              top=query.top_languages if top is None else top)
    except OverflowError:
        raise UsageError(f"{today} plus the days of the reviews question goes past the year 9999: give an "
                         "earlier --today or fewer --days") from None
    languages = tuple(dict.fromkeys([settings.wiki.language, *query.label_languages]))  # the reader's first
    return QueryContext(mapping, RdfPrefixes.for_concept_uri(query.concept_uri), values, languages)


def index_entities(index: QueryIndex, entities: EntityStore, mapping: ResolvedMapping, *,
                   seen: Mapping[str, EntityJson] = {}, gone: Iterable[str] = (),
                   progress: Callable[[str], None] = lambda m: None) -> list[str]:
    """Bring the query store up to date: the ``seen`` entities whose revision it does not hold,
    the ``gone`` ones (deleted on the Wikibase) taken out, and the instance's properties and
    vocabulary items added when it lacks them (read, 50 a request).  The ids written or removed."""
    named = [*mapping.properties.values(), *mapping.items.values()]
    versions = index.versions([*seen, *gone, *named])  # only these: the cost follows the run, not the store
    removed = index.remove(sorted(gone), known=versions)
    wanted = [i for i in named if i not in versions and i not in seen]
    current = {i: e for i, e in seen.items() if versions.get(i) != e.get("lastrevid") or "lastrevid" not in e}
    dated, stale = _dated(current, entities)
    fetched = entities.fetch_entities([*wanted, *stale]) if wanted or stale else {}
    documents = [*dated.values(), *(with_revision(e.data, e.revid) for e in fetched.values() if e is not None)]
    return [*removed, *index.update(documents, known=versions, progress=progress)]


def _dated(seen: Mapping[str, EntityJson], entities: EntityStore) -> tuple[dict[str, EntityJson], list[str]]:
    """The entities with their ``modified`` time (the RDF's ``schema:dateModified``), and the ids to
    read again.  A Wikibase's answer to a save has no ``modified``: it is asked of the Wikibase for a
    few bytes an entity (``props=info``, 50 a request); an entity edited again since is read again."""
    undated = [i for i, e in seen.items() if not e.get("modified")]
    if not undated:
        return dict(seen), []
    info = entities.fetch_info(undated)
    dated, stale = dict(seen), []
    for entity_id in undated:
        found = info.get(entity_id)
        if found is not None and found.revid == seen[entity_id].get("lastrevid"):
            dated[entity_id] = {**seen[entity_id], "modified": found.modified}
        else:
            del dated[entity_id]
            if found is not None:
                stale.append(entity_id)
    return dated, stale


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
    refused: str | None = None  # why the wiki refused to save the report page
    simulated: bool = False  # pywikibot's simulate kept the report page from being saved

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
        read = pages.fetch_pages([title, *settings.registry.pages])
        shown = presentation(settings, read)
        run.page_text = (f"<div {shown.reader.attributes}>\n"
                         + render_wiki(run.outcomes, ui_url=settings.query.ui_url, intro=_coverage_intro(settings),
                                       presentation=shown) + "</div>\n")
        current = read[title]
        run.published, run.current_text = False, current.text if current is not None else None
        return run

    if dry_run:
        return answer_and_render()
    with logged_run(settings, pages, state, "coverage") as log:
        run = answer_and_render()
        assert run.page_text is not None
        changed = _changed_sections(run.current_text or "", run.outcomes, settings,
                                    presentation(settings, pages.fetch_pages(list(settings.registry.pages))))
        summary = f"wikibot: coverage report updated ({', '.join(changed) or 'layout'})"
        outcome = publish_report(pages, title, run.page_text, summary=summary)
        run.published = isinstance(outcome, Saved)
        run.simulated = isinstance(outcome, Simulated)
        run.refused = str(outcome) if isinstance(outcome, Refused) else None
        counts = {"questions": len(run.answers), "rows": sum(len(a.result.rows) for a in run.answers),
                  "saved": int(run.published)}
        if run.failures:
            counts["failed"] = len(run.failures)
            log.finish("failed", counts, "not answered: " + not_answered(run.failures))
        elif run.refused:
            log.finish("problems", counts, f"{title}: {run.refused}", attention=[f"refused {title} {run.refused}"])
        else:
            log.finish("ok", counts)
    return run


def _answered(run: CoverageRun) -> CoverageRun:
    """The run, unless no question was answered at all (QueryEndpointError)."""
    if run.outcomes and not run.answers:
        raise QueryEndpointError(not_answered(run.failures))
    return run


def presentation(settings: Settings, read: Mapping[str, Page | None]) -> Presentation:
    """How the answers are shown: in ``[wiki] language``, the entries of the registry pages (as
    read) by their names in it, linked to their pages."""
    reader = settings.wiki.reader()
    loaded = read_registry(settings, read)
    entries = {entry.id: (entry.label(reader.code), entry.page) for entry in loaded.registry.entries}
    return Presentation(reader, entries)


def _coverage_intro(settings: Settings) -> list[str]:
    return [settings.wiki.reader().text("coverage-intro")]


def _changed_sections(current: str, outcomes: Sequence[Outcome], settings: Settings,
                      shown: Presentation) -> list[str]:
    """The questions whose section is not on the page as it will be written."""
    return [outcome.question.name for outcome in outcomes
            if render_wiki([outcome], ui_url=settings.query.ui_url, presentation=shown) not in current]
