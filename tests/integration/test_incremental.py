"""Incremental syncs end where full syncs end (change detection, ``wikibot/jobs/reading.py``).

Hypothesis draws sequences of steps on the trimmed example workspace (``tests/sync_support.py``):
an editor's edit of a registry page (a status, a description, an entry removed, the same field
also changed in the Wikibase: a conflict), a Wikibase editor's edit of an item (a status, a
label), a sync killed or failing at its k-th write, and a sync.  The same sequence runs on two
copies of the workspace: one syncs as a scheduled job does (incremental, what changed only), the
other reads everything every time (``--full``).  After every sync that finishes, both copies are
in the same state: items by value, registry pages and the sync report byte-equal (item ids
mapped to registry ids), the sync state (the next merge's base) equal, the same things waiting
for a person.  And an incremental sync that finds nothing changed reads no item and writes nothing.
"""

from __future__ import annotations

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

from tests.faults import MODES, FaultyEntities, FaultyPages, Killed, Writes
from tests.sync_support import HUBS, ORGS, PARTNERSHIPS, TITLES, Stores, copy, end_state, trim
from tests.wikibase_support import set_hub_status
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.jobs.bootstrap import bootstrap
from wikibot.ports import EntitySaved, EntityStoreError, NoChange, PageStoreError, Saved
from wikibot.registry.vocab import HubStatus
from wikibot.settings import init_workspace
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikitext.registry_edit import patch_entry
from wikibot.wikitext.registry_page import parse_registry_page

STATUSES = [s.value for s in HubStatus]
TEXTS = st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=12).map(str.strip).filter(bool)


@dataclass(frozen=True)
class PageEdit:
    title: str
    index: int  # of the entry on the page (modulo how many there are)
    changes: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Removal:
    index: int  # of the hub taken off its page


@dataclass(frozen=True)
class ItemStatus:
    index: int  # of the hub whose item gets another status
    status: str


@dataclass(frozen=True)
class ItemLabel:
    index: int  # of the entry (any page) whose item is renamed
    label: str


@dataclass(frozen=True)
class NewEntry:
    name: str  # of a new organisation added to its page (named by no other entry yet)
    named_by: int | None  # the partnership (by place) that names it as a steward, if any


@dataclass(frozen=True)
class Crash:
    k: int  # the write the sync dies at (or fails at)
    mode: str


@dataclass(frozen=True)
class Sync:
    pass


STEPS = st.one_of(
    st.builds(PageEdit, st.just(HUBS), st.integers(0, 9),
              st.one_of(st.sampled_from(STATUSES).map(lambda s: (("status", s),)),
                        TEXTS.map(lambda t: (("description", t),)))),
    st.builds(PageEdit, st.just(PARTNERSHIPS), st.integers(0, 9), TEXTS.map(lambda t: (("description", t),))),
    st.builds(Removal, st.integers(0, 9)),
    st.builds(ItemStatus, st.integers(0, 9), st.sampled_from(STATUSES)),
    st.builds(ItemLabel, st.integers(0, 20), TEXTS),
    st.builds(NewEntry, TEXTS, st.one_of(st.none(), st.integers(0, 9))),
    st.builds(Crash, st.integers(1, 6), st.sampled_from(MODES)),
    st.just(Sync()),
)


def _page_entries(stores: Stores, title: str) -> list[Any]:
    return list(parse_registry_page(stores.text(title), title).entries)


def new_organization(registry_id: str, name: str) -> str:
    return (f"{{{{Organization registry entry\n| id = {registry_id}\n| name = {name}\n"
            f"| description = added by a test ({registry_id})\n| type = user-group\n}}}}\n")


def _apply(step: Any, stores: Stores) -> None:
    """A person's edit, made the same way on either copy (entries picked by their place)."""
    if isinstance(step, NewEntry):
        editor = LocalPageStore(stores.root, user="An editor")
        page = editor.fetch_pages([ORGS])[ORGS]
        assert page is not None
        taken = {e.id for e in _page_entries(stores, ORGS)}
        registry_id = next(f"org-new-{n}" for n in range(1, 1000) if f"org-new-{n}" not in taken)
        text = page.text.rstrip("\n") + "\n" + new_organization(registry_id, step.name)
        assert isinstance(editor.save_page(ORGS, text, base=page, summary="an editor"), Saved)
        if step.named_by is not None:
            partnerships = _page_entries(stores, PARTNERSHIPS)
            partnership = partnerships[step.named_by % len(partnerships)]
            page = editor.fetch_pages([PARTNERSHIPS])[PARTNERSHIPS]
            assert page is not None
            stewards = ", ".join([*partnership.stewards, registry_id])
            text = patch_entry(page.text, partnership.id, {"stewards": stewards})
            if text != page.text:
                assert isinstance(editor.save_page(PARTNERSHIPS, text, base=page, summary="an editor"), Saved)
        return
    if isinstance(step, PageEdit | Removal):
        title = step.title if isinstance(step, PageEdit) else HUBS
        entries = _page_entries(stores, title)
        if not entries:
            return
        entry = entries[step.index % len(entries)]
        editor = LocalPageStore(stores.root, user="An editor")
        page = editor.fetch_pages([title])[title]
        assert page is not None
        if isinstance(step, PageEdit):
            text = patch_entry(page.text, entry.id, dict(step.changes))
        else:
            start = page.text.index(f"| id = {entry.id}\n")
            start = page.text.rindex("{{", 0, start)
            text = page.text[:start] + page.text[page.text.index("}}\n", start) + 3:]
        if text != page.text:
            assert isinstance(editor.save_page(title, text, base=page, summary="an editor"), Saved)
        return
    if isinstance(step, ItemStatus):
        hubs = [e for e in _page_entries(stores, HUBS) if e.item]
        hub = hubs[step.index % len(hubs)] if hubs else None
        if hub is not None and _status_in_wikibase(stores, hub.item) != step.status:  # (the same: no edit)
            set_hub_status(stores.entities, stores.mapping, hub.item, step.status)
        return
    if isinstance(step, ItemLabel):
        entries = [e for title in TITLES for e in _page_entries(stores, title) if e.item]
        if not entries:
            return
        item = entries[step.index % len(entries)].item
        entity = stores.entities.fetch_entities([item])[item]
        assert entity is not None
        saved = stores.entities.save_entity(item, {"labels": {"en": {"language": "en", "value": step.label}}},
                                            base_revid=entity.revid, summary="a Wikibase editor")
        assert isinstance(saved, EntitySaved | NoChange), saved
        return
    raise AssertionError(step)


def _status_in_wikibase(stores: Stores, item: str) -> str:
    entity = stores.entities.fetch_entities([item])[item]
    assert entity is not None
    value = entity.data["claims"][stores.mapping.pid("status")][0]["mainsnak"]["datavalue"]["value"]["id"]
    return next(s for s in STATUSES if stores.mapping.qid(f"hub-status:{s}") == value)


def _sync(root: Path, *, full: bool, crash: Crash | None = None) -> Any:
    """One run in a fresh process (fresh stores); a crash: the run dies or fails at its k-th write."""
    stores = Stores.open(root)
    try:
        if crash is None:
            return stores.sync(full=full)
        writes = Writes(at=crash.k, mode=crash.mode)  # type: ignore[arg-type]
        try:
            stores.sync(FaultyPages(stores.pages, writes), FaultyEntities(stores.entities, writes), full=full)
        except (Killed, PageStoreError, EntityStoreError):
            pass
        return None
    finally:
        stores.close()


def _waiting(run: Any) -> list[str]:
    """What the run leaves for a person, without the wording of its kind of run."""
    return sorted(run.attention())


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The trimmed example registry, bootstrapped and synced once (its items created)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)  # a simulated kill needs no durable disk
        base = Path(tempfile.mkdtemp(prefix="wikibot-incremental-",
                                     dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None))
        root = base / "synced"
        init_workspace(root)
        trim(root)
        booted = bootstrap(LocalEntityStore(root), InstanceIds())
        assert not booted.problems
        (root / "wikibase-ids.json").write_text(booted.ids.render(), encoding="utf-8")
        first = _sync(root, full=False)
        assert first.mode == "full" and first.result is not None and first.clean
        yield root
        shutil.rmtree(base, ignore_errors=True)


@settings(max_examples=int(os.environ.get("WIKIBOT_INCREMENTAL_EXAMPLES", "12")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=1, max_size=8).map(lambda steps: [*steps, Sync()]))
def test_incremental_syncs_end_where_full_syncs_end(synced: Path, steps: list[Any]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        work = Path(tempfile.mkdtemp(dir=synced.parent))
        try:
            incremental, full = copy(synced, work / "incremental"), copy(synced, work / "full")
            for number, step in enumerate(steps):
                if isinstance(step, Crash):
                    _sync(incremental, full=False, crash=step)
                    _sync(full, full=True, crash=step)
                    continue
                if not isinstance(step, Sync):
                    for root in (incremental, full):
                        stores = Stores.open(root)
                        _apply(step, stores)
                        stores.close()
                    continue
                fast = _sync(incremental, full=False)
                slow = _sync(full, full=True)
                where = f"after step {number} of {steps}"
                if fast.carried is None:
                    assert fast.mode == "incremental" or fast.why, where
                assert _waiting(fast) == _waiting(slow), where
                a, b = Stores.open(incremental), Stores.open(full)
                try:
                    got, want = end_state(a), end_state(b)
                finally:
                    a.close()
                    b.close()
                assert sorted(got.items) == sorted(want.items), where
                for rid in want.items:
                    assert got.items[rid] == want.items[rid], f"{rid} {where}"
                for title in want.pages:
                    assert got.pages[title] == want.pages[title], f"{title} {where}"
                assert got.state == want.state, where
                assert got.others == want.others, where
        finally:
            shutil.rmtree(work, ignore_errors=True)


@dataclass
class Counted:
    """A workspace's stores, and syncs through them that note each item read and each write."""

    stores: Stores
    writes: Writes = field(default_factory=Writes)
    reads: list[str] = field(default_factory=list)

    def sync(self) -> Any:
        reads = self.reads

        class Counting(FaultyEntities):
            def fetch_entities(self, ids: Any) -> Any:
                reads.extend(ids)
                return super().fetch_entities(ids)

        pages, entities = FaultyPages(self.stores.pages, self.writes), Counting(self.stores.entities, self.writes)
        return self.stores.sync(pages, entities)

    def sync_expecting(self, reads: list[str], writes: list[str], why: str = "") -> Any:
        """An incremental sync that finds all in agreement after it, having read ``reads`` (items, in
        any order) and written ``writes``; the counts start again after it."""
        run = self.sync()
        assert run.mode == "incremental" and run.result is not None and run.clean
        assert sorted(self.reads) == sorted(reads), why
        assert self.writes.log == writes
        self.reads.clear()
        self.writes.log.clear()
        return run

    def full_finds_nothing_to_do(self) -> None:
        full = self.stores.sync(full=True)
        assert full.mode == "full" and full.result is not None and full.result.writes == 0 and full.clean


def test_a_sync_that_finds_nothing_changed_reads_no_item_and_writes_nothing(synced: Path, tmp_path: Path) -> None:
    stores = Stores.open(copy(synced, tmp_path / "ws"))
    watch = Counted(stores)
    writes, reads = watch.writes, watch.reads

    run = watch.sync()
    assert run.carried is not None and run.mode == "incremental" and run.clean
    assert writes.log == [] and reads == []
    settled = stores.sync(full=True)  # after the first (which created the items): every plan known
    assert settled.mode == "full" and settled.result is not None and settled.result.writes == 0
    _apply(ItemStatus(0, "dormant"), stores)  # one item changed: only it is read
    changed = watch.sync()
    assert changed.mode == "incremental" and changed.carried is None
    hub = _page_entries(stores, HUBS)[0]
    assert reads == [hub.item] and writes.log == [f"page {HUBS}"]  # the status written to the hubs page
    stores.close()


def test_what_a_sync_wrote_is_not_read_again_by_the_next(synced: Path, tmp_path: Path) -> None:
    """The entries a run carried through are kept as of after its writes (the page as saved, the
    item as the Wikibase answered): the next run reads only what changed since, and ends where a
    full reconciliation ends."""
    stores = Stores.open(copy(synced, tmp_path / "ws"))
    watch = Counted(stores)

    assert stores.sync(full=True).result.writes == 0  # after the first (which created the items): settled
    hubs = _page_entries(stores, HUBS)
    _apply(PageEdit(HUBS, 0, (("description", "changed on the page"),)), stores)  # -> the item
    _apply(ItemStatus(1, "dormant" if hubs[1].status != "dormant" else "active"), stores)  # -> the page
    watch.sync_expecting([hubs[0].item, hubs[1].item], [f"entity {hubs[0].item}", f"page {HUBS}"])
    partnership = _page_entries(stores, PARTNERSHIPS)[0]
    _apply(PageEdit(PARTNERSHIPS, 0, (("description", "another change"),)), stores)
    watch.sync_expecting([partnership.item], [f"entity {partnership.item}"],
                         "the entries written by the run before are read again")
    watch.full_finds_nothing_to_do()
    stores.close()


def test_a_new_entry_costs_its_creation_not_a_read_of_the_others(synced: Path, tmp_path: Path) -> None:
    """What an entry's plan looked up of the others is part of its key: a new entry re-plans only
    the entries that name it (here: none), and the run after its creation reads nothing of it."""
    stores = Stores.open(copy(synced, tmp_path / "ws"))
    watch = Counted(stores)
    writes, reads = watch.writes, watch.reads

    assert stores.sync(full=True).result.writes == 0  # after the first (which created the items): settled
    _apply(NewEntry("A new user group", None), stores)
    created = watch.sync()
    assert created.mode == "incremental" and created.result is not None and created.clean
    assert created.result.created == ["org-new-1"]
    assert reads == [], "a new entry made the sync read the other entries' items"
    new_item = next(e.item for e in _page_entries(stores, ORGS) if e.id == "org-new-1")
    assert writes.log == ["entity new item", f"page {ORGS}"] and new_item
    writes.log.clear()
    partnership = _page_entries(stores, PARTNERSHIPS)[0]
    _apply(PageEdit(PARTNERSHIPS, 0, (("stewards", ", ".join([*partnership.stewards, "org-new-1"])),)), stores)
    watch.sync_expecting([partnership.item], [f"entity {partnership.item}"], "only the entry that changed is read")
    watch.full_finds_nothing_to_do()
    stores.close()


def test_the_write_that_would_make_two_items_alike_is_the_one_skipped(synced: Path, tmp_path: Path) -> None:
    """An item that has its name and description already keeps them: the entry whose merge would
    give its item the same ones is skipped, whichever comes first on the page, in an incremental
    sync as in a full one (the Wikibase would refuse that write, not the other)."""
    roots = {mode: copy(synced, tmp_path / mode) for mode in ("incremental", "full")}
    plans = {}
    for mode, root in roots.items():
        stores = Stores.open(root)
        assert stores.sync(full=True).result.writes == 0
        first, second = _page_entries(stores, HUBS)[:2]
        # the first hub's item is renamed to the second's name on the Wikibase, and its page gets the
        # second's description: merged, the first item would be called and described as the second
        entity = stores.entities.fetch_entities([first.item])[first.item]
        assert entity is not None
        saved = stores.entities.save_entity(
            first.item, {"labels": {"en": {"language": "en", "value": second.names["en"]}}},
            base_revid=entity.revid, summary="a Wikibase editor")
        assert isinstance(saved, EntitySaved)
        _apply(PageEdit(HUBS, 0, (("description", second.descriptions["en"]),)), stores)
        run = stores.sync(full=mode == "full")
        assert run.mode == mode
        plans[mode] = {p.registry_id: p for p in run.plan.entries}
        assert plans[mode][first.id].problem is not None and "would be those of" in plans[mode][first.id].problem
        assert second.id not in plans[mode] or plans[mode][second.id].problem is None
        stores.close()
    a, b = Stores.open(roots["incremental"]), Stores.open(roots["full"])
    try:
        assert end_state(a).state == end_state(b).state
        assert end_state(a).pages == end_state(b).pages
    finally:
        a.close()
        b.close()
