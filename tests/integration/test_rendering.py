"""What editors see, rendered by the suite's real MediaWiki 1.39 (ParserFunctions, TemplateData):
every page the bot writes (registry pages with the shipped templates, a status box of each kind,
the sync report, the heartbeat and the coverage report), in English, Arabic (right to left) and
French, from the example workspace after every job ran (tests/rendering_support.py).

Checked in the HTML MediaWiki makes (``action=parse``): no red link to a template, no empty
paragraph, the captions and table headers in words of the reader's language, entries linked to
their pages and items to the Wikibase, and the reader's direction on what the bot wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests import rendering_support as rs
from tests.mediawiki import MediaWiki, Template, running
from wikibot.i18n import COLUMNS, Reader
from wikibot.registry.vocab import HubStatus

ITEM_URL = "https://registry.example.org/entity/"


@pytest.fixture(scope="module", params=rs.LANGUAGES)
def shown(request: pytest.FixtureRequest, mediawiki_template: Template,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, MediaWiki, dict[str, str]]]:
    """Per language: a wiki holding the example workspace's pages, and each shown page's HTML."""
    language = request.param
    root = tmp_path_factory.mktemp(f"rendering-{language}")
    pages = rs.workspace_pages(rs.build_workspace(root, language))
    with running(mediawiki_template, root / "wiki") as wiki:
        rs.publish(wiki, pages)
        yield language, wiki, {title: rs.rendered(wiki, title) for title in rs.SHOWN}


def test_every_page_renders_without_a_red_template_link_or_an_empty_paragraph(
        shown: tuple[str, MediaWiki, dict[str, str]]) -> None:
    _, _, html = shown
    for title, page in html.items():
        assert rs.red_template_links(page) == [], title
        assert rs.empty_paragraphs(page) == [], title
        assert "{{{" not in page and "{{#" not in page, title  # no parameter or parser function left raw


def test_registry_pages_are_cards_with_names_words_and_links(shown: tuple[str, MediaWiki, dict[str, str]]) -> None:
    language, _, html = shown
    reader = Reader(language)
    hubs = html["Hubs/Registry"]
    assert len(re.findall(r'<table class="wikitable wikibot-entry wikibot-entry-hub"', hubs)) == 13
    assert f'lang="{language}" dir="{reader.direction}"' in hubs
    assert "Wikimedia CEE Hub" in rs.captions(hubs)[0]
    heads = rs.headers(hubs)
    for field in ("status", "regions", "host", "next_review", "item"):
        assert reader.text(f"field-{field}") in heads, field
    assert reader.term(HubStatus.IMPLEMENTATION) in hubs
    found = rs.links(hubs)
    assert any(link.href.startswith(ITEM_URL + "Q") for link in found)  # the item, on the Wikibase
    assert any(link.href.endswith("Organizations/Registry#wmpl") for link in found)  # the host's card
    assert any("Wikimedia_CEE_Hub" in link.href and "redlink" not in link.href for link in found)  # its page
    partnerships = html["Partnerships/Registry"]
    assert "wikibot-entry-partnership" in partnerships and "wikibot-entry-organization" in html[
        "Organizations/Registry"]


def test_status_boxes_keep_their_caption_and_link_host_members_and_item(
        shown: tuple[str, MediaWiki, dict[str, str]]) -> None:
    language, _, html = shown
    reader = Reader(language)
    hub = html["Wikimedia CEE Hub"]
    assert rs.captions(hub)[0] == reader.text("box-hub")  # the image row does not eat the caption
    assert 'class="wikibot-field-image"' in hub
    rows = dict(re.findall(r'<tr class="wikibot-field-([a-z_&#;0-9]+)">(.*?)</tr>', hub, re.DOTALL))
    assert "<a " in rows["host"] and "Wikimedia_Polska" in rows["host"]
    assert rows["members"].count("<a ") == 5
    assert ITEM_URL + "Q" in rows["item"]
    assert "languages" not in rows  # an empty parameter: no row, and (checked above) no stray paragraph
    partnership = html["FindingGLAMs"]
    assert rs.captions(partnership)[0] == reader.text("box-partnership")
    assert reader.text("field-stewards") in rs.headers(partnership)


def test_reports_are_in_words_with_names_linked(shown: tuple[str, MediaWiki, dict[str, str]]) -> None:
    language, _, html = shown
    reader = Reader(language)
    coverage = html["Registry/Coverage"]
    heads = rs.headers(coverage)
    for variable in ("belowPilot", "inNoHubCount", "operating", "share"):
        assert variable not in heads
    assert reader.pick(COLUMNS["belowPilot"]) in heads and reader.pick(COLUMNS["share"]) in heads
    assert "?operating" not in re.sub(r"<pre>.*?</pre>", "", coverage, flags=re.DOTALL)  # the query may say it
    assert re.search(r"\d+\.\d(?: |&#160;)%", coverage) and "0.556" not in coverage  # shares as percentages
    assert any(link.text == "ESEAP Hub" and "ESEAP_Hub" in link.href for link in rs.links(coverage))  # not eseap-hub
    assert f'lang="{language}" dir="{reader.direction}"' in coverage

    beat = html["Registry/Bot status"]
    assert rs.headers(beat)[:2] == [reader.text("col-job"), reader.text("col-last-success")]
    shown_text = re.sub(r"<[^>]+>", "", beat)  # what a reader sees (a <time datetime=...> keeps the ISO form)
    for key in ("pages_edited", "query_store", "to_save"):
        assert key not in shown_text, key
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", shown_text), "a time shown in its ISO form"
    assert reader.text("job-sync") in beat and f'dir="{reader.direction}"' in beat

    report = html["Registry/Sync report"]
    headings = [re.sub(r"<[^>]+>", "", h).replace("[edit]", "").strip() for h in re.findall(r"<h2>(.*?)</h2>", report)]
    assert reader.text("report-conflicts") in headings and reader.text("report-wikibase-only") in headings
    assert f'lang="{language}" dir="{reader.direction}"' in report
