"""The layout is a picture of the data flow: the imports that would blur it are refused here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = ("registry", "wikitext", "wikibase", "sync", "coverage", "status", "jobs")
IO_LIBRARIES = ("pywikibot", "mwclient", "requests", "SPARQLWrapper", "sqlite3", "fcntl", "urllib.request")


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _modules(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


def test_the_pure_core_and_the_jobs_reach_no_adapter_and_no_io_library() -> None:
    for path in _modules(*(f"wikibot/{name}" for name in PURE)):
        for name in _imports(path):
            assert not name.startswith(("wikibot.adapters", "wikibot.app", "wikibot.cli")), (path, name)
            assert not name.startswith(IO_LIBRARIES), (path, name)


def test_adapters_are_chosen_in_the_composition_root_only() -> None:
    outside = [p for p in _modules("wikibot") if "adapters" not in p.parts and p.name != "app.py"]
    for path in outside:
        assert not any(n.startswith("wikibot.adapters") or n.startswith(".adapters") for n in _imports(path)), path


def test_benchmarks_build_what_they_measure_without_the_test_suite() -> None:
    for path in _modules("bench"):
        assert not any(n == "tests" or n.startswith("tests.") for n in _imports(path)), path
