"""Editing one template call in place: a parameter's value changed, or a parameter added.

What the bot writes must look as if the page's editors had typed it: white space around
names and values, comments and the alignment of ``=`` signs are kept or imitated, so that
the bytes outside what changes stay as they were.  Values are plain text, escaped here
(``raw``: wikitext our own code built, from escaped text and validated titles, written as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import Comment, Template
from mwparserfromhell.nodes.extras import Parameter

from .escape import escape_value


def _split_ws(text: str) -> tuple[str, str]:
    """(white space before, white space after) the content of ``text``.

    For blank text, the spaces before a line break are the lead and the rest the trail.
    """
    core = text.strip()
    if not core:
        lead = text[: len(text) - len(text.lstrip(" \t"))]
        return lead, text[len(lead):]
    start = text.index(core[0])
    return text[:start], text[start + len(core):]


def set_value(param: Parameter, value: str, *, link: bool = False, raw: bool = False) -> None:
    """Give ``param`` a new value in place of its content, keeping white space and comments.

    The content runs from its first to its last character outside comments; what stands
    before and after it (spaces, line breaks, comments) stays.  A comment inside the
    content is kept too, after the new value.
    """
    text = str(param.value)
    content: list[int] = []
    inner_comments: list[str] = []
    at = 0
    for node in param.value.nodes:
        node_text = str(node)
        if not isinstance(node, Comment):
            content += [at + i for i, c in enumerate(node_text) if not c.isspace()]
        at += len(node_text)
    escaped = value if raw else escape_value(value, link=link)
    if not content:
        lead = text[: len(text) - len(text.lstrip(" \t"))]
        rest = text[len(lead):]
        if not lead and str(param.name).endswith((" ", "\t")):
            lead = " "
        new = lead + escaped + (" " + rest if rest.startswith("<!--") else rest)
    else:
        first, last = content[0], content[-1] + 1
        at = 0
        for node in param.value.nodes:
            if isinstance(node, Comment) and first <= at < last:
                inner_comments.append(str(node))
            at += len(str(node))
        kept = (" " + "".join(inner_comments)) if inner_comments else ""
        new = text[:first] + escaped + kept + text[last:]
    param.value = mwparserfromhell.parse(new)


def _aligned_column(params: list[Parameter]) -> int | None:
    """The column of the "=" signs when the names are padded to align them, else None."""
    widths = [len(str(p.name)) for p in params if p.showkey and "\n" not in str(p.name)]
    if len(widths) < 2:
        return None
    column = max(set(widths), key=widths.count)
    padded = any(str(p.name).endswith("  ") for p in params)
    return column if padded and widths.count(column) * 2 >= len(widths) else None


def insert_param(template: Template, name: str, value: str, *, rank: Callable[[str], Any],
                 link: bool = False, raw: bool = False) -> None:
    """Add a parameter before the first one ``rank`` puts after it, in the style of its neighbours.

    The last parameter's value carries the white space before ``}}``; a parameter appended
    after it takes that over, and the old last one gets the white space of the others.
    """
    params = template.params
    wanted = rank(name)
    index = next((i for i, p in enumerate(params) if rank(str(p.name).strip()) > wanted), len(params))
    style = params[max(0, min(index, len(params) - 1) - 1)]
    name_lead, name_trail = _split_ws(str(style.name))
    column = _aligned_column(params)
    if column is not None:
        name_text = name_lead + name + " " * max(1, column - len(name_lead) - len(name))
    else:
        name_text = name_lead + name + name_trail
    value_lead, value_trail = _split_ws(str(style.value))
    if index == len(params):
        last = params[-1]
        last_value = str(last.value)
        _, last_trail = _split_ws(last_value)
        if last_trail != value_trail:
            last.value = mwparserfromhell.parse(last_value[: len(last_value) - len(last_trail)]
                                                + value_trail)
        value_trail = last_trail
    text = value_lead + (value if raw else escape_value(value, link=link)) + value_trail
    params.insert(index, Parameter(mwparserfromhell.parse(name_text), mwparserfromhell.parse(text)))
