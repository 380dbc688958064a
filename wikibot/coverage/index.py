"""The embedded query store kept current: each entity's RDF replaced when its revision moved.

The store holds one named graph per entity (``adapters/query_embedded.py``), with the
entity's ``schema:version`` (its revision) in it, so ``QueryIndex.versions`` says which
revision of each entity the store answers for.  ``update`` replaces only the entities whose
revision differs; ``rebuild`` starts from nothing.

``Watched`` wraps the entity store a job uses and keeps every entity JSON that passes
through it (read for the plan, answered by a save), and the ids read that no longer exist,
so that ``wikibot sync`` brings the query store up to date, deleted items taken out,
without a single extra request to the Wikibase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..ports import Changes, Entity, EntityInfo, EntityJson, EntityOutcome, EntitySaved, EntityStore, QueryStore
from ..wikibase.rdf import RdfMappingError, RdfPrefixes, Triple, entity_triples

Progress = Callable[[str], None]
ENTITY_ID = re.compile(r"[PQL][1-9][0-9]{0,17}")  # as the Wikibase names entities
BATCH = 500  # ids named in one query


@dataclass
class QueryIndex:
    store: QueryStore
    prefixes: RdfPrefixes
    skipped: dict[str, str] = field(default_factory=dict)  # entity id -> why it has no RDF (left as it was)

    def versions(self, ids: Iterable[str] | None = None) -> dict[str, int]:
        """Entity id -> the revision the store holds of it: of every entity, or of ``ids`` only
        (asked by name, ``BATCH`` a query: the cost follows the ids asked, not the store's size)."""
        if ids is None:
            return self._versions("")
        wanted = sorted({i for i in ids if ENTITY_ID.fullmatch(i)})  # a name that is not an id is in no graph
        versions: dict[str, int] = {}
        for start in range(0, len(wanted), BATCH):
            iris = " ".join(f"<{self.prefixes.concept_uri}{i}>" for i in wanted[start:start + BATCH])
            versions.update(self._versions(f"VALUES ?entity {{ {iris} }}\n"))
        return versions

    def _versions(self, values: str) -> dict[str, int]:
        answer = self.store.select(
            "PREFIX schema: <http://schema.org/>\n"
            f"SELECT ?entity ?version WHERE {{ {values}GRAPH ?entity {{ ?data schema:about ?entity ; "
            "schema:version ?version } }")
        concept = self.prefixes.concept_uri
        versions = {}
        for row in answer.rows:
            iri, version = row["entity"].value, row["version"].to_python()
            if iri.startswith(concept) and isinstance(version, int):
                versions[iri[len(concept):]] = version
        return versions

    def is_empty(self) -> bool:
        """Whether the store holds no entity at all (one small query)."""
        answer = self.store.select(
            "PREFIX schema: <http://schema.org/>\n"
            "SELECT ?entity WHERE { GRAPH ?entity { ?data schema:about ?entity ; schema:version ?version } } LIMIT 1")
        return not answer.rows

    def update(self, entities: Iterable[EntityJson], *, known: dict[str, int] | None = None,
               progress: Progress = lambda message: None) -> list[str]:
        """Replace each entity whose revision the store does not hold; the ids replaced.

        ``known``: the store's versions when the caller has them already."""
        versions = self.versions() if known is None else known
        replaced = []
        for entity in entities:
            entity_id = str(entity["id"])
            if versions.get(entity_id) == entity.get("lastrevid") and "lastrevid" in entity:
                continue
            try:
                self._replace(entity)
            except RdfMappingError as error:  # one entity that cannot be written as RDF stops no other
                self.skipped[entity_id] = str(error)
                progress(f"query store: {entity_id} left as it was: {error}")
                continue
            versions[entity_id] = int(entity.get("lastrevid", 0))
            replaced.append(entity_id)
            if len(replaced) % 1000 == 0:
                progress(f"query store: {len(replaced)} entities written")
        if replaced:
            self.store.flush()
        return replaced

    def remove(self, entity_ids: Iterable[str], *, known: dict[str, int] | None = None) -> list[str]:
        """Take out the entities the Wikibase no longer has (deleted); the ids the store held."""
        versions = self.versions() if known is None else known
        removed = [i for i in entity_ids if i in versions]
        for entity_id in removed:
            self.store.remove_entity(self.prefixes.concept_uri + entity_id)
            del versions[entity_id]
        if removed:
            self.store.flush()
        return removed

    def rebuild(self, entities: Iterable[EntityJson], progress: Progress = lambda message: None) -> int:
        """Empty the store and write every entity in ``entities``; how many were written."""
        self.store.clear()
        return len(self.update(entities, known={}, progress=progress))

    def _replace(self, entity: EntityJson) -> None:
        own: list[Triple] = []
        shared: list[Triple] = []
        for triple in entity_triples(entity, self.prefixes):
            (shared if self._is_shared(triple.subject) else own).append(triple)
        self.store.replace_entity(self.prefixes.concept_uri + str(entity["id"]), own, shared)

    def _is_shared(self, subject: Any) -> bool:
        """Reference and value nodes are named by a hash of their content: several entities share them."""
        value = getattr(subject, "value", "")
        return isinstance(value, str) and value.startswith(self._shared_namespaces)

    @property
    def _shared_namespaces(self) -> tuple[str, str]:
        namespaces = self.prefixes.namespaces()
        return namespaces["ref"], namespaces["v"]


def with_revision(entity: EntityJson, revid: int) -> EntityJson:
    """The entity JSON with ``lastrevid`` set (a save's answer may lack it)."""
    return entity if entity.get("lastrevid") == revid else {**entity, "lastrevid": revid}


@dataclass
class Watched:
    """An ``EntityStore`` that remembers the latest JSON of every entity read or saved through it."""

    inner: EntityStore
    seen: dict[str, EntityJson] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)  # asked for, and the Wikibase has no such entity

    def fetch_entities(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        found = self.inner.fetch_entities(ids)
        for entity_id, entity in found.items():
            if entity is None:
                self.gone.add(entity_id)
                self.seen.pop(entity_id, None)
            else:
                self._keep(entity.id, entity.revid, entity.data)
        return found

    def fetch_info(self, ids: Sequence[str]) -> dict[str, EntityInfo | None]:
        return self.inner.fetch_info(ids)

    def changes_since(self, watermark: str | None) -> Changes | None:
        return self.inner.changes_since(watermark)

    def watermark(self) -> str:
        return self.inner.watermark()

    def save_entity(self, entity_id: str | None, data: EntityJson, *, base_revid: int | None, summary: str,
                    new: Literal["item", "property"] = "item") -> EntityOutcome:
        outcome = self.inner.save_entity(entity_id, data, base_revid=base_revid, summary=summary, new=new)
        if isinstance(outcome, EntitySaved):  # a Patched answer is built on a stale base: not kept
            self._keep(outcome.id, outcome.revid, outcome.entity)
        return outcome

    def find_by_label(self, label: str, *, entity_type: Literal["item", "property"],
                      language: str = "en") -> list[str]:
        return self.inner.find_by_label(label, entity_type=entity_type, language=language)

    def _keep(self, entity_id: str, revid: int, data: EntityJson) -> None:
        self.gone.discard(entity_id)
        previous = self.seen.get(entity_id)
        if previous is None or int(previous.get("lastrevid", 0)) <= revid:
            self.seen[entity_id] = with_revision(data, revid)
