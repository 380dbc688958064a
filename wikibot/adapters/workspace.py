"""The local workspace: pages as files, with revision ids, for the embedded default.

Layout of a workspace directory::

    wikibot.toml              optional configuration (see settings.py)
    pages/Hubs/Registry.wiki  the text of page "Hubs/Registry", UTF-8, bytes as saved
    state/pages.json          revision id, sha1 and timestamp of each page as last saved
    state/edits.jsonl         one line per save: title, revid, timestamp, summary

Files may be edited by hand: a page whose text no longer matches its recorded sha1 is
reported as a newer revision, so a save based on the older one gets an edit conflict,
as it would on a wiki.  Reading never writes.  Saves are serialised by a lock file, so two
processes cannot interleave a check and a write.

A save writes the page (atomically: ``files.replace``), then its record in ``pages.json``
(atomically), then its line in the edits log (flushed): a crash or a full disk between two
of these leaves a page whose text is new and whose record is not, which reads as an edit
made outside the store (a revision of its own), never as a lost or a half-written page.  A
file that cannot be written is a ``LocalFileError`` naming it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import LocalFileError
from ..ports import (
    Changes,
    Denied,
    EditConflict,
    NoChange,
    Page,
    PageStoreError,
    Saved,
    SaveOutcome,
    Version,
    text_sha1,
)
from ..wikitext.bots import bots_denial
from . import files

PAGE_SUFFIX = ".wiki"


def normalize_title(title: str) -> str:
    """A page title as MediaWiki stores it: ``_`` = space, trimmed, first letter upper-case."""
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atomic_write(path: Path, data: str) -> None:
    """Replace ``path`` with ``data`` so that a reader sees the old or the new file, never half
    (``files.replace``; ``OSError`` when it cannot be written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    files.replace(path, data.encode("utf-8"))


def _write(path: Path, write: Callable[[Path, bytes], None], data: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path, data.encode("utf-8"))
    except OSError as error:
        raise files.unusable(path, error) from error


def _moved_on(current: Page, base: Page, records: dict[str, Any]) -> bool:
    """Whether the page changed since ``base`` was read.

    A page saved through the store is compared by revision; one that was not (bundled, or
    edited by hand) has no stable revision id (it is numbered after the store's last save,
    which other pages' saves move), so it is compared by its text.
    """
    if current.sha1 != base.sha1:
        return True
    recorded = current.revid <= records["last_revid"]
    return recorded and current.revid != base.revid


class LocalPageStore:
    """``PageStore`` over a workspace directory."""

    def __init__(self, root: Path, *, user: str = "wikibot") -> None:
        """``user``: the bot's name, for ``{{bots|deny=…}}`` on the workspace's pages."""
        self.root = Path(root)
        self.user = user
        self.pages_dir = self.root / "pages"
        self.state_dir = self.root / "state"

    # -- paths and records -------------------------------------------------------------
    def path_of(self, title: str) -> Path:
        title = normalize_title(title)
        parts = title.split("/")
        if not title or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise PageStoreError(f"{title!r} cannot be stored in a workspace")
        return self.pages_dir.joinpath(*parts[:-1], parts[-1] + PAGE_SUFFIX)

    def titles(self) -> list[str]:
        """Every page in the workspace."""
        if not self.pages_dir.is_dir():
            return []
        found = []
        for path in sorted(self.pages_dir.rglob("*" + PAGE_SUFFIX)):
            relative = path.relative_to(self.pages_dir).as_posix()
            if not any(part.startswith(".") for part in relative.split("/")):
                found.append(relative[: -len(PAGE_SUFFIX)])
        return found

    def _records(self) -> dict[str, Any]:
        path = self.state_dir / "pages.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"last_revid": 0, "pages": {}}
        except (OSError, ValueError) as error:
            raise LocalFileError(f"cannot read {path}: {error}", path) from error
        return data

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        path = self.state_dir / ".lock"
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            lock = open(path, "a")  # held for the block, closed below
        except OSError as error:
            raise files.unusable(path, error, "open the lock file") from error
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self, title: str, records: dict[str, Any]) -> Page | None:
        title = normalize_title(title)
        path = self.path_of(title)
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                text = handle.read()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise LocalFileError(f"cannot read page {title!r} from {path}: {error}", path) from error
        sha1 = text_sha1(text)
        record = records["pages"].get(title)
        if record and record["sha1"] == sha1:
            return Page(title, text, record["revid"], record["timestamp"], sha1)
        # Not saved through the store (bundled, or edited by hand): a revision of its own.
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        return Page(title, text, records["last_revid"] + 1, mtime.strftime("%Y-%m-%dT%H:%M:%SZ"), sha1)

    # -- the port ----------------------------------------------------------------------
    def fetch_pages(self, titles: Sequence[str]) -> dict[str, Page | None]:
        records = self._records()
        return {title: self._read(title, records) for title in titles}

    def watermark(self) -> str:
        return "local"

    def changes_since(self, watermark: str | None, titles: Sequence[str]) -> Changes:
        """Every title, with its version now: a page's file may be edited by hand at any time, and
        reading them is cheap here (the caller compares with what it saw)."""
        return Changes({title: None if page is None else Version(page.revid, page.sha1)
                        for title, page in self.fetch_pages(titles).items()}, "local")

    def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        title = normalize_title(title)
        with self._locked():
            records = self._records()
            current = self._read(title, records)
            if base is None and current is not None:
                return EditConflict(current)
            if base is not None and (current is None or _moved_on(current, base, records)):
                return EditConflict(current)
            if current is not None and current.text == text:
                return NoChange()
            denial = bots_denial(current.text, self.user) if current is not None else None
            if denial is not None:
                return Denied(denial)
            revid = records["last_revid"] + (2 if current and current.revid > records["last_revid"] else 1)
            timestamp = _now()
            _write(self.path_of(title), files.replace, text)
            records["last_revid"] = revid
            records["pages"][title] = {"revid": revid, "sha1": text_sha1(text), "timestamp": timestamp}
            _write(self.state_dir / "pages.json", files.replace, json.dumps(records, indent=1, sort_keys=True))
            _write(self.state_dir / "edits.jsonl", files.append, json.dumps(
                {"title": title, "revid": revid, "timestamp": timestamp, "summary": summary},
                ensure_ascii=False) + "\n")
            return Saved(revid, timestamp)
