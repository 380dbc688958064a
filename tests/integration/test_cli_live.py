"""``wikibot`` commands on a live Wikibase named in wikibot.toml, over the replayed transport."""

import io
from pathlib import Path

import pytest

from replay.wikibase import FAMILY, replay_wikibase
from wikibot.cli import main
from wikibot.settings import init_workspace
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import PROPERTIES, vocabulary_items

NEEDED = len(PROPERTIES) + len(list(vocabulary_items()))


def _workspace(tmp_path: Path, site: str) -> Path:
    workspace = tmp_path / "workspace"
    init_workspace(workspace)
    with (workspace / "wikibot.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[wikibase]\nsite = "{site}"\n')
    return workspace


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_bootstrap_on_the_configured_wikibase_then_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, FAMILY)
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        code, output = _run("bootstrap", "--workspace", str(workspace))
        assert code == 0, output
        assert f"the Wikibase {FAMILY!r}" in output and f"created {NEEDED}" in output
        ids = InstanceIds.parse((workspace / "wikibase-ids.json").read_text(encoding="utf-8"))
        assert len(ids.properties) + len(ids.items) == NEEDED
        assert replay.count("wbeditentity") == NEEDED
        assert not (workspace / "entities").exists()  # the local store was not touched

        code, output = _run("bootstrap", "--workspace", str(workspace))
        assert code == 0, output
        assert "created 0, found 0" in output
        assert replay.count("wbeditentity") == NEEDED  # the second run wrote nothing


def test_dry_run_on_the_configured_wikibase_writes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, FAMILY)
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        code, output = _run("bootstrap", "--dry-run", "--workspace", str(workspace))
        assert code == 0, output
        assert f"would create {NEEDED}" in output
        assert replay.count("wbeditentity") == 0
        assert not (workspace / "wikibase-ids.json").exists()


def test_an_unknown_site_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    workspace = _workspace(tmp_path, "nosuchfamily")
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        before = len(replay.calls)  # the replay's own site asked who it is
        code, _ = _run("bootstrap", "--workspace", str(workspace))
        assert code == 2
        assert "nosuchfamily" in capsys.readouterr().err
        assert len(replay.calls) == before


def test_a_failure_midway_keeps_the_ids_created_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from replay.wikibase import http_error

    workspace = _workspace(tmp_path, FAMILY)
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        created = []
        original = replay._edit_backend

        def fail_after_three(call):  # type: ignore[no-untyped-def]
            if len(created) == 3:
                return replay._serve(http_error(503))
            created.append(call)
            return original(call)

        monkeypatch.setattr(replay, "_edit_backend", fail_after_three)
        code, output = _run("bootstrap", "--workspace", str(workspace))
        assert code == 1, output
        assert "problem: stopped:" in output and "503 Server Error" in output and "created 3," in output
        ids = InstanceIds.parse((workspace / "wikibase-ids.json").read_text(encoding="utf-8"))
        assert len(ids.properties) == 3  # recorded: the next run will not create them again
        monkeypatch.setattr(replay, "_edit_backend", original)
        code, output = _run("bootstrap", "--workspace", str(workspace))
        assert code == 0, output
        assert f"created {NEEDED - 3}" in output
