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


# -- issue 17: a refused login, a silent Wikibase, pywikibot's simulate --------------------------------

def _recorded_ids(workspace: Path) -> None:
    """An ids file naming every property and item, as after a bootstrap long ago (nothing read yet)."""
    ids = InstanceIds({spec.key: f"P{n}" for n, spec in enumerate(PROPERTIES, 1)},
                      {spec.key: f"Q{n}" for n, spec in enumerate(vocabulary_items(), 1)})
    (workspace / "wikibase-ids.json").write_text(ids.render(), encoding="utf-8")


def _runs(workspace: Path, job: str) -> list[dict[str, object]]:
    from wikibot.adapters.state_sqlite import SqliteStateStore

    state = SqliteStateStore(workspace / "state" / "sync.sqlite")
    try:
        return state.runs(job)
    finally:
        state.close()


def _heartbeat(workspace: Path) -> str:
    return (workspace / "pages" / "Registry" / "Bot status.wiki").read_text(encoding="utf-8")


def test_a_refused_login_to_the_wikibase_is_a_configuration_error_and_nothing_is_claimed_as_checked(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong BotPassword: exit 2 naming the account and the file to check; the dry run of bootstrap
    says nothing is in place (it read nothing), and the password is never shown."""
    from replay.pywikibot_env import password_file
    from replay.wikibase import BOT, BOT_PASSWORD

    workspace = _workspace(tmp_path, FAMILY)
    _recorded_ids(workspace)
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        replay.login_fails = True
        code, output = _run("bootstrap", "--dry-run", "--workspace", str(workspace))
        err = capsys.readouterr().err
        assert code == 2, output + err
        assert "in place" not in output and "would create" not in output
        assert f"refused the login of {BOT!r}" in err and str(password_file()) in err
        assert "Incorrect username or password" in err and "run it again once" not in err
        assert replay.count("login") == 1 and replay.count("wbgetentities") == 0
        assert BOT_PASSWORD not in output + err


def test_a_refused_login_to_the_wikibase_stops_the_sync_and_is_in_the_run_log_and_on_the_heartbeat(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from replay.wikibase import BOT

    workspace = _workspace(tmp_path, FAMILY)
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        assert _run("bootstrap", "--workspace", str(workspace))[0] == 0
        assert _run("sync", "--workspace", str(workspace))[0] == 0
        writes = replay.count("wbeditentity")
        replay.expire_session()  # a BotPassword changed on the wiki ends its sessions
        replay.login_fails = True
        for job in ("sync", "status"):
            logins = replay.count("login")
            code, output = _run(job, "--workspace", str(workspace))
            err = capsys.readouterr().err
            assert code == 2, output + err
            assert f"refused the login of {BOT!r}" in err and "created" not in output and "saved" not in output
            run = _runs(workspace, job)[-1]
            assert run["outcome"] == "failed" and f"refused the login of {BOT!r}" in str(run["error"])
            assert "refused the login" in _heartbeat(workspace)  # the pages' wiki (the workspace) still answers
            assert replay.count("login") == logins + 1  # once a run: refusals lock the account
        assert replay.count("wbeditentity") == writes


def test_a_silent_wikibase_is_unreachable_not_unknown_and_is_given_up_on_within_the_bound(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Down from the start: building pywikibot's site already asks the wiki; exit 1 naming the wiki,
    after waiting no longer than ``[wiki] max_wait`` in all, each wait said."""
    import pywikibot

    for name in ("max_retries", "retry_wait", "retry_max", "socket_timeout"):
        monkeypatch.setattr(pywikibot.config, name, getattr(pywikibot.config, name))
    workspace = _workspace(tmp_path, FAMILY)
    _recorded_ids(workspace)
    with (workspace / "wikibot.toml").open("a", encoding="utf-8") as config:
        config.write("[wiki]\nmax_wait = 30\n")
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        replay.silent = True
        code, output = _run("bootstrap", "--dry-run", "--workspace", str(workspace))
        err = capsys.readouterr().err
        assert code == 1, output + err
        assert f"'{FAMILY}' (http://127.0.0.1:8282/api.php) did not answer within 30 s (connection refused)" in err
        assert "knows no site" not in err and "in place" not in output and "Traceback" not in err
        assert sum(replay.clock.sleeps) == 30 and replay.clock.sleeps == [5, 10, 15]
        assert output.count("connection refused; waiting") == 3  # each wait in the progress
        assert pywikibot.config.max_retries == 2 and pywikibot.config.retry_max == 30  # pywikibot's own, bounded


def test_a_wikibase_that_falls_silent_during_the_sync_stops_it_the_run_log_and_heartbeat_say_so(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = _workspace(tmp_path, FAMILY)
    with (workspace / "wikibot.toml").open("a", encoding="utf-8") as config:
        config.write("[wiki]\nmax_wait = 12\n")
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (_, replay):
        assert _run("bootstrap", "--workspace", str(workspace))[0] == 0
        original = replay._edit_backend
        created: list[object] = []

        def silent_after_three(call):  # type: ignore[no-untyped-def]
            answer = original(call)
            created.append(call)
            replay.silent = len(created) == 3  # the wiki goes down after its third creation
            return answer

        monkeypatch.setattr(replay, "_edit_backend", silent_after_three)
        before = len(replay.clock.sleeps)
        code, output = _run("sync", "--workspace", str(workspace))
        err = capsys.readouterr().err
        assert code == 1, output + err
        assert "did not answer within 12 s (connection refused)" in err and "sync stopped" in err
        assert sum(replay.clock.sleeps[before:]) <= 12
        [run] = _runs(workspace, "sync")
        assert run["outcome"] == "failed" and "did not answer within 12 s" in str(run["error"])
        assert "did not answer within 12 s" in _heartbeat(workspace)
        from wikibot.adapters.state_sqlite import SqliteStateStore

        state = SqliteStateStore(workspace / "state" / "sync.sqlite")
        assert len(state.entries()) == 3  # the items created before are recorded: nothing is lost
        state.close()
        replay.silent = False
        monkeypatch.setattr(replay, "_edit_backend", original)
        code, output = _run("sync", "--workspace", str(workspace))
        assert code == 0, output + capsys.readouterr().err
        assert "created 84 items (found 0)" in output  # the three before are not created again


def test_a_simulated_write_to_the_wikibase_sends_nothing_and_records_nothing(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import pywikibot

    workspace = _workspace(tmp_path, FAMILY)
    with replay_wikibase(monkeypatch, backend=tmp_path / "wiki") as (store, replay):
        monkeypatch.setattr(pywikibot.config, "simulate", True)
        from wikibot.ports import Simulated

        outcome = store.save_entity(None, {"labels": {"en": {"language": "en", "value": "x"}}}, base_revid=None,
                                    summary="test")
        assert isinstance(outcome, Simulated) and replay.count("wbeditentity") == 0
        code, output = _run("bootstrap", "--workspace", str(workspace))
        assert code == 1 and replay.count("wbeditentity") == 0
        assert "creation simulated (pywikibot's simulate is on): not created" in output and "created 0," in output
        assert not (workspace / "wikibase-ids.json").exists()
