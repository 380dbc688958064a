"""The live ``EntityStore``: a Wikibase through pywikibot's API request layer.

This is the only module that imports pywikibot for the Wikibase.  It is given an
``APISite`` that the caller built from pywikibot's own configuration (``user-config.py``:
the wiki's URL, the bot account, its BotPassword or OAuth, the User-Agent description,
``put_throttle``); constructing the store makes no request.

What goes over the wire, and why:

* reads are ``wbgetentities`` batches of 50 ids, or 500 when the logged-in account has
  ``apihighlimits`` (pywikibot's own ``userinfo``, read once, after logging in); a batch
  that the server still finds too large is split to the limit it names;
* each ``save_entity`` is exactly one ``wbeditentity`` POST (``data`` as JSON, ``id`` +
  ``baserevid`` or ``new``, ``summary``, ``bot=1``, ``maxlag``, ``assert=user`` and the
  csrf token), sent again only when the server refused it before doing anything:
  ``maxlag`` (after waiting what its ``Retry-After`` asks, at most ``maxlag_retries``
  times), ``badtoken`` (a fresh csrf token is fetched once and the edit resent once) and
  ``assertuserfailed`` (pywikibot logs in again);
* a write whose fate is unknown (HTTP 5xx, a dropped connection, a non-JSON answer) is
  never resent: resending a ``new=item`` or an added statement could duplicate it.  It
  raises ``EntityStoreError`` saying so, and the next run re-reads the entity first;
* expected answers of a write are values (``EntitySaved``, ``Patched``, ``NoChange``,
  ``EntityConflict``, ``Rejected``); everything else is ``EntityStoreError``.

pywikibot's ``Request`` logs in again on ``assertuserfailed``, honours ``put_throttle``
and retries reads after HTTP errors with growing waits; the adapter relies on that.  Two
things it does itself (see ``_Request``): ``maxlag``, because pywikibot's loop is bounded
only by the process-wide ``config.max_retries`` (15 by default) and says what it waits for
only in its verbose log; and ``badtoken``, because pywikibot's renewal can pick the wrong
token type (see ``_submit_renewing_token``).
"""

from __future__ import annotations

import email.utils
import html as html_lib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import pywikibot  # type: ignore[import-untyped]
import requests
from pywikibot.comms import http  # type: ignore[import-untyped]
from pywikibot.data import api  # type: ignore[import-untyped]

from ..ports import (
    Entity,
    EntityConflict,
    EntityJson,
    EntityOutcome,
    EntitySaved,
    EntityStoreError,
    NoChange,
    Patched,
    Rejected,
)

log = logging.getLogger(__name__)

LOW_LIMIT = 50  # ids per wbgetentities for ordinary accounts
HIGH_LIMIT = 500  # ... and for accounts with the apihighlimits right
DEFAULT_MAXLAG = 5  # seconds of replication lag above which the wiki asks bots to wait
DEFAULT_MAXLAG_RETRIES = 5
DEFAULT_RETRIES = 5
MAX_WAIT = 120.0  # never sleep longer than this on one Retry-After
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


class _LaggedError(Exception):
    """The wiki answered ``maxlag``: nothing was done, try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, error: dict[str, Any]) -> None:
        super().__init__(error.get("info", "maxlag"))
        self.retry_after = retry_after
        self.error = error

    def describe(self) -> str:
        error = self.error
        lag_type = error.get("type", "db")
        text = f"{lag_type} lag {error.get('lag', '?')} s"
        if "jobs" in error:
            text += f", {error['jobs']} queued jobs"
        if error.get("host"):
            text += f" on {error['host']}"
        return text


class _BadTokenError(Exception):
    """The wiki refused the csrf token (``badtoken``): nothing was done."""


class _UnsureWriteError(Exception):
    """The write may or may not have reached the wiki: it must not be sent again blindly."""


class _NotSentError(Exception):
    """The write never left this machine (no connection could be made)."""


def _retry_after(headers: Any, error: dict[str, Any]) -> float:
    """Seconds to wait as the answer's ``Retry-After`` says (seconds or an HTTP date).

    Without a usable header: the reported lag, at least 1 s; never more than ``MAX_WAIT``.
    """
    value = headers.get("Retry-After") if headers is not None else None
    seconds: float | None = None
    if value:
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
    if seconds is None:
        try:
            seconds = float(error.get("lag", 0))
        except (TypeError, ValueError):
            seconds = 0.0
    return min(max(seconds, 1.0), MAX_WAIT)


def _never_connected(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a failure to connect, so nothing was sent."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, requests.exceptions.ConnectTimeout):
            return True
        if type(seen).__name__ in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError"):
            return True
        if any(isinstance(arg, BaseException) and _never_connected(arg) for arg in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _Request(api.Request):  # type: ignore[misc]
    """pywikibot's ``Request``, handing ``maxlag`` and ``badtoken`` to the adapter.

    ``_json_loads`` is the hook pywikibot documents for reading a raw answer; it is the only
    place where the HTTP headers (``Retry-After``) and the decoded error meet before
    pywikibot's own loop acts on the error.
    """

    def _json_loads(self, response: requests.Response) -> dict[str, Any] | None:
        result: dict[str, Any] | None = super()._json_loads(response)
        error = result.get("error") if isinstance(result, dict) else None
        if isinstance(error, dict) and error.get("code") == "maxlag":
            raise _LaggedError(_retry_after(response.headers, error), error)
        if isinstance(error, dict) and error.get("code") == "badtoken":
            raise _BadTokenError(str(error.get("info", "badtoken")))
        return result

    def _handle_warnings(self, result: dict[str, Any]) -> bool:
        """Wikibase puts its warnings as ``messages`` (e.g. ``wikibase-conflict-patched``):
        the adapter reads those itself, so pywikibot need not call them 'of unknown format'."""
        warnings = result.get("warnings")
        if isinstance(warnings, dict):
            own = {mod: w for mod, w in warnings.items() if isinstance(w, dict) and "messages" in w}
            for mod, warning in own.items():
                names = [m.get("name") for m in warning["messages"] if isinstance(m, dict)]
                log.debug("API warnings from %s: %s", mod, ", ".join(map(str, names)))
            if own:
                rest = {mod: w for mod, w in warnings.items() if mod not in own}
                result = {**result, "warnings": rest} if rest else {k: v for k, v in result.items() if k != "warnings"}
        retry: bool = super()._handle_warnings(result)
        return retry


class _WriteRequest(_Request):
    """A write: never resent by pywikibot when its fate is unknown (see the module docstring)."""

    def _http_request(
        self, use_get: bool, uri: str, data: Any, headers: dict[str, str] | None, paramstring: str
    ) -> tuple[requests.Response | None, bool]:
        try:
            response = http.request(self.site, uri=uri, method="GET" if use_get else "POST",
                                    data=data, headers=headers)
        except Exception as exc:
            if _never_connected(exc):
                raise _NotSentError(str(exc)) from exc
            raise _UnsureWriteError(str(exc) or type(exc).__name__) from exc
        return response, use_get

    def _json_loads(self, response: requests.Response) -> dict[str, Any] | None:
        try:
            response.json()
        except ValueError:
            raise _UnsureWriteError(f"HTTP {response.status_code} with a body that is not JSON") from None
        return super()._json_loads(response)


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


def names_wikibot(user_agent: str) -> bool:
    """Whether a User-Agent names wikibot as a word ("Pywikibot/11.9" alone does not)."""
    return re.search(r"\bwikibot\b", user_agent, re.IGNORECASE) is not None


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
        retries: int = DEFAULT_RETRIES,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """``site``: a ``pywikibot.site.APISite`` (or ``DataSite``) for the Wikibase's API.

        ``maxlag`` is sent with every write; ``maxlag_retries`` bounds how often a lagged
        request is sent again; ``retries`` how often pywikibot resends a request after a
        passing failure (reads: HTTP errors; any request: ``readonly``, ``ratelimited``);
        ``sleep`` waits out ``Retry-After`` (default ``time.sleep``).  No request is made here.
        """
        if not isinstance(site, pywikibot.site.APISite):
            raise TypeError(f"LiveEntityStore needs a pywikibot APISite, not {type(site).__name__}")
        agent = http.user_agent(site)
        if not names_wikibot(agent):
            raise EntityStoreError(
                f"the User-Agent pywikibot would send ({agent!r}) does not name wikibot: set "
                "user_agent_description = 'wikibot/<version> (<contact URL or e-mail>)' in user-config.py"
            )
        self.site = site
        self.maxlag = maxlag
        self.maxlag_retries = maxlag_retries
        self.retries = retries
        self._sleep = sleep
        self._batch_size: int | None = None  # read lazily from the account's rights

    def __repr__(self) -> str:
        return f"LiveEntityStore({self.site.base_url(self.site.apipath())!r})"

    # -- the request loop ----------------------------------------------------------------
    def _wait(self, seconds: float) -> None:
        (self._sleep or time.sleep)(seconds)

    def _submit(self, what: str, make: Callable[[], Any]) -> dict[str, Any]:
        """Submit ``make()``; on ``maxlag`` wait ``Retry-After`` and send a new one, bounded."""
        waited = 0.0
        for attempt in range(self.maxlag_retries + 1):
            try:
                result: dict[str, Any] = make().submit()
                return result
            except _LaggedError as lagged:
                if attempt == self.maxlag_retries:
                    raise EntityStoreError(
                        f"{what}: the wiki is still lagged ({lagged.describe()}) after {self.maxlag_retries} "
                        f"retries and {waited:g} s of waiting; nothing was done, try again later"
                    ) from None
                message = (f"{what}: the wiki is lagged ({lagged.describe()}); waiting {lagged.retry_after:g} s "
                           f"as its Retry-After asks (retry {attempt + 1} of {self.maxlag_retries})")
                log.warning("%s", message)
                self._wait(lagged.retry_after)
                waited += lagged.retry_after
        raise AssertionError("unreachable")  # pragma: no cover

    def _login(self, *, required: bool) -> None:
        """Log in with pywikibot's configured account (once; pywikibot keeps the session)."""
        if self.site.logged_in():
            return
        if not required and not self.site.username():
            return  # an anonymous reader
        try:
            self.site.login()
        except (pywikibot.exceptions.Error, OSError) as exc:
            raise EntityStoreError(f"cannot log in to {self.site} as {self.site.username()!r}: {exc}") from exc
        if required and not self.site.logged_in():
            raise EntityStoreError(f"not logged in to {self.site} as {self.site.username()!r}")

    # -- reading -------------------------------------------------------------------------
    def batch_size(self) -> int:
        """Ids per ``wbgetentities``: 500 with ``apihighlimits``, else 50 (read once)."""
        if self._batch_size is None:
            self._login(required=False)
            try:
                high = self.site.has_right("apihighlimits")
            except (pywikibot.exceptions.Error, OSError) as exc:
                raise EntityStoreError(f"cannot read the account's rights on {self.site}: {exc}") from exc
            self._batch_size = HIGH_LIMIT if high else LOW_LIMIT
        return self._batch_size

    def _read(self, what: str, parameters: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._submit(what, lambda: _Request(site=self.site, parameters=dict(parameters),
                                                       max_retries=self.retries))
        except pywikibot.exceptions.APIError:
            raise
        except (pywikibot.exceptions.Error, OSError) as exc:
            raise EntityStoreError(f"{what} on {self.site} failed: {exc}") from exc

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

    def _fetch_batch(self, batch: list[str]) -> dict[str, Entity | None]:
        result = self._read(f"wbgetentities ({len(batch)} ids)", {"action": "wbgetentities", "ids": batch})
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
                result = self._read(f"wbsearchentities {label!r}", parameters)
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
            "maxlag": str(self.maxlag),
        }
        if entity_id is None:
            parameters["new"] = new
        else:
            parameters["id"] = entity_id
            if base_revid is not None:
                parameters["baserevid"] = str(base_revid)
        self._login(required=True)

        def make() -> Any:
            return _WriteRequest(site=self.site, parameters={**parameters, "token": self._token()},
                                 use_get=False, max_retries=self.retries)

        try:
            result = self._submit_renewing_token(f"wbeditentity on {target}", make)
        except pywikibot.exceptions.APIError as err:
            return self._refused(target, err)
        except _NotSentError as exc:
            raise EntityStoreError(f"wbeditentity on {target}: cannot reach {self.site}: {exc}") from exc
        except _UnsureWriteError as exc:
            raise EntityStoreError(
                f"wbeditentity on {target}: {exc}; the edit may or may not have been saved, so it was not sent "
                "again: re-read the entity (or look it up by label) before trying again"
            ) from exc
        except (pywikibot.exceptions.Error, OSError, KeyError) as exc:
            raise EntityStoreError(f"wbeditentity on {target} failed: {exc}") from exc
        return self._saved(target, result)

    def _submit_renewing_token(self, what: str, make: Callable[[], Any]) -> dict[str, Any]:
        """``_submit``; on ``badtoken`` fetch a new csrf token once and send once more.

        pywikibot's own renewal finds the token's type by its value and else takes the type
        asked for last; after it logged in again within the same request (``assertuserfailed``)
        that is the *login* token, which it then sends as the csrf token.  So the adapter
        renews the csrf token itself.
        """
        try:
            return self._submit(what, make)
        except _BadTokenError as first:
            log.info("%s: the wiki refused the csrf token (%s); fetching a new one and sending once more",
                     what, first)
            self.site.tokens.clear()
            try:
                return self._submit(what, make)
            except _BadTokenError as again:
                raise EntityStoreError(
                    f"{what}: badtoken again with a freshly fetched csrf token ({again}); "
                    f"the session of {self.site.username()!r} is not usable, nothing was written"
                ) from None

    def _token(self) -> str:
        try:
            token: str = self.site.tokens["csrf"]
        except KeyError as exc:
            raise EntityStoreError(f"no csrf token for {self.site.username()!r} on {self.site}: {exc}") from exc
        return token

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
