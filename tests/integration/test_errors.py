"""One error tree: every error a person can meet carries its exit code, and the CLI maps it in one place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli_support import run
from wikibot import errors
from wikibot.adapters.workspace import LocalPageStore
from wikibot.app import App
from wikibot.errors import EXIT_CODES, WikibotError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run("init", str(root))[0] == 0
    return root


def _every_error() -> list[type[WikibotError]]:
    found, todo = [], [WikibotError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__name__)


def test_the_readme_table_of_exit_codes_is_the_one_the_cli_uses() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", readme, flags=re.M)
    assert [(int(code), meaning) for code, meaning in rows] == list(EXIT_CODES)


def test_every_error_class_exits_with_a_code_of_the_table() -> None:
    codes = {code for code, _ in EXIT_CODES}
    classes = _every_error()
    assert len(classes) >= 15  # the tree the module docstring draws
    for cls in classes:
        assert cls.exit_code in codes, cls
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} is missing from the drawn tree"


def _error(cls: type[WikibotError]) -> WikibotError:
    if cls is errors.PageRefusedError:
        return cls("Hubs/Registry", "protectedpage", "This page has been protected")  # type: ignore[call-arg]
    return cls(f"a {cls.__name__} for the test")


@pytest.mark.parametrize("cls", _every_error(), ids=lambda c: c.__name__)
def test_the_cli_turns_each_error_into_its_exit_code_and_one_message(
        cls: type[WikibotError], workspace: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = _error(cls)

    def fail(self: App) -> None:
        raise error

    monkeypatch.setattr(App, "validate", fail)
    code, _ = run("validate", "--workspace", str(workspace))
    err = capsys.readouterr().err
    assert code == cls.exit_code
    assert str(error) in err and "Traceback" not in err
    assert err.startswith("wikibot: ")
    assert ("validate stopped: " in err) == (cls.exit_code == errors.EXIT_PROBLEMS)


@pytest.mark.parametrize("argv", [["validate"], ["health"], ["coverage", "--publish"]])
def test_a_wiki_that_does_not_answer_is_exit_1_not_a_usage_error(
        argv: list[str], workspace: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    run("bootstrap", "--workspace", str(workspace))

    def silent(self: LocalPageStore, titles: object) -> None:
        raise errors.PageStoreError("query on registry failed: HTTP 503")

    monkeypatch.setattr(LocalPageStore, "fetch_pages", silent)
    code, _ = run(*argv, "--workspace", str(workspace))
    err = capsys.readouterr().err
    assert code == errors.EXIT_PROBLEMS, err
    assert "HTTP 503" in err and "run it again" in err


def test_a_corrupt_local_file_is_named_and_exits_2(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run("bootstrap", "--workspace", str(workspace))
    item = workspace / "entities" / "Q1.json"
    item.write_text('[{"revid": 1, "entity": {', encoding="utf-8")  # cut short
    code, _ = run("sync", "--workspace", str(workspace))
    err = capsys.readouterr().err
    assert code == errors.EXIT_USAGE
    assert str(item) in err and "Traceback" not in err


def test_a_corrupt_counter_file_is_rebuilt_from_the_entities_not_a_stop(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """counters.json only says which ids were given out; the entities say it too (ids are never reused)."""
    run("bootstrap", "--workspace", str(workspace))
    entities = workspace / "entities"
    before = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in entities.glob("*.json")
              if p.name != "counters.json"}
    (entities / "counters.json").write_text("{not json", encoding="utf-8")
    code, _ = run("sync", "--workspace", str(workspace))
    assert code == errors.EXIT_OK, capsys.readouterr().err
    for name, history in before.items():  # every item the sync created is a new one
        after = json.loads((entities / name).read_text(encoding="utf-8"))
        assert after[:len(history)] == history, f"{name} was overwritten"
    counters = json.loads((entities / "counters.json").read_text(encoding="utf-8"))
    assert counters["Q"] == max(int(p.stem[1:]) for p in entities.glob("Q*.json"))
