"""What changed on a wiki since a watermark, from its recent changes (``list=recentchanges``).

One request answers "did anything change?" for a whole wiki (49 bytes when nothing did): the
live page store and the live entity store use it for the change detection of ``wikibot sync``.
The watermark is the wiki's own clock (``curtimestamp``) when it was last asked; the next
question reaches back a minute before it (edits saved in the same second, clocks of the
database and the web server), and the caller drops what it already knew by comparing
revisions.  A watermark older than the wiki remembers (``$wgRCMaxAge``, 90 days by default;
30 assumed), or more changes than a few answers hold, is "cannot tell": everything is read
instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=1)
MAX_AGE = dt.timedelta(days=30)  # safely within $wgRCMaxAge (90 days by default)
MAX_ANSWERS = 10  # continuations followed; beyond them, reading everything is cheaper
PREFIX = "rc:"


@dataclass(frozen=True)
class Change:
    """The newest change of one title: its revision (None for a log entry: a deletion, a move,
    an undeletion, whose revision must be read) and its text's SHA-1 when the wiki gave it."""

    title: str
    revid: int | None
    sha1: str | None


def _time(watermark: str | None) -> dt.datetime | None:
    if watermark is None or not watermark.startswith(PREFIX):
        return None
    try:
        moment = dt.datetime.strptime(watermark[len(PREFIX):], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now(read: Callable[[str, dict[str, Any]], dict[str, Any]]) -> str:
    """The watermark of this moment, by the wiki's clock (one small request)."""
    answer = read("the wiki's clock", {"action": "query", "list": "recentchanges", "rclimit": "1",
                                        "rcprop": "timestamp", "curtimestamp": "1"})
    return PREFIX + str(answer.get("curtimestamp") or _stamp(dt.datetime.now(dt.UTC)))


def since(read: Callable[[str, dict[str, Any]], dict[str, Any]], watermark: str | None,
          namespaces: Iterable[int] | None) -> tuple[dict[str, Change], str] | None:
    """The newest change of each title since ``watermark`` (in ``namespaces``, all when None), and
    the watermark to ask from next time; None when the wiki cannot tell (see the module docstring)."""
    start = _time(watermark)
    if start is None or dt.datetime.now(dt.UTC) - start > MAX_AGE:
        return None
    parameters: dict[str, Any] = {
        "action": "query", "list": "recentchanges", "rcprop": "title|ids|timestamp|loginfo|sha1",
        "rctype": "edit|new|log", "rcdir": "older", "rcend": _stamp(start - OVERLAP), "rclimit": "max",
        "curtimestamp": "1"}
    if namespaces is not None:
        parameters["rcnamespace"] = "|".join(str(n) for n in sorted(set(namespaces)))
    found: dict[str, Change] = {}
    clock: str | None = None
    for _ in range(MAX_ANSWERS):
        answer = read("recent changes", parameters)
        clock = clock or answer.get("curtimestamp")
        for change in answer.get("query", {}).get("recentchanges", []):
            title = change.get("title")
            if not isinstance(title, str) or title in found:
                continue  # newest first: the first one seen is the title's newest
            is_log = change.get("type") == "log"
            revid = change.get("revid")
            found[title] = Change(title, None if is_log or not isinstance(revid, int) else revid,
                                  change.get("sha1") if isinstance(change.get("sha1"), str) else None)
        more = answer.get("continue")
        if not isinstance(more, dict):
            return found, PREFIX + str(clock or _stamp(dt.datetime.now(dt.UTC)))
        parameters = {**parameters, **more}
    log.info("more than %s answers of recent changes since %s: everything is read instead", MAX_ANSWERS, watermark)
    return None
