"""Shared helpers for tests that need a bootstrapped local Wikibase and the example registry."""

from pathlib import Path

from replay.fixtures import FIXTURES as FIXTURES
from replay.fixtures import capture as capture
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.jobs.bootstrap import bootstrap
from wikibot.ports import EntitySaved, EntityStore
from wikibot.registry.models import Entry, EntryKind
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikitext.registry_page import parse_registry

ROOT = Path(__file__).resolve().parents[1]


def example_entries() -> list[Entry]:
    pages = {}
    for title in ("Organizations/Registry", "Hubs/Registry", "Partnerships/Registry"):
        pages[title] = (ROOT / "examples" / "registry" / "pages" / f"{title}.wiki").read_text(encoding="utf-8")
    registry, _ = parse_registry(pages)
    assert not registry.problems
    order = {EntryKind.ORGANIZATION: 0, EntryKind.HUB: 1, EntryKind.PARTNERSHIP: 2}
    return sorted(registry.entries, key=lambda e: order[e.kind])


def bootstrapped(root: Path) -> tuple[LocalEntityStore, ResolvedMapping]:
    store = LocalEntityStore(root)
    result = bootstrap(store, InstanceIds())
    assert not result.problems, result.problems
    return store, result.ids.resolved()


def set_hub_status(entities: EntityStore, mapping: ResolvedMapping, item: str, status: str) -> None:
    """Someone changes a hub's status in the Wikibase (its first status statement gets another value)."""
    entity = entities.fetch_entities([item])[item]
    assert entity is not None
    statement = entity.data["claims"][mapping.pid("status")][0]
    value = {"entity-type": "item", "id": mapping.qid(f"hub-status:{status}")}
    statement = {**statement, "mainsnak": {**statement["mainsnak"],
                                           "datavalue": {"type": "wikibase-entityid", "value": value}}}
    outcome = entities.save_entity(item, {"claims": [statement]}, base_revid=entity.revid, summary="a Wikibase editor")
    assert isinstance(outcome, EntitySaved), outcome
