"""Registry pages read: one template call per entry among free text, read as nodes.

``parse_registry_page`` finds every entry template on a page and returns each entry with
its line, and every problem on the page; ``reparse_registry_page`` gives the same for a new
revision of a page parsed before, parsing again only the entry calls that changed;
``parse_registry`` reads several pages and checks the problems across them.  The names of
the entry templates (``TemplateNames``) and how a parameter's value reads
(``read_param_value``) are here too, shared with ``registry_edit``, which writes entries
into pages.  Nothing here does I/O, and nothing reads a page with patterns: pages are
handled as mwparserfromhell node trees (``reparse_registry_page`` checks the shape of a
changed call with one, but only to decide whether the parser may read the call on its own).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, HTMLEntity, Node, Tag, Template, Text
from mwparserfromhell.wikicode import Wikicode
from pydantic import ValidationError

from ..registry.check import NO_TERMS, Claim, Registry, ReservedTerms, assemble_registry
from ..registry.kinds import ENTRY_TYPES, KINDS
from ..registry.models import Entry, EntryKind
from ..registry.problems import Problem, ProblemCode, SourceRef
from .escape import unescape_value
from .params import (
    MISSING_MESSAGE,
    UnreadableValueError,
    pydantic_problems,
    read_value,
    split_param,
    suggest_param,
)


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
class PageLayout:
    """How a page parsed, kept with its parse so that ``reparse_registry_page`` can read a later
    revision again only where it changed (see there).  One entry per top-level node of the page."""

    digest: bytes  # of the page text parsed
    names: TemplateNames
    ends: tuple[int, ...]  # offset in the text where each top-level node ends
    # the index in ``claims`` of the one claim of a top-level registry call (no call nested in
    # it), -1 for every other node
    entries: tuple[int, ...]
    # what each such call holds (``ParsedPage.held_ids``, ``held_items``): its claim's and its
    # parameters'; None for other nodes, whose share is in ``other_ids``, ``other_items``
    holds: tuple[tuple[tuple[str, ...], tuple[str, ...]] | None, ...]
    other_ids: frozenset[str]
    other_items: frozenset[str]


@dataclass(frozen=True)
class ParsedPage:
    title: str
    claims: tuple[Claim, ...]
    page_problems: tuple[Problem, ...]  # problems outside any entry (an unclosed call)
    # What the page's template calls hold, whatever they are (broken, nested, misnamed): every
    # ``id`` they give (as ``loose_id`` reads it) and every item id in their parameters.  An
    # entry held here is not gone from the registry, however broken its call is.
    held_ids: frozenset[str] = frozenset()
    held_items: frozenset[str] = frozenset()
    # For ``reparse_registry_page``; None when a change of the page must be read by a full parse.
    # Not part of what the page says: two parses of one page are equal with it or without it.
    layout: PageLayout | None = field(default=None, compare=False, repr=False)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem on the page, the entries' included, in page order."""
        return tuple(sorted([p for c in self.claims for p in c.problems] + list(self.page_problems),
                            key=Problem.sort_key))

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(c.entry for c in self.claims if c.entry is not None)


class _Lines:
    """Offset -> 1-based line number, in O(log n) per look-up; ``first``: the line ``text`` starts on."""

    def __init__(self, text: str, first: int = 1) -> None:
        self._breaks = [i for i, c in enumerate(text) if c == "\n"]
        self._first = first

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._breaks, offset) + self._first


class _CountedLines(_Lines):
    """``_Lines`` for a text where few look-ups are made: each counts the line breaks before it."""

    def __init__(self, text: str) -> None:
        self._text = text

    def line(self, offset: int) -> int:
        return self._text.count("\n", 0, offset) + 1


# Tags whose content MediaWiki shows as it is, without expanding templates.
VERBATIM_TAGS = frozenset({"nowiki", "pre", "syntaxhighlight", "source", "math", "templatedata"})


def _walk(code: Wikicode, offset: int) -> Iterator[tuple[Node, int]]:
    """Every node below ``code`` with its offset in the page text, in document order.

    Templates are yielded but not entered (what is inside a template is its parameters),
    and neither are tags that show their content verbatim (an entry shown in ``<pre>`` is
    documentation, not an entry).
    """
    for node in code.nodes:
        text = str(node)
        yield from _walk_node(node, text, offset)
        offset += len(text)


def _walk_node(node: Node, text: str, offset: int) -> Iterator[tuple[Node, int]]:
    """``node`` (whose text is ``text``, at ``offset``) and the nodes below it, as ``_walk`` gives them."""
    yield node, offset
    verbatim = isinstance(node, Tag) and str(node.tag).strip().lower() in VERBATIM_TAGS
    if not isinstance(node, (Template, Text)) and not verbatim:
        cursor = 0
        for child in node.__children__():
            child_text = str(child)
            at = text.find(child_text, cursor)
            if at < 0:
                continue
            yield from _walk(child, offset + at)
            cursor = at + len(child_text)


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
            problems.append((name, where, _TWICE.format(lines.line(seen[name])), ProblemCode.DUPLICATE_PARAMETER))
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
    item = entry.item if entry is not None else _item_of(template)
    return Claim(registry_id, kind, source, None if reported else entry, reported,
                 {name: lines.line(at) for name, at in seen.items()}, item)


def _item_of(template: Template) -> str | None:
    """The item id the call's ``item`` names, however broken the rest of the call is."""
    if not template.has("item"):
        return None
    found = _ITEM_ID.search(str(template.get("item").value))
    return found.group(0).upper() if found else None


def parse_registry_page(
    text: str, title: str, names: TemplateNames = DEFAULT_NAMES
) -> ParsedPage:
    """Every entry on a registry page, and every problem, without stopping at the first."""
    code = mwparserfromhell.parse(text)
    lines = _Lines(text)
    claims: list[Claim] = []
    page_problems: list[Problem] = []
    ends: list[int] = []
    entries: list[int] = []
    holds: list[tuple[tuple[str, ...], tuple[str, ...]] | None] = []
    other_ids: set[str] = set()
    other_items: set[str] = set()
    loose = False  # see _may_enclose
    end = 0
    for top in code.nodes:
        top_text = str(top)
        first = len(claims)
        for node, offset in _walk_node(top, top_text, end):
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
        end += len(top_text)
        # what ``reparse_registry_page`` needs to read this node again on its own, or to keep it
        ends.append(end)
        ids, items = _holds(top, claims[first:])
        if (len(claims) == first + 1 and isinstance(top, Template)
                and names.kind_of_template(top) is not None):
            entries.append(first)
            holds.append((tuple(ids), tuple(items)))
        else:
            entries.append(-1)
            holds.append(None)
            other_ids.update(ids)
            other_items.update(items)
        loose = loose or _may_enclose(top, top_text)
    layout = None
    if not page_problems and not loose:
        layout = PageLayout(_digest(text), names, tuple(ends), tuple(entries), tuple(holds),
                            frozenset(other_ids), frozenset(other_items))
    page_problems.extend(_unclosed_comments(text, title, lines))
    held_ids, held_items = _held(holds, other_ids, other_items)
    return ParsedPage(title, tuple(claims), tuple(page_problems), held_ids, held_items, layout)


# -- reading a page again where it changed ------------------------------------------------------------
#
# ``reparse_registry_page`` keeps the parse of every top-level node of the old page that is still
# there byte for byte, and parses each entry call that changed on its own.  That gives what a full
# parse gives when the parser reads the new call on its own as it would within the page, and the
# call changes nothing around it.  Both hold when:
#
# * the old and the new call have the shape of ``_CLEAN_CALL``: no markup the parser could take for
#   the start of something it does not close within the call (no ``[``, ``]``, ``<``, ``>``, ``''``,
#   no brace but the call's own and those of ``{{!}}`` and ``{{=}}``, no line starting with ``=``),
#   only plain text, entities, complete comments (and links or lists read where they stand), and
#   nothing that ends a tag (``</``);
# * the call starts a line, and comes after every comment opened before it is closed;
# * nothing before the call can still be open around it: the parser gives up on markup it cannot
#   close, after reading on as far as the end of the page (and may then read the call within that
#   attempt, where e.g. its limit of nesting or a comment's end in the call could read it otherwise);
#   such markup is left in the page as text (a brace, a bracket, a ``<``, two quotes, an ``=`` that
#   starts a line), or was read again as a tag with attributes, as ``{{{``, or as five quotes
#   (``_may_enclose``).  A page with any is always parsed whole; so is a page with problems
#   outside its entries.
#
# The new call is then read, within the page, exactly as on its own, and the parser is left in the
# state the old call left it in.  Whatever does not meet all this (an edit outside entry calls, an
# entry added or removed, a call of another template) is read by a full parse.

_TWICE = "parameter given twice (also on line {})"
_TWICE_SHIFTED = re.compile(r"parameter given twice \(also on line ([0-9]+)\)")
_CLEAN_CALL = re.compile(
    r"\{\{(?!\{)(?:[^{}\[\]<>'\n]++|'(?!')|\n(?!=)|<!--.*?-->|\{\{[!=]\}\})*+\}\}", re.DOTALL)
_LOOSE_MARKUP = re.compile(r"[{\[<]|''|(?:^|\n)=")  # what the parser leaves of markup it gave up on
_MAX_CHANGED_SHARE = 3  # at most one entry call in so many read again; more, and a full parse is as quick


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _may_enclose(node: Node, text: str) -> bool:
    """Whether an attempt of the parser starting in top-level ``node`` (of text ``text``) may have
    stayed open past its end (see above)."""
    if isinstance(node, Comment) or (isinstance(node, Template) and _CLEAN_CALL.fullmatch(text)):
        return False
    if isinstance(node, Text):
        return _LOOSE_MARKUP.search(text) is not None
    if "{{{" in text or "'''''" in text:
        return True
    code = Wikicode([node])
    return (any(_LOOSE_MARKUP.search(str(t)) for t in code.filter_text(recursive=True))
            or any(t.attributes for t in code.filter_tags(recursive=True)))


def reparse_registry_page(
    old_text: str, old: ParsedPage, text: str, title: str, names: TemplateNames = DEFAULT_NAMES
) -> ParsedPage:
    """``parse_registry_page(text, title, names)``, given the parse ``old`` of an earlier revision
    ``old_text`` of the page (``parse_registry_page(old_text, title, names)``): only the entry calls
    that changed are parsed again when that surely gives the same (see above), else the whole page is."""
    again = _reparse(old_text, old, text, title, names)
    return again if again is not None else parse_registry_page(text, title, names)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b``."""
    size = min(len(a), len(b))
    low, step = 0, 4096
    high = min(step, size)
    while low < size and a[low:high] == b[low:high]:
        low, high = high, min(high + step, size)
    if low >= size:
        return size
    # a[:low] == b[:low]; a[:high] != b[:high]
    while high - low > 1:
        middle = (low + high) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle
    return low


def _common_suffix(a: str, b: str) -> int:
    """The length of the longest common suffix of ``a`` and ``b``."""
    return _common_prefix(a[::-1], b[::-1]) if a and b else 0


def _opens_comment_before(text: str, at: int) -> bool:
    """Whether a ``<!--`` before ``at`` in ``text`` is not closed before ``at``."""
    start = text.rfind("<!--", 0, at)
    return start >= 0 and text.find("-->", start + 4, at) < 0


def _shift_claim(claim: Claim, lines: int) -> Claim | None:
    """``claim`` moved down ``lines`` lines (None if one of its problems cannot be moved)."""
    problems = []
    for problem in claim.problems:
        reason = problem.reason
        if problem.code == ProblemCode.DUPLICATE_PARAMETER:
            found = _TWICE_SHIFTED.fullmatch(reason)
            if found is None:
                return None
            reason = _TWICE.format(int(found.group(1)) + lines)
        problems.append(Problem(SourceRef(problem.source.page, problem.source.line + lines), problem.registry_id,
                                problem.field, reason, problem.code))
    return claim.moved(SourceRef(claim.source.page, claim.source.line + lines), tuple(problems),
                       {name: line + lines for name, line in claim.param_lines.items()})


def _changed_calls(old_text: str, layout: PageLayout, text: str) -> list[tuple[int, int, int]] | None:
    """The top-level nodes of the old page lined up with the new text: each is there as it was, or
    is an entry call that became another call in its place, under the conditions above.  The
    latter, as (node, start and end of its new text); None if the new text is not so made."""
    ends = layout.ends
    prefix = _common_prefix(old_text, text)
    suffix = _common_suffix(old_text, text)
    node = bisect.bisect_right(ends, prefix)  # the first node not all in the common prefix
    at = ends[node - 1] if node else 0  # where it starts, in both texts
    changed: list[tuple[int, int, int]] = []
    limit = max(8, sum(1 for index in layout.entries if index >= 0) // _MAX_CHANGED_SHARE)
    while node < len(ends):
        start, end = ends[node - 1] if node else 0, ends[node]
        if len(old_text) - start == len(text) - at and len(text) - at <= suffix:
            return changed  # the rest is as it was
        if text.startswith(old_text[start:end], at):
            at += end - start
            node += 1
            continue
        call = _CLEAN_CALL.match(text, at)
        if (layout.entries[node] < 0 or call is None or len(changed) >= limit
                or not _CLEAN_CALL.fullmatch(old_text, start, end) or "</" in old_text[start:end]
                or "</" in call.group(0) or (at and text[at - 1] != "\n") or _opens_comment_before(text, at)):
            return None
        changed.append((node, at, call.end()))
        at = call.end()
        node += 1
    return changed if at == len(text) else None


def _reparse(old_text: str, old: ParsedPage, text: str, title: str, names: TemplateNames) -> ParsedPage | None:
    """``reparse_registry_page``, or None where only a full parse can tell."""
    layout = getattr(old, "layout", None)
    if (not isinstance(layout, PageLayout) or old.title != title or layout.names != names or not layout.ends
            or layout.ends[-1] != len(old_text) or _digest(old_text) != layout.digest):
        return None
    if text == old_text:
        return old
    changed = _changed_calls(old_text, layout, text)
    if not changed:
        return None
    claims = list(old.claims)
    holds = list(layout.holds)
    ends: list[int] = []
    lines = chars = 0  # how far the nodes after the last call read again moved down
    done = 0  # claims[:done] and ends[:len(ends)] are those of the new page
    for node, start, end in changed:
        call_text = text[start:end]
        code = mwparserfromhell.parse(call_text)
        template = code.nodes[0] if len(code.nodes) == 1 else None
        if not isinstance(template, Template) or str(template) != call_text:
            return None
        kind = names.kind_of_template(template)
        if kind is None or any(names.kind_of_template(t) is not None
                               for p in template.params for t in p.value.filter_templates(recursive=True)):
            return None
        index = layout.entries[node]
        if index >= len(claims):
            return None
        for i in range(done, index):
            moved = _shift_claim(claims[i], lines) if lines else claims[i]
            if moved is None:
                return None
            claims[i] = moved
        claim = _parse_entry(template, kind, title, 0, _Lines(call_text, old.claims[index].source.line + lines))
        claims[index] = claim
        done = index + 1
        ids, items = _holds(template, [claim])
        holds[node] = (tuple(ids), tuple(items))
        ends.extend(e + chars for e in layout.ends[len(ends):node])
        ends.append(end)
        old_start = layout.ends[node - 1] if node else 0
        lines += call_text.count("\n") - old_text.count("\n", old_start, layout.ends[node])
        chars = end - layout.ends[node]
    for i in range(done, len(claims) if lines else done):
        moved = _shift_claim(claims[i], lines)
        if moved is None:
            return None
        claims[i] = moved
    ends.extend(e + chars for e in layout.ends[len(ends):])
    held_ids, held_items = _held(holds, layout.other_ids, layout.other_items)
    again = PageLayout(_digest(text), names, tuple(ends), layout.entries, tuple(holds),
                       layout.other_ids, layout.other_items)
    problems = tuple(_unclosed_comments(text, title, _CountedLines(text)))
    return ParsedPage(title, tuple(claims), problems, held_ids, held_items, again)


_ITEM_ID = re.compile(r"(?<![A-Za-z0-9])[Qq][1-9][0-9]*(?![0-9])")


def loose_id(text: str) -> str:
    """A registry id as an editor may have mistyped it: lower case, ``_`` and spaces as ``-``."""
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def _holds(node: Node, claims: Sequence[Claim]) -> tuple[list[str], list[str]]:
    """The ids and item ids held by a top-level node of a page (see ``ParsedPage``), given the claims
    read from it: theirs, and those of every template call in it, however broken."""
    ids = [loose_id(c.registry_id) for c in claims if c.registry_id]
    items = [c.item for c in claims if c.item]
    if isinstance(node, Text):
        return ids, items
    for template in Wikicode([node]).filter_templates(recursive=True):
        for param in template.params:
            value = str(param.value)
            items.extend(match.upper() for match in _ITEM_ID.findall(value))
            if str(param.name).strip().lower() == "id":
                text = "".join(str(n) for n in param.value.nodes if not isinstance(n, Comment))
                ids.append(loose_id(unescape_value(text)))
    return ids, items


def _held(holds: Iterable[tuple[tuple[str, ...], tuple[str, ...]] | None], other_ids: Iterable[str],
          other_items: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """``ParsedPage.held_ids`` and ``held_items`` of a page, from what its nodes hold (``PageLayout``)."""
    ids, items = set(other_ids), set(other_items)
    for held in holds:
        if held is not None:
            ids.update(held[0])
            items.update(held[1])
    ids.discard("")
    return frozenset(ids), frozenset(items)


_VERBATIM_REGION = re.compile(r"(?is)<(nowiki|pre|syntaxhighlight|source|math|templatedata)\b[^>]*>.*?</\1\s*>")


def _unclosed_comments(text: str, title: str, lines: _Lines) -> Iterator[Problem]:
    """A ``<!--`` never closed (outside ``<nowiki>`` and the like): MediaWiki hides the rest of the
    page from it, where a parser of wikitext sees plain text; the page is left alone until it is
    closed."""
    if "<!--" not in text:
        return
    plain = _VERBATIM_REGION.sub(lambda m: " " * len(m.group(0)), text)
    at = plain.find("<!--")
    while at >= 0:
        end = plain.find("-->", at + 4)
        if end < 0:
            yield Problem(SourceRef(title, lines.line(at)), None, None,
                          "this '<!--' is never closed with '-->': on the wiki it hides the rest of the page",
                          ProblemCode.MALFORMED_TEMPLATE)
            return
        at = plain.find("<!--", end + 3)


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


def parse_registry(
    pages: Mapping[str, str],
    names: TemplateNames = DEFAULT_NAMES,
    *,
    retired_ids: Iterable[str] = (),
    reserved_terms: ReservedTerms = NO_TERMS,
) -> tuple[Registry, dict[str, ParsedPage]]:
    """The registry of several pages (title -> text), with problems across pages checked;
    ``reserved_terms``: labels and descriptions the Wikibase's own items hold."""
    parsed = {title: parse_registry_page(text, title, names) for title, text in pages.items()}
    claims = [c for page in parsed.values() for c in page.claims]
    page_problems = [p for page in parsed.values() for p in page.page_problems]
    return assemble_registry(claims, page_problems, retired_ids=retired_ids, reserved_terms=reserved_terms), parsed
