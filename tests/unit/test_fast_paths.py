"""The shortcuts taken for speed (issue 20) give what the long way gives."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate_entries
from wikibot.registry import models
from wikibot.sync.merge import entry_values
from wikibot.sync.plan import entry_from_values


def test_the_text_checks_are_the_unicode_categories_they_stand_for() -> None:
    for code_point in range(0x110000):
        char = chr(code_point)
        category = unicodedata.category(char)
        assert bool(models._NOT_TEXT.search(char)) == (category == "Cs" or char == "\ufffd"), hex(code_point)
        assert bool(models._NOT_ONE_LINE.search(char)) == (category in ("Cc", "Zl", "Zp")), hex(code_point)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 60))
def test_an_entry_unchanged_by_a_merge_is_the_entry_rebuilt_from_its_values(seed: int, n: int) -> None:
    """plan_entry keeps a side the merge does not change as it is, instead of validating it again
    from its flat values: the two are equal, for every kind and field the generator makes."""
    for entry in generate_entries(n, seed):
        for item in (entry.item, "Q42"):
            assert entry_from_values(entry.kind, entry.id, item, entry_values(entry)) == \
                entry.model_copy(update={"item": item})
