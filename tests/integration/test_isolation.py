"""The embedded default needs no pywikibot configuration: pywikibot is not even imported."""

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("command", ["validate", "bootstrap"])
def test_local_runs_do_not_import_pywikibot(tmp_path: Path, command: str) -> None:
    workspace = tmp_path / "workspace"
    code = (
        "import sys\n"
        "from wikibot.cli import main\n"
        "from wikibot.settings import init_workspace\n"
        f"init_workspace(__import__('pathlib').Path({str(workspace)!r}))\n"
        f"status = main([{command!r}, '--workspace', {str(workspace)!r}])\n"
        "assert 'pywikibot' not in sys.modules, 'pywikibot was imported'\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "user-config.py").exists()
