"""The local entity store: a Wikibase's items and properties as files, for the embedded default.

It behaves as a real Wikibase did in the captures of ``shared/fixtures/wikibase``: one
revision per successful ``save_entity``; ``NoChange`` (no new revision) for an edit that
changes nothing; on a stale ``base_revid`` the edit is patched in (``Patched``) unless it
touches what changed since, which is an ``EntityConflict``; values of the wrong type, unknown
properties, overlong labels and label/description clashes are ``Rejected`` with the codes the
real API uses.  Statement ids, hashes and snak datatypes are filled in as Wikibase does.

Layout: ``entities/Q12.json`` holds every revision of Q12; ``entities/counters.json`` the
last ids and the last revision given out.  Writes are serialised by a lock file.

An id is never given twice, as in Wikibase, whatever happened to the files: a new entity's id
is above both the counter (which remembers the ids of deleted entities) and the highest entity
on disk (a lost, truncated, corrupt or stale ``counters.json`` is rebuilt from the files, never
trusted below them; so is the revision counter, from the highest revision in the files).  The
counter is written first (the id and revision are reserved: a crash right after it skips them)
and the entity file then, created exclusively (``files.create``: an existing file is never
replaced by a creation) or replaced atomically; so a crash or a full disk at any point leaves
every file whole, and no two creations can share an item.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from ..errors import LocalFileError
from ..ports import (
    Changes,
    Entity,
    EntityConflict,
    EntityInfo,
    EntityJson,
    EntityOutcome,
    EntitySaved,
    EntityStoreError,
    NoChange,
    Patched,
    Rejected,
    Version,
)
from ..registry.language_codes import LANGUAGE_CODES
from ..wikibase.datatypes import DATATYPE_TABLE
from . import files

MAX_TERM_LENGTH = 250
_COUNTERS = ("Q", "P", "revision")  # counters.json: the last item and property numbers, the last revision
_ENTITY_ID = re.compile(r"[QP][1-9][0-9]*")
CHANGE_LOG = "changes.log"  # one line a save: revision, entity id, time


def _offset(watermark: str | None) -> int | None:
    if watermark is None or not watermark.startswith("log:") or not watermark[4:].isdigit():
        return None
    return int(watermark[4:])


def _language_known(code: str) -> bool:
    """The language codes MediaWiki knows: what a Wikibase takes for terms."""
    return code in LANGUAGE_CODES


class _RefusedError(Exception):
    def __init__(self, code: str, info: str) -> None:
        super().__init__(info)
        self.code, self.info = code, info


def _hash(value: Any) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LocalEntityStore:
    """``EntityStore`` over ``DIR/entities``."""

    def __init__(self, root: Path) -> None:
        self.dir = Path(root) / "entities"
        self._datatypes: dict[str, str] = {}  # a property's datatype never changes in Wikibase
        # (type letter, language, label) -> ids: Wikibase's term index.  Built once from the files,
        # kept up to date by this instance's saves, rebuilt when another process saved since.
        self._labels: dict[tuple[str, str, str], set[str]] = {}
        self._labels_revision: int | None = None
        # The highest item and property numbers and revision seen in the files or given out by this
        # instance: a floor under counters.json, which may be lost, damaged or stale.
        self._known = dict.fromkeys(_COUNTERS, 0)

    # -- files -------------------------------------------------------------------------
    def _path(self, entity_id: str) -> Path:
        if not _ENTITY_ID.fullmatch(entity_id):
            raise EntityStoreError(f"{entity_id!r} is not an entity id")
        return self.dir / f"{entity_id}.json"

    def _history(self, entity_id: str) -> list[dict[str, Any]]:
        path = self._path(entity_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            raise LocalFileError(f"cannot read entity {entity_id} from {path}: {error}", path) from error
        if not (isinstance(data, list) and data and all(
                isinstance(r, dict) and type(r.get("revid")) is int and isinstance(r.get("entity"), dict)
                for r in data)):
            raise LocalFileError(f"cannot read entity {entity_id} from {path}: not a list of revisions", path)
        return data

    def _counters(self) -> dict[str, int] | None:
        """What ``counters.json`` holds; None when it is missing or cannot be used (it is rebuilt from
        the files then: it only ever adds a floor to what they say)."""
        try:
            data = json.loads((self.dir / "counters.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (isinstance(data, dict) and all(type(data.get(k)) is int and data[k] >= 0 for k in _COUNTERS)):
            return None
        return {k: data[k] for k in _COUNTERS}

    def _store(self, path: Path, text: str, *, create: bool) -> None:
        """Write one file of the store: created exclusively (``FileExistsError`` when it exists) or
        replaced atomically; any other failure is a ``LocalFileError`` naming the file."""
        try:
            (files.create if create else files.replace)(path, text.encode("utf-8"))
        except FileExistsError:
            raise  # a creation on an existing file: the caller takes another id
        except OSError as error:
            raise files.unusable(path, error) from error

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        path = self.dir / ".lock"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            lock = open(path, "a")  # held for the block, closed below
        except OSError as error:
            raise files.unusable(path, error, "open the lock file") from error
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def entity_ids(self) -> list[str]:
        """Every entity in the store (items and properties)."""
        if not self.dir.is_dir():
            return []
        ids = [p.stem for p in self.dir.glob("*.json") if _ENTITY_ID.fullmatch(p.stem)]
        return sorted(ids, key=lambda i: (i[0], int(i[1:])))

    # -- the port ----------------------------------------------------------------------
    def fetch_entities(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        result: dict[str, Entity | None] = {}
        for entity_id in ids:
            history = self._history(entity_id)
            if history:
                last = history[-1]
                result[entity_id] = Entity(entity_id, last["revid"], copy.deepcopy(last["entity"]))
            else:
                result[entity_id] = None
        return result

    def fetch_info(self, ids: Sequence[str]) -> dict[str, EntityInfo | None]:
        found = self.fetch_entities(ids)
        return {i: None if e is None else EntityInfo(i, e.revid, str(e.data.get("modified", "")))
                for i, e in found.items()}

    def changes_since(self, watermark: str | None) -> Changes | None:
        """The entities saved since ``watermark`` (a place in ``changes.log``, which every save adds a
        line to before it writes the entity), with their revisions now; None without a watermark, or
        with one the log does not reach (then everything is read)."""
        offset = _offset(watermark)
        if offset is None:
            return None
        found = self.log_since(offset)
        if found is None:
            return None
        lines, end = found
        ids = {fields[1] for line in lines if len(fields := line.split("\t")) >= 2 and _ENTITY_ID.fullmatch(fields[1])}
        current = self.fetch_entities(sorted(ids)) if ids else {}
        return Changes({i: None if e is None else Version(e.revid) for i, e in current.items()}, f"log:{end}")

    def watermark(self) -> str:
        """Where the change log ends now: ``changes_since`` from here lists what is saved after."""
        found = self.log_since(0)
        return f"log:{found[1] if found is not None else 0}"

    def log_since(self, offset: int) -> tuple[list[str], int] | None:
        """The lines of the change log after ``offset`` (a byte position), and where it ends; None
        when the log does not reach ``offset`` (lost or cut)."""
        log = self.dir / CHANGE_LOG
        try:
            with open(log, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                if offset > size:
                    return None
                handle.seek(offset)
                tail = handle.read(size - offset)
        except FileNotFoundError:
            return ([], 0) if offset == 0 else None
        except OSError as error:
            raise files.unusable(log, error, "read") from error
        return tail.decode("utf-8", "replace").splitlines(), size

    def _note_change(self, entity_id: str, revid: int, timestamp: str) -> None:
        path = self.dir / CHANGE_LOG
        try:
            files.append(path, f"{revid}\t{entity_id}\t{timestamp}\n".encode())
        except OSError as error:
            raise files.unusable(path, error) from error

    def find_by_label(
        self, label: str, *, entity_type: Literal["item", "property"], language: str = "en"
    ) -> list[str]:
        prefix = "Q" if entity_type == "item" else "P"
        found = self._label_index().get((prefix, language, label), set())
        return sorted(found, key=lambda i: int(i[1:]))

    def _label_index(self) -> dict[tuple[str, str, str], set[str]]:
        self._current()
        return self._labels

    def _current(self) -> dict[str, int]:
        """The last ids and revision given out: counters.json, never below what exists.

        The files are read again (the label index rebuilt, the floor taken) on first use, when
        another process saved since (the revision moved), and whenever counters.json cannot be used.
        """
        recorded = self._counters()
        if recorded is None or self._labels_revision != max(recorded["revision"], self._known["revision"]):
            self._rescan()
        counters = {k: max(recorded[k] if recorded else 0, self._known[k]) for k in _COUNTERS}
        self._labels_revision = counters["revision"]
        return counters

    def _rescan(self) -> None:
        """The label index and the floor of ids and revisions, from every entity file."""
        self._labels = {}
        for entity_id in self.entity_ids():
            last = self._history(entity_id)[-1]
            self._index(entity_id, None, last["entity"])
            self._known[entity_id[0]] = max(self._known[entity_id[0]], int(entity_id[1:]))
            self._known["revision"] = max(self._known["revision"], last["revid"])

    def _index(self, entity_id: str, old: EntityJson | None, new: EntityJson) -> None:
        for entity, add in ((old, False), (new, True)):
            for lang, term in (entity or {}).get("labels", {}).items():
                key = (entity_id[0], lang, term["value"])
                if add:
                    self._labels.setdefault(key, set()).add(entity_id)
                else:
                    self._labels.get(key, set()).discard(entity_id)
    def save_entity(
        self, entity_id: str | None, data: EntityJson, *, base_revid: int | None, summary: str,
        new: Literal["item", "property"] = "item",
    ) -> EntityOutcome:
        with self._locked():
            try:
                return self._save(entity_id, data, base_revid=base_revid, summary=summary, new=new)
            except FileExistsError:  # an entity neither the counter nor the index knew (put there by
                self._labels_revision = None  # hand?): read everything again, then take the next id
            try:
                return self._save(entity_id, data, base_revid=base_revid, summary=summary, new=new)
            except FileExistsError as error:
                raise LocalFileError(f"cannot create an entity in {self.dir}: {error.filename} exists though "
                                     "no id was given out for it; nothing was overwritten", self.dir) from None

    def _save(self, entity_id: str | None, data: EntityJson, *, base_revid: int | None, summary: str,
              new: Literal["item", "property"]) -> EntityOutcome:
        counters = self._current()
        creating = entity_id is None
        try:
            if entity_id is None:
                prefix = "Q" if new == "item" else "P"
                entity_id = f"{prefix}{counters[prefix] + 1}"
                current: EntityJson = {"type": new, "id": entity_id, "labels": {}, "descriptions": {},
                                       "aliases": {}, "claims": {}}
                if new == "property":
                    if data.get("datatype") not in DATATYPE_TABLE:
                        raise _RefusedError("invalid-property-type", f"unknown datatype {data.get('datatype')!r}")
                    current["datatype"] = data["datatype"]
                history: list[dict[str, Any]] = []
                patched = False
                counters[prefix] += 1
            else:
                if not _ENTITY_ID.fullmatch(entity_id):
                    raise _RefusedError("invalid-entity-id", "Invalid entity ID.")
                history = self._history(entity_id)
                if not history:
                    raise _RefusedError("no-such-entity", f"Could not find an entity with the ID {entity_id}")
                current = copy.deepcopy(history[-1]["entity"])
                patched = False
                if base_revid is not None and base_revid != history[-1]["revid"]:
                    base = next((h["entity"] for h in history if h["revid"] == base_revid), None)
                    if base is None:
                        raise _RefusedError("nosuchrevid", f"There is no revision with ID {base_revid}")
                    if _touches(data, _changed_since(base, current)):
                        return EntityConflict(entity_id, "Edit conflict. Could not patch the current revision.")
                    patched = True
            updated = self._apply(entity_id, current, data)
        except _RefusedError as refused:
            return Rejected(refused.code, refused.info)
        if history and _content(updated) == _content(history[-1]["entity"]):
            return NoChange()
        # Revisions only increase: above the counter, every file, and this entity's own last one.
        revid = max(counters["revision"], history[-1]["revid"] if history else 0) + 1
        counters["revision"] = revid
        updated["lastrevid"] = revid
        updated["modified"] = _now()
        history.append({"revid": revid, "summary": summary, "entity": updated})
        # The id and the revision are reserved first: a crash after this skips them, never gives them again.
        self._store(self.dir / "counters.json", json.dumps(counters), create=False)
        self._known = {k: max(self._known[k], counters[k]) for k in _COUNTERS}
        # Then noted in the change log (a crash from here: the entity is looked at, and found unchanged).
        self._note_change(entity_id, revid, updated["modified"])
        self._store(self._path(entity_id), json.dumps(history, ensure_ascii=False), create=creating)
        self._index(entity_id, history[-2]["entity"] if len(history) > 1 else None, updated)
        self._labels_revision = revid
        if patched:
            return Patched(entity_id, revid)
        return EntitySaved(entity_id, revid, copy.deepcopy(updated))

    # -- applying wbeditentity data --------------------------------------------------------
    def _datatype(self, prop: str) -> str:
        if prop not in self._datatypes:
            history = self._history(prop) if re.fullmatch(r"P[1-9][0-9]*", str(prop)) else []
            if not history:
                raise _RefusedError("modification-failed", f"Property {prop} not found")
            self._datatypes[prop] = str(history[-1]["entity"]["datatype"])
        return self._datatypes[prop]

    def _apply(self, entity_id: str, entity: EntityJson, data: EntityJson) -> EntityJson:
        for key in ("labels", "descriptions"):
            for lang, term in data.get(key, {}).items():
                if not _language_known(lang):
                    raise _RefusedError("not-recognized-language",
                                        f"The supplied language code \"{lang}\" was not recognized.")
                value = term.get("value", "")
                if "remove" in term or value == "":
                    entity[key].pop(lang, None)
                elif len(value) > MAX_TERM_LENGTH:
                    raise _RefusedError("modification-failed", f"{key[:-1].capitalize()} must be no more "
                                        f"than {MAX_TERM_LENGTH} characters long")
                else:
                    entity[key][lang] = {"language": lang, "value": value}
        for lang, aliases in data.get("aliases", {}).items():
            # As Wikibase's ApiEditEntity: aliases without "add"/"remove" replace the language's.
            given = [a for a in aliases if "add" not in a and "remove" not in a]
            kept = [{"language": lang, "value": a["value"]} for a in given] if given else [
                a for a in entity["aliases"].get(lang, [])]
            for alias in aliases:
                if "remove" in alias:
                    kept = [a for a in kept if a["value"] != alias["value"]]
                elif "add" in alias and alias["value"] not in [a["value"] for a in kept]:
                    kept.append({"language": lang, "value": alias["value"]})
            kept = list({a["value"]: a for a in kept}.values())
            entity["aliases"][lang] = kept
            if not kept:
                entity["aliases"].pop(lang)
        claims = data.get("claims", [])
        if isinstance(claims, dict):
            claims = [s for statements in claims.values() for s in statements]
        for statement in claims:
            self._apply_statement(entity_id, entity, statement)
        self._check_terms(entity_id, entity)
        return entity

    def _apply_statement(self, entity_id: str, entity: EntityJson, statement: dict[str, Any]) -> None:
        statement_id = statement.get("id")
        located = None
        if statement_id:
            for prop, statements in entity["claims"].items():
                for index, existing in enumerate(statements):
                    if existing["id"] == statement_id:
                        located = (prop, index)
            if located is None:
                raise _RefusedError("modification-failed", f"Statement {statement_id} not found")
        if "remove" in statement:
            assert located is not None
            prop, index = located
            entity["claims"][prop].pop(index)
            if not entity["claims"][prop]:
                entity["claims"].pop(prop)
            return
        stored = {
            "mainsnak": self._snak(statement["mainsnak"]),
            "type": "statement",
            "id": statement_id or f"{entity_id}${str(uuid.uuid4()).upper()}",
            "rank": statement.get("rank", "normal"),
        }
        if statement.get("qualifiers"):
            stored["qualifiers"] = {p: [self._snak(q) for q in qs] for p, qs in statement["qualifiers"].items()}
            stored["qualifiers-order"] = statement.get("qualifiers-order", list(stored["qualifiers"]))
        if statement.get("references"):
            stored["references"] = []
            for reference in statement["references"]:
                snaks = {p: [self._snak(s) for s in ss] for p, ss in reference["snaks"].items()}
                stored["references"].append({"hash": _hash(snaks), "snaks": snaks,
                                             "snaks-order": reference.get("snaks-order", list(snaks))})
        prop = stored["mainsnak"]["property"]
        if located is not None:
            old_prop, index = located
            if old_prop != prop:
                raise _RefusedError("modification-failed", "A statement's property cannot be changed")
            entity["claims"][prop][index] = stored
        else:
            entity["claims"].setdefault(prop, []).append(stored)

    def _snak(self, snak: dict[str, Any]) -> dict[str, Any]:
        prop = str(snak.get("property"))
        datatype = self._datatype(prop)
        stored: dict[str, Any] = {"snaktype": snak.get("snaktype", "value"), "property": prop}
        if stored["snaktype"] == "value":
            datavalue = snak.get("datavalue", {})
            spec = DATATYPE_TABLE[datatype]
            expected = spec.json_type
            if datavalue.get("type") != expected:
                raise _RefusedError("modification-failed",
                               f"Bad value type {datavalue.get('type')}, expected {expected}")
            refusal = spec.refuse(datavalue.get("value"))
            if refusal is not None:
                raise _RefusedError("modification-failed", refusal)
            stored["datavalue"] = {"value": datavalue["value"], "type": expected}
        stored["hash"] = _hash(stored)
        stored["datatype"] = datatype
        return stored

    def _check_terms(self, entity_id: str, entity: EntityJson) -> None:
        """Wikibase refuses two items with the same label and description in a language,
        and two properties with the same label."""
        prefix = entity_id[0]
        for lang, label in entity["labels"].items():
            if entity["descriptions"].get(lang, {}).get("value") == label["value"]:
                raise _RefusedError("modification-failed", f"Label and description for language code {lang} can "
                                                           "not have the same value.")
        index = self._label_index()
        for lang, label in entity["labels"].items():
            for other_id in sorted(index.get((prefix, lang, label["value"]), set()) - {entity_id}):
                other = self._history(other_id)[-1]["entity"]
                same_label = other.get("labels", {}).get(lang, {}).get("value") == label["value"]
                if prefix == "P" and same_label:
                    raise _RefusedError("failed-save", f"Property {other_id} already has label "
                                                  f"\"{label['value']}\" associated with language code {lang}.")
                description = entity["descriptions"].get(lang, {}).get("value")
                if (prefix == "Q" and same_label and description is not None
                        and other.get("descriptions", {}).get(lang, {}).get("value") == description):
                    raise _RefusedError("modification-failed", f"Item {other_id} already has label "
                                   f"\"{label['value']}\" associated with language code {lang}, "
                                   "using the same description text.")


def _content(entity: EntityJson) -> EntityJson:
    return {k: v for k, v in entity.items() if k not in ("lastrevid", "modified")}


def _changed_since(base: EntityJson, current: EntityJson) -> set[tuple[str, str]]:
    """What changed between two revisions: ("labels", lang), ("claim", statement id)..."""
    changed: set[tuple[str, str]] = set()
    for key in ("labels", "descriptions", "aliases"):
        for lang in set(base.get(key, {})) | set(current.get(key, {})):
            if base.get(key, {}).get(lang) != current.get(key, {}).get(lang):
                changed.add((key, lang))
    def statements(entity: EntityJson) -> dict[str, Any]:
        return {s["id"]: s for ss in entity.get("claims", {}).values() for s in ss}
    before, after = statements(base), statements(current)
    for statement_id in set(before) | set(after):
        if before.get(statement_id) != after.get(statement_id):
            changed.add(("claim", statement_id))
    return changed


def _touches(data: EntityJson, changed: set[tuple[str, str]]) -> bool:
    for key in ("labels", "descriptions", "aliases"):
        if any((key, lang) in changed for lang in data.get(key, {})):
            return True
    claims = data.get("claims", [])
    if isinstance(claims, dict):
        claims = [s for ss in claims.values() for s in ss]
    return any(s.get("id") and ("claim", s["id"]) in changed for s in claims)
