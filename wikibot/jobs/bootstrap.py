"""``wikibot bootstrap``: make a Wikibase hold every property and item the mapping needs.

Idempotent and cheap: ids already recorded are checked with one batched read; a missing one
is looked for by its exact English label (and, for items, description) before anything is
created, so a second run, or a run after a crash, creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..ports import (
    Entity,
    EntitySaved,
    EntityStore,
    EntityStoreError,
    NoChange,
    Patched,
    Rejected,
    Simulated,
    StateStore,
)
from ..wikibase.entity import term_text
from ..wikibase.instance import InstanceIds
from ..wikibase.mapping import PROPERTIES, ItemSpec, PropertySpec, vocabulary_items

Progress = Callable[[str], None]


@dataclass
class BootstrapResult:
    ids: InstanceIds
    found: list[str] = field(default_factory=list)  # keys found on the instance
    created: list[str] = field(default_factory=list)  # keys created (or, dry run: to create)
    problems: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)  # keys read (or written) on the Wikibase in this run

    @property
    def writes(self) -> int:
        return len(self.created)

    def in_place(self) -> tuple[int, int]:
        """(properties, items) of ``ids`` that this run read or wrote on the Wikibase: what it can vouch for."""
        return (sum(1 for key in self.ids.properties if key in self.checked),
                sum(1 for key in self.ids.items if key in self.checked))

    def unchecked(self) -> list[str]:
        """Keys recorded in the ids file that this run did not read (it stopped before)."""
        return [key for key in (*self.ids.properties, *self.ids.items) if key not in self.checked]


def _terms(label: str, description: str) -> dict[str, dict[str, dict[str, str]]]:
    return {"labels": {"en": {"language": "en", "value": label}},
            "descriptions": {"en": {"language": "en", "value": description}}}


def _label(entity: Entity | None) -> str | None:
    return term_text(entity.data, "labels", "en") if entity else None


def _description(entity: Entity | None) -> str | None:
    return term_text(entity.data, "descriptions", "en") if entity else None


def bootstrap(store: EntityStore, known: InstanceIds, *, dry_run: bool = False,
              progress: Progress = lambda message: None) -> BootstrapResult:
    """Find or create every property and item the mapping needs; ``result.ids`` holds them all.

    When the store fails on the way (``EntityStoreError``), the run stops there and says so in
    ``result.problems``; ``result.ids`` still holds everything found or created until then.
    """
    properties = dict(known.properties)
    items = dict(known.items)
    result = BootstrapResult(known)  # ids: what is known, read or not; checked: what was read
    try:
        _bootstrap(store, properties, items, result, dry_run=dry_run, progress=progress)
    except EntityStoreError as error:
        result.problems.append(f"stopped: {error} (what was found or created before is kept)")
    result.ids = InstanceIds(properties, items)
    return result


def note_new_registry(result: BootstrapResult, state: StateStore) -> bool:
    """When this (real) run created the registry-id property, no item held it before: the sync
    state will see every item that ever holds it, and a sync need not search for items by label
    before creating them.  True when noted."""
    created = result.ids.properties.get("registry_id")
    if "registry_id" not in result.created or created is None:
        return False
    state.note_knows_every_item(created)
    return True


@dataclass
class BootstrapRun:
    """What ``wikibot bootstrap`` found and did; ``recorded``: the ids were saved (they changed)."""

    result: BootstrapResult
    dry_run: bool
    recorded: bool = False

    @property
    def clean(self) -> bool:
        return not self.result.problems


def bootstrap_job(store: EntityStore, known: InstanceIds, state: StateStore | None, *,
                  save_ids: Callable[[InstanceIds], None], dry_run: bool = False,
                  progress: Progress = lambda message: None) -> BootstrapRun:
    """``wikibot bootstrap``: ``bootstrap`` on ``store`` from the ids recorded (``known``); the ids
    found or created are saved (``save_ids``) when they changed, also after a failure (what was
    created is kept), and a registry-id property created here is noted in the sync ``state``."""
    result = bootstrap(store, known, dry_run=dry_run, progress=progress)
    run = BootstrapRun(result, dry_run)
    if dry_run:
        return run
    if result.ids != known:
        save_ids(result.ids)
        run.recorded = True
    if state is not None:
        note_new_registry(result, state)
    return run


def _bootstrap(store: EntityStore, properties: dict[str, str], items: dict[str, str], result: BootstrapResult,
               *, dry_run: bool, progress: Progress) -> None:
    recorded = store.fetch_entities([*properties.values(), *items.values()])
    specs: list[PropertySpec | ItemSpec] = [*PROPERTIES, *vocabulary_items()]
    for spec in specs:
        is_property = isinstance(spec, PropertySpec)
        table = properties if is_property else items
        if spec.key in table:
            entity = recorded.get(table[spec.key])
            if entity is not None and _label(entity) == spec.label:
                result.checked.add(spec.key)
                continue
            result.problems.append(f"{spec.key}: recorded id {table[spec.key]} is missing or relabelled; "
                                   "looking it up again")
            del table[spec.key]
        found, problem = _find(store, spec)
        if found is not None:
            table[spec.key] = found
            result.found.append(spec.key)
            result.checked.add(spec.key)
            continue
        if problem is not None:
            result.problems.append(f"{spec.key}: {problem}")
            continue
        result.created.append(spec.key)
        if dry_run:
            progress(f"would create {'property' if is_property else 'item'} {spec.label!r}")
            continue
        data: dict[str, Any] = _terms(spec.label, spec.description)
        if isinstance(spec, PropertySpec):
            data["datatype"] = spec.datatype
        try:
            outcome = store.save_entity(None, data, base_revid=None, new="property" if is_property else "item",
                                        summary=f"wikibot bootstrap: {spec.key}")
        except EntityStoreError:
            result.created.remove(spec.key)
            raise
        if isinstance(outcome, (EntitySaved, Patched)):
            table[spec.key] = outcome.id
            result.checked.add(spec.key)
            progress(f"created {outcome.id} {spec.label!r}")
        elif isinstance(outcome, Rejected):
            result.created.remove(spec.key)
            result.problems.append(f"{spec.key}: refused by the Wikibase: {outcome.code}: {outcome.info}")
        elif isinstance(outcome, Simulated):  # pywikibot's simulate: nothing was created
            result.created.remove(spec.key)
            result.problems.append(f"{spec.key}: creation simulated (pywikibot's simulate is on): not created")
        elif isinstance(outcome, NoChange):  # pragma: no cover - a creation always changes something
            result.created.remove(spec.key)


def _find(store: EntityStore, spec: PropertySpec | ItemSpec) -> tuple[str | None, str | None]:
    """(id of the existing entity for ``spec`` or None, why an existing one cannot be used)."""
    is_property = isinstance(spec, PropertySpec)
    candidates = store.find_by_label(spec.label, entity_type="property" if is_property else "item")
    if not candidates:
        return None, None
    entities = store.fetch_entities(candidates)
    if isinstance(spec, PropertySpec):
        fitting = [i for i in candidates if (e := entities.get(i)) and e.data.get("datatype") == spec.datatype]
        if not fitting:
            return None, (f"property {candidates[0]} is labelled {spec.label!r} but is not of datatype "
                          f"{spec.datatype}: rename one of them")
        return fitting[0], None
    fitting = [i for i in candidates if _description(entities.get(i)) == spec.description]
    return (fitting[0] if fitting else None), None
