"""The embedded default needs no pywikibot configuration: pywikibot is not even imported."""

import subprocess
import sys
from pathlib import Path


def test_validate_runs_without_importing_pywikibot(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from wikibot.cli import main\n"
        f"status = main(['validate', '--workspace', {str(Path(__file__).parents[2] / 'examples' / 'registry')!r}])\n"
        "assert 'pywikibot' not in sys.modules, 'pywikibot was imported'\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "user-config.py").exists()
