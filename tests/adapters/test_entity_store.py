"""One suite for every EntityStore, driven by the requests of the real captures.

The cases replay what was sent to a real Wikibase (``shared/fixtures/wikibase``) and expect
what it answered.  The local store runs them directly; the live store (pywikibot) runs them
over the replayed transport of replay/wikibase.py, against a stateful replay whose entities
are kept by a local store and whose every answer has the shape of a real one.  What only
the live store does (batching, maxlag, badtoken, sessions) is in test_wikibase_live.py.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from replay.wikibase import replay_wikibase
from tests.wikibase_support import capture
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.ports import EntityConflict, EntitySaved, EntityStore, NoChange, Patched, Rejected

# The capture instance's properties (fixtures README): P1-P11.
CAPTURE_PROPERTIES = [
    ("instance of", "wikibase-item"), ("nickname string", "string"), ("Example ID", "external-id"),
    ("point in time", "time"), ("reference URL", "url"), ("native name", "monolingualtext"),
    ("population", "quantity"), ("coordinate location", "globe-coordinate"), ("stated in", "wikibase-item"),
    ("retrieved", "time"), ("related property", "wikibase-property"),
]


def _terms(label: str) -> dict[str, Any]:
    return {"labels": {"en": {"language": "en", "value": label}}}


def _capture_instance(local: LocalEntityStore) -> None:
    """What the capture instance held before Q5: P1-P11 and items Q1-Q4."""
    for label, datatype in CAPTURE_PROPERTIES:
        assert isinstance(local.save_entity(None, {**_terms(label), "datatype": datatype}, base_revid=None,
                                            summary="setup", new="property"), EntitySaved)
    for label in ("human", "city", "country", "Example Source"):
        assert isinstance(local.save_entity(None, _terms(label), base_revid=None, summary="setup"), EntitySaved)


@pytest.fixture(params=["local", "live"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EntityStore]:
    """Each store, on an instance holding what the capture instance held before Q5."""
    _capture_instance(LocalEntityStore(tmp_path))
    if request.param == "local":
        yield LocalEntityStore(tmp_path)
        return
    with replay_wikibase(monkeypatch, backend=tmp_path) as (live, replay):
        yield live
        writes = replay.calls_of("wbeditentity")
        assert all(call.method == "POST" and call.params.get("maxlag") == "5" for call in writes)


def _data(name: str) -> dict[str, Any]:
    request = capture(name)["request"]
    data: dict[str, Any] = json.loads((request["body"] or request["query"])["data"])
    return data


def _layout(entity: dict[str, Any]) -> dict[str, Any]:
    """What a stored entity looks like, values aside: per property, each statement's parts."""
    return {prop: [(s["type"], s["rank"], s["mainsnak"]["snaktype"], s["mainsnak"].get("datatype"),
                    sorted(s.get("qualifiers", {})), [sorted(r["snaks"]) for r in s.get("references", [])],
                    "hash" in s["mainsnak"], s["id"].startswith(entity["id"] + "$"))
                   for s in statements]
            for prop, statements in sorted(entity["claims"].items())}


def test_new_item_with_claims_is_stored_as_the_real_wikibase_stored_it(store: EntityStore) -> None:
    outcome = store.save_entity(None, _data("wbeditentity_new_item_with_claims.json"), base_revid=None,
                                summary="create")
    assert isinstance(outcome, EntitySaved)
    real = capture("wbeditentity_new_item_with_claims.json")["response"]["entity"]
    assert outcome.id == real["id"] == "Q5"
    assert _layout(outcome.entity) == _layout(real)
    assert outcome.entity["labels"] == real["labels"] and outcome.entity["aliases"] == real["aliases"]
    fetched = store.fetch_entities(["Q5", "Q999"])
    assert fetched["Q999"] is None
    entity = fetched["Q5"]
    assert entity is not None and entity.revid == outcome.revid == entity.data["lastrevid"]


def _q5(store: EntityStore) -> EntitySaved:
    outcome = store.save_entity(None, _data("wbeditentity_new_item_with_claims.json"), base_revid=None,
                                summary="create")
    assert isinstance(outcome, EntitySaved)
    return outcome


def test_update_on_the_current_revision_then_the_same_again_is_no_change(store: EntityStore) -> None:
    q5 = _q5(store)
    data = _data("wbeditentity_update_item_with_baserevid.json")
    saved = store.save_entity("Q5", data, base_revid=q5.revid, summary="add French terms")
    assert isinstance(saved, EntitySaved) and saved.revid > q5.revid
    assert saved.entity["labels"]["fr"]["value"] == "Douglas Adams"
    assert len(saved.entity["claims"]["P3"]) == 2
    again = store.save_entity("Q5", _data("wbeditentity_update_item_nochange.json"), base_revid=saved.revid,
                              summary="again")
    assert isinstance(again, NoChange)
    current = store.fetch_entities(["Q5"])["Q5"]
    assert current is not None and current.revid == saved.revid


def test_stale_base_is_patched_when_it_can_be_and_a_conflict_when_not(store: EntityStore) -> None:
    q5 = _q5(store)
    other = store.save_entity("Q5", {"labels": {"en": {"language": "en", "value": "D. Adams"}}},
                              base_revid=q5.revid, summary="another editor")
    assert isinstance(other, EntitySaved)
    patched = store.save_entity("Q5", _data("wbeditentity_stale_baserevid_patched_no_conflict.json"),
                                base_revid=q5.revid, summary="stale but elsewhere")
    assert isinstance(patched, Patched) and patched.revid > other.revid
    conflict = store.save_entity("Q5", _data("wbeditentity_error_editconflict_stale_baserevid.json"),
                                 base_revid=q5.revid, summary="stale, same label")
    assert isinstance(conflict, EntityConflict)
    current = store.fetch_entities(["Q5"])["Q5"]
    assert current is not None
    assert current.data["labels"]["en"]["value"] == "D. Adams"  # the other editor's label survives
    assert current.data["descriptions"]["fr"]["value"] == "capitale de l'Allemagne"


@pytest.mark.parametrize("name", [
    "wbeditentity_error_bad_datavalue_type_for_item_property.json",
    "wbeditentity_error_bad_quantity_value.json",
    "wbeditentity_error_bad_time_value.json",
    "wbeditentity_error_bad_url_value.json",
    "wbeditentity_error_label_too_long.json",
    "wbeditentity_error_unknown_language.json",
    "wbeditentity_error_unknown_property.json",
    "wbeditentity_error_invalid_entity_id.json",
    "wbeditentity_error_no_such_entity.json",
])
def test_bad_values_are_rejected_with_the_real_error_code(store: EntityStore, name: str) -> None:
    q5 = _q5(store)
    request = capture(name)["request"]
    params = request["body"] or request["query"]
    outcome = store.save_entity(params["id"], _data(name), base_revid=None, summary="bad")
    assert isinstance(outcome, Rejected)
    assert outcome.code == capture(name)["response"]["error"]["code"]
    current = store.fetch_entities(["Q5"])["Q5"]
    assert current is not None and current.revid == q5.revid  # nothing written


def test_label_conflicts_are_rejected(store: EntityStore) -> None:
    new_property = json.loads(capture("wbeditentity_error_property_label_conflict.json")["request"]["body"]["data"])
    outcome = store.save_entity(None, new_property, base_revid=None, summary="dup", new="property")
    assert isinstance(outcome, Rejected) and outcome.code == "failed-save"
    first = {"labels": {"en": {"language": "en", "value": "Berlin (city)"}},
             "descriptions": {"en": {"language": "en", "value": "capital"}}}
    assert isinstance(store.save_entity(None, first, base_revid=None, summary="a"), EntitySaved)
    second = store.save_entity(None, first, base_revid=None, summary="b")
    assert isinstance(second, Rejected) and second.code == "modification-failed"


def test_find_by_label_is_exact(store: EntityStore) -> None:
    assert store.find_by_label("city", entity_type="item") == ["Q2"]
    assert store.find_by_label("City", entity_type="item") == []
    assert store.find_by_label("instance of", entity_type="property") == ["P1"]
    assert store.find_by_label("instance of", entity_type="item") == []


def test_aliases_are_added_removed_and_set_per_language_as_wikibase_does(store: EntityStore) -> None:
    q5 = _q5(store)
    removed = store.save_entity("Q5", _data("wbeditentity_update_item_remove_alias.json"), base_revid=q5.revid,
                                summary="remove DNA")
    assert isinstance(removed, EntitySaved)
    assert removed.entity["aliases"] == capture("wbeditentity_update_item_remove_alias.json")["response"]["entity"][
        "aliases"]
    added = store.save_entity("Q5", {"aliases": {"en": [{"language": "en", "value": "DNA", "add": ""}]}},
                              base_revid=removed.revid, summary="add DNA")
    assert isinstance(added, EntitySaved)
    assert [a["value"] for a in added.entity["aliases"]["en"]] == ["Douglas Noël Adams", "DNA"]
    replaced = store.save_entity("Q5", {"aliases": {"en": [{"language": "en", "value": "D. N. A."}]}},
                                 base_revid=added.revid, summary="set")  # no add/remove: the list is replaced
    assert isinstance(replaced, EntitySaved)
    assert [a["value"] for a in replaced.entity["aliases"]["en"]] == ["D. N. A."]
    assert replaced.entity["aliases"]["de"] == q5.entity["aliases"]["de"]  # other languages untouched


def test_the_local_label_index_sees_what_another_process_saved(tmp_path: Path) -> None:
    first, second = LocalEntityStore(tmp_path), LocalEntityStore(tmp_path)
    assert first.find_by_label("Berlin", entity_type="item") == []  # first builds its index now
    saved = second.save_entity(None, _terms("Berlin"), base_revid=None, summary="elsewhere")
    assert isinstance(saved, EntitySaved)
    assert first.find_by_label("Berlin", entity_type="item") == [saved.id]
    renamed = first.save_entity(saved.id, _terms("Berlin (city)"), base_revid=saved.revid, summary="rename")
    assert isinstance(renamed, EntitySaved)
    assert first.find_by_label("Berlin", entity_type="item") == []
    assert second.find_by_label("Berlin (city)", entity_type="item") == [saved.id]
    clash = second.save_entity(None, {**_terms("Berlin (city)"), "descriptions": {}}, base_revid=None, summary="x")
    assert isinstance(clash, EntitySaved)  # same label without a description: allowed, as in Wikibase
