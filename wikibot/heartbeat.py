"""The bot's heartbeat: one wiki page saying, per job, when it last succeeded, what it did then,
and when and why it last failed.  Pure: built from the run log, read back by ``wikibot health``.

The page is a plain wikitable (no template needed on the wiki), one row per job, saved at
most once per run.  A run that finished counts as a success even when it reported problems
for editors (conflicts, invalid entries: the bot is working); a run that stopped (a wiki
that did not answer) or was blocked by a guard (a blanked registry page) is a failure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mwparserfromhell

from .i18n import ENGLISH, MESSAGES, Reader
from .wikitext.escape import escape_value, shorten, show_cell, unescape_value

SUCCESS_OUTCOMES = frozenset({"ok", "problems"})
FAILURE_OUTCOMES = frozenset({"failed", "blocked"})
NONE = "—"
SUMMARY = "wikibot: heartbeat"  # the edit summary of every save of the heartbeat page
MAX_CELL = 400  # characters of a reason or a summary shown in one cell
SKEW = dt.timedelta(minutes=5)  # clocks of the bot and the monitor may differ this much
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 3600}


@dataclass(frozen=True)
class Beat:
    """One job's line on the heartbeat page; times are ISO 8601 UTC (``2026-11-21T07:17:39Z``)."""

    job: str
    last_success: str | None = None
    did: str = ""
    last_failure: str | None = None
    failure: str = ""
    note: str = ""  # why a beat read from the page was not taken as it stood (not on the page)
    from_log: bool = field(default=False, compare=False)  # read from the run log (exact), not the page

    def success_time(self) -> dt.datetime | None:
        return _time(self.last_success)


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def describe_counts(counts: Mapping[str, Any], reader: Reader = ENGLISH) -> str:
    """``2 items created, 1 page edited``: the counts that are not zero, in words."""
    shown = [reader.count(f"count-{key}", int(value)) if f"count-{key}" in MESSAGES
             else f"{key.replace('_', ' ')} {value}" for key, value in counts.items() if value]
    return reader.text("list-separator").join(shown) or reader.text("nothing-to-do")


def beats(runs: Iterable[Mapping[str, Any]], reader: Reader = ENGLISH) -> list[Beat]:
    """One beat per job from the run log (oldest first); dry runs and unfinished runs do not count."""
    found: dict[str, Beat] = {}
    for run in runs:
        if run.get("dry_run") or not run.get("finished"):
            continue
        job, outcome = str(run["job"]), str(run.get("outcome") or "")
        beat = found.get(job, Beat(job))
        if outcome in SUCCESS_OUTCOMES:
            notes = f"; {run['error']}" if run.get("error") else ""  # e.g. a page the wiki refused
            beat = Beat(job, str(run["finished"]), describe_counts(run.get("counts") or {}, reader) + notes,
                        beat.last_failure, beat.failure, from_log=True)
        elif outcome in FAILURE_OUTCOMES:
            reason = f"{outcome}: {run.get('error') or 'no reason recorded'}"
            beat = Beat(job, beat.last_success, beat.did, str(run["finished"]), reason, from_log=True)
        found[job] = beat
    return [found[job] for job in sorted(found)]


def _cell(text: str) -> str:
    # Cells are plain text: escaped so that no value can start a new cell, row or template,
    # or be taken for the mark of an empty cell.
    text = " ".join(text.split())
    if not text:
        return NONE
    return "&#8212;" if text == NONE else show_cell(text, MAX_CELL)


def _keyed(key: str, shown: str) -> str:
    """A cell showing ``shown`` (words, a readable time) that keeps ``key`` (a job's name, an ISO time:
    what ``parse`` reads back, and what the table sorts by)."""
    if not key:
        return _cell("")
    return f'data-sort-value="{escape_value(key).replace(chr(34), "&#34;")}" | {_cell(shown)}'


def render(beats: Iterable[Beat], reader: Reader = ENGLISH) -> str:
    """The heartbeat page, in the reader's language: jobs and counts in words, times as people read them."""
    heads = [reader.text(key) for key in ("col-job", "col-last-success", "col-did", "col-last-failure", "col-why")]
    lines = [f"<!-- {reader.text('beat-comment')} -->", f"<div {reader.attributes}>",
             reader.text("beat-intro"), "",
             '{| class="wikitable sortable"', "! " + " !! ".join(heads)]
    for beat in beats:
        job = reader.text(f"job-{beat.job}") if f"job-{beat.job}" in MESSAGES else beat.job
        lines += ["|-", " || ".join(["| " + _keyed(beat.job, job),
                                     _keyed(beat.last_success or "", reader.time(beat.last_success)),
                                     _cell(beat.did), _keyed(beat.last_failure or "", reader.time(beat.last_failure)),
                                     _cell(beat.failure)])]
    lines += ["|}", "</div>"]
    return "\n".join(lines) + "\n"


def _read_cell(cell: Any) -> str:
    """What a cell keeps: its ``data-sort-value`` when it has one, else its text."""
    if cell.has("data-sort-value"):
        return unescape_value(str(cell.get("data-sort-value").value).strip())
    return str(cell.contents).strip()


def parse(text: str) -> list[Beat]:
    """The beats on a heartbeat page (rows that are not five cells are ignored)."""
    found = []
    for row in mwparserfromhell.parse(text).filter_tags(matches=lambda node: node.tag == "tr"):
        cells = [_read_cell(cell) for cell in row.contents.filter_tags(
            matches=lambda node: node.tag == "td", recursive=False)]
        if len(cells) != 5:
            continue
        job, success, did, failure, why = (None if c == NONE else unescape_value(c) for c in cells)
        if job:
            found.append(Beat(job, success, did or "", failure, why or ""))
    return found


def parse_age(text: str) -> dt.timedelta:
    """``26h``, ``90m``, ``2d``, ``3600s`` (a bare number is hours)."""
    match = _AGE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an age like 26h, 90m or 2d")
    return dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def _failing(beat: Beat) -> bool:
    """True when the job's last run failed (its last failure is later than its last success)."""
    failure, success = _time(beat.last_failure), beat.success_time()
    return failure is not None and (success is None or failure >= success)


def _notes(beat: Beat) -> str:
    """What a successful run left alone, as its line on the page says it (after the counts)."""
    return shorten(" ".join(beat.did.split()), MAX_CELL).partition("; ")[2]


def what_changed(on_page: Iterable[Beat], now_beats: Iterable[Beat], refresh: dt.timedelta) -> str | None:
    """Why the heartbeat page must be saved, for its edit summary, or None: a run that changed no
    job's state saves nothing.  A job's state is succeeding or failing (with its reason); beyond a
    change of state, the page is refreshed when a job's last success on it is ``refresh`` older than
    the run log's."""
    shown = {beat.job: beat for beat in on_page}
    changes = []
    for beat in now_beats:
        old = shown.get(beat.job)
        if old is None:
            changes.append(f"{beat.job}: first run")
        elif _failing(beat):
            reason = shorten(" ".join(beat.failure.split()), MAX_CELL)
            if not _failing(old):
                changes.append(f"{beat.job}: failing: {beat.failure}")
            elif reason != " ".join(old.failure.split()):
                changes.append(f"{beat.job}: failing, for another reason: {beat.failure}")
        elif _failing(old) or old.success_time() is None:
            changes.append(f"{beat.job}: succeeding again")
        elif _notes(beat) != _notes(old):  # something left alone (a page the wiki refused), or no more
            changes.append(f"{beat.job}: {_notes(beat) or 'nothing left alone any more'}")
        else:
            then, last = old.success_time(), beat.success_time()
            if then is not None and last is not None and last - then >= refresh:
                changes.append(f"{beat.job}: refreshed")
    return "; ".join(changes) or None


def trusted(page: Iterable[Beat], log: Iterable[Beat], now: dt.datetime) -> list[Beat]:
    """The beats ``health`` may believe.  The heartbeat page can be edited by anyone: where this
    machine's run log knows a job, the run log says when it last succeeded; a success the page
    dates in the future is not one (the page was edited, or a clock is wrong)."""
    known = {beat.job: beat for beat in log}
    result = []
    for beat in page:
        logged = known.get(beat.job)
        if logged is not None:
            note = "" if logged.last_success == beat.last_success else (
                f" (the heartbeat page says {beat.last_success or 'never'}; the run log is believed)")
            result.append(Beat(logged.job, logged.last_success, logged.did, logged.last_failure, logged.failure,
                               note, from_log=True))
            continue
        success = beat.success_time()
        if success is not None and success > now + SKEW:
            result.append(Beat(beat.job, None, "", beat.last_failure, beat.failure,
                               f" (the heartbeat page dates its last success {beat.last_success}, in the future: "
                               "not believed)"))
            continue
        result.append(beat)
    return result


@dataclass(frozen=True)
class Health:
    job: str
    healthy: bool
    message: str


def check(found: Iterable[Beat], now: dt.datetime, max_age: dt.timedelta,
          jobs: Iterable[str] = (), refresh: dt.timedelta = dt.timedelta(0)) -> list[Health]:
    """Per job (``jobs``, else every job on the page): healthy when it succeeded within ``max_age``.
    A success read from the page alone (not from the run log) may be ``refresh`` older than the real
    last success, as the page is saved only when something changed or a refresh is due."""
    by_job = {beat.job: beat for beat in found}
    result = []
    for job in list(jobs) or sorted(by_job):
        beat = by_job.get(job, Beat(job))
        success = beat.success_time()
        failure = f"; last failure {beat.last_failure}: {beat.failure}" if beat.last_failure else ""
        if success is None:
            result.append(Health(job, False, f"{job}: never succeeded{beat.note}{failure}"))
            continue
        age = now - success
        if age <= max_age + (dt.timedelta(0) if beat.from_log else refresh):
            result.append(Health(job, True, f"{job}: ok, last success {beat.last_success} ({_show(age)} ago): "
                                            f"{beat.did}{beat.note}"))
        else:
            result.append(Health(job, False, f"{job}: STALE, last success {beat.last_success} ({_show(age)} ago, "
                                             f"more than {_show(max_age)}){beat.note}{failure}"))
    return result


def _show(age: dt.timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 0:
        return "0 s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
