"""The three-way merge (pure): every case of the table in wikibot/sync/merge.py, and its laws."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wikibot.sync.merge import flatten, merge, same, unflatten

BASE = {"status": "pilot", "countries": ["ID", "PH"], "names.en": "Hub"}


def test_unchanged_is_nothing() -> None:
    result = merge(BASE, BASE, BASE)
    assert not result.changes and not result.conflicts
    assert result.base_after({"page", "wikibase"}) == BASE


def test_changed_on_the_page_only_goes_to_the_item() -> None:
    result = merge(BASE, {**BASE, "status": "implementation"}, BASE)
    assert [(c.field, c.old, c.new, c.to) for c in result.changes] == [("status", "pilot", "implementation",
                                                                        "wikibase")]
    assert result.wikibase["status"] == "implementation" and result.page["status"] == "implementation"
    assert result.base_after(set())["status"] == "pilot"  # not written yet: the base stays
    assert result.base_after({"wikibase"})["status"] == "implementation"


def test_changed_in_the_wikibase_only_goes_to_the_page() -> None:
    result = merge(BASE, BASE, {**BASE, "countries": ["ID"]})
    assert [(c.field, c.to) for c in result.changes] == [("countries", "page")]
    assert result.page["countries"] == ["ID"]


def test_the_same_change_on_both_sides_is_nothing() -> None:
    both = {**BASE, "status": "closed"}
    result = merge(BASE, both, both)
    assert not result.changes and not result.conflicts and result.base_after(set())["status"] == "closed"


def test_different_changes_are_a_conflict_and_the_other_fields_still_merge() -> None:
    result = merge(BASE, {**BASE, "status": "closed", "names.en": "New"}, {**BASE, "status": "dormant"})
    assert [(c.field, c.base, c.page, c.wikibase) for c in result.conflicts] == [
        ("status", "pilot", "closed", "dormant")]
    assert result.page["status"] == "closed" and result.wikibase["status"] == "dormant"  # neither overwritten
    assert [(c.field, c.to) for c in result.changes] == [("names.en", "wikibase")]
    assert result.base_after({"page", "wikibase"})["status"] == "pilot"  # the conflict stays a conflict


def test_a_value_removed_on_one_side() -> None:
    result = merge(BASE, {k: v for k, v in BASE.items() if k != "status"}, BASE)
    assert [(c.field, c.old, c.new, c.to) for c in result.changes] == [("status", "pilot", None, "wikibase")]
    assert "status" not in result.wikibase and "status" not in result.base_after({"wikibase"})


def test_without_a_base_a_value_fills_an_empty_side_and_two_values_conflict() -> None:
    result = merge(None, {"status": "pilot", "website": "https://a.org"}, {"status": "dormant", "languages": ["id"]})
    assert {(c.field, c.to) for c in result.changes} == {("website", "wikibase"), ("languages", "page")}
    assert [c.field for c in result.conflicts] == ["status"]


def test_lists_compare_as_multisets_and_empty_is_absent() -> None:
    assert same(["PL", "CZ"], ["CZ", "PL"]) and not same(["PL"], ["PL", "PL"])
    assert same(None, []) and same({}, None) and not same("", "x")
    result = merge(BASE, {**BASE, "countries": ["PH", "ID"]}, BASE)
    assert not result.changes


def test_languages_of_a_multilingual_field_merge_separately() -> None:
    flat = flatten({"id": "x", "item": "Q1", "names": {"en": "A", "pl": "B"}, "aliases": {}, "status": None})
    assert flat == {"names.en": "A", "names.pl": "B"}  # the key and the item id are not merged; empties dropped
    assert unflatten(flat) == {"names": {"en": "A", "pl": "B"}}
    result = merge(flat, {**flat, "names.pl": "B2"}, {**flat, "names.fr": "C"})
    assert not result.conflicts
    assert result.page == result.wikibase == {"names.en": "A", "names.pl": "B2", "names.fr": "C"}


values = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]), st.lists(st.sampled_from(["x", "y"]), max_size=2))
sides = st.dictionaries(st.sampled_from(["f", "g", "h"]), values, max_size=3)


@settings(max_examples=300, deadline=None)
@given(base=st.one_of(st.none(), sides), page=sides, item=sides)
def test_after_a_merge_both_sides_agree_except_on_conflicts(base: Any, page: Any, item: Any) -> None:
    result = merge(base, page, item)
    conflicted = {c.field for c in result.conflicts}
    for name in set(result.page) | set(result.wikibase):
        if name not in conflicted:
            assert same(result.page.get(name), result.wikibase.get(name)), name
    for name in conflicted:  # a conflict writes neither side
        assert same(result.page.get(name), page.get(name)) and same(result.wikibase.get(name), item.get(name))
    for change in result.changes:  # a change never touches the side that made it
        source = page if change.to == "wikibase" else item
        assert same(change.new, source.get(change.field))
    again = merge(result.base_after({"page", "wikibase"}), result.page, result.wikibase)
    assert not again.changes and {c.field for c in again.conflicts} == conflicted  # idempotent
