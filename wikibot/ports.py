"""The ports: what the jobs need from the outside world, as Protocols.

Every port has a local implementation (the workspace, used when nothing is configured)
and a live one; one shared test suite runs against each, so they cannot drift apart.
Expected outcomes of a write are values (``Saved``, ``NoChange``, ``EditConflict``), not
exceptions: a conflict is part of a normal run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from .wikibase.entity import EntityJson as EntityJson  # re-exported: the ports speak it


@dataclass(frozen=True)
class Page:
    """A page's text as of one revision."""

    title: str
    text: str
    revid: int
    timestamp: str  # ISO 8601 UTC, as MediaWiki gives it: 2026-11-21T07:17:39Z
    sha1: str  # of the text, as MediaWiki's rvprop=sha1


@dataclass(frozen=True)
class Saved:
    revid: int
    timestamp: str


@dataclass(frozen=True)
class NoChange:
    """The text was already the wanted one: nothing was written."""


@dataclass(frozen=True)
class EditConflict:
    """The page changed since the base revision (or exists when creation was asked)."""

    current: Page | None


@dataclass(frozen=True)
class Denied:
    """The page opts out of this bot (``{{nobots}}``, ``{{bots|deny=…}}``): nothing was written."""

    reason: str


SaveOutcome = Saved | NoChange | EditConflict | Denied


class PageStoreError(Exception):
    """A page store that cannot do its work at all (unreadable, misconfigured)."""


@runtime_checkable
class PageStore(Protocol):
    def fetch_pages(self, titles: Sequence[str]) -> dict[str, Page | None]:
        """The current revision of each title; None for a page that does not exist."""
        ...

    def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        """Save ``text`` on top of ``base`` (None: create a page that must not exist yet).

        ``EditConflict`` when the page moved on since ``base``; ``NoChange`` when the text
        equals the current text; ``Denied`` when the current text excludes this bot
        (``{{nobots}}``, ``{{bots|deny=…}}``, see ``wikitext/bots.py``).
        """
        ...


# -- Wikibase entities ------------------------------------------------------------------------



@dataclass(frozen=True)
class Entity:
    """An entity as of one revision: its id, revision and JSON (as ``wbgetentities`` gives it)."""

    id: str
    revid: int
    data: EntityJson


@dataclass(frozen=True)
class EntitySaved:
    """Written: ``entity`` is what the Wikibase answered (the new revision)."""

    id: str
    revid: int
    entity: EntityJson


@dataclass(frozen=True)
class Patched:
    """Written on a stale base, merged by Wikibase (``wikibase-conflict-patched``).

    The entity Wikibase answered is built from the stale revision: re-read before trusting it.
    """

    id: str
    revid: int


@dataclass(frozen=True)
class EntityConflict:
    """The entity changed since ``base_revid`` in a way Wikibase cannot patch: nothing written."""

    id: str
    info: str


@dataclass(frozen=True)
class Rejected:
    """Wikibase refused the data (a validation error): nothing written. ``code`` is the API's."""

    code: str
    info: str


EntityOutcome = EntitySaved | Patched | NoChange | EntityConflict | Rejected


class EntityStoreError(Exception):
    """The entity store cannot do its work (unreachable after retries, logged out, misconfigured)."""


@runtime_checkable
class EntityStore(Protocol):
    def fetch_entities(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        """The current revision of each id (None: no such entity), as few requests as possible."""
        ...

    def save_entity(
        self,
        entity_id: str | None,
        data: EntityJson,
        *,
        base_revid: int | None,
        summary: str,
        new: Literal["item", "property"] = "item",
    ) -> EntityOutcome:
        """One ``wbeditentity``: ``data`` applied to ``entity_id`` on top of ``base_revid``,
        or a new entity of type ``new`` when ``entity_id`` is None."""
        ...

    def find_by_label(
        self, label: str, *, entity_type: Literal["item", "property"], language: str = "en"
    ) -> list[str]:
        """Ids of the entities whose label in ``language`` is exactly ``label``."""
        ...


# -- Sync state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncedEntry:
    """What both sides agreed on for one entry at its last sync: the base of the next merge.

    ``fields``: the entry's field values as JSON (``Entry.model_dump(mode="json")`` without
    ``item``), per field as far as each side was written; ``page``/``page_revid``: the page it
    is on and that page's revision when the entry was last written or read in agreement;
    ``entity_revid``: the item's revision likewise.
    """

    registry_id: str
    item: str
    page: str
    fields: dict[str, Any]
    page_revid: int
    entity_revid: int


class StateStoreError(Exception):
    """The sync state cannot be read or written."""


@runtime_checkable
class StateStore(Protocol):
    def entries(self) -> dict[str, SyncedEntry]:
        """Every synced entry, by registry id."""
        ...

    def record(self, entry: SyncedEntry) -> None:
        """Keep ``entry`` (replacing the one with its registry id), durably, before returning."""
        ...

    def start_run(self, job: str, *, dry_run: bool) -> int:
        """Open a run in the run log; returns its id."""
        ...

    def finish_run(self, run_id: int, *, outcome: str, counts: dict[str, int], error: str | None = None) -> None:
        """Close a run: ``outcome`` ok / problems / blocked / failed, with what it did."""
        ...

    def runs(self, job: str | None = None) -> list[dict[str, Any]]:
        """The run log, oldest first: id, job, dry_run, started, finished, outcome, counts, error."""
        ...
