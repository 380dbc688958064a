"""Status boxes on wikitext: only the owned parameters change; everything else stays byte-for-byte."""

from __future__ import annotations

import datetime as dt

import mwparserfromhell
import pytest

from wikibot.i18n import Reader
from wikibot.ports import Page
from wikibot.registry.dates import WikiDate
from wikibot.registry.models import EntryKind, Hub, Organization, Partnership
from wikibot.status.boxes import OWNED, Action, box_values, is_overdue, plan_box
from wikibot.wikitext.registry_page import read_param_value
from wikibot.wikitext.status_box import add_box, update_boxes

PAGE = """{{Hub status
| image        = Logo.svg
| status       = Pilot
| kind         = Regional
| members      = 4  <!-- counted in May -->
| contact      = [[User:Someone|the team]]
}}
Text about the hub, with {{Other template|status=Pilot}} and [[links]].
"""


def _values(**changes: str) -> dict[str, str]:
    values = {"status": "Pilot", "kind": "Regional", "members": "4"}
    return {**values, **changes}


def test_an_unchanged_box_returns_the_same_string() -> None:
    update = update_boxes(PAGE, "Hub status", _values(), OWNED[EntryKind.HUB])
    assert update.text is PAGE and update.boxes == 1 and not update.changed


def test_only_the_owned_values_that_differ_change_and_the_rest_stays_byte_for_byte() -> None:
    update = update_boxes(PAGE, "Hub status", _values(status="Implementation", members="5"), OWNED[EntryKind.HUB])
    expected = (PAGE.replace("| status       = Pilot", "| status       = Implementation")
                .replace("= 4  <!--", "= 5  <!--"))
    assert update.text == expected  # the comment, alignment, other params and the other template stay
    assert update.changed == {"status": ("Pilot", "Implementation"), "members": ("4", "5")}


def test_a_new_owned_parameter_goes_after_its_owned_predecessor_in_the_boxs_style() -> None:
    update = update_boxes(PAGE, "Hub status", _values(host="Wikimedia Polska", item="Q12"), OWNED[EntryKind.HUB])
    lines = update.text.splitlines()
    assert lines[lines.index("| kind         = Regional") + 1] == "| host         = Wikimedia Polska"
    assert lines[lines.index("| members      = 4  <!-- counted in May -->") + 1] == "| item         = Q12"
    assert lines[-3:] == ["| contact      = [[User:Someone|the team]]", "}}",
                          "Text about the hub, with {{Other template|status=Pilot}} and [[links]]."]


def test_an_empty_value_is_not_added_but_clears_a_stale_one() -> None:
    assert update_boxes(PAGE, "Hub status", _values(host=""), OWNED[EntryKind.HUB]).text is PAGE
    cleared = update_boxes(PAGE, "Hub status", _values(kind=""), OWNED[EntryKind.HUB])
    assert "| kind         = \n" in cleared.text and cleared.changed == {"kind": ("Regional", "")}


@pytest.mark.parametrize("hostile", ["}}{{subst:Delete}}", "A | B", "[[Category:Spam]]", "<script>x</script>",
                                     "__NOTOC__", "'''bold'''", "a = b"])
def test_hostile_values_are_escaped_and_read_back_as_the_same_text(hostile: str) -> None:
    update = update_boxes(PAGE, "Hub status", _values(host=hostile), OWNED[EntryKind.HUB])
    code = mwparserfromhell.parse(update.text)
    boxes = [t for t in code.filter_templates() if t.name.strip() == "Hub status"]
    assert len(boxes) == 1 and len(code.filter_templates(recursive=False)) == 2  # no template added
    assert read_param_value(boxes[0].get("host").value) == hostile
    assert [str(link.title) for link in code.filter_wikilinks()] == ["User:Someone", "links"]  # no link added
    if set(hostile) & set("{}[]<|_'"):
        assert hostile not in update.text  # markup is written as character references


def test_every_box_on_the_page_is_updated_and_the_name_is_compared_as_mediawiki_does() -> None:
    text = "{{hub_status|status=Pilot}}\nmiddle\n{{ Hub status <!-- again --> |status = Pilot }}\n"
    update = update_boxes(text, "Hub status", {"status": "Closed"}, OWNED[EntryKind.HUB])
    assert update.boxes == 2
    assert update.text == "{{hub_status|status=Closed}}\nmiddle\n{{ Hub status <!-- again --> |status = Closed }}\n"


def test_a_new_box_goes_at_the_top_and_leaves_out_empty_values() -> None:
    text = add_box("Some text.\n", "Hub status", {"status": "Pilot", "host": "", "item": "Q1"})
    assert text == "{{Hub status\n| status = Pilot\n| item = Q1\n}}\nSome text.\n"


def _hub(**changes: object) -> Hub:
    data: dict[str, object] = {"id": "cee-hub", "names": {"en": "CEE Hub"}, "hub_kind": ("regional",),
                               "status": "implementation", "regions": ("cee-central-asia",),
                               "host": "wmpl", "members": ("wmpl", "wmua"), "item": "Q5"}
    return Hub.model_validate({**data, **changes})


VIEW = {
    "wmpl": Organization(id="wmpl", names={"en": "Wikimedia Polska", "ar": "ويكيميديا بولندا"}, type="chapter",
                         page="Wikimedia Polska"),
    "wmua": Organization(id="wmua", names={"en": "Wikimedia Ukraine"}, type="chapter"),
    "osm": Organization(id="osm", names={"en": "OSM | Foundation"}, type="other"),
    **{f"p{i}": Partnership(id=f"p{i}", names={"en": f"P{i}"}, partner="osm", partnership_type=("content",),
                            stewards=stewards, scope="global", status=status, end="2020" if status == "ended" else None)
       for i, (stewards, status) in enumerate([(("cee-hub",), "active"), (("wmpl", "cee-hub"), "paused"),
                                               (("cee-hub",), "ended"), (("wmua",), "active")])},
}


def test_hub_values_name_the_host_count_members_and_partnerships_not_ended() -> None:
    values = box_values(_hub(next_review="2026-11"), VIEW, dt.date(2026, 11, 21))
    assert list(values) == list(OWNED[EntryKind.HUB])
    assert values["status"] == "Implementation" and values["kind"] == "Regional"
    assert values["host"] == "[[Wikimedia Polska|Wikimedia Polska]]"  # linked to its page
    assert values["members"] == "[[Wikimedia Polska|Wikimedia Polska]], Wikimedia Ukraine"  # wmua has no page
    assert values["partnerships"] == "2"  # p0 and p1; p2 ended, p3 is another's
    assert values["regions"] == "Central and Eastern Europe and Central Asia (CEE)"
    assert values["next_review"] == "2026-11" and values["overdue"] == "no" and values["item"] == "Q5"


def test_partnership_values_name_partner_and_stewards() -> None:
    values = box_values(VIEW["p1"], {**VIEW, "cee-hub": _hub()}, dt.date(2026, 11, 21))
    assert values["partner"] == "OSM &#124; Foundation"  # escaped: a name never becomes markup
    assert values["stewards"] == "[[Wikimedia Polska|Wikimedia Polska]], CEE Hub"
    assert values["status"] == "Paused" and values["scope"] == "Global" and values["end"] == ""


@pytest.mark.parametrize(("review", "today", "overdue"), [
    ("2026-11", dt.date(2026, 11, 30), False), ("2026-11", dt.date(2026, 12, 1), True),
    ("2026", dt.date(2026, 12, 31), False), ("2026-11-20", dt.date(2026, 11, 21), True),
    (None, dt.date(2099, 1, 1), False),
])
def test_a_review_is_overdue_only_once_its_whole_period_has_passed(review: str | None, today: dt.date,
                                                                   overdue: bool) -> None:
    assert is_overdue(WikiDate.parse(review) if review else None, today) is overdue


def _page(text: str) -> Page:
    return Page("CEE Hub", text, 7, "2026-11-21T00:00:00Z", "x")


@pytest.mark.parametrize(("text", "add", "action"), [
    (None, True, Action.NO_PAGE), ("{{nobots}}\n" + PAGE, True, Action.DENIED),
    ("{{bots|deny=RegistryBot}}\n", True, Action.DENIED), ("No box.\n", False, Action.NO_BOX),
    ("No box.\n", True, Action.SAVE), (PAGE, True, Action.CURRENT),
])
def test_what_is_done_with_a_page(text: str | None, add: bool, action: Action) -> None:
    page = _page(text) if text is not None else None
    plan = plan_box("CEE Hub", page, _hub(), _values(), "Hub status", user="RegistryBot@wikibot", add_missing=add)
    assert plan.action is action
    assert (plan.text is not None) is (action is Action.SAVE)
    assert bool(plan.reason) is (action not in (Action.SAVE, Action.CURRENT))


def test_the_edit_summary_says_what_changed() -> None:
    plan = plan_box("CEE Hub", _page(PAGE), _hub(), _values(status="Closed"), "Hub status",
                    user="RegistryBot", add_missing=True)
    assert plan.summary() == "wikibot: status box of cee-hub updated from the Wikibase: status: Pilot → Closed"


def test_values_are_in_the_readers_language_with_english_as_fallback() -> None:
    values = box_values(_hub(languages=("id", "zh")), VIEW, dt.date(2026, 11, 21), Reader("ar"))
    assert values["status"] == "تنفيذ" and values["regions"] == "وسط وشرق أوروبا وآسيا الوسطى"
    assert values["host"] == "[[Wikimedia Polska|ويكيميديا بولندا]]"  # the Wikibase's Arabic label
    assert values["members"] == "[[Wikimedia Polska|ويكيميديا بولندا]]، Wikimedia Ukraine"  # no Arabic label: English
    assert values["languages"] == "الإندونيسية، الصينية"  # language names from langcodes, in Arabic
    french = box_values(_hub(languages=("id",)), VIEW, dt.date(2026, 11, 21), Reader("fr"))
    assert french["status"] == "Mise en œuvre" and french["languages"] == "indonésien"


def test_a_linked_value_is_written_as_built_and_compared_as_written() -> None:
    values = box_values(_hub(), VIEW, dt.date(2026, 11, 21))
    page = add_box("Text.\n", "Hub status", values)
    assert "| host = [[Wikimedia Polska|Wikimedia Polska]]" in page
    again = update_boxes(page, "Hub status", values, OWNED[EntryKind.HUB])
    assert again.changed == {} and again.text == page  # current: nothing to save
