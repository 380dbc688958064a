"""The live EntityStore on real pywikibot, answered with real Wikibase answers (see replay/wikibase.py).

Each test states what goes over the wire: how many requests, with which parameters, and
what the store makes of the real answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
import requests

from replay.wikibase import (
    API_URL,
    Answer,
    Replay,
    capture,
    capture_data,
    capture_params,
    connection_refused,
    http_error,
    replay_wikibase,
    synth_search,
    synth_search_hit,
)
from wikibot.ports import (
    EntityConflict,
    EntitySaved,
    EntityStore,
    EntityStoreError,
    NoChange,
    Patched,
    Rejected,
)

if TYPE_CHECKING:  # imported lazily below: the adapter imports pywikibot, which reads its config once
    from wikibot.adapters.wikibase_live import LiveEntityStore

Wikibase = Callable[..., tuple["LiveEntityStore", Replay]]


@pytest.fixture
def wikibase(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wikibase]:
    """``wikibase(highvolume=..., **store_options) -> (store, replay)``; one replay per test."""
    with ExitStack() as stack:

        def start(**options: Any) -> tuple[LiveEntityStore, Replay]:
            store, replay = stack.enter_context(replay_wikibase(monkeypatch, **options))
            return store, replay

        yield start


def _edit(name: str, store: LiveEntityStore, *, summary: str = "test") -> Any:
    """``save_entity`` with what the capture ``name`` sent (id or new, baserevid, data)."""
    params = capture_params(name)
    base = int(params["baserevid"]) if "baserevid" in params else None
    return store.save_entity(params.get("id"), json.loads(params["data"]), base_revid=base, summary=summary,
                             new=params.get("new", "item"))  # type: ignore[arg-type]


# -- start-up ---------------------------------------------------------------------------------

def test_the_store_is_an_entity_store_and_its_constructor_sends_nothing(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    assert isinstance(store, EntityStore)
    before = len(replay.calls)
    type(store)(store.site)
    assert len(replay.calls) == before


def test_what_pywikibot_asks_before_the_first_read(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    store.fetch_entities(["Q1"])
    asked = [(c.action, c.params.get("meta") or c.params.get("modules") or c.params.get("ids")) for c in replay.calls]
    assert asked == [
        ("query", "userinfo"),  # APISite() looks for a session cookie
        ("query", "userinfo"),  # login() checks again
        ("paraminfo", "main|paraminfo|query"),  # to learn the token types
        ("paraminfo", "query+tokens"),
        ("query", "tokens"),  # all types, anonymously: the login token
        ("login", None),
        ("query", "userinfo"),  # logged in: rights, hence apihighlimits
        ("wbgetentities", "Q1"),
    ]
    assert all(c.method == "POST" for c in replay.calls)  # pywikibot never GETs over plain http


def test_a_user_agent_without_wikibot_is_refused(wikibase: Wikibase, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = wikibase()
    import pywikibot  # type: ignore[import-untyped]

    monkeypatch.setattr(pywikibot.config, "user_agent_description", "a nameless bot")
    with pytest.raises(EntityStoreError, match="user_agent_description"):
        type(store)(store.site)


def test_every_request_names_wikibot_and_goes_only_to_the_wiki(wikibase: Wikibase) -> None:
    from wikibot.adapters.wikibase_live import names_wikibot

    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_new_item_with_claims.json")
    replay.queue("wbsearchentities", Answer.of("wbsearchentities_no_results.json", match=("search", "language")))
    store.fetch_entities(["Q1", "Q2"])
    _edit("wbeditentity_new_item_with_claims.json", store)
    store.find_by_label("zzzznothing", entity_type="item")
    assert len(replay.calls) > 8
    assert all(names_wikibot(c.headers["user-agent"]) for c in replay.calls)
    assert not names_wikibot("WikibaseBot/pytest (http://127.0.0.1:8282/wiki/User:WikibaseBot) Pywikibot/11.9.0")
    assert all(c.url.split("?")[0] == API_URL for c in replay.calls)


def test_nothing_passes_through_to_another_host(wikibase: Wikibase) -> None:
    _, replay = wikibase()
    with pytest.raises(ConnectionError):
        requests.get("https://www.wikidata.org/w/api.php?action=query", timeout=5)
    assert replay.problems and "not the wiki's API" in replay.problems[0]
    replay.problems.clear()


# -- reading -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("highvolume", "requests_made", "batch"), [(False, 20, 50), (True, 2, 500)])
def test_reading_1000_entities(wikibase: Wikibase, highvolume: bool, requests_made: int, batch: int) -> None:
    store, replay = wikibase(highvolume=highvolume)
    ids = [f"Q{n}" for n in range(1001, 2001)]
    replay.add_items(ids)
    found = store.fetch_entities(ids)
    assert replay.count("wbgetentities") == requests_made
    assert {len(c.params["ids"].split("|")) for c in replay.calls_of("wbgetentities")} == {batch}
    assert list(found) == ids
    q1500 = found["Q1500"]
    assert q1500 is not None and q1500.id == "Q1500" and q1500.revid == q1500.data["lastrevid"]
    assert q1500.data["claims"]["P1"][0]["id"].startswith("Q1500$")
    assert store.batch_size() == batch
    asked = len(replay.calls)
    store.fetch_entities(ids[:batch])  # the rights are read once: no userinfo, no login again
    assert [c.action for c in replay.calls[asked:]] == ["wbgetentities"]


def test_reading_nothing_asks_nothing(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    asked = len(replay.calls)
    assert store.fetch_entities([]) == {}
    assert len(replay.calls) == asked


def test_a_missing_id_is_none(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbgetentities", "wbgetentities_missing_id.json")
    assert store.fetch_entities(["Q99999"]) == {"Q99999": None}


def test_existing_and_missing_ids_in_one_request(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbgetentities", "wbgetentities_mixed_existing_and_missing.json")
    found = store.fetch_entities(["Q1", "Q99998", "Q1"])
    assert replay.count("wbgetentities") == 1
    real = capture("wbgetentities_mixed_existing_and_missing.json")["response"]["entities"]["Q1"]
    q1 = found["Q1"]
    assert q1 is not None and (q1.id, q1.revid, q1.data) == ("Q1", 13, real)
    assert found["Q99998"] is None and list(found) == ["Q1", "Q99998"]


def test_a_malformed_id_is_none_and_the_rest_are_read(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    found = store.fetch_entities(["Q1", "X1", "Q7"])
    assert found["X1"] is None and found["Q1"] is not None and found["Q7"] is not None
    assert [c.params["ids"] for c in replay.calls_of("wbgetentities")] == ["Q1|X1|Q7", "Q1|Q7"]


def test_a_server_limit_below_what_the_rights_promise_splits_the_batch(wikibase: Wikibase) -> None:
    store, replay = wikibase(highvolume=True)
    ids = [f"Q{n}" for n in range(1001, 1121)]
    replay.add_items(ids)
    replay.queue("wbgetentities", Answer.of("wbgetentities_error_too_many_ids.json", match=()))
    found = store.fetch_entities(ids)
    assert all(found[i] is not None for i in ids)
    assert [len(c.params["ids"].split("|")) for c in replay.calls_of("wbgetentities")] == [120, 50, 50, 20]


def test_a_read_that_keeps_failing_with_http_503_gives_up_after_bounded_retries(wikibase: Wikibase) -> None:
    store, replay = wikibase(retries=3)
    replay.queue("wbgetentities", http_error(503), forever=True)
    with pytest.raises(EntityStoreError, match="wbgetentities"):
        store.fetch_entities(["Q1"])
    assert replay.count("wbgetentities") == 4
    assert replay.clock.sleeps == [5, 10, 20]  # pywikibot's own back-off (config.retry_wait doubling)


def test_a_read_after_one_http_503_succeeds(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbgetentities", http_error(503))
    assert store.fetch_entities(["Q1"])["Q1"] is not None
    assert replay.count("wbgetentities") == 2


# -- writing -----------------------------------------------------------------------------------

def test_a_new_item_with_claims_is_one_post(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    name = "wbeditentity_new_item_with_claims.json"
    replay.queue("wbeditentity", name)
    data = capture_data(name)
    outcome = store.save_entity(None, data, base_revid=None, summary="create hub")
    real = capture(name)["response"]["entity"]
    assert outcome == EntitySaved("Q5", 17, real)
    [call] = replay.calls_of("wbeditentity")
    assert call.method == "POST" and "?" not in call.url
    assert call.data() == data
    assert call.params["new"] == "item" and "id" not in call.params and "baserevid" not in call.params
    assert call.params["token"] == replay.csrf_token
    assert (call.params["maxlag"], call.params["bot"], call.params["summary"]) == ("5", "1", "create hub")
    assert call.params["assert"] == "user"


def test_a_new_property(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    name = "wbeditentity_new_property_external_id.json"
    replay.queue("wbeditentity", name)
    outcome = _edit(name, store)
    assert isinstance(outcome, EntitySaved) and (outcome.id, outcome.revid) == ("P3", 4)
    assert replay.calls_of("wbeditentity")[0].params["new"] == "property"


def test_an_update_carries_its_base_revision(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    name = "wbeditentity_update_item_with_baserevid.json"
    replay.queue("wbeditentity", name)
    outcome = _edit(name, store)
    assert outcome == EntitySaved("Q5", 19, capture(name)["response"]["entity"])
    [call] = replay.calls_of("wbeditentity")
    assert (call.params["id"], call.params["baserevid"]) == ("Q5", "17") and "new" not in call.params


def test_an_update_that_changes_nothing(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_update_item_nochange.json")
    assert _edit("wbeditentity_update_item_nochange.json", store) == NoChange()


def test_a_stale_base_that_wikibase_patches(wikibase: Wikibase, caplog: pytest.LogCaptureFixture) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_stale_baserevid_patched_no_conflict.json")
    with caplog.at_level(logging.WARNING):
        outcome = _edit("wbeditentity_stale_baserevid_patched_no_conflict.json", store)
    assert outcome == Patched("Q6", 22)
    assert "unknown format" not in caplog.text  # the adapter reads Wikibase's warnings itself


def test_a_stale_base_that_conflicts(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_error_editconflict_stale_baserevid.json")
    outcome = _edit("wbeditentity_error_editconflict_stale_baserevid.json", store)
    assert isinstance(outcome, EntityConflict) and outcome.id == "Q6"
    assert outcome.info.startswith("Edit conflict. Could not patch the current revision.")
    assert replay.count("wbeditentity") == 1


REFUSED = [
    "wbeditentity_error_bad_datavalue_type_for_item_property.json",
    "wbeditentity_error_bad_quantity_value.json",
    "wbeditentity_error_bad_time_value.json",
    "wbeditentity_error_bad_url_value.json",
    "wbeditentity_error_unknown_property.json",
    "wbeditentity_error_label_description_conflict.json",
    "wbeditentity_error_property_label_conflict.json",
    "wbeditentity_error_invalid_entity_id.json",
    "wbeditentity_error_no_such_entity.json",
    "wbeditentity_error_label_too_long.json",
    "wbeditentity_error_malformed_json.json",
    "wbeditentity_error_unknown_language.json",
    "wbeditentity_error_baserevid_not_of_entity.json",
]


@pytest.mark.parametrize("name", REFUSED)
def test_data_the_wikibase_refuses_is_rejected_with_its_code(wikibase: Wikibase, name: str) -> None:
    store, replay = wikibase()
    params = capture_params(name)
    error = capture(name)["response"]["error"]
    try:
        data = json.loads(params["data"])
        replay.queue("wbeditentity", name)
    except ValueError:  # the malformed-JSON capture: no dict serializes to its data
        data = {"labels": {"en": {"language": "en", "value": "broken"}}}
        replay.queue("wbeditentity", Answer.of(name, match=("id",)))
    base = int(params["baserevid"]) if "baserevid" in params else None
    outcome = store.save_entity(params.get("id"), data, base_revid=base, summary="bad",
                                new=params.get("new", "item"))  # type: ignore[arg-type]
    assert isinstance(outcome, Rejected) and outcome.code == error["code"]
    assert outcome.info.startswith(error["info"])
    assert replay.count("wbeditentity") == 1


def test_a_rejection_repeats_no_message_its_info_already_says(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    name = "wbeditentity_error_label_description_conflict.json"
    replay.queue("wbeditentity", name)
    outcome = _edit(name, store)
    assert outcome == Rejected("modification-failed", capture(name)["response"]["error"]["info"])


def test_a_rejection_says_what_the_messages_say(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_error_property_label_conflict.json")
    outcome = _edit("wbeditentity_error_property_label_conflict.json", store)
    assert outcome == Rejected("failed-save", 'The save has failed.; Property P1 already has label "instance of" '
                                              "associated with language code en.")


# -- maxlag --------------------------------------------------------------------------------------

def test_maxlag_waits_what_retry_after_says_then_saves(wikibase: Wikibase, caplog: pytest.LogCaptureFixture) -> None:
    store, replay = wikibase()
    assert capture("api_error_maxlag.json")["http"]["headers"]["Retry-After"] == "5"
    replay.queue("wbeditentity", Answer.of("api_error_maxlag.json", match=("id",)),
                 "wbeditentity_update_item_with_baserevid.json")
    with caplog.at_level(logging.WARNING, logger="wikibot"):
        outcome = _edit("wbeditentity_update_item_with_baserevid.json", store)
    assert isinstance(outcome, EntitySaved) and outcome.revid == 19
    assert replay.clock.sleeps == [5.0]
    calls = replay.calls_of("wbeditentity")
    assert len(calls) == 2 and all(c.params["maxlag"] == "5" for c in calls)
    assert calls[0].data() == calls[1].data()
    assert "lagged (jobqueue lag 0.023 s, 23 queued jobs on vm); waiting 5 s as its Retry-After asks" in caplog.text


def test_maxlag_forever_gives_up_after_bounded_retries(wikibase: Wikibase) -> None:
    store, replay = wikibase(maxlag_retries=5)
    replay.queue("wbeditentity", Answer.of("api_error_maxlag.json", match=("id",)), forever=True)
    with pytest.raises(EntityStoreError, match=r"still lagged .* after 5 retries and 25 s of waiting; nothing was"):
        _edit("wbeditentity_update_item_with_baserevid.json", store)
    assert replay.count("wbeditentity") == 6
    assert replay.clock.sleeps == [5.0] * 5


def test_maxlag_on_a_read_waits_too(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbgetentities", Answer.of("api_error_maxlag.json", match=()))  # ApiMain answers it for any module
    assert store.fetch_entities(["Q1"])["Q1"] is not None
    assert replay.clock.sleeps == [5.0] and replay.count("wbgetentities") == 2


# -- tokens, sessions, failures ------------------------------------------------------------------

def test_a_stale_token_is_renewed_once_and_the_edit_sent_again(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_new_item_terms_only.json",
                 "wbeditentity_update_item_with_baserevid.json")
    assert isinstance(_edit("wbeditentity_new_item_terms_only.json", store), EntitySaved)
    old = replay.csrf_token
    new = replay.rotate_csrf_token()  # the wiki no longer takes the token pywikibot holds
    tokens_before = len(replay.token_requests())
    outcome = _edit("wbeditentity_update_item_with_baserevid.json", store)
    assert isinstance(outcome, EntitySaved) and outcome.revid == 19
    assert len(replay.token_requests()) == tokens_before + 1
    assert [c.params["token"] for c in replay.calls_of("wbeditentity")] == [old, old, new]


def test_badtoken_twice_is_an_error(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    badtoken = Answer.of("wbeditentity_error_badtoken.json", match=())
    replay.queue("wbeditentity", "wbeditentity_new_item_terms_only.json", badtoken, badtoken,
                 "wbeditentity_update_item_with_baserevid.json")
    assert isinstance(_edit("wbeditentity_new_item_terms_only.json", store), EntitySaved)
    tokens_before = len(replay.token_requests())
    with pytest.raises(EntityStoreError, match="badtoken again with a freshly fetched csrf token"):
        _edit("wbeditentity_update_item_with_baserevid.json", store)
    assert replay.count("wbeditentity") == 3  # the first edit, then this one twice
    assert len(replay.token_requests()) == tokens_before + 1
    assert isinstance(_edit("wbeditentity_update_item_with_baserevid.json", store), EntitySaved)


def test_a_lost_session_logs_in_again(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_new_item_terms_only.json",
                 "wbeditentity_update_item_with_baserevid.json")
    assert isinstance(_edit("wbeditentity_new_item_terms_only.json", store), EntitySaved)
    replay.expire_session()
    assert isinstance(_edit("wbeditentity_update_item_with_baserevid.json", store), EntitySaved)
    assert replay.count("login") == 2


def test_a_refused_login_is_a_login_error_naming_the_account_and_the_file(wikibase: Wikibase) -> None:
    from replay.pywikibot_env import password_file
    from replay.wikibase import BOT, BOT_PASSWORD
    from wikibot.errors import LoginError

    store, replay = wikibase()
    replay.login_fails = True
    with pytest.raises(LoginError) as refused:
        _edit("wbeditentity_new_item_with_claims.json", store)
    message = str(refused.value)
    assert f"refused the login of {BOT!r}" in message and str(password_file()) in message
    assert "Incorrect username or password" in message and BOT_PASSWORD not in message
    assert refused.value.exit_code == 2
    assert replay.count("wbeditentity") == 0 and replay.count("login") == 1
    with pytest.raises(LoginError):  # not tried again: five refusals lock the account for a while
        store.fetch_entities(["Q1"])
    assert replay.count("login") == 1


def test_no_password_for_the_account_is_a_login_error_and_nobody_is_asked_for_one(
        wikibase: Wikibase, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """pywikibot would ask for the password on the terminal; a scheduled run has none."""
    import pywikibot

    from wikibot.errors import LoginError

    store, replay = wikibase()
    empty = tmp_path / "user-password.py"
    empty.write_text("# no line for the bot\n", encoding="utf-8")
    empty.chmod(0o600)
    monkeypatch.setattr(pywikibot.config, "password_file", str(empty))

    def asked(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("pywikibot asked for a password")

    monkeypatch.setattr(pywikibot, "input", asked)
    with pytest.raises(LoginError, match=r"cannot be logged in to as 'WikibaseBot' \(no password for "
                                         r"'WikibaseBot'.*" + str(empty)):
        store.fetch_entities(["Q1"])
    assert replay.count("login") == 0 and replay.count("wbgetentities") == 0


def test_a_lost_session_whose_login_fails_is_a_login_error(wikibase: Wikibase) -> None:
    from wikibot.errors import LoginError

    store, replay = wikibase()
    replay.queue("wbeditentity", "wbeditentity_new_item_terms_only.json")
    assert isinstance(_edit("wbeditentity_new_item_terms_only.json", store), EntitySaved)
    replay.expire_session()
    replay.login_fails = True
    with pytest.raises(LoginError):
        _edit("wbeditentity_update_item_with_baserevid.json", store)
    assert replay.count("wbeditentity") == 2 and replay.count("login") == 2


def test_a_write_that_could_not_connect_was_not_sent_so_it_is_sent_again_after_a_wait(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", connection_refused(), "wbeditentity_new_item_with_claims.json")
    assert isinstance(_edit("wbeditentity_new_item_with_claims.json", store), EntitySaved)
    assert replay.count("wbeditentity") == 2 and replay.clock.sleeps == [5]


def test_a_write_that_never_connects_gives_up_within_the_bound_and_says_it_was_not_sent(wikibase: Wikibase) -> None:
    from wikibot.adapters.pywikibot_api import Patience

    said: list[str] = []
    store, replay = wikibase(patience=Patience(12, wiki="the Wikibase", report=said.append))
    replay.queue("wbeditentity", connection_refused(), forever=True)
    with pytest.raises(EntityStoreError, match=r"the Wikibase did not answer within 12 s \(connection refused\); "
                                               r"the edit was not sent") as raised:
        _edit("wbeditentity_new_item_with_claims.json", store)
    assert "may or may not" not in str(raised.value)
    assert replay.count("wbeditentity") == 3 and replay.clock.sleeps == [5, 7]  # the last wait: what was left
    assert said == ["the Wikibase: wbeditentity on a new item: connection refused; waiting 5 s before trying again "
                    "(5 of at most 12 s)",
                    "the Wikibase: wbeditentity on a new item: connection refused; waiting 7 s before trying again "
                    "(12 of at most 12 s)"]


def test_a_write_answered_with_http_503_is_not_sent_again(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", http_error(503))
    with pytest.raises(EntityStoreError, match="may or may not have been saved"):
        _edit("wbeditentity_new_item_with_claims.json", store)
    assert replay.count("wbeditentity") == 1 and replay.clock.sleeps == []


# -- exact labels --------------------------------------------------------------------------------

def test_a_prefix_hit_is_not_an_exact_label(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbsearchentities", "wbsearchentities_item.json")
    assert store.find_by_label("Douglas", entity_type="item") == []
    [call] = replay.calls_of("wbsearchentities")
    assert (call.params["search"], call.params["type"], call.params["language"]) == ("Douglas", "item", "en")
    assert call.params["strictlanguage"] == "1"


def test_the_exact_label_is_found(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    # The captured hit for "Douglas" is the one a search for its whole label gets.
    replay.queue("wbsearchentities", Answer.of("wbsearchentities_item.json", match=("language", "type")))
    replay.queue("wbsearchentities", Answer.of("wbsearchentities_property.json", match=("language", "type")))
    assert store.find_by_label("Douglas Adams", entity_type="item") == ["Q5"]
    assert store.find_by_label("point in time", entity_type="property") == ["P4"]
    assert replay.calls_of("wbsearchentities")[1].params["type"] == "property"


def test_no_hits(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbsearchentities", Answer.of("wbsearchentities_no_results.json", match=("search", "language")))
    assert store.find_by_label("zzzznothing", entity_type="item") == []


def test_an_alias_is_not_a_label(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbsearchentities", synth_search("DNA", [
        synth_search_hit("Q5", "Douglas Adams", match_type="alias", match_text="DNA"),
        synth_search_hit("Q9", "DNA"),
    ]))
    assert store.find_by_label("DNA", entity_type="item") == ["Q9"]


def test_exact_hits_over_several_pages_are_all_found(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    replay.queue("wbsearchentities",
                 synth_search("Hub", [synth_search_hit("Q1", "Hub"), synth_search_hit("Q2", "Hub")], more=2),
                 synth_search("Hub", [synth_search_hit("Q3", "Hub"), synth_search_hit("Q4", "Hub Europe")], more=4))
    assert store.find_by_label("Hub", entity_type="item") == ["Q1", "Q2", "Q3"]
    calls = replay.calls_of("wbsearchentities")
    assert [c.params.get("continue") for c in calls] == [None, "2"]


# -- what pywikibot does on its own (why the adapter does maxlag and badtoken itself) ---------------

def test_pywikibot_alone_honours_retry_after_but_retries_as_often_as_config_says(
        wikibase: Wikibase, monkeypatch: pytest.MonkeyPatch) -> None:
    import pywikibot
    from pywikibot.data import api  # type: ignore[import-untyped]

    store, replay = wikibase()
    monkeypatch.setattr(pywikibot.config, "max_retries", 3)  # process-wide; 15 by default
    replay.queue("wbeditentity", Answer.of("api_error_maxlag.json", match=("id",)), forever=True)
    request = api.Request(site=store.site, parameters={
        "action": "wbeditentity", "id": "Q5", "data": "{}", "token": store.site.tokens["csrf"]})
    with pytest.raises(pywikibot.exceptions.MaxlagTimeoutError):
        request.submit()
    assert replay.count("wbeditentity") == 4
    assert replay.clock.sleeps == [5.0, 5.0, 5.0]  # through site.throttle.lag(), from the Retry-After header


def test_pywikibot_alone_sends_a_login_token_as_csrf_after_logging_in_again(wikibase: Wikibase) -> None:
    import pywikibot
    from pywikibot.data import api

    store, replay = wikibase()
    stale = store.site.tokens["csrf"]
    replay.expire_session()  # the wiki forgot the session: assertuserfailed, then a new session
    request = api.Request(site=store.site, parameters={
        "action": "wbeditentity", "id": "Q5", "data": "{}", "token": stale})
    with pytest.raises(pywikibot.exceptions.APIError, match="badtoken"):
        request.submit()
    sent = [c.params["token"] for c in replay.calls_of("wbeditentity")]
    login_token = capture("api_tokens_all_types_loggedin.json")["response"]["query"]["tokens"]["logintoken"]
    assert sent == [stale, stale, login_token]  # its renewal fell back to the last type asked: 'login'


# -- transport faults (the fault injection suite; tests/integration/test_faults.py for whole runs) ---

def _failure(kind: str) -> Answer:
    """One failed exchange as the transport sees it."""
    if kind == "timeout":
        return Answer(body=None, error=requests.exceptions.ReadTimeout("Read timed out. (read timeout=45)"),
                      source="synthesized read timeout")
    if kind == "reset":
        return Answer(body=None, source="synthesized connection reset", error=requests.exceptions.ConnectionError(
            ConnectionResetError(104, "Connection reset by peer")))
    return http_error(int(kind))


def _too_many(retry_after: str | None) -> Answer:
    answer = http_error(429)
    if retry_after is not None:
        answer.headers["Retry-After"] = retry_after
    return answer


TRANSIENT = ["500", "502", "503", "timeout", "reset"]


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_read_after_one_transport_failure_is_sent_again_after_a_wait(wikibase: Wikibase, kind: str) -> None:
    store, replay = wikibase()
    replay.queue("wbgetentities", _failure(kind))
    assert store.fetch_entities(["Q1"])["Q1"] is not None
    assert replay.count("wbgetentities") == 2 and replay.clock.sleeps == [5]  # pywikibot's retry_wait


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_read_that_keeps_failing_is_a_clear_error_after_bounded_growing_waits(wikibase: Wikibase, kind: str) -> None:
    store, replay = wikibase(retries=3)
    replay.queue("wbgetentities", _failure(kind), forever=True)
    with pytest.raises(EntityStoreError, match=r"wbgetentities \(1 ids\): .* did not answer after 3 retries and "
                                               r"35 s of waiting"):
        store.fetch_entities(["Q1"])
    assert replay.count("wbgetentities") == 4 and replay.clock.sleeps == [5, 10, 20]


def test_a_search_after_a_connection_reset_is_sent_again(wikibase: Wikibase) -> None:
    store, replay = wikibase()
    found = synth_search("ESEAP Hub", [synth_search_hit("Q5", "ESEAP Hub")])
    replay.queue("wbsearchentities", _failure("reset"), found)
    assert store.find_by_label("ESEAP Hub", entity_type="item") == ["Q5"]
    assert replay.count("wbsearchentities") == 2 and replay.clock.sleeps == [5]


@pytest.mark.parametrize(("retry_after", "waits", "why"), [
    ("7", [7.0], "waiting 7 s as its Retry-After asks"),
    (None, [5.0], "waiting 5 s backing off, as it said not when to come back"),
])
def test_http_429_on_a_read_waits_what_retry_after_says_or_backs_off_and_says_so(
    wikibase: Wikibase, caplog: pytest.LogCaptureFixture, retry_after: str | None, waits: list[float], why: str,
) -> None:
    store, replay = wikibase()
    replay.queue("wbgetentities", _too_many(retry_after))
    with caplog.at_level(logging.WARNING, logger="wikibot"):
        assert store.fetch_entities(["Q1"])["Q1"] is not None
    assert replay.count("wbgetentities") == 2 and replay.clock.sleeps == waits
    assert f"busy (HTTP 429 Too Many Requests); {why} (retry 1 of 5)" in caplog.text


@pytest.mark.parametrize(("retry_after", "waits"), [("7", [7.0] * 5), (None, [5.0, 10.0, 20.0, 40.0, 80.0])])
def test_http_429_forever_is_a_clear_error_after_bounded_retries(
    wikibase: Wikibase, retry_after: str | None, waits: list[float],
) -> None:
    store, replay = wikibase(maxlag_retries=5)
    replay.queue("wbgetentities", _too_many(retry_after), forever=True)
    with pytest.raises(EntityStoreError, match=r"still busy \(HTTP 429 .*\) after 5 retries and \d+ s of waiting"):
        store.fetch_entities(["Q1"])
    assert replay.count("wbgetentities") == 6 and replay.clock.sleeps == waits


def test_http_429_on_a_write_was_not_acted_on_so_the_edit_is_sent_again_after_the_wait(
    wikibase: Wikibase, caplog: pytest.LogCaptureFixture,
) -> None:
    store, replay = wikibase()
    replay.queue("wbeditentity", _too_many("3"), "wbeditentity_update_item_with_baserevid.json")
    with caplog.at_level(logging.WARNING, logger="wikibot"):
        outcome = _edit("wbeditentity_update_item_with_baserevid.json", store)
    assert isinstance(outcome, EntitySaved) and outcome.revid == 19
    calls = replay.calls_of("wbeditentity")
    assert len(calls) == 2 and calls[0].data() == calls[1].data() and replay.clock.sleeps == [3.0]
    assert "waiting 3 s as its Retry-After asks" in caplog.text


def test_http_429_forever_on_a_write_is_a_clear_error_and_nothing_was_written(wikibase: Wikibase) -> None:
    store, replay = wikibase(maxlag_retries=2)
    replay.queue("wbeditentity", _too_many("3"), forever=True)
    with pytest.raises(EntityStoreError, match=r"still busy .* nothing was done"):
        _edit("wbeditentity_new_item_with_claims.json", store)
    assert replay.count("wbeditentity") == 3 and replay.clock.sleeps == [3.0, 3.0]


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_write_whose_answer_is_lost_is_never_sent_again_and_says_to_re_read(wikibase: Wikibase, kind: str) -> None:
    """A new item or an added statement sent twice would be there twice: the error tells the caller
    (the sync: its next run looks the item up by label and registry id before creating one)."""
    store, replay = wikibase()
    replay.queue("wbeditentity", _failure(kind))
    with pytest.raises(EntityStoreError, match=r"may or may not have been saved, so it was not sent again: "
                                               r"re-read the entity \(or look it up by label\)"):
        _edit("wbeditentity_new_item_with_claims.json", store)
    assert replay.count("wbeditentity") == 1 and replay.clock.sleeps == []


def test_maxlag_on_a_read_says_what_it_waits_for(wikibase: Wikibase, caplog: pytest.LogCaptureFixture) -> None:
    store, replay = wikibase()
    replay.queue("wbgetentities", Answer.of("api_error_maxlag.json", match=()))
    with caplog.at_level(logging.WARNING, logger="wikibot"):
        assert store.fetch_entities(["Q1"])["Q1"] is not None
    assert "wbgetentities (1 ids): the wiki is lagged (jobqueue lag 0.023 s, 23 queued jobs on vm); waiting 5 s " \
           "as its Retry-After asks (retry 1 of 5)" in caplog.text
