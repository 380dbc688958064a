"""What an entry's plan depends on of the other entries is what it looked up (``EntryPlan.consulted``).

The incremental sync keys a kept plan by those lookups' answers (``jobs/memory.py``): an entry
elsewhere that is created, removed or renamed re-plans only the entries that asked about it.
That is sound only if a plan is the same whatever the owners and kinds hold beyond what it
looked up; hypothesis checks it on generated entries of every kind, with an item side and a merge
base drawn from other generated entries (conflicts, changes both ways, references to entries
that do not exist or are of the wrong kind, items that hold another registry id).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate_entries
from tests.wikibase_support import bootstrapped
from wikibot.ports import Entity, SyncedEntry
from wikibot.registry.check import Claim
from wikibot.registry.models import EntryKind
from wikibot.registry.problems import SourceRef
from wikibot.sync.merge import entry_values
from wikibot.sync.plan import Consulted, plan_entry
from wikibot.wikibase.entity import to_entity
from wikibot.wikibase.mapping import ResolvedMapping

KINDS = list(EntryKind)


@pytest.fixture(scope="module")
def mapping(tmp_path_factory: pytest.TempPathFactory) -> ResolvedMapping:
    return bootstrapped(Path(tmp_path_factory.mktemp("wikibase")))[1]


def test_the_recording_mapping_notes_every_lookup_and_a_walk_through_all() -> None:
    seen = Consulted({"a": 1, "b": 2})
    assert seen["a"] == 1 and "c" not in seen and seen.get("b") == 2 and seen.get("d") is None
    assert seen.asked == {"a", "b", "c", "d"} and not seen.everything
    assert sorted(seen) == ["a", "b"] and seen.everything
    other = Consulted({"a": 1})
    assert len(other) == 1 and other.everything


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(KINDS), pick=st.integers(0, 10**6),
       side=st.integers(0, 10**6),
       base=st.integers(0, 10**6), use_base=st.sampled_from(["none", "page", "other"]),
       holds=st.sampled_from(["own", "own", "own", "none", "other"]), drop=st.integers(0, 2**32 - 1),
       gaps=st.integers(0, 2**32 - 1),
       noise=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(KINDS)), max_size=6))
def test_a_plan_is_the_same_whatever_the_others_hold_beyond_what_it_looked_up(
        mapping: ResolvedMapping, seed: int, kind: EntryKind, pick: int, side: int, base: int, use_base: str,
        holds: str, drop: int, gaps: int, noise: list[tuple[int, EntryKind]]) -> None:
    entries = generate_entries(24, seed)
    items = {e.id: f"Q{1000 + i}" for i, e in enumerate(entries)}
    of_kind = [e for e in entries if e.kind == kind]
    entry = of_kind[pick % len(of_kind)]
    entry = entry.model_copy(update={"item": items[entry.id]})
    same_kind = [e for e in entries if e.kind == entry.kind]
    on_item = same_kind[side % len(same_kind)].model_copy(update={"id": entry.id})  # the item says other things
    item = items[entry.id]
    data: dict[str, Any] = to_entity(on_item, mapping, None, items)
    claims: dict[str, list[Any]] = {}  # as wbgetentities gives them: by property
    for statement in data.get("claims", []):
        claims.setdefault(statement["mainsnak"]["property"], []).append(statement)
    data["claims"] = claims
    if holds != "own":  # the item holds no registry id, or another entry's
        pid = mapping.pid("registry_id")
        if holds == "none":
            claims.pop(pid, None)
        else:
            other = entries[(pick + 1) % len(entries)].id
            claims[pid] = [{**s, "mainsnak": {**s["mainsnak"], "datavalue": {**s["mainsnak"]["datavalue"],
                                                                               "value": other}}}
                           for s in claims.get(pid, [])]
    entity = Entity(item, 7, {**data, "id": item, "lastrevid": 7})
    fields = {"none": None, "page": entry_values(entry),
              "other": entry_values(same_kind[base % len(same_kind)].model_copy(update={"id": entry.id}))}[use_base]
    synced = SyncedEntry(entry.id, item, "Page", fields, 1, 6) if fields is not None else None
    claim = Claim(entry.id, entry.kind, SourceRef("Page", 3), entry)
    rng = random.Random(gaps)  # some entries unknown or of another kind: references that fail their checks
    owners = {q: rid for rid, q in items.items() if rid == entry.id or rng.random() < 0.85}
    kinds = {e.id: (e.kind if rng.random() < 0.9 else rng.choice(KINDS)) for e in entries
             if e.id == entry.id or rng.random() < 0.85}

    plan = plan_entry(claim, entry, synced=synced, entity=entity, mapping=mapping, registry_ids=owners, kinds=kinds)
    assert plan.consulted is not None
    asked_items, asked_ids = plan.consulted
    if plan.problem is None:  # it checked the entries its wanted sides name
        named = {r for wanted in (plan.wanted_page, plan.wanted_item) if wanted is not None
                 for _, r in wanted.references()}
        assert named <= set(asked_ids)

    # everything it did not look up: dropped, changed, or joined by entries it never heard of
    rng = random.Random(drop)
    other_owners = {q: (rid if q in asked_items or rng.random() < 0.5 else f"x-{rid}")
                    for q, rid in owners.items() if q in asked_items or rng.random() < 0.7}
    other_kinds = {rid: (kind if rid in asked_ids or rng.random() < 0.5 else rng.choice(KINDS))
                   for rid, kind in kinds.items() if rid in asked_ids or rng.random() < 0.7}
    for n, kind in noise:
        if f"new-{n}" not in asked_ids:
            other_kinds[f"new-{n}"] = kind
        if f"Q{n}" not in asked_items:
            other_owners[f"Q{n}"] = f"new-{n}"
    again = plan_entry(claim, entry, synced=synced, entity=entity, mapping=mapping, registry_ids=other_owners,
                       kinds=other_kinds)
    assert again == plan
