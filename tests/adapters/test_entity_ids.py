"""The local entity store never reuses an id, never overwrites an entity, never loses a revision.

Whatever happens to ``entities/counters.json`` (lost, empty, cut short, not JSON, the wrong
shape, an older copy put back), whatever crash or full disk stops a save at one of its file
operations (tests/faults.py ``FaultyFiles``), and whether the next save comes from the same
process or a new one: a new entity gets an id no entity has or had, above every entity on
disk; every entity file stays whole JSON; each entity's history is only ever added to; and
revisions keep increasing.

The hypothesis test runs random sequences of all of that; the tests after it spell out the
cases of the issue.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults import FILE_FAULTS, NEEDS_SPACE, FaultyFiles, FileFault, Killed
from wikibot.adapters import files
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.errors import LocalFileError
from wikibot.ports import EntityOutcome, EntitySaved

COUNTER_DAMAGE = ("deleted", "empty", "cut short", "not json", "wrong shape", "zeroed", "older copy")
# The file operations of a creation: counters.json replaced, then the entity file created.
CREATE_OPERATIONS = ("open", "write", "fsync", "close", "rename", "fsync_dir",  # the counter
                     "open", "write", "fsync", "close",  # a line in the change log
                     "open", "write", "fsync", "close", "link", "unlink", "fsync_dir")  # the entity


def _terms(label: str) -> dict[str, Any]:
    return {"labels": {"en": {"language": "en", "value": label}}}


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    """A directory of its own per example, in memory when the machine has a tmpfs."""
    shm = Path("/dev/shm")
    base = tempfile.mkdtemp(prefix="wikibot-ids-", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None)
    try:
        yield Path(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _on_disk(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Every entity file, each checked: whole JSON, its own id, revisions increasing."""
    found = {}
    for path in (root / "entities").glob("*.json"):
        if path.name == "counters.json":
            continue
        history = json.loads(path.read_text(encoding="utf-8"))  # fails the test on a torn file
        assert isinstance(history, list) and history, path.name
        revids = [revision["revid"] for revision in history]
        assert revids == sorted(set(revids)), f"{path.name}: revisions not increasing: {revids}"
        assert {revision["entity"]["id"] for revision in history} == {path.stem}
        found[path.stem] = history
    return found


def _damage(counters: Path, how: str, copies: list[bytes]) -> None:
    data = counters.read_bytes() if counters.exists() else b'{"Q": 0, "P": 0, "revision": 0}'
    damaged = {
        "empty": b"",
        "cut short": data[: len(data) // 2],
        "not json": b"{not json",
        "wrong shape": b'{"Q": "7", "P": null, "revision": []}',
        "zeroed": b'{"Q": 0, "P": 0, "revision": 0}',
        "older copy": copies[0] if copies else b'{"Q": 0, "P": 0, "revision": 0}',
    }
    if how == "deleted":
        counters.unlink(missing_ok=True)
    else:
        counters.parent.mkdir(parents=True, exist_ok=True)
        counters.write_bytes(damaged[how])


def _recorded(root: Path) -> dict[str, int]:
    """What counters.json, as it is now, says was given out (nothing when it cannot be used)."""
    try:
        counters = json.loads((root / "entities" / "counters.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    usable = isinstance(counters, dict) and all(type(counters.get(k)) is int for k in ("Q", "P", "revision"))
    return counters if usable else {}


@dataclass
class Model:
    """What the test knows: the ids that exist or existed, the highest revision, each entity's history."""

    root: Path
    store: LocalEntityStore
    existed: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    forgotten: set[str] = field(default_factory=set)  # deleted, and the counter remembering them damaged since
    top_revision: int = 0  # the highest revision seen on disk
    floor: int = 0  # the highest revision the store can know of before a save: on disk or in the counter
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    copies: list[bytes] = field(default_factory=list)  # counters.json as it was after earlier steps
    made: int = 0

    def label(self) -> str:
        self.made += 1
        return f"entity {self.made}"

    def save(self, action: str, pick: int = 0) -> EntityOutcome:
        revisions = [r["revid"] for h in self.histories.values() for r in h]
        self.floor = max([*revisions, _recorded(self.root).get("revision", 0)])
        if action == "property":
            data = {**_terms(self.label()), "datatype": "string"}
            return self.store.save_entity(None, data, base_revid=None, summary="new", new="property")
        existing = sorted(self.histories)
        if action == "edit" and existing:
            entity_id = existing[pick % len(existing)]
            return self.store.save_entity(entity_id, _terms(self.label()), base_revid=None, summary="edit")
        return self.store.save_entity(None, _terms(self.label()), base_revid=None, summary="new")

    def saved(self, outcome: EntityOutcome, creation: bool) -> None:
        """A save that went through: checked against what existed before it."""
        assert isinstance(outcome, EntitySaved), outcome
        assert outcome.revid > self.floor, "a revision id below one the store could know"
        if not self.deleted:  # (a deleted entity's revisions are known to nothing once the counter is lost)
            assert outcome.revid > self.top_revision, "a revision id given twice"
        if creation:
            assert outcome.id not in self.existed - self.forgotten, f"{outcome.id} given again"
            numbers = [int(i[1:]) for i in self.histories if i[0] == outcome.id[0]]
            assert int(outcome.id[1:]) > max(numbers, default=0), "an id below an entity that exists"

    def step_done(self) -> None:
        """After every step: no history lost or rewritten, and the index finds every entity."""
        now = _on_disk(self.root)
        for entity_id, history in self.histories.items():
            if entity_id in now:
                assert now[entity_id][: len(history)] == history, f"{entity_id} was overwritten"
        for entity_id, history in now.items():
            label = history[-1]["entity"]["labels"]["en"]["value"]
            kind = "item" if entity_id[0] == "Q" else "property"
            assert entity_id in self.store.find_by_label(label, entity_type=kind)  # type: ignore[arg-type]
        self.histories = now
        self.existed |= set(now)
        self.top_revision = max([self.top_revision, *(r["revid"] for h in now.values() for r in h)])
        counters = self.root / "entities" / "counters.json"
        if counters.exists():
            self.copies.append(counters.read_bytes())


ACTIONS = st.sampled_from(["item", "property", "edit"])
STEPS = st.one_of(
    st.tuples(st.just("save"), ACTIONS, st.integers(0, 50)),
    st.tuples(st.just("counters"), st.sampled_from(COUNTER_DAMAGE), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.just(""), st.integers(0, 50)),
    st.tuples(st.just("reopen"), st.just(""), st.just(0)),
    st.tuples(st.sampled_from(FILE_FAULTS), ACTIONS, st.integers(1, len(CREATE_OPERATIONS))),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=5, max_size=30))
def test_ids_are_never_reused_nor_entities_overwritten_whatever_happens_to_the_counter(
        steps: list[tuple[str, str, int]]) -> None:
    with _scratch() as root:
        model = Model(root, LocalEntityStore(root))
        for kind, what, number in steps:
            if kind == "save":
                model.saved(model.save(what, number), creation=what != "edit" or not model.histories)
            elif kind == "counters":
                _damage(root / "entities" / "counters.json", what, model.copies)
                model.forgotten |= model.deleted  # nothing on disk remembers them now
            elif kind == "delete" and model.histories:
                victim = sorted(model.histories)[number % len(model.histories)]
                (root / "entities" / f"{victim}.json").unlink()
                model.deleted.add(victim)
                if _recorded(root).get(victim[0], 0) < int(victim[1:]):  # nothing remembers it now
                    model.forgotten.add(victim)
                del model.histories[victim]
            elif kind == "reopen":  # another process
                model.store = LocalEntityStore(root)
            elif kind in FILE_FAULTS:
                faulty = FaultyFiles(at=number, fault=kind)  # type: ignore[arg-type]
                creation = what != "edit" or not model.histories
                try:
                    with files.using(faulty):
                        outcome = model.save(what, number)
                except Killed:
                    model.store = LocalEntityStore(root)  # the process died; the next run is a new one
                except LocalFileError as error:
                    assert kind == "full-disk" and "No space left on device" in str(error)
                else:  # fewer operations than ``number``, or none needing space after a full disk
                    assert not faulty.fired or kind == "full-disk"
                    model.saved(outcome, creation)
            model.step_done()
        # The store still works, and a new entity is new.
        model.saved(model.save("item"), creation=True)
        model.step_done()


# -- the cases of the issue ------------------------------------------------------------------------------


@pytest.fixture
def root() -> Iterator[Path]:
    with _scratch() as path:
        yield path


def _three_items(root: Path) -> LocalEntityStore:
    store = LocalEntityStore(root)
    for label in ("hub (class)", "partnership (class)", "organisation (class)"):
        assert isinstance(store.save_entity(None, _terms(label), base_revid=None, summary="setup"), EntitySaved)
    assert isinstance(store.save_entity(None, {**_terms("registry id"), "datatype": "external-id"}, base_revid=None,
                                        summary="setup", new="property"), EntitySaved)
    return store


@pytest.mark.parametrize("same_process", [True, False], ids=["same-process", "new-process"])
@pytest.mark.parametrize("damage", COUNTER_DAMAGE)
def test_a_lost_or_damaged_counter_never_leads_to_an_overwrite(root: Path, damage: str, same_process: bool) -> None:
    store = _three_items(root)
    copy = (root / "entities" / "counters.json").read_bytes()
    edited = store.save_entity("Q1", _terms("hub (class), renamed"), base_revid=None, summary="edit")
    assert isinstance(edited, EntitySaved) and edited.revid == 5
    before = _on_disk(root)
    _damage(root / "entities" / "counters.json", damage, [copy])
    store = store if same_process else LocalEntityStore(root)
    item = store.save_entity(None, _terms("a new hub"), base_revid=None, summary="new")
    prop = store.save_entity(None, {**_terms("status"), "datatype": "string"}, base_revid=None, summary="new",
                             new="property")
    assert isinstance(item, EntitySaved) and isinstance(prop, EntitySaved)
    assert (item.id, prop.id) == ("Q4", "P2")
    assert item.revid == 6 and prop.revid == 7  # revisions go on from the highest in the files
    after = _on_disk(root)
    assert {i: after[i] for i in before} == before  # Q1 (with its history), Q2, Q3, P1: untouched
    assert json.loads((root / "entities" / "counters.json").read_text()) == {"Q": 4, "P": 2, "revision": 7}


@pytest.mark.parametrize("same_process", [True, False], ids=["same-process", "new-process"])
def test_the_id_of_a_deleted_entity_is_not_given_again(root: Path, same_process: bool) -> None:
    store = _three_items(root)
    (root / "entities" / "Q3.json").unlink()  # deleted, as an admin deletes an item
    store = store if same_process else LocalEntityStore(root)
    item = store.save_entity(None, _terms("a new hub"), base_revid=None, summary="new")
    assert isinstance(item, EntitySaved) and item.id == "Q4"


def test_a_creation_never_replaces_a_file_the_store_did_not_know_of(root: Path) -> None:
    store = _three_items(root)  # its index and counter are current: it would give Q4 next
    stray = json.loads((root / "entities" / "Q2.json").read_text())
    stray[0]["entity"]["id"] = "Q4"
    (root / "entities" / "Q4.json").write_text(json.dumps(stray))  # put there by hand, counter untouched
    item = store.save_entity(None, _terms("a new hub"), base_revid=None, summary="new")
    assert isinstance(item, EntitySaved) and item.id == "Q5"
    assert json.loads((root / "entities" / "Q4.json").read_text()) == stray


def test_a_creation_makes_the_file_operations_the_cases_below_stop(root: Path) -> None:
    _three_items(root)
    faulty = FaultyFiles()
    with files.using(faulty):
        LocalEntityStore(root).save_entity(None, _terms("first"), base_revid=None, summary="new")
    assert tuple(op for op, _ in faulty.log) == CREATE_OPERATIONS
    assert [path.name for _, path in faulty.log][4:6] == ["counters.json", "entities"]  # the counter first
    assert [path.name for _, path in faulty.log][6] == "changes.log"  # then noted in the change log
    assert [path.name for _, path in faulty.log][14:17:2] == ["Q4.json", "entities"]


STOPS = [(k, fault) for k, op in enumerate(CREATE_OPERATIONS, 1) for fault in FILE_FAULTS
         if fault == "kill" or op in NEEDS_SPACE]


@pytest.mark.parametrize(("k", "fault"), STOPS, ids=[f"{CREATE_OPERATIONS[k - 1]}-{k}-{f}" for k, f in STOPS])
def test_a_creation_stopped_at_any_file_operation_never_ties_two_creations_to_one_item(
        root: Path, k: int, fault: FileFault) -> None:
    """Kill or fill the disk at the k-th file operation of a creation (inside the counter's write,
    between it and the entity's, inside the entity's), then create again as a new process: the
    second gets an id of its own, the first (when it landed) is untouched."""
    _three_items(root)
    faulty = FaultyFiles(at=k, fault=fault)
    with pytest.raises(Killed if fault == "kill" else LocalFileError), files.using(faulty):
        LocalEntityStore(root).save_entity(None, _terms("first"), base_revid=None, summary="new")
    assert faulty.fired and {op for op, _ in faulty.log[k:]} <= {"close"}  # stopped there
    interrupted = _on_disk(root)
    landed = k > CREATE_OPERATIONS.index("link") + 1  # the entity file is linked in place
    assert ("Q4" in interrupted) == landed
    reserved = k > CREATE_OPERATIONS.index("rename") + 1  # counters.json was replaced: Q4 is given out
    second = LocalEntityStore(root).save_entity(None, _terms("second"), base_revid=None, summary="new")
    assert isinstance(second, EntitySaved) and second.id == ("Q5" if reserved else "Q4")
    after = _on_disk(root)
    assert {i: after[i] for i in interrupted} == interrupted  # the first creation, if it landed, untouched
    assert second.revid > max(r["revid"] for h in interrupted.values() for r in h)
    labels = [h[-1]["entity"]["labels"]["en"]["value"] for h in after.values()]
    assert labels.count("second") == 1 and labels.count("first") == int(landed)
    litter = [p.name for p in (root / "entities").iterdir() if p.name.endswith(".tmp")]
    assert not litter or fault == "kill"  # a failure cleans up; only a kill leaves a temporary file
