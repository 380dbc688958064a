"""Escaping of values written into template parameters.

``escape_value`` turns any text into wikitext that MediaWiki shows as that text and that
cannot change the structure of the page: no ``|``, braces, brackets or angle brackets
(template, link and tag syntax), no runs of ``''`` (bold/italic), ``__`` (magic words) or
``~~~`` (signatures), no line breaks or control characters, and no leading or trailing
white space (which MediaWiki trims from named parameters).  Each such character becomes a
numeric character reference.  ``unescape_value`` is its exact inverse, and also reads the
references editors type by hand (``&amp;``, ``&nbsp;``, ``&#124;``).

These functions work on one parameter value; pages are never scanned with patterns.
"""

from __future__ import annotations

import re
import unicodedata
from html.entities import html5

_ALWAYS = frozenset("|{}[]<>")
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


def escape_value(text: str) -> str:
    """Wikitext for a template parameter value that reads back as exactly ``text``."""
    runs = _run_lengths(text)
    last = len(text) - 1
    out: list[str] = []
    for i, char in enumerate(text):
        if (
            _needs_escape(char)
            or (char in _RUNS and runs[i] >= _RUNS[char])
            or ((i == 0 or i == last) and char.isspace())
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
