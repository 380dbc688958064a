"""Operations: one run of a job at a time (a lock, exit code 3), 'wikibot run' for schedulers,
and the scope guard: the bot edits only the pages its configuration names."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import run
from wikibot.adapters.lock import job_lock
from wikibot.cli import EXIT_LOCKED, build_parser, main
from wikibot.errors import LockHeldError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run("init", str(root))[0] == 0
    assert run("bootstrap", "--workspace", str(root))[0] == 0
    return root


def saves(root: Path) -> list[str]:
    path = root / "state" / "edits.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["title"] for line in path.read_text(encoding="utf-8").splitlines()]


def items(root: Path) -> int:
    return len(list((root / "entities").glob("Q*.json")))


def test_a_second_run_of_a_job_under_way_exits_3_and_does_nothing(workspace: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = (items(workspace), saves(workspace))
    with job_lock(workspace / "state" / "locks", "sync"):
        code, _ = run("sync", "--workspace", str(workspace))
        assert code == EXIT_LOCKED == 3
        message = capsys.readouterr().err
        assert "another 'sync' run is under way" in message and f"pid {os.getpid()}" in message
        assert (items(workspace), saves(workspace)) == before
        # another job, and a dry run of the same one, are not held up
        assert run("sync", "--workspace", str(workspace), "--dry-run")[0] == 0
        assert run("validate", "--workspace", str(workspace))[0] == 0
    assert run("sync", "--workspace", str(workspace))[0] == 0  # the lock went with its holder
    assert items(workspace) > before[0]


def test_the_lock_is_released_when_its_holder_dies(workspace: Path) -> None:
    script = ("import os, sys; from pathlib import Path; from wikibot.adapters.lock import job_lock\n"
              "with job_lock(Path(sys.argv[1]), 'sync'):\n    os._exit(9)\n")
    subprocess.run([sys.executable, "-c", script, str(workspace / "state" / "locks")], check=False)
    with job_lock(workspace / "state" / "locks", "sync"):  # taken at once: no stale lock
        with pytest.raises(LockHeldError):
            with job_lock(workspace / "state" / "locks", "sync"):
                pass


def test_two_concurrent_runs_of_sync_do_the_work_once(workspace: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIBOT_")}
    bootstrapped = items(workspace)
    command = [sys.executable, "-m", "wikibot", "run", "sync", "--workspace", str(workspace)]
    first, second = (subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(2))
    outcomes = []
    for process in (first, second):
        stdout, stderr = process.communicate(timeout=120)
        outcomes.append((process.returncode, stdout + stderr))
    codes = sorted(code for code, _ in outcomes)
    assert codes in ([0, 0], [0, EXIT_LOCKED]), outcomes
    created = [line for _, output in outcomes for line in output.splitlines() if line.startswith("sync: created")]
    if codes == [0, EXIT_LOCKED]:
        assert len(created) == 1 and any("another 'sync' run is under way" in o for _, o in outcomes)
    else:  # one after the other: the second found everything in agreement
        assert sorted(created)[0].startswith("sync: created 0 items")
    assert items(workspace) == bootstrapped + 87  # one item per entry: none twice
    registry_saves = [t for t in saves(workspace) if t.endswith("/Registry")]
    assert sorted(registry_saves) == ["Hubs/Registry", "Organizations/Registry", "Partnerships/Registry"]


def test_run_runs_each_job_and_exits_with_the_worst_code(workspace: Path) -> None:
    code, output = run("run", "sync", "status", "coverage", "health", "--workspace", str(workspace))
    assert code == 0, output
    for job in ("sync", "status", "coverage", "health"):
        assert f"== wikibot {job}: exit 0" in output
    assert "Registry/Coverage" in saves(workspace)
    (workspace / "pages" / "Hubs" / "Registry.wiki").write_text(
        (workspace / "pages" / "Hubs" / "Registry.wiki").read_text(encoding="utf-8").replace(
            "| status = pilot", "| status = piolt", 1), encoding="utf-8")
    code, output = run("run", "validate", "health", "--workspace", str(workspace))
    assert code == 1 and "== wikibot validate: exit 1" in output and "== wikibot health: exit 0" in output
    with pytest.raises(SystemExit) as stopped:
        run("run", "nonesuch", "--workspace", str(workspace))
    assert stopped.value.code == 2


def _set_page(root: Path, registry_id: str, title: str) -> None:
    path = root / "pages" / "Hubs" / "Registry.wiki"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"| id = {registry_id}\n")
    end = text.index("}}", start)
    block = text[start:end]
    lines = [line for line in block.splitlines() if not line.startswith("| page")] + [f"| page = {title}", ""]
    path.write_text(text[:start] + "\n".join(lines) + text[end:], encoding="utf-8")


@pytest.mark.parametrize("title", ["MediaWiki:Common.js", "Template:Hub status", "User talk:Someone"])
def test_an_entry_page_outside_the_main_namespace_is_reported_not_followed(workspace: Path, title: str) -> None:
    _set_page(workspace, "cee-hub", title)
    assert run("sync", "--workspace", str(workspace))[0] == 0
    code, output = run("status", "--workspace", str(workspace))
    assert code == 1
    assert f"problem cee-hub [[{title}]]: the page is not in the main namespace" in output
    assert title not in saves(workspace)
    assert not (workspace / "pages" / f"{title}.wiki").exists()


def test_configured_prefixes_are_the_only_entry_pages(workspace: Path) -> None:
    config = workspace / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '[status]\n', '[status]\npage_prefixes = ["Wikimedia ", "Template:Hub status/"]\n'), encoding="utf-8")
    _set_page(workspace, "eseap-hub", "Template:Hub status/ESEAP")
    (workspace / "pages" / "Template:Hub status").mkdir(parents=True)
    (workspace / "pages" / "Template:Hub status" / "ESEAP.wiki").write_text("ESEAP hub's page\n", encoding="utf-8")
    assert run("sync", "--workspace", str(workspace))[0] == 0
    code, output = run("status", "--workspace", str(workspace))
    assert code == 1
    kept = ("Hubs/", "Organizations/", "Partnerships/", "Registry/")
    edited = [t for t in saves(workspace) if not t.startswith(kept)]
    assert sorted(edited) == ["Template:Hub status/ESEAP", "Wikimedia CEE Hub"]
    assert "problem wikifranca [[WikiFranca]]: the page is not under the entry page prefixes" in output


def _deployed_commands() -> list[list[str]]:
    commands = []
    for name in ("jobs.yaml", "wikibot-sync.service"):
        for line in (ROOT / "scripts" / "deploy" / name).read_text(encoding="utf-8").splitlines():
            if "bin/wikibot " in line and not line.lstrip().startswith("#"):
                commands.append(shlex.split(line.split("bin/wikibot ", 1)[1]))
    return commands


def test_the_deployment_examples_use_commands_that_exist() -> None:
    commands = _deployed_commands()
    assert len(commands) == 4
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(argv)  # exits 2 on an unknown command or option
        assert args.command in ("run", "health")
    timer = (ROOT / "scripts" / "deploy" / "wikibot-sync.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "Persistent=true" in timer


def test_structured_logs_are_one_json_object_a_line(workspace: Path) -> None:
    command = [sys.executable, "-m", "wikibot", "--log-format", "json", "run", "sync", "coverage",
               "--workspace", str(workspace)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records and all({"time", "level", "command", "message"} <= set(r) for r in records)
    assert [r["message"] for r in records if r["command"] == "run"] == ["exit 0"]
    assert [r["message"] for r in records if r["command"] == "sync"][-1] == "exit 0"
    assert any(r["command"] == "coverage" and "Registry/Coverage saved" in r["message"] for r in records)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_progress_is_one_line_rewritten_in_place(workspace: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _Tty()
    monkeypatch.setattr(sys, "stdout", screen)
    assert main(["sync", "--workspace", str(workspace)]) == 0
    text = screen.getvalue()
    assert text.count("\r\x1b[K") >= 87 and "wmf: created Q" in text  # each message drawn over the last
    lines = text.split("\n")
    assert len(lines) < 10  # not a line per item: the progress stays on one line
    summary = next(line for line in lines if "sync: created 87 items" in line)
    assert summary.split("\r\x1b[K")[-1].startswith("sync: created 87 items")  # the result is whole
    piped = io.StringIO()
    assert main(["sync", "--workspace", str(workspace)], out=piped) == 0
    assert "\x1b" not in piped.getvalue()  # not a terminal: plain lines


def test_run_with_exit_on_new_says_a_persisting_conflict_once(workspace: Path) -> None:
    """Issue 17: a scheduler that mails on failure hears of a conflict once, not every half hour."""
    from tests.wikibase_support import set_hub_status
    from wikibot.adapters.entity_local import LocalEntityStore
    from wikibot.adapters.workspace import LocalPageStore
    from wikibot.wikibase.instance import InstanceIds
    from wikibot.wikitext.registry_edit import patch_entry
    from wikibot.wikitext.registry_page import parse_registry_page

    assert run("sync", "--workspace", str(workspace))[0] == 0
    mapping = InstanceIds.parse((workspace / "wikibase-ids.json").read_text(encoding="utf-8")).resolved()
    editor = LocalPageStore(workspace, user="An editor")

    def conflict(registry_id: str) -> None:
        page = editor.fetch_pages(["Hubs/Registry"])["Hubs/Registry"]
        assert page is not None
        item = next(e.item for e in parse_registry_page(page.text, "Hubs/Registry").entries if e.id == registry_id)
        editor.save_page("Hubs/Registry", patch_entry(page.text, registry_id, {"status": "implementation"}),
                         base=page, summary="an editor")
        set_hub_status(LocalEntityStore(workspace), mapping, str(item), "dormant")

    conflict("eseap-hub")
    codes = [run("run", "sync", "--exit-on", "new", "--workspace", str(workspace)) for _ in range(3)]
    assert [code for code, _ in codes] == [1, 0, 0]
    assert "nothing new since its last run" in codes[1][1]
    assert run("run", "sync", "--workspace", str(workspace))[0] == 1  # without it: every time
    conflict("south-asia-hub")  # something new needs a person
    assert run("run", "sync", "--exit-on", "new", "--workspace", str(workspace))[0] == 1
    assert run("run", "sync", "--exit-on", "new", "--workspace", str(workspace))[0] == 0


def test_run_dry_run_writes_nothing_and_options_go_after_the_command(workspace: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = saves(workspace)
    code, out = run("run", "sync", "status", "coverage", "--dry-run", "--log-format", "json",
                    "--workspace", str(workspace))
    assert code in (0, 1) and saves(workspace) == before
    assert "sync (dry run)" in out
    assert all(line.startswith("{") for line in capsys.readouterr().err.splitlines() if line)


def test_health_of_a_job_that_does_not_exist_is_a_usage_error(workspace: Path) -> None:
    with pytest.raises(SystemExit) as usage:
        run("health", "--job", "nosuch", "--workspace", str(workspace))
    assert usage.value.code == 2


@pytest.mark.parametrize(("query", "code", "said"), [
    ("SELECT ?x WHERE { ?x wdt:{{P:regoin}} ?y }", 2, "did you mean 'region'?"),
    ("SELECT * WHERE { {{VALUES ?a ?b ?c = hub_status}} }", 2, "did you mean 'hub-status'?"),
    ("SELECT * WHERE { {{PARAM:today}} }", 2, "did you mean 'param'?"),
    ("SELECT ?x WHERE { ?x ?y }", 1, "the query is not valid SPARQL: at line"),
])
def test_sparql_says_what_is_wrong_with_a_query_in_a_sentence(workspace: Path, tmp_path: Path, query: str,
                                                             code: int, said: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.rq"
    path.write_text(query + "\n", encoding="utf-8")
    assert run("sparql", str(path), "--workspace", str(workspace))[0] == code
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and "SELECT" not in err  # the query is not echoed


def test_ctrl_c_ends_with_a_message_exit_130_and_a_state_a_rerun_finishes_from(
        workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from wikibot.adapters.entity_local import LocalEntityStore
    from wikibot.adapters.state_sqlite import SqliteStateStore

    real = LocalEntityStore.save_entity
    calls: list[str | None] = []

    def interrupted(self: LocalEntityStore, entity_id: str | None, data: dict[str, object], **kwargs: object) -> object:
        calls.append(entity_id)
        if len(calls) == 20:
            raise KeyboardInterrupt
        return real(self, entity_id, data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LocalEntityStore, "save_entity", interrupted)
    code, _ = run("sync", "--workspace", str(workspace))
    err = capsys.readouterr().err
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    state = SqliteStateStore(workspace / "state" / "sync.sqlite")
    assert state.runs("sync")[-1]["error"] == "interrupted (Ctrl-C)"
    assert len(state.entries()) == 19  # each item created before the interruption is recorded
    state.close()
    monkeypatch.setattr(LocalEntityStore, "save_entity", real)
    code, out = run("sync", "--workspace", str(workspace))
    assert code == 0 and "created 68 items" in out  # the rest, no item twice
