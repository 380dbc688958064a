"""The sync state in SQLite (stdlib ``sqlite3``): the merge base of every entry, and a run log.

One row per entry, written in its own transaction right after each successful write to a
page or an item, so a crash at any moment loses at most the write in flight (which the next
run finds again: by the state's item id, or by label and registry id).  The database is in
WAL mode with ``synchronous=FULL``: a committed row survives a power cut.

Tables::

    entries(registry_id PRIMARY KEY, item, page, fields JSON, page_revid, entity_revid, synced_at)
    runs(id, job, dry_run, started, finished, outcome, counts JSON, error)
    creating(registry_id PRIMARY KEY, started)    -- an item creation begun, its result not yet recorded
    complete(property PRIMARY KEY, since)         -- every item holding this registry-id property is known here
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..ports import StateStoreError, SyncedEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    registry_id TEXT PRIMARY KEY,
    item TEXT NOT NULL,
    page TEXT NOT NULL,
    fields TEXT NOT NULL,
    page_revid INTEGER NOT NULL,
    entity_revid INTEGER NOT NULL,
    synced_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_item ON entries (item);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    outcome TEXT,
    counts TEXT,
    error TEXT,
    attention TEXT
);
CREATE TABLE IF NOT EXISTS creating (
    registry_id TEXT PRIMARY KEY,
    started TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS complete (
    property TEXT PRIMARY KEY,
    since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cache (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (kind, key)
);
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SqliteStateStore:
    """``StateStore`` in one SQLite file (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=FULL")
                connection.executescript(SCHEMA)
                columns = {row[1] for row in connection.execute("PRAGMA table_info(runs)")}
                if "attention" not in columns:  # a state made by an earlier version
                    connection.execute("ALTER TABLE runs ADD COLUMN attention TEXT")
            except (OSError, sqlite3.Error) as error:
                raise StateStoreError(f"cannot open the sync state {self.path}: {error}", self.path) from error
            self._connection = connection
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def entries(self) -> dict[str, SyncedEntry]:
        rows = self._read("SELECT registry_id, item, page, fields, page_revid, entity_revid FROM entries")
        return {row[0]: SyncedEntry(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[3]) for row in rows}

    def record(self, entry: SyncedEntry) -> None:
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (entry.registry_id, entry.item, entry.page,
                     entry.canonical,
                     entry.page_revid, entry.entity_revid, _now()),
                )
                db.execute("DELETE FROM creating WHERE registry_id = ?", (entry.registry_id,))
        except sqlite3.Error as error:
            raise StateStoreError(f"cannot write the sync state {self.path}: {error}", self.path) from error

    def begin_create(self, registry_id: str) -> None:
        self._write("INSERT OR REPLACE INTO creating VALUES (?, ?)", (registry_id, _now()))

    def end_create(self, registry_id: str) -> None:
        self._write("DELETE FROM creating WHERE registry_id = ?", (registry_id,))

    def pending_creates(self) -> set[str]:
        return {row[0] for row in self._read("SELECT registry_id FROM creating")}

    def knows_every_item(self, registry_property: str) -> bool:
        return bool(self._read("SELECT 1 FROM complete WHERE property = ?", (registry_property,)))

    def note_knows_every_item(self, registry_property: str) -> None:
        self._write("INSERT OR IGNORE INTO complete VALUES (?, ?)", (registry_property, _now()))

    def _read(self, query: str, parameters: tuple[Any, ...] = (), what: str = "sync state") -> list[tuple[Any, ...]]:
        try:
            return self._db().execute(query, parameters).fetchall()
        except sqlite3.Error as error:
            raise StateStoreError(f"cannot read the {what} {self.path}: {error}", self.path) from error

    def _write(self, query: str, parameters: tuple[str, ...]) -> None:
        try:
            with self._transaction() as db:
                db.execute(query, parameters)
        except sqlite3.Error as error:
            raise StateStoreError(f"cannot write the sync state {self.path}: {error}", self.path) from error

    def item_revisions(self, items: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        wanted = list(dict.fromkeys(items))
        for start in range(0, len(wanted), 500):  # SQLite's limit on parameters
            batch = wanted[start:start + 500]
            rows = self._read(f"SELECT item, entity_revid FROM entries WHERE item IN ({','.join('?' * len(batch))})",
                              tuple(batch))
            found.update({str(item): int(revid) for item, revid in rows})
        return found

    def cached(self, kind: str, keys: Sequence[str] | None = None) -> dict[str, bytes]:
        if keys is None:
            rows = self._read("SELECT key, value FROM cache WHERE kind = ?", (kind,), "sync cache")
            return {str(key): bytes(value) for key, value in rows}
        found: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 500):  # SQLite's limit on parameters
            batch = wanted[start:start + 500]
            rows = self._read(f"SELECT key, value FROM cache WHERE kind = ? AND key IN ({','.join('?' * len(batch))})",
                              (kind, *batch), "sync cache")
            found.update({str(key): bytes(value) for key, value in rows})
        return found

    def cache(self, kind: str, values: Mapping[str, bytes | None], *, replace_all: bool = False) -> None:
        try:
            with self._transaction() as db:
                if replace_all:
                    db.execute("DELETE FROM cache WHERE kind = ?", (kind,))
                db.executemany("DELETE FROM cache WHERE kind = ? AND key = ?",
                               [(kind, key) for key, value in values.items() if value is None])
                db.executemany("INSERT OR REPLACE INTO cache VALUES (?, ?, ?)",
                               [(kind, key, value) for key, value in values.items() if value is not None])
        except sqlite3.Error as error:
            raise StateStoreError(f"cannot write the sync cache {self.path}: {error}", self.path) from error

    def start_run(self, job: str, *, dry_run: bool) -> int:
        try:
            with self._transaction() as db:
                cursor = db.execute("INSERT INTO runs (job, dry_run, started) VALUES (?, ?, ?)",
                                    (job, int(dry_run), _now()))
                return int(cursor.lastrowid or 0)
        except sqlite3.Error as error:
            raise StateStoreError(f"cannot write the run log {self.path}: {error}", self.path) from error

    def finish_run(self, run_id: int, *, outcome: str, counts: dict[str, int], error: str | None = None,
                   attention: str | None = None) -> None:
        try:
            with self._transaction() as db:
                db.execute("UPDATE runs SET finished = ?, outcome = ?, counts = ?, error = ?, attention = ? "
                           "WHERE id = ?",
                           (_now(), outcome, json.dumps(counts, sort_keys=True), error, attention, run_id))
        except sqlite3.Error as problem:
            raise StateStoreError(f"cannot write the run log {self.path}: {problem}", self.path) from problem

    def runs(self, job: str | None = None) -> list[dict[str, Any]]:
        """The run log, oldest first (for the heartbeat and ``health``)."""
        query = "SELECT id, job, dry_run, started, finished, outcome, counts, error, attention FROM runs"
        rows = self._read(query + (" WHERE job = ?" if job else "") + " ORDER BY id", (job,) if job else (), "run log")
        keys = ("id", "job", "dry_run", "started", "finished", "outcome", "counts", "error", "attention")
        found = [dict(zip(keys, row, strict=True)) for row in rows]
        for run in found:
            run["counts"] = json.loads(str(run["counts"])) if run["counts"] else {}
        return found

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db())


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
