"""``bootstrap`` through the live store, against a stateful replayed Wikibase (replay/wikibase.py).

The replay keeps what was written (a local store answering in the captures' shapes), so a
second run sees what the first one created, as it would on a real instance.
"""

from pathlib import Path

import pytest

from replay.wikibase import replay_wikibase
from wikibot.jobs.bootstrap import bootstrap
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import PROPERTIES, vocabulary_items

ITEMS = list(vocabulary_items())
NEEDED = len(PROPERTIES) + len(ITEMS)


def test_bootstrap_twice_second_run_makes_no_write(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with replay_wikibase(monkeypatch, backend=tmp_path) as (store, replay):
        first = bootstrap(store, InstanceIds())
        assert not first.problems
        assert len(first.created) == NEEDED and not first.found
        new_items = [c for c in replay.calls_of("wbeditentity") if c.params.get("new") == "item"]
        new_properties = [c for c in replay.calls_of("wbeditentity") if c.params.get("new") == "property"]
        assert (len(new_properties), len(new_items)) == (len(PROPERTIES), len(ITEMS))
        assert replay.count("wbsearchentities") == NEEDED  # each looked up by label before it is created
        # Properties first: the items' statements may use them; each carries its datatype.
        assert {c.data()["datatype"] for c in new_properties} == {p.datatype for p in PROPERTIES}

        before = len(replay.calls)
        second = bootstrap(store, first.ids)
        after = replay.calls[before:]
        assert second.writes == 0 and not second.problems
        assert second.ids == first.ids
        assert [c.action for c in after] == ["wbgetentities"]  # every recorded id checked in one read
        assert len(after[0].params["ids"].split("|")) == NEEDED


def test_a_lost_ids_file_finds_everything_by_label_and_creates_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with replay_wikibase(monkeypatch, backend=tmp_path) as (store, replay):
        first = bootstrap(store, InstanceIds())
        before = len(replay.calls)
        again = bootstrap(store, InstanceIds())
        actions = [c.action for c in replay.calls[before:]]
        assert again.writes == 0 and not again.problems
        assert again.ids == first.ids and len(again.found) == NEEDED
        assert actions.count("wbeditentity") == 0 and actions.count("wbsearchentities") == NEEDED


def test_dry_run_reads_and_writes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with replay_wikibase(monkeypatch, backend=tmp_path) as (store, replay):
        planned = bootstrap(store, InstanceIds(), dry_run=True)
        assert len(planned.created) == NEEDED
        assert replay.count("wbeditentity") == 0
