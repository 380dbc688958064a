"""The live ``EntityStore``: a Wikibase through pywikibot's API request layer.

It is given an ``APISite`` that the caller built from pywikibot's own configuration
(``user-config.py``: the wiki's URL, the bot account, its BotPassword or OAuth, the
User-Agent description, ``put_throttle``); constructing the store makes no request.  The
request loop (maxlag, badtoken, writes never resent blindly, the User-Agent check) is the
one ``LivePageStore`` uses too: ``ApiClient`` in pywikibot_api.py.

What goes over the wire, and why:

* reads are ``wbgetentities`` batches of 50 ids, or 500 when the logged-in account has
  ``apihighlimits`` (pywikibot's own ``userinfo``, read once, after logging in); a batch
  that the server still finds too large is split to the limit it names;
* each ``save_entity`` is exactly one ``wbeditentity`` POST (``data`` as JSON, ``id`` +
  ``baserevid`` or ``new``, ``summary``, ``bot=1``, ``maxlag``, ``assert=user`` and the
  csrf token), sent again only when the server refused it before doing anything:
  ``maxlag`` or HTTP 429 (after waiting what its ``Retry-After`` asks, at most
  ``maxlag_retries`` times), ``badtoken`` (a fresh csrf token is fetched once and the edit resent once) and
  ``assertuserfailed`` (pywikibot logs in again);
* a write whose fate is unknown (HTTP 5xx, a dropped connection, a non-JSON answer) is
  never resent: resending a ``new=item`` or an added statement could duplicate it.  It
  raises ``EntityStoreError`` saying so, and the next run re-reads the entity first;
* expected answers of a write are values (``EntitySaved``, ``Patched``, ``NoChange``,
  ``EntityConflict``, ``Rejected``; ``Simulated`` with pywikibot's ``simulate`` on, when
  nothing is sent); everything else is ``EntityStoreError``, but a refused login
  (``LoginError``).
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import pywikibot  # type: ignore[import-untyped]

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
    Simulated,
    Version,
)
from . import recent_changes
from .pywikibot_api import (
    DEFAULT_MAXLAG,
    DEFAULT_MAXLAG_RETRIES,
    DEFAULT_RETRIES,
    ApiClient,
    Patience,
    SimulatedWriteError,
)
from .pywikibot_api import names_wikibot as names_wikibot  # re-exported: tests import it from here

log = logging.getLogger(__name__)
_ENTITY_TITLE = re.compile(r"(?:^|:)([QPL][1-9][0-9]*)$")

LOW_LIMIT = 50  # ids per wbgetentities for ordinary accounts
HIGH_LIMIT = 500  # ... and for accounts with the apihighlimits right
SEARCH_PAGES = 10  # wbsearchentities pages read at most by find_by_label

# Error codes by which Wikibase refuses the data of one edit: nothing was written, and the
# entry should be reported to editors rather than stop the run.  Every ``wbeditentity_error_*``
# capture in shared/fixtures/wikibase is either one of these, ``editconflict``, ``badtoken``,
# or a client mistake this adapter cannot make (``missingparam``, ``mustpostparams``).
REJECTED_CODES = frozenset({
    "modification-failed",  # a validator said no: bad value, unknown property, label+description clash
    "failed-save",  # the save was refused, e.g. a property label already in use
    "invalid-json", "invalid-claim", "invalid-snak", "invalid-guid", "invalid-reference",
    "invalid-entity-id", "no-such-entity", "no-such-entity-revision", "nosuchrevid",
    "badvalue", "param-illegal", "param-invalid", "no-data", "missing-language",
    "inconsistent-language", "inconsistent-site", "no-external-page", "bad-badge",
    "protectedpage", "cascadeprotected", "abusefilter-disallowed", "spamblacklist",
})
REJECTED_PREFIXES = ("not-recognized",)  # not-recognized-language, -string, -array, -siteid, -datatype


def _message_texts(error: dict[str, Any]) -> list[str]:
    """The human-readable texts of a Wikibase error's ``messages`` (HTML tags removed)."""
    texts = []
    for message in error.get("messages") or []:
        if not isinstance(message, dict):
            continue
        html = message.get("html")
        text = html.get("*") if isinstance(html, dict) else html
        if isinstance(text, str) and text:
            texts.append(html_lib.unescape(re.sub(r"<[^>]+>", "", text)))
    return texts


def _unlinked(wikitext: str) -> str:
    """``[[Item:Q6|Q6]]`` as it reads: ``Q6``."""
    return re.sub(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]", r"\1", wikitext)


def _error_info(error: dict[str, Any]) -> str:
    """The error's ``info`` followed by each message that says more than it."""
    info = str(error.get("info", ""))
    extra = [text for text in _message_texts(error) if text and text not in _unlinked(info)]
    return "; ".join([info, *extra]) if info else "; ".join(extra)


def is_rejection(code: str) -> bool:
    """Whether ``code`` means that Wikibase refused the data (``Rejected``), not a failure."""
    return code in REJECTED_CODES or code.startswith(REJECTED_PREFIXES)


class LiveEntityStore:
    """``EntityStore`` on a Wikibase, through an injected pywikibot ``APISite``."""

    def __init__(
        self,
        site: Any,
        *,
        maxlag: int = DEFAULT_MAXLAG,
        maxlag_retries: int = DEFAULT_MAXLAG_RETRIES,
        retries: int | None = DEFAULT_RETRIES,
        sleep: Callable[[float], None] | None = None,
        patience: Patience | None = None,
    ) -> None:
        """``site``: a ``pywikibot.site.APISite`` (or ``DataSite``) for the Wikibase's API.

        ``maxlag`` is sent with every write; ``maxlag_retries`` bounds how often a lagged
        request is sent again; ``retries`` how often a request is sent again after a passing
        failure (reads: HTTP errors, timeouts; any request: a refused connection, ``readonly``,
        ``ratelimited``; None: as often as ``patience`` allows); ``patience`` bounds the time all
        that may take (default: the site's, from ``open_site``, else 180 s); ``sleep`` waits
        (default ``time.sleep``).  No request is made here.
        """
        self.api = ApiClient(site, owner="LiveEntityStore", error=EntityStoreError, maxlag=maxlag,
                             maxlag_retries=maxlag_retries, retries=retries, sleep=sleep,
                             patience=patience)
        self.site = site
        self._batch_size: int | None = None  # read lazily from the account's rights

    def __repr__(self) -> str:
        return f"LiveEntityStore({self.site.base_url(self.site.apipath())!r})"

    # -- reading -------------------------------------------------------------------------
    def batch_size(self) -> int:
        """Ids per ``wbgetentities``: 500 with ``apihighlimits``, else 50 (read once)."""
        if self._batch_size is None:
            self.api.login(required=False)
            try:
                high = self.site.has_right("apihighlimits")
            except (pywikibot.exceptions.Error, OSError) as exc:
                raise EntityStoreError(f"cannot read the account's rights on {self.site}: {exc}") from exc
            self._batch_size = HIGH_LIMIT if high else LOW_LIMIT
        return self._batch_size

    def fetch_entities(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Entity | None] = {}
        pending = wanted
        while pending:
            size = self.batch_size()
            batch, pending = pending[:size], pending[size:]
            try:
                found.update(self._fetch_batch(batch))
            except pywikibot.exceptions.APIError as err:
                error = dict(err.other, code=err.code, info=err.info)
                if err.code == "toomanyvalues" and isinstance(error.get("limit"), int) and error["limit"] < size:
                    log.info("wbgetentities takes at most %s ids here; splitting", error["limit"])
                    self._batch_size = int(error["limit"])
                    pending = batch + pending
                elif err.code == "no-such-entity" and error.get("id") in batch:
                    found[error["id"]] = None  # a malformed id can name no entity
                    pending = [i for i in batch if i != error["id"]] + pending
                else:
                    raise EntityStoreError(f"wbgetentities on {self.site} failed: {err.code}: {err.info}") from err
        return {entity_id: found.get(entity_id) for entity_id in ids}

    def watermark(self) -> str:
        """This moment, by the Wikibase's clock: what ``changes_since`` asks from next time."""
        return recent_changes.now(self._read)

    def changes_since(self, watermark: str | None) -> Changes | None:
        """The entities changed since ``watermark``, from the Wikibase's recent changes in its entity
        namespaces (one request when little changed); a deletion, a merge or an undeletion is asked
        again (``props=info``), for its revision now."""
        found = recent_changes.since(self._read, watermark, self._entity_namespaces())
        if found is None:
            return None
        changes, mark = found
        versions: dict[str, Version | None] = {}
        logged: list[str] = []
        for title, change in changes.items():
            match = _ENTITY_TITLE.search(title)
            if match is None:
                continue
            if change.revid is None:
                logged.append(match.group(1))
            else:
                versions[match.group(1)] = Version(change.revid)
        if logged:
            versions.update({i: None if info is None else Version(info.revid)
                             for i, info in self.fetch_info(logged).items()})
        return Changes(versions, mark)

    def _entity_namespaces(self) -> list[int] | None:
        """The namespaces of items and properties (Item: 120 on a Wikibase install, 0 on Wikidata);
        None when pywikibot cannot say (then every namespace is asked, and titles are filtered)."""
        try:
            return [self.site.item_namespace.id, self.site.property_namespace.id]
        except Exception:  # pywikibot asks the wiki (siteinfo) or knows no entity sources here
            return None

    def _read(self, what: str, parameters: dict[str, Any]) -> dict[str, Any]:
        return self.api.read_as(what, parameters, EntityStoreError)

    def fetch_info(self, ids: Sequence[str]) -> dict[str, EntityInfo | None]:
        found: dict[str, EntityInfo | None] = {}
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), self.batch_size()):
            batch = wanted[start:start + self.batch_size()]
            try:
                result = self.api.read(f"wbgetentities info ({len(batch)} ids)",
                                       {"action": "wbgetentities", "ids": batch, "props": "info"})
            except pywikibot.exceptions.APIError as err:
                raise EntityStoreError(f"wbgetentities on {self.site} failed: {err.code}: {err.info}") from err
            entities = result.get("entities")
            if not isinstance(entities, dict):
                raise EntityStoreError(f"wbgetentities on {self.site} answered without entities: {result!r:.300}")
            for entity_id in batch:
                entity = entities.get(entity_id)
                found[entity_id] = None if not isinstance(entity, dict) or "missing" in entity else EntityInfo(
                    entity_id, int(entity["lastrevid"]), str(entity.get("modified", "")))
        return {entity_id: found.get(entity_id) for entity_id in ids}

    def data_uri(self) -> str:
        """Where the Wikibase's ``Special:EntityData`` pages are (the RDF ``data:`` namespace), from its
        article path and server as siteinfo gives them (pywikibot has read them already)."""
        info = self.site.siteinfo
        server = str(info.get("server", ""))
        if server.startswith("//"):
            server = "https:" + server
        return server + str(info.get("articlepath", "/wiki/$1")).replace("$1", "Special:EntityData") + "/"

    def _fetch_batch(self, batch: list[str]) -> dict[str, Entity | None]:
        result = self.api.read(f"wbgetentities ({len(batch)} ids)", {"action": "wbgetentities", "ids": batch})
        entities = result.get("entities")
        if not isinstance(entities, dict):
            raise EntityStoreError(f"wbgetentities on {self.site} answered without entities: {result!r:.300}")
        by_id: dict[str, EntityJson] = {}
        for key, entity in entities.items():
            by_id[key] = entity
            redirect = entity.get("redirects") if isinstance(entity, dict) else None
            if isinstance(redirect, dict) and "from" in redirect:
                by_id[redirect["from"]] = entity
        out: dict[str, Entity | None] = {}
        for entity_id in batch:
            entity = by_id.get(entity_id) or by_id.get(entity_id.upper())
            if entity is None or "missing" in entity:
                out[entity_id] = None
            else:
                out[entity_id] = Entity(id=entity_id, revid=int(entity["lastrevid"]), data=entity)
        return out

    def find_by_label(
        self, label: str, *, entity_type: Literal["item", "property"], language: str = "en"
    ) -> list[str]:
        found: list[str] = []
        offset: int | None = 0
        for _ in range(SEARCH_PAGES):
            if offset is None:
                break
            parameters: dict[str, Any] = {
                "action": "wbsearchentities", "search": label, "language": language, "type": entity_type,
                "strictlanguage": "1", "limit": "max",
            }
            if offset:
                parameters["continue"] = str(offset)
            try:
                result = self.api.read(f"wbsearchentities {label!r}", parameters)
            except pywikibot.exceptions.APIError as err:
                raise EntityStoreError(f"wbsearchentities on {self.site} failed: {err.code}: {err.info}") from err
            hits = result.get("search") or []
            exact = [hit for hit in hits if _is_exact_label(hit, label, language)]
            found.extend(hit["id"] for hit in exact if hit["id"] not in found)
            # Wikibase ranks exact matches first: once a page ends on a non-exact hit, stop.
            more = result.get("search-continue")
            offset = int(more) if more is not None and hits and _is_exact_label(hits[-1], label, language) else None
        return found

    # -- writing -------------------------------------------------------------------------
    def save_entity(
        self,
        entity_id: str | None,
        data: EntityJson,
        *,
        base_revid: int | None,
        summary: str,
        new: Literal["item", "property"] = "item",
    ) -> EntityOutcome:
        target = entity_id or f"a new {new}"
        parameters: dict[str, Any] = {
            "action": "wbeditentity",
            "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            "summary": summary,
            "bot": "1",
            "maxlag": str(self.api.maxlag),
        }
        if entity_id is None:
            parameters["new"] = new
        else:
            parameters["id"] = entity_id
            if base_revid is not None:
                parameters["baserevid"] = str(base_revid)
        try:
            result = self.api.write(f"wbeditentity on {target}", parameters,
                                    reread="re-read the entity (or look it up by label)")
        except SimulatedWriteError:
            log.info("wbeditentity on %s: simulated (pywikibot's simulate is on): nothing was sent", target)
            return Simulated()
        except pywikibot.exceptions.APIError as err:
            return self._refused(target, err)
        return self._saved(target, result)

    @staticmethod
    def _saved(target: str, result: dict[str, Any]) -> EntityOutcome:
        entity = result.get("entity")
        if not result.get("success") or not isinstance(entity, dict) or "id" not in entity:
            raise EntityStoreError(f"wbeditentity on {target} answered neither success nor error: {result!r:.300}")
        if "nochange" in entity or "nochange" in result:
            return NoChange()
        revid = int(entity["lastrevid"])
        if "wikibase-conflict-patched" in set(_warning_names(result)):
            return Patched(entity["id"], revid)
        return EntitySaved(entity["id"], revid, entity)

    def _refused(self, target: str, err: Any) -> EntityOutcome:
        error = dict(err.other, code=err.code, info=err.info)
        code = str(err.code)
        if code == "editconflict":
            return EntityConflict(target, _error_info(error))
        if is_rejection(code):
            return Rejected(code, _error_info(error))
        raise EntityStoreError(f"wbeditentity on {target} failed: {code}: {_error_info(error)}") from err


def _warning_names(result: dict[str, Any]) -> Iterator[str]:
    for warning in (result.get("warnings") or {}).values():
        if isinstance(warning, dict):
            for message in warning.get("messages") or []:
                if isinstance(message, dict) and "name" in message:
                    yield str(message["name"])


def _is_exact_label(hit: dict[str, Any], label: str, language: str) -> bool:
    """A search hit whose label in ``language`` is exactly ``label`` (an alias match is not)."""
    match = hit.get("match") or {}
    if match.get("type") == "label" and match.get("text") == label and match.get("language", language) == language:
        return True
    display = (hit.get("display") or {}).get("label") or {}
    if display:
        return bool(display.get("value") == label and display.get("language", language) == language)
    return bool(hit.get("label") == label and match.get("type") != "alias")
