"""Escaping of values written into template parameters.

``escape_value`` turns any text into wikitext that MediaWiki shows as that text and that
cannot change the structure of the page: no ``|``, braces, brackets or angle brackets
(template, link and tag syntax), no runs of ``''`` (bold/italic), ``__`` (magic words) or
``~~~`` (signatures), no line breaks or control characters, and no leading or trailing
white space (which MediaWiki trims from named parameters); and, unless the value is meant to
be a link (a URL parameter), no free external link (``https://…``, ``mailto:…``: the colon
of every URL protocol MediaWiki links) and no magic link (``ISBN 123…``).  Each such
character becomes a numeric character reference.  ``unescape_value`` is its exact inverse, and also reads the
references editors type by hand (``&amp;``, ``&nbsp;``, ``&#124;``).

These functions work on one parameter value; pages are never scanned with patterns.
"""

from __future__ import annotations

import re
import unicodedata
from html.entities import html5

_ALWAYS = frozenset("|{}[]<>")
# $wgUrlProtocols (MediaWiki 1.39's default) that make a free external link of plain text.
URL_PROTOCOLS = ("bitcoin", "ftp", "ftps", "geo", "git", "gopher", "http", "https", "irc", "ircs", "magnet",
                 "mailto", "matrix", "mms", "news", "nntp", "redis", "sftp", "sip", "sips", "sms", "ssh", "svn",
                 "tel", "telnet", "urn", "worldwind", "xmpp")
_LINKING = re.compile(r"(?i)(?<![A-Za-z0-9])(?:" + "|".join(URL_PROTOCOLS) + r")(?=:)"
                      r"|(?<![A-Za-z0-9])(?:ISBN|RFC|PMID)(?=[ \t\u00a0]+[0-9])")
_RUNS = {"'": 2, "_": 2, "~": 3}  # a run of at least this many is markup
_REFERENCE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _ref(char: str) -> str:
    return f"&#{ord(char)};"


def _needs_escape(char: str) -> bool:
    return char in _ALWAYS or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _run_lengths(text: str) -> list[int]:
    """For each position, the length of the run of identical characters it belongs to."""
    lengths = [0] * len(text)
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or text[i] != text[start]:
            for j in range(start, i):
                lengths[j] = i - start
            start = i
    return lengths


def _linking(text: str) -> set[int]:
    """Positions of the character that would make a link: a URL protocol's colon, the space after
    ``ISBN``/``RFC``/``PMID``."""
    return {match.end() for match in _LINKING.finditer(text)}


def escape_value(text: str, *, link: bool = False) -> str:
    """Wikitext for a template parameter value that reads back as exactly ``text``; ``link``: the
    value is a URL meant to be linked (a ``website``), its protocol left as it is."""
    runs = _run_lengths(text)
    last = len(text) - 1
    linking = set() if link else _linking(text)
    out: list[str] = []
    for i, char in enumerate(text):
        if (
            _needs_escape(char)
            or (char in _RUNS and runs[i] >= _RUNS[char])
            or ((i == 0 or i == last) and char.isspace())
            or i in linking
        ):
            out.append(_ref(char))
        elif char == "&" and _REFERENCE.match(text, i):
            out.append("&amp;")
        else:
            out.append(char)
    return "".join(out)


def escape_cell(text: str) -> str:
    """Wikitext for a table cell that reads back as exactly ``text``: ``escape_value``, and ``!``
    too, so that no value can start a cell, row or header of the table it stands in."""
    return escape_value(text).replace("!", _ref("!"))


MAX_SHOWN = 200  # characters of one value shown on a report page
MAX_ROWS = 200  # rows of one list or table on a report page; the rest are counted


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def show_text(text: str, limit: int = MAX_SHOWN) -> str:
    """Wikitext that shows ``text`` (shortened) as plain text on a page: no markup, no link."""
    return escape_value(shorten(text, limit))


def show_cell(text: str, limit: int = MAX_SHOWN) -> str:
    """``show_text`` for a table cell."""
    return escape_cell(shorten(text, limit))


def bounded(lines: list[str], limit: int = MAX_ROWS, more: str = "") -> list[str]:
    """At most ``limit`` of ``lines``, then one line saying how many were left out."""
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"''… and {len(lines) - limit} more{more}.''"]


def escape_summary(text: str) -> str:
    """Text for an edit summary that shows as itself: no ``[[link]]`` and no ``/* section */``
    (the only markup MediaWiki reads in a summary); line breaks become spaces."""
    text = " ".join(text.split())
    return (text.replace("[", "&#91;").replace("]", "&#93;").replace("/*", "/&#42;").replace("*/", "&#42;/"))


def _decode(match: re.Match[str]) -> str:
    body = match.group(1)
    if body.startswith("#"):
        number = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
        if number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF:
            return chr(number)
        return match.group(0)
    return html5.get(body + ";", match.group(0))


def unescape_value(wikitext: str) -> str:
    """The text a parameter value stands for: character references decoded, once."""
    return _REFERENCE.sub(_decode, wikitext)
