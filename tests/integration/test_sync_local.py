"""``wikibot sync`` on the embedded default: workspace pages <-> the local entity store, both ways.

The same job runs on a real MediaWiki and the replayed Wikibase in test_sync_live.py; here
every scenario of the issue runs against the local ports, which behave as the real ones do
(revisions, edit conflicts, patched edits, refusals).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.wikibase_support import set_hub_status
from wikibot import heartbeat, jobs
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.cli import main
from wikibot.jobs.bootstrap import bootstrap
from wikibot.ports import Page, Saved, SaveOutcome
from wikibot.settings import Settings, WorkspaceSettings, init_workspace
from wikibot.wikibase.entity import from_entity
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikitext.registry_edit import patch_entry
from wikibot.wikitext.registry_page import parse_registry_page

HUBS = "Hubs/Registry"
HEARTBEAT = "Registry/Bot status"
REPORT = "Registry/Sync report"
TITLES = ("Organizations/Registry", "Hubs/Registry", "Partnerships/Registry")


@dataclass
class World:
    root: Path
    settings: Settings
    pages: LocalPageStore
    entities: LocalEntityStore
    state: SqliteStateStore
    mapping: ResolvedMapping

    def sync(self, **options: Any) -> jobs.SyncRun:
        return jobs.sync(self.settings, options.pop("pages", self.pages), self.entities, self.state,
                         mapping=self.mapping, user="wikibot", list_items=self.entities.entity_ids, **options)

    def text(self, title: str = HUBS) -> str:
        page = self.pages.fetch_pages([title])[title]
        assert page is not None
        return page.text

    def edit_page(self, registry_id: str, changes: dict[str, str | None], title: str = HUBS) -> None:
        editor = LocalPageStore(self.root, user="An editor")  # a person: {{bots|deny=…}} does not stop them
        page = editor.fetch_pages([title])[title]
        assert page is not None
        saved = editor.save_page(title, patch_entry(page.text, registry_id, changes), base=page, summary="an editor")
        assert isinstance(saved, Saved)

    def item_of(self, registry_id: str, title: str = HUBS) -> str:
        entry = next(e for e in parse_registry_page(self.text(title), title).entries if e.id == registry_id)
        assert entry.item is not None
        return entry.item

    def entity(self, item: str) -> dict[str, Any]:
        entity = self.entities.fetch_entities([item])[item]
        assert entity is not None
        return entity.data

    def entry_in_wikibase(self, registry_id: str, title: str = HUBS) -> Any:
        registry_ids = {s.item: s.registry_id for s in self.state.entries().values()}
        return from_entity(self.entity(self.item_of(registry_id, title)), self.mapping, registry_ids)

    def edit_item(self, item: str, data: dict[str, Any]) -> None:
        entity = self.entities.fetch_entities([item])[item]
        assert entity is not None
        self.entities.save_entity(item, data, base_revid=entity.revid, summary="a Wikibase editor")

    def set_status_in_wikibase(self, registry_id: str, status: str) -> None:
        set_hub_status(self.entities, self.mapping, self.item_of(registry_id), status)

    def edits(self) -> list[str]:
        """The title of every page save, oldest first."""
        log = self.root / "state" / "edits.jsonl"
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return [json.loads(line)["title"] for line in lines]

    def page_edits(self) -> int:
        """Saves of registry and report pages (the heartbeat page is saved on every run)."""
        return sum(1 for title in self.edits() if title != HEARTBEAT)

    def entity_revisions(self) -> int:
        return sum(len(json.loads(p.read_text(encoding="utf-8"))) for p in (self.root / "entities").glob("Q*.json"))

    def items(self) -> int:
        return len(list((self.root / "entities").glob("Q*.json")))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    root = tmp_path / "ws"
    init_workspace(root)
    entities = LocalEntityStore(root)
    booted = bootstrap(entities, InstanceIds())
    assert not booted.problems
    (root / "wikibase-ids.json").write_text(booted.ids.render(), encoding="utf-8")  # as `wikibot bootstrap` does
    settings = Settings(workspace=WorkspaceSettings(path=root))
    state = SqliteStateStore(root / "state" / "sync.sqlite")
    yield World(root, settings, LocalPageStore(root), entities, state, booted.ids.resolved())
    state.close()


def _entry_count() -> int:
    from tests.wikibase_support import example_entries

    return len(example_entries())


def test_first_sync_creates_every_item_and_writes_ids_back_once_per_page(world: World) -> None:
    vocabulary = world.items()
    run = world.sync()
    assert run.result is not None and run.clean, run.counts()
    assert len(run.result.created) == _entry_count() == world.items() - vocabulary
    assert sorted(run.result.pages_edited) == sorted(TITLES)
    assert len(run.result.written_back) == _entry_count()
    assert world.page_edits() == len(TITLES) + 1  # one edit per registry page, and the report page
    for title in TITLES:
        assert all(e.item for e in parse_registry_page(world.text(title), title).entries)
    edits, revisions = world.page_edits(), world.entity_revisions()
    again = world.sync()  # incremental: nothing changed, nothing read
    assert again.mode == "incremental" and again.carried is not None and again.clean
    assert world.sync(full=True).result.writes == 0  # type: ignore[union-attr]  # reading everything: the same
    assert (world.page_edits(), world.entity_revisions()) == (edits, revisions)  # 0 writes
    assert world.edits().count(HEARTBEAT) == 1  # the heartbeat page: when a job's state changed (its first run)


def test_a_change_on_the_page_reaches_the_item_and_one_in_the_wikibase_reaches_the_page(world: World) -> None:
    world.sync()
    world.edit_page("eseap-hub", {"status": "implementation"})
    world.set_status_in_wikibase("south-asia-hub", "pilot")
    pages_before = world.page_edits()
    run = world.sync()
    assert run.result is not None and run.clean
    assert run.result.items_updated == ["eseap-hub"]
    assert world.entry_in_wikibase("eseap-hub").status == "implementation"
    south_asia = next(e for e in parse_registry_page(world.text(), HUBS).entries if e.id == "south-asia-hub")
    assert south_asia.status == "pilot"
    assert world.page_edits() == pages_before + 1  # one edit of Hubs/Registry; the report is unchanged
    again = world.sync()
    assert again.carried is not None and world.page_edits() == pages_before + 1
    assert world.sync(full=True).result.writes == 0  # type: ignore[union-attr]


def test_the_same_field_changed_on_both_sides_is_a_conflict_and_neither_side_is_overwritten(world: World) -> None:
    world.sync()
    world.edit_page("eseap-hub", {"status": "implementation", "languages": "id, zh, ms"})
    world.set_status_in_wikibase("eseap-hub", "under-review")
    run = world.sync()
    assert not run.clean
    assert [(p.registry_id, c.field) for p, c in run.plan.conflicts] == [("eseap-hub", "status")]
    assert world.entry_in_wikibase("eseap-hub").status == "under-review"  # the Wikibase's value kept
    on_page = next(e for e in parse_registry_page(world.text(), HUBS).entries if e.id == "eseap-hub")
    assert on_page.status == "implementation"  # the page's value kept
    assert world.entry_in_wikibase("eseap-hub").languages == ("id", "zh", "ms")  # the other field synced
    report = world.text(REPORT)
    assert "[[ESEAP Hub|ESEAP Hub]]" in report and "|| status ||" in report and "under-review" in report
    rerun = world.sync()  # still in conflict: said again, nothing written, the report unchanged
    assert rerun.carried is not None and not rerun.clean
    assert [line.split()[:3] for line in rerun.attention() if line.startswith("conflict")] == [
        ["conflict", "eseap-hub", "status"]]
    full = world.sync(full=True)  # reading everything again finds the same conflict
    assert [c.field for _, c in full.plan.conflicts] == ["status"]
    assert full.result is not None and full.result.writes == 0


def test_a_crash_between_item_creation_and_page_write_back_then_a_rerun(world: World, tmp_path: Path) -> None:
    class CrashError(Exception):
        pass

    class CrashingPages(LocalPageStore):
        def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
            raise CrashError("power cut")

    with pytest.raises(CrashError):
        world.sync(pages=CrashingPages(world.root))
    assert world.items() > 0 and world.page_edits() == 0  # items created, no id written back
    items_after_crash = world.items()
    run = world.sync()
    assert run.result is not None and run.clean
    assert run.result.created == [] and world.items() == items_after_crash  # no duplicate
    assert len(run.result.written_back) == _entry_count()

    clean = tmp_path / "clean"  # the same registry synced without a crash
    init_workspace(clean)
    store = LocalEntityStore(clean)
    ids = bootstrap(store, InstanceIds()).ids.resolved()
    jobs.sync(Settings(workspace=WorkspaceSettings(path=clean)), LocalPageStore(clean), store,
              SqliteStateStore(clean / "state.sqlite"), mapping=ids, user="wikibot")
    for title in TITLES:
        assert world.text(title) == LocalPageStore(clean).fetch_pages([title])[title].text  # type: ignore[union-attr]


NEW_HUB = """
{{Hub registry entry
| id = test-new-hub
| name = A hub added later
| kind = thematic
| themes = capacity-building
| status = research
| host = wmpl
| next_review = 2027-01-15
}}
"""


class _CountingSearches:
    """The world's entity store, with its label searches counted."""

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        self.labels: list[str] = []
        original = world.entities.find_by_label

        def find_by_label(label: str, **options: Any) -> list[str]:
            self.labels.append(label)
            return original(label, **options)

        monkeypatch.setattr(world.entities, "find_by_label", find_by_label)


def test_label_searches_only_where_the_state_cannot_know(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    searches = _CountingSearches(world, monkeypatch)
    registry_property = world.mapping.pid("registry_id")
    assert not world.state.knows_every_item(registry_property)
    world.sync()  # a new state: every new entry is looked up before its item is created
    assert len(searches.labels) == _entry_count()
    assert world.state.knows_every_item(registry_property) and world.state.pending_creates() == set()
    page = world.pages.fetch_pages([HUBS])[HUBS]
    assert page is not None
    world.pages.save_page(HUBS, page.text + NEW_HUB, base=page, summary="an editor adds a hub")
    searches.labels.clear()
    run = world.sync()
    assert run.result is not None and run.result.created == ["test-new-hub"], run.plan.invalid
    assert searches.labels == []  # the state has seen every item: nothing to find
    assert world.item_of("test-new-hub").startswith("Q")


def test_a_state_that_misses_an_entry_keeps_looking_up(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    page = world.pages.fetch_pages([HUBS])[HUBS]
    assert page is not None  # an entry naming an organisation nobody has: its creation waits
    world.pages.save_page(HUBS, page.text + NEW_HUB.replace("wmpl", "no-such-org"), base=page, summary="x")
    run = world.sync()
    assert run.result is not None and "test-new-hub" not in run.result.created
    assert not world.state.knows_every_item(world.mapping.pid("registry_id"))  # it was never looked up


@pytest.mark.parametrize("fresh_registry", [False, True], ids=["new-state", "state-knows-every-item"])
def test_a_crash_before_the_state_is_written_finds_the_item_by_label_and_registry_id(
        world: World, fresh_registry: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if fresh_registry:  # as after `wikibot bootstrap` created the registry-id property
        world.state.note_knows_every_item(world.mapping.pid("registry_id"))
    class CrashError(Exception):
        pass

    original = world.state.record
    calls = []

    def record_then_crash(entry: Any) -> None:
        calls.append(entry)
        raise CrashError("killed after the item was created, before the state was written")

    world.state.record = record_then_crash  # type: ignore[method-assign]
    with pytest.raises(CrashError):
        world.sync()
    world.state.record = original  # type: ignore[method-assign]
    assert len(calls) == 1 and world.state.entries() == {}
    assert world.state.pending_creates() == {calls[0].registry_id}
    items = world.items()
    searches = _CountingSearches(world, monkeypatch)
    run = world.sync()
    assert run.result is not None
    assert run.result.adopted == [calls[0].registry_id]  # found, not created twice
    assert world.items() == items + _entry_count() - 1
    assert len(searches.labels) == (1 if fresh_registry else _entry_count())  # only the interrupted one
    assert world.state.pending_creates() == set()


ORGS = "Organizations/Registry"


def _hub_revisions(world: World) -> dict[str, int]:
    """The revision of every item the state records for an entry on the hubs page."""
    items = [s.item for s in world.state.entries().values() if s.page == HUBS]
    return {i: e.revid for i, e in world.entities.fetch_entities(items).items() if e is not None}


def test_a_blanked_page_is_left_alone_and_the_other_pages_sync(world: World) -> None:
    world.sync()
    world.edit_page("eseap-hub", {"status": "implementation"})  # pending on the page about to be blanked
    world.edit_page("wmpl", {"website": "https://wikimedia.pl/new"}, title=ORGS)  # pending elsewhere
    page = world.pages.fetch_pages([HUBS])[HUBS]
    assert page is not None
    world.pages.save_page(HUBS, "", base=page, summary="vandal")
    hubs, revisions = _hub_revisions(world), world.entity_revisions()
    out = io.StringIO()
    code = main(["sync", "--workspace", str(world.root), "--retire"], out=out)
    assert code == 1
    assert "blocked: Hubs/Registry" in out.getvalue() and "blanked" in out.getvalue()
    assert "left alone, to be looked at first: Hubs/Registry" in out.getvalue()
    assert _hub_revisions(world) == hubs  # no hub item retired, updated or touched
    assert world.text(HUBS) == ""  # not written either: a person restores it
    assert world.entry_in_wikibase("wmpl", ORGS).website == "https://wikimedia.pl/new"  # the other page synced
    assert world.entity_revisions() == revisions + 1
    beat = next(b for b in heartbeat.parse(world.text(HEARTBEAT)) if b.job == "sync")  # a stalled page shows
    assert beat.last_failure and beat.failure.startswith("blocked: Hubs/Registry") and beat.last_success


def test_an_entry_moved_into_another_template_is_reported_and_its_item_kept(world: World) -> None:
    world.sync()
    text = world.text()
    start = text.index("{{Hub registry entry\n| id = eseap-hub")
    end = text.index("}}", start) + 2
    boxed = text[:start] + "{{Box\n| content = " + text[start:end] + "\n}}" + text[end:]
    page = world.pages.fetch_pages([HUBS])[HUBS]
    assert page is not None
    world.pages.save_page(HUBS, boxed, base=page, summary="an editor tidies up")
    world.set_status_in_wikibase("cee-hub", "implementation")  # to be written to the same page
    before = _hub_revisions(world)
    run = world.sync(retire=True)
    assert run.result is not None and run.result.retired == [] and not run.plan.removed
    assert [p.code.value for p in run.plan.invalid] == ["nested-entry"] and "{{Box}}" in run.plan.invalid[0].reason
    assert run.plan.invalid[0].registry_id == "eseap-hub"
    assert _hub_revisions(world) == before  # the boxed entry's item untouched; cee-hub read, not written
    after = world.text()
    assert "{{Box\n| content = {{Hub registry entry\n| id = eseap-hub" in after  # left where it is
    cee = next(e for e in parse_registry_page(after, HUBS).entries if e.id == "cee-hub")
    assert cee.status == "implementation"  # the other entries on the page still sync


def test_a_sync_with_every_page_blanked_writes_nothing_anywhere(world: World) -> None:
    world.sync()
    world.edit_page("wmpl", {"website": "https://wikimedia.pl/new"}, title=ORGS)
    for title in TITLES:
        page = world.pages.fetch_pages([title])[title]
        assert page is not None
        world.pages.save_page(title, "", base=page, summary="vandal")
    edits, revisions = world.page_edits(), world.entity_revisions()
    out = io.StringIO()
    assert main(["sync", "--workspace", str(world.root)], out=out) == 1
    assert "nothing written anywhere" in out.getvalue()
    assert (world.page_edits(), world.entity_revisions()) == (edits, revisions)


def test_a_page_that_no_longer_parses_is_left_alone(world: World) -> None:
    world.sync()
    world.edit_page("wmpl", {"website": "https://wikimedia.pl/new"}, title=ORGS)
    world.set_status_in_wikibase("eseap-hub", "implementation")  # would be written to the hubs page
    page = world.pages.fetch_pages([HUBS])[HUBS]
    assert page is not None
    broken = page.text + "\n{{Hub registry entry\n| id = broken\n"
    world.pages.save_page(HUBS, broken, base=page, summary="oops")
    hubs = _hub_revisions(world)
    run = world.sync()
    assert not run.blocked and run.result is not None and not run.clean
    assert "no longer parses" in run.plan.guards[0].reason and run.plan.left_alone == {HUBS}
    assert world.text(HUBS) == broken and _hub_revisions(world) == hubs
    assert run.result.items_updated == ["wmpl"]
    assert world.state.runs("sync")[-1]["outcome"] == "blocked"


def test_a_human_edit_between_read_and_save_is_kept_and_synced(world: World) -> None:
    world.sync()
    world.set_status_in_wikibase("eseap-hub", "implementation")  # the bot will edit Hubs/Registry

    class HumanInBetween(LocalPageStore):
        interfered = False

        def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
            if title == HUBS and not self.interfered:
                type(self).interfered = True
                human = world.pages.fetch_pages([HUBS])[HUBS]
                assert human is not None
                world.pages.save_page(HUBS, patch_entry(human.text, "south-asia-hub", {"status": "pilot"})
                                      + "\nA human's note.\n", base=human, summary="a human")
            return super().save_page(title, text, base=base, summary=summary)

    run = world.sync(pages=HumanInBetween(world.root))
    assert HumanInBetween.interfered and run.result is not None
    text = world.text()
    assert text.endswith("\nA human's note.\n")  # the human's text kept
    entries = {e.id: e for e in parse_registry_page(text, HUBS).entries}
    assert entries["eseap-hub"].status == "implementation"  # the bot's update applied on top
    assert entries["south-asia-hub"].status == "pilot"
    assert world.entry_in_wikibase("south-asia-hub").status == "pilot"  # the human's change synced


def test_nobots_is_respected(world: World) -> None:
    world.sync()
    page = world.pages.fetch_pages([HUBS])[HUBS]
    assert page is not None
    world.pages.save_page(HUBS, "{{bots|deny=wikibot}}\n" + page.text, base=page, summary="opt out")
    world.set_status_in_wikibase("eseap-hub", "implementation")
    world.edit_page("south-asia-hub", {"status": "pilot"})
    before = world.text()
    run = world.sync()
    assert world.text() == before  # the page is not edited
    assert world.entry_in_wikibase("south-asia-hub").status == "pilot"  # its changes still reach the items
    assert run.result is not None and any("bots" in p.reason for p in run.result.problems)


def test_a_removed_entry_is_reported_never_deleted_and_retired_on_request(world: World) -> None:
    world.sync()
    item = world.item_of("eseap-hub")
    page = world.pages.fetch_pages([HUBS])[HUBS]
    assert page is not None
    start = page.text.index("{{Hub registry entry\n| id = eseap-hub")
    end = page.text.index("}}\n", start) + 3
    world.pages.save_page(HUBS, page.text[:start] + page.text[end:], base=page, summary="removed")
    run = world.sync()
    assert [(r.registry_id, r.item) for r in run.plan.removed] == [("eseap-hub", item)]
    assert world.entity(item)["labels"]["en"]["value"] == "ESEAP Hub"  # still there
    assert "eseap-hub" in world.text(REPORT)
    retired = world.sync(retire=True)
    assert retired.result is not None and retired.result.retired == ["eseap-hub"]
    status = world.entity(item)["claims"][world.mapping.pid("status")]
    assert [s["mainsnak"]["datavalue"]["value"]["id"] for s in status] == [world.mapping.qid("hub-status:closed")]


def test_an_invalid_entry_is_reported_and_its_item_left_alone(world: World) -> None:
    world.sync()
    item = world.item_of("eseap-hub")
    revisions = len(json.loads((world.root / "entities" / f"{item}.json").read_text(encoding="utf-8")))
    world.edit_page("eseap-hub", {"status": "flourishing"})
    run = world.sync()
    assert not run.clean and not run.plan.removed
    assert [p.registry_id for p in run.plan.invalid] == ["eseap-hub"]
    assert len(json.loads((world.root / "entities" / f"{item}.json").read_text(encoding="utf-8"))) == revisions
    assert "flourishing" in world.text(REPORT)


def test_dry_run_prints_the_plan_and_writes_nothing(world: World) -> None:
    world.sync()
    world.edit_page("eseap-hub", {"status": "implementation"})
    world.set_status_in_wikibase("south-asia-hub", "pilot")
    edits, revisions = world.page_edits(), world.entity_revisions()
    out = io.StringIO()
    assert main(["sync", "--dry-run", "--workspace", str(world.root)], out=out) == 0
    text = out.getvalue()
    assert "eseap-hub  status: pilot -> implementation  (page -> Wikibase)" in text
    assert "south-asia-hub  status: research -> pilot  (Wikibase -> page)" in text
    out = io.StringIO()
    assert main(["sync", "--dry-run", "--format", "json", "--workspace", str(world.root)], out=out) == 0
    plan = json.loads(out.getvalue())["plan"]
    changes = {(e["registry_id"], c["field"], c["old"], c["new"], c["direction"])
               for e in plan["entries"] for c in e.get("changes", [])}
    assert changes == {("eseap-hub", "status", "pilot", "implementation", "to-wikibase"),
                       ("south-asia-hub", "status", "research", "pilot", "to-page")}
    assert (world.page_edits(), world.entity_revisions()) == (edits, revisions)


def test_sync_before_bootstrap_is_a_configuration_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_workspace(tmp_path / "ws")
    assert main(["sync", "--workspace", str(tmp_path / "ws")]) == 2
    assert "wikibot bootstrap" in capsys.readouterr().err
