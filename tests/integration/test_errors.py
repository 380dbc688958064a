"""One error tree: every error a person can meet carries its exit code, and the CLI maps it in one place."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import run
from tests.faults import FaultyFiles
from wikibot import errors
from wikibot.adapters import files
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
    assert len(classes) >= 13  # the tree the module docstring draws
    for cls in classes:
        assert cls.exit_code in codes, cls
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} is missing from the drawn tree"


def _error(cls: type[WikibotError]) -> WikibotError:
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


# -- a full disk, a directory that cannot be written ---------------------------------------------------

def _entity_files(workspace: Path) -> dict[str, list[object]]:
    """Every entity file of the workspace, each whole JSON."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (workspace / "entities").glob("*.json")
            if p.name != "counters.json"}


@pytest.mark.parametrize("command", ["bootstrap", "sync"])
def test_a_full_disk_ends_the_command_naming_the_file_with_exit_2(
        command: str, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if command == "sync":
        assert run("bootstrap", "--workspace", str(workspace))[0] == errors.EXIT_OK
    before = _entity_files(workspace)
    full = FaultyFiles(at=1, fault="full-disk")  # no space from the first file the command writes
    with files.using(full):
        code, _ = run(command, "--workspace", str(workspace))
    err = capsys.readouterr().err
    assert full.fired
    assert code == errors.EXIT_USAGE, err
    assert err.startswith("wikibot: cannot write ") and "Traceback" not in err
    assert "No space left on device" in err and str(workspace / "entities") in err
    assert _entity_files(workspace) == before  # nothing half-written
    assert run(command, "--workspace", str(workspace))[0] == errors.EXIT_OK  # with room again: done
    assert all(_entity_files(workspace)[i][:len(h)] == h for i, h in before.items())


@contextlib.contextmanager
def _as_a_user(workspace: Path) -> Iterator[None]:
    """The block runs as an ordinary user: root writes whatever the permissions say, so as root the
    workspace is handed to "nobody" and the effective user switched to it for the block."""
    if os.geteuid() != 0:
        yield
        return
    nobody = pwd.getpwnam("nobody")
    for path in [workspace, *workspace.rglob("*")]:
        os.lchown(path, nobody.pw_uid, nobody.pw_gid)
    os.setegid(nobody.pw_gid)
    os.seteuid(nobody.pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def shared_workspace() -> Iterator[Path]:
    """A workspace another user can reach (pytest's temporary directories are the owner's only)."""
    base = Path(tempfile.mkdtemp(prefix="wikibot-perm-"))
    base.chmod(0o755)
    root = base / "ws"
    assert run("init", str(root))[0] == 0
    try:
        yield root
    finally:
        for directory in (root / "entities", root / "state" / "locks"):
            directory.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize(("directory", "says"), [("entities", "cannot write"), ("state/locks", "cannot open the lock")])
def test_sync_on_a_workspace_whose_directory_cannot_be_written_names_it_with_exit_2(
        shared_workspace: Path, directory: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = shared_workspace
    assert run("bootstrap", "--workspace", str(workspace))[0] == errors.EXIT_OK
    unwritable = workspace / directory
    before = _entity_files(workspace)
    with _as_a_user(workspace):
        unwritable.chmod(0o555)
        try:
            (unwritable / "probe").touch()
        except PermissionError:
            pass
        else:
            (unwritable / "probe").unlink()
            unwritable.chmod(0o755)
            pytest.skip("this user writes into a read-only directory (CAP_DAC_OVERRIDE)")
        code, _ = run("sync", "--workspace", str(workspace))
        unwritable.chmod(0o755)
    err = capsys.readouterr().err
    assert code == errors.EXIT_USAGE, err
    assert err.startswith(f"wikibot: {says} {unwritable}/") and "Traceback" not in err
    assert "Permission denied" in err
    assert _entity_files(workspace) == before
    with _as_a_user(workspace):  # writable again: the sync goes through
        assert run("sync", "--workspace", str(workspace))[0] == errors.EXIT_OK
