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
* a write that never left this machine (no connection could be made) is sent again after a
  wait, as a read is: nothing was written;
* **a bounded wait** (``Patience``): every retry of one request (a read after a refused
  connection, a timeout or an HTTP 5xx; a never-sent write; ``maxlag`` and 429) waits, in
  all, at most ``max_wait`` seconds (``[wiki] max_wait``), each wait said through the run's
  progress; then the request gives up (``GaveUpError``, and the adapter's error naming the
  wiki: "did not answer within 180 s").  pywikibot's own loop would wait ``retry_wait``
  doubling up to ``retry_max``, ``max_retries`` times (5, 10, 20, 40, 80, 120… s: about 22
  minutes with its defaults), printing a traceback at each;
* a refused login (a wrong BotPassword, no account for the site) is ``LoginError``, naming
  the account and the files to check, never the password; it is not tried again in the run.

pywikibot's ``Request`` logs in again on ``assertuserfailed`` and honours ``put_throttle``;
the adapters rely on that.  The rest is done here instead (see ``_Patient`` and
``_Request``): transport retries, bounded in time rather than by the process-wide
``config.max_retries``; ``maxlag``, because pywikibot says what it waits for only in its
verbose log; and ``badtoken``, because pywikibot's renewal can pick the wrong token type (see
``ApiClient.submit_renewing_token``).  ``WikibotSite`` (pywikibot_site.py) makes the
requests pywikibot sends on its own (userinfo, tokens, login, siteinfo) wait the same way.

With pywikibot's ``simulate`` on, pywikibot sends no write and makes up an answer: the
client raises ``SimulatedWriteError`` instead, and the adapters answer ``ports.Simulated``.

An ``APIError`` (the wiki refused the request and said why) is passed to the adapter, which
knows which codes are outcomes (an edit conflict, a rejected value) and which are failures.
"""

from __future__ import annotations

import email.utils
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pywikibot  # type: ignore[import-untyped]
import requests
from pywikibot.comms import http  # type: ignore[import-untyped]
from pywikibot.data import api  # type: ignore[import-untyped]

from ..errors import LoginError

log = logging.getLogger(__name__)


class _SaidHere(logging.Filter):
    """pywikibot's "ERROR: An error occurred for uri …", printed for each failed HTTP request: the
    client says what failed and what it does about it (``Patience``), once, in the run's progress."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("An error occurred for uri ")


logging.getLogger("pywiki").addFilter(_SaidHere())

DEFAULT_MAXLAG = 5  # seconds of replication lag above which the wiki asks bots to wait
DEFAULT_MAXLAG_RETRIES = 5
DEFAULT_RETRIES: int | None = None  # transport retries of one request: as many as DEFAULT_MAX_WAIT allows
DEFAULT_MAX_WAIT = 180.0  # seconds all the retries of one request may wait, in all ([wiki] max_wait)
MAX_WAIT = 120.0  # never sleep longer than this on one Retry-After
BACKOFF = 5.0  # the first wait after an HTTP 429 without Retry-After; doubled on each retry


class GaveUpError(TimeoutError):
    """A wiki did not answer one request within the wait allowed (or after the retries allowed).

    An ``OSError``: wherever a failure of the network is caught, this is one."""


class SimulatedWriteError(Exception):
    """pywikibot's ``simulate`` is on: the write was not sent (pywikibot made its answer up)."""


class Patience:
    """How long the bot waits for one wiki: all the retries of one request wait at most
    ``max_wait`` seconds in all, each wait said (``report``, else the log) before it is slept.

    Once a request gave up, the wiki counts as silent: the next requests get one attempt each
    and no wait, until one is answered; a run stopped by a silent wiki that still tries to save
    its heartbeat does not wait all over again.  ``wiki`` names the wiki in messages.
    """

    def __init__(self, max_wait: float = DEFAULT_MAX_WAIT, *, wiki: str = "the wiki",
                 report: Callable[[str], None] | None = None, sleep: Callable[[float], None] | None = None) -> None:
        self.max_wait = max_wait
        self.wiki = wiki
        self.report = report
        self._sleep = sleep
        self.silent = False

    def budget(self, what: str, *, retries: int | None = None) -> WaitBudget:
        """The waits of one request (``retries``: at most that many, besides the time)."""
        return WaitBudget(self, what, retries)

    def answered(self) -> None:
        self.silent = False

    def say(self, message: str) -> None:
        if self.report is not None:
            log.info("%s", message)
            self.report(message)
        else:
            log.warning("%s", message)

    def sleep(self, seconds: float) -> None:
        (self._sleep or time.sleep)(seconds)  # looked up now: a test's fake clock is seen


class WaitBudget:
    """The waits of one request, all its retries together (see ``Patience``).

    What counts is the time spent since the request was first sent, its attempts included (a
    wiki that takes connections but never answers costs a socket timeout each time), or the
    time slept, whichever is more (a test's fake clock moves only when something sleeps)."""

    def __init__(self, patience: Patience, what: str, retries: int | None) -> None:
        self.patience = patience
        self.what = what
        self.retries = retries
        self.allowed = 0.0 if patience.silent else patience.max_wait
        self.waited = 0.0
        self.count = 0
        self.started = time.monotonic()

    def spent(self) -> float:
        return max(self.waited, time.monotonic() - self.started)

    def left(self) -> float:
        return max(self.allowed - self.spent(), 0.0)

    def wait(self, seconds: float, why: str, *, message: str | None = None, retry: bool = True) -> None:
        """Wait ``seconds`` (no more than what is left), saying so; ``GaveUpError`` when nothing is
        left.  ``why``: what went wrong (for the messages); ``message``: what to say instead;
        ``retry``: a transport retry (counted against ``retries``; a maxlag wait is not)."""
        if self.left() <= 0 or (retry and self.retries is not None and self.count >= self.retries):
            if retry:
                self.patience.silent = True
            raise GaveUpError(self.gave_up(why))
        seconds = round(min(seconds, self.left()), 1) or 0.1
        elapsed = time.monotonic() - self.started
        self.count += int(retry)
        self.waited += seconds
        total = max(self.waited, elapsed + seconds)  # by the end of this wait
        self.patience.say(message or (
            f"{self.patience.wiki}: {self.what}: {why}; waiting {seconds:g} s before trying again "
            f"({round(total, 1):g} of at most {self.allowed:g} s)"))
        self.patience.sleep(seconds)

    def gave_up(self, why: str) -> str:
        wiki, what = self.patience.wiki, self.what
        if self.retries is not None and self.count >= self.retries and self.left() > 0:
            return f"{what}: {wiki} did not answer after {self.count} retries and {self.waited:g} s of waiting ({why})"
        if self.allowed <= 0:
            return (f"{what}: {wiki} does not answer ({why}); it did not answer within "
                    f"{self.patience.max_wait:g} s before in this run")
        return f"{what}: {wiki} did not answer within {self.allowed:g} s ({why})"


def describe_failure(exc: BaseException) -> str:
    """A transport failure in a few words: "connection refused", "timed out", "503 Server Error…"."""
    text = " ".join(str(part) for part in (exc, exc.__cause__, exc.__context__) if part)
    for needle, said in (("Connection refused", "connection refused"), ("Connection reset", "connection reset"),
                         ("NameResolutionError", "its host name is not known"),
                         ("Name or service not known", "its host name is not known"),
                         ("Temporary failure in name resolution", "its host name could not be looked up"),
                         ("Read timed out", "no answer in time (read timeout)"),
                         ("timed out", "no answer in time (timeout)"),
                         ("RemoteDisconnected", "the connection was closed without an answer"),
                         ("Connection aborted", "the connection was closed without an answer")):
        if needle in text:
            return said
    shown = str(exc) or type(exc).__name__
    return shown if len(shown) <= 200 else shown[:199] + "…"


def login_error(site: Any, exc: BaseException) -> LoginError:
    """The wiki refused the login (or no account is configured): which account, which files to check."""
    config = pywikibot.config
    base = Path(getattr(config, "base_dir", "") or os.environ.get("PYWIKIBOT_DIR", "") or ".")
    family, code = site.family.name, site.code
    user = site.username()
    if not user:
        return LoginError(f"no account to log in to {site} with: set usernames['{family}']['{code}'] in "
                          f"{base / 'user-config.py'}")
    password_file = getattr(config, "password_file", None)
    where = (f"its BotPassword in {Path(base, password_file)} (password_file of {base / 'user-config.py'})"
             if password_file else f"password_file in {base / 'user-config.py'} (none is set)")
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    refused = isinstance(exc, pywikibot.exceptions.NoUsernameError) and not reason.startswith("no password")
    happened = "refused the login of" if refused else "cannot be logged in to as"  # the wiki said no / never asked
    return LoginError(f"{site} ({site.base_url(site.apipath())}) {happened} {user!r} ({reason}): "
                      f"check the account usernames['{family}']['{code}'] and {where}")


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


class _Patient:
    """For pywikibot's ``Request`` classes: retries after a transport failure (a refused connection,
    a timeout, HTTP 5xx, a non-JSON answer) wait within a ``WaitBudget``, not pywikibot's
    ``max_retries`` × doubling ``retry_wait``, and are said in a line, not with a traceback.

    The budget is the one the client gave (``_wikibot_budget``), else one from the site's
    ``Patience`` (``WikibotSite``), else one of the default bound.
    """

    site: Any
    action: str
    _wikibot_budget: WaitBudget | None = None
    _wikibot_problem: str = "no usable answer"

    def budget(self) -> WaitBudget:
        if self._wikibot_budget is None:
            patience = getattr(self.site, "patience", None)
            if not isinstance(patience, Patience):
                patience = Patience(wiki=str(self.site))
            retries = getattr(self, "max_retries", None)  # given to this request, not config.max_retries
            self._wikibot_budget = patience.budget(self._what(),
                                                   retries=retries if "max_retries" in vars(self) else None)
        return self._wikibot_budget

    def _what(self) -> str:
        """What pywikibot asks by this request, for messages."""
        params = getattr(self, "_params", None) or {}
        meta = "|".join(str(value) for value in params.get("meta", []))
        if self.action == "login":
            return "logging in"
        for module, said in (("userinfo", "asking who the bot is"), ("tokens", "fetching a token"),
                             ("siteinfo", "reading the site's information")):
            if module in meta:
                return said
        return "reading the API's modules" if self.action == "paraminfo" else f"action={self.action}"

    def wait(self, delay: float | None = None, **kwargs: Any) -> None:
        """pywikibot's wait after a failed request: ``retry_wait`` doubling, at most ``retry_max``, within
        the budget (``GaveUpError`` when it is spent)."""
        self.last_error = dict.fromkeys(["code", "info"])  # as api.Request.wait does
        budget = self.budget()
        first = delay or getattr(self, "retry_wait", None) or pywikibot.config.retry_wait
        seconds = min(float(first) * 2 ** budget.count, float(pywikibot.config.retry_max))
        budget.wait(seconds, self._wikibot_problem)

    def _http_request(
        self, use_get: bool, uri: str, data: Any, headers: dict[str, str] | None, paramstring: str
    ) -> tuple[requests.Response | None, bool]:
        try:
            response = http.request(self.site, uri=uri, method="GET" if use_get else "POST",
                                    data=data, headers=headers)
        except pywikibot.exceptions.Client414Error:
            if use_get:
                return None, False  # sent again as a POST
            raise
        except (ConnectionError, pywikibot.exceptions.FatalServerError, NameError):
            raise  # a host name not found, a certificate refused: waiting would not help (as pywikibot)
        except Exception as exc:  # refused, timed out, HTTP 5xx: wait, then send it again
            self._wikibot_problem = describe_failure(exc)
            self.wait()
            return None, use_get
        self._wikibot_problem = f"an answer it could not use (HTTP {response.status_code})"  # if one waits now
        return response, use_get

    def submit(self) -> dict[str, Any]:
        budget = self.budget()  # its clock starts with the first attempt
        result: dict[str, Any] = super().submit()  # type: ignore[misc]
        budget.patience.answered()
        return result


class _Bounded(_Patient, api.Request):  # type: ignore[misc]
    """A request pywikibot makes on its own (userinfo, tokens, login) on a ``WikibotSite``."""


class _BoundedCached(_Patient, api.CachedRequest):  # type: ignore[misc]
    """A cached one (siteinfo, paraminfo) on a ``WikibotSite``."""


def request_class(kwargs: dict[str, Any]) -> type[api.Request]:
    """The request class for pywikibot's own requests on a ``WikibotSite`` (as ``APISite._request_class``)."""
    return _BoundedCached if kwargs.get("expiry") is not None else _Bounded


class _Request(_Patient, api.Request):  # type: ignore[misc]
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
    """A write: never resent when its fate is unknown; sent again, within the budget, when no
    connection could be made (see the module docstring)."""

    def _simulate(self, action: str) -> dict[str, Any] | None:
        if super()._simulate(action) is not None:  # pywikibot's simulate: nothing is sent
            raise SimulatedWriteError(action)
        return None

    def _http_request(
        self, use_get: bool, uri: str, data: Any, headers: dict[str, str] | None, paramstring: str
    ) -> tuple[requests.Response | None, bool]:
        try:
            response = http.request(self.site, uri=uri, method="GET" if use_get else "POST",
                                    data=data, headers=headers)
        except Exception as exc:
            if _never_connected(exc):
                self._wikibot_problem = describe_failure(exc)
                try:
                    self.wait()  # nothing left this machine: safe to send again
                except GaveUpError as gave_up:
                    raise _NotSentError(str(gave_up)) from exc
                return None, use_get
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
    every failure this client reports is one of those, but a refused login (``LoginError``);
    an ``APIError`` is passed through.
    """

    def __init__(
        self,
        site: Any,
        *,
        owner: str,
        error: type[Exception],
        maxlag: int = DEFAULT_MAXLAG,
        maxlag_retries: int = DEFAULT_MAXLAG_RETRIES,
        retries: int | None = DEFAULT_RETRIES,
        sleep: Callable[[float], None] | None = None,
        patience: Patience | None = None,
    ) -> None:
        """``owner``: the adapter's name, for messages.  ``patience``: how long a request may wait
        (default: the site's, from ``open_site``, else ``DEFAULT_MAX_WAIT``); ``sleep`` waits (default
        ``time.sleep``).  No request is made here."""
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
        own = getattr(site, "patience", None)
        self.patience = patience or (own if isinstance(own, Patience) else
                                     Patience(wiki=f"{site} ({site.base_url(site.apipath())})"))
        if sleep is not None:
            self.patience = Patience(self.patience.max_wait, wiki=self.patience.wiki, report=self.patience.report,
                                     sleep=sleep)
        self._refused: LoginError | None = None  # a refused login is not tried again

    def wait(self, seconds: float) -> None:
        self.patience.sleep(seconds)

    def submit(self, what: str, make: Callable[[], Any]) -> dict[str, Any]:
        """Submit ``make()``; on ``maxlag`` or HTTP 429 wait ``Retry-After`` (without one, 5 s doubling
        on each retry) and send a new one, at most ``maxlag_retries`` times; every wait of it (these and
        the transport's) within one ``WaitBudget``."""
        budget = self.patience.budget(what, retries=self.retries)
        lagged_for = 0.0
        for attempt in range(self.maxlag_retries + 1):
            request = make()
            request._wikibot_budget = budget
            try:
                result: dict[str, Any] = request.submit()
                return result
            except _LaggedError as lagged:
                state = "busy" if isinstance(lagged, _ThrottledError) else "lagged"
                if attempt == self.maxlag_retries:
                    raise self.error(
                        f"{what}: the wiki is still {state} ({lagged.describe()}) after {self.maxlag_retries} "
                        f"retries and {lagged_for:g} s of waiting; nothing was done, try again later"
                    ) from None
                if isinstance(lagged, _ThrottledError) and not lagged.asked:
                    seconds = min(BACKOFF * 2 ** attempt, MAX_WAIT)
                    why = "backing off, as it said not when to come back"
                else:
                    seconds = lagged.retry_after
                    why = "as its Retry-After asks"
                seconds = min(seconds, budget.left()) or seconds
                message = (f"{what}: the wiki is {state} ({lagged.describe()}); waiting {seconds:g} s "
                           f"{why} (retry {attempt + 1} of {self.maxlag_retries})")
                try:
                    budget.wait(seconds, f"the wiki is {state}", message=message, retry=False)
                except GaveUpError:
                    raise self.error(
                        f"{what}: the wiki is still {state} ({lagged.describe()}) after {budget.waited:g} s "
                        f"of waiting (at most {self.patience.max_wait:g} s); nothing was done, try again later"
                    ) from None
                lagged_for += seconds
        raise AssertionError("unreachable")  # pragma: no cover

    def login(self, *, required: bool) -> None:
        """Log in with pywikibot's configured account (once; pywikibot keeps the session).

        A refused login (a wrong BotPassword) is ``LoginError``, and not tried again by this client."""
        if self._refused is not None:
            raise self._refused
        if self.site.logged_in():
            return
        if not required and not self.site.username():
            return  # an anonymous reader
        try:
            self._check_password()
            self.site.login()
        except Exception as exc:
            raise self.failure(f"logging in to {self.site}", exc) from exc
        if required and not self.site.logged_in():
            raise self.error(f"not logged in to {self.site} as {self.site.username()!r}")

    def _check_password(self) -> None:
        """A password for the account is configured (or OAuth is): without one pywikibot would ask
        for it on the terminal, and a scheduled run has none."""
        if not self.site.username() or self.site.is_oauth_token_available():
            return  # pywikibot says that no account is configured itself
        manager = pywikibot.login.ClientLoginManager(site=self.site, user=self.site.username())
        if not manager.password:
            raise pywikibot.exceptions.NoUsernameError(f"no password for {self.site.username()!r} on {self.site} "
                                                       "in the password file")

    def failure(self, what: str, exc: BaseException) -> Exception:
        """The error to raise for ``exc``, which stopped ``what``: a refused login is ``LoginError``
        (remembered), a wiki that did not answer in time says so, anything else is the adapter's error."""
        if isinstance(exc, LoginError):
            return exc
        if isinstance(exc, pywikibot.exceptions.NoUsernameError) or (
                isinstance(exc, (ValueError, FileNotFoundError)) and "password" in str(exc).lower()):
            self._refused = login_error(self.site, exc)  # a missing or malformed password file too
            return self._refused
        if isinstance(exc, GaveUpError):
            return self.error(str(exc))
        if isinstance(exc, (pywikibot.exceptions.Error, OSError)):
            return self.error(f"{what} on {self.site} failed: {exc}")
        raise exc

    def read(self, what: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """One read (sent again on ``maxlag``); an ``APIError`` is passed through."""
        try:
            return self.submit(what, lambda: _Request(site=self.site, parameters=dict(parameters),
                                                      **self._retries()))
        except pywikibot.exceptions.APIError:
            raise
        except (pywikibot.exceptions.Error, OSError, ValueError) as exc:
            raise self.failure(what, exc) from exc

    def read_as(self, what: str, parameters: dict[str, Any], error: type[Exception]) -> dict[str, Any]:
        """``read`` as the configured account (bot limits; a refused login said now), a refusal by the
        wiki (``APIError``) raised as ``error`` saying what was asked of which wiki."""
        self.login(required=False)
        try:
            return self.read(what, parameters)
        except pywikibot.exceptions.APIError as err:
            raise error(f"{what} on {self.site} failed: {err.code}: {err.info}") from err

    def _retries(self) -> dict[str, int]:
        return {} if self.retries is None else {"max_retries": self.retries}

    def write(self, what: str, parameters: dict[str, Any], *, reread: str) -> dict[str, Any]:
        """One write as the logged-in account, with the csrf token; an ``APIError`` is passed through.

        ``reread``: what to do before trying again when the write's fate is unknown
        (e.g. "re-read the page"), for the error message.  ``SimulatedWriteError`` when pywikibot's
        ``simulate`` kept it from being sent.
        """
        self.login(required=True)

        def make() -> Any:
            return _WriteRequest(site=self.site, parameters={**parameters, "token": self.token()},
                                 use_get=False, **self._retries())

        try:
            return self.submit_renewing_token(what, make)
        except (pywikibot.exceptions.APIError, SimulatedWriteError):
            raise
        except _NotSentError as exc:
            raise self.error(f"{exc}; the edit was not sent") from exc
        except _UnsureWriteError as exc:
            raise self.error(
                f"{what}: {exc}; the edit may or may not have been saved, so it was not sent "
                f"again: {reread} before trying again"
            ) from exc
        except (pywikibot.exceptions.Error, OSError, KeyError, ValueError) as exc:
            raise self.failure(what, exc) from exc

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
        except (pywikibot.exceptions.Error, OSError, ValueError) as exc:
            raise self.failure(f"fetching a csrf token from {self.site}", exc) from exc
        return token
