"""The live PageStore against a real MediaWiki 1.39 (tests/mediawiki.py), as the bot, with a human
account editing through mwclient in between.

What every PageStore must do is in test_page_store.py (it runs there against this wiki too);
here is what goes over the wire, and what MediaWiki itself does to the store's requests.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

import pytest

from tests.mediawiki import MediaWiki, recorded_requests
from wikibot.ports import Denied, EditConflict, NoChange, Page, PageStore, PageStoreError, Saved

if TYPE_CHECKING:  # imported lazily: the adapter imports pywikibot, which reads its config once
    from wikibot.adapters.pages_live import LivePageStore


@pytest.fixture
def store(mediawiki: MediaWiki) -> LivePageStore:
    return mediawiki.page_store()


@pytest.fixture
def title(request: pytest.FixtureRequest) -> str:
    """A page of this test's own on the module's wiki."""
    return "Test/" + re.sub(r"[^A-Za-z0-9]+", "_", request.node.name).strip("_")


def _edits(calls: list[dict[str, str]]) -> list[dict[str, str]]:
    return [call for call in calls if call.get("action") == "edit"]


def _reads(calls: list[dict[str, str]]) -> list[dict[str, str]]:
    return [call for call in calls if call.get("action") == "query" and call.get("prop") == "revisions"]


def _create(store: PageStore, title: str, text: str) -> Page:
    assert isinstance(store.save_page(title, text, base=None, summary="create"), Saved)
    page = store.fetch_pages([title])[title]
    assert page is not None
    return page


# -- start-up and reading ------------------------------------------------------------------------

def test_the_store_is_a_page_store_and_its_constructor_sends_nothing(mediawiki: MediaWiki) -> None:
    from wikibot.adapters.pages_live import LivePageStore

    site = mediawiki.site()  # building pywikibot's site asks the wiki who we are
    with recorded_requests() as calls:
        store = LivePageStore(site)
    assert isinstance(store, PageStore) and calls == []
    assert store.user == mediawiki.bot.name


def test_reads_take_50_titles_per_request_and_answer_each_title_as_given(store: LivePageStore) -> None:
    _create(store, "Batch/7", "seven")
    titles = [f"Batch/{n}" for n in range(120)]
    titles[42] = "batch/42_x"  # MediaWiki normalises it to "Batch/42 x"
    with recorded_requests() as calls:
        pages = store.fetch_pages(titles)
    reads = _reads(calls)
    assert [len(call["titles"].split("|")) for call in reads] == [50, 50, 20]
    assert all(call["rvprop"] == "ids|timestamp|content|sha1" and call["formatversion"] == "2" for call in reads)
    assert len(calls) == 3  # nothing else: the session was opened before
    assert list(pages) == titles
    seven = pages["Batch/7"]
    assert seven is not None and seven.text == "seven"
    assert all(page is None for title, page in pages.items() if title != "Batch/7")


def test_a_page_is_what_mediawiki_says_of_its_revision(mediawiki: MediaWiki, store: LivePageStore, title: str) -> None:
    page = _create(store, title, "Zażółć {{x}}\n")
    [revision] = mediawiki.revisions(title)
    assert (page.revid, page.timestamp) == (revision["revid"], revision["timestamp"])
    assert page.text == "Zażółć {{x}}"  # MediaWiki removes white space at the end of a page
    assert page.sha1 == hashlib.sha1(page.text.encode("utf-8")).hexdigest()  # as the local store's


@pytest.mark.parametrize(("bad", "why"), [
    ("Bad[title]", "not a valid page title"), ("Talk:", "not a valid page title"),
    ("Special:RecentChanges", "special page"), ("Media:X.png", "special page"),
    ("wikipedia:Registry", "a page on another wiki"),
])
def test_a_title_that_cannot_be_a_page_is_an_error(store: LivePageStore, bad: str, why: str) -> None:
    with pytest.raises(PageStoreError, match=re.escape(why)):
        store.fetch_pages(["Main Page", bad])


# -- saving --------------------------------------------------------------------------------------

def test_what_an_edit_sends(store: LivePageStore, title: str) -> None:
    with recorded_requests() as calls:
        created = store.save_page(title, "one", base=None, summary="create it")
    [create] = _edits(calls)
    assert create["createonly"] == "1" and "nocreate" not in create and "baserevid" not in create
    assert isinstance(created, Saved)
    base = store.fetch_pages([title])[title]
    assert base is not None and base.revid == created.revid and base.timestamp == created.timestamp
    with recorded_requests() as calls:
        saved = store.save_page(title, "two", base=base, summary="edit it")
    [edit] = calls  # one request: the session and its token were there already
    assert edit["_method"] == "POST" and edit["action"] == "edit"
    assert {key: edit.get(key) for key in ("title", "text", "summary", "bot", "assert", "nocreate", "baserevid",
                                           "starttimestamp")} == {
        "title": title, "text": "two", "summary": "edit it", "bot": "1", "assert": "user", "nocreate": "1",
        "baserevid": str(base.revid), "starttimestamp": base.timestamp}
    assert "basetimestamp" not in edit  # see test_a_human_edit_between_read_and_save_is_a_conflict_and_stays
    assert edit["maxlag"] == "5" and edit["token"].endswith("+\\")
    assert isinstance(saved, Saved) and saved.revid > base.revid


def test_the_saved_revision_is_the_bots_and_marked_bot(mediawiki: MediaWiki, store: LivePageStore,
                                                        title: str) -> None:
    saved = store.save_page(title, "by the bot", base=None, summary="wikibot: 1 created (cee-hub)")
    assert isinstance(saved, Saved)
    mediawiki.human_edit(title, "by hand")
    bots, human = mediawiki.revisions(title)
    assert (bots["revid"], bots["user"], bots["comment"]) == (saved.revid, mediawiki.bot.name,
                                                               "wikibot: 1 created (cee-hub)")
    assert bots["bot"] is True and human["bot"] is False


@pytest.mark.parametrize("same", ["text", "text\n\n", "text  \n", "text\r\n"])
def test_text_the_page_already_has_sends_no_request(store: LivePageStore, title: str, same: str) -> None:
    base = _create(store, title, "text")
    with recorded_requests() as calls:
        outcome = store.save_page(title, same, base=base, summary="again")
    assert isinstance(outcome, NoChange) and calls == []


def test_text_a_stale_base_already_has_is_no_change(mediawiki: MediaWiki, store: LivePageStore,
                                                    title: str) -> None:
    base = _create(store, title, "old")
    mediawiki.human_edit(title, "new")
    assert isinstance(store.save_page(title, "new", base=base, summary="bot"), NoChange)  # MediaWiki's "nochange"
    assert [r["user"] for r in mediawiki.revisions(title)] == [mediawiki.bot.name, mediawiki.human_account.name]


# -- other editors -------------------------------------------------------------------------------

def test_a_human_edit_between_read_and_save_is_a_conflict_and_stays(mediawiki: MediaWiki, store: LivePageStore,
                                                                    title: str) -> None:
    # Within the second of the base revision's timestamp: MediaWiki takes the base's own second for
    # "edits since" only with basetimestamp, and would then let the bot overwrite the human's edit
    # as if it were its own (RevisionStore::userWasLastToEdit).  The store sends baserevid only.
    for attempt in range(10):
        base = _create(store, f"{title}/{attempt}", "| status = pilot")
        human_revid = mediawiki.human_edit(base.title, "| status = implementation")
        if mediawiki.revisions(base.title)[-1]["timestamp"] == base.timestamp:
            break
    else:
        pytest.fail("the human's edit never fell in the second of the base revision")
    with recorded_requests() as calls:
        outcome = store.save_page(base.title, "| status = dormant", base=base, summary="bot")
    assert isinstance(outcome, EditConflict)
    assert outcome.current is not None
    assert (outcome.current.text, outcome.current.revid) == ("| status = implementation", human_revid)
    assert len(_edits(calls)) == 1 and len(_reads(calls)) == 1  # the refused edit, then the page re-read
    revisions = mediawiki.revisions(base.title)
    assert revisions[-1]["user"] == mediawiki.human_account.name and len(revisions) == 2


def test_an_edit_mediawiki_merges_with_a_human_edit_is_reported_as_a_conflict(
        mediawiki: MediaWiki, store: LivePageStore, title: str) -> None:
    lines = [f"| line{n} = {n}" for n in range(8)]
    base = _create(store, title, "\n".join(lines))
    mediawiki.human_edit(title, "\n".join(["| line0 = by hand", *lines[1:]]))
    mine = "\n".join([*lines[:7], "| line7 = by the bot"])
    outcome = store.save_page(title, mine, base=base, summary="bot")
    # MediaWiki saved a three-way merge (the lines do not overlap): both changes are on the wiki,
    # and the store says the page moved on rather than that its text was saved as given.
    assert isinstance(outcome, EditConflict) and outcome.current is not None
    assert outcome.current.text == "\n".join(["| line0 = by hand", *lines[1:7], "| line7 = by the bot"])
    assert [r["user"] for r in mediawiki.revisions(title)][-1] == mediawiki.bot.name
    # Planning again on the current page: nothing left to do.
    assert isinstance(store.save_page(title, outcome.current.text, base=outcome.current, summary="bot"), NoChange)


def test_nobots_added_by_the_human_stops_the_bot(mediawiki: MediaWiki, store: LivePageStore, title: str) -> None:
    stale = _create(store, title, "human text")
    mediawiki.human_edit(title, "{{nobots}}\nhuman text, kept away from bots")
    # On the stale base: the edit conflicts, and the page as it is now carries {{nobots}} ...
    conflict = store.save_page(title, "bot text", base=stale, summary="bot")
    assert isinstance(conflict, EditConflict) and conflict.current is not None
    # ... so saving on it is refused before any request.
    with recorded_requests() as calls:
        outcome = store.save_page(title, "bot text", base=conflict.current, summary="bot")
    assert isinstance(outcome, Denied) and "nobots" in outcome.reason and calls == []
    assert [r["user"] for r in mediawiki.revisions(title)] == [mediawiki.bot.name, mediawiki.human_account.name]


def test_nobots_added_meanwhile_on_other_lines_is_merged_by_mediawiki(mediawiki: MediaWiki, store: LivePageStore,
                                                                     title: str) -> None:
    """A limit of the wiki, not of the store: the one edit made on a stale base is merged."""
    lines = [f"| line{n} = {n}" for n in range(8)]
    stale = _create(store, title, "\n".join(lines))
    mediawiki.human_edit(title, "\n".join(["{{nobots}}", *lines]))
    outcome = store.save_page(title, "\n".join([*lines[:7], "| line7 = bot"]), base=stale, summary="bot")
    assert isinstance(outcome, EditConflict) and outcome.current is not None
    assert outcome.current.text == "\n".join(["{{nobots}}", *lines[:7], "| line7 = bot"])
    # From then on the bot keeps off.
    outcome = store.save_page(title, "\n".join([*lines[:7], "| line7 = again"]), base=outcome.current,
                              summary="bot")
    assert isinstance(outcome, Denied)


def test_bots_deny_names_the_account_pywikibot_logs_in_as(mediawiki: MediaWiki, store: LivePageStore,
                                                          title: str) -> None:
    mediawiki.human_edit(title, f"{{{{bots|deny={mediawiki.bot.name}}}}}\ntext")
    base = store.fetch_pages([title])[title]
    assert base is not None
    outcome = store.save_page(title, "bot text", base=base, summary="bot")
    assert isinstance(outcome, Denied) and mediawiki.bot.name in outcome.reason
    other = mediawiki.page_store(user="SomeOtherBot")
    assert isinstance(other.save_page(title, "bot text", base=base, summary="bot"), Saved)


def test_a_page_deleted_since_the_read_is_a_conflict(mediawiki: MediaWiki, store: LivePageStore,
                                                     title: str, tmp_path: Any) -> None:
    base = _create(store, title, "doomed")
    (tmp_path / "delete.txt").write_text(title + "\n", encoding="utf-8")
    mediawiki.maintenance("deleteBatch.php", "--u", "Admin", "--r", "test", str(tmp_path / "delete.txt"))
    outcome = store.save_page(title, "bot text", base=base, summary="bot")
    assert outcome == EditConflict(None)
    assert store.fetch_pages([title]) == {title: None}  # not created again


def test_creating_a_page_someone_created_meanwhile_is_a_conflict(mediawiki: MediaWiki, store: LivePageStore,
                                                                 title: str) -> None:
    assert store.fetch_pages([title]) == {title: None}
    mediawiki.human_edit(title, "the human was first")
    outcome = store.save_page(title, "bot text", base=None, summary="create")
    assert isinstance(outcome, EditConflict) and outcome.current is not None
    assert outcome.current.text == "the human was first"


# -- refusals and failures -----------------------------------------------------------------------

def test_a_protected_page_is_refused_with_the_apis_code(mediawiki: MediaWiki, store: LivePageStore,
                                                        title: str) -> None:
    from wikibot.ports import Refused

    base = _create(store, title, "text")
    mediawiki.maintenance("protect.php", "--user", "Admin", "--reason", "test", title)
    # The bot is a sysop, but its BotPassword has no "protect" grant, hence no editprotected.
    protected = store.fetch_pages([title])[title]  # protecting made a (null) revision
    assert protected is not None and protected.revid > base.revid
    outcome = store.save_page(title, "bot text", base=protected, summary="bot")  # an outcome: the run goes on
    assert isinstance(outcome, Refused) and outcome.code == "protectedpage" and outcome.info
    assert [r["user"] for r in mediawiki.revisions(title)] == [mediawiki.bot.name, "Admin"]


def test_text_the_spam_filter_refuses_is_refused_with_the_apis_code(mediawiki: MediaWiki, store: LivePageStore,
                                                                    title: str) -> None:
    from wikibot.ports import Refused

    outcome = store.save_page(title, "see wikibot-test-spam-marker", base=None, summary="bot")
    assert isinstance(outcome, Refused) and outcome.code == "spamprotectionmatch"
    assert store.fetch_pages([title]) == {title: None}


@pytest.fixture
def no_throttle(mediawiki: MediaWiki, monkeypatch: pytest.MonkeyPatch) -> None:
    """pywikibot 11 waits out a Retry-After itself before its next request, less the time since
    the answer: after the store's own wait nothing is left.  With the store's waits faked, it
    would really sleep: its throttle waits nothing here."""
    monkeypatch.setattr(mediawiki.site().throttle, "wait", lambda seconds: None)


@pytest.mark.usefixtures("no_throttle")
def test_a_lagged_wiki_is_waited_for_as_it_asks_then_given_up_on(mediawiki: MediaWiki, title: str) -> None:
    waits: list[float] = []
    store = mediawiki.page_store(maxlag_retries=2, sleep=waits.append)
    store.fetch_pages([title])  # logged in: the edit is the next request
    mediawiki.lag(7.5)
    try:
        with recorded_requests() as calls, pytest.raises(PageStoreError, match=r"still lagged \(db lag 7.5 s on "
                                                                               r"db-replica\) after 2 retries"):
            store.save_page(title, "text", base=None, summary="bot")
    finally:
        mediawiki.lag(None)
    assert len(_edits(calls)) == 3 and waits == [5.0, 5.0]  # MediaWiki's Retry-After: max(maxlag, 5)
    assert store.fetch_pages([title]) == {title: None}


@pytest.mark.usefixtures("no_throttle")
def test_a_wiki_lagged_for_a_while_gets_the_edit_once_it_catches_up(mediawiki: MediaWiki, title: str) -> None:
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            mediawiki.lag(None)

    store = mediawiki.page_store(sleep=wait)
    store.fetch_pages([title])
    mediawiki.lag(30)
    try:
        with recorded_requests() as calls:
            outcome = store.save_page(title, "text", base=None, summary="bot")
    finally:
        mediawiki.lag(None)
    assert isinstance(outcome, Saved) and waits == [5.0, 5.0] and len(_edits(calls)) == 3
    assert len(mediawiki.revisions(title)) == 1


def test_a_refused_csrf_token_is_renewed_once(mediawiki: MediaWiki, store: LivePageStore, title: str) -> None:
    store.fetch_pages([title])  # logged in
    mediawiki.site().tokens._tokens["csrf"] = "0" * 40 + "+\\"  # as after the wiki rotated it
    with recorded_requests() as calls:
        outcome = store.save_page(title, "text", base=None, summary="bot")
    assert isinstance(outcome, Saved)
    sent = [call["token"] for call in _edits(calls)]
    assert len(sent) == 2 and sent[0] == "0" * 40 + "+\\" and sent[1] != sent[0]
    assert len(mediawiki.revisions(title)) == 1


def test_a_lost_session_logs_in_again(mediawiki: MediaWiki, store: LivePageStore, title: str) -> None:
    base = _create(store, title, "one")
    mediawiki.expire_sessions()  # pywikibot's cookie names a session the wiki no longer knows
    with recorded_requests() as calls:
        outcome = store.save_page(title, "two", base=base, summary="bot")
    assert isinstance(outcome, Saved)
    assert [call["action"] for call in calls].count("login") == 1
    assert [r["user"] for r in mediawiki.revisions(title)] == [mediawiki.bot.name] * 2


def test_an_edit_whose_answer_is_lost_is_not_sent_again(mediawiki: MediaWiki, store: LivePageStore,
                                                        title: str) -> None:
    base = _create(store, title, "one")
    with recorded_requests() as calls, pytest.raises(PageStoreError, match="may or may not have been saved"):
        # LocalSettings.php of the test wiki answers HTTP 502 after saving an edit with this summary.
        store.save_page(title, "two", base=base, summary="wikibot-test: saved, then HTTP 502")
    assert len(_edits(calls)) == 1
    assert [r["slots"]["main"]["content"] for r in mediawiki.revisions(title)] == ["one", "two"]


def test_a_write_to_a_wiki_that_is_down_was_not_sent_and_is_given_up_on_within_the_bound(
        fresh_mediawiki: MediaWiki) -> None:
    import time

    from wikibot.adapters.pywikibot_api import Patience

    said: list[str] = []
    store = fresh_mediawiki.page_store(patience=Patience(3, wiki="the wiki", report=said.append))
    store.fetch_pages(["P"])  # logged in
    assert fresh_mediawiki.site().tokens["csrf"]  # and a csrf token at hand: the edit is the next request
    fresh_mediawiki.stop()
    started = time.monotonic()
    with pytest.raises(PageStoreError, match=r"edit of 'P': the wiki did not answer within 3 s \(connection "
                                             r"refused\); the edit was not sent") as raised:
        store.save_page("P", "text", base=None, summary="bot")
    assert 3 <= time.monotonic() - started < 15
    assert "may or may not" not in str(raised.value)
    assert said == ["the wiki: edit of 'P': connection refused; waiting 3 s before trying again (3 of at most 3 s)"]
