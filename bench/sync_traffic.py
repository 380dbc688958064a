"""API traffic of a sync: wikibot, the usual pywikibot approach, and the physical limit.

For each size N (default 100 / 1,000 / 10,000 entries) a fresh process builds the registry
with ``bench.generate.generate_registry(N)`` (item ids removed: nothing exists yet), a
Wikibase holding only what ``wikibot bootstrap`` creates (run first, not counted), and runs:

wikibot   ``App.sync`` five times: a first sync (every item created, ids written back), a
          full reconciliation (``sync --full``) that finds nothing to do, an incremental no-op
          sync, an incremental sync after an editor changed the website of 5% of the
          entries (one item to update per changed entry, no page to write), and one after an
          editor added 0.1% new organisations to a page (one item to create per new entry, the
          page saved once with their item ids: no other entry is read).  The no-op and the
          full reconciliation are run once more under ``tracemalloc`` for the peak memory the
          run allocates (``--memory-max`` bounds the sizes where the full one is).
usual     the pattern of pywikibot's ``harvest_template.py`` / ``claimit.py`` on the same
          data, through pywikibot's own high-level API: first sync: per entry
          ``ItemPage.editEntity`` with the terms, then ``addClaim`` per statement,
          ``addQualifier`` per qualifier and ``addSources`` per reference; no-op and 5%:
          per entry ``ItemPage.get()``, then per property ``changeTarget`` / ``addClaim``
          / ``removeClaims`` for each claim whose value differs (terms: ``editLabels`` etc.).
          Pages are read 50 a request (a preloading generator) and never written.
limit     for a change-aware sync: one change query per wiki (what changed since the last
          sync; a first sync and a full one ask the wiki's clock instead), the reads of what
          changed: ceil(items/50) entity reads (ceil(items/500) with ``apihighlimits``) +
          ceil(pages/50) page reads, where a full reconciliation reads every item and page and a
          first sync none, + one write per entity and per page that must change.

Both approaches go through the same counting transport (``bench/traffic.py``): real
pywikibot on the replayed Wikibase of ``replay/wikibase.py``, pages counted at
the PageStore port as ``LivePageStore`` sends them.  Latency is not slept: transport wait is
``requests x --latency`` (default 40 ms).  Local work is the wall time minus the time the
fake server spent answering.  Session requests (login, tokens, userinfo, paraminfo) are
made during bootstrap and not counted.

    .venv/bin/python bench/sync_traffic.py                 # print the tables
    .venv/bin/python bench/sync_traffic.py --write         # and update docs/benchmarks.md
    .venv/bin/python bench/sync_traffic.py --sizes 100000 --no-usual   # wikibot only

``--child N`` measures one size and prints its figures as one JSON line; ``--results FILE...``
reports saved lines instead of measuring.  At 100,000 entries the first sync takes about 11
minutes on one core; ``--child N --direct-first`` makes it straight on the fake wiki's store,
unmeasured (the full reconciliation after it goes through the API and is measured).

    .venv/bin/python bench/sync_traffic.py --child 100000 --no-usual --direct-first \
        --scenarios full,noop > 100000.json
    .venv/bin/python bench/sync_traffic.py --results 100.json 1000.json 10000.json 100000.json --write

``SYNC_TRAFFIC_PROFILE=FILE`` (with ``--child``) saves a cProfile of one wikibot sync, the no-op one
unless ``SYNC_TRAFFIC_PROFILE_SYNC`` names another (first, full, changed).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_parse import DOC, GCClock, machine  # noqa: E402

START, END = "<!-- sync_traffic:start -->", "<!-- sync_traffic:end -->"
DEFAULT_SIZES = (100, 1_000, 10_000)
CHANGED_SHARE = 0.05
NEW_SHARE = 0.001  # of N: new entries added by an editor to one page (at least one)
KINDS = ("changes", "wbgetentities", "wbeditentity", "wbsearchentities", "claim writes", "page read", "page edit",
         "other")
CLAIM_WRITES = ("wbsetclaim", "wbcreateclaim", "wbsetclaimvalue", "wbsetqualifier", "wbsetreference", "wbremoveclaims",
                "wbsetlabel", "wbsetdescription", "wbsetaliases")
SCENARIOS = ("first", "full", "noop", "changed", "new")
MEMORY_MAX = 10_000  # the full reconciliation's memory is measured up to this size (tracemalloc slows it 2-3x)
FULL_RUNS = 3  # the full reconciliation (repeatable) is timed this many times up to MEMORY_MAX: the best counts
CHANGED_RUNS = 3  # so many rounds of 5% edits, each synced and timed, up to MEMORY_MAX: the best counts


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _kinds(requests: dict[str, int]) -> dict[str, int]:
    out = Counter({k: 0 for k in KINDS})
    for kind, n in requests.items():
        out["claim writes" if kind in CLAIM_WRITES else kind if kind in KINDS else "other"] += n
    return dict(out)


# --------------------------------------------------------------------------------------
# One size, in this process
# --------------------------------------------------------------------------------------

def measure(n: int, seed: int, highvolume: bool, usual: bool, usual_first_max: int,
            direct_first: bool = False, scenarios: Sequence[str] = SCENARIOS,
            memory_max: int = MEMORY_MAX) -> dict[str, Any]:
    import tracemalloc

    import pytest

    from bench.generate import generate_entries, generate_registry
    from bench.traffic import CountedPageStore, MemoryEntityStore, Meter, counting_replay_class
    from replay import wikibase as lw
    from replay.pywikibot_env import import_pywikibot
    from wikibot import jobs
    from wikibot.app import App
    from wikibot.registry.models import EntryKind, Organization
    from wikibot.registry.vocab import OrganizationType
    from wikibot.settings import (
        HeartbeatSettings,
        QuerySettings,
        RegistrySettings,
        Settings,
        SyncSettings,
        WorkspaceSettings,
    )
    from wikibot.wikitext.registry_edit import patch_entries, render_entry
    from wikibot.wikitext.registry_page import parse_registry_page

    tmp = Path(tempfile.mkdtemp(prefix="sync-traffic-"))
    root = tmp / "ws"
    root.mkdir()
    pages = generate_registry(n, seed)
    entries = generate_entries(n, seed)
    titles = list(pages)
    meter = Meter()
    store_pages = CountedPageStore(root, meter)
    with_item = {e.id for e in entries if e.item}
    for title, text in pages.items():  # as if nobody had synced yet: no item ids on the pages
        on_page = {e.id: {"item": None} for e in parse_registry_page(text, title).entries if e.id in with_item}
        store_pages.store.save_page(title, patch_entries(text, on_page), base=None, summary="setup")
    # A live deployment: the Wikibase through pywikibot, its own query service (never asked by a sync).
    settings = Settings(workspace=WorkspaceSettings(path=root), registry=RegistrySettings(pages=titles),
                        sync=SyncSettings(report_page=None), heartbeat=HeartbeatSettings(page=None),
                        query=QuerySettings(endpoint="https://query.invalid/sparql", user_agent="wikibot bench"))

    pywikibot = import_pywikibot()
    from pywikibot.family import AutoFamily  # type: ignore[import-untyped]
    from pywikibot.site import DataSite  # type: ignore[import-untyped]

    from wikibot.adapters import recent_changes
    from wikibot.adapters.wikibase_live import LiveEntityStore

    result: dict[str, Any] = {"n": n, "pages": len(titles), "highvolume": highvolume, "wikibot": {}, "usual": {}}
    backend = MemoryEntityStore(tmp / "wikibase")
    replay_class = counting_replay_class()
    real_sleep = time.sleep
    with pytest.MonkeyPatch.context() as mp:
        base = lw._pywikibot_dir()
        lw._configure(mp, pywikibot, base)
        replay = replay_class(meter, backend, highvolume=highvolume)
        mp.setattr(time, "time", replay.clock.time)
        mp.setattr(time, "sleep", replay.clock.sleep)
        mp.setattr(pywikibot, "time_sleep", replay.clock.sleep)
        import responses

        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            for method in lw.HTTP_METHODS:
                mock.add_callback(method, lw.re.compile(".*"), callback=replay.respond)
            site = DataSite(lw.FAMILY, fam=AutoFamily(lw.FAMILY, lw.API_URL), user=lw.BOT)
            site.entity_sources = dict  # AutoFamily is no WikibaseFamily: every entity type is here
            entities = LiveEntityStore(site)
            # Built as `wikibot` builds a run (the composition root), on the bench's adapters.
            app = App(settings, pages=store_pages, user="wikibot", entities=entities)
            booted = app.bootstrap()  # the ids file written, the new registry-id property noted
            if booted.result.problems:
                raise AssertionError(booted.result.problems)
            entities.batch_size()
            entities._entity_namespaces()  # siteinfo: a session request (pywikibot keeps it 30 days on disk)
            mapping = app.mapping
            _log(f"N={n:,}: bootstrap done ({sum(meter.requests.values())} requests, not counted)")
            empty = backend.copy()

            collector = GCClock()  # the cyclic collector's time within each measured run
            gc.callbacks.append(collector)

            def run_wikibot(name: str) -> jobs.SyncRun:
                collector.lap()
                snap = meter.snapshot()
                start, cpu = time.perf_counter(), time.process_time()
                profile = os.environ.get("SYNC_TRAFFIC_PROFILE")  # a file: cProfile of one sync
                if profile and name == os.environ.get("SYNC_TRAFFIC_PROFILE_SYNC", "noop"):
                    import cProfile
                    with cProfile.Profile() as profiler:
                        run = app.sync(full=name == "full")
                    profiler.dump_stats(profile)
                else:
                    run = app.sync(full=name == "full")
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                figures = meter.since(snap)
                figures.update(wall_s=wall, local_s=cpu - figures["server_s"], counts=run.counts(),
                               clean=run.clean, mode=run.mode, collector_s=collector.lap())
                result["wikibot"][name] = figures
                _log(f"N={n:,}: wikibot {name} ({run.mode}): {figures['requests']}, "
                     f"{figures['bytes_received'] / 1000:,.1f} kB received, {figures['local_s']:.2f} s local "
                     f"({figures['collector_s']:.2f} s of it the collector's); "
                     f"{run.counts()}")
                return run

            def repeat_best(name: str, times: int) -> None:
                """The run again (it finds the same nothing to do): its local work is the best of all
                (on a shared machine, others' work only ever adds time); every run's is kept."""
                figures = result["wikibot"][name]
                runs = [figures["local_s"]]
                for _ in range(times):
                    snap = meter.snapshot()
                    cpu = time.process_time()
                    run = app.sync(full=name == "full")
                    again = meter.since(snap)
                    if run.counts() != figures["counts"] or again["requests"] != figures["requests"]:
                        raise AssertionError(f"the repeated {name} sync did other work: {run.counts()}")
                    runs.append(time.process_time() - cpu - again["server_s"])
                figures.update(local_s=min(runs), local_s_runs=runs)
                _log(f"N={n:,}: wikibot {name}: local work of {len(runs)} runs: "
                     + ", ".join(f"{r:.2f}" for r in runs) + " s")

            def peak_memory(name: str) -> None:
                """The run again (it finds the same nothing to do), its allocations traced: the peak."""
                tracemalloc.start()
                try:
                    run = app.sync(full=name == "full")
                    _, peak = tracemalloc.get_traced_memory()
                finally:
                    tracemalloc.stop()
                if run.counts() != result["wikibot"][name]["counts"]:
                    raise AssertionError(f"the repeated {name} sync did other work: {run.counts()}")
                result["wikibot"][name]["peak_mb"] = peak / 1e6
                _log(f"N={n:,}: wikibot {name}: peak {peak / 1e6:,.1f} MB allocated")

            if direct_first:  # set up by a first sync straight on the fake wiki's store: not measured
                start = time.perf_counter()
                with App(settings, pages=store_pages.store, user="wikibot", entities=backend) as direct:
                    direct.sync()
                _log(f"N={n:,}: first sync done directly on the store in {time.perf_counter() - start:.0f} s")
            elif "first" in scenarios:
                run_wikibot("first")
            else:
                app.sync()
            # Scheduled runs are far apart: a change query reaches back a minute before the last one
            # asked (the overlap of wikibot/adapters/recent_changes.py); the first sync's own writes
            # are older than that when the next run asks.
            real_sleep(recent_changes.OVERLAP.total_seconds() + 1)
            if "full" in scenarios or direct_first:  # after a direct first sync, the first through the API
                run_wikibot("full")
                if n <= memory_max:
                    peak_memory("full")
                    repeat_best("full", FULL_RUNS - 1)
            run_wikibot("noop")
            peak_memory("noop")
            if usual:
                from bench.usual import UsualBot
                bot = UsualBot(pywikibot, site, store_pages, settings, mapping, meter)
                result["usual"]["noop"] = bot.run(f"N={n:,}")
            # an editor changes the website of 5% of the entries (not counted); repeated with other
            # entries, the sync after each timed: the best counts (see repeat_best)
            rng = random.Random(seed)
            editor = CountedPageStore(root, Meter(), user="An editor")

            def edit(round_: int) -> tuple[int, int]:
                read = store_pages.store.fetch_pages(titles)
                loaded = jobs.read_registry(settings, read)
                candidates = sorted(e.id for e in loaded.registry.entries if e.website)
                changed = rng.sample(candidates, max(1, round(n * CHANGED_SHARE)))
                by_page: dict[str, dict[str, dict[str, str | None]]] = {}
                for claim in loaded.registry.claims:
                    if claim.entry is not None and claim.entry.id in changed:
                        by_page.setdefault(claim.source.page, {})[claim.entry.id] = {
                            "website": f"https://changed-{round_}-{claim.entry.id}.example.org/"}
                for title, changes in by_page.items():
                    page = read[title]
                    assert page is not None
                    editor.store.save_page(title, patch_entries(page.text, changes), base=page, summary="editor")
                return len(changed), len(by_page)

            result["changed_entries"], result["changed_pages"] = edit(0)
            if usual:
                result["usual"]["changed"] = bot.run(f"N={n:,}")
            if "changed" in scenarios:
                run_wikibot("changed")
                runs = [result["wikibot"]["changed"]["local_s"]]
                for round_ in range(1, CHANGED_RUNS if n <= memory_max else 1):
                    if edit(round_)[0] != result["changed_entries"]:
                        raise AssertionError("another round of edits changed another number of entries")
                    first = result["wikibot"]["changed"]
                    run_wikibot("changed")
                    again = result["wikibot"]["changed"]
                    if again["counts"] != first["counts"]:
                        raise AssertionError(f"another round of changes did other work: {again['counts']}")
                    runs.append(again["local_s"])
                    later = [*first.get("later_rounds", []), {k: again[k] for k in ("requests", "bytes_received")}]
                    result["wikibot"]["changed"] = {**first, "local_s": min(runs), "local_s_runs": runs,
                                                    "later_rounds": later}
            if "new" in scenarios:  # an editor adds new organisations at the end of one page
                if "changed" not in scenarios:
                    app.sync()  # the 5% edits synced, unmeasured
                read = store_pages.store.fetch_pages(titles)
                loaded = jobs.read_registry(settings, read)
                title = next(c.source.page for c in loaded.registry.claims if c.kind == EntryKind.ORGANIZATION)
                page = read[title]
                assert page is not None
                added = [Organization(id=f"bench-new-{i}", names={"en": f"New bench organisation {i}"},
                                      descriptions={"en": "An organisation added by the benchmark's editor"},
                                      type=OrganizationType.USER_GROUP)
                         for i in range(max(1, round(n * NEW_SHARE)))]
                text = page.text.rstrip("\n") + "\n" + "".join(render_entry(e) + "\n" for e in added)
                editor.store.save_page(title, text, base=page, summary="editor")
                result["new_entries"] = len(added)
                run_wikibot("new")
            if usual:  # the usual first sync, on a Wikibase holding only the bootstrap's entities
                planned = bot.planned_first()
                if n <= usual_first_max:
                    replay.backend = empty
                    result["usual"]["first"] = bot.run(f"N={n:,}", create=True)
                    sent = {k: v for k, v in result["usual"]["first"]["requests"].items() if k != "query"}
                    result["usual"]["first"]["planned_equal"] = sent == planned
                    _log(f"N={n:,}: usual first as counted from the data: {planned}; equal: {sent == planned}")
                else:
                    result["usual"]["first"] = {"requests": planned, "bytes_sent": None, "local_s": None,
                                                "computed": True}
            app.close()
    shutil.rmtree(tmp, ignore_errors=True)
    result["entries"] = n
    return result


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------

def limit(r: dict[str, Any], scenario: str) -> dict[str, int]:
    """The fewest requests a change-aware sync can make (see the module docstring)."""
    n, pages = r["n"], r["pages"]
    per = 500 if r["highvolume"] else 50
    new = r.get("new_entries", 0)
    read_items = {"first": 0, "full": n, "noop": 0, "changed": r.get("changed_entries", 0), "new": 0}[scenario]
    read_pages = {"first": pages, "full": pages, "noop": 0, "changed": r.get("changed_pages", 0),
                  "new": 1}[scenario]
    writes = {"first": n, "full": 0, "noop": 0, "changed": r.get("changed_entries", 0), "new": new}[scenario]
    page_writes = {"first": pages, "new": 1}.get(scenario, 0)  # ids written back
    return {"changes": 2, "wbgetentities": math.ceil(read_items / per), "wbeditentity": writes,
            "page read": math.ceil(read_pages / 50), "page edit": page_writes}


def _num(value: float | None, unit: float, digits: int) -> str:
    return "-" if value is None else f"{value / unit:,.{digits}f}"


def total(requests: dict[str, int]) -> int:
    return sum(requests.values())


def latency_s(requests: int, latency: float) -> float:
    return requests * latency


def table(results: Sequence[dict[str, Any]], latency: float) -> str:
    rows = ["| N | sync | approach | change queries | entity reads | wbeditentity | searches | claim writes "
            "| page reads | page edits | other | requests | × limit | usual / wikibot | kB sent | kB received "
            "| local work s | peak MB | transport wait s |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for scenario in SCENARIOS:
            if scenario not in r["wikibot"]:
                continue
            lim = limit(r, scenario)
            lim_total = total(lim)
            w = r["wikibot"][scenario]
            w_total = total(w["requests"])
            approaches = [("wikibot", w)]
            if scenario in r["usual"]:
                approaches.append(("usual", r["usual"][scenario]))
            for name, f in approaches:
                k = _kinds(f["requests"])
                t = total(f["requests"])
                ratio = f"{t / lim_total:.2f}" if lim_total else ("1.00" if t == 0 else "∞")
                versus = (f"{t / w_total:,.1f}" if w_total else "-") if name == "usual" else ""
                shown = f"{name} (counted, not run)" if f.get("computed") else name
                rows.append(
                    f"| {r['n']:,} | {scenario} | {shown} | {k['changes']:,} | {k['wbgetentities']:,} "
                    f"| {k['wbeditentity']:,} | {k['wbsearchentities']:,} | {k['claim writes']:,} "
                    f"| {k['page read']:,} | {k['page edit']:,} | {k['other']:,} | {t:,} | {ratio} | {versus} "
                    f"| {_num(f['bytes_sent'], 1000, 0)} | {_num(f.get('bytes_received'), 1000, 1)} "
                    f"| {_num(f['local_s'], 1, 2)} | {_num(f.get('peak_mb'), 1, 1)} "
                    f"| {latency_s(t, latency):,.1f} |")
            rows.append(
                f"| {r['n']:,} | {scenario} | limit | {lim['changes']:,} | {lim['wbgetentities']:,} "
                f"| {lim['wbeditentity']:,} | 0 | 0 | {lim['page read']:,} | {lim['page edit']:,} | 0 "
                f"| {lim_total:,} | 1.00 | | | | | | {latency_s(lim_total, latency):,.1f} |")
    return "\n".join(rows)


def acceptance(results: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for r in results:
        for scenario in SCENARIOS:
            if scenario not in r["wikibot"]:
                continue
            got, lim = total(r["wikibot"][scenario]["requests"]), total(limit(r, scenario))
            lines.append(f"N={r['n']:,} {scenario}: wikibot {got:,} requests, limit {lim:,}: "
                         + ("equal" if got == lim else f"{got - lim:+,}"))
    return lines


TARGETS = (  # issue 20: (size, scenario, figure, at most, unit)
    (10_000, "noop", "requests", 3, ""),
    (10_000, "noop", "kB received", 50, " kB"),
    (10_000, "noop", "local work", 0.3, " s"),
    (100_000, "noop", "local work", 1.0, " s"),
    (100_000, "noop", "peak memory", 300, " MB"),
    (10_000, "changed", "local work", 3.0, " s"),
    (10_000, "changed", "requests over the limit", 0, ""),
    (10_000, "full", "local work", 5.0, " s"),
)


def _figure(r: dict[str, Any], scenario: str, figure: str) -> float | None:
    f = r["wikibot"][scenario]
    return {"requests": total(f["requests"]), "kB received": f.get("bytes_received", 0) / 1000,
            "local work": f["local_s"], "peak memory": f.get("peak_mb"),
            "requests over the limit": total(f["requests"]) - total(limit(r, scenario))}[figure]


def targets(results: Sequence[dict[str, Any]]) -> list[str]:
    """Each target of issue 20 with what was measured: met, missed, or not measured here."""
    by_size = {r["n"]: r for r in results}
    lines = []
    for n, scenario, figure, most, unit in TARGETS:
        r = by_size.get(n)
        got = _figure(r, scenario, figure) if r is not None and scenario in r["wikibot"] else None
        wanted = f"N={n:,} {scenario}: {figure} at most {most:g}{unit}"
        if got is None:
            lines.append(f"{wanted}: not measured in this run")
        else:
            shown = f"{got:,.0f}" if figure in ("requests", "requests over the limit") else f"{got:,.2f}"
            runs = r["wikibot"][scenario].get("local_s_runs") if figure == "local work" else None
            if runs and len(runs) > 1:
                shown += f"{unit} (best of {len(runs)} runs: " + ", ".join(f"{x:.2f}" for x in runs) + ")"
                unit = ""
            lines.append(f"{wanted}: {shown}{unit}" + (" — met" if got <= most else " — **missed**"))
    return lines


def later_rounds(results: Sequence[dict[str, Any]]) -> list[str]:
    """The 5% syncs after the first round: what they sent beyond the first round's requests."""
    lines = []
    for r in results:
        changed = r["wikibot"].get("changed", {})
        first = changed.get("requests")
        runs = changed.get("local_s_runs", [])
        for i, later in enumerate(changed.get("later_rounds", []), start=2):
            extra = total(later["requests"]) - total(first)
            local = f", {runs[i - 1]:.2f} s local work" if len(runs) >= i else ""
            lines.append(f"N={r['n']:,} changed, round {i}: {total(later['requests']):,} requests "
                         f"({extra:+,} against round 1), {later['bytes_received'] / 1000:,.1f} kB received{local}")
    return lines


def first_sync_note(results: Sequence[dict[str, Any]]) -> list[str]:
    """Why a first sync costs what it does: the look-up by label before a creation, or none."""
    searched = []
    for r in results:
        first = r["wikibot"].get("first")
        if first is None:
            continue
        k = _kinds(first["requests"])
        if k["wbsearchentities"] or k["wbgetentities"]:
            searched.append(f"N={r['n']:,}: {k['wbsearchentities']:,} `wbsearchentities` and "
                            f"{k['wbgetentities']:,} `wbgetentities`")
    if searched:
        return ["A first sync exceeds the limit by one `wbsearchentities` per item created, plus one "
                "`wbgetentities` per search that finds items with the same English label: "
                "`Syncer._find_existing` (wikibot/sync/apply.py) looked each new entry up by label. "
                + "; ".join(searched) + ".", ""]
    if not any("first" in r["wikibot"] for r in results):
        return []
    return ["A first sync makes no label search: `wikibot bootstrap` created the registry-id property (as "
            "`note_new_registry` records in the state), so no item can hold a registry id the state has not "
            "seen, and `Syncer._find_existing` is asked only for a creation a crashed run began and never "
            "recorded. A new state against a Wikibase that already holds registry items searches once per "
            "new entry on its first sync only (one `wbsearchentities`, plus one `wbgetentities` when a "
            "label matches).", ""]


def growth(results: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for a, b in itertools.pairwise(results):
        step = b["n"] / a["n"]
        parts = []
        for scenario in SCENARIOS:
            if scenario not in a["wikibot"] or scenario not in b["wikibot"]:
                continue
            la, lb = a["wikibot"][scenario]["local_s"], b["wikibot"][scenario]["local_s"]
            parts.append(f"{scenario} local work ×{lb / la:.1f}" if la > 0 else f"{scenario} -")
            ta, tb = total(a["wikibot"][scenario]["requests"]), total(b["wikibot"][scenario]["requests"])
            parts.append(f"{scenario} requests ×{tb / ta:.1f}" if ta else f"{scenario} requests {ta}->{tb}")
        lines.append(f"{b['n']:,}/{a['n']:,} (×{step:g}): " + ", ".join(parts))
    return lines


def command_line(argv: Sequence[str]) -> str:
    try:
        python_text = str(Path(os.path.abspath(sys.executable)).relative_to(ROOT))
    except ValueError:
        python_text = sys.executable
    shown = [Path(a).name if a.endswith(".json") else a for a in argv]  # saved figures: by file name
    return shlex.join([python_text, str(Path(__file__).resolve().relative_to(ROOT)), *shown])


def produced_by(argv: Sequence[str]) -> str:
    """The command; for figures assembled with --results, the --child runs that made them."""
    if "--results" not in argv:
        return f"`{command_line(argv)}`"
    files = [Path(a) for a in argv[argv.index("--results") + 1:] if not a.startswith("--")]
    commands = []
    for path in files:
        first = path.read_text().strip().splitlines()[-1]
        r = json.loads(first)
        child = ["--child", str(r["n"]), *r.get("argv", [])]
        at = f" (at commit {r['commit']})" if r.get("commit") else ""
        commands.append(f"`{command_line(child)} > {path.name}`{at}")
    return ", ".join(commands) + f", then `{command_line(argv)}`"


def section(results: Sequence[dict[str, Any]], argv: Sequence[str], latency: float) -> str:
    m = machine()
    lines = [
        START,
        "## API traffic of a sync: wikibot, the usual pywikibot approach, and the limit",
        "",
        f"Produced by {produced_by(argv)} (from the repository root) on {m['date']}.",
        "",
        f"Machine: {m['cpu']}, {m['cores']}, {m['memory']}; {m['python']}.",
        "",
        table(results, latency),
        "",
        "Targets (issue 20), as measured in this run:",
        "",
        *[f"- {line}" for line in targets(results)],
        "",
        "wikibot against the limit:",
        "",
        *[f"- {line}" for line in acceptance(results)],
        "",
        "The 5% sync repeated (each round after another editor's round of changes to other entries; the "
        "entries the round before wrote are kept as of after its writes, the items as the Wikibase answered "
        "them, so a round reads only what changed since):",
        "",
        *[f"- {line}" for line in later_rounds(results)],
        "",
        *first_sync_note(results),
        "Growth with N (wikibot):",
        "",
        *[f"- {line}" for line in growth(results)],
        *([] if any(r["n"] >= 100_000 for r in results) else [
            "- Not measured here: 100,000 entries (the check that local work grows linearly: within 12× "
            "of 10,000): `--child 100000 --no-usual --direct-first --scenarios full,noop` measures it."]),
        "",
        "How it is measured (see the docstrings of `bench/sync_traffic.py` and `bench/traffic.py`):",
        "",
        "- *wikibot*: `wikibot sync` (`App.sync`, as the command builds it) on a registry of N generated "
        "entries (`bench/generate.py`, item ids removed): *first* creates every item and writes the ids back; "
        "then, a minute later (scheduled runs are far apart, and a change query reaches back a minute before "
        "the last one), *full* is `sync --full`, a full reconciliation that finds nothing to do; *noop* is "
        "the incremental sync after it; *changed* runs after an editor changed the website of "
        f"{CHANGED_SHARE:.0%} of the entries; *new* after an editor added {NEW_SHARE:.1%} new organisations "
        "(at least one) at the end of one page (their items created, the page saved once with their ids). "
        "No report page and no heartbeat page are configured (each adds a "
        "page read, and a page edit when it changes).",
        "- *change queries*: `list=recentchanges` on each wiki: what changed since the last sync (an "
        "incremental sync), or the wiki's clock (a first and a full sync note it for the next one).",
        "- *usual*: the pattern of pywikibot's `harvest_template.py` / `claimit.py`, through pywikibot's "
        "own `ItemPage.get()`, `editEntity`, `addClaim`, `addQualifier`, `addSources`, `changeTarget`, "
        "`removeClaims` on the same data and the same transport; it never writes pages, and has no change "
        "detection: its no-op reads every item.",
        "- *limit*, for a change-aware sync: one change query per wiki (2), the reads of what changed "
        "(ceil(items/500) entity reads, the bot account having `apihighlimits`, ceil(items/50) without; "
        "ceil(pages/50) page reads; a full reconciliation reads every item and page, a first sync no item), "
        "and one write per item and per page that must change. The *changed* sync's limit reads the changed "
        "entries' items (their content is needed to write them) and the changed pages; the *new* sync's "
        "limit reads the page the entries were added to and no item.",
        f"- *full* and *changed*: local work is the best of {FULL_RUNS} runs up to {MEMORY_MAX:,} entries (a full "
        "reconciliation repeated finds the same nothing to do; *changed* is repeated after another round of edits to "
        f"other {CHANGED_SHARE:.0%} of the entries; each run's counts checked equal, the requests of the later "
        "rounds listed above; every run's local work is in the targets above); one run above that size. The table "
        "shows the first run's requests and bytes; every other figure is of one run.",
        "- *peak MB*: the peak of the memory the run allocates (`tracemalloc`), measured on a second run "
        "of the same sync (it finds the same nothing to do: checked), for *noop* at every size and for *full* "
        f"up to {MEMORY_MAX:,} entries (`--memory-max`); not the process's size, which holds the fake Wikibase.",
        "- Transport: real pywikibot, its HTTP transport replaced by the replay of "
        "`replay/wikibase.py` (answers in the shapes of the captured Wikibase answers), "
        "with its entity files held in memory; claim-level writes of the usual approach are answered "
        "in the captures' shapes but not applied. Pages are counted at the PageStore port as "
        "`LivePageStore` sends them (50 titles a read, one `edit` per changed page; no request for a "
        "no-change save), not on a real MediaWiki, and answered in MediaWiki's shape for the bytes received. "
        "Bytes sent: URL plus body of each request; bytes received: the body of each answer.",
        f"- *transport wait* = requests × {latency * 1000:.0f} ms (not slept). *local work* = CPU time "
        "of the process during the run (`time.process_time`: the runs are single-threaded, and each "
        "size runs in a process of its own) minus the CPU time the fake server spent answering: "
        "parsing, planning, diffing, merging, rendering, the state store, pywikibot's request "
        "building and JSON decoding, and the `responses` mock's own overhead. The workspace standing in for "
        "the wiki of the pages is server time. The cyclic collector's time within each run is recorded too "
        "(`collector_s` in the JSON). Waits on the disk (the SQLite state store's commits) are not "
        "CPU time and not counted.",
        "- The usual approach's extra reads: pywikibot reads each item it creates back once before its first "
        "`addClaim`, and looks up each property's datatype once per process (`other`: its siteinfo). Above "
        "`--usual-first-max` its first sync is *counted, not run*: the same rule (one `editEntity`, one read, "
        "one `wbsetclaim` per statement, one `wbsetqualifier` per qualifier, one `wbsetreference` per "
        "reference), checked equal to the requests actually sent at the sizes where it ran.",
        END,
    ]
    return "\n".join(lines)


def run_sizes(sizes: Sequence[int], seed: int, highvolume: bool, usual: bool,
              usual_first_max: int) -> list[dict[str, Any]]:
    """Each size in its own process, all at once (they share nothing)."""
    running = []
    for n in sizes:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(n), "--seed", str(seed),
                   "--usual-first-max", str(usual_first_max)]
        if not highvolume:
            command.append("--no-highvolume")
        if not usual:
            command.append("--no-usual")
        running.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
    results = []
    for process in running:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"{process.args}: exit {process.returncode}")
        results.append(dict(json.loads(out.strip().splitlines()[-1])))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated registry sizes (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=40.0, help="ms per request (default: %(default)s)")
    parser.add_argument("--no-highvolume", dest="highvolume", action="store_false",
                        help="the bot account lacks apihighlimits (50 ids per wbgetentities)")
    parser.add_argument("--no-usual", dest="usual", action="store_false",
                        help="measure wikibot and the limit only")
    parser.add_argument("--usual-first-max", type=int, default=1_000, metavar="N",
                        help="run the usual approach's first sync up to this size; above it, its requests are "
                             "counted from the data (it sends ~25 requests an entry; default: %(default)s)")
    parser.add_argument("--direct-first", action="store_true",
                        help="with --child: make the first sync straight on the fake wiki's store, unmeasured "
                             "(for sizes where only the no-op and 5%% syncs are wanted)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="the syncs measured, of %(default)s (noop always; a first sync is made unmeasured "
                             "when not asked)")
    parser.add_argument("--memory-max", type=int, default=MEMORY_MAX, metavar="N",
                        help="measure the full reconciliation's peak memory up to this size (default: %(default)s)")
    parser.add_argument("--write", action="store_true", help=f"rewrite the sync_traffic section of {DOC}")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the raw figures here")
    parser.add_argument("--results", type=Path, nargs="+", metavar="FILE",
                        help="report the figures that --child runs printed to these files instead of measuring")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        scenarios = [x.strip() for x in args.scenarios.split(",") if x.strip()]
        unknown = set(scenarios) - set(SCENARIOS)
        if unknown:
            parser.error(f"--scenarios: unknown {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
        result = measure(args.child, args.seed, args.highvolume, args.usual, args.usual_first_max, args.direct_first,
                         scenarios, args.memory_max)
        at = next(i for i, a in enumerate(argv) if a.startswith("--child"))
        result["argv"] = [*argv[:at], *argv[at + (1 if "=" in argv[at] else 2):]]  # the options besides --child N
        result["commit"] = _commit()
        print(json.dumps(result))
        return 0
    latency = args.latency / 1000
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.results:
        results = []
        for path in args.results:
            try:
                results.extend(read_results(path))
            except (OSError, ValueError, KeyError) as error:
                parser.error(f"--results {path}: neither a --child run's output nor a --json file ({error})")
        results.sort(key=lambda r: r["n"])
    else:
        results = run_sizes(sizes, args.seed, args.highvolume, args.usual, args.usual_first_max)
    print(table(results, latency))
    print()
    print("\n".join(acceptance(results)))
    print("\n".join(targets(results)))
    print("\n".join(growth(results)))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=1) + "\n")
    if args.write:
        write_section_marked(section(results, argv, latency))
        print(f"wrote {DOC}")
    return 0


def _commit() -> str | None:
    """The commit measured (with a + when the tree has changes), or None outside a git clone."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+" if dirty else "")


def read_results(path: Path) -> list[dict[str, Any]]:
    """The figures in ``path``: what a ``--child`` run printed (its last line), or a ``--json`` file."""
    text = path.read_text(encoding="utf-8").strip()
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, dict) and isinstance(whole.get("results"), list):
        return list(whole["results"])
    found = json.loads(text.splitlines()[-1])
    if not isinstance(found, dict) or "n" not in found:
        raise ValueError("no figures in it")
    return [found]


def write_section_marked(text: str) -> None:
    current = DOC.read_text(encoding="utf-8")
    if START in current and END in current:
        before, rest = current.split(START, 1)
        current = before + text + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    DOC.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
