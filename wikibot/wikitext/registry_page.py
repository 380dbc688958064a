"""Registry pages: one template call per entry among free text, read and written as nodes.

``parse_registry_page`` finds every entry template on a page and returns each entry with
its line, and every problem on the page.  ``render_entry`` writes an entry as a new
template call; ``patch_entry`` changes given parameters of one call in place, keeping
parameter order, white space and comments; ``update_entry`` brings one call in line
with a model.  Nothing here does I/O, and nothing scans a page with patterns: pages are
handled as mwparserfromhell node trees, so the bytes outside what changes stay as they were.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, HTMLEntity, Node, Tag, Template, Text
from mwparserfromhell.wikicode import Wikicode
from pydantic import ValidationError

from ..registry.check import Claim, Registry, assemble_registry
from ..registry.kinds import ENTRY_TYPES, KINDS
from ..registry.models import Entry, EntryKind
from ..registry.problems import Problem, ProblemCode, SourceRef
from .escape import escape_value, unescape_value
from .params import (
    MISSING_MESSAGE,
    UnreadableValueError,
    entry_params,
    param_specs,
    pydantic_problems,
    read_value,
    same_value,
    split_param,
    suggest_param,
)
from .template_edit import insert_param, set_value


def normalize_template_name(name: str) -> str:
    """Template names as MediaWiki compares them: first letter case-insensitive, ``_`` = space."""
    name = " ".join(name.replace("_", " ").split())
    if name.lower().startswith("template:"):
        name = name[len("template:"):].lstrip()
    return name[:1].upper() + name[1:]


def template_name(template: Template) -> str:
    """The name a template call uses, as MediaWiki compares it (comments in it ignored)."""
    return normalize_template_name("".join(str(n) for n in template.name.nodes if not isinstance(n, Comment)))


class TemplateNames:
    """The names of the registry templates on the wiki (configurable per wiki; by default the
    ones ``registry/kinds.py`` declares), by kind: ``TemplateNames(hub="Hub")``."""

    def __init__(self, names: Mapping[EntryKind, str] | None = None, **by_kind: str) -> None:
        given: dict[EntryKind, str] = {EntryKind(kind): name for kind, name in [*(names or {}).items(),
                                                                                 *by_kind.items()]}
        self._names: dict[EntryKind, str] = {kind: given.get(kind, spec.template) for kind, spec in KINDS.items()}
        self._kinds = {normalize_template_name(name): kind for kind, name in self._names.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TemplateNames) and self._names == other._names

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._names.items())))

    def __repr__(self) -> str:
        return f"TemplateNames({self._names!r})"

    def for_kind(self, kind: EntryKind) -> str:
        return self._names[kind]

    def kind_of_template(self, template: Template) -> EntryKind | None:
        """The kind of entry a template call stands for (comments in its name ignored)."""
        return self.kind_of(template_name(template))

    def kind_of(self, name: str) -> EntryKind | None:
        return self._kinds.get(normalize_template_name(name))


DEFAULT_NAMES = TemplateNames()


@dataclass(frozen=True)
class ParsedPage:
    title: str
    claims: tuple[Claim, ...]
    page_problems: tuple[Problem, ...]  # problems outside any entry (an unclosed call)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem on the page, the entries' included, in page order."""
        return tuple(sorted([p for c in self.claims for p in c.problems] + list(self.page_problems),
                            key=Problem.sort_key))

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(c.entry for c in self.claims if c.entry is not None)


class _Lines:
    """Offset -> 1-based line number, in O(log n) per look-up."""

    def __init__(self, text: str) -> None:
        self._breaks = [i for i, c in enumerate(text) if c == "\n"]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._breaks, offset) + 1


# Tags whose content MediaWiki shows as it is, without expanding templates.
VERBATIM_TAGS = frozenset({"nowiki", "pre", "syntaxhighlight", "source", "math", "templatedata"})


def _walk(code: Wikicode, offset: int) -> Iterator[tuple[Node, int]]:
    """Every node below ``code`` with its offset in the page text, in document order.

    Templates are yielded but not entered (what is inside a template is its parameters),
    and neither are tags that show their content verbatim (an entry shown in ``<pre>`` is
    documentation, not an entry).
    """
    for node in code.nodes:
        yield node, offset
        text = None
        verbatim = isinstance(node, Tag) and str(node.tag).strip().lower() in VERBATIM_TAGS
        if not isinstance(node, (Template, Text)) and not verbatim:
            text = str(node)
            cursor = 0
            for child in node.__children__():
                child_text = str(child)
                at = text.find(child_text, cursor)
                if at < 0:
                    continue
                yield from _walk(child, offset + at)
                cursor = at + len(child_text)
        offset += len(text) if text is not None else len(str(node))


def _param_offsets(template: Template) -> list[int]:
    """Offset of each parameter's name within ``str(template)``."""
    offsets = []
    at = 2 + len(str(template.name))
    for param in template.params:
        offsets.append(at + 1)
        at += 1 + len(str(param))
    return offsets


# Markup the parser leaves in plain text: behaviour switches (``__NOTOC__``, any case), which
# MediaWiki applies to the whole page, and signatures (``~~~`` to ``~~~~~``), which it expands on save.
_TEXT_MARKUP = re.compile(
    r"~{3,}|__(?:NOTOC|FORCETOC|TOC|NOEDITSECTION|NEWSECTIONLINK|NONEWSECTIONLINK|NOGALLERY|HIDDENCAT|"
    r"EXPECTUNUSEDCATEGORY|NOCONTENTCONVERT|NOCC|NOTITLECONVERT|NOTC|START|END|INDEX|NOINDEX|"
    r"STATICREDIRECT|NOGLOBAL|DISAMBIG|EXPECTUNUSEDTEMPLATE|ARCHIVEDTALK|NOTALK)__",
    re.IGNORECASE,
)


def _decode_raw(value: Wikicode) -> tuple[str, str | None]:
    """(raw text with references undecoded, problem or None) for a parameter value."""
    parts: list[str] = []
    for node in value.nodes:
        markup = _TEXT_MARKUP.search(str(node)) if isinstance(node, Text) else None
        if markup:
            return "", f"contains markup ({markup.group(0)}); write plain text"
        if isinstance(node, (Text, HTMLEntity)):
            parts.append(str(node))
        elif isinstance(node, Comment):
            continue
        elif isinstance(node, ExternalLink) and not node.brackets:
            parts.append(str(node))
        elif isinstance(node, Tag) and str(node.tag).strip().lower() == "nowiki":
            parts.append(str(node.contents) if node.contents is not None else "")
        elif isinstance(node, Template) and normalize_template_name(str(node.name)) in ("!", "="):
            parts.append("&#124;" if str(node.name).strip() == "!" else "&#61;")
        else:
            shown = str(node)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            return "", f"contains markup ({shown}); write plain text"
    return "".join(parts), None


def read_param_value(value: Wikicode) -> str:
    """The plain text a parameter value stands for (comments dropped, references decoded)."""
    raw, problem = _decode_raw(value)
    if problem:
        raise ValueError(problem)
    return unescape_value(raw.strip())


def _parse_entry(
    template: Template, kind: EntryKind, title: str, offset: int, lines: _Lines
) -> Claim:
    source = SourceRef(title, lines.line(offset))
    problems: list[tuple[str | None, int, str, ProblemCode]] = []  # param, offset, reason, code
    data: dict[str, Any] = {}
    seen: dict[str, int] = {}
    failed: set[str] = set()
    registry_id: str | None = None
    for param, at in zip(template.params, _param_offsets(template), strict=True):
        where = offset + at
        name = str(param.name).strip()
        if not param.showkey:
            shown = "".join(str(n) for n in param.value.nodes if not isinstance(n, Comment)).strip()[:40]
            problems.append((None, where, f"parameter without a name ({shown!r}): write "
                             "'| name = value' (is an '=' missing?)",
                             ProblemCode.MALFORMED_TEMPLATE))
            continue
        if name in seen:
            problems.append((name, where, f"parameter given twice (also on line "
                             f"{lines.line(seen[name])})", ProblemCode.DUPLICATE_PARAMETER))
            continue
        seen[name] = where
        found = split_param(kind, name)
        if found is None:
            hint = suggest_param(kind, name)
            reason = f"unknown parameter {name!r}" + (f" (did you mean {hint!r}?)" if hint else "")
            problems.append((name, where, reason, ProblemCode.UNKNOWN_PARAMETER))
            continue
        spec, language = found
        raw, markup = _decode_raw(param.value)
        if markup:
            problems.append((name, where, markup, ProblemCode.INVALID_VALUE))
            failed.add(spec.field)
            continue
        text = unescape_value(raw.strip())
        if name == "id":
            registry_id = text or None
        if not text:
            continue
        try:
            value = read_value(spec, text)
        except UnreadableValueError as error:
            problems.append((name, where, str(error), error.code))
            failed.add(spec.field)
            continue
        if spec.multilingual:
            data.setdefault(spec.field, {})[language] = value
        else:
            data[spec.field] = value
    try:
        entry: Entry | None = ENTRY_TYPES[kind].model_validate(data)
    except ValidationError as error:
        entry = None
        for field_param, reason in pydantic_problems(kind, error):
            found = split_param(kind, field_param) if field_param else None
            missing = reason == MISSING_MESSAGE
            if missing and found is not None and found[0].field in failed:
                continue  # given, but unreadable: reported already
            code = ProblemCode.INCONSISTENT if field_param is None else (
                ProblemCode.MISSING_FIELD if missing else ProblemCode.INVALID_VALUE
            )
            problems.append((field_param, seen.get(field_param or "", offset), reason, code))
    reported = tuple(
        Problem(SourceRef(title, lines.line(at)), registry_id, name, reason, code)
        for name, at, reason, code in problems
    )
    return Claim(registry_id, kind, source, None if reported else entry, reported,
                 {name: lines.line(at) for name, at in seen.items()})


def parse_registry_page(
    text: str, title: str, names: TemplateNames = DEFAULT_NAMES
) -> ParsedPage:
    """Every entry on a registry page, and every problem, without stopping at the first."""
    code = mwparserfromhell.parse(text)
    lines = _Lines(text)
    claims: list[Claim] = []
    page_problems: list[Problem] = []
    for node, offset in _walk(code, 0):
        if isinstance(node, Template):
            kind = names.kind_of_template(node)
            nested = [t for p in node.params for t in p.value.filter_templates(recursive=True)
                      if names.kind_of_template(t) is not None]
            if kind is None:
                claims.extend(_inside_other(node, _nested_claims(node, nested, title, offset, lines, names)))
                continue
            claim = _parse_entry(node, kind, title, offset, lines)
            if nested:
                problem = Problem(claim.source, claim.registry_id, None,
                                  "another registry entry starts inside this one: a '}}' is "
                                  "probably missing", ProblemCode.MALFORMED_TEMPLATE)
                claim = Claim(claim.registry_id, kind, claim.source, None,
                              (*claim.problems, problem))
            claims.append(claim)
            # The entries inside are read as well: an entry swallowed by a missing "}}"
            # is broken, not gone.
            claims.extend(_nested_claims(node, nested, title, offset, lines, names))
        elif isinstance(node, Text):
            page_problems.extend(_unclosed_calls(str(node), offset, title, names, lines))
            for at in _stray_closings(str(node), offset, text):
                # Most often the entry above ended early, at a '}}' typed in a value; the page is
                # reported as malformed (which keeps the sync off it), the entries on it stay as read.
                above = f": the entry on line {claims[-1].source.line} may end early, at a '}}}}' typed in " \
                    "a value (write it &#125;&#125;)" if claims else ""
                page_problems.append(Problem(SourceRef(title, lines.line(at)), None, None,
                                             f"this '}}}}' closes no call{above}", ProblemCode.MALFORMED_TEMPLATE))
    return ParsedPage(title, tuple(claims), tuple(page_problems))


def _nested_claims(node: Template, nested: list[Template], title: str, offset: int, lines: _Lines,
                   names: TemplateNames) -> Iterator[Claim]:
    """The registry entries ``nested`` in the parameters of ``node``, each read where it stands."""
    outer = str(node)
    cursor = 0
    for inner in nested:
        inner_text = str(inner)
        at = outer.find(inner_text, cursor)
        cursor = at + len(inner_text)
        kind = names.kind_of_template(inner)
        assert kind is not None
        yield _parse_entry(inner, kind, title, offset + at, lines)


def _inside_other(node: Template, inside: Iterable[Claim]) -> Iterator[Claim]:
    """Registry entries in a parameter of another template (a collapsible box, a table row
    template): they claim their ids, so their items are not taken for removed, but they are
    not synced from there: the bot would have to edit inside a template it does not know."""
    wrapper = str(node.name).strip()
    for claim in inside:
        problem = Problem(claim.source, claim.registry_id, None,
                          f"inside {{{{{wrapper}}}}}: a registry entry is synced only where it stands on its own, "
                          f"outside any other template; move it out of {{{{{wrapper}}}}}", ProblemCode.NESTED_ENTRY)
        yield Claim(claim.registry_id, claim.kind, claim.source, None, (*claim.problems, problem))


def _stray_closings(node_text: str, offset: int, text: str) -> Iterator[int]:
    """Offsets of the ``}}`` in a text node that start a line of the page: closings of no call."""
    at = node_text.find("}}")
    while at >= 0:
        where = offset + at
        if not text[text.rfind("\n", 0, where) + 1:where].strip():
            yield where
        at = node_text.find("}}", at + 2)


def _unclosed_calls(
    text: str, offset: int, title: str, names: TemplateNames, lines: _Lines
) -> Iterator[Problem]:
    """A registry template call the parser could not close stays plain text: find it there."""
    start = text.find("{{")
    while start >= 0:
        rest = text[start + 2:]
        name = rest.split("|", 1)[0].split("\n", 1)[0].split("}", 1)[0]
        if names.kind_of(name) is not None:
            yield Problem(SourceRef(title, lines.line(offset + start)), _guess_id(rest), None,
                          f"the call of {{{{{name.strip()}}}}} is never closed: '}}}}' missing",
                          ProblemCode.MALFORMED_TEMPLATE)
        start = text.find("{{", start + 2)


def _guess_id(rest: str) -> str | None:
    """The id of an unclosed call, when it can be read from its first lines."""
    for part in rest.split("{{", 1)[0].split("|")[1:]:
        key, sep, value = part.partition("=")
        if sep and key.strip() == "id":
            return value.strip().split()[0] if value.strip() else None
    return None


def render_entry(entry: Entry, names: TemplateNames = DEFAULT_NAMES) -> str:
    """A new template call for ``entry``, one parameter a line."""
    lines = [f"{{{{{names.for_kind(entry.kind)}"]
    lines += [f"| {param} = {escape_value(value)}" for param, value in entry_params(entry)]
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
                set_value(current, value)
        else:
            insert_param(template, name, value, rank=lambda n: _rank(kind, n))


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


def parse_registry(
    pages: Mapping[str, str],
    names: TemplateNames = DEFAULT_NAMES,
    *,
    retired_ids: Iterable[str] = (),
) -> tuple[Registry, dict[str, ParsedPage]]:
    """The registry of several pages (title -> text), with problems across pages checked."""
    parsed = {title: parse_registry_page(text, title, names) for title, text in pages.items()}
    claims = [c for page in parsed.values() for c in page.claims]
    page_problems = [p for page in parsed.values() for p in page.page_problems]
    return assemble_registry(claims, page_problems, retired_ids=retired_ids), parsed
