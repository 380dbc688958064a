"""The SQLite sync state: entries kept at once and across processes, the run log."""

from pathlib import Path

import pytest

from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.ports import StateStore, StateStoreError, SyncedEntry


def test_an_entry_recorded_is_there_for_the_next_process(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "state" / "sync.sqlite")
    assert isinstance(store, StateStore) and store.entries() == {}
    entry = SyncedEntry("cee-hub", "Q12", "Hubs/Registry", {"status": "pilot", "names.pl": "Hub Ś"}, 7, 40)
    store.record(entry)
    other = SqliteStateStore(tmp_path / "state" / "sync.sqlite")  # no close: committed means written
    assert other.entries() == {"cee-hub": entry}
    store.record(SyncedEntry("cee-hub", "Q12", "Hubs/Registry", {"status": "implementation"}, 8, 41))
    assert other.entries()["cee-hub"].fields == {"status": "implementation"}  # replaced, not added
    assert len(other.entries()) == 1


def test_a_creation_begun_stays_pending_until_its_item_is_recorded_or_refused(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "sync.sqlite")
    store.begin_create("cee-hub")
    store.begin_create("eseap-hub")
    other = SqliteStateStore(tmp_path / "sync.sqlite")  # a crash now: the next process sees both
    assert other.pending_creates() == {"cee-hub", "eseap-hub"}
    other.record(SyncedEntry("cee-hub", "Q12", "Hubs/Registry", {}, 7, 40))
    other.end_create("eseap-hub")  # refused: nothing was created
    assert store.pending_creates() == set()


def test_knowing_every_item_is_per_property_and_kept(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "sync.sqlite")
    assert not store.knows_every_item("P1")
    store.note_knows_every_item("P1")
    store.note_knows_every_item("P1")  # twice: no error
    assert SqliteStateStore(tmp_path / "sync.sqlite").knows_every_item("P1")
    assert not store.knows_every_item("P2")


def test_the_run_log(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "sync.sqlite")
    first = store.start_run("sync", dry_run=False)
    store.finish_run(first, outcome="ok", counts={"created": 3})
    second = store.start_run("sync", dry_run=False)
    store.finish_run(second, outcome="failed", counts={}, error="wiki down")
    runs = store.runs("sync")
    assert [(r["outcome"], r["counts"], r["error"]) for r in runs] == [("ok", {"created": 3}, None),
                                                                        ("failed", {}, "wiki down")]
    assert all(r["started"] and r["finished"] for r in runs)


def test_an_unusable_state_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "sync.sqlite").write_text("not a database", encoding="utf-8")
    with pytest.raises(StateStoreError, match=r"sync\.sqlite"):
        SqliteStateStore(tmp_path / "sync.sqlite").entries()
