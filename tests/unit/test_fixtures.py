"""The copy of the real Wikibase answers in tests/fixtures/wikibase is the shared original, unmodified."""

import filecmp
import json
from pathlib import Path

import pytest

from tests.wikibase_support import FIXTURES, ROOT

# The original, next to the clone or where the project's machines keep it.
SHARED = next((p for p in (ROOT.parent / "shared" / "fixtures" / "wikibase", Path("/work/shared/fixtures/wikibase"))
               if p.is_dir()), ROOT.parent / "shared" / "fixtures" / "wikibase")


def test_the_copy_holds_every_capture_its_index_lists() -> None:
    index = json.loads((FIXTURES / "INDEX.json").read_text(encoding="utf-8"))
    names = [entry["file"] for entry in index]
    assert len(names) > 50
    missing = [name for name in names if not (FIXTURES / name).is_file()]
    assert not missing


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared fixtures on this machine to compare with")
def test_the_copy_is_identical_to_the_shared_fixtures() -> None:
    compared = filecmp.dircmp(SHARED, FIXTURES)
    assert not compared.left_only and not compared.right_only and not compared.diff_files
    _, mismatch, errors = filecmp.cmpfiles(SHARED, FIXTURES, [p.name for p in SHARED.iterdir()], shallow=False)
    assert not mismatch and not errors
