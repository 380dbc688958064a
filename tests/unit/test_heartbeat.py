"""The heartbeat page: built from the run log, read back by ``wikibot health``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wikibot import heartbeat
from wikibot.heartbeat import Beat


def _run(job: str, finished: str | None, outcome: str, counts: dict[str, int] | None = None,
         error: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    return {"job": job, "dry_run": dry_run, "started": finished, "finished": finished, "outcome": outcome,
            "counts": counts or {}, "error": error}


RUNS = [
    _run("sync", "2026-11-20T10:00:00Z", "ok", {"created": 3, "pages_edited": 1, "conflicts": 0}),
    _run("sync", "2026-11-20T11:00:00Z", "failed", error="the wiki did not answer (HTTP 503)"),
    _run("sync", "2026-11-20T12:00:00Z", "problems", {"conflicts": 1}),
    _run("sync", "2026-11-20T13:00:00Z", "blocked", error="Hubs/Registry: blanked"),
    _run("sync", "2026-11-20T14:00:00Z", "ok", dry_run=True),  # a dry run is not a beat
    _run("sync", None, "", {}),  # still running (or killed): not a beat
    _run("status", "2026-11-20T09:00:00Z", "ok", {"saved": 0, "current": 30}),
]


def test_each_job_has_its_last_success_with_what_it_did_and_its_last_failure_with_why() -> None:
    found = {b.job: b for b in heartbeat.beats(RUNS)}
    assert found["sync"] == Beat("sync", "2026-11-20T12:00:00Z", "1 conflict", "2026-11-20T13:00:00Z",
                                 "blocked: Hubs/Registry: blanked")
    assert found["status"] == Beat("status", "2026-11-20T09:00:00Z", "30 already current")
    assert list(found) == ["status", "sync"]


@pytest.mark.parametrize("why", ["a | b || c", "}}{{subst:x}} [[Category:X]]", "line\nbreak", "! header", "—"])
def test_the_page_reads_back_as_written_whatever_the_error_text(why: str) -> None:
    beats = [Beat("sync", "2026-11-20T12:00:00Z", "created 1, pages_edited 2", "2026-11-20T13:00:00Z", why),
             Beat("status")]
    text = heartbeat.render(beats)
    expected = [Beat("sync", "2026-11-20T12:00:00Z", "created 1, pages_edited 2", "2026-11-20T13:00:00Z",
                     " ".join(why.split())), Beat("status")]
    assert heartbeat.parse(text) == expected
    assert "{{" not in text and "[[" not in text  # nothing in a cell becomes markup


def test_rows_that_are_not_the_bots_are_ignored() -> None:
    text = heartbeat.render([Beat("sync", "2026-11-20T12:00:00Z", "x")]) + '{|\n|-\n| a || b\n|}\n'
    assert [b.job for b in heartbeat.parse(text)] == ["sync"]
    assert heartbeat.parse("no table here") == []


NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def test_a_job_is_healthy_only_when_it_succeeded_within_the_max_age() -> None:
    beats = [Beat("sync", "2026-11-20T12:00:01Z", "created 1"),
             Beat("status", "2026-11-20T11:59:59Z", "saved 4", "2026-11-21T11:00:00Z", "failed: HTTP 503"),
             Beat("coverage", None, "", "2026-11-21T11:00:00Z", "failed: timeout")]
    checks = {c.job: c for c in heartbeat.check(beats, NOW, dt.timedelta(hours=24))}
    assert checks["sync"].healthy and "ok" in checks["sync"].message
    assert not checks["status"].healthy and "STALE" in checks["status"].message
    assert "failed: HTTP 503" in checks["status"].message  # the reason is shown
    assert not checks["coverage"].healthy and "never succeeded" in checks["coverage"].message


def test_a_job_asked_for_but_absent_is_unhealthy() -> None:
    checks = heartbeat.check([Beat("sync", "2026-11-21T11:00:00Z")], NOW, dt.timedelta(hours=1), jobs=["status"])
    assert [(c.job, c.healthy) for c in checks] == [("status", False)]


@pytest.mark.parametrize(("text", "seconds"), [("26h", 93600), ("90m", 5400), ("2d", 172800), ("30s", 30),
                                               ("1.5h", 5400), ("3", 10800)])
def test_ages(text: str, seconds: float) -> None:
    assert heartbeat.parse_age(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "h", "26 hours", "-1h", "1w"])
def test_bad_ages_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not an age"):
        heartbeat.parse_age(text)


@pytest.mark.parametrize("language", ["en", "ar", "fr"])
def test_the_page_is_in_words_and_readable_times_and_reads_back(language: str) -> None:
    from wikibot.i18n import Reader

    reader = Reader(language)
    runs = [_run("sync", "2026-11-20T10:00:00Z", "ok", {"created": 3, "pages_edited": 1, "query_store": 3,
                                                        "to_save": 1, "conflicts": 0})]
    beats = heartbeat.beats(runs, reader)
    text = heartbeat.render(beats, reader)
    assert "pages_edited" not in text and "query_store" not in text and "to_save" not in text
    assert "2026-11-20" in text and "10:00" in text and "| 2026-11-20T10:00:00Z" not in text  # readable; a key
    assert reader.text("job-sync") in text and reader.count("count-pages_edited", 1) in text
    assert f'dir="{reader.direction}"' in text
    assert heartbeat.parse(text) == beats  # health reads it back exactly
