"""``wikibot status`` and ``wikibot health`` as a user runs them, on the example workspace."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.cli_support import run
from tests.wikibase_support import set_hub_status
from wikibot import heartbeat, jobs
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.ports import EntityStoreError, Page, SaveOutcome
from wikibot.settings import load_settings
from wikibot.status.boxes import OWNED
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping

ROOT = Path(__file__).resolve().parents[2]
BOX_PAGES = ("ESEAP Hub", "EU policy", "FindingGLAMs", "Language Diversity Hub", "WikiFranca", "Wikimedia CEE Hub")
HEARTBEAT = "Registry/Bot status"
OWNED_LINE = re.compile(r"^\s*\|\s*(" + "|".join(sorted({p for params in OWNED.values() for p in params})) + r")\s*=")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run("init", str(root))[0] == 0
    assert run("bootstrap", "--workspace", str(root))[0] == 0
    assert run("sync", "--workspace", str(root))[0] == 0
    return root


def _mapping(root: Path) -> ResolvedMapping:
    return InstanceIds.parse((root / "wikibase-ids.json").read_text(encoding="utf-8")).resolved()


def text(root: Path, title: str) -> str:
    return (root / "pages" / f"{title}.wiki").read_text(encoding="utf-8")


def saves(root: Path) -> list[str]:
    lines = (root / "state" / "edits.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["title"] for line in lines]


def status(root: Path, *args: str) -> tuple[int, str]:
    return run("status", "--workspace", str(root), "--today", "2026-11-21", *args)


def test_a_dry_run_prints_the_diff_of_every_page_it_would_save_and_writes_nothing(workspace: Path) -> None:
    before = {title: text(workspace, title) for title in BOX_PAGES}
    edits = saves(workspace)
    code, out = status(workspace, "--dry-run")
    assert code == 0
    assert {title: text(workspace, title) for title in BOX_PAGES} == before and saves(workspace) == edits
    assert "--- Wikimedia CEE Hub (revision" in out and "+++ Wikimedia CEE Hub (new box)" in out
    assert "-| status       = Pilot\n+| status       = Implementation\n" in out
    assert "+{{Hub status\n+| status = Pilot\n" in out  # the page without a box gets one at its top
    assert "status (dry run): 6 pages; would save 6, 0 current, 0 left alone; nothing written" in out


def test_boxes_are_brought_in_line_changing_only_owned_parameters_and_a_second_run_saves_nothing(
    workspace: Path,
) -> None:
    before = {title: text(workspace, title) for title in BOX_PAGES}
    code, out = status(workspace)
    assert code == 0, out
    after = {title: text(workspace, title) for title in BOX_PAGES}
    for title in BOX_PAGES:
        kept = [line for line in after[title].splitlines() if not OWNED_LINE.match(line)]
        if title == "ESEAP Hub":  # the box was added at the top
            assert after[title].startswith("{{Hub status\n| status = Pilot\n") and after[title].endswith(before[title])
        elif title != "Language Diversity Hub":  # one line: its box is the one line that changes
            assert kept == [line for line in before[title].splitlines() if not OWNED_LINE.match(line)], title
    assert "| image        = Wikimedia CEE Hub logo.svg\n" in after["Wikimedia CEE Hub"]
    assert "|logo=WikiFranca logo.svg\n" in after["WikiFranca"]
    assert "<!-- the review outcome is expected in 2026 -->" in after["EU policy"]
    assert "|next_review=2026-03|overdue=yes|item=Q" in after["Language Diversity Hub"]
    assert "| status = Ended\n" in after["FindingGLAMs"] and ("| stewards = [[Wikimedia Sverige|Wikimedia Sverige]], "
                                                   "[[Wikimedia Foundation|Wikimedia Foundation]]\n") \
        in after["FindingGLAMs"]
    assert sorted(t for t in saves(workspace)[-7:] if t != HEARTBEAT) == sorted(BOX_PAGES)
    edits = saves(workspace)
    code, out = status(workspace)
    assert code == 0 and "saved 0, 6 current" in out
    assert saves(workspace) == edits  # nothing, the heartbeat included (no job's state changed)


def test_a_change_in_the_wikibase_reaches_the_box(workspace: Path) -> None:
    status(workspace)
    settings = load_settings(workspace=workspace)
    mapping = _mapping(workspace)
    item = re.search(r"\| item *= (Q\d+)", text(workspace, "Wikimedia CEE Hub"))
    assert item is not None and settings.status.kinds == ["hub", "partnership"]
    set_hub_status(LocalEntityStore(workspace), mapping, item.group(1), "under-review")
    edits = len(saves(workspace))
    code, out = status(workspace)
    assert code == 0 and "status: Implementation → Under review" in out
    assert "| status       = Under review\n" in text(workspace, "Wikimedia CEE Hub")
    assert saves(workspace)[edits:] == ["Wikimedia CEE Hub"]  # the heartbeat: the job's state did not change


def test_a_nobots_page_and_a_page_without_a_box_in_report_mode_are_left_alone_and_listed(workspace: Path) -> None:
    page = workspace / "pages" / "WikiFranca.wiki"
    page.write_text("{{nobots}}\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    config = workspace / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'missing = "report"\n', encoding="utf-8")
    before = {title: text(workspace, title) for title in ("WikiFranca", "ESEAP Hub")}
    code, out = status(workspace)
    assert code == 1
    assert "left alone WikiFranca (wikifranca): the page carries {{nobots}}" in out
    assert "left alone ESEAP Hub (eseap-hub): the page has no {{Hub status}}" in out
    assert {title: text(workspace, title) for title in before} == before
    assert "saved 4, 0 current, 2 left alone" in out


def test_a_page_named_by_the_registry_that_does_not_exist_is_reported_not_created(workspace: Path) -> None:
    (workspace / "pages" / "EU policy.wiki").unlink()
    code, out = status(workspace)
    assert code == 1 and "left alone EU policy (eu-advocacy-hub): the page does not exist" in out
    assert not (workspace / "pages" / "EU policy.wiki").exists()


def test_health_is_non_zero_without_a_heartbeat_or_when_it_is_stale_and_zero_after_a_successful_run(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    run("init", str(root))
    code, out = run("health", "--workspace", str(root))
    assert code == 1 and "no job has run yet" in out
    run("bootstrap", "--workspace", str(root))
    run("sync", "--workspace", str(root))
    code, out = run("health", "--workspace", str(root), "--max-age", "26h")
    assert code == 0 and "sync: ok, last success" in out
    beat = root / "pages" / f"{HEARTBEAT}.wiki"  # a day and more without a success
    stale = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "2026-01-01T00:00:00Z", beat.read_text(encoding="utf-8"))
    beat.write_text(stale, encoding="utf-8")
    code, out = run("health", "--workspace", str(root))  # the page alone: the run log is believed
    assert code == 0 and "sync: ok" in out and "the heartbeat page says 2026-01-01T00:00:00Z" in out
    with sqlite3.connect(root / "state" / "sync.sqlite") as db:  # the bot really stalled: its run log is old too
        db.execute("UPDATE runs SET started = '2026-01-01T00:00:00Z', finished = '2026-01-01T00:00:00Z'")
    code, out = run("health", "--workspace", str(root))
    assert code == 1 and "sync: STALE, last success 2026-01-01T00:00:00Z" in out
    code, out = run("health", "--workspace", str(root), "--job", "status")
    assert code == 1 and "status: never succeeded" in out
    assert status(root)[0] == 0  # the status run rewrites the heartbeat from the run log
    assert run("sync", "--workspace", str(root))[0] == 0
    code, out = run("health", "--workspace", str(root))
    assert code == 0 and "status: ok" in out and "sync: ok" in out
    with pytest.raises(SystemExit) as usage:
        run("health", "--workspace", str(root), "--max-age", "soon")
    assert usage.value.code == 2


class Unreachable:
    def fetch_entities(self, ids: Sequence[str]) -> dict[str, object]:
        raise EntityStoreError("the Wikibase did not answer (HTTP 503)")


def test_a_failed_run_is_on_the_heartbeat_with_its_reason_and_health_reads_the_run_log_without_one(
    workspace: Path,
) -> None:
    settings = load_settings(workspace=workspace)
    mapping = _mapping(workspace)
    state = SqliteStateStore(workspace / "state" / "sync.sqlite")
    pages = LocalPageStore(workspace)
    with pytest.raises(EntityStoreError):
        jobs.status(settings, pages, Unreachable(), state, mapping=mapping,  # type: ignore[arg-type]
                    user="wikibot", today=dt.date(2026, 11, 21))
    beats = {b.job: b for b in heartbeat.parse(text(workspace, HEARTBEAT))}
    assert beats["status"].last_success is None
    assert beats["status"].failure == "failed: the Wikibase did not answer (HTTP 503)"
    assert beats["sync"].last_success is not None
    assert state.runs("status")[-1]["outcome"] == "failed"
    state.close()
    config = workspace / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[heartbeat]\npage = ""\n', encoding="utf-8")
    code, out = run("health", "--workspace", str(workspace), "--job", "status", "--job", "sync")
    assert code == 1 and "health: from the run log" in out
    assert "status: never succeeded; last failure" in out and "sync: ok" in out


def test_json_output_gives_each_page_with_its_changes_and_on_a_dry_run_its_diff(workspace: Path) -> None:
    code, out = status(workspace, "--dry-run", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["dry_run"] is True and document["counts"]["to_save"] == 6
    cee = next(p for p in document["pages"] if p["title"] == "Wikimedia CEE Hub")
    assert cee["action"] == "save" and cee["changed"]["status"] == {"old": "Pilot", "new": "Implementation"}
    assert "+| status       = Implementation" in cee["diff"] and cee["saved"] is False
    code, out = status(workspace, "--format", "json")
    assert code == 0 and sorted(p["title"] for p in json.loads(out)["pages"] if p["saved"]) == sorted(BOX_PAGES)


class Broken(LocalPageStore):
    """A page store with a bug in its save of entry pages (the heartbeat page still saves)."""

    def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        if title != HEARTBEAT:
            raise RuntimeError(f"a bug while saving {title}")
        return super().save_page(title, text, base=base, summary=summary)


def test_a_run_stopped_by_a_bug_is_logged_as_failed_and_shown_on_the_heartbeat(workspace: Path) -> None:
    settings = load_settings(workspace=workspace)
    mapping = _mapping(workspace)
    state = SqliteStateStore(workspace / "state" / "sync.sqlite")
    with pytest.raises(RuntimeError):
        jobs.status(settings, Broken(workspace), LocalEntityStore(workspace), state, mapping=mapping,
                    user="wikibot", today=dt.date(2026, 11, 21))
    assert state.runs("status")[-1]["outcome"] == "failed"
    assert str(state.runs("status")[-1]["error"]).startswith("RuntimeError: a bug while saving ")
    beats = {b.job: b for b in heartbeat.parse(text(workspace, HEARTBEAT))}
    assert beats["status"].failure.startswith("failed: RuntimeError: a bug while saving ")
    state.close()


@pytest.mark.parametrize("damage", ["missing", "blanked", "unparsable"])
def test_boxes_that_depend_on_a_registry_page_a_guard_left_alone_are_left_as_they_are(
        workspace: Path, damage: str) -> None:
    """Issue 17: the guards of sync hold for status: with Partnerships/Registry gone, no hub's box
    says "partnerships: 1 → 0", nor "0 → 1" when the page is back."""
    assert status(workspace)[0] == 0
    boxes = {title: text(workspace, title) for title in BOX_PAGES}
    partnerships = workspace / "pages" / "Partnerships" / "Registry.wiki"
    original = partnerships.read_text(encoding="utf-8")
    if damage == "missing":
        partnerships.unlink()
    elif damage == "blanked":
        partnerships.write_text("This page was blanked.\n", encoding="utf-8")
    else:
        partnerships.write_text(original.replace("}}", "", 1), encoding="utf-8")
    edits = saves(workspace)
    code, out = status(workspace)
    assert code == 1 and "Partnerships/Registry is left alone" in out
    hubs = [title for title in BOX_PAGES if "{{Hub status" in boxes[title]]
    for title in hubs:
        assert text(workspace, title) == boxes[title], title
    assert not [t for t in saves(workspace)[len(edits):] if t in hubs]
    partnerships.write_text(original, encoding="utf-8")  # back: nothing to change either
    code, out = status(workspace)
    assert code == 0, out
    assert {title: text(workspace, title) for title in BOX_PAGES} == boxes
