"""The real Wikibase answers of shared/fixtures/wikibase, copied unmodified into tests/fixtures/wikibase
so that a fresh clone holds everything its tests read (tests/unit/test_fixtures.py checks the copy
against the source)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "wikibase"


def capture(name: str) -> dict[str, Any]:
    """One capture: ``{"request": …, "response": …, "http": …}``."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data
