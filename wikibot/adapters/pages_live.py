"""The live ``PageStore``: wiki pages (Meta-Wiki, or any MediaWiki) through pywikibot's API layer.

It is given an ``APISite`` that the caller built from pywikibot's own configuration (the
wiki, the bot account and its BotPassword, the User-Agent description, ``put_throttle``);
constructing the store makes no request.  Requests go through ``ApiClient``
(pywikibot_api.py), the request loop ``LiveEntityStore`` uses too.

What goes over the wire, and why:

* ``fetch_pages`` reads 50 titles per request: ``action=query&prop=revisions`` with
  ``rvprop=ids|timestamp|content|sha1``, ``rvslots=main`` and ``formatversion=2`` (the
  text, revision id, timestamp and sha1 of each page's current revision; pywikibot adds
  ``meta=userinfo``).  50 is the API's limit on titles for an account without
  ``apihighlimits``; with page texts in the answer, a larger batch would mostly be split by
  the server's result-size limit anyway (a ``continue`` answer, which is followed).  Titles
  come back keyed as the caller gave them (MediaWiki's ``normalized`` list is followed); a
  missing page is None; an invalid, interwiki or special title is a ``PageStoreError``:
  it is a configuration mistake, not a page.
* ``save_page`` sends nothing when ``text`` is what the base revision already holds
  (``NoChange``; MediaWiki's own pre-save transform, trailing white space removed and line
  ends made ``\\n``, is applied to ``text`` for the comparison), and nothing when the base
  text excludes this bot (``{{nobots}}``, ``{{bots|deny=…}}``: ``Denied``).  Otherwise it
  is exactly one ``action=edit`` POST: ``text``, ``summary``, ``bot=1``, ``assert=user``,
  ``maxlag``, the csrf token and, on a base revision, ``baserevid`` (conflict detection by
  revision id), ``starttimestamp`` = the base's timestamp (a deletion after the read is a
  conflict too) and ``nocreate=1``; without a base, ``createonly=1``.  No ``basetimestamp``:
  with it, MediaWiki lets an account overwrite what it takes for its own edits made since
  that timestamp, and it compares to the second, so a human's edit made in the same second
  as the base revision is overwritten without a conflict (``userWasLastToEdit`` in
  MediaWiki 1.39, seen in test_pages_live.py).  MediaWiki answers ``editconflict``,
  ``articleexists``, ``missingtitle`` or ``pagedeleted`` when the page moved on:
  ``EditConflict`` with the page re-read (one more query).
* MediaWiki merges an edit made on a stale base with the intervening edits when they touch
  other lines (its three-way merge): the edit is then saved, on top of a revision other than
  the base (the answer's ``oldrevid``).  The store reports that as ``EditConflict`` with the
  page re-read (holding both changes): the caller, which planned on the base, re-plans on
  the current page, which normally ends in ``NoChange``.  The write itself cannot be
  prevented (the API has no compare-and-set without merging), nor its consequence that a
  ``{{nobots}}`` added meanwhile on other lines is not honoured by that one edit.
* ``maxlag``, ``badtoken``, a lost session and a write whose fate is unknown (HTTP 5xx, a
  dropped connection: never resent, ``PageStoreError`` saying so) are handled as
  pywikibot_api.py says.  Any other refusal (a protected page, the spam filter, an abuse
  filter, a block) is ``Refused``, carrying the API's error code: nothing was
  written, and the other pages can go on.
* With pywikibot's ``simulate`` on, the edit is not sent: ``Simulated``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import pywikibot  # type: ignore[import-untyped]

from ..ports import (
    Changes,
    Denied,
    EditConflict,
    NoChange,
    Page,
    PageStoreError,
    Refused,
    Saved,
    SaveOutcome,
    Simulated,
    Version,
)
from ..wikitext.bots import bots_denial
from . import recent_changes
from .pywikibot_api import (
    DEFAULT_MAXLAG,
    DEFAULT_MAXLAG_RETRIES,
    DEFAULT_RETRIES,
    ApiClient,
    Patience,
    SimulatedWriteError,
)

log = logging.getLogger(__name__)

TITLES_PER_REQUEST = 50
MAX_CONTINUATIONS = 100  # result-size continuations followed for one batch before giving up
CONFLICT_CODES = frozenset({"editconflict", "articleexists", "missingtitle", "pagedeleted"})
PHP_WHITESPACE = " \t\n\r\0\x0b"  # what PHP's rtrim() removes, as MediaWiki does on save


def as_saved(text: str) -> str:
    """``text`` as MediaWiki stores it: line ends ``\\n``, no trailing white space at the end."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip(PHP_WHITESPACE)


class LivePageStore:
    """``PageStore`` on a wiki, through an injected pywikibot ``APISite``."""

    def __init__(
        self,
        site: Any,
        *,
        user: str | None = None,
        maxlag: int = DEFAULT_MAXLAG,
        maxlag_retries: int = DEFAULT_MAXLAG_RETRIES,
        retries: int | None = DEFAULT_RETRIES,
        sleep: Callable[[float], None] | None = None,
        patience: Patience | None = None,
    ) -> None:
        """``site``: a ``pywikibot.site.APISite``.  ``user``: the name ``{{bots|deny=…}}`` is
        read for (default: the account pywikibot logs in as).  The other options are those of
        ``LiveEntityStore``.  No request is made here."""
        self.api = ApiClient(site, owner="LivePageStore", error=PageStoreError, maxlag=maxlag,
                             maxlag_retries=maxlag_retries, retries=retries, sleep=sleep,
                             patience=patience)
        self.site = site
        self._user = user

    def __repr__(self) -> str:
        return f"LivePageStore({self.site.base_url(self.site.apipath())!r})"

    @property
    def user(self) -> str:
        """The bot's name, as exclusion templates name it."""
        return self._user or str(self.site.username() or "")

    # -- reading -------------------------------------------------------------------------
    def watermark(self) -> str:
        """This moment, by the wiki's clock: what ``changes_since`` asks from next time."""
        return recent_changes.now(self._read)

    def changes_since(self, watermark: str | None, titles: Sequence[str]) -> Changes | None:
        """Which of ``titles`` changed since ``watermark``, from the wiki's recent changes (one request
        when little changed); a deletion or a move is listed as a version to read (revision -1)."""
        wanted = {pywikibot.Page(self.site, title).title(): title for title in titles}
        namespaces = {pywikibot.Page(self.site, title).namespace().id for title in titles}
        found = recent_changes.since(self._read, watermark, namespaces)
        if found is None:
            return None
        changes, mark = found
        versions: dict[str, Version | None] = {}
        for title, change in changes.items():
            asked = wanted.get(title)
            if asked is not None:
                versions[asked] = Version(change.revid if change.revid is not None else -1, change.sha1)
        return Changes(versions, mark)

    def _read(self, what: str, parameters: dict[str, Any]) -> dict[str, Any]:
        return self.api.read_as(what, parameters, PageStoreError)

    def fetch_pages(self, titles: Sequence[str]) -> dict[str, Page | None]:
        wanted = list(dict.fromkeys(titles))
        found: dict[str, Page | None] = {}
        for start in range(0, len(wanted), TITLES_PER_REQUEST):
            found.update(self._fetch_batch(wanted[start:start + TITLES_PER_REQUEST]))
        return {title: found[title] for title in titles}

    def _fetch_batch(self, batch: list[str]) -> dict[str, Page | None]:
        self.api.login(required=False)
        parameters: dict[str, Any] = {
            "action": "query", "prop": "revisions", "titles": batch, "rvprop": "ids|timestamp|content|sha1",
            "rvslots": "main", "formatversion": "2",
        }
        what = f"reading {len(batch)} page{'s' if len(batch) != 1 else ''}"
        renamed: dict[str, str] = {}
        pages: dict[str, dict[str, Any]] = {}
        for _ in range(MAX_CONTINUATIONS):
            try:
                result = self.api.read(what, parameters)
            except pywikibot.exceptions.APIError as err:
                raise PageStoreError(f"{what} on {self.site} failed: {err.code}: {err.info}") from err
            query = result.get("query")
            if not isinstance(query, dict):
                raise PageStoreError(f"{what} on {self.site}: an answer without 'query': {result!r:.300}")
            for step in ("normalized", "converted"):
                for change in query.get(step) or []:
                    renamed[change["from"]] = change["to"]
            for interwiki in query.get("interwiki") or []:
                raise PageStoreError(f"{interwiki['title']!r} names a page on another wiki "
                                     f"(interwiki prefix {interwiki.get('iw')!r}), not a page of {self.site}")
            for page in query.get("pages") or []:
                known = pages.get(page["title"])
                if known is None or "revisions" in page:
                    pages[page["title"]] = page
            more = result.get("continue")
            if not more:
                break
            parameters = {**parameters, **more}
        else:
            raise PageStoreError(f"{what} on {self.site}: still incomplete after {MAX_CONTINUATIONS} continuations")
        out: dict[str, Page | None] = {}
        for title in batch:
            name = renamed.get(title, title)
            name = renamed.get(name, name)  # normalized, then converted
            page = pages.get(name)
            if page is None:
                raise PageStoreError(f"{what} on {self.site}: the answer says nothing of {title!r}")
            out[title] = self._page(title, page)
        return out

    def _page(self, asked: str, page: dict[str, Any]) -> Page | None:
        if page.get("invalid"):
            reason = page.get("invalidreason", "invalid")
            raise PageStoreError(f"{asked!r} is not a valid page title on {self.site}: {reason}")
        if page.get("special"):
            raise PageStoreError(f"{asked!r} is a special page on {self.site}, not a page with a text")
        if page.get("missing"):
            return None
        revisions = page.get("revisions")
        if not revisions:
            raise PageStoreError(f"{page['title']!r} on {self.site}: the answer has no revision")
        revision = revisions[0]
        slot = (revision.get("slots") or {}).get("main") or {}
        if "content" not in slot or revision.get("sha1hidden") or slot.get("texthidden"):
            raise PageStoreError(f"{page['title']!r} on {self.site}: the current revision's text is hidden")
        return Page(title=page["title"], text=slot["content"], revid=int(revision["revid"]),
                    timestamp=revision["timestamp"], sha1=revision["sha1"])

    def _current(self, title: str) -> Page | None:
        return self.fetch_pages([title])[title]

    # -- writing -------------------------------------------------------------------------
    def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        if base is not None:
            if as_saved(text) == base.text:
                return NoChange()
            denial = bots_denial(base.text, self.user)
            if denial is not None:
                return Denied(denial)
        parameters: dict[str, Any] = {
            "action": "edit", "title": title, "text": text, "summary": summary, "bot": "1",
            "assert": "user", "maxlag": str(self.api.maxlag), "formatversion": "2",
        }
        if base is None:
            parameters["createonly"] = "1"
        else:
            # No basetimestamp: see the module docstring (a human's edit could be overwritten).
            parameters.update(baserevid=str(base.revid), starttimestamp=base.timestamp, nocreate="1")
        try:
            result = self.api.write(f"edit of {title!r}", parameters, reread="re-read the page")
        except SimulatedWriteError:
            log.info("edit of %r: simulated (pywikibot's simulate is on): nothing was sent", title)
            return Simulated()
        except pywikibot.exceptions.APIError as err:
            if err.code in CONFLICT_CODES:
                log.info("edit of %r: %s (%s); the page moved on since it was read", title, err.code, err.info)
                return EditConflict(self._current(title))
            log.warning("edit of %r refused by the wiki: %s: %s", title, err.code, err.info)
            return Refused(str(err.code), str(err.info))
        return self._saved(title, base, result)

    def _saved(self, title: str, base: Page | None, result: dict[str, Any]) -> SaveOutcome:
        edit = result.get("edit")
        if not isinstance(edit, dict):
            raise PageStoreError(f"edit of {title!r} answered neither success nor error: {result!r:.300}")
        if edit.get("result") != "Success":  # e.g. a CAPTCHA asked for, with result "Failure"
            details = {key: value for key, value in edit.items() if key != "result"}
            return Refused(str(edit.get("result")), f"{details!r:.300}")
        if "nochange" in edit:
            return NoChange()
        revid, timestamp = int(edit["newrevid"]), str(edit["newtimestamp"])
        parent = edit.get("oldrevid")
        if base is not None and parent is not None and int(parent) != base.revid:
            log.warning("edit of %r was saved on revision %s, not on the base %s: MediaWiki merged it with the "
                        "edits made since the page was read; reporting a conflict", title, parent, base.revid)
            return EditConflict(self._current(title))
        return Saved(revid, timestamp)
