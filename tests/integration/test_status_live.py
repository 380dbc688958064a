"""``wikibot status`` and the heartbeat on a real MediaWiki (pywikibot as the bot, mwclient as a
human), with the items in a local Wikibase: the acceptance scenarios of the status boxes.

30 hub pages: one run reads them in one request and saves exactly the pages whose data
changed; a second run saves none; a human edit between the bot's read and its save is
kept; a ``{{nobots}}`` page is left alone and listed; ``health`` follows the heartbeat.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.mediawiki import MediaWiki, recorded_requests
from tests.wikibase_support import bootstrapped, set_hub_status
from wikibot import heartbeat, jobs
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.ports import Page, PageStore, SaveOutcome
from wikibot.registry.models import Hub
from wikibot.settings import Settings, WorkspaceSettings
from wikibot.status.refresh import StatusRun
from wikibot.status.report import status_text
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikitext.registry_edit import render_registry_page
from wikibot.wikitext.registry_page import parse_registry_page

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "registry" / "pages"
HUBS = "Hubs/Registry"
HEARTBEAT = "Registry/Bot status"
TODAY = dt.date(2026, 11, 21)


def _hubs_page() -> tuple[str, list[Hub]]:
    """The example's 13 hubs and 17 more, each with its own page."""
    text = (EXAMPLE / f"{HUBS}.wiki").read_text(encoding="utf-8")
    hubs = [h.model_copy(update={"page": f"Hub page/{h.id}"}) for h in parse_registry_page(text, HUBS).entries
            if isinstance(h, Hub)]
    hubs += [Hub(id=f"test-hub-{n}", names={"en": f"Test hub {n}"}, hub_kind=("thematic",), themes=("glam",),
                 status="pilot", host="wmse", members=("wmse", "wmno"), next_review=f"2027-0{1 + n % 9}",
                 page=f"Hub page/test-hub-{n}") for n in range(17)]
    assert len(hubs) == 30
    return render_registry_page(hubs, intro="Thirty hubs, each with its page."), hubs


@dataclass
class World:
    wiki: MediaWiki
    entities: LocalEntityStore
    mapping: ResolvedMapping
    state: SqliteStateStore
    settings: Settings
    hubs: list[Hub]

    def status(self, pages: PageStore | None = None, **options: Any) -> StatusRun:
        return jobs.status(self.settings, pages or self.wiki.page_store(), self.entities, self.state,
                           mapping=self.mapping, user=self.wiki.bot.name, today=TODAY, **options)

    def text(self, title: str) -> str:
        return str(self.wiki.revisions(title)[-1]["slots"]["main"]["content"])

    def item(self, registry_id: str) -> str:
        found = re.search(r"\| item = (Q\d+)", self.text(f"Hub page/{registry_id}"))
        assert found is not None
        return found.group(1)

    def wikibase_status(self, registry_id: str, status: str) -> None:
        set_hub_status(self.entities, self.mapping, self.item(registry_id), status)


@pytest.fixture(scope="module")
def world(mediawiki: MediaWiki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("status-live")
    hubs_text, hubs = _hubs_page()
    for title in ("Organizations/Registry", "Partnerships/Registry"):
        mediawiki.human_edit(title, (EXAMPLE / f"{title}.wiki").read_text(encoding="utf-8"))
    mediawiki.human_edit(HUBS, hubs_text)
    for hub in hubs:  # the hubs' own pages, written by people, without a box yet
        mediawiki.human_edit(f"Hub page/{hub.id}", f"About {hub.label()}.\n\n== History ==\nWritten by hand.\n")
    entities, mapping = bootstrapped(root / "wikibase")
    state = SqliteStateStore(root / "sync.sqlite")
    settings = Settings(workspace=WorkspaceSettings(path=root))
    synced = jobs.sync(settings, mediawiki.page_store(), entities, state, mapping=mapping, user=mediawiki.bot.name)
    assert synced.result is not None and synced.clean and len(synced.result.created) == 104
    world = World(mediawiki, entities, mapping, state, settings, hubs)
    first = world.status()
    assert len(first.saved) == 30 and first.clean  # every page gets its box at the top
    yield world
    state.close()


def _page_reads(calls: list[dict[str, str]]) -> list[list[str]]:
    return [c["titles"].split("|") for c in calls if c.get("action") == "query" and "titles" in c
            and "revisions" in c.get("prop", "") and any(t.startswith("Hub page/") for t in c["titles"].split("|"))]


def _edits(calls: list[dict[str, str]]) -> list[str]:
    return [c["title"] for c in calls if c.get("action") == "edit"]


def test_thirty_pages_are_read_in_one_request_and_only_the_four_changed_ones_are_saved(world: World) -> None:
    world.status()  # every box current
    changed = ["cee-hub", "test-hub-3", "test-hub-11", "nordic-hub"]
    for registry_id, status in zip(changed, ["under-review", "implementation", "dormant", "closed"], strict=True):
        world.wikibase_status(registry_id, status)
    with recorded_requests() as calls:
        run = world.status()
    reads = _page_reads(calls)
    assert len(reads) == 1 and len(reads[0]) == 30  # the 30 pages in one request
    assert sorted(_edits(calls)) == sorted(f"Hub page/{r}" for r in changed)  # the heartbeat: no state changed
    assert sorted(run.saved) == sorted(f"Hub page/{r}" for r in changed) and run.clean
    assert "| status = Under review\n" in world.text("Hub page/cee-hub")
    revision = world.wiki.revisions("Hub page/cee-hub")[-1]
    assert revision["user"] == world.wiki.bot.name and revision["bot"] is True
    assert revision["comment"] == ("wikibot: status box of cee-hub updated from the Wikibase: "
                                   "status: Implementation → Under review")
    assert world.text("Hub page/cee-hub").endswith("About Wikimedia CEE Hub.\n\n== History ==\nWritten by hand.")
    with recorded_requests() as calls:
        again = world.status()
    assert _edits(calls) == [] and not again.saved and len(_page_reads(calls)) == 1  # a quiet bot: no edit


def test_a_human_edit_between_the_bots_read_and_save_is_detected_retried_and_kept(world: World) -> None:
    world.status()
    world.wikibase_status("eseap-hub", "implementation")
    title = "Hub page/eseap-hub"

    class HumanInBetween:
        def __init__(self, inner: PageStore) -> None:
            self.inner, self.done = inner, False

        def fetch_pages(self, titles: Any) -> dict[str, Page | None]:
            return self.inner.fetch_pages(titles)

        def save_page(self, title_: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
            if title_ == title and not self.done:
                self.done = True
                human = world.text(title).replace("| status = Pilot\n", "| status = Pilot\n| image = Hub.svg\n")
                world.wiki.human_edit(title, human + "\n\nA human's note, added meanwhile.")
            return self.inner.save_page(title_, text, base=base, summary=summary)

    pages = HumanInBetween(world.wiki.page_store())
    run = world.status(pages=pages)
    assert pages.done and run.saved == [title] and run.retried == [title] and run.clean
    text = world.text(title)
    assert "| status = Implementation\n| image = Hub.svg\n" in text  # the box is current, the human's param kept
    assert text.endswith("A human's note, added meanwhile.")
    users = [r["user"] for r in world.wiki.revisions(title)[-2:]]
    assert users == [world.wiki.human_account.name, world.wiki.bot.name]


def test_a_nobots_page_is_skipped_and_listed_in_the_runs_report(world: World) -> None:
    world.status()
    title = "Hub page/wikifranca"
    world.wiki.human_edit(title, "{{nobots}}\n" + world.text(title))
    world.wikibase_status("wikifranca", "dormant")
    before = len(world.wiki.revisions(title))
    run = world.status()
    assert [p.title for p in run.denied] == [title] and not run.saved and not run.clean
    assert len(world.wiki.revisions(title)) == before
    assert f"left alone {title} (wikifranca): the page carries {{{{nobots}}}}" in list(status_text(run))
    assert world.state.runs("status")[-1]["counts"]["denied"] == 1


def test_health_follows_the_heartbeat_on_the_wiki(world: World) -> None:
    world.status()
    now = dt.datetime.now(dt.UTC)
    pages = world.wiki.page_store()
    report = jobs.health(world.settings, pages, world.state, now=now, max_age=dt.timedelta(hours=26))
    assert report.healthy and {c.job for c in report.checks} == {"sync", "status"}
    assert report.source == f"the heartbeat page {HEARTBEAT!r}"
    later = jobs.health(world.settings, pages, world.state, now=now + dt.timedelta(hours=27),
                        max_age=dt.timedelta(hours=26))
    assert not later.healthy and all("STALE" in c.message for c in later.checks)
    revisions = world.wiki.revisions(HEARTBEAT)
    assert revisions[-1]["user"] == world.wiki.bot.name
    assert revisions[-1]["comment"].startswith("wikibot: heartbeat: ")  # saying what changed
    beats = {b.job: b for b in heartbeat.parse(world.text(HEARTBEAT))}  # saved by the first status run
    assert beats["status"].last_success == world.state.runs("status")[0]["finished"]


@pytest.mark.parametrize("kind", ["hub", "partnership"])
def test_the_shipped_templates_install_with_valid_templatedata_and_render_the_box(world: World, kind: str) -> None:
    from wikibot.registry.models import EntryKind
    from wikibot.schemas import status_templatedata

    name = f"{kind.capitalize()} status"
    world.wiki.human_edit(f"Template:{name}", (ROOT / "schemas" / f"{kind}-status.template.wiki").read_text(
        encoding="utf-8"))  # the TemplateData extension refuses a save whose <templatedata> is invalid
    data = world.wiki.api(action="templatedata", titles=f"Template:{name}")
    params = next(iter(data["pages"].values()))["params"]
    assert sorted(params) == sorted(status_templatedata(EntryKind(kind))["params"])
    box = (f"{{{{{name}|status=Pilot|next_review=2026-03|overdue=yes|item=Q42|image=|members=3}}}}"
           if kind == "hub" else f"{{{{{name}|status=Active|partner=UNESCO|stewards=A, B|item=Q7}}}}")
    html = world.wiki.api(action="parse", text=box, contentmodel="wikitext")["parse"]["text"]
    assert "<th>Status" in html and "Q" in html and "{{{" not in html and "#if" not in html
    if kind == "hub":
        assert "2026-03&#160;<strong>(overdue)</strong>" in html and "<th>Host" not in html  # empty rows hidden
    else:
        assert "UNESCO" in html and "<th>Stewards" in html
