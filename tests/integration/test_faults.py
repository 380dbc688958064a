"""Fault injection: a sync killed (or failing) at its k-th write, for every k, then rerun.

For every fault position and every way of failing (tests/faults.py), on a first sync that
creates everything and on a sync carrying human edits made on both sides: the run stops at
the k-th write, fresh stores (a new process) rerun the sync until it has nothing left to do,
and then

* no duplicate item: every registry id is on exactly one item;
* no lost field: every item, every registry page and the sync report equal the end state of
  the same sync run without a fault (items compared by value, item ids mapped to registry
  ids; pages byte-equal once the item ids are mapped);
* the human edits are there;
* the sync state (the next merge's base) equals the uninterrupted run's.

An edit conflict in the middle of a run (a human edits a page or an item between the bot's
read and its write, at each write position) is injected the same way.

Inside the writes (tests/faults.py ``FaultyFiles``): the process is killed, or the disk is full,
at a file operation of the local stores (open, write, fsync, close, link, rename, unlink, fsync
of the directory) of the counter, of an entity file created or replaced, of a page, of its
record in ``pages.json`` and of the edits log, then the sync is rerun; besides the above, no
entity is overwritten (each entity's history before the run is a prefix of its history after
it), no two registry entries are tied to one item, no entry still on a page is retired, and
revisions only increase.  Every kind of position is covered, at its first and its last
occurrence in the run; ``WIKIBOT_FAULTS=all`` runs every position.

The example registry is trimmed to a few entries of each kind (with everything they name), so
that every k of every mode runs in a few seconds; the prepared workspaces are copied per case.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faults import (
    FILE_FAULTS,
    MODES,
    NEEDS_SPACE,
    FaultyEntities,
    FaultyFiles,
    FaultyPages,
    FileFault,
    Killed,
    Mode,
    Writes,
)
from tests.sync_support import (
    HUBS,
    ORGS,
    PARTNERSHIPS,
    REGISTRY_ID,
    TITLES,
    EndState,
    Stores,
    assert_same,
    copy,
    end_state,
    normalized,
    registry_items,
    trim,
)
from tests.wikibase_support import set_hub_status
from wikibot.adapters import files
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.errors import LocalFileError
from wikibot.jobs.bootstrap import bootstrap
from wikibot.ports import (
    EntitySaved,
    EntityStoreError,
    PageStoreError,
    Saved,
)
from wikibot.registry.kinds import KINDS
from wikibot.settings import init_workspace
from wikibot.wikibase.entity import registry_ids_of
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import term_key
from wikibot.wikitext.registry_edit import patch_entry
from wikibot.wikitext.registry_page import parse_registry_page

MAX_RERUNS = 3


# -- scenarios ------------------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    start: Path  # the workspace before the sync
    writes: list[str]  # what the uninterrupted sync wrote, in order
    want: EndState  # ... and where it ended
    check: Callable[[Stores], None]  # the human edits are there
    file_ops: list[str]  # the file operations of the uninterrupted sync, in order ("page:rename", see _positions)


def _human_edits(stores: Stores) -> None:
    """Edits on both sides, none conflicting: two pages and three items (one its label)."""
    entries = stores.entries()
    hubs = [e for e in entries.values() if e.kind.value == "hub"]
    partnerships = [e for e in entries.values() if e.kind.value == "partnership"]
    orgs = [e for e in entries.values() if e.kind.value == "organization"]
    editor = LocalPageStore(stores.root, user="An editor")

    def edit(title: str, registry_id: str, changes: dict[str, str | None]) -> None:
        page = editor.fetch_pages([title])[title]
        assert page is not None
        saved = editor.save_page(title, patch_entry(page.text, registry_id, changes), base=page, summary="an editor")
        assert isinstance(saved, Saved)

    edit(HUBS, hubs[0].id, {"status": "dormant", "languages": "en, fr"})
    edit(PARTNERSHIPS, partnerships[0].id, {"description": "Changed on the page by an editor"})
    set_hub_status(stores.entities, stores.mapping, hubs[1].item, "under-review")
    org = stores.entities.fetch_entities([orgs[0].item])[orgs[0].item]
    assert org is not None
    renamed = stores.entities.save_entity(orgs[0].item, {"labels": {"en": {"language": "en", "value": "Renamed in "
                                                                           "the Wikibase"}}},
                                          base_revid=org.revid, summary="a Wikibase editor")
    assert isinstance(renamed, EntitySaved), renamed


def _check_human_edits(stores: Stores) -> None:
    entries = stores.entries()
    hubs = [e for e in entries.values() if e.kind.value == "hub"]
    partnerships = [e for e in entries.values() if e.kind.value == "partnership"]
    orgs = [e for e in entries.values() if e.kind.value == "organization"]
    assert hubs[0].status == "dormant" and hubs[0].languages == ("en", "fr")
    assert partnerships[0].descriptions["en"] == "Changed on the page by an editor"
    assert hubs[1].status == "under-review"
    assert orgs[0].names["en"] == "Renamed in the Wikibase"
    item = partnerships[0].item  # the page's edit reached the item
    assert stores.entities.fetch_entities([item])[item].data["descriptions"]["en"]["value"] == (  # type: ignore[union-attr]
        "Changed on the page by an editor")


def _uninterrupted(start: Path, target: Path) -> tuple[list[str], EndState, list[str]]:
    copy(start, target)
    stores = Stores.open(target)
    writes = Writes()
    recorded = FaultyFiles()
    with files.using(recorded):
        run = stores.sync(FaultyPages(stores.pages, writes), FaultyEntities(stores.entities, writes))
    assert run.result is not None and run.clean, run.counts()
    again = stores.sync()
    assert again.carried is not None  # the next sync finds nothing changed: it reads nothing in full, writes nothing
    state = end_state(stores)
    stores.close()
    return writes.log, state, _positions(recorded.log)


def _positions(log: list[tuple[str, Path]]) -> list[str]:
    """Each file operation as "what:operation"; what: "counter" (entities/counters.json), "new entity"
    (an entity file created), "entity" (one replaced), "page", "record" (state/pages.json), "edits log",
    "change log" (entities/changes.log)."""
    whats: list[str] = []
    for op, path in log:
        name = path.name
        if name.startswith(".") and name.endswith(".tmp"):  # the temporary file of ".Q12.json.<random>.tmp"
            name = name[1:].rsplit(".", 2)[0]
        if op == "fsync_dir":  # of the directory of the file just written
            whats.append(whats[-1])
        elif name == "counters.json":
            whats.append("counter")
        elif re.fullmatch(r"[QP]\d+\.json", name):
            whats.append("entity")
        elif name == "pages.json":
            whats.append("record")
        elif name == "edits.jsonl":
            whats.append("edits log")
        elif name == "changes.log":
            whats.append("change log")
        else:
            assert name.endswith(".wiki"), name
            whats.append("page")
    starts = [i for i, (op, _) in enumerate(log) if op == "open"] + [len(log)]
    for start, end in itertools.pairwise(starts):  # one file written per "open"
        if any(op == "link" for op, _ in log[start:end]):
            whats[start:end] = ["new entity"] * (end - start)
    return [f"{what}:{op}" for what, (op, _) in zip(whats, log, strict=True)]


@pytest.fixture(scope="module", autouse=True)
def _no_fsync() -> Iterator[None]:
    """The stores' fsync is what makes a real power cut survivable; a simulated kill needs none,
    and the hundreds of runs here would spend most of their time waiting on the disk."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the workspaces go: in memory when the machine has a tmpfs (the SQLite state syncs
    every record to the disk, which would dominate the run time of hundreds of runs)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("faults")
        return
    base = Path(tempfile.mkdtemp(prefix="wikibot-faults-", dir=shm))
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def scenarios(scratch: Path, _no_fsync: None) -> Iterator[dict[str, Scenario]]:
    base = scratch / "prepared"
    base.mkdir()
    first = base / "first"
    init_workspace(first)
    trim(first)
    entities = LocalEntityStore(first)
    booted = bootstrap(entities, InstanceIds())
    assert not booted.problems
    (first / "wikibase-ids.json").write_text(booted.ids.render(), encoding="utf-8")
    first_writes, first_end, first_ops = _uninterrupted(first, base / "first-done")

    edited = copy(base / "first-done", base / "edited")
    stores = Stores.open(edited)
    _human_edits(stores)
    stores.close()
    edited_writes, edited_end, edited_ops = _uninterrupted(edited, base / "edited-done")
    check = Stores.open(base / "edited-done")
    _check_human_edits(check)
    check.close()
    yield {"first": Scenario("first", first, first_writes, first_end, lambda stores: None, first_ops),
           "edited": Scenario("edited", edited, edited_writes, edited_end, _check_human_edits, edited_ops)}


def test_the_scenarios_write_on_both_sides(scenarios: dict[str, Scenario]) -> None:
    first, edited = scenarios["first"].writes, scenarios["edited"].writes
    assert sum(w.startswith("entity new") for w in first) >= 8 and first.count(f"page {HUBS}") == 1
    assert sum(w.startswith("entity Q") for w in edited) == 2  # the two page edits, to their items
    assert {f"page {ORGS}", f"page {HUBS}"} <= set(edited)  # the two Wikibase edits, to their pages


def _rerun_until_done(root: Path) -> Stores:
    """Fresh stores (a new process) sync until a run has nothing left to write."""
    for _ in range(MAX_RERUNS):
        stores = Stores.open(root)
        run = stores.sync()
        if run.carried is not None:  # nothing changed since a run that finished
            assert run.carried.outcome == "ok", run.carried
            return stores
        assert run.result is not None, run.plan.guards
        if run.result.writes == 0:
            assert run.clean, run.counts()
            return stores
        stores.close()
    raise AssertionError(f"still writing after {MAX_RERUNS} reruns")


# Every write position of each scenario: the uninterrupted runs write this many times
# (test_every_write_position_is_covered checks it), one case per (scenario, mode, k).
# "first": the items (organisations, hubs, partnerships), the three pages, the report, the
# heartbeat; "edited": two items, two pages, the heartbeat.
MAX_WRITES = {"first": 19, "edited": 4}  # (the heartbeat is saved only when a job's state changes)
CASES = [(name, mode, k) for name, count in MAX_WRITES.items() for mode in MODES for k in range(1, count + 1)]


def test_every_write_position_is_covered(scenarios: dict[str, Scenario]) -> None:
    for name, scenario in scenarios.items():
        assert len(scenario.writes) == MAX_WRITES[name], (name, scenario.writes)


@pytest.mark.parametrize(("name", "mode", "k"), CASES, ids=[f"{n}-{m}-{k}" for n, m, k in CASES])
def test_a_run_stopped_at_the_kth_write_then_rerun_ends_as_an_uninterrupted_run(
    scenarios: dict[str, Scenario], scratch: Path, name: str, mode: Mode, k: int,
) -> None:
    scenario = scenarios[name]
    root = copy(scenario.start, scratch / f"{name}-{mode}-{k}")
    stores = Stores.open(root)
    writes = Writes(at=k, mode=mode)
    expected: type[BaseException] = Killed if mode.startswith("kill") else (EntityStoreError, PageStoreError)  # type: ignore[assignment]
    with pytest.raises(expected):
        stores.sync(FaultyPages(stores.pages, writes), FaultyEntities(stores.entities, writes))
    assert writes.fired and writes.log[:k] == scenario.writes[:k]  # the same run, up to the fault
    stores.close()
    done = _rerun_until_done(root)
    try:
        assert_same(end_state(done), scenario.want)
        scenario.check(done)
    finally:
        done.close()
    shutil.rmtree(root)


# -- an edit conflict in the middle of a run ---------------------------------------------------------

HUMAN_TEXT = "Edited by a human during the sync"
HUMAN_ALIAS = "Alias added by a human during the sync"


def _entry_dicts(stores: Stores, names: dict[str, str]) -> dict[str, Any]:
    """Every entry on the pages as JSON, item ids mapped to registry ids."""
    return {rid: normalized(entry.model_dump(mode="json"), names) for rid, entry in stores.entries().items()}


@pytest.mark.parametrize(("name", "k"), [(n, k) for n, count in MAX_WRITES.items() for k in range(1, count + 1)],
                         ids=[f"{n}-{k}" for n, count in MAX_WRITES.items() for k in range(1, count + 1)])
def test_a_human_edit_between_the_bots_read_and_its_kth_write_survives_and_the_rerun_converges(
    scenarios: dict[str, Scenario], scratch: Path, name: str, k: int,
) -> None:
    scenario = scenarios[name]
    root = copy(scenario.start, scratch / f"conflict-{name}-{k}")
    stores = Stores.open(root)
    human = LocalPageStore(root, user="An editor")
    touched: dict[str, str] = {}  # registry id -> what the human changed: "description" / "alias"

    def edit_page(title: str) -> None:
        page = human.fetch_pages([title])[title]
        assert page is not None
        last = parse_registry_page(page.text, title).entries[-1].id  # the last entry of the page
        saved = human.save_page(title, patch_entry(page.text, last, {"description": HUMAN_TEXT}), base=page,
                                summary="an editor, meanwhile")
        assert isinstance(saved, Saved)
        touched[last] = "description"

    def interfere(what: str) -> None:
        kind, _, target = what.partition(" ")
        if kind == "page" and target in TITLES:
            edit_page(target)
        elif kind == "entity" and not target.startswith("new"):
            entity = stores.entities.fetch_entities([target])[target]
            assert entity is not None
            aliases = [*entity.data.get("aliases", {}).get("en", []), {"language": "en", "value": HUMAN_ALIAS}]
            outcome = stores.entities.save_entity(target, {"aliases": {"en": aliases}}, base_revid=entity.revid,
                                                  summary="a Wikibase editor, meanwhile")
            assert isinstance(outcome, EntitySaved)
            rid = _registry_ids_of(entity.data, stores)
            touched[rid] = "alias"
        else:  # a new item, the report, the heartbeat: someone edits a registry page meanwhile
            edit_page(HUBS)

    writes = Writes(at=k, interfere=interfere)
    run = stores.sync(FaultyPages(stores.pages, writes), FaultyEntities(stores.entities, writes))
    assert writes.fired and run.result is not None
    for rid, change in touched.items():  # right after the run: what the human wrote is still there
        if change == "description":
            assert rid in _entries_with(stores, HUMAN_TEXT)
        else:
            item = registry_items(stores)[rid][0]
            entity = stores.entities.fetch_entities([item])[item]
            assert entity is not None and HUMAN_ALIAS in [a["value"] for a in entity.data["aliases"]["en"]]
    stores.close()
    done = _rerun_until_done(root)
    try:
        got = end_state(done)  # no duplicate item
        holders = registry_items(done)
        names = {items[0]: rid for rid, items in holders.items()}
        entries = _entry_dicts(done, names)
        for rid, change in touched.items():  # the human's edit is on both sides now
            entity = done.entities.fetch_entities(holders[rid])[holders[rid][0]]
            assert entity is not None
            if change == "description":
                assert entries[rid]["descriptions"]["en"] == HUMAN_TEXT
                assert entity.data["descriptions"]["en"]["value"] == HUMAN_TEXT
            else:
                assert HUMAN_ALIAS in entries[rid]["aliases"]["en"]
                assert HUMAN_ALIAS in [a["value"] for a in entity.data["aliases"]["en"]]
        want = scenario.want  # everything else as in the run without the human
        assert sorted(got.items) == sorted(want.items)
        for rid in want.items:
            if rid not in touched:
                assert got.items[rid] == want.items[rid], rid
                assert got.state[rid] == want.state[rid], rid
        scenario.check(done)
    finally:
        done.close()
    shutil.rmtree(root)


def _entries_with(stores: Stores, description: str) -> set[str]:
    return {rid for rid, entry in stores.entries().items() if entry.descriptions.get("en") == description}


def _registry_ids_of(data: Any, stores: Stores) -> str:
    value = data["claims"][stores.mapping.pid(REGISTRY_ID)][0]["mainsnak"]["datavalue"]["value"]
    assert isinstance(value, str)
    return value


# -- a kill or a full disk inside a write --------------------------------------------------------------

REPLACE = ("open", "write", "fsync", "close", "rename", "fsync_dir")  # files.replace
CREATE = ("open", "write", "fsync", "close", "link", "unlink", "fsync_dir")  # files.create
APPEND = ("open", "write", "fsync", "close")  # files.append
# What each scenario writes, and the operations of each: the first sync creates items (the counter,
# then the entity file) and saves pages (the page, its record, the edits log); the edited one
# replaces two items and saves pages.  test_every_kind_of_file_position_is_covered checks it.
FILE_WRITES = {
    "first": {"counter": REPLACE, "change log": APPEND, "new entity": CREATE, "page": REPLACE, "record": REPLACE,
              "edits log": APPEND},
    "edited": {"counter": REPLACE, "change log": APPEND, "entity": REPLACE, "page": REPLACE, "record": REPLACE,
               "edits log": APPEND},
}
ALL_POSITIONS = os.environ.get("WIKIBOT_FAULTS") == "all"
FILE_CASES = [(name, f"{what}:{op}", which, fault)
              for name, writes in FILE_WRITES.items() for what, ops in writes.items() for op in dict.fromkeys(ops)
              for which in ("first", "last") for fault in FILE_FAULTS if fault == "kill" or op in NEEDS_SPACE]


def _file_position(scenario: Scenario, position: str, which: str) -> int:
    """The 1-based number of the first or last file operation of this kind in the uninterrupted run."""
    found = [k for k, label in enumerate(scenario.file_ops, 1) if label == position]
    return found[0] if which == "first" else found[-1]


def test_every_kind_of_file_position_is_covered(scenarios: dict[str, Scenario]) -> None:
    for name, scenario in scenarios.items():
        kinds = {f"{what}:{op}" for what, ops in FILE_WRITES[name].items() for op in ops}
        assert set(scenario.file_ops) == kinds, name
        for what, ops in FILE_WRITES[name].items():  # each write as the adapters make it, and ...
            runs = [label.split(":")[1] for label in scenario.file_ops if label.startswith(what + ":")]
            assert tuple(runs[: len(ops)]) == ops, (name, what, runs[: len(ops)])
        for position in kinds:  # ... each kind at two places of the run at least
            assert _file_position(scenario, position, "first") < _file_position(scenario, position, "last"), position
    first = scenarios["first"].file_ops  # the counter is written before the entity file it gives out
    assert first.index("counter:fsync_dir") < first.index("new entity:open")


def _histories(root: Path) -> dict[str, list[Any]]:
    """Every entity file, which must be whole JSON."""
    found = {}
    for path in (root / "entities").glob("*.json"):
        if path.name != "counters.json":
            found[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return found


def _only_appended(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> None:
    """No entity overwritten or lost: each history before is the start of the one after."""
    for entity_id, history in before.items():
        assert entity_id in after, f"{entity_id} is gone"
        assert after[entity_id][: len(history)] == history, f"{entity_id} was overwritten"


def _revisions_increase(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> None:
    old = max(r["revid"] for history in before.values() for r in history)
    for entity_id, history in after.items():
        revids = [r["revid"] for r in history]
        assert revids == sorted(set(revids)), entity_id
        added = revids[len(before.get(entity_id, [])):]
        assert all(revid > old for revid in added), f"{entity_id}: a revision id below one given before"


def _one_entry_per_item(stores: Stores) -> None:
    """No two registry entries tied to one item, none still on a page retired."""
    entities = stores.entities.fetch_entities(stores.entities.entity_ids())
    for item, entity in entities.items():
        assert entity is not None
        assert len(registry_ids_of(entity.data, stores.mapping)) <= 1, f"{item} holds two registry ids"
    status = stores.mapping.pid("status")
    for registry_id, entry in stores.entries().items():
        assert entry.item is not None, registry_id
        entity = entities[entry.item]
        assert entity is not None and registry_ids_of(entity.data, stores.mapping) == [registry_id]
        retired = KINDS[entry.kind].retired
        if retired is not None and getattr(entry, "status", None) != retired:
            values = [s["mainsnak"].get("datavalue", {}).get("value", {}).get("id")
                      for s in entity.data["claims"].get(status, [])]
            assert stores.mapping.qid(term_key(retired)) not in values, f"{registry_id} retired while on a page"
    items = [s.item for s in stores.state.entries().values()]
    assert len(items) == len(set(items)), "two entries of the sync state on one item"


def _stopped_inside_a_write_then_rerun(scenario: Scenario, root: Path, k: int, fault: FileFault) -> None:
    before = _histories(root)
    stores = Stores.open(root)
    faulty = FaultyFiles(at=k, fault=fault)
    expected: type[BaseException] = Killed if fault == "kill" else LocalFileError
    with pytest.raises(expected) as stopped, files.using(faulty):
        stores.sync()
    def files_written(positions: list[str]) -> list[str]:  # (a creation stopped before its link looks the same)
        return [p.replace("new entity", "entity") for p in positions[:k]]

    assert faulty.fired and files_written(_positions(faulty.log)) == files_written(scenario.file_ops)  # the same run
    if fault == "full-disk":
        assert "No space left on device" in str(stopped.value) and str(root) in str(stopped.value)
    stores.close()
    interrupted = _histories(root)
    _only_appended(before, interrupted)
    done = _rerun_until_done(root)
    try:
        after = _histories(root)
        _only_appended(interrupted, after)
        _revisions_increase(before, after)
        _one_entry_per_item(done)
        assert_same(end_state(done), scenario.want)
        scenario.check(done)
    finally:
        done.close()


@pytest.mark.parametrize(("name", "position", "which", "fault"), FILE_CASES,
                         ids=[f"{n}-{p.replace(' ', '_')}-{w}-{f}" for n, p, w, f in FILE_CASES])
def test_a_run_killed_or_out_of_disk_inside_a_write_then_rerun_ends_as_an_uninterrupted_run(
    scenarios: dict[str, Scenario], scratch: Path, name: str, position: str, which: str, fault: FileFault,
) -> None:
    scenario = scenarios[name]
    k = _file_position(scenario, position, which)
    root = copy(scenario.start, scratch / f"files-{name}-{fault}-{k}")
    _stopped_inside_a_write_then_rerun(scenario, root, k, fault)
    shutil.rmtree(root)


if ALL_POSITIONS:  # every file operation position, only when asked (WIKIBOT_FAULTS=all: minutes)
    @pytest.mark.parametrize(("name", "fault"), [(n, f) for n in FILE_WRITES for f in FILE_FAULTS])
    def test_every_file_operation_position(scenarios: dict[str, Scenario], scratch: Path, name: str,
                                           fault: FileFault) -> None:
        scenario = scenarios[name]
        for k, position in enumerate(scenario.file_ops, 1):
            if fault == "full-disk" and position.split(":")[1] not in NEEDS_SPACE:
                continue
            root = copy(scenario.start, scratch / f"all-{name}-{fault}-{k}")
            try:
                _stopped_inside_a_write_then_rerun(scenario, root, k, fault)
            except AssertionError as error:
                error.add_note(f"at file operation {k} of {len(scenario.file_ops)}: {position}, {fault}")
                raise
            shutil.rmtree(root)
