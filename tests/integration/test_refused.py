"""Issue 17: a save the wiki refuses (a protected page, a filter, a block, a read-only wiki) is an
outcome for that page: the page is left alone, listed with the wiki's reason, and everything else
in the run goes on, in sync, status and ``coverage --publish`` alike.  (The live page store turns
the wiki's refusal into ``Refused``: tests/adapters/test_pages_live.py, on a real MediaWiki.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import run
from tests.wikibase_support import set_hub_status
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.ports import Page, Refused, SaveOutcome
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikitext.registry_page import parse_registry_page

HUBS, PARTNERSHIPS, REPORT, HEARTBEAT = "Hubs/Registry", "Partnerships/Registry", "Registry/Sync report", \
    "Registry/Bot status"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run("init", str(root))[0] == 0
    assert run("bootstrap", "--workspace", str(root))[0] == 0
    assert run("sync", "--workspace", str(root))[0] == 0
    return root


def _protect(monkeypatch: pytest.MonkeyPatch, *titles: str) -> list[str]:
    """The wiki refuses every save of ``titles`` (as MediaWiki does a protected page)."""
    refused: list[str] = []
    real = LocalPageStore.save_page

    def save(self: LocalPageStore, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        if title in titles:
            refused.append(title)
            return Refused("protectedpage", "This page has been protected to prevent editing or other actions.")
        return real(self, title, text, base=base, summary=summary)

    monkeypatch.setattr(LocalPageStore, "save_page", save)
    return refused


def _text(root: Path, title: str) -> str:
    page = LocalPageStore(root).fetch_pages([title])[title]
    assert page is not None
    return page.text


def _item(root: Path, registry_id: str, title: str) -> str:
    entry = next(e for e in parse_registry_page(_text(root, title), title).entries if e.id == registry_id)
    assert entry.item is not None
    return entry.item


def test_a_refused_registry_page_is_left_alone_and_the_rest_of_the_sync_goes_on(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = InstanceIds.parse((workspace / "wikibase-ids.json").read_text(encoding="utf-8")).resolved()
    entities = LocalEntityStore(workspace)
    set_hub_status(entities, mapping, _item(workspace, "eseap-hub", HUBS), "implementation")  # to Hubs/Registry
    findingglams = _item(workspace, "findingglams", PARTNERSHIPS)
    entities.save_entity(findingglams, {"labels": {"en": {"language": "en", "value": "FindingGLAMs 2"}}},
                         base_revid=entities.fetch_entities([findingglams])[findingglams].revid,  # type: ignore[union-attr]
                         summary="an editor")  # to Partnerships/Registry
    hubs_before = _text(workspace, HUBS)
    refused = _protect(monkeypatch, HUBS)
    code, out = run("sync", "--workspace", str(workspace))
    assert code == 1 and refused == [HUBS]
    assert _text(workspace, HUBS) == hubs_before  # left alone
    assert "FindingGLAMs 2" in _text(workspace, PARTNERSHIPS)  # the other page was written
    assert "protectedpage" in out and "Hubs/Registry left alone" in out
    assert "query store: " in out  # the query store was brought up to date too
    report = _text(workspace, REPORT)
    assert "Pages the wiki refused to save" in report and "protectedpage" in report
    assert "protectedpage" in _text(workspace, HEARTBEAT)
    code, out = run("sync", "--workspace", str(workspace))  # the next run: the same outcome, no failure
    assert code == 1 and "Hubs/Registry left alone" in out and "stopped" not in out


def test_a_refused_status_box_leaves_its_page_alone_and_the_other_boxes_are_saved(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _protect(monkeypatch, "ESEAP Hub")
    code, out = run("status", "--workspace", str(workspace))
    assert code == 1 and "protectedpage" in out
    assert "{{Hub status" not in _text(workspace, "ESEAP Hub")
    assert "{{Hub status" in _text(workspace, "Wikimedia CEE Hub") and "Q" in _text(workspace, "Wikimedia CEE Hub")
    assert "protectedpage" in _text(workspace, HEARTBEAT)


def test_a_refused_coverage_page_still_prints_every_answer(workspace: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    _protect(monkeypatch, "Registry/Coverage")
    code, out = run("coverage", "--publish", "--format", "json", "--workspace", str(workspace))
    assert code == 1 and "protectedpage" in capsys.readouterr().err
    answered = json.loads(out)
    assert len(answered["questions"]) == 7 and answered["failed"] == []
    assert LocalPageStore(workspace).fetch_pages(["Registry/Coverage"])["Registry/Coverage"] is None
