"""``wikibot sync`` end to end on real parts: registry pages on a real MediaWiki (pywikibot as the
bot, mwclient as a human editor) and items on the replayed Wikibase (stateful, real answers).

These are the acceptance scenarios of the sync: first sync and second sync, changes both
ways, a conflict published on the wiki's report page, a crash between item creation and
write-back, a blanked page, and a human edit between the bot's read and its save.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from replay.wikibase import Replay, replay_wikibase
from tests.mediawiki import MediaWiki
from tests.wikibase_support import set_hub_status
from wikibot import jobs
from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.jobs.bootstrap import bootstrap
from wikibot.ports import Page, PageStore, SaveOutcome
from wikibot.settings import Settings, WorkspaceSettings
from wikibot.wikibase.entity import from_entity
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikitext.registry_edit import patch_entry
from wikibot.wikitext.registry_page import parse_registry_page

ROOT = Path(__file__).resolve().parents[2]
TITLES = ("Organizations/Registry", "Hubs/Registry", "Partnerships/Registry")
HUBS = "Hubs/Registry"
ORGS = "Organizations/Registry"
REPORT = "Registry/Sync report"


@dataclass
class Live:
    wiki: MediaWiki
    entities: Any  # LiveEntityStore
    replay: Replay
    state: SqliteStateStore
    settings: Settings
    mapping: ResolvedMapping

    def sync(self, pages: PageStore | None = None, **options: Any) -> jobs.SyncRun:
        return jobs.sync(self.settings, pages or self.wiki.page_store(), self.entities, self.state,
                         mapping=self.mapping, user=self.wiki.bot.name, **options)

    def text(self, title: str = HUBS) -> str:
        return str(self.wiki.revisions(title)[-1]["slots"]["main"]["content"])

    def entry(self, registry_id: str, title: str = HUBS) -> Any:
        return next(e for e in parse_registry_page(self.text(title), title).entries if e.id == registry_id)

    def in_wikibase(self, registry_id: str) -> Any:
        item = self.entry(registry_id).item
        stored = self.replay.backend.fetch_entities([item])[item]  # type: ignore[union-attr]
        registry_ids = {s.item: s.registry_id for s in self.state.entries().values()}
        return from_entity(stored.data, self.mapping, registry_ids)

    def wikibase_edit(self, registry_id: str, status: str) -> None:
        """Someone changes a hub's status in the Wikibase (straight into the replayed wiki's store)."""
        assert self.replay.backend is not None
        set_hub_status(self.replay.backend, self.mapping, self.entry(registry_id).item, status)

    def human_patch(self, registry_id: str, changes: dict[str, str | None], title: str = HUBS,
                    append: str = "") -> None:
        self.wiki.human_edit(title, patch_entry(self.text(title), registry_id, changes) + append)

    def bot_revisions(self) -> int:
        return sum(1 for title in (*TITLES, REPORT) for r in _revisions(self.wiki, title)
                   if r["user"] == self.wiki.bot.name)

    def item_writes(self) -> int:
        return self.replay.count("wbeditentity")


def _revisions(wiki: MediaWiki, title: str) -> list[dict[str, Any]]:
    try:
        return wiki.revisions(title)
    except KeyError:
        return []


@pytest.fixture
def live(fresh_mediawiki: MediaWiki, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Live]:
    for title in TITLES:  # the registry pages, written by a person
        text = (ROOT / "examples" / "registry" / "pages" / f"{title}.wiki").read_text(encoding="utf-8")
        fresh_mediawiki.human_edit(title, text, summary="the registry")
    with replay_wikibase(monkeypatch, backend=tmp_path / "wikibase", passthrough=[fresh_mediawiki.url]) as (
            entities, replay):
        booted = bootstrap(entities, InstanceIds())
        assert not booted.problems
        state = SqliteStateStore(tmp_path / "sync.sqlite")
        settings = Settings(workspace=WorkspaceSettings(path=tmp_path))
        yield Live(fresh_mediawiki, entities, replay, state, settings, booted.ids.resolved())
        state.close()


def test_first_sync_creates_every_item_writes_ids_back_once_per_page_and_a_second_sync_writes_nothing(
    live: Live,
) -> None:
    before = live.item_writes()
    run = live.sync()
    assert run.result is not None and run.clean, run.counts()
    created = len(run.result.created)
    assert created == 87 and live.item_writes() - before == created  # one wbeditentity per new item
    for title in TITLES:
        revisions = live.wiki.revisions(title)
        assert [r["user"] for r in revisions] == [live.wiki.human_account.name, live.wiki.bot.name]
        assert revisions[-1].get("bot") is True
        assert all(e.item for e in parse_registry_page(live.text(title), title).entries)
    writes, bot_edits = live.item_writes(), live.bot_revisions()
    reads = live.replay.count("wbgetentities")
    again = live.sync()  # incremental: both wikis say nothing changed
    assert again.mode == "incremental" and again.carried is not None and again.clean
    assert live.replay.count("wbgetentities") == reads  # no item read
    full = live.sync(full=True)  # and reading everything again finds nothing to do either
    assert full.mode == "full" and full.result is not None and full.result.writes == 0
    assert (live.item_writes(), live.bot_revisions()) == (writes, bot_edits)


def test_changes_cross_both_ways_and_a_conflict_is_published_on_the_wiki(live: Live) -> None:
    live.sync()
    live.human_patch("eseap-hub", {"status": "implementation"})
    live.human_patch("arabic-hub", {"status": "dormant"})
    live.wikibase_edit("south-asia-hub", "pilot")
    live.wikibase_edit("arabic-hub", "closed")
    reads, writes = live.replay.count("wbgetentities"), live.item_writes()
    run = live.sync()
    assert live.replay.count("wbgetentities") - reads == 1  # every item in one batched read, none again
    assert live.item_writes() - writes == 1  # one wbeditentity: the one item changed on the page
    assert live.in_wikibase("eseap-hub").status == "implementation"
    assert live.entry("south-asia-hub").status == "pilot"
    assert [(p.registry_id, c.field) for p, c in run.plan.conflicts] == [("arabic-hub", "status")]
    assert live.entry("arabic-hub").status == "dormant" and live.in_wikibase("arabic-hub").status == "closed"
    report = live.text(REPORT)
    assert "Arabic Wikimedia Hub" in report and "dormant" in report and "closed" in report
    assert live.wiki.revisions(REPORT)[-1]["user"] == live.wiki.bot.name


def test_a_crash_between_item_creation_and_write_back_then_a_rerun_makes_no_duplicate(live: Live) -> None:
    class CrashError(Exception):
        pass

    class Crashing:
        def __init__(self, inner: PageStore) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:  # reading as the real store does
            return getattr(self.inner, name)

        def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
            raise CrashError("killed before the write-back")

    with pytest.raises(CrashError):
        live.sync(pages=Crashing(live.wiki.page_store()))
    items = len(live.replay.backend.entity_ids())  # type: ignore[union-attr]
    run = live.sync()
    assert run.result is not None and run.result.created == [] and run.clean
    assert len(live.replay.backend.entity_ids()) == items  # type: ignore[union-attr]
    assert len(run.result.written_back) == 87
    assert all(e.item for e in parse_registry_page(live.text(), HUBS).entries)


def test_a_page_blanked_by_a_vandal_is_left_alone_and_the_others_sync(live: Live) -> None:
    live.sync()
    live.human_patch("eseap-hub", {"status": "implementation"}, title=HUBS)
    live.human_patch("wmpl", {"website": "https://wikimedia.pl/new"}, title=ORGS)
    live.wiki.human_edit(HUBS, "", summary="vandal")
    writes = live.item_writes()
    registry_edits = [len(_revisions(live.wiki, t)) for t in TITLES]
    run = live.sync(retire=True)
    assert not run.blocked and run.result is not None and not run.clean
    assert run.plan.left_alone == {HUBS} and "Hubs/Registry" in run.plan.guards[0].page
    assert run.result.items_updated == ["wmpl"] and run.result.retired == []  # no hub item touched
    assert live.item_writes() == writes + 1
    assert [len(_revisions(live.wiki, t)) for t in TITLES] == registry_edits and live.text(HUBS) == ""
    item = live.entry("wmpl", ORGS).item
    stored = live.replay.backend.fetch_entities([item])[item]  # type: ignore[union-attr]
    assert "https://wikimedia.pl/new" in json.dumps(stored.data)
    assert live.state.runs("sync")[-1]["outcome"] == "blocked"  # a failure on the heartbeat: a person looks


def test_a_human_edit_between_the_bots_read_and_save_is_detected_and_kept(live: Live) -> None:
    live.sync()
    live.wikibase_edit("eseap-hub", "implementation")  # the bot will edit Hubs/Registry

    class HumanInBetween:
        def __init__(self, inner: PageStore) -> None:
            self.inner, self.done = inner, False

        def __getattr__(self, name: str) -> Any:  # reading as the real store does
            return getattr(self.inner, name)

        def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
            if title == HUBS and not self.done:
                self.done = True
                live.human_patch("south-asia-hub", {"status": "pilot"}, append="\nA human's note.\n")
            return self.inner.save_page(title, text, base=base, summary=summary)

    pages = HumanInBetween(live.wiki.page_store())
    live.sync(pages=pages)
    assert pages.done
    users = [r["user"] for r in live.wiki.revisions(HUBS)]
    assert users[-2:] == [live.wiki.human_account.name, live.wiki.bot.name]  # MediaWiki refused the stale save
    assert live.text().rstrip().endswith("A human's note.")
    assert live.entry("eseap-hub").status == "implementation"
    assert live.entry("south-asia-hub").status == "pilot"
    assert live.in_wikibase("south-asia-hub").status == "pilot"


def _operator_config(live: Live, workspace: Path, extra: str = "") -> Path:
    """An operator's workspace: the instance ids, and a wikibot.toml naming both wikis for pywikibot."""
    from replay.wikibase import FAMILY

    workspace.mkdir()
    (workspace / "wikibase-ids.json").write_text(
        InstanceIds(live.mapping.properties, live.mapping.items).render(), encoding="utf-8")
    config = workspace / "wikibot.toml"
    config.write_text(f'[wiki]\nsite = "{live.wiki.family}"\nindex_url = "{live.wiki.url}/index.php"\n'
                      f'[wikibase]\nsite = "{FAMILY}"\n{extra}', encoding="utf-8")
    return config


def test_the_command_runs_on_the_wikis_its_configuration_names(live: Live, tmp_path: Path) -> None:
    """``wikibot sync --config``: pages on the MediaWiki, items on the Wikibase, both named for pywikibot."""
    import io

    from wikibot.cli import main

    config = _operator_config(live, tmp_path / "operator")
    out = io.StringIO()
    assert main(["sync", "--config", str(config)], out=out) == 0, out.getvalue()
    assert "created 87 items" in out.getvalue()
    assert all(e.item for e in parse_registry_page(live.text(), HUBS).entries)
    assert live.wiki.revisions(REPORT)[-1]["user"] == live.wiki.bot.name
    out = io.StringIO()
    assert main(["sync", "--config", str(config)], out=out) == 0
    assert "nothing changed since the last sync (incremental)" in out.getvalue()
    out = io.StringIO()
    assert main(["sync", "--full", "--config", str(config)], out=out) == 0
    assert "a full reconciliation (asked for (--full))" in out.getvalue()
    assert "created 0 items" in out.getvalue() and "edited 0 pages" in out.getvalue()
    for command, code, shown in (
        (["validate"], 0, "registry: 13 hubs, 20 partnerships, 54 organizations; valid"),  # the wiki's pages
        (["health", "--job", "sync"], 0, "health: from the heartbeat page 'Registry/Bot status'"),
        (["status", "--dry-run"], 1, "left alone Wikimedia CEE Hub (cee-hub): the page does not exist"),
    ):
        out = io.StringIO()
        assert main([*command, "--config", str(config)], out=out) == code, out.getvalue()
        assert shown in out.getvalue()
    assert live.wiki.revisions("Registry/Bot status")[-1]["user"] == live.wiki.bot.name


def test_a_full_run_never_prints_or_stores_the_password(live: Live, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Credentials stay in pywikibot's files: not on stdout or stderr (text or JSON logs), not in
    the workspace, the state database or the pages, for a run that logs in and writes."""
    import io

    from replay.pywikibot_env import pywikibot_dir
    from wikibot.cli import main

    config = _operator_config(live, tmp_path / "operator", '[status]\nkinds = ["hub", "partnership"]\n')
    workspace = config.parent
    printed = []
    for argv in (["sync"], ["--log-format", "json", "run", "sync", "status", "coverage", "health"],
                 ["status", "--dry-run", "--format", "json"]):
        out = io.StringIO()
        main([*argv, "--config", str(config)], out=out)
        captured = capsys.readouterr()
        printed += [out.getvalue(), captured.out, captured.err]
    secrets = {live.wiki.bot.bot_password, live.wiki.bot.password}
    assert all(len(secret) >= 16 for secret in secrets)
    stored = [path.read_bytes().decode("utf-8", "replace") for path in workspace.rglob("*") if path.is_file()]
    pages = [live.text(title) for title in ("Registry/Sync report", "Registry/Bot status", "Registry/Coverage")]
    for secret in secrets:
        assert not any(secret in text for text in printed + stored + pages)
    logs = list((pywikibot_dir() / "logs").glob("*")) if (pywikibot_dir() / "logs").is_dir() else []
    assert not any(secret in log.read_text(encoding="utf-8", errors="replace") for log in logs for secret in secrets)
    assert "created 87 items" in "".join(printed)  # it did log in and write


def test_a_bot_that_changes_nothing_saves_nothing_run_after_run(live: Live, tmp_path: Path) -> None:
    """Issue 17: ``wikibot run sync status coverage`` repeated on an unchanged registry, on the real
    MediaWiki, makes no edit after the first run (the heartbeat included: no job's state changed,
    and its refresh is far beyond the test); then one change makes exactly the edits it needs."""
    import io

    from wikibot.cli import main

    config = _operator_config(live, tmp_path / "operator", '[heartbeat]\nrefresh = "30d"\n')
    kept = (*TITLES, REPORT, "Registry/Bot status", "Registry/Coverage")

    def bot_edits() -> dict[str, int]:
        return {title: sum(1 for r in _revisions(live.wiki, title) if r["user"] == live.wiki.bot.name)
                for title in kept}

    def run_all() -> None:
        out = io.StringIO()
        main(["run", "sync", "status", "coverage", "--config", str(config)], out=out)

    run_all()
    first = bot_edits()
    assert all(first[title] >= 1 for title in kept), first  # every page written by the first run
    for _ in range(10):
        run_all()
    assert bot_edits() == first  # ten more runs: not one edit
    live.wikibase_edit("south-asia-hub", "pilot")  # one change in the Wikibase
    run_all()
    after = bot_edits()
    changed = {title: after[title] - first[title] for title in kept if after[title] != first[title]}
    assert changed == {HUBS: 1, "Registry/Coverage": 1}, changed  # the page it is on, the answers it changes


def test_the_embedded_store_after_a_sync_equals_a_rebuild_from_the_same_entities(live: Live, tmp_path: Path) -> None:
    """Issue 17: the Wikibase's answer to a save has no ``modified`` (so no ``schema:dateModified``),
    and its ``data:`` IRIs follow the wiki's article path: kept current by sync, the store must still
    hold exactly what a rebuild from the same entities holds."""
    import gc
    import io

    import pyoxigraph as ox

    from wikibot.cli import main

    config = _operator_config(live, tmp_path / "operator")
    assert main(["sync", "--config", str(config)], out=io.StringIO()) == 0
    live.wikibase_edit("south-asia-hub", "pilot")  # a change the next sync writes to the page
    live.human_patch("eseap-hub", {"status": "implementation"})  # and one it writes to the item
    assert main(["sync", "--config", str(config)], out=io.StringIO()) == 0
    rebuilt = config.parent / "rebuilt.toml"
    rebuilt.write_text(config.read_text(encoding="utf-8") + '[query]\nstore = "state/rebuilt"\n', encoding="utf-8")
    assert main(["coverage", "--rebuild", "gaps", "--config", str(rebuilt)], out=io.StringIO()) == 0
    gc.collect()  # the stores of the runs above are closed

    def quads(path: Path) -> set[str]:
        store = ox.Store(str(path))
        found = {str(quad) for quad in store}
        del store
        gc.collect()
        return found

    synced, again = quads(config.parent / "state" / "query"), quads(config.parent / "state" / "rebuilt")
    assert synced == again, (sorted(synced - again)[:5], sorted(again - synced)[:5])
    assert any("dateModified" in q for q in synced) and any("index.php/Special:EntityData/" in q for q in synced)
