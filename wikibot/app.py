"""The composition root: from the settings, the one place that chooses, opens and closes the
adapters, and hands them to the jobs.

Local or live is decided here and nowhere else: the registry pages come from the workspace
(``[wiki] site`` unset) or a wiki through pywikibot; the items from the local entity store
(``[wikibase] site`` unset) or a live Wikibase; the SPARQL answers from the embedded query
store (``[query] endpoint`` unset) or an endpoint.  Every adapter is built on first use, so
``validate`` never logs in to the Wikibase, and closed when the ``App`` is.  A caller that
measures or tests (``bench/``) passes its own adapters in; the rest is built as for a user.

    with App(settings) as app:
        run = app.sync(dry_run=True)

The live wikis wait at most ``[wiki] max_wait`` seconds for a request, each wait said through
the progress of the job under way (else the log).  A run of ``sync``, ``status`` or
``coverage --publish`` that fails is in the run log, and on the heartbeat page when that can
still be saved, also when it failed before the job's own run log began (a refused login, a
wiki that did not answer while the adapters were built or the pages read): ``_logged``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from . import heartbeat, jobs
from .adapters.entity_local import LocalEntityStore
from .adapters.lock import job_lock
from .adapters.query_embedded import EmbeddedQueryStore
from .adapters.state_sqlite import SqliteStateStore
from .adapters.workspace import LocalPageStore, atomic_write
from .coverage.index import QueryIndex
from .coverage.questions import Question
from .coverage.template import QueryContext
from .errors import ConfigError, LocalFileError, LoginError, QueryEndpointError, UsageError, WikibotError
from .jobs.runlog import RunLog, save_heartbeat
from .ports import (
    Changes,
    Entity,
    EntityInfo,
    EntityJson,
    EntityOutcome,
    EntityStore,
    Page,
    PageStore,
    QueryEndpoint,
    SaveOutcome,
    StateStore,
)
from .settings import Settings, ids_path, query_store_path, state_path
from .status.refresh import StatusRun
from .wikibase.instance import InstanceIds
from .wikibase.mapping import ResolvedMapping
from .wikibase.rdf import RdfPrefixes

LOCAL_USER = "wikibot"  # the bot's name on workspace pages, for {{bots|deny=…}}
Log = Callable[..., None]  # log(message, level="info")


def _quiet(message: str, level: str = "info") -> None:
    """The default log: nothing."""


class _Writes:
    """How many writes a run has sent (to the pages' wiki and the Wikibase), answered or not; a
    write a local store refused before writing anything (an unreadable file of its own) is none,
    nor one the wiki never took because the bot could not log in (``LoginError``)."""

    def __init__(self) -> None:
        self.sent = 0

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        try:
            yield
        except (LocalFileError, LoginError):
            raise
        except BaseException:
            self.sent += 1
            raise
        self.sent += 1


class _CountedPages:
    """A page store whose saves are counted (everything else is the store's own)."""

    def __init__(self, store: PageStore, writes: _Writes) -> None:
        self.store, self.writes = store, writes

    def fetch_pages(self, titles: Sequence[str]) -> dict[str, Page | None]:
        return self.store.fetch_pages(titles)

    def changes_since(self, watermark: str | None, titles: Sequence[str]) -> Changes | None:
        return self.store.changes_since(watermark, titles)

    def watermark(self) -> str:
        return self.store.watermark()

    def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        if summary.startswith(heartbeat.SUMMARY):  # the run's own record, also saved after a failure: not its work
            return self.store.save_page(title, text, base=base, summary=summary)
        with self.writes.counting():
            return self.store.save_page(title, text, base=base, summary=summary)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class _CountedEntities:
    """An entity store whose saves are counted (everything else is the store's own)."""

    def __init__(self, store: EntityStore, writes: _Writes) -> None:
        self.store, self.writes = store, writes

    def fetch_entities(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        return self.store.fetch_entities(ids)

    def fetch_info(self, ids: Sequence[str]) -> dict[str, EntityInfo | None]:
        return self.store.fetch_info(ids)

    def changes_since(self, watermark: str | None) -> Changes | None:
        return self.store.changes_since(watermark)

    def watermark(self) -> str:
        return self.store.watermark()

    def save_entity(self, entity_id: str | None, data: EntityJson, *, base_revid: int | None, summary: str,
                    new: Literal["item", "property"] = "item") -> EntityOutcome:
        with self.writes.counting():
            return self.store.save_entity(entity_id, data, base_revid=base_revid, summary=summary, new=new)

    def find_by_label(self, label: str, *, entity_type: Literal["item", "property"], language: str = "en") -> list[str]:
        return self.store.find_by_label(label, entity_type=entity_type, language=language)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class App:
    """The adapters of one run, chosen from ``settings`` (or given), and the jobs run on them."""

    def __init__(self, settings: Settings, *, pages: PageStore | None = None, user: str | None = None,
                 entities: EntityStore | None = None, state: StateStore | None = None,
                 endpoint: QueryEndpoint | None = None, log: Log = _quiet) -> None:
        self.settings = settings
        self.log = log
        self._pages, self._user, self._entities, self._state, self._endpoint = pages, user, entities, state, endpoint
        self._mapping: ResolvedMapping | None = None
        self._opened: list[Any] = []  # what this App opened, and so closes
        self.writes = _Writes()  # what the run sent: a run that stopped after a write did not do nothing
        self._progress: Callable[[str], None] | None = None  # the progress of the job under way

    # -- lifetime ------------------------------------------------------------------------------
    def __enter__(self) -> App:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close what this App opened (the state database); adapters given to it stay open."""
        while self._opened:
            self._opened.pop().close()

    @contextlib.contextmanager
    def lock(self, job: str) -> Iterator[Path]:
        """The lock of ``job`` on this workspace (LockHeldError at once when another run holds it)."""
        with job_lock(self.settings.workspace.path / "state" / "locks", job) as path:
            yield path

    # -- the adapters ----------------------------------------------------------------------------
    @property
    def pages(self) -> PageStore:
        """The registry pages' wiki: the workspace, or ``[wiki] site`` through pywikibot."""
        if self._pages is None:
            site = self.settings.wiki.site
            if site is None:
                self._pages, self._user = LocalPageStore(self.settings.workspace.path), LOCAL_USER
            else:
                from .adapters.pywikibot_site import live_page_store  # imports pywikibot: live runs only

                self._pages, self._user = live_page_store(site, max_wait=self.settings.wiki.max_wait,
                                                          report=self._reporter())
        if not isinstance(self._pages, _CountedPages):
            self._pages = _CountedPages(self._pages, self.writes)
        return self._pages

    @property
    def user(self) -> str:
        """The bot's user name on the pages' wiki (for ``{{bots|deny=…}}``)."""
        if self._user is None:
            _ = self.pages  # a page store built here comes with its user
        return self._user or LOCAL_USER

    @property
    def entities(self) -> EntityStore:
        """The Wikibase: the local entity store, or ``[wikibase] site`` through pywikibot."""
        if self._entities is None:
            site = self.settings.wikibase.site
            if site is None:
                self._entities = LocalEntityStore(self.settings.workspace.path)
            else:
                from .adapters.pywikibot_site import live_entity_store  # imports pywikibot: live runs only

                self._entities = live_entity_store(site, max_wait=self.settings.wiki.max_wait,
                                                   report=self._reporter())
        if not isinstance(self._entities, _CountedEntities):
            self._entities = _CountedEntities(self._entities, self.writes)
        return self._entities

    def _reporter(self) -> Callable[[str], None]:
        """``_waiting`` for an adapter to keep, without keeping the App alive (no reference cycle: an
        App is freed, and what it opened with it, as soon as its run is over)."""
        method = weakref.WeakMethod(self._waiting)

        def report(message: str) -> None:
            waiting = method()
            if waiting is not None:
                waiting(message)

        return report

    def _waiting(self, message: str) -> None:
        """A live wiki did not answer and is waited for: said in the job's progress, else logged."""
        if self._progress is not None:
            self._progress(message)
        else:
            self.log(message, "warning")

    @contextlib.contextmanager
    def _reporting(self, progress: Callable[[str], None]) -> Iterator[None]:
        """While a job runs, the waits for a silent wiki are said through its ``progress``."""
        self._progress = progress
        try:
            yield
        finally:
            self._progress = None

    @contextlib.contextmanager
    def _logged(self, job: str, *, dry_run: bool) -> Iterator[None]:
        """A run of ``job`` that fails is in the run log, however early it fails.

        The job's own run log (``jobs.logged_run``) begins once it has read what it needs; a
        failure before that (a refused login, a wiki that did not answer while the adapters were
        built or the pages read) is recorded here, as failed with its reason, and the heartbeat
        page saved when it can be (never hiding the failure).  A run stopped by Ctrl-C is
        recorded as failed too, and the heartbeat left alone.  Dry runs are not logged."""
        if dry_run:
            yield
            return
        before = self._last_run(job)
        try:
            yield
        except BaseException as error:
            if before is not None:
                self._record_failure(job, before, error)
            raise

    def _last_run(self, job: str) -> int | None:
        """The id of ``job``'s last run in the run log (0: none; None: the run log cannot be read)."""
        try:
            runs = self.state.runs(job)
        except (WikibotError, OSError):
            return None
        return int(runs[-1]["id"]) if runs else 0

    def _record_failure(self, job: str, before: int, error: BaseException) -> None:
        interrupted = isinstance(error, KeyboardInterrupt)
        reason = ("interrupted (Ctrl-C)" if interrupted else str(error) if isinstance(error, WikibotError)
                  else f"{type(error).__name__}: {error}")
        try:
            latest = next((run for run in reversed(self.state.runs(job)) if int(run["id"]) > before), None)
            if latest is not None and latest["finished"]:
                return  # the job's own run log recorded how it ended (and saved the heartbeat)
            run_id = int(latest["id"]) if latest is not None else self.state.start_run(job, dry_run=False)
            RunLog(self.state, run_id).finish("failed", {}, reason)  # as the job's own run log would
        except Exception:  # the failure itself is what the user must see
            return
        if interrupted or self._pages is None:  # Ctrl-C: stop now; no pages' wiki: no heartbeat
            return
        with contextlib.suppress(Exception):
            save_heartbeat(self.settings, self.pages, self.state)

    def _local_entities(self) -> LocalEntityStore | None:
        """The local entity store, when that is the Wikibase of this run."""
        store = self.entities
        inner = store.store if isinstance(store, _CountedEntities) else store
        return inner if isinstance(inner, LocalEntityStore) else None

    @property
    def state(self) -> StateStore:
        """The sync state and run log (opened on first use, closed with the App)."""
        if self._state is None:
            store = SqliteStateStore(state_path(self.settings))
            self._opened.append(store)
            self._state = store
        return self._state

    @property
    def endpoint(self) -> QueryEndpoint:
        """The configured query service through SPARQLWrapper, or the workspace's embedded store."""
        if self._endpoint is None:
            query = self.settings.query
            if query.endpoint is None:
                if query.default_graph is not None:
                    raise ConfigError("[query] default_graph is for [query] endpoint; the embedded store has one graph")
                store = self._embedded_store()
                self._opened.append(store)  # closed with the App: its lock on the directory goes with it
                self._endpoint = store
            else:
                if not query.user_agent:
                    raise ConfigError(
                        "[query] endpoint is set but [query] user_agent is not: the Wikimedia User-Agent policy "
                        "asks for one that says how to reach you, e.g. "
                        "user_agent = \"wikibot/1.0 (https://meta.wikimedia.org/wiki/User:YourBot)\"")
                from .adapters.query_live import SparqlEndpoint

                self._endpoint = SparqlEndpoint(query.endpoint, user_agent=query.user_agent,
                                                default_graph=query.default_graph, timeout=query.timeout)
        return self._endpoint

    def _embedded_store(self) -> EmbeddedQueryStore:
        path = query_store_path(self.settings)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return EmbeddedQueryStore(path)
        except OSError as error:
            raise QueryEndpointError(f"the query store {path} cannot be opened (is another wikibot run using "
                                     f"it?): {error}") from None

    def query_index(self, *, writing: bool = False) -> QueryIndex | None:
        """The embedded query store as the index the bot keeps current; None with a live endpoint.
        ``writing``: the index will be written, with the ``data:`` IRIs of the Wikibase's own article
        path (a live Wikibase says it; reading needs no request)."""
        endpoint = self.endpoint
        if not isinstance(endpoint, EmbeddedQueryStore):
            return None
        data_uri = None
        if writing and self.settings.wikibase.site is not None:
            store = self.entities
            live = store.store if isinstance(store, _CountedEntities) else store
            data_uri = live.data_uri() if hasattr(live, "data_uri") else None
        return QueryIndex(endpoint, RdfPrefixes.for_concept_uri(self.settings.query.concept_uri, data_uri))

    def describe_entities(self) -> str:
        if self.settings.wikibase.site is None:
            return f"the local entity store in {self.settings.workspace.path}/entities"
        return f"the Wikibase {self.settings.wikibase.site!r} (pywikibot)"

    def listable(self) -> Callable[[], list[str]] | None:
        """Every entity id of the Wikibase, when the store can list them (the local one can)."""
        local = self._local_entities()
        return local.entity_ids if local is not None else None

    # -- the instance's ids ----------------------------------------------------------------------
    def ids(self) -> InstanceIds:
        """The ids recorded in the ids file (none yet: empty)."""
        path = ids_path(self.settings)
        if not path.exists():
            return InstanceIds()
        try:
            return InstanceIds.parse(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            raise LocalFileError(f"{path}: cannot read the instance ids: {error}", path) from None

    def save_ids(self, ids: InstanceIds) -> None:
        path = ids_path(self.settings)
        try:
            atomic_write(path, ids.render())
        except OSError as error:
            raise LocalFileError(f"{path}: cannot record the instance ids: {error}", path) from None

    @property
    def mapping(self) -> ResolvedMapping:
        """The mapping with this instance's ids (ConfigError until bootstrap has run)."""
        if self._mapping is None:
            path = ids_path(self.settings)
            if not path.exists():
                raise ConfigError(f"{path}: no instance ids yet: run 'wikibot bootstrap' first")
            mapping = self.ids().resolved()
            if mapping.missing():
                raise ConfigError(f"{path}: {len(mapping.missing())} properties or items are not on the instance "
                                  f"yet ({', '.join(mapping.missing()[:5])}…): run 'wikibot bootstrap'")
            self._mapping = mapping
        return self._mapping

    def every_entity(self) -> list[str]:
        """Every entity the query store should hold: all of a local store; of a live Wikibase the
        mapped properties and items and the items the sync state knows."""
        local = self._local_entities()
        if local is not None:
            return local.entity_ids()
        mapping = self.mapping
        synced = [entry.item for entry in self.state.entries().values()]
        return list(dict.fromkeys([*mapping.properties.values(), *mapping.items.values(), *synced]))

    # -- the jobs ----------------------------------------------------------------------------------
    def validate(self) -> jobs.ValidationResult:
        return jobs.validate(self.settings, self.pages)

    def bootstrap(self, *, dry_run: bool = False,
                  progress: Callable[[str], None] = lambda m: None) -> jobs.BootstrapRun:
        with self._reporting(progress):
            return jobs.bootstrap_job(self.entities, self.ids(), None if dry_run else self.state,
                                      save_ids=self.save_ids, dry_run=dry_run, progress=progress)

    def sync(self, *, dry_run: bool = False, retire: bool = False, allow_shrink: bool = False, full: bool = False,
             progress: Callable[[str], None] = lambda m: None) -> jobs.SyncRun:
        with self._reporting(progress), self._logged("sync", dry_run=dry_run):
            mapping, pages, user, entities = self.mapping, self.pages, self.user, self.entities
            index = None
            if self.settings.query.endpoint is None and not dry_run:
                try:
                    index = self.query_index(writing=True)
                except QueryEndpointError as error:
                    self.log(f"wikibot: the query store is not kept current this time: {error}", "warning")
            return jobs.sync(self.settings, pages, entities, self.state, mapping=mapping, user=user,
                             dry_run=dry_run, retire=retire, allow_shrink=allow_shrink, list_items=self.listable(),
                             progress=progress, index=index, full=full)

    def status(self, *, today: dt.date, dry_run: bool = False,
               progress: Callable[[str], None] = lambda m: None) -> StatusRun:
        with self._reporting(progress), self._logged("status", dry_run=dry_run):
            mapping, pages, user, entities = self.mapping, self.pages, self.user, self.entities
            return jobs.status(self.settings, pages, entities, self.state, mapping=mapping, user=user, today=today,
                               dry_run=dry_run, progress=progress)

    def templates(self, *, dry_run: bool = False, force: bool = False,
                  progress: Callable[[str], None] = lambda m: None) -> jobs.TemplateRun:
        """The shipped templates installed or updated on the pages' wiki."""
        with self._reporting(progress):
            return jobs.templates(self.settings, self.pages, dry_run=dry_run, force=force, progress=progress)

    def health(self, *, now: dt.datetime, max_age: dt.timedelta, only: Sequence[str] = ()) -> jobs.HealthReport:
        return jobs.health(self.settings, self.pages, self.state, now=now, max_age=max_age, jobs=only)

    def query_context(self, *, today: dt.date, days: int | None = None, top: int | None = None) -> QueryContext:
        return jobs.query_context(self.settings, self.mapping, today=today, days=days, top=top)

    def coverage(self, questions: Sequence[Question], context: QueryContext, *, rebuild: bool = False,
                 publish: bool = False, dry_run: bool = False) -> jobs.CoverageRun:
        """The questions asked (the embedded store rebuilt first when asked or empty); with
        ``publish`` the report page saved when it changed (``dry_run``: only its text made)."""
        if dry_run and not publish:
            raise UsageError("--dry-run goes with --publish (without --publish nothing is saved anyway)")
        if publish and not self.settings.query.report_page:
            raise ConfigError("--publish needs a report page: set [query] report_page")
        with self._logged("coverage", dry_run=dry_run or not publish):
            return self._coverage(questions, context, rebuild=rebuild, publish=publish, dry_run=dry_run)

    def _coverage(self, questions: Sequence[Question], context: QueryContext, *, rebuild: bool, publish: bool,
                  dry_run: bool) -> jobs.CoverageRun:
        endpoint = self.endpoint
        index = self.query_index()
        if index is None and rebuild:
            raise UsageError("--rebuild is for the embedded query store; [query] endpoint is set")
        if index is not None and (rebuild or index.is_empty()):
            index = self.query_index(writing=True)
            assert index is not None
            count = jobs.rebuild_index(index, self.entities, self.every_entity(), progress=self.log)
            self.log(f"query store: rebuilt from {self.describe_entities()}: {count} entities")
        if publish:
            return jobs.coverage(self.settings, endpoint, questions, context, pages=self.pages, state=self.state,
                                 publish=True, dry_run=dry_run)
        return jobs.coverage(self.settings, endpoint, questions, context)

    def ask(self, question: Question, context: QueryContext) -> jobs.CoverageRun:
        """One query (``wikibot sparql``) on the endpoint as it is."""
        return jobs.coverage(self.settings, self.endpoint, [question], context)
