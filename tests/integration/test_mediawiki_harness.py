"""The MediaWiki harness (tests/mediawiki.py) when MediaWiki is missing: skipped here, failed in CI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
A_WIKI_TEST = "tests/adapters/test_pages_live.py::test_the_store_is_a_page_store_and_its_constructor_sends_nothing"


def _run_without_mediawiki(tmp_path: Path, *, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["WIKIBOT_TEST_MEDIAWIKI"] = str(tmp_path / "no-mediawiki-here")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsf", A_WIKI_TEST],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("ci", [None, "false"])
def test_without_mediawiki_a_wiki_test_is_skipped_saying_what_to_install(tmp_path: Path, ci: str | None) -> None:
    result = _run_without_mediawiki(tmp_path, ci=ci)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "Debian package mediawiki" in result.stdout
    assert "apt-get install mediawiki php-cli php-sqlite3" in result.stdout


def test_without_mediawiki_a_wiki_test_fails_in_ci(tmp_path: Path) -> None:
    result = _run_without_mediawiki(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout  # pytest.fail in the fixture: the test errs at setup, the run fails
    assert "CI=true and no MediaWiki to test against" in result.stdout
