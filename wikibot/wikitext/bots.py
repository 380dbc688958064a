"""``{{nobots}}`` and ``{{bots|allow=…|deny=…}}``: may this bot edit a page?

The exclusion compliance of https://en.wikipedia.org/wiki/Template:Bots, as pywikibot's
``Page.botMayEdit`` reads it: ``{{nobots}}`` denies every bot; ``{{bots}}`` allows every
bot; ``allow=`` lists the only bots allowed (``all``/``none``); ``deny=`` the bots denied
(``all``/``none``).  Names are compared case-insensitively, without a BotPassword's
``@app`` suffix.  Templates inside ``<nowiki>``, ``<pre>`` and comments do not count.
"""

from __future__ import annotations

import re

import mwparserfromhell

NOBOTS = "nobots"
BOTS = "bots"
# A call that may be {{bots}} or {{nobots}}, looked for in the case-folded text first: on a
# page without one (nearly every registry page) the page is not parsed again, which is most
# of a no-op sync's local work on a large registry.  A name the parser reads as "bots" or
# "nobots" is always matched here (the parser compares the stripped, case-folded name).
_MAYBE = re.compile(r"\{\{\s*(?:no)?bots\s*(?:\||\}\})")


def _names(value: str) -> set[str]:
    return {name.strip().casefold() for name in value.split(",") if name.strip()}


def bots_denial(text: str, user: str) -> str | None:
    """Why ``user`` may not edit a page with this ``text``; None when it may."""
    if not _MAYBE.search(text.casefold()):
        return None
    return _parsed_denial(text, user)


def _parsed_denial(text: str, user: str) -> str | None:
    """``bots_denial`` from the parsed page, whatever the text."""
    me = user.split("@", 1)[0].strip().casefold()
    code = mwparserfromhell.parse(text, skip_style_tags=True)
    for template in code.filter_templates(recursive=True):
        name = str(template.name).strip().replace("_", " ").casefold()
        if name == NOBOTS:
            return "the page carries {{nobots}}"
        if name != BOTS:
            continue
        for param in template.params:
            key = str(param.name).strip().casefold()
            names = _names(str(param.value))
            if key == "allow":
                if "all" in names or me in names:
                    continue
                return f"{{{{bots|allow=…}}}} does not list {user.split('@', 1)[0]}"
            if key == "deny":
                if "none" in names:
                    continue
                if "all" in names or me in names:
                    return f"{{{{bots|deny=…}}}} denies {'every bot' if 'all' in names else user.split('@', 1)[0]}"
    return None
