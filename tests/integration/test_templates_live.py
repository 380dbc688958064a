"""``wikibot templates`` on the suite's real MediaWiki: a dry run writes nothing and shows each
template's diff; a run installs every template (TemplateData accepted by the extension); a second
run saves nothing; a template a person edited is left alone and listed, and replaced, said in the
edit summary, only with ``--force``; a new language updates the templates wikibot installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mediawiki import MediaWiki
from wikibot import jobs
from wikibot.settings import Settings, WikiSettings, WorkspaceSettings
from wikibot.shipped import TemplateAction

TITLES = ["Template:Hub registry entry", "Template:Partnership registry entry", "Template:Organization registry entry",
          "Template:Hub status", "Template:Partnership status"]


def _settings(tmp_path: Path, language: str = "en") -> Settings:
    return Settings.model_validate({"workspace": WorkspaceSettings(path=tmp_path),
                                    "status": {"kinds": ["hub", "partnership"]},
                                    "wiki": WikiSettings(language=language)})


def _edits(wiki: MediaWiki) -> int:
    return sum(len(wiki.revisions(title)) for title in TITLES)


def test_dry_run_then_install_then_nothing_to_save(mediawiki: MediaWiki, tmp_path: Path) -> None:
    settings, store = _settings(tmp_path), mediawiki.page_store()
    dry = jobs.templates(settings, store, dry_run=True)
    assert [p.title for p in dry.plans] == TITLES and all(p.action is TemplateAction.CREATE for p in dry.plans)
    lines = jobs.templates_text(dry)
    assert "+++ Template:Hub status (wikibot)" in lines and lines[-1].endswith("nothing written")
    assert _edits(mediawiki) == 0

    run = jobs.templates(settings, store)
    assert run.saved == TITLES and run.clean
    for title in TITLES:  # the TemplateData extension took each one (it refuses invalid JSON on save)
        info = mediawiki.api(action="templatedata", titles=title)
        assert next(iter(info["pages"].values()))["params"], title
    revisions = mediawiki.revisions("Template:Hub status")
    assert revisions[-1]["user"] == mediawiki.bot.name and revisions[-1]["comment"] == "wikibot: template installed"

    before = _edits(mediawiki)
    again = jobs.templates(settings, mediawiki.page_store())
    assert again.saved == [] and again.clean
    assert all(p.action is TemplateAction.CURRENT for p in again.plans)
    assert _edits(mediawiki) == before  # a run that changes nothing saves nothing


def test_a_template_a_person_edited_is_left_alone_unless_forced(mediawiki: MediaWiki, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    jobs.templates(settings, mediawiki.page_store())
    text = mediawiki.revisions("Template:Hub status")[-1]["slots"]["main"]["content"]
    mediawiki.human_edit("Template:Hub status", text.replace("width:22em", "width:30em"), "wider")

    run = jobs.templates(_settings(tmp_path, "ar"), mediawiki.page_store())  # a new language: every template changes
    actions = {p.title: p.action for p in run.plans}
    assert actions["Template:Hub status"] is TemplateAction.EDITED and not run.clean
    assert "Template:Hub status" not in run.saved and len(run.saved) == 4  # the others, wikibot's, are updated
    assert any(line.startswith("left alone Template:Hub status: edited by someone else")
               for line in jobs.templates_text(run))
    assert "width:30em" in mediawiki.revisions("Template:Hub status")[-1]["slots"]["main"]["content"]
    assert "حالة الشراكة" in mediawiki.revisions("Template:Partnership status")[-1]["slots"]["main"]["content"]

    forced = jobs.templates(_settings(tmp_path, "ar"), mediawiki.page_store(), force=True)
    assert forced.saved == ["Template:Hub status"]
    last = mediawiki.revisions("Template:Hub status")[-1]
    assert "--force" in last["comment"] and "حالة المركز" in last["slots"]["main"]["content"]


@pytest.mark.parametrize("command", [["templates", "--dry-run"], ["templates"]])
def test_the_command_on_a_workspace(tmp_path: Path, command: list[str]) -> None:
    from tests.cli_support import run
    from wikibot.settings import init_workspace

    init_workspace(tmp_path / "ws")
    code, out = run(*command, "--workspace", str(tmp_path / "ws"))
    assert code == 0 and "5 templates" in out.splitlines()[-1]
    saved = (tmp_path / "ws" / "pages" / "Template:Hub status.wiki").exists()
    assert saved is (command == ["templates"])
