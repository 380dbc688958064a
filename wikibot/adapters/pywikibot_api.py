"""The request loop the live adapters share, on pywikibot's API request layer.

``LiveEntityStore`` (wikibase_live.py) and ``LivePageStore`` (pages_live.py) send their
requests through an ``ApiClient``: it is given an ``APISite`` that the caller built from
pywikibot's own configuration and raises the adapter's own error type.  What it does:

* every read is one ``_Request`` and every write one ``_WriteRequest`` (a POST carrying the
  csrf token);
* ``maxlag``, and HTTP 429 from a proxy's rate limit: the request is sent again after
  waiting what the answer's ``Retry-After`` asks (a 429 without one: 5 s, doubled on each
  retry), at most ``maxlag_retries`` times, each wait logged; neither was acted on, so a
  write is resent too;
* ``badtoken``: a fresh csrf token is fetched once and the write sent once more;
* a write whose fate is unknown (HTTP 5xx, a dropped connection, a non-JSON answer) is
  never resent: the error says so, and that the object must be re-read first;
* a write that never left this machine (no connection could be made) says that instead.

pywikibot's ``Request`` logs in again on ``assertuserfailed``, honours ``put_throttle`` and
retries reads after HTTP errors with growing waits; the adapters rely on that.  Two things
are done here instead (see ``_Request``): ``maxlag``, because pywikibot's loop is bounded
only by the process-wide ``config.max_retries`` (15 by default) and says what it waits for
only in its verbose log; and ``badtoken``, because pywikibot's renewal can pick the wrong
token type (see ``ApiClient.submit_renewing_token``).

An ``APIError`` (the wiki refused the request and said why) is passed to the adapter, which
knows which codes are outcomes (an edit conflict, a rejected value) and which are failures.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pywikibot  # type: ignore[import-untyped]
import requests
from pywikibot.comms import http  # type: ignore[import-untyped]
from pywikibot.data import api  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

DEFAULT_MAXLAG = 5  # seconds of replication lag above which the wiki asks bots to wait
DEFAULT_MAXLAG_RETRIES = 5
DEFAULT_RETRIES = 5
MAX_WAIT = 120.0  # never sleep longer than this on one Retry-After
BACKOFF = 5.0  # the first wait after an HTTP 429 without Retry-After; doubled on each retry


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


class _ThrottledError(_LaggedError):
    """HTTP 429 Too Many Requests (a proxy's rate limit): nothing was done, try again later.

    ``retry_after``: what the answer's ``Retry-After`` asks, or None without one (then the
    client backs off itself).
    """

    def __init__(self, retry_after: float | None, status: int) -> None:
        super().__init__(retry_after or 0.0, {"info": f"HTTP {status}"})
        self.asked = retry_after is not None
        self.status = status

    def describe(self) -> str:
        return f"HTTP {self.status} Too Many Requests"


def _throttled(response: requests.Response) -> _ThrottledError | None:
    """The error for an answer that refused the request for its rate (HTTP 429), else None."""
    if response.status_code != 429:
        return None
    asked = response.headers.get("Retry-After") if response.headers is not None else None
    return _ThrottledError(_retry_after(response.headers, {}) if asked else None, 429)


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
        throttled = _throttled(response)
        if throttled is not None:  # before pywikibot takes the HTML error page for a wrong family
            raise throttled
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
        throttled = _throttled(response)
        if throttled is not None:  # refused for its rate before anything was done: safe to send again
            raise throttled
        try:
            response.json()
        except ValueError:
            raise _UnsureWriteError(f"HTTP {response.status_code} with a body that is not JSON") from None
        return super()._json_loads(response)


def names_wikibot(user_agent: str) -> bool:
    """Whether a User-Agent names wikibot as a word ("Pywikibot/11.9" alone does not)."""
    return re.search(r"\bwikibot\b", user_agent, re.IGNORECASE) is not None


class ApiClient:
    """One wiki's API for one adapter: the request loop of the module docstring.

    ``error`` is the adapter's exception type (``EntityStoreError``, ``PageStoreError``):
    every failure this client reports is one of those; an ``APIError`` is passed through.
    """

    def __init__(
        self,
        site: Any,
        *,
        owner: str,
        error: type[Exception],
        maxlag: int = DEFAULT_MAXLAG,
        maxlag_retries: int = DEFAULT_MAXLAG_RETRIES,
        retries: int = DEFAULT_RETRIES,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """``owner``: the adapter's name, for messages.  No request is made here."""
        if not isinstance(site, pywikibot.site.APISite):
            raise TypeError(f"{owner} needs a pywikibot APISite, not {type(site).__name__}")
        agent = http.user_agent(site)
        if not names_wikibot(agent):
            raise error(
                f"the User-Agent pywikibot would send ({agent!r}) does not name wikibot: set "
                "user_agent_description = 'wikibot/<version> (<contact URL or e-mail>)' in user-config.py"
            )
        self.site = site
        self.error = error
        self.maxlag = maxlag
        self.maxlag_retries = maxlag_retries
        self.retries = retries
        self._sleep = sleep

    def wait(self, seconds: float) -> None:
        (self._sleep or time.sleep)(seconds)

    def submit(self, what: str, make: Callable[[], Any]) -> dict[str, Any]:
        """Submit ``make()``; on ``maxlag`` or HTTP 429 wait ``Retry-After`` (without one, 5 s doubling
        on each retry) and send a new one, at most ``maxlag_retries`` times."""
        waited = 0.0
        for attempt in range(self.maxlag_retries + 1):
            try:
                result: dict[str, Any] = make().submit()
                return result
            except _LaggedError as lagged:
                state = "busy" if isinstance(lagged, _ThrottledError) else "lagged"
                if attempt == self.maxlag_retries:
                    raise self.error(
                        f"{what}: the wiki is still {state} ({lagged.describe()}) after {self.maxlag_retries} "
                        f"retries and {waited:g} s of waiting; nothing was done, try again later"
                    ) from None
                if isinstance(lagged, _ThrottledError) and not lagged.asked:
                    seconds = min(BACKOFF * 2 ** attempt, MAX_WAIT)
                    why = "backing off, as it said not when to come back"
                else:
                    seconds = lagged.retry_after
                    why = "as its Retry-After asks"
                message = (f"{what}: the wiki is {state} ({lagged.describe()}); waiting {seconds:g} s "
                           f"{why} (retry {attempt + 1} of {self.maxlag_retries})")
                log.warning("%s", message)
                self.wait(seconds)
                waited += seconds
        raise AssertionError("unreachable")  # pragma: no cover

    def login(self, *, required: bool) -> None:
        """Log in with pywikibot's configured account (once; pywikibot keeps the session)."""
        if self.site.logged_in():
            return
        if not required and not self.site.username():
            return  # an anonymous reader
        try:
            self.site.login()
        except (pywikibot.exceptions.Error, OSError) as exc:
            raise self.error(f"cannot log in to {self.site} as {self.site.username()!r}: {exc}") from exc
        if required and not self.site.logged_in():
            raise self.error(f"not logged in to {self.site} as {self.site.username()!r}")

    def read(self, what: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """One read (sent again on ``maxlag``); an ``APIError`` is passed through."""
        try:
            return self.submit(what, lambda: _Request(site=self.site, parameters=dict(parameters),
                                                      max_retries=self.retries))
        except pywikibot.exceptions.APIError:
            raise
        except (pywikibot.exceptions.Error, OSError) as exc:
            raise self.error(f"{what} on {self.site} failed: {exc}") from exc

    def write(self, what: str, parameters: dict[str, Any], *, reread: str) -> dict[str, Any]:
        """One write as the logged-in account, with the csrf token; an ``APIError`` is passed through.

        ``reread``: what to do before trying again when the write's fate is unknown
        (e.g. "re-read the page"), for the error message.
        """
        self.login(required=True)

        def make() -> Any:
            return _WriteRequest(site=self.site, parameters={**parameters, "token": self.token()},
                                 use_get=False, max_retries=self.retries)

        try:
            return self.submit_renewing_token(what, make)
        except pywikibot.exceptions.APIError:
            raise
        except _NotSentError as exc:
            raise self.error(f"{what}: cannot reach {self.site}: {exc}") from exc
        except _UnsureWriteError as exc:
            raise self.error(
                f"{what}: {exc}; the edit may or may not have been saved, so it was not sent "
                f"again: {reread} before trying again"
            ) from exc
        except (pywikibot.exceptions.Error, OSError, KeyError) as exc:
            raise self.error(f"{what} failed: {exc}") from exc

    def submit_renewing_token(self, what: str, make: Callable[[], Any]) -> dict[str, Any]:
        """``submit``; on ``badtoken`` fetch a new csrf token once and send once more.

        pywikibot's own renewal finds the token's type by its value and else takes the type
        asked for last; after it logged in again within the same request (``assertuserfailed``)
        that is the *login* token, which it then sends as the csrf token.  So the client
        renews the csrf token itself.
        """
        try:
            return self.submit(what, make)
        except _BadTokenError as first:
            log.info("%s: the wiki refused the csrf token (%s); fetching a new one and sending once more",
                     what, first)
            self.site.tokens.clear()
            try:
                return self.submit(what, make)
            except _BadTokenError as again:
                raise self.error(
                    f"{what}: badtoken again with a freshly fetched csrf token ({again}); "
                    f"the session of {self.site.username()!r} is not usable, nothing was written"
                ) from None

    def token(self) -> str:
        try:
            token: str = self.site.tokens["csrf"]
        except KeyError as exc:
            raise self.error(f"no csrf token for {self.site.username()!r} on {self.site}: {exc}") from exc
        return token
