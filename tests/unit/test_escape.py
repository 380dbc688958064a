"""Values with wikitext syntax in them render safely and read back unchanged."""

import mwparserfromhell
from hypothesis import example, given
from hypothesis import strategies as st

from wikibot.wikitext.escape import escape_value, unescape_value
from wikibot.wikitext.registry_page import read_param_value

HOSTILE = [
    "a|b", "x=y", "{{subst:foo}}", "}}{{Hub registry entry|id=evil}}", "[[Category:Spam]]",
    "<script>alert(1)</script>", "<!-- hidden -->", "__NOTOC__", "'''bold'''", "~~~~",
    "line\nbreak", "  padded  ", "&amp; &#124; &lt;", "&nbsp;", "AT&T", "\x00\x1f\x85", "\u2028",
    "{{!}}", "<nowiki>", "-{zh-hans:x}-", "'single' quotes", "snake_case",
]


@given(st.text())
@example("")
def test_unescape_inverts_escape_for_any_text(value: str) -> None:
    assert unescape_value(escape_value(value)) == value


@given(st.text())
def test_escaped_value_has_no_wikitext_syntax(value: str) -> None:
    escaped = escape_value(value)
    for token in ("|", "{", "}", "[", "]", "<", ">", "\n", "\r", "''", "__", "~~~"):
        assert token not in escaped
    assert escaped == escaped.strip()


@given(st.text())
@example("x\n| id = evil")
def test_escaped_value_read_back_from_a_template_keeps_the_page_structure(value: str) -> None:
    page = "{{Hub registry entry\n| id = a\n| name = " + escape_value(value) + "\n}}\ntail"
    code = mwparserfromhell.parse(page)
    templates = code.filter_templates()
    assert len(templates) == 1
    assert [str(p.name).strip() for p in templates[0].params] == ["id", "name"]
    assert read_param_value(templates[0].get("name").value) == value
    assert str(code).endswith("}}\ntail")


def test_hostile_values_round_trip_and_stay_inert() -> None:
    for value in HOSTILE:
        escaped = escape_value(value)
        code = mwparserfromhell.parse("{{T|v=" + escaped + "}}")
        (template,) = code.filter_templates()
        assert [str(p.name) for p in template.params] == ["v"], value
        assert read_param_value(template.get("v").value) == value, value


def test_plain_values_stay_readable() -> None:
    for value in ("Wikimedia Polska", "AT&T", "Women's hub", "Hub Europy Środkowo-Wschodniej",
                  "ويكيميديا", "2023-05-14", "cee-hub, eseap-hub", "Tel. 123", "ISBNs"):
        assert escape_value(value) == value
    assert escape_value("https://wikimedia.pl/", link=True) == "https://wikimedia.pl/"  # a website: a link


def test_hand_written_references_are_read() -> None:
    assert unescape_value("A&nbsp;B &amp; C &#124; &#x7C;") == "A\u00a0B & C | |"
    assert unescape_value("&bogus; &#99999999;") == "&bogus; &#99999999;"
