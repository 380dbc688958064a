"""Documentation that cannot rot: the README's commands and its example outputs are checked."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_begins_with_exactly_the_two_commands() -> None:
    head = README.split("\n\n", 1)[0].splitlines()
    commands = [line.strip().split("#")[0].strip() for line in head]
    assert commands == ["./scripts/demo", "./scripts/test"]
    for command in commands:
        assert os.access(ROOT / command, os.X_OK), command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci


def _examples() -> list[tuple[list[str], list[str]]]:
    """(command, shown output lines) for each "$ wikibot ..." block of the README."""
    found: list[tuple[list[str], list[str]]] = []
    for block in README.split("\n\n"):
        lines = [line[4:] for line in block.splitlines() if line.startswith("    ")]
        if lines and lines[0].startswith("$ wikibot "):
            found.append((shlex.split(lines[0][2:]), lines[1:]))
    return found


def test_readme_example_outputs_are_what_the_commands_print(tmp_path: Path) -> None:
    """Each example runs as a newcomer would: in a fresh directory, beside the bundled examples."""
    examples = _examples()
    assert examples, "the README shows no example run"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WIKIBOT_")}
    for command, shown in examples:
        result = subprocess.run([sys.executable, "-m", "wikibot", *command[1:]], cwd=tmp_path, env=environment,
                                capture_output=True, text=True, timeout=120)
        printed = result.stdout.splitlines()
        position = 0
        for line in shown:
            if line == "...":
                continue
            assert line in printed[position:], f"README shows {line!r} for {' '.join(command)}"
            position = printed.index(line, position) + 1


def test_the_readme_shows_every_screenshot_and_each_exists() -> None:
    """docs/screenshots/ (made by scripts/screenshots.py): every page the bot writes, in each language."""
    from tests.rendering_support import LANGUAGES, SHOWN

    folder = ROOT / "docs" / "screenshots"
    wanted = {f"{language}-{name}.png" for language in LANGUAGES for name in SHOWN.values()}
    assert {path.name for path in folder.glob("*.png")} == wanted
    for name in wanted:
        assert f"(docs/screenshots/{name})" in README, name
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
