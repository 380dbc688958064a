"""The SQLite sync state: entries kept at once and across processes, the run log."""

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(), JSON, max_size=5))
def test_a_merge_base_read_back_has_the_canonical_form_it_had_when_recorded(fields: dict[str, Any]) -> None:
    """The plan keys digest a merge base by its canonical JSON, taken as stored when read from the
    state: it must be the form the same fields have in memory, or every entry would be planned again."""
    with tempfile.TemporaryDirectory() as where:
        store = SqliteStateStore(Path(where) / "sync.sqlite")
        recorded = SyncedEntry("cee-hub", "Q12", "Hubs/Registry", fields, 7, 40)
        store.record(recorded)
        read = store.entries()["cee-hub"]
        store.close()
    assert read == recorded and read.stored_fields is not None
    assert read.canonical == recorded.canonical == SyncedEntry("cee-hub", "Q12", "Hubs/Registry", read.fields,
                                                               7, 40).canonical


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
