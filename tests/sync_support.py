"""Shared by the sync tests that compare end states: a trimmed example workspace, fresh stores
on it (as after a restart), and its end state compared by value (items by registry id)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mwparserfromhell

from wikibot import jobs
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.ports import PageStore
from wikibot.settings import Settings, WorkspaceSettings
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikitext.registry_page import TemplateNames, parse_registry, template_name

ORGS, HUBS, PARTNERSHIPS = "Organizations/Registry", "Hubs/Registry", "Partnerships/Registry"
TITLES = (ORGS, HUBS, PARTNERSHIPS)
REPORT = "Registry/Sync report"
KEEP_HUBS, KEEP_PARTNERSHIPS, KEEP_ORGS = 2, 1, 1  # and every entry these name


# -- the workspace ----------------------------------------------------------------------------

@dataclass
class Stores:
    """One process's view of a workspace: fresh stores, as after a restart."""

    root: Path
    pages: LocalPageStore
    entities: LocalEntityStore
    state: SqliteStateStore
    mapping: ResolvedMapping

    @classmethod
    def open(cls, root: Path) -> Stores:
        ids = InstanceIds.parse((root / "wikibase-ids.json").read_text(encoding="utf-8"))
        return cls(root, LocalPageStore(root), LocalEntityStore(root),
                   SqliteStateStore(root / "state" / "sync.sqlite"), ids.resolved())

    def sync(self, pages: PageStore | None = None, entities: Any = None, **options: Any) -> jobs.SyncRun:
        settings = Settings(workspace=WorkspaceSettings(path=self.root))
        return jobs.sync(settings, pages or self.pages, entities or self.entities, self.state, mapping=self.mapping,
                         user="wikibot", list_items=self.entities.entity_ids, **options)

    def text(self, title: str) -> str:
        page = self.pages.fetch_pages([title])[title]
        assert page is not None
        return page.text

    def entries(self) -> dict[str, Any]:
        """Every registry entry as the pages have it now, by registry id (in page order)."""
        registry, _ = parse_registry({t: self.text(t) for t in TITLES})
        return {e.id: e for e in registry.entries}

    def close(self) -> None:
        self.state.close()


def trim(root: Path) -> None:
    """Keep the first few hubs, partnerships and organisations, and every entry they name."""
    pages = {t: (root / "pages" / f"{t}.wiki").read_text(encoding="utf-8") for t in TITLES}
    registry, _ = parse_registry(pages)
    by_id = {e.id: e for e in registry.entries}
    firsts = {"hub": KEEP_HUBS, "partnership": KEEP_PARTNERSHIPS, "organization": KEEP_ORGS}
    keep: set[str] = set()
    for entry in registry.entries:
        if firsts[entry.kind.value] > 0:
            firsts[entry.kind.value] -= 1
            keep.add(entry.id)
    todo = list(keep)
    while todo:
        for _, named in by_id[todo.pop()].references():
            if named in by_id and named not in keep:
                keep.add(named)
                todo.append(named)
    names = TemplateNames()
    for title, text in pages.items():
        code = mwparserfromhell.parse(text)
        for template in code.filter_templates(recursive=False):
            if names.kind_of(template_name(template)) is None:
                continue
            registry_id = str(template.get("id").value).strip() if template.has("id") else ""
            if registry_id not in keep:
                code.remove(template)
        trimmed = re.sub(r"\n{3,}", "\n\n", str(code))
        (root / "pages" / f"{title}.wiki").write_text(trimmed, encoding="utf-8")


def copy(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


# -- the end state, compared by value ------------------------------------------------------------

REGISTRY_ID = "registry_id"


def registry_items(stores: Stores) -> dict[str, list[str]]:
    """Registry id -> the items holding it (the registry id statement)."""
    pid = stores.mapping.pid(REGISTRY_ID)
    holders: dict[str, list[str]] = {}
    for item, entity in stores.entities.fetch_entities(stores.entities.entity_ids()).items():
        assert entity is not None
        for statement in entity.data.get("claims", {}).get(pid, []):
            value = statement.get("mainsnak", {}).get("datavalue", {}).get("value")
            if isinstance(value, str):
                holders.setdefault(value, []).append(item)
    return holders


def normalized(value: Any, names: dict[str, str]) -> Any:
    """Entity JSON without what differs between two equal histories: statement ids, hashes,
    revisions, the cited page revision; registry items named by their registry id."""
    if isinstance(value, dict):
        out = {k: normalized(v, names) for k, v in value.items()
               if k not in ("id", "hash", "lastrevid", "modified", "pageid", "ns", "title", "numeric-id")
               or (k == "id" and not isinstance(v, str))}
        if "id" in value and isinstance(value["id"], str) and "entity-type" in value:
            out["id"] = names.get(value["id"], value["id"])
        return out
    if isinstance(value, list):
        return sorted((normalized(v, names) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str):
        return re.sub(r"&oldid=\d+", "&oldid=N", value)
    return value


def mapped_text(text: str, names: dict[str, str]) -> str:
    return re.sub(r"\bQ\d+\b", lambda m: f"<{names[m.group(0)]}>" if m.group(0) in names else m.group(0), text)


@dataclass
class EndState:
    items: dict[str, Any]  # registry id -> normalized entity
    pages: dict[str, str]  # title -> text with item ids mapped
    state: dict[str, Any]  # registry id -> (page, fields) of the sync state
    others: int  # entities that are no registry item (the vocabulary, properties)


def end_state(stores: Stores) -> EndState:
    holders = registry_items(stores)
    duplicates = {rid: items for rid, items in holders.items() if len(items) != 1}
    assert not duplicates, f"registry ids on more than one item: {duplicates}"
    names = {items[0]: rid for rid, items in holders.items()}
    items = {}
    for rid, (item,) in holders.items():
        entity = stores.entities.fetch_entities([item])[item]
        assert entity is not None
        items[rid] = normalized(entity.data, names)
    pages = {t: mapped_text(stores.text(t), names) for t in (*TITLES, REPORT)}
    state = {s.registry_id: (s.page, names.get(s.item, s.item), normalized(s.fields, names))
             for s in stores.state.entries().values()}
    return EndState(items, pages, state, len(stores.entities.entity_ids()) - len(holders))


def assert_same(got: EndState, want: EndState) -> None:
    assert sorted(got.items) == sorted(want.items), "items missing or extra"
    for rid in want.items:
        assert got.items[rid] == want.items[rid], f"{rid}: the item differs from the uninterrupted run's"
    for title in want.pages:
        assert got.pages[title] == want.pages[title], f"{title} differs from the uninterrupted run's"
    assert got.state == want.state
    assert got.others == want.others, "entities created that are no registry item"
