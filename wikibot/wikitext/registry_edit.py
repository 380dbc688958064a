"""Registry pages written: entries as new template calls, and entries' calls changed in place.

``render_entry`` writes an entry as a new template call, ``render_registry_page`` a whole
page of them; ``patch_entry`` changes given parameters of one call in place, keeping
parameter order, white space and comments; ``update_entry`` brings one call in line with a
model (``patch_entries`` and ``update_entries`` do the same for many calls, parsing the page
once).  Pages are handled as mwparserfromhell node trees, never with patterns, so the bytes
outside what changes stay as they were.  Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.wikicode import Wikicode

from ..registry.models import Entry, EntryKind
from .escape import escape_value
from .params import entry_params, param_specs, same_value, split_param
from .registry_page import DEFAULT_NAMES, TemplateNames, read_param_value
from .template_edit import insert_param, set_value


def render_entry(entry: Entry, names: TemplateNames = DEFAULT_NAMES) -> str:
    """A new template call for ``entry``, one parameter a line."""
    lines = [f"{{{{{names.for_kind(entry.kind)}"]
    lines += [f"| {param} = {escape_value(value, link=_links(entry.kind, param))}"
              for param, value in entry_params(entry)]
    return "\n".join(lines) + "\n}}"


def render_registry_page(
    entries: list[Entry], names: TemplateNames = DEFAULT_NAMES, intro: str = ""
) -> str:
    """A whole registry page of ``entries``, after an optional introduction."""
    body = "\n".join(render_entry(e, names) for e in entries)
    return f"{intro}\n{body}\n" if intro else f"{body}\n"


class EntryNotFoundError(LookupError):
    """The entry to patch is not on the page, or is on it more than once."""


def _entry_templates(code: Wikicode, names: TemplateNames) -> dict[str, list[Template]]:
    """Every entry call on the page, by registry id (one pass over the page)."""
    found: dict[str, list[Template]] = {}
    for template in code.filter_templates(recursive=True):
        if names.kind_of_template(template) is None or not template.has("id"):
            continue
        try:
            found.setdefault(read_param_value(template.get("id").value), []).append(template)
        except ValueError:
            continue
    return found


def _the_entry(templates: Mapping[str, list[Template]], registry_id: str) -> Template:
    found = templates.get(registry_id, [])
    if len(found) != 1:
        raise EntryNotFoundError(
            f"{registry_id!r} is on the page {len(found)} times" if found
            else f"no entry {registry_id!r} on the page"
        )
    return found[0]


def _rank(kind: EntryKind, param: str) -> tuple[int, str]:
    found = split_param(kind, param)
    if found is None:
        return (10_000, param)
    spec, _ = found
    return (param_specs(kind).index(spec), "" if param == spec.param else param)


def _links(kind: EntryKind, param: str) -> bool:
    """True for a parameter whose value is a URL, written as a link."""
    found = split_param(kind, param)
    return found is not None and found[0].link


def _patch_template(template: Template, kind: EntryKind, changes: Mapping[str, str | None]) -> None:
    for name, value in changes.items():
        current = template.get(name) if template.has(name) else None
        current_text = read_param_value(current.value) if current is not None else ""
        if value is None or value == "":
            if current is not None and current_text:
                template.remove(current)
            continue
        if current is not None:
            if not same_value(kind, name, current_text, value):
                set_value(current, value, link=_links(kind, name))
        else:
            insert_param(template, name, value, rank=lambda n: _rank(kind, n), link=_links(kind, name))


def _template_changes(template: Template, entry: Entry) -> dict[str, str | None]:
    wanted = dict(entry_params(entry))
    changes: dict[str, str | None] = {}
    for param in template.params:
        name = str(param.name).strip()
        if split_param(entry.kind, name) is None:
            continue
        current = read_param_value(param.value)
        if name not in wanted:
            if current:
                changes[name] = None
        elif not same_value(entry.kind, name, current, wanted[name]):
            changes[name] = wanted[name]
    for name, value in wanted.items():
        if not template.has(name):
            changes[name] = value
    return changes


def patch_entries(
    text: str,
    changes: Mapping[str, Mapping[str, str | None]],
    names: TemplateNames = DEFAULT_NAMES,
) -> str:
    """Set (or, with None, remove) parameters of entries' calls: registry id -> {param: value}.

    The rest of the page stays byte-for-byte.  Values are plain text; they are escaped here.
    A parameter whose current value already means the new one is left untouched, so
    patching with unchanged values returns ``text``.  The page is parsed once.
    """
    if not any(changes.values()):
        return text
    code = mwparserfromhell.parse(text)
    templates = _entry_templates(code, names)
    for registry_id, entry_changes in changes.items():
        template = _the_entry(templates, registry_id)
        kind = names.kind_of_template(template)
        assert kind is not None
        _patch_template(template, kind, entry_changes)
    return str(code)


def patch_entry(
    text: str,
    registry_id: str,
    changes: Mapping[str, str | None],
    names: TemplateNames = DEFAULT_NAMES,
) -> str:
    """``patch_entries`` for one entry."""
    return patch_entries(text, {registry_id: changes}, names)


def entry_changes(
    text: str, entry: Entry, names: TemplateNames = DEFAULT_NAMES
) -> dict[str, str | None]:
    """The parameters of ``entry``'s call on the page that differ from ``entry``."""
    templates = _entry_templates(mwparserfromhell.parse(text), names)
    return _template_changes(_the_entry(templates, entry.id), entry)


def update_entries(text: str, entries: Iterable[Entry], names: TemplateNames = DEFAULT_NAMES) -> str:
    """The page with each entry's call made to say what the entry says, nothing else changed.

    One parse for the whole page; an unchanged page comes back as the same string.
    """
    code = mwparserfromhell.parse(text)
    templates = _entry_templates(code, names)
    changed = False
    for entry in entries:
        template = _the_entry(templates, entry.id)
        changes = _template_changes(template, entry)
        if changes:
            _patch_template(template, entry.kind, changes)
            changed = True
    return str(code) if changed else text


def update_entry(text: str, entry: Entry, names: TemplateNames = DEFAULT_NAMES) -> str:
    """``update_entries`` for one entry."""
    return update_entries(text, [entry], names)
