"""Replay harness: the live EntityStore on real pywikibot, answered with real Wikibase answers.

pywikibot runs unmodified; only its HTTP transport is replaced by a ``responses`` mock that
answers every request to ``http://127.0.0.1:8282/api.php`` (the URL of the captures) the way
the captured MediaWiki 1.43 + Wikibase did: from ``shared/fixtures/wikibase/*.json`` where a
capture fits, from real MediaWiki answers captured for this harness (``replay/captured/``)
for what pywikibot asks at start-up, and from a few answers synthesized in this module
(each ``_synth_*`` function, listed in ``replay/README.md``).  Any other request, to any
other host or an action nobody scripted, is recorded in ``Replay.problems``, fails at once
(it is a ``ConnectionError``, which pywikibot does not retry) and fails the test on exit.

Use::

    with replay_wikibase(monkeypatch, highvolume=False) as (store, replay):
        replay.queue("wbeditentity", "wbeditentity_new_item_with_claims.json")
        outcome = store.save_entity(None, data, base_revid=None, summary="create")
        assert replay.count("wbeditentity") == 1

pywikibot reads its configuration once per process, when it is first imported: importing
this module points ``PYWIKIBOT_DIR`` at the private directory of replay/pywikibot_env.py
(unless pywikibot is already imported), and pywikibot is imported only inside
``replay_wikibase``.  Import ``wikibot.adapters.wikibase_live`` lazily in tests for the same
reason.  Each replay re-applies the few settings it relies on (with ``monkeypatch``), so it
also works when another test imported pywikibot first with its own directory.
``time.time`` and every sleep pywikibot or the adapter makes run on a ``FakeClock``:
nothing really waits, and ``replay.clock.sleeps`` says how long each wait would have been.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest
import requests
import responses

import wikibot
from replay.fixtures import FIXTURES, capture
from replay.pywikibot_env import add_password, import_pywikibot, pywikibot_dir
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.ports import EntityConflict, EntitySaved, NoChange, Patched, Rejected

CAPTURED = Path(__file__).resolve().parent / "captured" / "mediawiki-1.39"

API_URL = "http://127.0.0.1:8282/api.php"
FAMILY = "wikibase"
BOT = "WikibaseBot"
BOT_APP = "pybot"
BOT_PASSWORD = "0123456789abcdefghijklmnopqrstuv"  # BotPasswords must match [0-9a-w]{32,}
SESSION_COOKIE = "wikibase_BPsession"  # "<wikiid>_BPsession", as MediaWiki names a BotPassword session
USER_AGENT_DESCRIPTION = f"wikibot/{wikibot.__version__} (replay tests)"
# MediaWiki's $wgGrantPermissions['highvolume']: what a BotPassword without that grant lacks.
HIGHVOLUME_RIGHTS = frozenset({"bot", "apihighlimits", "noratelimit", "markbotedits"})
LOW_LIMIT, HIGH_LIMIT = 50, 500
SEARCH_PAGE = 50  # wbsearchentities limit=max for a bot

# The request parameters that pick a capture: a capture is served only to a request that
# carries the same values for these (``data`` compared as JSON, ``ids`` as a set).
RELEVANT = {
    "wbeditentity": ("id", "new", "baserevid", "data"),
    "wbgetentities": ("ids",),
    "wbsearchentities": ("search", "language", "type"),
}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def captured(name: str) -> dict[str, Any]:
    """A capture of a real MediaWiki 1.39 made for this harness (replay/captured/)."""
    data: dict[str, Any] = json.loads((CAPTURED / f"{name}.json").read_text(encoding="utf-8"))
    return data


def capture_params(name: str) -> dict[str, str]:
    request = capture(name)["request"]
    params: dict[str, str] = {**(request["query"] or {}), **(request["body"] or {})}
    return params


def capture_data(name: str) -> dict[str, Any]:
    """The ``data`` a capture's wbeditentity sent, as the dict one gives ``save_entity``."""
    data: dict[str, Any] = json.loads(capture_params(name)["data"])
    return data


class Raw(str):
    """A body sent as it is (an HTML error page), not as JSON."""


class UnexpectedRequestError(ConnectionError):
    """A request the replay has no answer for (pywikibot re-raises ConnectionError at once)."""


class FakeClock:
    """``time.time`` that moves only when something sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = time.time()
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)


@dataclass(frozen=True)
class Call:
    """One HTTP request as the wiki received it."""

    method: str
    url: str
    params: dict[str, str]  # query string and form body together
    headers: dict[str, str]  # names in lower case

    @property
    def action(self) -> str:
        return self.params.get("action", "")

    def data(self) -> Any:
        return json.loads(self.params["data"])


@dataclass
class Answer:
    """A scripted answer: served to the next request of its action that ``match`` accepts."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    match: dict[str, str] = field(default_factory=dict)
    source: str = "synthesized"
    error: Exception | None = None  # raised instead of answering (a transport failure)

    @classmethod
    def of(cls, name: str, *, match: tuple[str, ...] | None = None) -> Answer:
        """The answer of capture ``name``, for requests like the capture's (``match``: which params)."""
        recorded = capture(name)
        params = capture_params(name)
        keys = RELEVANT.get(params.get("action", ""), ()) if match is None else match
        return cls(body=recorded["response"], status=recorded["http"]["status"],
                   headers=dict(recorded["http"]["headers"]),
                   match={key: params.get(key, "") for key in keys}, source=name)

    def mismatch(self, call: Call) -> str | None:
        for key, expected in self.match.items():
            got = call.params.get(key, "")
            if key == "data" and _same_json(got, expected):
                continue
            if key == "ids" and set(got.split("|")) == set(expected.split("|")):
                continue
            if got != expected:
                return f"{key}={got[:200]!r}, but {self.source} was answered to {key}={expected[:200]!r}"
        return None


def _same_json(a: str, b: str) -> bool:
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return a == b


def _fv1(value: Any) -> Any:
    """A formatversion=2 structure as formatversion=1 gives it: true is "", false is absent."""
    if isinstance(value, dict):
        return {k: ("" if v is True else _fv1(v)) for k, v in value.items() if v is not False}
    if isinstance(value, list):
        return [_fv1(v) for v in value]
    return value


class Replay:
    """The fake wiki: answers, records every request, keeps a session and a csrf token."""

    def __init__(self, *, highvolume: bool = True, backend: Path | None = None) -> None:
        self.highvolume = highvolume  # does the BotPassword have the "highvolume" grant?
        # A stateful wiki: what no capture was queued for is answered from a LocalEntityStore
        # in ``backend`` (entities, revisions, conflicts, id allocation), in the captures' shapes.
        self.backend = LocalEntityStore(backend) if backend is not None else None
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.clock = FakeClock()
        self.login_fails = False
        self.silent = False  # True: no request is answered (the connection is refused), as a wiki that is down
        self.login_token: str = capture("api_login_logintoken.json")["response"]["query"]["tokens"]["logintoken"]
        self.csrf_token: str = capture("api_tokens_csrf_loggedin.json")["response"]["query"]["tokens"]["csrftoken"]
        self.entities: dict[str, dict[str, Any]] = {}
        for name in ("wbgetentities_50_items.json", "wbgetentities_properties.json", "wbgetentities_3_items.json"):
            self.entities.update(capture(name)["response"]["entities"])
        self._sessions: set[str] = set()
        self._logins = 0
        self._queues: dict[str, list[Answer]] = {}
        self._forever: dict[str, Answer] = {}

    # -- scripting -----------------------------------------------------------------------
    def queue(self, action: str, *answers: str | Answer, forever: bool = False) -> None:
        """Answer the next requests of ``action`` with these captures/answers, in order.

        ``forever``: the last one answers every further request too (e.g. a wiki that stays lagged).
        """
        items = [Answer.of(a) if isinstance(a, str) else a for a in answers]
        self._queues.setdefault(action, []).extend(items)
        if forever and items:
            self._forever[action] = items[-1]

    def expire_session(self) -> None:
        """The wiki forgets every session (as after a session-store flush)."""
        self._sessions.clear()

    def rotate_csrf_token(self) -> str:
        """The session's csrf token changes: tokens handed out before are now ``badtoken``."""
        self.csrf_token = secrets.token_hex(20) + secrets.token_hex(4) + "+\\"
        return self.csrf_token

    def add_items(self, ids: list[str]) -> None:
        """Items ``ids`` exist: synthesized from the captured bulk items, renumbered."""
        templates = list(capture("wbgetentities_50_items.json")["response"]["entities"].values())
        for n, entity_id in enumerate(ids):
            self.entities[entity_id] = _synth_item(templates[n % len(templates)], entity_id, 1000 + n)

    # -- reading what happened -----------------------------------------------------------
    def calls_of(self, action: str) -> list[Call]:
        return [call for call in self.calls if call.action == action]

    def count(self, action: str) -> int:
        return len(self.calls_of(action))

    def token_requests(self) -> list[Call]:
        return [c for c in self.calls if c.action == "query" and "tokens" in c.params.get("meta", "").split("|")]

    # -- answering -----------------------------------------------------------------------
    def respond(self, request: Any) -> tuple[int, dict[str, str], str]:
        split = urllib.parse.urlsplit(request.url)
        body = request.body if isinstance(request.body, str) else (request.body or b"").decode("utf-8")
        params = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        content_type = request.headers.get("Content-Type") or ""
        if body and "multipart" not in content_type:
            params.update(urllib.parse.parse_qsl(body, keep_blank_values=True))
        call = Call(request.method, request.url, params, {k.lower(): v for k, v in request.headers.items()})
        self.calls.append(call)
        if self.silent:
            self._serve(connection_refused())  # raises: nothing listens
        if f"{split.scheme}://{split.netloc}{split.path}" != API_URL:
            return self._unexpected(call, "not the wiki's API")
        handler = getattr(self, "_on_" + call.action.replace("-", "_"), None)
        if handler is None:
            return self._unexpected(call, "no such action in this replay")
        status, headers, answer = handler(call)
        if isinstance(answer, Raw):
            return status, {"Content-Type": "text/html; charset=utf-8", **headers}, str(answer)
        return status, {"Content-Type": "application/json; charset=utf-8", **headers}, json.dumps(answer)

    def _unexpected(self, call: Call, why: str) -> NoReturn:
        shown = {k: v[:80] for k, v in call.params.items() if k not in ("lgpassword", "token")}
        self.problems.append(f"{why}: {call.method} {call.url.split('?')[0]} {shown}")
        raise UnexpectedRequestError(self.problems[-1])

    def _logged_in(self, call: Call) -> bool:
        cookies = dict(part.strip().split("=", 1) for part in call.headers.get("cookie", "").split(";") if "=" in part)
        return cookies.get(SESSION_COOKIE) in self._sessions

    def _scripted(self, call: Call) -> Answer | None:
        queue = self._queues.get(call.action) or []
        if queue:
            answer = queue.pop(0)
        elif call.action in self._forever:
            answer = self._forever[call.action]
        else:
            return None
        problem = answer.mismatch(call)
        if problem:
            self._unexpected(call, problem)
        return answer

    @staticmethod
    def _serve(answer: Answer) -> tuple[int, dict[str, str], Any]:
        if answer.error is not None:
            raise answer.error
        headers = {k: v for k, v in answer.headers.items()
                   if k.lower() not in ("content-length", "content-encoding", "transfer-encoding", "content-type")}
        return answer.status, headers, answer.body if isinstance(answer.body, Raw) else copy.deepcopy(answer.body)

    # meta=userinfo|tokens|siteinfo
    def _on_query(self, call: Call) -> tuple[int, dict[str, str], Any]:
        if call.params.get("list") == "recentchanges" and not set(call.params) & {"prop", "generator", "titles"}:
            return self._recent_changes(call)
        modules = set(call.params) & {"list", "prop", "generator", "titles", "pageids", "revids"}
        if modules:
            return self._unexpected(call, f"query modules {sorted(modules)} are not replayed")
        fv2 = call.params.get("formatversion") == "2"
        query: dict[str, Any] = {}
        for meta in filter(None, call.params.get("meta", "").split("|")):
            if meta == "userinfo":
                query["userinfo"] = self._userinfo(call)
            elif meta == "tokens":
                query["tokens"] = self._tokens(call)
            elif meta == "siteinfo" and not fv2 and set(call.params.get("siprop", "general").split("|")) <= {
                    "general", "namespaces"}:
                query.update(capture("api_siteinfo_general_namespaces.json")["response"]["query"])
            elif meta == "siteinfo" and fv2 and set(call.params.get("siprop", "general").split("|")) <= {
                    "general", "namespaces", "namespacealiases"}:
                query.update(capture("api_siteinfo_general_namespaces_fv2.json")["response"]["query"])
                if "namespacealiases" in call.params.get("siprop", ""):
                    query["namespacealiases"] = []  # synthesized: the instance has none (_synth: README)
            else:
                return self._unexpected(call, f"meta={meta} is not replayed")
        answer = {"batchcomplete": True, "query": query}
        return 200, {}, answer if fv2 else _fv1(answer)

    def _recent_changes(self, call: Call) -> tuple[int, dict[str, str], Any]:
        """``list=recentchanges`` in the shape of ``recentchanges_items_and_pages.json``, from the
        backend's change log (every save of the backend's store adds a line to it): its entities'
        edits and creations, newest first, since ``rcend``, in ``rcnamespace``."""
        end = call.params.get("rcend", "")
        namespaces = {int(n) for n in call.params.get("rcnamespace", "").split("|") if n.isdigit()}
        logged = self.backend.log_since(0) if self.backend is not None else None
        lines = logged[0] if logged is not None else []
        changes: list[dict[str, Any]] = []
        for line in lines:
            revid, entity_id, timestamp = [*line.split("\t"), "", "", ""][:3]
            if not revid.isdigit() or timestamp < end:
                continue
            namespace, prefix = (122, "Property") if entity_id.startswith("P") else (120, "Item")
            if namespaces and namespace not in namespaces:
                continue
            changes.append({"type": "edit", "ns": namespace, "title": f"{prefix}:{entity_id}",
                            "pageid": 100000 + int(entity_id[1:]), "revid": int(revid), "old_revid": 0,
                            "rcid": int(revid), "timestamp": timestamp})
        changes.sort(key=lambda change: -int(change["revid"]))
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        answer = {"batchcomplete": True, "curtimestamp": now, "query": {"recentchanges": changes}}
        return 200, {}, answer if call.params.get("formatversion") == "2" else _fv1(answer)

    def _userinfo(self, call: Call) -> dict[str, Any]:
        if self._logged_in(call):
            info = _synth_userinfo_bot(highvolume=self.highvolume)
        else:
            info = captured("userinfo_anonymous_fv2")["response"]["query"]["userinfo"]
        props = set(call.params.get("uiprop", "").split("|"))
        wanted = {"id", "name", "anon"} | {p for p in ("groups", "rights", "ratelimits") if p in props}
        out = {k: v for k, v in info.items() if k in wanted}
        if "hasmsg" in props:
            out["messages"] = False
        return out

    def _tokens(self, call: Call) -> dict[str, str]:
        types = call.params.get("type", "csrf").split("|")
        if self._logged_in(call):
            tokens = dict(capture("api_tokens_all_types_loggedin.json")["response"]["query"]["tokens"])
            tokens["csrftoken"] = self.csrf_token
        else:
            tokens = _synth_tokens_anonymous(self.login_token)
        unknown = [t for t in types if f"{t}token" not in tokens]
        if unknown:
            self._unexpected(call, f"token types {unknown} are not replayed")
        return {f"{t}token": tokens[f"{t}token"] for t in types}

    def _on_paraminfo(self, call: Call) -> tuple[int, dict[str, str], Any]:
        files = {"main|paraminfo|query": "paraminfo_main_paraminfo_query", "query+tokens": "paraminfo_query_tokens"}
        name = files.get(call.params.get("modules", ""))
        if name is None:
            return self._unexpected(call, "paraminfo for these modules was not captured")
        return 200, {}, captured(name)["response"]

    def _on_login(self, call: Call) -> tuple[int, dict[str, str], Any]:
        ok = (call.method == "POST" and not self.login_fails and call.params.get("lgname") == f"{BOT}@{BOT_APP}"
              and call.params.get("lgpassword") == BOT_PASSWORD and call.params.get("lgtoken") == self.login_token)
        if not ok:  # the bot logs in with a BotPassword (lgname "User@app"): what the wiki answers to a wrong one
            refused = "api_login_failed_wrong_botpassword.json" if "@" in call.params.get("lgname", "") else \
                "api_login_failed_wrong_password.json"
            return self._serve(Answer.of(refused, match=()))
        session = secrets.token_hex(16)
        self._sessions.add(session)
        self._logins += 1
        if self._logins > 1:  # a new session has a new csrf token; the first one is the captured token
            self.rotate_csrf_token()
        status, headers, body = self._serve(Answer.of("api_login_success.json", match=()))
        return status, {**headers, "Set-Cookie": f"{SESSION_COOKIE}={session}; path=/; HttpOnly"}, body

    def _on_wbgetentities(self, call: Call) -> tuple[int, dict[str, str], Any]:
        answer = self._scripted(call)
        if answer is not None:
            return self._serve(answer)
        ids = call.params.get("ids", "").split("|")
        limit = HIGH_LIMIT if self.highvolume and self._logged_in(call) else LOW_LIMIT
        if len(ids) > limit:
            return 200, {"MediaWiki-API-Error": "toomanyvalues"}, _synth_too_many(limit)
        entities: dict[str, Any] = {}
        for entity_id in ids:
            if not re.fullmatch(r"[QPL][1-9][0-9]*", entity_id):
                return 200, {"MediaWiki-API-Error": "no-such-entity"}, _synth_invalid_id(entity_id)
            if self.backend is not None:
                stored = self.backend.fetch_entities([entity_id])[entity_id]
                entities[entity_id] = _synth_read(stored.data) if stored else {"id": entity_id, "missing": ""}
                continue
            found = self.entities.get(entity_id)
            entities[entity_id] = copy.deepcopy(found) if found else {"id": entity_id, "missing": ""}
        if call.params.get("props") == "info":  # as wbgetentities_50_props_info.json: page fields only
            entities = {i: e if "missing" in e else _synth_info(e) for i, e in entities.items()}
        return 200, {}, {"entities": entities, "success": 1}

    def _on_wbeditentity(self, call: Call) -> tuple[int, dict[str, str], Any]:
        # The order in which MediaWiki's ApiMain checks a request: asserts, token, maxlag, module.
        if call.params.get("assert") == "user" and not self._logged_in(call):
            return self._serve(Answer(**_recorded(captured("error_assertuserfailed"))))
        if "token" not in call.params:
            return self._serve(Answer.of("wbeditentity_error_missingparam_token_get.json", match=()))
        if call.method != "POST":
            return self._serve(Answer.of("wbeditentity_error_mustpostparams_token_in_query.json", match=()))
        if call.params["token"] != self.csrf_token or not self._logged_in(call):
            return self._serve(Answer.of("wbeditentity_error_badtoken.json", match=()))
        answer = self._scripted(call)
        if answer is not None:
            return self._serve(answer)
        if self.backend is None:
            return self._unexpected(call, "no wbeditentity answer was queued")
        return self._edit_backend(call)

    def _edit_backend(self, call: Call) -> tuple[int, dict[str, str], Any]:
        """The edit applied to the backend, answered as the real Wikibase answered such an edit."""
        assert self.backend is not None
        try:
            data = json.loads(call.params.get("data", ""))
        except ValueError:
            return self._serve(Answer.of("wbeditentity_error_malformed_json.json", match=()))
        entity_id = call.params.get("id") or None
        new = call.params.get("new", "item")
        if entity_id is None and new not in ("item", "property"):
            return self._unexpected(call, f"new={new!r} is not replayed")
        base = call.params.get("baserevid")
        outcome = self.backend.save_entity(entity_id, data, base_revid=int(base) if base else None,
                                           summary=call.params.get("summary", ""),
                                           new="property" if new == "property" else "item")
        if isinstance(outcome, (EntitySaved, Patched)):
            stored = self.backend.fetch_entities([outcome.id])[outcome.id]
            assert stored is not None
            body: dict[str, Any] = {"entity": _synth_edited(stored.data), "success": 1}
            if isinstance(outcome, Patched):  # before "success", as the capture has it
                warnings = capture("wbeditentity_stale_baserevid_patched_no_conflict.json")["response"]["warnings"]
                body = {"entity": body["entity"], "warnings": copy.deepcopy(warnings), "success": 1}
            return 200, {}, body
        if isinstance(outcome, NoChange):
            assert entity_id is not None
            stored = self.backend.fetch_entities([entity_id])[entity_id]
            assert stored is not None
            return 200, {}, {"entity": {**_synth_edited(stored.data), "nochange": ""}, "success": 1}
        if isinstance(outcome, EntityConflict):
            return self._serve(Answer.of("wbeditentity_error_editconflict_stale_baserevid.json", match=()))
        assert isinstance(outcome, Rejected)
        return self._serve(_synth_rejection(outcome))

    def _on_wbsearchentities(self, call: Call) -> tuple[int, dict[str, str], Any]:
        answer = self._scripted(call)
        if answer is not None:
            return self._serve(answer)
        if self.backend is None:
            return self._unexpected(call, "no wbsearchentities answer was queued")
        return self._serve(self._search_backend(call))

    def _search_backend(self, call: Call) -> Answer:
        """Wikibase's prefix search over the backend's labels: exact matches first, 50 a page."""
        assert self.backend is not None
        search, language = call.params.get("search", ""), call.params.get("language", "en")
        entity_type = call.params.get("type", "item")
        prefix = "P" if entity_type == "property" else "Q"
        hits: list[tuple[bool, str, str]] = []
        for entity_id in self.backend.entity_ids():
            if not entity_id.startswith(prefix):
                continue
            stored = self.backend.fetch_entities([entity_id])[entity_id]
            label = (stored.data.get("labels", {}).get(language, {}).get("value") if stored else None) or ""
            if label.casefold().startswith(search.casefold()):
                hits.append((label != search, entity_id, label))
        hits.sort(key=lambda hit: (hit[0], int(hit[1][1:])))
        start = int(call.params.get("continue", "0") or 0)
        page = hits[start:start + SEARCH_PAGE]
        more = start + SEARCH_PAGE if len(hits) > start + SEARCH_PAGE else None
        return synth_search(search, [synth_search_hit(i, label, language=language) for _, i, label in page],
                            language=language, entity_type=entity_type, more=more)


def _recorded(record: dict[str, Any]) -> dict[str, Any]:
    return {"body": record["response"], "status": record["http"]["status"],
            "headers": dict(record["http"]["headers"]), "source": record.get("note", "captured")}


# -- synthesized answers (see replay/README.md) ------------------------------------------------

def _synth_userinfo_bot(*, highvolume: bool) -> dict[str, Any]:
    """The 1.43 capture of the bot's userinfo; without the "highvolume" grant's rights if asked."""
    info: dict[str, Any] = copy.deepcopy(capture("api_userinfo_bot.json")["response"]["query"]["userinfo"])
    if not highvolume:
        info["rights"] = [r for r in info["rights"] if r not in HIGHVOLUME_RIGHTS]
    return info


def _synth_tokens_anonymous(login_token: str) -> dict[str, str]:
    """The 1.39 anonymous all-types answer, with the 1.43 capture's login token (so that the
    captured login request, which carries that token, is the one pywikibot sends)."""
    tokens: dict[str, str] = dict(captured("tokens_all_types_anonymous_fv2")["response"]["query"]["tokens"])
    tokens["logintoken"] = login_token
    return tokens


_READ_ONLY_KEYS = ("pageid", "ns", "title", "modified")  # what wbgetentities adds to an entity


def _synth_read(entity: dict[str, Any]) -> dict[str, Any]:
    """A backend entity as ``wbgetentities`` gives it (keys in the order of the captures)."""
    namespace, title = (122, "Property") if entity["id"].startswith("P") else (120, "Item")
    number = int(entity["id"][1:])
    served: dict[str, Any] = {"pageid": 100000 + number, "ns": namespace, "title": f"{title}:{entity['id']}",
                              "lastrevid": entity["lastrevid"], "modified": entity.get("modified", "")}
    served.update({k: copy.deepcopy(v) for k, v in entity.items() if k not in served})
    if entity["id"].startswith("Q"):
        served.setdefault("sitelinks", {})
    return served


def _synth_info(entity: dict[str, Any]) -> dict[str, Any]:
    """An entity as ``wbgetentities&props=info`` gives it (the keys of the capture, in its order)."""
    return {key: entity[key] for key in ("pageid", "ns", "title", "lastrevid", "modified", "type", "id")
            if key in entity}


def _synth_edited(entity: dict[str, Any]) -> dict[str, Any]:
    """A backend entity as ``wbeditentity`` answers it: no page fields, ``lastrevid`` last."""
    edited = {k: copy.deepcopy(v) for k, v in entity.items() if k not in _READ_ONLY_KEYS and k != "lastrevid"}
    if entity["id"].startswith("Q"):
        edited.setdefault("sitelinks", {})
    edited["lastrevid"] = entity["lastrevid"]
    return edited


def _synth_rejection(rejected: Rejected) -> Answer:
    """The captured error answer with the same code, carrying the backend's ``info``."""
    for path in sorted(FIXTURES.glob("wbeditentity_error_*.json")):
        recorded = capture(path.name)
        error = recorded["response"].get("error", {})
        if error.get("code") == rejected.code:
            body = copy.deepcopy(recorded["response"])
            body["error"]["info"] = rejected.info
            return Answer(body=body, status=recorded["http"]["status"], headers=dict(recorded["http"]["headers"]),
                          source=f"{path.name}, info from the backend")
    body = copy.deepcopy(capture("wbeditentity_error_unknown_property.json")["response"])
    body["error"].update(code=rejected.code, info=rejected.info, messages=[])
    return Answer(body=body, headers={"MediaWiki-API-Error": rejected.code},
                  source=f"synthesized {rejected.code} (no capture has this code)")


def _synth_too_many(limit: int) -> dict[str, Any]:
    """``wbgetentities_error_too_many_ids.json`` for a user whose limit is ``limit``."""
    error: dict[str, Any] = copy.deepcopy(capture("wbgetentities_error_too_many_ids.json")["response"])
    error["error"]["limit"] = limit
    error["error"]["info"] = f'Too many values supplied for parameter "ids". The limit is {limit}.'
    return error


def _synth_invalid_id(entity_id: str) -> dict[str, Any]:
    """``wbgetentities_error_invalid_id.json`` (captured for X1) for another malformed id."""
    text = json.dumps(capture("wbgetentities_error_invalid_id.json")["response"])
    answer: dict[str, Any] = json.loads(text.replace('X1', entity_id))
    return answer


def _synth_item(template: dict[str, Any], entity_id: str, revid: int) -> dict[str, Any]:
    """A captured bulk item renumbered as ``entity_id`` (ids, title, statement ids, revision)."""
    old = template["id"]
    text = json.dumps(template).replace(f'"{old}$', f'"{entity_id}$')
    item: dict[str, Any] = json.loads(text)
    number = int(entity_id[1:])
    item.update(id=entity_id, title=f"Item:{entity_id}", pageid=100000 + number, lastrevid=revid)
    for terms in (item["labels"], item["descriptions"]):
        for term in terms.values():
            term["value"] = re.sub(r"\d+", str(number), term["value"])
    return item


def synth_search_hit(entity_id: str, label: str, *, match_type: str = "label", match_text: str | None = None,
                     language: str = "en") -> dict[str, Any]:
    """A ``wbsearchentities`` hit shaped like the captured one in ``wbsearchentities_item.json``."""
    hit: dict[str, Any] = copy.deepcopy(capture("wbsearchentities_item.json")["response"]["search"][0])
    hit.update(id=entity_id, title=f"Item:{entity_id}", concepturi=f"http://127.0.0.1:8282/entity/{entity_id}",
               url=f"http://127.0.0.1:8282/index.php/Item:{entity_id}", label=label)
    hit["display"]["label"] = {"value": label, "language": language}
    hit["match"] = {"type": match_type, "language": language, "text": label if match_text is None else match_text}
    return hit


def synth_search(search: str, hits: list[dict[str, Any]], *, language: str = "en", entity_type: str = "item",
                 more: int | None = None) -> Answer:
    body: dict[str, Any] = {"searchinfo": {"search": search}, "search": hits, "success": 1}
    if more is not None:
        body["search-continue"] = more
    return Answer(body=body, match={"search": search, "language": language, "type": entity_type},
                  source=f"synthesized wbsearchentities {search!r}")


def connection_refused() -> Answer:
    """What requests raises when nothing listens on the wiki's port (the request never left)."""
    from urllib3.exceptions import NewConnectionError

    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return Answer(body=None, error=requests.exceptions.ConnectionError(reason), source="synthesized refusal")


def http_error(status: int) -> Answer:
    """What a proxy in front of a wiki answers when the backend fails: an HTML error page."""
    page = Raw(f"<!DOCTYPE html><html><head><title>{status}</title></head><body>Server error {status}</body></html>")
    return Answer(body=page, status=status, headers={"Content-Type": "text/html; charset=utf-8"},
                  source=f"synthesized HTTP {status}")


# -- pywikibot, isolated -------------------------------------------------------------------------

def _pywikibot_dir() -> Path:
    """This process's private PYWIKIBOT_DIR (replay/pywikibot_env.py), knowing the replay's bot."""
    base = pywikibot_dir()
    add_password(BOT, BOT_APP, BOT_PASSWORD)
    return base


def _configure(monkeypatch: pytest.MonkeyPatch, pywikibot: Any, base: Path) -> None:
    """The settings the replay relies on, whichever user-config pywikibot read at import."""
    config = pywikibot.config
    monkeypatch.setitem(config.usernames[FAMILY], FAMILY, BOT)
    monkeypatch.setitem(config.family_files, FAMILY, API_URL)
    monkeypatch.setattr(pywikibot, "_sites", {})  # pywikibot.Site() builds a fresh site in each replay
    for name, value in {"password_file": str(base / "user-password.py"), "put_throttle": 0, "minthrottle": 0,
                        "write_maxlag": 5, "user_agent_description": USER_AGENT_DESCRIPTION,
                        "simulate": False}.items():
        monkeypatch.setattr(config, name, value)
    # pywikibot caches paraminfo on disk and cookies in a file: start every replay afresh.
    if Path(config.base_dir).resolve() == base.resolve():
        for cached in (base / "apicache").glob("*"):  # the files: pywikibot makes the directory once
            cached.unlink()
        for cookies in base.glob("pywikibot-*.lwp"):
            cookies.unlink()
    else:  # pywikibot was imported by someone else first: do not touch their directory
        monkeypatch.setattr(config, "API_config_expiry", 0)
    pywikibot.comms.http.cookie_jar.clear()


@contextmanager
def replay_wikibase(
    monkeypatch: pytest.MonkeyPatch, *, highvolume: bool = True, backend: Path | None = None,
    passthrough: Sequence[str] = (), **store_options: Any,
) -> Iterator[tuple[Any, Replay]]:
    """A ``LiveEntityStore`` on a fresh pywikibot ``APISite`` for the replayed Wikibase.

    ``highvolume``: the bot's BotPassword has the "highvolume" grant (``apihighlimits``), as in
    the captures.  ``backend``: a directory for a stateful wiki (see ``Replay``); without it,
    every edit and search must be queued.  ``passthrough``: base URLs of real servers that the
    same test talks to (e.g. a local MediaWiki of tests/mediawiki.py), reached for real, not
    replayed.  ``store_options`` go to ``LiveEntityStore``.  Yields ``(store, replay)``; on
    exit, fails if any request had no answer.
    """
    pywikibot = import_pywikibot()
    from pywikibot.family import AutoFamily  # type: ignore[import-untyped]
    from pywikibot.site import APISite  # type: ignore[import-untyped]

    from wikibot.adapters.wikibase_live import LiveEntityStore

    base = _pywikibot_dir()
    _configure(monkeypatch, pywikibot, base)
    replay = Replay(highvolume=highvolume, backend=backend)
    monkeypatch.setattr(time, "time", replay.clock.time)
    monkeypatch.setattr(time, "sleep", replay.clock.sleep)
    monkeypatch.setattr(pywikibot, "time_sleep", replay.clock.sleep)  # pywikibot.sleep's own binding
    real = [url.rstrip("/") + "/" for url in passthrough]
    with responses.RequestsMock(assert_all_requests_are_fired=False, passthru_prefixes=tuple(real)) as mock:
        # Every URL but the real servers': Replay.respond refuses all but the API's.
        others = re.compile("".join(f"(?!{re.escape(url)})" for url in real) + ".*")
        for method in HTTP_METHODS:
            mock.add_callback(method, others, callback=replay.respond)
        site = APISite(FAMILY, fam=AutoFamily(FAMILY, API_URL), user=BOT)
        store = LiveEntityStore(site, **store_options)
        yield store, replay
    assert not replay.problems, "requests the replay could not answer:\n" + "\n".join(replay.problems)

