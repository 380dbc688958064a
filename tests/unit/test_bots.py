"""Exclusion compliance: {{nobots}} and {{bots|allow=|deny=}} as Template:Bots defines them."""

import pytest

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
])
def test_bots_denial(text: str, denied: bool) -> None:
    reason = bots_denial(text, "RegistryBot@wikibot")  # a BotPassword login name: the app part is ignored
    assert (reason is not None) == denied, reason
