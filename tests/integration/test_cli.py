"""The wikibot command as a user runs it: exit codes, output, help, configuration errors."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WIKIBOT_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "wikibot", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_and_option_has_help_text() -> None:
    parser = build_parser()
    commands = _subparsers(parser)
    assert {"validate", "bootstrap", "init"} <= set(commands)
    helps = {a.dest: a.help for a in parser._actions if isinstance(a, argparse._SubParsersAction)}
    assert helps
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for listed in choices._choices_actions:
        assert listed.help and len(listed.help) > 10, listed.dest
    for name, sub in commands.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.option_strings or action.dest}"


def test_validate_example_registry_is_clean() -> None:
    result = run("validate", "--workspace", str(EXAMPLES / "registry"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().splitlines()[-1].endswith("; valid")
    assert "Hubs/Registry:" in result.stdout and "Traceback" not in result.stderr


def test_validate_broken_page_reports_every_planted_problem() -> None:
    expected = json.loads((EXAMPLES / "broken" / "EXPECTED.json").read_text(encoding="utf-8"))
    result = run("validate", "--workspace", str(EXAMPLES / "broken"), "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is False
    found = {(p["line"], p["registry_id"], p["field"], p["code"]) for p in report["problems"]}
    wanted = {(e["line"], e["registry_id"], e["field"], e["code"]) for e in expected}
    assert wanted <= found, f"not reported: {sorted(wanted - found, key=str)}"
    assert found <= wanted, f"reported but not planted: {sorted(found - wanted, key=str)}"
    text = run("validate", "--workspace", str(EXAMPLES / "broken"))
    assert text.returncode == 1
    for problem in report["problems"]:
        line = f"{problem['page']}:{problem['line']}  {problem['registry_id'] or '-'}  {problem['field'] or '-'}  "
        assert line in text.stdout


def test_default_workspace_is_created_from_the_example(tmp_path: Path) -> None:
    result = run("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created the workspace wikibot-workspace/" in result.stderr
    assert (tmp_path / "wikibot-workspace" / "pages" / "Hubs" / "Registry.wiki").is_file()
    again = run("validate", cwd=tmp_path)
    assert again.returncode == 0 and "created" not in again.stderr


def test_workspace_from_the_environment(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "ws"), "--example", "broken").returncode == 0
    result = run("validate", env={"WIKIBOT_WORKSPACE": str(tmp_path / "ws")})
    assert result.returncode == 1


@pytest.mark.parametrize(("config", "message"), [
    ("[registry]\npages = ['A']\nbogus = 1\n", "registry.bogus: unknown key"),
    ("[registyr]\npages = ['A']\n", "registyr: unknown key"),
    ("[registry]\npages = []\n", "registry.pages"),
    ("[registry\n", "not valid TOML"),
])
def test_bad_configuration_exits_2_with_the_reason(tmp_path: Path, config: str, message: str) -> None:
    path = tmp_path / "wikibot.toml"
    path.write_text(config, encoding="utf-8")
    result = run("validate", "--config", str(path))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("validate", "--format", "xml").returncode == 2
    assert run().returncode == 2
    missing = run("validate", "--workspace", str(tmp_path / "none"))
    assert missing.returncode == 2 and "wikibot init" in missing.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert run("init", str(tmp_path / "full")).returncode == 2


def test_missing_registry_page_is_a_problem(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "ws")]) == 0
    (tmp_path / "ws" / "pages" / "Hubs" / "Registry.wiki").unlink()
    result = run("validate", "--workspace", str(tmp_path / "ws"))
    assert result.returncode == 1
    assert "Hubs/Registry:0  -  -  the page does not exist" in result.stdout


def test_bootstrap_creates_once_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert main(["init", str(workspace)]) == 0
    dry = run("bootstrap", "--workspace", str(workspace), "--dry-run")
    assert dry.returncode == 0 and "would create 86" in dry.stdout
    assert not (workspace / "entities").exists() and not (workspace / "wikibase-ids.json").exists()
    first = run("bootstrap", "--workspace", str(workspace))
    assert first.returncode == 0 and "created 86" in first.stdout
    ids = json.loads((workspace / "wikibase-ids.json").read_text(encoding="utf-8"))
    assert ids["properties"]["registry_id"].startswith("P") and ids["items"]["region:eseap"].startswith("Q")
    state = workspace / "state" / "sync.sqlite"  # the property is new: no item can hold it yet
    known = SqliteStateStore(state)
    assert known.knows_every_item(ids["properties"]["registry_id"])
    known.close()
    state.unlink()
    revisions = (workspace / "entities" / "counters.json").read_text(encoding="utf-8")
    second = run("bootstrap", "--workspace", str(workspace))
    assert second.returncode == 0 and "created 0" in second.stdout
    assert (workspace / "entities" / "counters.json").read_text(encoding="utf-8") == revisions
    assert not SqliteStateStore(state).knows_every_item(ids["properties"]["registry_id"])  # found, not new


def test_bootstrap_with_a_corrupt_ids_file_exits_2(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert main(["init", str(workspace)]) == 0
    (workspace / "wikibase-ids.json").write_text("{not json", encoding="utf-8")
    result = run("bootstrap", "--workspace", str(workspace))
    assert result.returncode == 2 and "cannot read the instance ids" in result.stderr
