"""Registry pages: problems found, entries read, and edits that keep every other byte."""

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wikibot.registry.models import Hub, Organization, Partnership
from wikibot.wikitext.registry_edit import entry_changes, patch_entry, render_entry, render_registry_page, update_entry
from wikibot.wikitext.registry_page import TemplateNames, parse_registry, parse_registry_page

CASES = Path(__file__).parent.parent / "cases" / "problems.cases"
PRELUDE = (
    "{{Organization registry entry|id=wmpl|name=Wikimedia Polska|type=chapter|countries=PL}}\n"
    "{{Organization registry entry|id=wmde|name=Wikimedia Deutschland|type=chapter}}\n"
)


def _cases() -> list[tuple[str, str, list[tuple[int, str | None, str | None, str]]]]:
    cases = []
    body = "\n".join(line for line in CASES.read_text().splitlines() if not line.startswith("#"))
    for block in body.split("====\n"):
        header, text, expected = block.split("----\n")
        rows = []
        for line in expected.strip().splitlines():
            number, rid, field, code = line.split()
            rows.append((int(number), None if rid == "-" else rid, None if field == "-" else field, code))
        cases.append((header.strip().removeprefix("name: "), text, rows))
    return cases


@pytest.mark.parametrize(("name", "text", "expected"), _cases(), ids=[c[0] for c in _cases()])
def test_problem_cases(name: str, text: str, expected: list[tuple[int, str | None, str | None, str]]) -> None:
    registry, _ = parse_registry({"Test": PRELUDE + text})
    found = [(p.source.line, p.registry_id, p.field, str(p.code)) for p in registry.problems]
    assert found == sorted(expected, key=lambda row: (row[0], str(row)))
    for problem in registry.problems:
        assert problem.source.page == "Test" and problem.reason


def test_problem_reasons_explain_and_suggest() -> None:
    text = PRELUDE + "{{Hub registry entry|id=h|name=H|kind=regionl|stauts=pilot|status=activ|regions=eseap}}"
    reasons = {p.field: p.reason for p in parse_registry({"T": text})[0].problems}
    assert "did you mean 'regional'" in reasons["kind"]
    assert "did you mean 'status'" in reasons["stauts"]
    assert "did you mean 'implementation'" in reasons["status"]  # 'activ' ~ 'active', its synonym


def test_valid_entries_still_come_through_beside_invalid_ones() -> None:
    text = PRELUDE + "{{Organization registry entry|id=bad|name=Bad|type=nope}}\n"
    registry, _ = parse_registry({"T": text})
    assert [e.id for e in registry.entries] == ["wmpl", "wmde"]
    assert {c.registry_id for c in registry.claims} == {"wmpl", "wmde", "bad"}
    assert registry.claimed_ids == {"wmpl", "wmde", "bad"}


def test_an_entry_swallowed_by_a_missing_brace_is_still_claimed() -> None:
    text = ("{{Organization registry entry\n| id = outer\n| name = Outer\n| type = chapter\n"
            "{{Organization registry entry|id=inner|name=Inner|type=chapter}}\n}}\n")
    registry, _ = parse_registry({"T": text})
    assert registry.claimed_ids == {"outer", "inner"}
    assert [e.id for e in registry.entries] == ["inner"]
    assert {c.registry_id: c.source.line for c in registry.claims} == {"outer": 1, "inner": 5}


def test_entries_read_with_their_lines_and_values() -> None:
    text = (
        "Intro.\n\n<div>\n{{hub_registry entry\n| id = cee-hub\n| name = CEE Hub <!-- since 2021 -->\n"
        "| name_pl = Hub CEE\n| kind = regional, language\n| status = Pilot\n| regions = cee-central-asia\n"
        "| languages = pl, uk\n| pilot_start = 2023-05\n| host = \n}}\n</div>\n"
    )
    page = parse_registry_page(text, "Hubs/Registry")
    (claim,) = page.claims
    assert claim.source.line == 4 and not claim.problems
    hub = claim.entry
    assert isinstance(hub, Hub)
    assert hub.names == {"en": "CEE Hub", "pl": "Hub CEE"}
    assert [k.value for k in hub.hub_kind] == ["regional", "language"]
    assert hub.status.value == "pilot" and hub.host is None
    assert str(hub.pilot_start) == "2023-05" and hub.pilot_start.precision == 10


def test_configured_template_names() -> None:
    names = TemplateNames(hub="Hub", partnership="Partnership", organization="Org")
    text = "{{Org|id=a|name=A|type=chapter}}{{Organization registry entry|id=b|name=B|type=chapter}}"
    page = parse_registry_page(text, "T", names)
    assert [c.registry_id for c in page.claims] == ["a"]


FORMATTED = """Some text.
{{Hub registry entry
| id     = cee-hub
| name   = CEE Hub <!-- the short name -->
| kind   = regional
| status = pilot
| regions = cee-central-asia
| host =
}}
{{Organization registry entry|id=wmpl|name=Wikimedia Polska|type=chapter}}
Closing text.
"""


def test_patch_changes_only_the_given_parameter() -> None:
    patched = patch_entry(FORMATTED, "cee-hub", {"status": "implementation"})
    assert patched == FORMATTED.replace("| status = pilot", "| status = implementation")


def test_patch_keeps_comments_and_fills_an_empty_parameter() -> None:
    patched = patch_entry(FORMATTED, "cee-hub", {"name": "Central Europe Hub", "host": "wmpl"})
    assert "| name   = Central Europe Hub <!-- the short name -->\n" in patched
    assert "| host = wmpl\n}}" in patched


def test_patch_inserts_new_parameters_in_order_and_style() -> None:
    patched = patch_entry(FORMATTED, "cee-hub", {"item": "Q42", "name_pl": "Hub CEE", "countries": "PL"})
    lines = patched.splitlines()
    start = lines.index("{{Hub registry entry")
    assert lines[start:start + 12] == [
        "{{Hub registry entry", "| id     = cee-hub", "| name   = CEE Hub <!-- the short name -->",
        "| name_pl = Hub CEE", "| kind   = regional", "| status = pilot", "| regions = cee-central-asia",
        "| countries = PL", "| host =", "| item   = Q42", "}}",  # "=" aligned like most
        "{{Organization registry entry|id=wmpl|name=Wikimedia Polska|type=chapter}}",
    ]
    one_line = patch_entry(FORMATTED, "wmpl", {"item": "Q7", "countries": "PL"})
    assert "{{Organization registry entry|id=wmpl|name=Wikimedia Polska|type=chapter|countries=PL|item=Q7}}" in one_line


def test_patch_removes_and_escapes() -> None:
    patched = patch_entry(FORMATTED, "cee-hub", {"regions": None, "name": "A|B {{x}}"})
    assert "regions" not in patched
    (hub,) = [c.entry for c in parse_registry_page(patched, "T").claims if c.registry_id == "cee-hub"]
    assert hub is None or hub.names["en"] == "A|B {{x}}"
    assert [c.registry_id for c in parse_registry_page(patched, "T").claims] == ["cee-hub", "wmpl"]


def test_unchanged_values_written_differently_are_not_touched() -> None:
    text = "{{Hub registry entry|id=h|name=H|kind=Regional|status=pilot|countries=PL ,CZ}}"
    (hub,) = parse_registry_page(text, "T").entries
    assert entry_changes(text, hub) == {}
    assert update_entry(text, hub) == text


def test_update_entry_brings_the_call_in_line_with_the_model() -> None:
    (hub,) = [e for e in parse_registry_page(FORMATTED, "T").entries if e.id == "cee-hub"]
    changed = Hub.model_validate({**hub.model_dump(), "status": "implementation", "regions": (),
                                  "countries": ("PL",)})
    updated = update_entry(FORMATTED, changed)
    (again,) = [e for e in parse_registry_page(updated, "T").entries if e.id == "cee-hub"]
    assert again.status.value == "implementation" and again.countries == ("PL",) and again.regions == ()
    assert updated.startswith("Some text.\n") and updated.endswith("Closing text.\n")


def test_rendered_entries_parse_back_equal() -> None:
    org = Organization(id="wmpl", names={"en": "Wikimedia Polska", "pl": "Wikimedia Polska"},
                       type="chapter", countries=("PL",), website="https://wikimedia.pl/")
    hub = Hub(id="cee-hub", names={"en": "CEE Hub"}, hub_kind=("regional",), status="pilot",
              regions=("cee-central-asia",), host="wmpl", established="2021-05-01", members=("wmpl",))
    partnership = Partnership(id="p", names={"en": "P"}, partner="wmpl", partnership_type=("content", "research"),
                              scope="national", countries=("PL",), status="ended", start="2020", end="2022-03")
    text = render_registry_page([org, hub, partnership], intro="Example.")
    registry, _ = parse_registry({"T": text})
    assert not registry.problems
    assert list(registry.entries) == [org, hub, partnership]
    for entry in registry.entries:
        assert update_entry(text, entry) == text
    assert render_entry(org).startswith("{{Organization registry entry\n| id = wmpl\n| name = Wikimedia Polska\n")


names_text = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != "")


@settings(max_examples=200, deadline=None)
@given(name=names_text, other=names_text)
def test_any_name_renders_and_parses_back(name: str, other: str) -> None:
    try:
        org = Organization(id="o", names={"en": name, "pl": other}, type="other")
    except ValueError:
        return  # not a valid name (control characters): the model refuses it, tested elsewhere
    text = "Intro\n" + render_entry(org) + "\nOutro {{Other|x=1}}\n"
    page = parse_registry_page(text, "T")
    assert not page.problems
    assert page.entries == (org,)
    assert update_entry(text, org) == text
    renamed = patch_entry(text, "o", {"name": other})
    assert parse_registry_page(renamed, "T").entries[0].names["en"] == org.names["pl"]


TOKENS = [*"{}|=[]<>!-_ \n'&#;", "{{Hub registry entry", "{{Organization registry entry", "id", "name",
          "kind", "status", "<!--", "-->", "<nowiki>", "</nowiki>", "regional", "é", "\u200f"]
wikitext_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(wikitext_soup)
@example("{{Hub registry entry{{Hub registry entry}}")  # once crashed sorting problems without an id
def test_no_page_makes_the_parser_fail(text: str) -> None:
    registry, _ = parse_registry({"Fuzz": text})
    assert len(registry.problems) >= len(parse_registry_page(text, "Fuzz").problems)
    page = parse_registry_page(text, "Fuzz")
    lines = text.count("\n") + 1
    for problem in page.problems:
        assert 1 <= problem.source.line <= lines and problem.reason
    for entry in page.entries:
        assert update_entry(text, entry) == text


def test_comment_in_a_template_name_is_ignored_as_mediawiki_does() -> None:
    text = "{{Organization registry entry <!-- note -->\n| id = a\n| name = A\n| type = chapter\n}}"
    page = parse_registry_page(text, "T")
    assert [e.id for e in page.entries] == ["a"]


def test_entries_shown_verbatim_are_documentation_not_entries() -> None:
    text = ("<pre>\n{{Hub registry entry\n| id = example\n</pre>\n"
            "<nowiki>{{Organization registry entry|id=shown|name=S|type=chapter}}</nowiki>\n"
            "<syntaxhighlight lang=wikitext>{{Hub registry entry|id=x}}</syntaxhighlight>\n")
    page = parse_registry_page(text, "T")
    assert page.claims == () and page.problems == ()


def test_inserted_parameter_keeps_aligned_equals_signs() -> None:
    text = ("{{Organization registry entry\n| id          = wmpl\n| name        = Wikimedia Polska\n"
            "| type        = chapter\n| countries   = PL\n| established = 2005\n}}\n")
    patched = patch_entry(text, "wmpl", {"item": "Q18", "website": "https://wikimedia.pl/"})
    assert patched == text.replace("| established = 2005\n", "| established = 2005\n"
                                   "| website     = https://wikimedia.pl/\n| item        = Q18\n")


def test_messages_read_well() -> None:
    text = (PRELUDE + "{{Hub registry entry|id=h|name=H|kind=thematic|themes=glam|status=pilot}}\n"
            "{{Hub registry entry|id=g|name=G|kind=thematic|themes=glam|status=pilot|host=h}}\n"
            "{{Organization registry entry|id=o|name=O|type=chapter|mena <!-- oops -->}}\n")
    reasons = [p.reason for p in parse_registry({"T": text})[0].problems]
    assert "'h' is a hub, not an organization" in reasons
    assert any("('mena')" in r for r in reasons)


def test_update_entries_changes_several_entries_in_one_pass() -> None:
    from wikibot.wikitext.registry_edit import update_entries
    page = parse_registry_page(FORMATTED, "T")
    hub, org = page.entries
    assert update_entries(FORMATTED, page.entries) is FORMATTED  # unchanged: the very same string
    new_hub = Hub.model_validate({**hub.model_dump(), "status": "dormant"})
    new_org = Organization.model_validate({**org.model_dump(), "item": "Q7"})
    updated = update_entries(FORMATTED, [new_hub, new_org])
    assert updated == patch_entry(patch_entry(FORMATTED, "cee-hub", {"status": "dormant"}), "wmpl", {"item": "Q7"})
    assert parse_registry_page(updated, "T").entries == (new_hub, new_org)


alias_text = names_text.filter(lambda s: "," not in s)


@settings(max_examples=100, deadline=None)
@given(aliases=st.lists(alias_text, min_size=1, max_size=4, unique_by=lambda s: s.strip()))
def test_any_aliases_render_and_parse_back(aliases: list[str]) -> None:
    try:
        org = Organization(id="o", names={"en": "O"}, aliases={"en": tuple(aliases), "de": tuple(aliases)},
                           type="other")
    except ValueError:
        return  # control characters, or two aliases the same once normalized
    text = render_entry(org)
    page = parse_registry_page(text, "T")
    assert not page.problems and page.entries == (org,)


def test_aliases_are_a_comma_list_per_language_and_a_repeated_one_is_reported() -> None:
    text = ("{{Organization registry entry\n| id = o\n| name = O\n| alias = A, B\n| alias_de = C\n"
            "| type = other\n}}\n{{Organization registry entry\n| id = p\n| name = P\n| alias = A, B, A\n"
            "| type = other\n}}\n")
    page = parse_registry_page(text, "T")
    assert page.entries[0].aliases == {"en": ("A", "B"), "de": ("C",)}
    assert [(p.source.line, p.registry_id, p.field, p.reason) for p in page.problems] == [
        (11, "p", "alias", "A listed twice (en)")]
