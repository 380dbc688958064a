"""Fault injection: the k-th write of a run fails (at the ports), or the k-th file operation inside one.

At the ports:

``Writes`` counts the writes of one run (``save_entity`` and ``save_page`` together, in the
order the job makes them); ``FaultyEntities`` and ``FaultyPages`` wrap a store and fail the
write numbered ``fault.at``:

* ``kill-before``: the process dies before the write reaches the store (``Killed``, a
  ``BaseException``: nothing in the job may catch it, as nothing runs after a SIGKILL);
* ``kill-after``: the store accepted the write, the process dies before the caller sees the
  answer;
* ``error-before`` / ``error-after``: the store fails (``EntityStoreError``/``PageStoreError``),
  before the write landed (a refused connection) or after (an answer lost on the way back:
  the live adapters say "may or may not have been saved").

Only the one write fails; the ones after it (the heartbeat a failed run still saves) pass.

With ``interfere`` set, the ``at``-th write does not fail: ``interfere(what)`` runs just before
it (a human editing the page or item between the bot's read and its write), then the write.

Inside the writes: ``FaultyFiles`` is put in place of the local adapters' file operations
(``wikibot/adapters/files.py``: open, write, fsync, close, link, rename, unlink, fsync of the
directory), counts them in the order a run makes them, and fails the one numbered ``at``:

* ``kill``: the process dies there; a ``write`` dies half-way (half its bytes reach the file),
  and no file operation happens after it (the files it held open are closed, as the system
  closes a dead process's files);
* ``full-disk``: that operation fails with ``ENOSPC`` (a ``write`` after half its bytes), and so
  does every later one that needs space (open, write, fsync, link, rename) until the run ends;
  removing a file still works.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from wikibot.adapters import files
from wikibot.ports import (
    Changes,
    Entity,
    EntityInfo,
    EntityJson,
    EntityOutcome,
    EntityStore,
    EntityStoreError,
    Page,
    PageStore,
    PageStoreError,
    SaveOutcome,
)

T = TypeVar("T")
Mode = Literal["kill-before", "kill-after", "error-before", "error-after"]
MODES: tuple[Mode, ...] = ("kill-before", "kill-after", "error-before", "error-after")


class Killed(BaseException):
    """The process died (a SIGKILL, a power cut): not an Exception, so no handler runs."""


@dataclass
class Writes:
    """The writes of one run, counted across both stores; the ``at``-th one fails as ``mode`` says."""

    at: int | None = None
    mode: Mode = "kill-before"
    log: list[str] = field(default_factory=list)  # "entity Q12" / "page Hubs/Registry", in order
    fired: bool = False
    interfere: Callable[[str], None] | None = None

    def write(self, what: str, error: type[Exception], do: Callable[[], T]) -> T:
        self.log.append(what)
        if len(self.log) != self.at:
            return do()
        self.fired = True
        if self.interfere is not None:
            self.interfere(what)
            return do()
        if self.mode.endswith("-after"):
            do()
        if self.mode.startswith("kill"):
            raise Killed(f"killed at write {self.at} ({what}, {self.mode})")
        raise error(f"injected failure at write {self.at} ({what}, {self.mode})")


class FaultyEntities:
    """An ``EntityStore`` whose writes go through ``Writes``."""

    def __init__(self, inner: EntityStore, writes: Writes) -> None:
        self.inner = inner
        self.writes = writes

    def fetch_entities(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        return self.inner.fetch_entities(ids)

    def fetch_info(self, ids: Sequence[str]) -> dict[str, EntityInfo | None]:
        return self.inner.fetch_info(ids)

    def find_by_label(self, label: str, *, entity_type: Literal["item", "property"], language: str = "en") -> list[str]:
        return self.inner.find_by_label(label, entity_type=entity_type, language=language)

    def changes_since(self, watermark: str | None) -> Changes | None:
        return self.inner.changes_since(watermark)

    def watermark(self) -> str:
        return self.inner.watermark()

    def save_entity(self, entity_id: str | None, data: EntityJson, *, base_revid: int | None, summary: str,
                    new: Literal["item", "property"] = "item") -> EntityOutcome:
        def do() -> EntityOutcome:
            return self.inner.save_entity(entity_id, data, base_revid=base_revid, summary=summary, new=new)

        return self.writes.write(f"entity {entity_id or 'new ' + new}", EntityStoreError, do)


class FaultyPages:
    """A ``PageStore`` whose writes go through ``Writes``."""

    def __init__(self, inner: PageStore, writes: Writes) -> None:
        self.inner = inner
        self.writes = writes

    def fetch_pages(self, titles: Sequence[str]) -> dict[str, Page | None]:
        return self.inner.fetch_pages(titles)

    def changes_since(self, watermark: str | None, titles: Sequence[str]) -> Changes | None:
        return self.inner.changes_since(watermark, titles)

    def watermark(self) -> str:
        return self.inner.watermark()

    def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        def do() -> SaveOutcome:
            return self.inner.save_page(title, text, base=base, summary=summary)

        return self.writes.write(f"page {title}", PageStoreError, do)


FileFault = Literal["kill", "full-disk"]
FILE_FAULTS: tuple[FileFault, ...] = ("kill", "full-disk")
NEEDS_SPACE = frozenset({"open", "write", "fsync", "link", "rename"})


class FaultyFiles(files.FileOps):
    """The local adapters' file operations, logged; the ``at``-th one fails as ``fault`` says."""

    def __init__(self, at: int | None = None, fault: FileFault = "kill") -> None:
        self.at, self.fault = at, fault
        self.log: list[tuple[str, Path]] = []  # (operation, the file or directory it acts on), in order
        self.fired = self.dead = self.full = False

    def _is_next(self) -> bool:
        return not self.dead and len(self.log) + 1 == self.at

    def before(self, op: str, path: Path) -> None:
        if self.dead:
            raise Killed(f"a file operation after the kill ({op} {path})")
        self.log.append((op, path))
        if len(self.log) == self.at:
            self.fired = True
            if self.fault == "kill":
                self.dead = True
                raise Killed(f"killed at file operation {self.at} ({op} {path})")
            self.full = True
        if self.full and op in NEEDS_SPACE:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    def write(self, fd: int, data: bytes, path: Path) -> None:
        if self._is_next() or (self.full and not self.dead):
            os.write(fd, data[: len(data) // 2])  # torn: a part reached the file before the end
        super().write(fd, data, path)

    def close(self, fd: int, path: Path) -> None:
        if self.dead:
            os.close(fd)  # the system closes a dead process's files
        super().close(fd, path)
