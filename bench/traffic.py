"""The counting transport of ``bench/sync_traffic.py``: every request metered, nothing waits.

The Wikibase is the replay of ``replay/wikibase.py`` (real pywikibot, its HTTP
transport replaced by ``responses``, answers in the shapes of the captures of
``shared/fixtures/wikibase``), with three changes made here so that it holds 10,000+ items:

* its stateful backend (``LocalEntityStore``: a JSON file per entity, a lock file, atomic
  renames) keeps its files in memory (``MemoryEntityStore``): same rules, same answers;
* the uniqueness of label + description is not enforced (the generator repeats a few
  names and descriptions, which a real Wikibase would refuse);
* ``wbsearchentities`` is answered from the backend's label index (exact labels only)
  instead of reading every entity for each search;
* the writes of pywikibot's claim-level API (``wbcreateclaim``, ``wbsetclaimvalue``,
  ``wbsetclaim``, ``wbsetqualifier``, ``wbsetreference``, ``wbremoveclaims``, ``wbsetlabel``,
  ``wbsetdescription``, ``wbsetaliases``) are answered in the shapes of the captures of
  the same names (``wbsetclaimvalue`` has no capture: the ``wbcreateclaim`` shape).  They
  are counted but not applied to the backend: the usual approach never reads back what it
  wrote within a run.

``Meter`` counts requests by kind, the bytes sent (URL and body of each request), the bytes
received (the body of each answer) and the time the fake server spent answering (taken out of
the local-work figure).  The change queries of an incremental sync (``list=recentchanges``: what
changed since the last sync, or the wiki's clock) are their own kind, ``changes``.  The latency
per request is not slept: it is ``requests x latency``, reported as transport wait.

Pages are counted at the ``PageStore`` port (``CountedPageStore`` over the workspace's
``LocalPageStore``), as ``wikibot/adapters/pages_live.py`` would send them: one
``query&prop=revisions`` per 50 titles, one ``action=edit`` per save that is not a no-change
(no request then), a re-read after an edit conflict, and one ``list=recentchanges`` per change
query; each answered in MediaWiki's shape (``formatversion=2``) for the bytes received.  The
workspace stands in for the wiki: its own time is server time.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.workspace import LocalPageStore, normalize_title
from wikibot.ports import Changes, EditConflict, Page, Saved, SaveOutcome, Version

TITLES_PER_REQUEST = 50  # wikibot/adapters/pages_live.py
SESSION_ACTIONS = ("login", "paraminfo", "query")  # tokens, userinfo, siteinfo: once per session


@dataclass
class Meter:
    """Requests, bytes and server time, by kind."""

    requests: Counter[str] = field(default_factory=Counter)
    bytes_sent: int = 0
    bytes_received: int = 0
    server_s: float = 0.0

    def add(self, kind: str, sent: int, server_s: float = 0.0, received: int = 0) -> None:
        self.requests[kind] += 1
        self.bytes_sent += sent
        self.bytes_received += received
        self.server_s += server_s

    def serving(self, seconds: float) -> None:
        """Time the stand-in for a wiki spent, with no request of its own."""
        self.server_s += seconds

    def snapshot(self) -> tuple[Counter[str], int, int, float]:
        return Counter(self.requests), self.bytes_sent, self.bytes_received, self.server_s

    def since(self, snap: tuple[Counter[str], int, int, float]) -> dict[str, Any]:
        requests, sent, received, server = snap
        diff = Counter(self.requests)
        diff.subtract(requests)
        return {"requests": {k: v for k, v in diff.items() if v}, "bytes_sent": self.bytes_sent - sent,
                "bytes_received": self.bytes_received - received, "server_s": self.server_s - server}


# -- the Wikibase ----------------------------------------------------------------------------

class MemoryEntityStore(LocalEntityStore):
    """``LocalEntityStore`` whose files live in a dict (``files``); no lock (one process)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.files: dict[str, str] = {}
        self.log: list[str] = []

    def _history(self, entity_id: str) -> list[dict[str, Any]]:
        text = self.files.get(str(self._path(entity_id)))
        return [] if text is None else list(json.loads(text))

    def _counters(self) -> dict[str, int] | None:
        text = self.files.get(str(self.dir / "counters.json"))
        return None if text is None else dict(json.loads(text))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        yield

    def _check_terms(self, entity_id: str, entity: Any) -> None:
        """Not checked: the generated registry has entries with the same label and description
        (a real Wikibase refuses the second), and the benchmark wants every entry created."""

    def entity_ids(self) -> list[str]:
        ids = [Path(p).stem for p in self.files if not p.endswith("counters.json")]
        return sorted(ids, key=lambda i: (i[0], int(i[1:])))

    def _store(self, path: Path, text: str, *, create: bool) -> None:
        if create and str(path) in self.files:
            raise FileExistsError(path)
        self.files[str(path)] = text

    def _note_change(self, entity_id: str, revid: int, timestamp: str) -> None:
        self.log.append(f"{revid}\t{entity_id}\t{timestamp}")

    def log_since(self, offset: int) -> tuple[list[str], int] | None:
        """The change log in memory: ``offset`` counts lines here."""
        return (self.log[offset:], len(self.log)) if offset <= len(self.log) else None

    def copy(self) -> MemoryEntityStore:
        other = MemoryEntityStore(self.dir.parent)
        other.files = dict(self.files)
        other.log = list(self.log)
        return other


def counting_replay_class() -> type:
    """``Replay`` (replay/wikibase.py) metered, with the changes of this module."""
    from replay import wikibase as lw
    from replay.fixtures import capture

    class CountingReplay(lw.Replay):  # type: ignore[misc]
        def __init__(self, meter: Meter, store: MemoryEntityStore, **options: Any) -> None:
            super().__init__(**options)
            self.backend = store
            self.meter = meter

        def respond(self, request: Any) -> tuple[int, dict[str, str], str]:
            start = time.process_time()
            body = request.body if isinstance(request.body, (str, bytes)) else b""
            sent = len(request.url) + len(body.encode() if isinstance(body, str) else body)
            received = 0
            try:
                answer = super().respond(request)
                received = len(answer[2].encode())
                return answer  # type: ignore[no-any-return]
            finally:
                call = self.calls[-1] if self.calls else None
                kind = "?" if call is None else call.action
                if call is not None and kind == "query" and call.params.get("list") == "recentchanges":
                    kind = "changes"
                self.meter.add(kind, sent, time.process_time() - start, received)

        def _on_query(self, call: Any) -> tuple[int, dict[str, str], Any]:
            """Also siteinfo in formatversion 2 (pywikibot's DataSite asks it once, with userinfo)."""
            metas = call.params.get("meta", "").split("|")
            if "siteinfo" not in metas or call.params.get("formatversion") != "2":
                return super()._on_query(call)  # type: ignore[no-any-return]
            query = copy.deepcopy(capture("api_siteinfo_general_namespaces_fv2.json")["response"]["query"])
            query["namespacealiases"] = []
            rest = [m for m in metas if m != "siteinfo"]
            if rest:
                params = {**call.params, "meta": "|".join(rest)}
                params.pop("siprop", None)
                _, _, answer = super()._on_query(type(call)(call.method, call.url, params, call.headers))
                query.update(answer["query"])
            return 200, {}, {"batchcomplete": True, "query": query}

        def _search_backend(self, call: Any) -> Any:
            search, language = call.params.get("search", ""), call.params.get("language", "en")
            entity_type = call.params.get("type", "item")
            ids = self.backend.find_by_label(search, entity_type=entity_type, language=language)
            return lw.synth_search(search, [lw.synth_search_hit(i, search, language=language) for i in ids[:50]],
                                   language=language, entity_type=entity_type)

        def _claim_write(self, call: Any, name: str, key: str) -> tuple[int, dict[str, str], Any]:
            if call.params.get("token") != self.csrf_token or not self._logged_in(call):
                return self._serve(lw.Answer.of("wbeditentity_error_badtoken.json", match=()))  # type: ignore[no-any-return]
            body = copy.deepcopy(capture(name)["response"])
            self._revision = getattr(self, "_revision", 10_000_000) + 1
            if "pageinfo" in body:
                body["pageinfo"]["lastrevid"] = self._revision
            if "entity" in body:
                body["entity"].update(id=call.params.get("id", "Q1"), lastrevid=self._revision)
            if key == "claim" and "claim" in body:
                claim_id = call.params.get("claim") or f"{call.params.get('entity', 'Q1')}$bench-{self._revision}"
                body["claim"]["id"] = claim_id
                if call.params.get("property") and call.action == "wbcreateclaim":
                    body["claim"]["mainsnak"]["property"] = call.params["property"]
            if key == "claims":
                body["claims"] = call.params.get("claim", "").split("|")
            return 200, {}, body

        def _on_wbcreateclaim(self, call: Any) -> Any:
            return self._claim_write(call, "wbcreateclaim_string.json", "claim")

        def _on_wbsetclaim(self, call: Any) -> Any:  # pywikibot's addClaim (the whole claim as JSON)
            sent = json.loads(call.params.get("claim", "{}"))
            params = {**call.params, "claim": sent.get("id", ""), "entity": sent.get("id", "Q1").split("$")[0]}
            return self._claim_write(type(call)(call.method, call.url, params, call.headers),
                                     "wbcreateclaim_string.json", "claim")

        def _on_wbsetclaimvalue(self, call: Any) -> Any:  # no capture: wbcreateclaim's shape
            return self._claim_write(call, "wbcreateclaim_string.json", "claim")

        def _on_wbsetqualifier(self, call: Any) -> Any:
            return self._claim_write(call, "wbsetqualifier.json", "claim")

        def _on_wbsetreference(self, call: Any) -> Any:
            return self._claim_write(call, "wbsetreference.json", "reference")

        def _on_wbremoveclaims(self, call: Any) -> Any:
            return self._claim_write(call, "wbremoveclaims.json", "claims")

        def _on_wbsetlabel(self, call: Any) -> Any:
            return self._claim_write(call, "wbsetlabel.json", "entity")

        _on_wbsetdescription = _on_wbsetlabel
        _on_wbsetaliases = _on_wbsetlabel

    return CountingReplay


# -- pages -----------------------------------------------------------------------------------

def _encoded(params: dict[str, str]) -> int:
    return len(urllib.parse.urlencode(params))


class CountedPageStore:
    """``LocalPageStore`` metered as ``LivePageStore`` would send its requests and the wiki answer them."""

    def __init__(self, root: Path, meter: Meter, *, user: str = "wikibot") -> None:
        self.store = LocalPageStore(root, user=user)
        self.meter = meter
        self.user = user
        self.seen: dict[str, tuple[int, str | None]] = {}  # what the wiki's recent changes would not list again

    @contextlib.contextmanager
    def _serving(self) -> Iterator[None]:
        start = time.process_time()
        try:
            yield
        finally:
            self.meter.serving(time.process_time() - start)

    def fetch_pages(self, titles: Sequence[str]) -> dict[str, Page | None]:
        with self._serving():
            found = self.store.fetch_pages(titles)
        wanted = list(dict.fromkeys(titles))
        for start in range(0, len(wanted), TITLES_PER_REQUEST):
            batch = wanted[start:start + TITLES_PER_REQUEST]
            self.meter.add("page read", len("http://127.0.0.1:8080/api.php?") + _encoded({
                "action": "query", "prop": "revisions", "titles": "|".join(batch),
                "rvprop": "ids|timestamp|content|sha1", "rvslots": "main", "formatversion": "2",
                "meta": "userinfo", "format": "json"}), received=_answer_size(_revisions_answer(batch, found)))
        return found

    def watermark(self) -> str:
        """The wiki's clock; from now on its recent changes list only the pages saved after."""
        with self._serving():
            mark = self.store.watermark()
            self.seen = {t: v for t, v in self._versions(self.store.titles()).items() if v is not None}
        self.meter.add("changes", _request_size(_CLOCK), received=_answer_size(
            {"batchcomplete": True, "curtimestamp": _STAMP,
             "query": {"recentchanges": [{"type": "edit", "timestamp": _STAMP}]}}))
        return mark

    def changes_since(self, watermark: str | None, titles: Sequence[str]) -> Changes | None:
        with self._serving():
            versions = self._versions(titles)
            found = Changes({t: None if v is None else Version(*v) for t, v in versions.items()}, "local")
        if found is not None:  # the live store asks only with a watermark it can use
            seen = self.seen
            listed = [(title, v) for title, v in found.versions.items()
                      if v is None or seen.get(title) != (v.revid, v.sha1)]
            self.seen = {**seen, **{t: (v.revid, v.sha1) for t, v in found.versions.items() if v is not None}}
            self.meter.add("changes", _request_size(_CHANGES), received=_answer_size(
                {"batchcomplete": True, "curtimestamp": _STAMP, "query": {"recentchanges": [
                    {"type": "edit", "ns": 0, "title": title, "pageid": 1, "revid": 0 if v is None else v.revid,
                     "old_revid": 0, "rcid": 1, "timestamp": _STAMP, "sha1": "" if v is None else v.sha1}
                    for title, v in listed]}}))
        return found

    def _versions(self, titles: Sequence[str]) -> dict[str, tuple[int, str | None] | None]:
        """Each title's revision and SHA-1 as the wiki's database holds them (no text read), as
        ``LocalPageStore.changes_since`` gives them."""
        records = self.store._records()["pages"]
        found: dict[str, tuple[int, str | None] | None] = {}
        for title in titles:
            record = records.get(normalize_title(title))
            found[title] = None if record is None else (int(record["revid"]), record.get("sha1"))
        return found

    def save_page(self, title: str, text: str, *, base: Page | None, summary: str) -> SaveOutcome:
        with self._serving():
            outcome = self.store.save_page(title, text, base=base, summary=summary)
        if isinstance(outcome, (Saved, EditConflict)):  # NoChange, Denied: LivePageStore sends nothing
            params = {"action": "edit", "title": title, "text": text, "summary": summary, "bot": "1",
                      "assert": "user", "maxlag": "5", "token": "0" * 40 + "+\\", "format": "json"}
            if base is not None:
                params.update(baserevid=str(base.revid), starttimestamp=base.timestamp, nocreate="1")
            else:
                params["createonly"] = "1"
            old = 0 if base is None else base.revid
            answer: dict[str, Any] = {"edit": {"result": "Success", "pageid": 1, "title": title,
                                               "contentmodel": "wikitext", "oldrevid": old,
                                               "newrevid": getattr(outcome, "revid", 0), "newtimestamp": _STAMP}}
            if isinstance(outcome, EditConflict):
                answer = {"error": {"code": "editconflict", "info": "Edit conflict.", "*": ""}}
            self.meter.add("page edit", len("http://127.0.0.1:8080/api.php") + _encoded(params),
                           received=_answer_size(answer))
        if isinstance(outcome, EditConflict):  # LivePageStore re-reads the page
            current = outcome.current
            self.meter.add("page read", 200, received=_answer_size(_revisions_answer([title], {title: current})))
        return outcome


_STAMP = "2026-12-06T00:00:00Z"
_CLOCK = {"action": "query", "list": "recentchanges", "rclimit": "1", "rcprop": "timestamp", "curtimestamp": "1",
          "assert": "user", "maxlag": "5", "format": "json"}
_CHANGES = {"action": "query", "list": "recentchanges", "rcprop": "title|ids|timestamp|loginfo|sha1",
            "rctype": "edit|new|log", "rcdir": "older", "rcend": _STAMP, "rclimit": "max", "curtimestamp": "1",
            "rcnamespace": "0", "assert": "user", "maxlag": "5", "format": "json"}


def _request_size(params: dict[str, str]) -> int:
    return len("http://127.0.0.1:8080/api.php?") + _encoded(params)


def _answer_size(answer: dict[str, Any]) -> int:
    return len(json.dumps(answer, ensure_ascii=False).encode())


def _revisions_answer(titles: Sequence[str], found: dict[str, Page | None]) -> dict[str, Any]:
    """``query&prop=revisions`` as MediaWiki answers it (``formatversion=2``)."""
    pages: list[dict[str, Any]] = []
    for title in titles:
        page = found.get(title)
        if page is None:
            pages.append({"ns": 0, "title": title, "missing": True})
            continue
        pages.append({"pageid": 1, "ns": 0, "title": title, "revisions": [
            {"revid": page.revid, "parentid": 0, "timestamp": page.timestamp, "sha1": page.sha1,
             "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": page.text}}}]})
    return {"batchcomplete": True, "query": {"pages": pages, "userinfo": {"id": 1, "name": "wikibot"}}}


def page_reads(pages: int) -> int:
    return math.ceil(pages / TITLES_PER_REQUEST)
