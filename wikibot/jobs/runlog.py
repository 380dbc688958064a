"""The run log and the heartbeat page: every run of a job that writes is logged, however it ends."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .. import heartbeat
from ..errors import WikibotError
from ..ports import PageStore, SaveOutcome, StateStore
from ..settings import Settings
from ..wikitext.escape import escape_summary, shorten


def publish_report(pages: PageStore, title: str, text: str,
                   summary: str = "wikibot: sync report updated") -> SaveOutcome | None:
    """Save the report page when its text changed: what the wiki answered (None: unchanged, not saved)."""
    current = pages.fetch_pages([title])[title]
    if current is not None and current.text == text:
        return None
    return pages.save_page(title, text, base=current, summary=summary)


@dataclass
class RunLog:
    """One run in the run log; ``finish`` records how it ended (else it ends as failed)."""

    state: StateStore
    run_id: int
    finished: bool = False

    def finish(self, outcome: str, counts: dict[str, int], error: str | None = None,
               attention: Iterable[str] = ()) -> None:
        """Close the run; ``attention``: what needs a person after it, one line a thing (its digest is
        kept, so that a scheduler can tell a new problem from one it was told about)."""
        lines = sorted(set(attention) | ({f"{outcome}: {error}"} if outcome in heartbeat.FAILURE_OUTCOMES else set()))
        digest = hashlib.sha256("\n".join(lines).encode("utf-8", "backslashreplace")).hexdigest()[:16] if lines \
            else None
        self.state.finish_run(self.run_id, outcome=outcome, counts=counts, error=error, attention=digest)
        self.finished = True


@contextlib.contextmanager
def logged_run(settings: Settings, pages: PageStore, state: StateStore, job: str) -> Iterator[RunLog]:
    """A run of ``job``: opened in the run log, closed as failed when anything stops it; then the
    heartbeat page is saved (once), also after a failure when the wiki still answers."""
    log = RunLog(state, state.start_run(job, dry_run=False))
    try:
        yield log
    except Exception as error:  # a store that failed, or a bug: the run is logged as failed either way
        known = isinstance(error, WikibotError)
        log.finish("failed", {}, str(error) if known else f"{type(error).__name__}: {error}")
        _beat(settings, pages, state, quiet=True)
        raise
    except KeyboardInterrupt:  # Ctrl-C: logged, and nothing more is asked of the wiki
        log.finish("failed", {}, "interrupted (Ctrl-C)")
        raise
    if not log.finished:
        log.finish("failed", {}, "the run ended without a result")
    _beat(settings, pages, state, quiet=False)


def save_heartbeat(settings: Settings, pages: PageStore, state: StateStore) -> None:
    """The heartbeat page saved from the run log as it is now, after a run that failed before its
    own ``logged_run`` began (the composition root records such a failure); never raises."""
    _beat(settings, pages, state, quiet=True)


def _beat(settings: Settings, pages: PageStore, state: StateStore, *, quiet: bool) -> None:
    """Save the heartbeat page when a job's state changed (or a refresh is due), saying what changed."""
    title = settings.heartbeat.page
    if not title:
        return
    try:
        reader = settings.wiki.reader()
        beats = heartbeat.beats(state.runs(), reader)
        current = pages.fetch_pages([title])[title]
        changed = heartbeat.what_changed(heartbeat.parse(current.text) if current is not None else [], beats,
                                         settings.heartbeat.refresh_interval())
        if changed is not None:
            publish_report(pages, title, heartbeat.render(beats, reader),
                           summary=escape_summary(shorten(f"{heartbeat.SUMMARY}: {changed}", 400)))
    except Exception:  # after a failure, the failure is what the caller must see
        if not quiet:
            raise
