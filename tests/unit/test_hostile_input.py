"""Hostile and extreme values in every kind of registry field (tests/cases/hostile.cases).

Each value an editor may type is either read as plain text and round-trips through the bot's
writer (value -> model -> page -> model, the page's template structure unchanged), or is
reported with its page, line, field and reason; nothing else on the page is lost, and
nothing raises.  The same values given to the bot (as Wikibase labels, say) are written so
that they read back exactly and cannot change the page's structure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mwparserfromhell
import pytest
from pydantic import ValidationError

from wikibot.registry.models import Entry, EntryKind, Organization
from wikibot.registry.problems import Problem
from wikibot.wikitext.params import entry_params, split_param
from wikibot.wikitext.registry_edit import render_entry, update_entries
from wikibot.wikitext.registry_page import parse_registry, parse_registry_page, template_name

CASES = Path(__file__).parent.parent / "cases" / "hostile.cases"
PRELUDE = (
    "{{Organization registry entry|id=wmpl|name=Wikimedia Polska|type=chapter|countries=PL}}\n"
    "{{Organization registry entry|id=wmde|name=Wikimedia Deutschland|type=chapter}}\n"
)
START = 3  # the line of the hostile entry's call
BASE: dict[EntryKind, list[tuple[str, str]]] = {
    EntryKind.ORGANIZATION: [("id", "hostile"), ("name", "Hostile"), ("type", "chapter")],
    EntryKind.HUB: [("id", "hostile"), ("name", "Hostile"), ("kind", "thematic"), ("status", "pilot"),
                    ("themes", "glam")],
    EntryKind.PARTNERSHIP: [("id", "hostile"), ("name", "Hostile"), ("partner", "wmpl"), ("type", "content"),
                            ("scope", "global"), ("status", "active")],
}
TAIL = "Text after the entry. [[Category:Registry]] {{Other template|x=1}}\n"
PROBLEM_LINE = re.compile(r"^Test:(\d+)  (\S+)  (\S+)  (\S.*)$")


@dataclass(frozen=True)
class Case:
    number: int
    kind: EntryKind
    param: str
    value: str
    expect_ok: bool
    read_as: Any  # what the value reads back as, when it is accepted
    problems: tuple[tuple[str, str, str], ...]  # (line or 'P', field or '-', code)

    def page(self) -> tuple[str, int]:
        """The page text, and the line of the hostile parameter."""
        params = [(n, v) for n, v in BASE[self.kind] if n != self.param] + [(self.param, self.value)]
        lines = [f"{{{{{self.kind.value.capitalize()} registry entry"]
        lines += [f"| {name} = {value}" for name, value in params]
        return PRELUDE + "\n".join(lines) + "\n}}\n" + TAIL, START + len(params)


def _literal(text: str) -> Any:
    return eval(text, {"__builtins__": {}}, {})  # our own data file: literals and 'x' * n only


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)  # as the models keep text


def _cases() -> list[Case]:
    cases = []
    for number, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        head, expectation = line.rsplit(" => ", 1)
        kind, param, value = head.split(" ", 2)
        expectation = expectation.strip()
        if expectation == "ok" or expectation.startswith("ok "):
            read_as = _literal(expectation[3:]) if expectation != "ok" else _nfc(_literal(value))
            cases.append(Case(number, EntryKind(kind), param, _literal(value), True, read_as, ()))
            continue
        problems = []
        for token in expectation.split():
            parts = token.split(":")
            if len(parts) == 1:
                problems.append(("P", param, parts[0]))
            elif len(parts) == 2:  # CODE:FIELD
                problems.append(("P", parts[1], parts[0]))
            else:
                problems.append((parts[0], parts[1], parts[2]))
        cases.append(Case(number, EntryKind(kind), param, _literal(value), False, None, tuple(problems)))
    return cases


CASE_LIST = _cases()


def _field_value(entry: Entry, param: str) -> Any:
    found = split_param(entry.kind, param)
    assert found is not None
    spec, language = found
    value = getattr(entry, spec.field)
    if spec.multilingual:
        value = value[language]
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    return value if isinstance(value, str) else str(value)


def _structure(text: str) -> list[tuple[str, list[str]]]:
    """Every template call on a page, with its parameter names: what a value must not change."""
    return [(template_name(t), [str(p.name).strip() for p in t.params])
            for t in mwparserfromhell.parse(text).filter_templates(recursive=True)]


def _check_reported(problems: tuple[Problem, ...], text: str) -> None:
    """Every problem names page and line, field (or '-') and a reason, on one line of output."""
    lines = text.count("\n") + 1
    for problem in problems:
        assert problem.source.page == "Test" and 1 <= problem.source.line <= lines
        assert problem.reason.strip()
        shown = str(problem)
        assert "\n" not in shown, shown
        match = PROBLEM_LINE.match(shown)
        assert match, shown
        assert int(match.group(1)) == problem.source.line


@pytest.mark.parametrize("case", CASE_LIST, ids=[f"line{c.number}-{c.kind.value}-{c.param}" for c in CASE_LIST])
def test_hostile_value_is_read_or_reported(case: Case) -> None:
    text, at = case.page()
    registry, _ = parse_registry({"Test": text})
    _check_reported(registry.problems, text)
    # Nothing else on the page is lost: the organisations before it are read, whatever follows.
    assert {"wmpl", "wmde"} <= set(registry.by_id())
    if case.expect_ok:
        assert not registry.problems, [str(p) for p in registry.problems]
        entry = registry.by_id()["hostile"]
        assert _field_value(entry, case.param) == case.read_as
        _check_round_trip(text, entry)
    else:
        # An entry is valid exactly when no problem is its own (a stray '}}' after it is the page's).
        claim = next(c for c in registry.claims if c.source.line == START)
        assert (claim.entry is None) == any(p.registry_id is not None for p in registry.problems)
        found = sorted((p.source.line, p.field or "-", str(p.code)) for p in registry.problems)
        wanted = sorted((_line(line, at), field, code) for line, field, code in case.problems)
        assert found == wanted, [str(p) for p in registry.problems]
    # Writing an item id back into a valid entry leaves the hostile text exactly as it was.
    wmpl = registry.by_id()["wmpl"].model_copy(update={"item": "Q42"})
    written = update_entries(text, [wmpl])
    assert written.replace("|item=Q42", "", 1) == text
    assert parse_registry({"Test": written})[0].problems == registry.problems


def _line(spec: str, at: int) -> int:
    return at + int(spec[2:] or 0) if spec.startswith("P") else int(spec)


def _check_round_trip(text: str, entry: Entry) -> None:
    """value -> model -> page -> model, through both writers the sync uses, structure unchanged."""
    alone = "Intro\n" + render_entry(entry) + "\n" + TAIL
    page = parse_registry_page(alone, "Test")
    assert not page.problems and page.entries == (entry,)
    assert _structure(alone) == [(template_name(t), [n for n, _ in entry_params(entry)])
                                 for t in mwparserfromhell.parse(render_entry(entry)).filter_templates()] + \
        _structure(TAIL)
    with_item = entry.model_copy(update={"item": "Q7"})
    written = update_entries(text, [with_item])
    before, after = _structure(text), _structure(written)
    assert len(before) == len(after)
    for (name, params), (new_name, new_params) in zip(before, after, strict=True):
        assert new_name == name
        assert new_params in (params, [*params, "item"])
    reread, _ = parse_registry({"Test": written})
    assert not reread.problems and reread.by_id()["hostile"] == with_item


# The same values given to the bot: as names, descriptions and aliases of a model, in several
# languages, written by the bot's renderer and patcher.
HOSTILE_TEXT = sorted({c.value for c in CASE_LIST} | {
    "}}{{subst:evil}}", "{{!}}", "[[Category:X]]", "<script>alert(1)</script>", "__NOTOC__", "'''bold'''",
    "~~~~", '" } ; DROP', '\\"', "line\nbreak", "&amp; &#124;", "<!-- x -->", "<nowiki>", "=", "a=b", "x | id = evil",
    "ويكيميديا\u200f", "\u202bעברית\u202c", "e\u0301", "\u0301", "\u200d", "\ufeff", "x" * 10240,
})


@pytest.mark.parametrize("value", HOSTILE_TEXT, ids=[repr(v[:30]) for v in HOSTILE_TEXT])
@pytest.mark.parametrize("field", ["name", "name_ar", "description_he", "alias_fa"])
def test_hostile_text_written_by_the_bot_reads_back_exactly(field: str, value: str) -> None:
    base, _, language = field.partition("_")
    plural = {"name": "names", "description": "descriptions", "alias": "aliases"}[base]
    data: dict[str, Any] = {"id": "o", "names": {"en": "O"}, "type": "other"}
    data.setdefault(plural, {})[language] = (value,) if base == "alias" else value
    try:
        entry = Organization.model_validate(data)
    except ValidationError as error:  # refused by the model: said which field, and why
        assert error.errors()[0]["loc"][:2] == (plural, language)
        assert error.errors()[0]["msg"]
        return
    original = "Intro [[Category:Registry]]\n" + render_entry(Organization(id="o", names={"en": "O"}, type="other"))
    original += "\n" + TAIL
    for text in ("Intro [[Category:Registry]]\n" + render_entry(entry) + "\n" + TAIL,
                 update_entries(original, [entry])):
        page = parse_registry_page(text, "Test")
        assert not page.problems, [str(p) for p in page.problems]
        assert page.entries == (entry,)
        structure = _structure(text)
        assert [n for n, _ in structure] == ["Organization registry entry", "Other template"]
        assert structure[0][1] == [n for n, _ in entry_params(entry)] or \
            sorted(structure[0][1]) == sorted(n for n, _ in entry_params(entry))
        assert text.endswith("\n" + TAIL) and "[[Category:Registry]]" in text
        assert text.count("[[") == 1 + TAIL.count("[[")
