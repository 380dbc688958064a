"""The ports: what the jobs need from the outside world, as Protocols.

Every port has a local implementation (the workspace, used when nothing is configured)
and a live one; one shared test suite runs against each, so they cannot drift apart.
Expected outcomes of a write are values (``Saved``, ``NoChange``, ``EditConflict``), not
exceptions: a conflict is part of a normal run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


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


SaveOutcome = Saved | NoChange | EditConflict


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
        equals the current text.
        """
        ...
