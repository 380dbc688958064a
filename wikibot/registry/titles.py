"""Page titles as MediaWiki reads them (pure): which text is a title, and which titles are one page.

MediaWiki (``MediaWikiTitleCodec::splitTitleString``) strips bidi marks, turns every kind of
space and ``_`` into one space, trims, drops one leading ``:``, and upper-cases the first
letter (``$wgCapitalLinks``, as on every Wikimedia wiki); it refuses the characters outside
``$wgLegalTitleChars`` (``# < > [ ] { } |`` and control characters), percent-encoded and
HTML-entity sequences, relative paths (``./``, ``/../``), ``~~~`` and titles over 255 bytes.
Two titles name one page when they normalise to the same text: ``hubs/Registry`` is
``Hubs/Registry``, ``A_b`` is ``A b``.  Namespaces are left as written (the scope of the
pages the bot may edit is decided elsewhere: ``status/refresh.out_of_scope``).
"""

from __future__ import annotations

import re

MAX_BYTES = 255
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e]+")
_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# $wgLegalTitleChars: " %!\"$&'()*,\-.\/0-9:;=?@A-Z\\^_`a-z~\x80-\xFF+" (any non-ASCII byte)
_ILLEGAL = re.compile(r"[^ %!\"$&'()*,\-./0-9:;=?@A-Z\\^_`a-z~+\u0080-\U0010ffff]"
                      r"|%[0-9A-Fa-f]{2}|&[A-Za-z0-9\u0080-\U0010ffff]+;")


def _ucfirst(text: str) -> str:
    if not text:
        return text
    upper = text[0].upper()
    return (upper if len(upper) == 1 else text[0]) + text[1:]


def normalize_title(text: str) -> str:
    """The title as MediaWiki stores it (with spaces): bidi marks gone, spaces collapsed, trimmed,
    one leading ``:`` dropped, the first letter upper-cased.  Text that is no title comes back
    cleaned the same way (``title_problem`` says why it is none)."""
    text = _SPACES.sub(" ", _BIDI.sub("", text)).strip(" ")
    if text.startswith(":"):
        text = text[1:].lstrip(" ")
    return _ucfirst(text)


def title_problem(text: str) -> str | None:
    """Why MediaWiki would refuse ``text`` as a page title, or None when it takes it."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text) or "\ufffd" in text:
        return "holds characters that are not valid Unicode text"
    title = normalize_title(text)
    if not title:
        return "is empty"
    bad = _ILLEGAL.search(title)
    if bad:
        shown = bad.group(0) if bad.group(0).isprintable() else f"U+{ord(bad.group(0)[0]):04X}"
        return f"holds {shown!r}, which a page title cannot hold"
    if title.startswith(":"):
        return "starts with ':'"
    if "." in title and (title in (".", "..") or title.startswith(("./", "../")) or "/./" in title
                         or "/../" in title or title.endswith(("/.", "/.."))):
        return "is a relative path ('./', '../'), which a page title cannot be"
    if "~~~" in title:
        return "holds '~~~', which a page title cannot hold"
    if len(title.encode("utf-8")) > MAX_BYTES:
        return f"is {len(title.encode('utf-8'))} bytes long; a page title is at most {MAX_BYTES}"
    return None


def same_page(a: str, b: str) -> bool:
    """True when two titles name one page."""
    return normalize_title(a) == normalize_title(b)
