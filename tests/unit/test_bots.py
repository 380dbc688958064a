"""Exclusion compliance: {{nobots}} and {{bots|allow=|deny=}} as Template:Bots defines them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wikibot.wikitext import bots
from wikibot.wikitext.bots import bots_denial


@pytest.mark.parametrize(("text", "denied"), [
    ("plain text", False),
    ("{{nobots}}", True),
    ("{{Nobots}}", True),
    ("{{bots}}", False),
    ("{{bots|deny=all}}", True),
    ("{{bots|deny=none}}", False),
    ("{{bots|deny=Other, RegistryBot}}", True),
    ("{{bots|deny=registrybot}}", True),  # case-insensitive
    ("{{bots|deny=Other}}", False),
    ("{{bots|allow=none}}", True),
    ("{{bots|allow=all}}", False),
    ("{{bots|allow=RegistryBot}}", False),
    ("{{bots|allow=Other}}", True),
    ("<nowiki>{{nobots}}</nowiki>", False),
    ("<!-- {{nobots}} -->", False),
    ("{{Hub registry entry|id=x|note={{nobots}}}}", True),  # nested still counts
    ("{{ NoBots \n}}", True),
    ("{{bots\n| deny = all\n}}", True),
    ("{{no bots}}", False),
    ("{{nobotsy}}", False),
    ("{{Template:nobots}}", False),  # as pywikibot: the name must be exactly bots or nobots
    ("A page about robots and {{bot|x}}", False),
])
def test_bots_denial(text: str, denied: bool) -> None:
    reason = bots_denial(text, "RegistryBot@wikibot")  # a BotPassword login name: the app part is ignored
    assert (reason is not None) == denied, reason


_PIECES = st.sampled_from(["{{", "}}", "|", "=", " ", "\n", "bots", "nobots", "NoBots", "BOTS", "deny", "allow",
                           "all", "none", "RegistryBot", "<!--", "-->", "<nowiki>", "</nowiki>", "x", "ſ", "_"])


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_quick_check_never_changes_the_answer(text: str) -> None:
    """Skipping the parse on a page without a possible {{bots}} gives the full parse's answer."""
    assert bots_denial(text, "RegistryBot") == bots._parsed_denial(text, "RegistryBot")
