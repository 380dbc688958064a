"""Reading a registry page again where it changed (``reparse_registry_page``): for any page and any
edit, the same as a full parse of the new text, and parsing only the changed calls when it may.

Pages: the generated registries of bench/generate.py and pages of fuzzed entries with junk between
them (the strategies of test_fuzz_pages.py).  Edits: a value changed in a call, lines added to or
removed from a call, whole calls added or removed, an unclosed ``<!--``, a stray ``}}`` or ``{{``,
``<nowiki>`` and other markup typed anywhere, text between calls, edits at the very start and end,
a template renamed, several at once, and chains of edits each read from the last reparse.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import mwparserfromhell
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mwparserfromhell.nodes import Template

from bench.generate import generate_registry
from tests.unit.test_fuzz_pages import DANGEROUS, WMPL, entries, raw_text
from wikibot.wikitext import registry_page
from wikibot.wikitext.registry_edit import patch_entries, render_entry
from wikibot.wikitext.registry_page import (
    DEFAULT_NAMES,
    ParsedPage,
    TemplateNames,
    parse_registry_page,
    reparse_registry_page,
)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.data_too_large])
TITLE = "Organizations/Registry/1"

NAMES = ["Organization registry entry", "Hub registry entry", "Partnership registry entry",
         "organization_registry entry", "Template:Hub registry entry", "Hub registry entry<!-- x -->",
         "Infobox organisation", "Hub registry entries", "Hub registry entry\nx", "Registry navigation", ""]
PARAMS = ["id", "name", "name_de", "description", "website", "item", "type", "regions", "countries", "languages",
          "status", "established", "bogus", "alias", " website", "1"]
VALUES = ["", "x", "Q42", "q7", "https://changed.example.org/", "https&#58;//x.example.org", "user-group", "PL, DE",
          "2019", "2019-13", "a{{!}}b", "a &amp; b", "new-id", "wmpl", "x <!-- note --> y", "x\ny", "x\n\ny",
          "x\n=y", "[[x]]", "'''b'''", "<b>x</b>", "<nowiki>|</nowiki>", "a}b", "{{x}}", "x -- y", "* x", ": x",
          "~~~~", "__NOTOC__", "a:b", "''", "'"]
TOKENS = [*DANGEROUS, "<!-- c -->", "\n}}\n", "}}\n", "\n{{", "{{Hub registry entry\n| id = z\n", "</nowiki>", "<pre>",
          "</pre>", "\n== H ==\n", "\n=", "{|", "\n|}", "<div>", "</div>", "<ref>", "{{{", "}}}", "'''''", "''",
          "<span title=\"", "[http://x.example/ y]", "-->", "<!--"]


# -- pages --------------------------------------------------------------------------------------------

def generated_pages() -> st.SearchStrategy[str]:
    """A page of bench/generate.py (an introduction, headings, calls written as editors write them)."""
    return st.builds(lambda seed, n: next(iter(generate_registry(n, seed=seed, per_page=n).values())),
                     st.integers(0, 2**16), st.integers(3, 30))


@st.composite
def fuzzed_pages(draw: st.DrawFn) -> str:
    """Rendered entries with arbitrary text, and junk between them (as test_fuzz_pages.py makes them)."""
    made = [WMPL, *draw(entries())]
    junk = draw(st.lists(st.one_of(raw_text, st.just("\n")), min_size=1, max_size=4))
    parts = []
    for i, entry in enumerate(made):
        parts.append(junk[i % len(junk)])
        parts.append("\n" + render_entry(entry) + "\n")
    parts.append(junk[-1])
    return "".join(parts)


pages = st.one_of(generated_pages(), fuzzed_pages())


# -- edits --------------------------------------------------------------------------------------------

def _calls(text: str) -> list[tuple[int, int]]:
    """(start, end) of the page's top-level template calls."""
    found, at = [], 0
    for node in mwparserfromhell.parse(text).nodes:
        size = len(str(node))
        if isinstance(node, Template):
            found.append((at, at + size))
        at += size
    return found


def _first_call(text: str) -> tuple[int, int]:
    """The first organisation's call on a generated page."""
    return next(c for c in _calls(text) if text.startswith("{{Organization", c[0]))


def _line_starts(text: str, start: int, end: int) -> list[int]:
    """Offsets in [start, end] that start a line."""
    return [i for i in range(start, end + 1) if i == 0 or text[i - 1] == "\n"]


value = st.one_of(st.sampled_from(VALUES), raw_text, st.text(alphabet="abc -.:/&;#=|", max_size=12))


@st.composite
def edit(draw: st.DrawFn, text: str) -> str:
    """``text`` with one edit made."""
    calls = _calls(text)
    kinds = ["token", "text", "start_end", "insert_call"]
    if calls:
        kinds += ["value"] * 4 + ["add_line"] * 2 + ["remove_line"] * 2 + ["delete_call", "rename", "token_in_call"] * 2
    kind = draw(st.sampled_from(kinds))
    if kind == "token":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
    if kind == "text":  # typed where the page has no call
        outside = [i for i in range(len(text) + 1) if not any(s < i < e for s, e in calls)]
        at = draw(st.sampled_from(outside))
        typed = draw(st.one_of(st.sampled_from(["x", "\n", " ", "Some text.", "\n\n"]), raw_text))
        return text[:at] + typed + text[at:]
    if kind == "start_end":
        added = draw(st.one_of(st.sampled_from(["\n", "x", "{{", "}}", "<!--", "Intro\n"]), raw_text))
        return added + text if draw(st.booleans()) else text + added
    if kind == "insert_call":
        at = draw(st.sampled_from(_line_starts(text, 0, len(text))))
        if calls and draw(st.booleans()):
            start, end = draw(st.sampled_from(calls))
            call = text[start:end]
        else:
            call = render_entry(draw(entries())[0])
        return text[:at] + call + draw(st.sampled_from(["\n", "", " "])) + text[at:]
    start, end = draw(st.sampled_from(calls))
    call = text[start:end]
    if kind == "value":
        equals = [i for i, c in enumerate(call) if c == "="]
        if not equals:
            return text
        at = start + draw(st.sampled_from(equals)) + 1
        stop = at
        while stop < end - 2 and text[stop] not in "\n|":
            stop += 1
        return text[:at] + " " + draw(value) + text[stop:]
    if kind == "add_line":
        at = draw(st.sampled_from(_line_starts(text, start + 1, end - 1) or [end - 2]))
        line = f"{draw(st.sampled_from(['|', ' |', '| ', '']))}{draw(st.sampled_from(PARAMS))} = {draw(value)}\n"
        return text[:at] + line + text[at:]
    if kind == "remove_line":
        starts = _line_starts(text, start + 1, end - 1)
        if not starts:
            return text
        at = draw(st.sampled_from(starts))
        stop = text.find("\n", at, end)
        return text[:at] + text[stop + 1 if stop >= 0 else end:]
    if kind == "delete_call":
        return text[:start] + text[end + (1 if draw(st.booleans()) and text[end:end + 1] == "\n" else 0):]
    if kind == "rename":
        name_end = start + 2
        while name_end < end - 2 and text[name_end] not in "|\n}":
            name_end += 1
        return text[:start + 2] + draw(st.sampled_from(NAMES)) + text[name_end:]
    at = draw(st.integers(start, end))  # token_in_call
    return text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to four edits made, one after the other."""
    for _ in range(draw(st.integers(1, 4))):
        text = draw(edit(text))
    return text


# -- checks -------------------------------------------------------------------------------------------

def assert_same(got: ParsedPage, want: ParsedPage) -> None:
    """Equal parses, the parameters' lines (not compared by Claim) and the layout kept included."""
    assert got == want
    assert [c.param_lines for c in got.claims] == [c.param_lines for c in want.claims]
    assert [str(p) for p in got.problems] == [str(p) for p in want.problems]
    assert got.layout == want.layout
    # the digest a claim keeps (made once, carried when an edit above moves it) is that of the claim now
    assert [c.digest for c in got.claims] == [c.digest for c in want.claims]


@contextmanager
def parses() -> Iterator[list[int]]:
    """The length of every text mwparserfromhell parses for registry_page, meanwhile."""
    lengths: list[int] = []
    real: Callable[..., Any] = mwparserfromhell.parse

    def counted(text: str, *args: Any, **kwargs: Any) -> Any:
        lengths.append(len(text))
        return real(text, *args, **kwargs)

    registry_page.mwparserfromhell.parse = counted
    try:
        yield lengths
    finally:
        registry_page.mwparserfromhell.parse = real


def reparse(old_text: str, text: str, names: TemplateNames = DEFAULT_NAMES) -> tuple[ParsedPage, list[int]]:
    """The reparse of ``text`` from ``old_text`` (checked against a full parse), and what it parsed."""
    old = parse_registry_page(old_text, TITLE, names)
    assert all(c.digest for c in old.claims)  # made before: the claims the reparse keeps carry them
    with parses() as parsed:
        got = reparse_registry_page(old_text, old, text, TITLE, names)
    assert_same(got, parse_registry_page(text, TITLE, names))
    return got, parsed


def generated(n: int = 40, seed: int = 1) -> str:
    return next(iter(generate_registry(n, seed=seed, per_page=n).values()))


def new_websites(text: str, count: int) -> tuple[str, list[str]]:
    """``text`` with the website of ``count`` of its entries changed, as an editor would."""
    page = parse_registry_page(text, TITLE)
    ids = [c.entry.id for c in page.claims if c.entry is not None][::3][:count]
    return patch_entries(text, {i: {"website": f"https://changed-{i}.example.org/"} for i in ids}), ids


# -- the property -------------------------------------------------------------------------------------

@PROPERTY
@given(st.data(), pages)
def test_a_reparse_is_a_full_parse(data: st.DataObject, old_text: str) -> None:
    text = data.draw(edited(old_text))
    reparse(old_text, text)


@PROPERTY
@given(st.data(), generated_pages())
def test_edits_to_calls_of_a_generated_page_reparse_as_parsed(data: st.DataObject, old_text: str) -> None:
    """Values typed in the calls of a generated page (read by the fast path while the calls keep their
    shape), mixed with every other edit."""
    text = old_text
    for _ in range(data.draw(st.integers(1, 6))):
        calls = _calls(text)
        text = data.draw(edit(text)) if not calls else data.draw(st.one_of(edit(text), _value_edit(text, calls)))
    reparse(old_text, text)


@st.composite
def _value_edit(draw: st.DrawFn, text: str, calls: list[tuple[int, int]]) -> str:
    """A plain value typed in a call (what the fast path reads)."""
    start, end = draw(st.sampled_from(calls))
    equals = [i for i in range(start, end) if text[i] == "="]
    if not equals:
        return text
    at = draw(st.sampled_from(equals)) + 1
    stop = at
    while stop < end - 2 and text[stop] not in "\n|":
        stop += 1
    typed = draw(st.text(alphabet="abcXYZ019 -.,/:&#;\n", max_size=20))
    return text[:at] + " " + typed + text[stop:]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data(), pages)
def test_a_chain_of_reparses_is_a_full_parse(data: st.DataObject, text: str) -> None:
    """Each revision read from the reparse of the one before (as the sync keeps them)."""
    page = parse_registry_page(text, TITLE)
    for _ in range(data.draw(st.integers(2, 4))):
        new_text = data.draw(edited(text))
        if data.draw(st.booleans()):  # the digests made (as a sync makes them) and kept as the state keeps them
            assert all(c.digest for c in page.claims)
            page = pickle.loads(pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL))
        page = reparse_registry_page(text, page, new_text, TITLE)
        assert_same(page, parse_registry_page(new_text, TITLE))
        text = new_text


# -- the fast path ------------------------------------------------------------------------------------

def test_changed_websites_parse_only_the_changed_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    old_text = generated()
    text, ids = new_websites(old_text, 5)
    old = parse_registry_page(old_text, TITLE)
    assert old.layout is not None
    want = parse_registry_page(text, TITLE)

    def no_full_parse(*args: Any, **kwargs: Any) -> ParsedPage:
        raise AssertionError("the whole page was parsed")

    monkeypatch.setattr(registry_page, "parse_registry_page", no_full_parse)
    with parses() as parsed:
        got = reparse_registry_page(old_text, old, text, TITLE)
    assert len(parsed) == len(ids) and max(parsed) < 2000  # each changed call, on its own
    assert_same(got, want)


def _without_second_line(call: str) -> str:
    lines = call.split("\n")
    return "\n".join(lines[:1] + lines[2:])


@pytest.mark.parametrize("change", [
    pytest.param(lambda call: call.replace("\n}}", "\n| item = Q123\n}}"), id="line-added"),
    pytest.param(lambda call: call.replace("\n}}", "\n| website = https://x.example.org/ <!-- new -->\n}}"),
                 id="line-with-comment-added"),
    pytest.param(_without_second_line, id="line-removed"),
    pytest.param(lambda call: call.replace("Organization registry entry", "Hub registry entry", 1), id="renamed"),
    pytest.param(lambda call: call.replace("\n}}", "\n| bogus = 1\n| id = again\n}}"), id="broken"),
])
def test_edits_inside_a_call_parse_that_call_only(change: Callable[[str], str]) -> None:
    old_text = generated(30, seed=4)
    start, end = _first_call(old_text)  # every entry below it moves when it gains or loses lines
    text = old_text[:start] + change(old_text[start:end]) + old_text[end:]
    assert text != old_text
    _, parsed = reparse(old_text, text)
    assert parsed == [len(change(old_text[start:end]))]


def test_lines_in_problems_move_with_the_entries() -> None:
    """A parameter given twice names the line of the first: moved when lines are added above."""
    old_text = generated(20, seed=5)
    calls = [c for c in _calls(old_text) if "registry entry" in old_text[c[0]:c[1]] and "\n}}" in old_text[c[0]:c[1]]]
    start, end = calls[-1]
    old_text = old_text[:start] + old_text[start:end].replace("\n}}", "\n| type = other\n| type = other\n}}") \
        + old_text[end:]
    assert any(p.code == "duplicate-parameter" for p in parse_registry_page(old_text, TITLE).problems)
    start, end = calls[2]
    text = old_text[:start] + old_text[start:end].replace("\n}}", "\n| item = Q5\n| bogus =\n}}") + old_text[end:]
    _, parsed = reparse(old_text, text)
    assert len(parsed) == 1


# -- what is read by a full parse ---------------------------------------------------------------------

@pytest.mark.parametrize("change", [
    pytest.param(lambda t, s, e: t[:e] + "\n" + t[s:e] + t[e:], id="call-added"),
    pytest.param(lambda t, s, e: t[:s] + t[e + 1:], id="call-removed"),
    pytest.param(lambda t, s, e: t[:e - 2] + "<!--" + t[e - 2:], id="unclosed-comment-in-call"),
    pytest.param(lambda t, s, e: t[:e - 2] + "{{" + t[e - 2:], id="opened-call-in-call"),
    pytest.param(lambda t, s, e: t[:e] + "\n}}" + t[e:], id="stray-closing"),
    pytest.param(lambda t, s, e: t[:e - 2] + "<nowiki>" + t[e - 2:], id="nowiki-in-call"),
    pytest.param(lambda t, s, e: t[:e] + " text" + t[e:], id="text-between-calls"),
    pytest.param(lambda t, s, e: "Intro\n" + t, id="at-the-start"),
    pytest.param(lambda t, s, e: t + "\n{{Hub registry entry\n| id = new\n}}", id="at-the-end"),
    pytest.param(lambda t, s, e: t[:s + 2] + "Infobox" + t[s + 2 + len("Organization registry entry"):],
                 id="renamed-to-another-template"),
    pytest.param(lambda t, s, e: t[:e - 2] + "[[link]]" + t[e - 2:], id="link-in-call"),
])
def test_other_edits_are_read_by_a_full_parse(change: Callable[[str, int, int], str]) -> None:
    old_text = generated(30, seed=6)
    start, end = _first_call(old_text)
    text = change(old_text, start, end)
    _, parsed = reparse(old_text, text)
    assert len(text) in parsed


def test_markup_left_open_on_the_page_makes_it_parse_whole() -> None:
    """After an unclosed ``[[`` (or a ``{{``, ``<``, ``''`` left as text) the parser may read the
    calls below within what it tried; such a page is never read again in parts."""
    old_text = generated(20, seed=7)
    start, _ = _first_call(old_text)
    for markup in ["[[", "{{", "<div>", "''", "<!--"]:
        loose = old_text[:start] + markup + " x\n" + old_text[start:]
        assert parse_registry_page(loose, TITLE).layout is None
        text, _ = new_websites(loose, 2)
        _, parsed = reparse(loose, text)
        assert len(text) in parsed


def test_an_old_parse_without_its_layout_is_parsed_again() -> None:
    old_text = generated(20, seed=8)
    text, _ = new_websites(old_text, 2)
    old = parse_registry_page(old_text, TITLE)
    want = parse_registry_page(text, TITLE)
    # kept without its layout (made before there was one), or given with another text than its own
    for stale, stale_text in [(dataclasses.replace(old, layout=None), old_text), (old, old_text + " ")]:
        with parses() as parsed:
            got = reparse_registry_page(stale_text, stale, text, TITLE)
        assert_same(got, want)
        assert len(text) in parsed
    with parses() as parsed:  # parsed with other template names
        got = reparse_registry_page(old_text, old, text, TITLE, TemplateNames(hub="Hub"))
    assert got == parse_registry_page(text, TITLE, TemplateNames(hub="Hub")) and len(text) in parsed


def test_a_kept_parse_reparses_after_pickling() -> None:
    old_text = generated(20, seed=9)
    text, ids = new_websites(old_text, 3)
    old = pickle.loads(pickle.dumps(parse_registry_page(old_text, TITLE), protocol=pickle.HIGHEST_PROTOCOL))
    with parses() as parsed:
        got = reparse_registry_page(old_text, old, text, TITLE)
    assert_same(got, parse_registry_page(text, TITLE))
    assert len(parsed) == len(ids)


def test_an_unchanged_page_is_its_parse() -> None:
    old_text = generated(10, seed=10)
    old = parse_registry_page(old_text, TITLE)
    with parses() as parsed:
        assert reparse_registry_page(old_text, old, old_text, TITLE) is old
    assert parsed == []
