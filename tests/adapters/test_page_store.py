"""One suite for every PageStore: the local workspace, and the live store on a real MediaWiki.

Each implementation is a fixture param; a test here states what any page store must do.  The
"live" param runs each test on a pristine copy of the test wiki (tests/mediawiki.py), as its bot;
what only the live store does is in test_pages_live.py.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from wikibot.adapters.workspace import LocalPageStore
from wikibot.ports import Denied, EditConflict, NoChange, PageStore, Saved


@pytest.fixture(params=["local", pytest.param("live", marks=pytest.mark.mediawiki)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PageStore]:
    if request.param == "local":
        yield LocalPageStore(tmp_path / "ws")
    else:
        yield request.getfixturevalue("fresh_mediawiki").page_store()


def test_missing_pages_read_as_none(store: PageStore) -> None:
    assert store.fetch_pages(["Nope", "Hubs/Nope"]) == {"Nope": None, "Hubs/Nope": None}


def test_create_then_read_back_exact_bytes(store: PageStore) -> None:
    text = "Ünïcode line\r\nwith CRLF kept? {{x}}\n\n  trailing spaces in a line  \nlast line"
    # MediaWiki makes line ends "\n" and removes white space at the very end of a page
    # (test_pages_live.py); stores must not change anything else.
    text = text.replace("\r\n", "\n")
    outcome = store.save_page("Hubs/Registry", text, base=None, summary="create")
    assert isinstance(outcome, Saved)
    page = store.fetch_pages(["Hubs/Registry"])["Hubs/Registry"]
    assert page is not None and page.text == text and page.revid == outcome.revid


def test_save_on_the_current_revision_then_no_change(store: PageStore) -> None:
    store.save_page("P", "one", base=None, summary="create")
    first = store.fetch_pages(["P"])["P"]
    assert first is not None
    saved = store.save_page("P", "two", base=first, summary="edit")
    assert isinstance(saved, Saved) and saved.revid > first.revid
    second = store.fetch_pages(["P"])["P"]
    assert second is not None and second.text == "two"
    assert isinstance(store.save_page("P", "two", base=second, summary="again"), NoChange)


def test_stale_base_is_a_conflict_and_keeps_the_other_edit(store: PageStore) -> None:
    store.save_page("P", "base", base=None, summary="create")
    base = store.fetch_pages(["P"])["P"]
    assert base is not None
    assert isinstance(store.save_page("P", "theirs", base=base, summary="other editor"), Saved)
    outcome = store.save_page("P", "mine", base=base, summary="bot")
    assert isinstance(outcome, EditConflict)
    assert outcome.current is not None and outcome.current.text == "theirs"
    after = store.fetch_pages(["P"])["P"]
    assert after is not None and after.text == "theirs"


def test_creating_an_existing_page_is_a_conflict(store: PageStore) -> None:
    store.save_page("P", "first", base=None, summary="create")
    assert isinstance(store.save_page("P", "second", base=None, summary="create"), EditConflict)


def test_titles_are_normalised(store: PageStore) -> None:
    store.save_page("hubs/Registry_page", "x", base=None, summary="create")
    page = store.fetch_pages(["Hubs/Registry page"])["Hubs/Registry page"]
    assert page is not None and page.title == "Hubs/Registry page"


# -- local workspace specifics -------------------------------------------------------------

def test_hand_edited_file_is_a_newer_revision(tmp_path: Path) -> None:
    store = LocalPageStore(tmp_path)
    store.save_page("P", "bot text", base=None, summary="create")
    base = store.fetch_pages(["P"])["P"]
    assert base is not None
    (tmp_path / "pages" / "P.wiki").write_text("edited by hand", encoding="utf-8")
    current = store.fetch_pages(["P"])["P"]
    assert current is not None and current.revid > base.revid and current.text == "edited by hand"
    assert isinstance(store.save_page("P", "bot again", base=base, summary="bot"), EditConflict)
    assert isinstance(store.save_page("P", "bot again", base=current, summary="bot"), Saved)


def test_reading_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "P.wiki").write_text("x", encoding="utf-8")
    LocalPageStore(tmp_path).fetch_pages(["P", "Q"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["pages", "pages/P.wiki"]


def test_saves_are_logged_with_their_summary(tmp_path: Path) -> None:
    store = LocalPageStore(tmp_path)
    store.save_page("P", "x", base=None, summary="wikibot: 1 created (cee-hub)")
    log = (tmp_path / "state" / "edits.jsonl").read_text(encoding="utf-8")
    assert '"summary": "wikibot: 1 created (cee-hub)"' in log and '"title": "P"' in log


def test_titles_that_would_escape_the_workspace_are_refused(tmp_path: Path) -> None:
    from wikibot.ports import PageStoreError
    store = LocalPageStore(tmp_path)
    for title in ("../etc/passwd", "Hubs/../../x", "/abs", ".hidden"):
        with pytest.raises(PageStoreError):
            store.fetch_pages([title])


@pytest.mark.parametrize("markup", ["{{nobots}}", "{{bots|deny=all}}", "{{bots|allow=SomeOtherBot}}"])
def test_a_page_that_excludes_bots_is_not_saved(store: PageStore, markup: str) -> None:
    store.save_page("P", f"{markup}\nhuman text", base=None, summary="create")
    base = store.fetch_pages(["P"])["P"]
    assert base is not None
    outcome = store.save_page("P", "bot text", base=base, summary="bot")
    assert isinstance(outcome, Denied) and outcome.reason
    after = store.fetch_pages(["P"])["P"]
    assert after is not None and after.text == f"{markup}\nhuman text" and after.revid == base.revid


def test_saving_one_page_is_no_conflict_for_another_read_before(store: PageStore) -> None:
    store.save_page("A", "a", base=None, summary="create")
    store.save_page("B", "b", base=None, summary="create")
    read = store.fetch_pages(["A", "B"])
    a, b = read["A"], read["B"]
    assert a is not None and b is not None
    assert isinstance(store.save_page("A", "a2", base=a, summary="edit"), Saved)
    assert isinstance(store.save_page("B", "b2", base=b, summary="edit"), Saved)


def test_bundled_pages_never_saved_through_the_store_are_independent(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    for name in ("A", "B"):
        (tmp_path / "pages" / f"{name}.wiki").write_text(name.lower(), encoding="utf-8")
    store = LocalPageStore(tmp_path)
    read = store.fetch_pages(["A", "B"])
    assert isinstance(store.save_page("A", "a2", base=read["A"], summary="edit"), Saved)
    assert isinstance(store.save_page("B", "b2", base=read["B"], summary="edit"), Saved)  # not a conflict
    (tmp_path / "pages" / "A.wiki").write_text("by hand", encoding="utf-8")
    again = store.fetch_pages(["A"])["A"]
    assert again is not None and again.text == "by hand"
    assert isinstance(store.save_page("A", "bot", base=read["A"], summary="stale"), EditConflict)
