"""A remote SPARQL endpoint (a Wikibase's query service, Oxigraph, …) through SPARQLWrapper.

JSON results; GET, or a URL-encoded POST when the query is longer than ``POST_THRESHOLD``
characters (URLs that long are cut by proxies); the configured User-Agent (WDQS blocks
clients without a descriptive one).  HTTP 429 and 503 (and 502, 504, a refused connection)
are retried at most ``retries`` times: after ``Retry-After`` seconds when the endpoint says
so, else after ``backoff`` seconds doubled each time; never after more than ``max_wait``
seconds: an endpoint that asks for longer is not retried (QueryEndpointError), since coming
back sooner than asked is what gets a client banned.  A query that ran out of time is not
retried either: it would run out again.  HTTP 400 is a bad query: QueryError with the
endpoint's message.

``default_graph``: the IRI sent as ``default-graph-uri`` with every query (SPARQL 1.1
Protocol): the graph the query's patterns match when the endpoint serves several (Virtuoso
answers from the union of every graph it holds, its own system graphs included, when none is
named).  Unset: nothing is sent and the endpoint decides.
"""

from __future__ import annotations

import ast
import json
import logging
import socket
import time
import urllib.error
from collections.abc import Callable
from http.client import HTTPException
from typing import Any

from SPARQLWrapper import GET, JSON, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from ..ports import QueryEndpointError, QueryError, SelectResult

log = logging.getLogger(__name__)

POST_THRESHOLD = 1500  # characters: a longer query is POSTed
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MESSAGE_LIMIT = 2000  # characters of an endpoint's error message kept in an exception


class _RetryableError(Exception):
    """One failed attempt that may be tried again: what happened, and what the endpoint asked."""

    def __init__(self, what: str, retry_after: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in its seconds form; None when absent or an HTTP date (then: our backoff)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0)


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return body.strip()[:MESSAGE_LIMIT]


def _timed_out(error: BaseException) -> bool:
    reason = getattr(error, "reason", None)
    return isinstance(error, TimeoutError | socket.timeout) or isinstance(reason, TimeoutError | socket.timeout)


def _server_message(error: QueryBadFormed) -> str:
    """The endpoint's own words: SPARQLWrapper writes them as ``…\n\nResponse:\nb'<the body>'``."""
    text = str(error)
    _, marker, raw = text.partition("Response:\n")
    if not marker:
        return _text(text)
    try:
        body = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError):
        return _text(raw)
    return _text(body) if isinstance(body, bytes | str) else _text(raw)


class SparqlEndpoint:
    """A ``QueryEndpoint`` at ``url`` (e.g. ``https://query.example.org/sparql``).

    ``default_graph``: the IRI of the graph to query, sent as ``default-graph-uri``;
    ``timeout``: seconds for one request; ``retries``: how many times a failed request is sent
    again; ``backoff``: the first wait when the endpoint gives no ``Retry-After``; ``max_wait``:
    the longest wait; ``sleep``: how to wait (tests pass a recorder).  Nothing is sent before
    ``select``.
    """

    def __init__(self, url: str, *, user_agent: str, default_graph: str | None = None, timeout: float = 60.0,
                 retries: int = 3, backoff: float = 1.0, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not user_agent.strip():
            raise ValueError("a SPARQL endpoint needs a descriptive User-Agent")
        self.url = url
        self.user_agent = user_agent
        self.default_graph = default_graph
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep

    def select(self, query: str) -> SelectResult:
        attempt = 0
        while True:
            try:
                return self._attempt(query)
            except _RetryableError as failure:
                if attempt >= self.retries:
                    raise QueryEndpointError(
                        f"{self.url}: {failure.what}; gave up after {attempt + 1} attempts") from failure
                wait = failure.retry_after if failure.retry_after is not None else self.backoff * 2 ** attempt
                if wait > self.max_wait:
                    if failure.retry_after is not None:
                        raise QueryEndpointError(
                            f"{self.url}: {failure.what}; it asks to wait {wait:g} s, more than the {self.max_wait:g} s"
                            " we wait at most") from failure
                    wait = self.max_wait
                attempt += 1
                log.warning("%s: %s; waiting %g s before retry %d of %d", self.url, failure.what, wait, attempt,
                            self.retries)
                self._sleep(wait)

    def _client(self, query: str) -> SPARQLWrapper:
        client = SPARQLWrapper(self.url, agent=self.user_agent, returnFormat=JSON)
        client.setOnlyConneg(True)  # no format=/output= parameters: the Accept header says it
        client.setQuery(query)
        if self.default_graph is not None:
            client.addParameter("default-graph-uri", self.default_graph)
        client.setMethod(POST if len(query) > POST_THRESHOLD else GET)
        client.setRequestMethod(URLENCODED)
        # setTimeout() truncates to whole seconds, and 0 would mean no timeout at all:
        client.timeout = self.timeout  # type: ignore[assignment]
        return client

    def _attempt(self, query: str) -> SelectResult:
        """One request; the result, or QueryError, QueryEndpointError, or _RetryableError when it may be retried."""
        client = self._client(query)
        try:
            response = client.query().response
            body = response.read()
        except QueryBadFormed as error:
            raise QueryError(_server_message(error)) from error
        except urllib.error.HTTPError as error:
            what = f"HTTP {error.code} {error.reason}"
            detail = _text(error.read())
            if detail:
                what += f": {detail[:300]}"
            if error.code in RETRY_STATUSES:
                raise _RetryableError(what, _retry_after(error.headers.get("Retry-After"))) from error
            raise QueryEndpointError(f"{self.url}: {what}") from error
        except SPARQLWrapperException as error:  # 401, 404, 414, 500
            raise QueryEndpointError(f"{self.url}: {_text(str(error))}") from error
        except (urllib.error.URLError, OSError, HTTPException) as error:
            if _timed_out(error):
                raise QueryEndpointError(f"{self.url}: no answer within {self.timeout:g} s") from error
            raise _RetryableError(f"unreachable ({getattr(error, 'reason', None) or error})") from error
        return self._parse(body)

    def _parse(self, body: bytes) -> SelectResult:
        try:
            answer: Any = json.loads(body)
            return SelectResult.from_json(answer)
        except (ValueError, TypeError) as error:
            raise QueryEndpointError(f"{self.url}: the answer is not a SPARQL JSON result ({error}): "
                                     f"{_text(body)[:200]!r}") from error
