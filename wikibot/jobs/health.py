"""``wikibot health``: has each job succeeded recently?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .. import heartbeat
from ..ports import PageStore, StateStore
from ..settings import Settings


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
        on_page = heartbeat.parse(page.text) if page is not None else []
        found = heartbeat.trusted(on_page, heartbeat.beats(state.runs()), now)
        source = f"the heartbeat page {title!r}" + ("" if page is not None else " (missing)")
    else:
        found, source = heartbeat.beats(state.runs()), "the run log"
    return HealthReport(source, heartbeat.check(found, now, max_age, jobs, settings.heartbeat.refresh_interval()))
