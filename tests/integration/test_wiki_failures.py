"""Issue 17 on a real MediaWiki (tests/mediawiki.py): a refused login, a wiki that stops answering
mid-run or is down from the start, and pywikibot's ``simulate``, each through the ``wikibot``
command as an operator runs it.

The registry pages are on the wiki (pywikibot as the bot, mwclient as the human who wrote them);
the items are in the workspace's local entity store, so every wait here is a real one, on the
real clock (the replayed Wikibase fakes its clock: tests/integration/test_cli_live.py has the
Wikibase side of the same cases).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mediawiki import MediaWiki
from tests.wikibase_support import set_hub_status
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.cli import main
from wikibot.settings import init_workspace
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikitext.registry_page import parse_registry_page

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "registry" / "pages"
TITLES = ("Organizations/Registry", "Hubs/Registry", "Partnerships/Registry")
HUBS, HEARTBEAT = "Hubs/Registry", "Registry/Bot status"
ENTRY_PAGES = ("ESEAP Hub", "Wikimedia CEE Hub")
MAX_WAIT = 2  # seconds: [wiki] max_wait in these tests
SLACK = 20  # seconds a run may take beyond the bound (its attempts, the heartbeat's one try, a slow machine)


@dataclass
class Operator:
    """An operator's workspace: the pages on ``wiki``, the items in the workspace's entity store."""

    wiki: MediaWiki
    workspace: Path
    config: Path

    def run(self, *argv: str) -> tuple[int, str]:
        out = io.StringIO()
        return main([*argv, "--config", str(self.config)], out=out), out.getvalue()

    def text(self, title: str) -> str:
        return str(self.wiki.revisions(title)[-1]["slots"]["main"]["content"])

    def revisions(self, title: str) -> int:
        try:
            return len(self.wiki.revisions(title))
        except KeyError:
            return 0

    def runs(self, job: str) -> list[dict[str, object]]:
        state = SqliteStateStore(self.workspace / "state" / "sync.sqlite")
        try:
            return state.runs(job)
        finally:
            state.close()


@pytest.fixture
def pywikibot_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """pywikibot's process-wide retry settings, which a run brings within its bound, as they were after the test."""
    from replay.pywikibot_env import import_pywikibot

    config = import_pywikibot().config
    for name in ("max_retries", "retry_wait", "retry_max", "socket_timeout", "simulate"):
        monkeypatch.setattr(config, name, getattr(config, name))


@pytest.fixture
def operator(fresh_mediawiki: MediaWiki, tmp_path: Path, pywikibot_retries: None) -> Operator:
    for title in (*TITLES, *ENTRY_PAGES):
        text = (EXAMPLE / f"{title}.wiki").read_text(encoding="utf-8")
        fresh_mediawiki.human_edit(title, text, summary="written by a person")
    workspace = tmp_path / "operator"
    init_workspace(workspace)
    for local in (workspace / "pages").rglob("*.wiki"):
        local.unlink()  # the pages are the wiki's
    config = workspace / "wikibot.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f'\n[wiki]\nsite = "{fresh_mediawiki.family}"\nindex_url = "{fresh_mediawiki.url}/index.php"\n'
                     f"max_wait = {MAX_WAIT}\n")
    operator = Operator(fresh_mediawiki, workspace, config)
    code, output = operator.run("bootstrap")  # the local entity store: no wiki involved
    assert code == 0, output
    return operator


def _secrets(wiki: MediaWiki) -> set[str]:
    return {wiki.bot.bot_password, wiki.bot.password}


# -- a refused login ---------------------------------------------------------------------------------

def test_a_wrong_bot_password_is_a_configuration_error_naming_the_account_and_the_file(
        operator: Operator, capsys: pytest.CaptureFixture[str]) -> None:
    """sync and status exit 2 (not 1, "run it again once the wiki answers"), say which account and
    which file to check, write nothing, and the failed runs are in the run log; the heartbeat
    cannot be saved (the bot cannot log in), and trying does not cost a second refused login."""
    from replay.pywikibot_env import password_file

    wiki = operator.wiki
    new_password = wiki.reset_bot_password()  # the configured BotPassword is now a wrong one
    edits = {title: operator.revisions(title) for title in (*TITLES, *ENTRY_PAGES, HEARTBEAT)}
    printed = []
    for job in ("sync", "status"):
        code, output = operator.run(job)
        err = capsys.readouterr().err
        printed += [output, err]
        assert code == 2, output + err
        assert f"refused the login of {wiki.bot.name!r}" in err and str(password_file()) in err
        assert "Incorrect username or password" in err
        assert "run it again once" not in err and "Traceback" not in err
        assert "created" not in output and "saved" not in output
        [run] = operator.runs(job)
        assert run["outcome"] == "failed" and f"refused the login of {wiki.bot.name!r}" in str(run["error"])
    assert {title: operator.revisions(title) for title in edits} == edits  # nothing written, no heartbeat
    assert not any(secret in text for secret in (*_secrets(wiki), new_password) for text in printed)


def test_bootstrap_dry_run_with_a_refused_login_claims_nothing_in_place(
        operator: Operator, capsys: pytest.CaptureFixture[str]) -> None:
    """The Wikibase named by its pywikibot family (here the MediaWiki itself: the login comes first):
    with a wrong BotPassword the dry run exits 2, and the ids in the ids file are not "in place"."""
    ids = InstanceIds.parse((operator.workspace / "wikibase-ids.json").read_text(encoding="utf-8"))
    assert len(ids.properties) + len(ids.items) == 86  # recorded: before, the dry run said all were in place
    with operator.config.open("a", encoding="utf-8") as handle:
        handle.write(f'[wikibase]\nsite = "{operator.wiki.family}"\n')
    operator.wiki.reset_bot_password()
    code, output = operator.run("bootstrap", "--dry-run")
    err = capsys.readouterr().err
    assert code == 2, output + err
    assert "in place" not in output and f"refused the login of {operator.wiki.bot.name!r}" in err


# -- a wiki that stops answering -----------------------------------------------------------------------

class _KillAfterFirstSave(io.StringIO):
    """The command's output: once the first registry page is saved, the wiki's server is killed."""

    def __init__(self, wiki: MediaWiki) -> None:
        super().__init__()
        self.wiki = wiki
        self.killed_at: float | None = None

    def write(self, text: str) -> int:
        if self.killed_at is None and "/Registry: saved" in text:
            self.wiki.kill()
            self.killed_at = time.monotonic()
        return super().write(text)


def test_a_wiki_stopped_mid_run_is_given_up_on_within_the_bound_and_a_rerun_finishes_the_work(
        operator: Operator, capsys: pytest.CaptureFixture[str]) -> None:
    wiki = operator.wiki
    out = _KillAfterFirstSave(wiki)
    code = main(["sync", "--config", str(operator.config)], out=out)
    stopped = time.monotonic()
    err = capsys.readouterr().err
    assert out.killed_at is not None, out.getvalue()
    assert code == 1, out.getvalue() + err
    assert f"'{wiki.family}' ({wiki.api_url}) did not answer within {MAX_WAIT} s (connection refused)" in err
    assert "Traceback" not in err and "knows no site" not in err
    assert stopped - out.killed_at < MAX_WAIT + SLACK
    waits = [line for line in out.getvalue().splitlines() if "connection refused; waiting" in line]
    assert waits and all(line.startswith(f"'{wiki.family}' ({wiki.api_url}): ") for line in waits)  # each wait shown
    [run] = operator.runs("sync")
    assert run["outcome"] == "failed" and f"did not answer within {MAX_WAIT} s" in str(run["error"])
    entities = LocalEntityStore(operator.workspace)
    items = len(entities.entity_ids())
    state = SqliteStateStore(operator.workspace / "state" / "sync.sqlite")
    recorded = len(state.entries())
    state.close()
    assert recorded == 87  # every item created is recorded: nothing is lost

    wiki.restart()
    code, output = operator.run("sync")
    assert code == 0, output + capsys.readouterr().err
    assert "created 0 items (found 0)" in output
    assert len(entities.entity_ids()) == items  # no item twice
    for title in TITLES:
        assert all(entry.item for entry in parse_registry_page(operator.text(title), title).entries), title
    outcomes = [run["outcome"] for run in operator.runs("sync")]
    assert outcomes == ["failed", "ok"]
    assert "did not answer" in operator.text(HEARTBEAT)  # the failure, shown once the wiki answered again


def test_a_wiki_down_from_the_start_is_unreachable_not_unknown(
        operator: Operator, capsys: pytest.CaptureFixture[str]) -> None:
    """pywikibot asks the wiki who we are while it builds the site: a silent wiki shows there,
    and is a wiki that did not answer (exit 1), not a site pywikibot does not know (exit 2)."""
    wiki = operator.wiki
    wiki.kill()
    started = time.monotonic()
    code, output = operator.run("sync")
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 1, output + err
    assert f"asking who the bot is: '{wiki.family}' ({wiki.api_url}) did not answer within {MAX_WAIT} s " \
           "(connection refused)" in err
    assert "knows no site" not in err and "user-config.py" not in err and "Traceback" not in err
    assert MAX_WAIT <= took < MAX_WAIT + SLACK
    [run] = operator.runs("sync")
    assert run["outcome"] == "failed" and "did not answer" in str(run["error"])


def test_a_wiki_that_takes_connections_but_never_answers_is_given_up_on_within_the_bound(
        operator: Operator, capsys: pytest.CaptureFixture[str]) -> None:
    """Each attempt costs a socket timeout (pywikibot's: 45 s to read), brought within the bound too."""
    wiki = operator.wiki
    with wiki.frozen():
        started = time.monotonic()
        code, output = operator.run("sync")
        took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 1, output + err
    assert f"'{wiki.family}' ({wiki.api_url}) did not answer within {MAX_WAIT} s (no answer in time (read " \
           "timeout))" in err, err
    assert MAX_WAIT <= took < MAX_WAIT + SLACK
    assert "Traceback" not in err


# -- a real run in its own process: the configuration of an operator, Ctrl-C ----------------------------

def _own_process(operator: Operator, tmp_path: Path, *argv: str) -> subprocess.Popen[str]:
    """``python -m wikibot ARGV`` with a pywikibot directory of its own, as an operator writes it:
    the wiki defined by its URL in user-config.py, the BotPassword in user-password.py."""
    wiki = operator.wiki
    directory = tmp_path / "pywikibot"
    directory.mkdir(exist_ok=True)
    (directory / "user-config.py").write_text(
        f"family = {wiki.family!r}\nmylang = {wiki.family!r}\n"
        f"family_files[{wiki.family!r}] = {wiki.api_url!r}\n"
        f"usernames[{wiki.family!r}][{wiki.family!r}] = {wiki.bot.name!r}\n"
        "password_file = 'user-password.py'\nput_throttle = 0\nminthrottle = 0\n"
        "user_agent_description = 'wikibot/tests (issue 17)'\n", encoding="utf-8")
    passwords = directory / "user-password.py"
    passwords.write_text(f"({wiki.bot.name!r}, BotPassword({wiki.bot.app!r}, {wiki.bot.bot_password!r}))\n",
                         encoding="utf-8")
    passwords.chmod(0o600)
    environment = {**os.environ, "PYWIKIBOT_DIR": str(directory), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "wikibot", *argv, "--config", str(operator.config)],
                            cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)


def test_in_its_own_process_a_silent_wiki_exits_1_within_the_bound_with_one_line_and_no_traceback(
        operator: Operator, tmp_path: Path) -> None:
    operator.wiki.kill()
    started = time.monotonic()
    process = _own_process(operator, tmp_path, "sync")
    out, err = process.communicate(timeout=MAX_WAIT + 120)
    took = time.monotonic() - started
    assert process.returncode == 1, out + err
    assert "did not answer within 2 s (connection refused)" in err and "Traceback" not in err + out
    assert took < MAX_WAIT + 60  # python, pywikibot's import and the bound
    assert not any(secret in out + err for secret in _secrets(operator.wiki))


def test_ctrl_c_while_waiting_for_a_silent_wiki_exits_130_with_a_message_and_the_run_is_logged(
        operator: Operator, tmp_path: Path) -> None:
    operator.config.write_text(operator.config.read_text(encoding="utf-8").replace(
        f"max_wait = {MAX_WAIT}", "max_wait = 600"), encoding="utf-8")  # it would wait far longer than we do
    operator.wiki.kill()
    process = _own_process(operator, tmp_path, "sync")
    assert process.stdout is not None
    said = process.stdout.readline()  # the progress: the first wait
    assert "asking who the bot is: connection refused; waiting 5 s before trying again (5 of at most 600 s)" \
        in said
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, said + out + err
    assert "wikibot: sync interrupted; what was written before is kept and recorded; run it again" in err
    assert "Traceback" not in err + out and "KeyboardInterrupt" not in err
    [run] = operator.runs("sync")
    assert run["outcome"] == "failed" and run["error"] == "interrupted (Ctrl-C)"


# -- pywikibot's simulate -------------------------------------------------------------------------------

def test_with_pywikibots_simulate_saves_are_reported_as_simulated_and_nothing_is_saved_or_recorded(
        operator: Operator, capsys: pytest.CaptureFixture[str]) -> None:
    from replay.pywikibot_env import import_pywikibot

    code, output = operator.run("sync")
    assert code == 0, output
    mapping = InstanceIds.parse((operator.workspace / "wikibase-ids.json").read_text("utf-8")).resolved()
    item = next(e.item for e in parse_registry_page(operator.text(HUBS), HUBS).entries if e.id == "eseap-hub")
    assert item is not None
    set_hub_status(LocalEntityStore(operator.workspace), mapping, item, "implementation")  # for Hubs/Registry
    edits = {title: operator.revisions(title) for title in (*TITLES, *ENTRY_PAGES, HEARTBEAT)}

    import_pywikibot().config.simulate = True  # as `simulate = True` in user-config.py (restored after)
    code, output = operator.run("sync")
    err = capsys.readouterr().err
    assert code == 0, output + err
    assert "not kept current" not in err  # the last run's App let go of the query store (no reference cycle)
    assert "sync: simulated, not written (pywikibot's simulate is on): Hubs/Registry" in output
    assert "Hubs/Registry: save simulated (pywikibot's simulate is on)" in output  # the progress
    assert "edited 0 pages" in output
    code, output = operator.run("status", "--today", "2026-11-21")
    assert "simulated ESEAP Hub (pywikibot's simulate is on: not saved)" in output, output
    assert "saved ESEAP Hub" not in output and ", simulated 2 (nothing saved)" in output
    code, output = operator.run("coverage", "--publish", "--format", "csv")
    err = capsys.readouterr().err
    assert code == 0 and "report page Registry/Coverage simulated" in err, output + err
    assert {title: operator.revisions(title) for title in edits} == edits  # nothing saved on the wiki
    assert operator.revisions("Registry/Coverage") == 0

    import_pywikibot().config.simulate = False
    code, output = operator.run("sync")  # nothing was recorded for the simulated save: now it is made
    assert code == 0, output
    assert "edited 1 pages" in output
    assert next(e for e in parse_registry_page(operator.text(HUBS), HUBS).entries
                if e.id == "eseap-hub").status == "implementation"
