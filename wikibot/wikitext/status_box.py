"""Status boxes (``{{Hub status}}``, ``{{Partnership status}}``) on entries' own pages.

A box is one template call whose parameters the bot owns in part: ``update_boxes``
changes only the owned parameters whose value differs, in place, keeping every other
parameter, the white space, comments and the rest of the page byte-for-byte; ``add_box``
puts a new box at the top of a page.  Values are plain text, escaped here, or ``Markup``:
wikitext built by our own code (links to validated titles, around escaped names), written as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Comment, Template

from .escape import escape_value
from .registry_page import normalize_template_name, read_param_value, template_name
from .template_edit import insert_param, set_value


@dataclass(frozen=True)
class BoxUpdate:
    """The page's new text, how many boxes it has, and the owned values that changed (old, new)."""

    text: str
    boxes: int
    changed: dict[str, tuple[str, str]]

class Markup(str):
    """Wikitext our code built from escaped text and validated titles (``[[Page|name]]``): written
    into a box as it is, compared with the box's wikitext as it is.  Never made from data alone."""

    __slots__ = ()


def link(title: str | None, name: str) -> Markup:
    """``name`` (plain text, escaped here), linked to ``title`` when there is one.  ``title`` must be a
    validated page title (``registry/titles.py``): it holds no link or template syntax."""
    shown = escape_value(name)
    return Markup(f"[[{title}|{shown}]]" if title else shown)


def _current(template: Template, param: str, markup: bool = False) -> str | None:
    """The plain value of ``param`` (None when absent; markup counts as a value to replace); with
    ``markup``, its wikitext (comments left out)."""
    if not template.has(param):
        return None
    if markup:
        value = template.get(param).value
        return "".join(str(n) for n in value.nodes if not isinstance(n, Comment)).strip()
    try:
        return read_param_value(template.get(param).value)
    except ValueError:
        return str(template.get(param).value).strip()


def _ranks(box: Template, owned: Mapping[str, int]) -> dict[str, float]:
    """Each parameter's place in the owned order.  One the bot does not own ranks just before the
    owned parameter that follows it (last when none does), so that a new owned parameter goes
    right after its owned predecessor, and the editors' parameters stay where they are."""
    ranks: dict[str, float] = {}
    following = float("inf")
    for param in reversed(box.params):
        name = str(param.name).strip()
        if name in owned:
            following = owned[name]
        else:
            ranks[name] = following - 0.5
    return {**ranks, **owned}


def update_boxes(text: str, name: str, values: Mapping[str, str], order: Sequence[str]) -> BoxUpdate:
    """Every ``{{name}}`` call on the page made to carry ``values`` (param -> plain text).

    ``order`` is the owned parameters' canonical order: a missing one is added after the
    owned parameters before it.  An unchanged page comes back as the same string.
    """
    code = mwparserfromhell.parse(text)
    wanted = normalize_template_name(name)
    boxes = [t for t in code.filter_templates(recursive=True) if template_name(t) == wanted]
    rank = {param: i for i, param in enumerate(order)}
    changed: dict[str, tuple[str, str]] = {}
    for box in boxes:
        for param, value in values.items():
            raw = isinstance(value, Markup)
            current = _current(box, param, raw)
            if current == value or (current is None and not value):  # an empty value is not added
                continue
            changed.setdefault(param, (current or "", value))
            if current is None:
                insert_param(box, param, value, rank=_ranks(box, rank).__getitem__, raw=raw)
            else:
                set_value(box.get(param), value, raw=raw)
    return BoxUpdate(str(code) if changed else text, len(boxes), changed)


def render_box(name: str, values: Mapping[str, str]) -> str:
    """A new box, one parameter a line (empty values left out)."""
    lines = [f"{{{{{name}"] + [f"| {param} = {value if isinstance(value, Markup) else escape_value(value)}"
                                for param, value in values.items() if value]
    return "\n".join(lines) + "\n}}"


def add_box(text: str, name: str, values: Mapping[str, str]) -> str:
    """The page with a new box at its top."""
    return render_box(name, values) + "\n" + text
