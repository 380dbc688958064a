"""Entries <-> Wikibase entity JSON, datatypes, and the minimal diff."""

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.wikibase_support import bootstrapped, capture, example_entries
from wikibot.ports import EntitySaved
from wikibot.registry.dates import WikiDate
from wikibot.registry.models import Hub, Partnership
from wikibot.wikibase.datatypes import (
    ExternalIdValue,
    ItemValue,
    MonolingualTextValue,
    QuantityValue,
    StringValue,
    TimeValue,
    UrlValue,
    from_datavalue,
)
from wikibot.wikibase.diff import diff_entity
from wikibot.wikibase.entity import EntityReadError, Provenance, from_entity, to_entity
from wikibot.wikibase.mapping import ResolvedMapping

PROVENANCE = Provenance.for_page("https://meta.wikimedia.org/w/index.php", "Hubs/Registry", 123,
                                 WikiDate(2026, 11, 21))


@pytest.mark.parametrize("value", [
    ItemValue("Q42"), StringValue("x"), ExternalIdValue("cee-hub"), UrlValue("https://x.org/"),
    TimeValue(WikiDate(2021)), TimeValue(WikiDate(2021, 5)), TimeValue(WikiDate(2021, 5, 14)),
    MonolingualTextValue("Hub", "pl"), QuantityValue(Decimal("-3.5")), QuantityValue(Decimal(12)),
])
def test_datatypes_round_trip_through_their_json(value: Any) -> None:
    assert from_datavalue(value.datatype, value.to_json()) == value


def test_datatypes_read_the_captured_values() -> None:
    entity = capture("wbgetentities_3_items.json")["response"]["entities"]["Q5"]
    read = {}
    for prop, statements in entity["claims"].items():
        main = statements[0]["mainsnak"]
        if main["snaktype"] == "value" and main["datatype"] != "globe-coordinate":
            read[prop] = from_datavalue(main["datatype"], main["datavalue"])
    assert read["P1"] == ItemValue("Q1") and read["P2"] == StringValue("DNA")
    assert read["P3"] == ExternalIdValue("ADAMS-0042")
    year = entity["claims"]["P2"][0]["qualifiers"]["P4"][0]
    assert from_datavalue("time", year["datavalue"]) == TimeValue(WikiDate(1979))
    assert TimeValue(WikiDate(1979)).to_json()["value"]["time"] == year["datavalue"]["value"]["time"]


@pytest.fixture(scope="module")
def wikibase(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, ResolvedMapping]:
    return bootstrapped(tmp_path_factory.mktemp("wikibase"))


def test_bootstrap_twice_writes_nothing_the_second_time(tmp_path: Path) -> None:
    from wikibot.jobs.bootstrap import bootstrap
    from wikibot.wikibase.instance import InstanceIds
    store, mapping = bootstrapped(tmp_path)
    assert mapping.missing() == []
    again = bootstrap(store, InstanceIds(mapping.properties, mapping.items))
    assert again.writes == 0 and again.found == [] and again.ids.properties == mapping.properties
    lost = bootstrap(store, InstanceIds())  # the ids file was lost: found by label, none created
    assert lost.writes == 0 and dict(lost.ids.items) == dict(mapping.items)


def test_every_example_entry_survives_the_trip_through_the_wikibase(wikibase: Any) -> None:
    store, mapping = wikibase
    item_ids: dict[str, str] = {}
    for entry in example_entries():
        outcome = store.save_entity(None, to_entity(entry, mapping, PROVENANCE, item_ids),
                                    base_revid=None, summary="test")
        assert isinstance(outcome, EntitySaved), outcome
        item_ids[entry.id] = outcome.id
    registry_ids = {q: r for r, q in item_ids.items()}
    fetched = store.fetch_entities(list(item_ids.values()))
    for entry in example_entries():
        entity = fetched[item_ids[entry.id]]
        assert entity is not None
        back = from_entity(entity.data, mapping, registry_ids)
        assert back == entry.model_copy(update={"item": item_ids[entry.id]})


def _shape(value: Any) -> Any:
    """The layout of nested JSON: keys and value types, without the values."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _snaks(statement: dict[str, Any]) -> list[dict[str, Any]]:
    found = [statement["mainsnak"]]
    found += [q for qs in statement.get("qualifiers", {}).values() for q in qs]
    found += [s for r in statement.get("references", []) for ss in r["snaks"].values() for s in ss]
    return found


def test_new_item_json_has_the_shape_the_real_wikibase_accepted(wikibase: Any) -> None:
    import json
    _, mapping = wikibase
    accepted = json.loads(capture("wbeditentity_new_item_with_claims.json")["request"]["body"]["data"])
    partnership = Partnership(id="p", names={"en": "P", "de": "P"}, descriptions={"en": "d", "de": "d"},
                              aliases={"en": ("P1", "P2")}, partner="o",
                              partnership_type=("content",), scope="global", status="active",
                              start="2020-05", website="https://x.org/")
    ours = to_entity(partnership, mapping, PROVENANCE, {"o": "Q1"})
    assert _shape(ours["labels"]) == _shape(accepted["labels"])
    assert _shape(ours["descriptions"]) == _shape(accepted["descriptions"])
    assert _shape(ours["aliases"]["en"]) == _shape(accepted["aliases"]["en"])
    snak_shapes = {s["datavalue"]["type"]: _shape(s) for c in accepted["claims"] for s in _snaks(c)
                   if s["snaktype"] == "value"}
    statement_keys = {k for c in accepted["claims"] for k in c}
    for statement in ours["claims"]:
        assert set(statement) <= statement_keys
        assert statement["type"] == "statement" and statement["rank"] == "normal"
        for one in _snaks(statement):
            assert _shape(one) == snak_shapes[one["datavalue"]["type"]]
        (reference,) = statement["references"]
        assert set(reference) == {"snaks", "snaks-order"} and reference["snaks-order"] == list(reference["snaks"])
        if "qualifiers" in statement:
            assert statement["qualifiers-order"] == list(statement["qualifiers"])
    kinds = {s["datavalue"]["type"] for c in ours["claims"] for s in _snaks(c)}
    assert kinds == {"wikibase-entityid", "string", "time"}
    assert any("qualifiers" in c for c in ours["claims"])


def _saved(store: Any, mapping: ResolvedMapping, hub: Hub) -> dict[str, Any]:
    """The entity as stored; each test's hub has its own name (Wikibase refuses a second
    item with the same label and description)."""
    if hub.names == HUB.names:
        hub = hub.model_copy(update={"names": {"en": f"Hub {hub.id}"}})
    outcome = store.save_entity(None, to_entity(hub, mapping, PROVENANCE, {"wmpl": "Q1"}), base_revid=None,
                                summary="t")
    assert isinstance(outcome, EntitySaved)
    return outcome.entity


def _with(entry: Any, **changes: Any) -> Any:
    """A copy of ``entry`` with ``changes``, validated like any entry."""
    return type(entry).model_validate({**entry.model_dump(), **changes})


def _diff(mapping: ResolvedMapping, current: Any, wanted: Any, previous: Any = None) -> Any:
    return diff_entity(current, wanted, owned=mapping.owned_properties(Hub.kind),
                       owned_qualifiers=mapping.owned_qualifiers(Hub.kind), datatypes=mapping.datatypes(),
                       is_ours=lambda r: PROVENANCE.is_ours(r, mapping), previous=previous)


HUB = Hub(id="diff-hub", names={"en": "Diff hub"}, descriptions={"en": "a hub for diff tests"},
          hub_kind=("regional",), status="pilot", regions=("eseap",), countries=("ID", "PH"))


def test_unchanged_entity_gives_no_request(wikibase: Any) -> None:
    store, mapping = wikibase
    hub = HUB.model_copy(update={"id": "same-hub", "names": {"en": "Same hub"}})
    entity = _saved(store, mapping, hub)
    later = Provenance(PROVENANCE.page_url, 999, WikiDate(2027, 1, 1))  # a newer page revision
    wanted = to_entity(hub, mapping, later)
    assert _diff(mapping, entity, wanted) is None


def test_diff_changes_only_what_differs_and_leaves_the_rest(wikibase: Any) -> None:
    store, mapping = wikibase
    entity = copy.deepcopy(_saved(store, mapping, HUB.model_copy(update={"names": {"en": "H1", "de": "H1"}})))
    foreign = {"mainsnak": {"snaktype": "value", "property": "P999", "datavalue": {"type": "string", "value": "x"}},
               "type": "statement", "id": "Q9$foreign", "rank": "normal"}
    entity["claims"]["P999"] = [foreign]
    entity["sitelinks"] = {"metawiki": {"site": "metawiki", "title": "Hubs/H1"}}
    changed = _with(HUB, names={"en": "H1 renamed"}, status="implementation", countries=("ID",))
    synced = to_entity(HUB.model_copy(update={"names": {"en": "H1"}}), mapping, PROVENANCE)  # de: someone else's
    assert "claims" not in (_diff(mapping, entity, to_entity(changed, mapping, PROVENANCE)) or {}) or all(
        "remove" not in c for c in _diff(mapping, entity, to_entity(changed, mapping, PROVENANCE))["claims"]
    )  # without the last synced state nothing is removed: it could be someone else's fact
    data = _diff(mapping, entity, to_entity(changed, mapping, PROVENANCE), synced)
    assert data["labels"] == {"en": {"language": "en", "value": "H1 renamed"}}  # de untouched
    assert "descriptions" not in data and "sitelinks" not in data
    status, country = mapping.pid("status"), mapping.pid("country")
    removed = {c["id"] for c in data["claims"] if "remove" in c}
    added = [c for c in data["claims"] if "remove" not in c]
    assert [c["mainsnak"]["property"] for c in added] == [status]
    old_status = entity["claims"][status][0]["id"]
    old_ph = next(s["id"] for s in entity["claims"][country] if s["mainsnak"]["datavalue"]["value"] == "PH")
    assert removed == {old_status, old_ph}
    assert all(c.get("id") != "Q9$foreign" for c in data["claims"])


def test_equal_statement_without_our_reference_gets_it_instead_of_a_duplicate(wikibase: Any) -> None:
    store, mapping = wikibase
    hub = HUB.model_copy(update={"id": "ref-hub", "names": {"en": "Ref hub"}})
    entity = copy.deepcopy(_saved(store, mapping, hub))
    status = mapping.pid("status")
    human = entity["claims"][status][0]
    human["references"] = [{"snaks": {"P999": []}, "snaks-order": ["P999"], "hash": "h"}]
    deprecated = copy.deepcopy(human)
    deprecated.update(id="Q9$old", rank="deprecated")
    entity["claims"][status].append(deprecated)
    duplicate = copy.deepcopy(entity["claims"][mapping.pid("region")][0])
    duplicate["id"] = "Q9$dup"
    entity["claims"][mapping.pid("region")].append(duplicate)
    data = _diff(mapping, entity, to_entity(hub, mapping, PROVENANCE))
    (update,) = data["claims"]
    assert update["id"] == human["id"] and len(update["references"]) == 2
    assert PROVENANCE.is_ours(update["references"][1], mapping)


def test_time_span_qualifiers_are_managed_on_the_partner_statement(wikibase: Any) -> None:
    store, mapping = wikibase
    base = Partnership(id="span", names={"en": "Span"}, partner="o", partnership_type=("content",),
                       scope="global", status="active", start="2020")
    saved = store.save_entity(None, to_entity(base, mapping, PROVENANCE, {"o": "Q1"}), base_revid=None, summary="t")
    assert isinstance(saved, EntitySaved)
    ended = _with(base, status="ended", end="2024-03")
    data = diff_entity(saved.entity, to_entity(ended, mapping, PROVENANCE, {"o": "Q1"}),
                       owned=mapping.owned_properties(ended.kind),
                       owned_qualifiers=mapping.owned_qualifiers(ended.kind),
                       datatypes=mapping.datatypes(), is_ours=lambda r: PROVENANCE.is_ours(r, mapping),
                       previous=to_entity(base, mapping, PROVENANCE, {"o": "Q1"}))
    partner = next(c for c in data["claims"] if c.get("mainsnak", {}).get("property") == mapping.pid("partner"))
    assert set(partner["qualifiers"]) == {mapping.pid("start_time"), mapping.pid("end_time")}
    assert partner["id"] == saved.entity["claims"][mapping.pid("partner")][0]["id"]
    outcome = store.save_entity(saved.id, data, base_revid=saved.revid, summary="t")
    assert isinstance(outcome, EntitySaved)
    assert from_entity(outcome.entity, mapping, {"Q1": "o"}).end == WikiDate(2024, 3)


def test_entities_that_are_not_entries_are_reported(wikibase: Any) -> None:
    store, mapping = wikibase
    with pytest.raises(EntityReadError, match="not an instance of a registry class"):
        from_entity({"id": "Q1", "claims": {}}, mapping, {})
    entity = _saved(store, mapping, HUB.model_copy(update={"id": "unknown-ref-hub", "host": "wmpl"}))
    with pytest.raises(EntityReadError, match="host: Q1 is not the item of a registry entry"):
        from_entity(entity, mapping, {})


def test_aliases_are_added_to_the_ones_others_gave_and_never_duplicated(wikibase: Any) -> None:
    store, mapping = wikibase
    hub = HUB.model_copy(update={"id": "alias-hub", "names": {"en": "Alias hub"}, "aliases": {"en": ("AH",)}})
    entity = _saved(store, mapping, hub)
    assert [a["value"] for a in entity["aliases"]["en"]] == ["AH"]
    human = store.save_entity(entity["id"], {"aliases": {"en": [{"language": "en", "value": "Alias Hub (X)",
                                                                 "add": ""}]}},
                              base_revid=entity["lastrevid"], summary="an editor adds an alias")
    assert isinstance(human, EntitySaved)
    wanted = _with(hub, aliases={"en": ("AH", "A-Hub"), "fr": ("Pôle alias",)})
    data = _diff(mapping, human.entity, to_entity(wanted, mapping, PROVENANCE))
    assert data == {"aliases": {"en": [{"language": "en", "value": "A-Hub", "add": ""}],
                                "fr": [{"language": "fr", "value": "Pôle alias", "add": ""}]}}
    saved = store.save_entity(entity["id"], data, base_revid=human.revid, summary="sync")
    assert isinstance(saved, EntitySaved)
    assert [a["value"] for a in saved.entity["aliases"]["en"]] == ["AH", "Alias Hub (X)", "A-Hub"]
    assert _diff(mapping, saved.entity, to_entity(wanted, mapping, PROVENANCE)) is None
