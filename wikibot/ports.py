"""The ports: what the jobs need from the outside world, as Protocols.

Every port has a local implementation (the workspace, used when nothing is configured)
and a live one; one shared test suite runs against each, so they cannot drift apart.
Expected outcomes of a write are values (``Saved``, ``NoChange``, ``EditConflict``), not
exceptions: a conflict is part of a normal run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal, Protocol, runtime_checkable

from .errors import EntityStoreError as EntityStoreError  # re-exported: the errors the ports raise
from .errors import PageStoreError as PageStoreError
from .errors import QueryEndpointError as QueryEndpointError
from .errors import QueryError as QueryError
from .errors import StateStoreError as StateStoreError
from .wikibase.entity import EntityJson as EntityJson  # re-exported: the ports speak it


@dataclass(frozen=True)
class Page:
    """A page's text as of one revision."""

    title: str
    text: str
    revid: int
    timestamp: str  # ISO 8601 UTC, as MediaWiki gives it: 2026-11-21T07:17:39Z
    sha1: str  # of the text, as MediaWiki's rvprop=sha1 (``text_sha1``)


def text_sha1(text: str) -> str:
    """A text's SHA-1 as MediaWiki's ``rvprop=sha1`` gives it: hex, of the UTF-8 bytes."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


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


@dataclass(frozen=True)
class Refused:
    """The wiki refused the save (a protected page, an abuse or spam filter, a blocked account, a
    read-only wiki): nothing was written.  ``code`` and ``info`` are the wiki's."""

    code: str
    info: str

    def __str__(self) -> str:
        return f"the wiki refused the edit: {self.code}: {self.info}"


@dataclass(frozen=True)
class Simulated:
    """Not sent: pywikibot's ``simulate`` is on (``user-config.py``), so nothing was written.  A
    job says "simulated" and records nothing for it: the next real run writes it."""


SaveOutcome = Saved | NoChange | EditConflict | Denied | Refused | Simulated



@dataclass(frozen=True)
class Version:
    """One revision of a page or entity: its id, and the SHA-1 of its text where the store gives it."""

    revid: int
    sha1: str | None = None


@dataclass(frozen=True)
class Changes:
    """What may have changed on a wiki since a watermark: the current version of each page or entity
    that may have moved (None: it does not exist now), and the watermark to ask from next time.  One
    not listed has not changed since; one listed may be unchanged all the same (an own write, listed
    with the revision it made): the caller compares.  A store answers None instead when it cannot
    tell (no watermark, or one older than the wiki remembers): then everything is read."""

    versions: dict[str, Version | None]
    watermark: str


@runtime_checkable
class PageStore(Protocol):
    def fetch_pages(self, titles: Sequence[str]) -> dict[str, Page | None]:
        """The current revision of each title; None for a page that does not exist."""
        ...

    def changes_since(self, watermark: str | None, titles: Sequence[str]) -> Changes | None:
        """Which of ``titles`` may have changed since ``watermark`` (see ``Changes``)."""
        ...

    def watermark(self) -> str:
        """This moment: what ``changes_since`` asks from to see every change made after now."""
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
class EntityInfo:
    """What ``wbgetentities&props=info`` says of an entity: its revision and when it was made."""

    id: str
    revid: int
    modified: str  # ISO 8601 UTC: 2026-12-01T07:04:10Z


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


EntityOutcome = EntitySaved | Patched | NoChange | EntityConflict | Rejected | Simulated



@runtime_checkable
class EntityStore(Protocol):
    def fetch_entities(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        """The current revision of each id (None: no such entity), as few requests as possible."""
        ...

    def fetch_info(self, ids: Sequence[str]) -> dict[str, EntityInfo | None]:
        """The current revision of each id and its time, without the entity's content (None: no
        such entity): what changed can be told for a few bytes an entity."""
        ...

    def changes_since(self, watermark: str | None) -> Changes | None:
        """The entities that may have changed since ``watermark`` (see ``Changes``)."""
        ...

    def watermark(self) -> str:
        """This moment: what ``changes_since`` asks from to see every change made after now."""
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
    # ``fields`` as the state stores them (``canonical``), when read from it: not parsed again
    stored_fields: str | None = field(default=None, compare=False, repr=False)

    @cached_property
    def canonical(self) -> str:
        """``fields`` as canonical JSON (sorted keys, not ASCII-escaped): the form the state stores."""
        return self.stored_fields if self.stored_fields is not None else canonical_json(self.fields)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)



@runtime_checkable
class StateStore(Protocol):
    def entries(self) -> dict[str, SyncedEntry]:
        """Every synced entry, by registry id."""
        ...

    def record(self, entry: SyncedEntry) -> None:
        """Keep ``entry`` (replacing the one with its registry id), durably, before returning;
        ends its pending creation, if any."""
        ...

    def begin_create(self, registry_id: str) -> None:
        """Note, durably, that an item is about to be created for ``registry_id``."""
        ...

    def end_create(self, registry_id: str) -> None:
        """The creation was refused: nothing was created."""
        ...

    def pending_creates(self) -> set[str]:
        """Registry ids whose creation began but whose item was never recorded (a crash, a lost answer)."""
        ...

    def knows_every_item(self, registry_property: str) -> bool:
        """True when every item holding ``registry_property`` was created or found through this state."""
        ...

    def note_knows_every_item(self, registry_property: str) -> None:
        """From now on ``knows_every_item(registry_property)``: the property was created here, or a
        sync looked every entry up."""
        ...

    def item_revisions(self, items: Sequence[str]) -> dict[str, int]:
        """Of ``items``, those the state knows as an entry's item, with the revision last synced."""
        ...

    def cached(self, kind: str, keys: Sequence[str] | None = None) -> dict[str, bytes]:
        """What the sync kept of ``kind`` (pages as read, parses, plans...), by key; every key when
        ``keys`` is None.  A cache: anything may be missing, and nothing in it is ever the only copy."""
        ...

    def cache(self, kind: str, values: Mapping[str, bytes | None], *, replace_all: bool = False) -> None:
        """Keep ``values`` of ``kind`` (None: forget that key); ``replace_all``: forget the others too."""
        ...

    def start_run(self, job: str, *, dry_run: bool) -> int:
        """Open a run in the run log; returns its id."""
        ...

    def finish_run(self, run_id: int, *, outcome: str, counts: dict[str, int], error: str | None = None,
                   attention: str | None = None) -> None:
        """Close a run: ``outcome`` ok / problems / blocked / failed, with what it did; ``attention``: a
        digest of what needs a person after it (the same digest twice: nothing new)."""
        ...

    def runs(self, job: str | None = None) -> list[dict[str, Any]]:
        """The run log, oldest first: id, job, dry_run, started, finished, outcome, counts, error,
        attention."""
        ...


# -- SPARQL ------------------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_INTEGERS = frozenset(XSD + name for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
_XSD_FLOATS = frozenset(XSD + name for name in ("double", "float"))


@dataclass(frozen=True)
class RdfTerm:
    """One value bound in a SPARQL result, as in the SPARQL 1.1 JSON results format.

    A plain string literal has neither ``language`` nor ``datatype`` (``xsd:string`` and
    ``rdf:langString`` are implied, and endpoints differ in whether they say so).
    """

    kind: Literal["uri", "literal", "bnode"]
    value: str
    language: str | None = None
    datatype: str | None = None

    def to_python(self) -> str | int | float | bool | Decimal:
        """The value as Python: int for the xsd integer types, Decimal for xsd:decimal, float for
        xsd:double/float, bool for xsd:boolean, else the lexical form (an IRI, a date as written)."""
        if self.kind != "literal" or self.datatype is None:
            return self.value
        try:
            if self.datatype in _XSD_INTEGERS:
                return int(self.value)
            if self.datatype == XSD + "decimal":
                return Decimal(self.value)
            if self.datatype in _XSD_FLOATS:
                return float(self.value)
        except (ValueError, ArithmeticError):
            return self.value  # an ill-typed literal stays as written
        if self.datatype == XSD + "boolean" and self.value in ("true", "false", "1", "0"):
            return self.value in ("true", "1")
        return self.value

    def to_ntriples(self) -> str:
        """The term as N-Triples writes it: ``<iri>``, ``_:b0``, ``"x"@en``, ``"1"^^<…#integer>``."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        escaped = (self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r"))
        if self.language is not None:
            return f'"{escaped}"@{self.language}'
        if self.datatype is not None:
            return f'"{escaped}"^^<{self.datatype}>'
        return f'"{escaped}"'

    @classmethod
    def from_json(cls, term: dict[str, Any]) -> RdfTerm:
        """A term from its SPARQL 1.1 JSON results form (also the older ``typed-literal``)."""
        kind = term.get("type")
        value = term.get("value")
        if not isinstance(value, str):
            raise ValueError(f"an RDF term without a string value: {term!r}")
        if kind == "uri" or kind == "bnode":
            return cls(kind, value)
        if kind in ("literal", "typed-literal"):
            language = term.get("xml:lang") or None
            datatype = term.get("datatype") or None
            if language is not None or datatype in (_XSD_STRING, _RDF_LANG_STRING):
                datatype = None
            return cls("literal", value, language=language, datatype=datatype)
        raise ValueError(f"an RDF term of unknown type {kind!r} (triple terms are not supported)")


@dataclass(frozen=True)
class SelectResult:
    """The answer to a SELECT query: the projected variables, and one row per solution with the
    variables bound in it (an unbound variable is absent from its row)."""

    variables: tuple[str, ...]
    rows: tuple[dict[str, RdfTerm], ...]

    @classmethod
    def from_json(cls, answer: dict[str, Any]) -> SelectResult:
        """Parse a SPARQL 1.1 JSON results document (``application/sparql-results+json``)."""
        try:
            variables = tuple(str(name) for name in answer["head"]["vars"])
            bindings = answer["results"]["bindings"]
            rows = tuple({name: RdfTerm.from_json(term) for name, term in binding.items()} for binding in bindings)
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a SPARQL JSON SELECT result: {error!r}") from error
        return cls(variables=variables, rows=rows)

    def values(self, variable: str) -> list[str | int | float | bool | Decimal | None]:
        """The Python value of ``variable`` in each row (None where unbound)."""
        return [row[variable].to_python() if variable in row else None for row in self.rows]




@runtime_checkable
class QueryEndpoint(Protocol):
    def select(self, query: str) -> SelectResult:
        """Run a SPARQL SELECT query; QueryError for a bad query, QueryEndpointError when no answer comes."""
        ...


@runtime_checkable
class QueryStore(QueryEndpoint, Protocol):
    """A query endpoint the bot keeps current itself (the embedded store): one entity's triples
    replaced at a time, triples shared between entities (reference and value nodes) kept once."""

    def replace_entity(self, entity: str, triples: Iterable[Any], shared: Iterable[Any] = ()) -> None:
        """Make ``triples`` all that the entity with IRI ``entity`` contributes."""
        ...

    def remove_entity(self, entity: str) -> None:
        ...

    def clear(self) -> None:
        ...

    def flush(self) -> None:
        ...

