"""The local page store stopped inside a save: no page lost or half-written, no record lost.

A save writes the page, then its record (``state/pages.json``), then its line in the edits log;
each of their file operations is stopped in turn (tests/faults.py ``FaultyFiles``: the process
killed, or the disk full), then a new process reads and saves again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults import FILE_FAULTS, NEEDS_SPACE, FaultyFiles, FileFault, Killed
from wikibot.adapters import files
from wikibot.adapters.workspace import LocalPageStore
from wikibot.errors import LocalFileError
from wikibot.ports import Saved

# The page replaced, its record replaced, its line added to the edits log.
SAVE_OPERATIONS = ("open", "write", "fsync", "close", "rename", "fsync_dir",
                   "open", "write", "fsync", "close", "rename", "fsync_dir",
                   "open", "write", "fsync", "close")
PAGE_RENAMED = 5  # from this operation on, the page holds the new text
LOG_WRITE = 14
TITLE, OTHER = "Hubs/Registry", "Partnerships/Registry"
OLD, NEW, NEWER = "{{Hub registry entry|id=a}}\n", "{{Hub registry entry|id=a|item=Q9}}\n", "edited again\n"


def _prepared(root: Path) -> LocalPageStore:
    store = LocalPageStore(root)
    for title, text in ((TITLE, OLD), (OTHER, "another page\n")):
        assert isinstance(store.save_page(title, text, base=None, summary="create"), Saved)
    return store


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def test_a_save_makes_the_file_operations_the_cases_below_stop(tmp_path: Path) -> None:
    store = _prepared(tmp_path)
    page = store.fetch_pages([TITLE])[TITLE]
    faulty = FaultyFiles()
    with files.using(faulty):
        assert isinstance(store.save_page(TITLE, NEW, base=page, summary="bot"), Saved)
    assert tuple(op for op, _ in faulty.log) == SAVE_OPERATIONS
    names = [path.name for _, path in faulty.log]
    assert (names[PAGE_RENAMED - 1], names[10], names[LOG_WRITE - 1]) == ("Registry.wiki", "pages.json", "edits.jsonl")


STOPS = [(k, fault) for k, op in enumerate(SAVE_OPERATIONS, 1) for fault in FILE_FAULTS
         if fault == "kill" or op in NEEDS_SPACE]


@pytest.mark.parametrize(("k", "fault"), STOPS, ids=[f"{SAVE_OPERATIONS[k - 1]}-{k}-{f}" for k, f in STOPS])
def test_a_save_stopped_at_any_file_operation_loses_no_page_and_no_record(
        tmp_path: Path, k: int, fault: FileFault) -> None:
    store = _prepared(tmp_path)
    page = store.fetch_pages([TITLE])[TITLE]
    other = store.fetch_pages([OTHER])[OTHER]
    assert page is not None and other is not None
    faulty = FaultyFiles(at=k, fault=fault)
    with pytest.raises(Killed if fault == "kill" else LocalFileError), files.using(faulty):
        store.save_page(TITLE, NEW, base=page, summary="bot")
    assert faulty.fired

    fresh = LocalPageStore(tmp_path)  # a new process
    records = json.loads((tmp_path / "state" / "pages.json").read_text(encoding="utf-8"))  # whole
    now = fresh.fetch_pages([TITLE, OTHER])
    current = now[TITLE]
    assert current is not None and current.text == (NEW if k > PAGE_RENAMED else OLD)  # old or new, never part
    assert now[OTHER] == other and records["pages"][OTHER]["revid"] == other.revid  # the other record kept
    again = fresh.save_page(TITLE, NEWER, base=current, summary="rerun")  # the rerun saves on what it read
    assert isinstance(again, Saved) and again.revid > max(page.revid, current.revid)
    assert fresh.fetch_pages([TITLE])[TITLE] == LocalPageStore(tmp_path).fetch_pages([TITLE])[TITLE]

    lines = (tmp_path / "state" / "edits.jsonl").read_text(encoding="utf-8").splitlines()
    torn = [line for line in lines if not _is_json(line)]
    assert len(torn) == (1 if k == LOG_WRITE else 0)  # only a stop inside the log's own write tears a line
    assert json.loads(lines[-1])["summary"] == "rerun"  # ... and the next record starts on a line of its own
    litter = [p.name for p in tmp_path.rglob("*.tmp")]
    assert not litter or fault == "kill"  # a failure cleans up; only a kill leaves a temporary file
