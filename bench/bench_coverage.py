"""How the coverage questions on the embedded query store scale with the registry's size.

For each size N (default 1,000 / 10,000 / 100,000 entries) a fresh Python process makes the
entity JSON of a Wikibase holding the registry of ``bench.generate.generate_entries(N)``:
the mapping's properties (``P1``...) and class and vocabulary items (``Q1``...) as
``wikibot bootstrap`` creates them (English label and description, a property's datatype),
then one item per entry from ``wikibase.entity.to_entity``, with a reference to the
permalink of the registry page the entry is on, made into what ``wbgetentities`` returns
(claims by property, statement GUIDs, snak hashes and datatypes, reference hashes,
``lastrevid``, ``modified``), as the local Wikibase stores it.  It then measures, with
``time.perf_counter``:

JSON       making the entity JSON (shown, not part of the figures);
rebuild    ``QueryIndex.rebuild`` of every entity into an ``EmbeddedQueryStore``: the RDF of
           each entity (``wikibase.rdf.entity_triples``) written into its named graph, then
           flushed; on disk under a temporary directory (the realistic case: the workspace's
           store is on disk) and, apart, in memory;
versions   ``QueryIndex.versions()``: the revision of every entity, read from the store
           (what ``jobs.index_entities`` asks before an update);
update     ``QueryIndex.update`` of one changed entity (a hub, with a new ``lastrevid``)
           given the versions: its graph dropped and written again; best of 5;
peak MB    the process's peak resident set size, on-disk rebuild and update done (before the
           in-memory rebuild), interpreter included.

Each of the 7 coverage questions (``coverage.questions.NAMES``, filled with
``query_values(mapping, today=2026-11-21)``) is then asked of the on-disk store, each in
its own process that opens the store and runs the question: the first run, then again
while the runs so far and one more stay within the time limit (``--timeout``, 60 s), up to
``--repeats`` runs (5 up to N = 1,000, else 3), the best kept.  A question still running
at the limit is stopped and shown as "> limit s".

    .venv/bin/python bench/bench_coverage.py                     # print the tables
    .venv/bin/python bench/bench_coverage.py --write             # and update docs/benchmarks.md
    .venv/bin/python bench/bench_coverage.py --sizes 1000,5000   # other sizes
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import itertools
import json
import os
import random
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench.bench_parse import DOC, DOC_HEADER, machine  # noqa: E402

START, END = "<!-- bench_coverage:start -->", "<!-- bench_coverage:end -->"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
LINEAR_TOLERANCE = 1.5  # time per entry may grow by this factor per size step and be "linear"
TODAY = dt.date(2026, 11, 21)
CONCEPT_URI = "https://registry.example.org/entity/"
INDEX_URL = "https://meta.wikimedia.org/w/index.php"
DEFAULT_TIMEOUT = 60.0
UPDATE_REPEATS = 5
EntityJson = dict[str, Any]


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_repeats(n: int) -> int:
    return 5 if n <= 1_000 else 3


def _short(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


# --------------------------------------------------------------------------------------
# The Wikibase's entities, as wbgetentities gives them
# --------------------------------------------------------------------------------------


def _hash(value: Any) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _terms(label: str, description: str) -> EntityJson:
    return {"labels": {"en": {"language": "en", "value": label}},
            "descriptions": {"en": {"language": "en", "value": description}}, "aliases": {}}


class Instance:
    """Ids as bootstrap gives them (properties P1..., class and vocabulary items Q1...),
    the entries' items after them, and revision numbers in the order of creation."""

    def __init__(self) -> None:
        from wikibot.wikibase.mapping import PROPERTIES, ResolvedMapping, vocabulary_items

        self.revision = 0
        self.entities: list[EntityJson] = []
        properties, items = {}, {}
        for number, prop in enumerate(PROPERTIES, start=1):
            properties[prop.key] = pid = f"P{number}"
            self._add({"type": "property", "id": pid, "datatype": prop.datatype, "claims": {},
                       **_terms(prop.label, prop.description)})
        for number, spec in enumerate(vocabulary_items(), start=1):
            items[spec.key] = qid = f"Q{number}"
            self._add({"type": "item", "id": qid, "claims": {}, "sitelinks": {},
                       **_terms(spec.label, spec.description)})
        self.next_item = len(items) + 1
        self.mapping = ResolvedMapping(properties=properties, items=items)
        self.datatypes = self.mapping.datatypes()

    def _add(self, entity: EntityJson) -> None:
        self.revision += 1
        entity["lastrevid"] = self.revision
        entity["modified"] = "2026-11-20T12:00:00Z"
        self.entities.append(entity)

    def stored(self, entity_id: str, data: EntityJson, rng: random.Random) -> EntityJson:
        """``wbeditentity`` data as the Wikibase stores it (see ``adapters/entity_local.py``)."""
        claims: dict[str, list[EntityJson]] = {}
        for statement in data["claims"]:
            guid = "%08X-%04X-%04X-%04X-%012X" % (rng.getrandbits(32), rng.getrandbits(16),  # noqa: UP031
                                                   rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(48))
            stored: EntityJson = {"mainsnak": self._snak(statement["mainsnak"]), "type": "statement",
                                  "id": f"{entity_id}${guid}", "rank": statement.get("rank", "normal")}
            if statement.get("qualifiers"):
                stored["qualifiers"] = {p: [self._snak(q) for q in qs] for p, qs in statement["qualifiers"].items()}
                stored["qualifiers-order"] = list(statement.get("qualifiers-order", stored["qualifiers"]))
            if statement.get("references"):
                stored["references"] = []
                for reference in statement["references"]:
                    snaks = {p: [self._snak(s) for s in ss] for p, ss in reference["snaks"].items()}
                    stored["references"].append({"hash": _hash(snaks), "snaks": snaks,
                                                 "snaks-order": reference.get("snaks-order", list(snaks))})
            claims.setdefault(stored["mainsnak"]["property"], []).append(stored)
        entity = {"type": "item", "id": entity_id, "labels": data["labels"], "descriptions": data["descriptions"],
                  "aliases": data["aliases"], "claims": claims, "sitelinks": {}}
        self._add(entity)
        return entity

    def _snak(self, snak: EntityJson) -> EntityJson:
        stored: EntityJson = {"snaktype": snak.get("snaktype", "value"), "property": snak["property"]}
        if "datavalue" in snak:
            stored["datavalue"] = snak["datavalue"]
        stored["hash"] = _hash(stored)
        stored["datatype"] = self.datatypes[snak["property"]]
        return stored


def make_entities(n: int, seed: int) -> tuple[Instance, dict[str, str]]:
    """The instance's entities for the registry of ``n`` entries; and registry id -> item id."""
    from bench.generate import generate_entries, page_titles
    from wikibot.registry.dates import WikiDate
    from wikibot.wikibase.entity import Provenance, to_entity

    instance = Instance()
    entries = generate_entries(n, seed)
    item_ids = {entry.id: f"Q{instance.next_item + i}" for i, entry in enumerate(entries)}
    # the page each entry is on, as generate_registry lays them out
    layout = list(entries)
    random.Random(f"layout-{seed}").shuffle(layout)
    titles = page_titles(n)
    page_of = {}
    for k, title in enumerate(titles):  # exactly generate_registry's chunks
        for entry in layout[k * n // len(titles):(k + 1) * n // len(titles)]:
            page_of[entry.id] = title
    retrieved = WikiDate.parse("2026-11-20")
    provenance = {title: Provenance.for_page(INDEX_URL, title, 1_000_000 + k, retrieved)
                  for k, title in enumerate(titles)}
    rng = random.Random(f"guids-{seed}")
    for entry in entries:
        data = to_entity(entry, instance.mapping, provenance[page_of[entry.id]], item_ids)
        instance.stored(item_ids[entry.id], data, rng)
    return instance, item_ids


# --------------------------------------------------------------------------------------
# One size: the store
# --------------------------------------------------------------------------------------


def _directory_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1024 ** 2


def measure_load(n: int, seed: int, work: Path) -> dict[str, Any]:
    """Entity JSON, rebuild on disk (kept in ``work/store`` for the questions) and in memory,
    versions and a one-entity update; in this process."""
    from wikibot.adapters.query_embedded import EmbeddedQueryStore
    from wikibot.coverage.index import QueryIndex
    from wikibot.wikibase.rdf import RdfPrefixes

    baseline = _maxrss_mb()
    start = time.perf_counter()
    instance, item_ids = make_entities(n, seed)
    json_s = time.perf_counter() - start
    entities = instance.entities
    _log(f"N={n:,}: {len(entities):,} entities' JSON in {json_s:.1f} s; rebuilding on disk")
    (work / "mapping.json").write_text(json.dumps({"properties": dict(instance.mapping.properties),
                                                   "items": dict(instance.mapping.items)}))
    prefixes = RdfPrefixes.for_concept_uri(CONCEPT_URI)

    gc.collect()
    disk = EmbeddedQueryStore(work / "store")
    index = QueryIndex(disk, prefixes)
    start = time.perf_counter()
    written = index.rebuild(entities)
    disk_s = time.perf_counter() - start
    triples = len(disk)
    _log(f"N={n:,}: {written:,} entities, {triples:,} triples on disk in {disk_s:.1f} s")

    versions_s, versions = _best(3, index.versions)
    if len(versions) != len(entities):
        raise AssertionError(f"versions() gives {len(versions)} entities of {len(entities)}")
    hub_id = next(e for e in entities if e.get("claims", {}).get(instance.mapping.pid("instance_of"))
                  and e["claims"][instance.mapping.pid("instance_of")][0]["mainsnak"]["datavalue"]["value"]["id"]
                  == instance.mapping.qid("class:hub"))["id"]
    hub = next(e for e in entities if e["id"] == hub_id)
    update_s = float("inf")
    for _ in range(UPDATE_REPEATS):
        instance.revision += 1
        changed = {**hub, "lastrevid": instance.revision}
        start = time.perf_counter()
        replaced = index.update([changed], known=versions)
        update_s = min(update_s, time.perf_counter() - start)
        if replaced != [hub_id]:
            raise AssertionError(f"update replaced {replaced}")
    if len(disk) != triples:
        raise AssertionError(f"{len(disk)} triples after updating one entity, {triples} before")
    disk_mb = _directory_mb(work / "store")
    peak_disk = _maxrss_mb()
    del index, disk
    gc.collect()

    _log(f"N={n:,}: versions {versions_s:.2f} s, update {update_s * 1e3:.0f} ms; rebuilding in memory")
    memory = EmbeddedQueryStore()
    start = time.perf_counter()
    QueryIndex(memory, prefixes).rebuild(entities)
    memory_s = time.perf_counter() - start
    if len(memory) != triples:
        raise AssertionError(f"{len(memory)} triples in memory, {triples} on disk")
    _log(f"N={n:,}: in memory in {memory_s:.1f} s")
    return {
        "n": n, "entries": len(item_ids), "entities": len(entities), "triples": triples,
        "json_s": json_s, "disk_s": disk_s, "memory_s": memory_s, "versions_s": versions_s,
        "update_s": update_s, "disk_mb": disk_mb, "peak_mb": peak_disk, "peak_memory_mb": _maxrss_mb(),
        "baseline_mb": baseline,
    }


def _best(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


# --------------------------------------------------------------------------------------
# One question, in its own process
# --------------------------------------------------------------------------------------


def measure_question(name: str, work: Path, repeats: int, limit: float) -> dict[str, Any]:
    from wikibot.adapters.query_embedded import EmbeddedQueryStore
    from wikibot.coverage.questions import ask, load_question, query_values
    from wikibot.coverage.template import QueryContext
    from wikibot.wikibase.mapping import ResolvedMapping
    from wikibot.wikibase.rdf import RdfPrefixes

    ids = json.loads((work / "mapping.json").read_text())
    mapping = ResolvedMapping(properties=ids["properties"], items=ids["items"])
    context = QueryContext(mapping, RdfPrefixes.for_concept_uri(CONCEPT_URI), query_values(mapping, today=TODAY))
    question = load_question(name)
    start = time.perf_counter()
    store = EmbeddedQueryStore(work / "store")
    open_s = time.perf_counter() - start
    times: list[float] = []
    rows = 0
    spent = 0.0
    while len(times) < repeats and (not times or spent + times[-1] <= limit):
        start = time.perf_counter()
        answer = ask(store, question, context)
        times.append(time.perf_counter() - start)
        spent += times[-1]
        rows = len(answer.result.rows)
    return {"name": name, "first_s": times[0], "best_s": min(times), "runs": len(times), "rows": rows,
            "open_s": open_s, "peak_mb": _maxrss_mb()}


def run_question(name: str, work: Path, repeats: int, limit: float) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--question", name, "--work", str(work),
               "--repeats", str(repeats), "--timeout", str(limit)]
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True, timeout=limit + 15)
    except subprocess.TimeoutExpired:  # subprocess.run kills the child
        return {"name": name, "timeout_s": limit}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_size(n: int, seed: int, repeats: int | None, limit: float) -> dict[str, Any]:
    """The load in a fresh process (its peak memory its own), then each question in its own."""
    from wikibot.coverage.questions import NAMES

    work = Path(tempfile.mkdtemp(prefix=f"bench-coverage-{n}-"))
    try:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(n), "--seed", str(seed),
                   "--work", str(work)]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
        result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
        result["repeats"] = repeats or default_repeats(n)
        result["questions"] = {}
        for name in NAMES:
            answer = run_question(name, work, result["repeats"], limit)
            result["questions"][name] = answer
            _log(f"N={n:,}: {name}: " + (f"> {limit:.0f} s, stopped" if "timeout_s" in answer else
                                         f"first {answer['first_s']:.3f} s, best {answer['best_s']:.3f} s "
                                         f"of {answer['runs']}, {answer['rows']} rows"))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def _seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1e3:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1e3:.1f} ms"
    return f"{seconds:,.1f} s" if seconds < 100 else f"{seconds:,.0f} s"


def load_table(results: Sequence[dict[str, Any]]) -> str:
    rows = ["| N | entities | triples | JSON s | rebuild on disk s | µs per entity | rebuild in memory s "
            "| store on disk MB | versions() | update one entity | peak MB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(
            f"| {r['n']:,} | {r['entities']:,} | {r['triples']:,} | {r['json_s']:.1f} | {r['disk_s']:,.1f} "
            f"| {r['disk_s'] / r['entities'] * 1e6:,.0f} | {r['memory_s']:,.1f} | {r['disk_mb']:,.0f} "
            f"| {_seconds(r['versions_s'])} | {_seconds(r['update_s'])} | {r['peak_mb']:,.0f} |")
    return "\n".join(rows)


def _cell(answer: dict[str, Any]) -> str:
    if "timeout_s" in answer:
        return f"> {answer['timeout_s']:.0f} s"
    best, first = answer["best_s"], answer["first_s"]
    return _seconds(best) + (f" ({_seconds(first)})" if answer["runs"] > 1 else "")


def question_table(results: Sequence[dict[str, Any]]) -> str:
    names = list(results[0]["questions"])
    header = "| question | " + " | ".join(f"{_short(r['n'])}: best (first) | rows" for r in results) + " |"
    rows = [header, "|---|" + "---:|---:|" * len(results)]
    for name in names:
        cells = []
        for r in results:
            answer = r["questions"][name]
            cells += [_cell(answer), "–" if "timeout_s" in answer else f"{answer['rows']:,}"]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _question_s(answer: dict[str, Any]) -> float | None:
    return None if "timeout_s" in answer else float(answer["best_s"])


def growth(results: Sequence[dict[str, Any]]) -> list[tuple[str, dict[str, float | None]]]:
    """Per size step and question (and the rebuild): how much the time per entry grew."""
    steps = []
    for a, b in itertools.pairwise(results):
        scale = b["entries"] / a["entries"]
        ratios: dict[str, float | None] = {"rebuild": b["disk_s"] / a["disk_s"] / scale}
        for name in a["questions"]:
            ta, tb = _question_s(a["questions"][name]), _question_s(b["questions"][name])
            ratios[name] = None if ta is None or tb is None else tb / ta / scale
        steps.append((f"{_short(b['n'])}/{_short(a['n'])}", ratios))
    return steps


def verdict(results: Sequence[dict[str, Any]]) -> str:
    steps = growth(results)
    if not steps:
        return "One size only: no growth ratio."
    last = results[-1]
    stopped = [name for name, answer in last["questions"].items() if "timeout_s" in answer]
    faster = sorted({name for _, ratios in steps for name, ratio in ratios.items()
                     if ratio is not None and ratio > LINEAR_TOLERANCE})
    rebuild = ", ".join(f"{s} = {r['rebuild']:.2f}" for s, r in steps)
    worst = max(r["rebuild"] or 0.0 for _, r in steps)
    text = [f"Growth of time per entry of the rebuild: {rebuild}: "
            + (f"**linear** (within {LINEAR_TOLERANCE}x a step"
               + (f", though rising by up to {worst:.2f}x a step)." if worst > 1.2 else ").")
               if worst <= LINEAR_TOLERANCE
               else "**superlinear**.")]
    if not faster and not stopped:
        text.append(f"Questions: **linear or better**: no question's time per entry grows by more than "
                    f"{LINEAR_TOLERANCE}x from one size to the next (smaller ratios: a fixed cost per "
                    "query weighs less as N grows).")
    else:
        if faster:
            shown = "; ".join(f"{name} (" + ", ".join(f"{s} = {r[name]:.2f}" for s, r in steps
                                                      if r.get(name) is not None) + ")" for name in faster)
            text.append(f"Questions: **superlinear**, time per entry growing by more than "
                        f"{LINEAR_TOLERANCE}x a step, for {shown}.")
        if stopped:
            text.append(f"Stopped at the {last['questions'][stopped[0]]['timeout_s']:.0f} s limit at "
                        f"N = {last['n']:,}: {', '.join(stopped)}.")
        linear = [name for name in last["questions"] if name not in faster and name not in stopped]
        if linear:
            text.append(f"Linear or better: {', '.join(linear)}.")
    return " ".join(text)


def growth_table(results: Sequence[dict[str, Any]]) -> str:
    steps = growth(results)
    names = list(steps[0][1])
    rows = ["| step | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for step, ratios in steps:
        rows.append(f"| {step} | " + " | ".join("–" if ratios[k] is None else f"{ratios[k]:.2f}"
                                                for k in names) + " |")
    return "\n".join(rows)


def section(results: Sequence[dict[str, Any]], argv: Sequence[str], limit: float) -> str:
    import pyoxigraph

    m = machine()
    lines = [
        START,
        "## Coverage questions on the embedded query store",
        "",
        f"Produced by `{command_line(argv)}` (from the repository root) on {m['date']}.",
        "",
        f"Machine: {m['cpu']}, {m['cores']}, {m['memory']}; {m['python']}; pyoxigraph {pyoxigraph.__version__}.",
        "",
        "Loading the store (`QueryIndex.rebuild`: the RDF of every entity written into its named graph):",
        "",
        load_table(results),
        "",
        "The coverage questions, asked of the on-disk store with `today` = "
        f"{TODAY.isoformat()}: best time of the runs (the first run, in a fresh process that has just "
        "opened the store, in parentheses), and the rows returned:",
        "",
        question_table(results),
        "",
        verdict(results),
        "",
    ]
    if len(results) > 1:
        lines += ["Growth of time per entry (time ratio divided by size ratio; 1.00 is linear):", "",
                  growth_table(results), ""]
    lines += [
        "What is measured (wall clock, `time.perf_counter`):",
        "",
        "- *entities*: the Wikibase's entities: the mapping's properties and class and vocabulary "
        "items, as `wikibot bootstrap` makes them, and one item per registry entry of "
        "`bench.generate.generate_entries(N)` from `to_entity` (with a reference to its registry "
        "page's permalink on every statement), as `wbgetentities` gives them; *JSON s*: making "
        "them (not counted).",
        "- *rebuild*: `QueryIndex.rebuild` of every entity, on disk in a temporary directory (the "
        "realistic case: the workspace's store is on disk; *µs per entity* is of this one) and, "
        "for comparison, in memory; run once.",
        "- *versions()*: reading every entity's revision from the store (done once before each "
        "update); *update one entity*: `QueryIndex.update` of one hub with a new `lastrevid`, the "
        f"versions given (its graph dropped and written again, then flushed); best of {UPDATE_REPEATS}.",
        "- *questions*: each question in its own process on the on-disk store (rendering the "
        "template, the query, the JSON results read back): runs repeated up to "
        + ", ".join(f"{r['repeats']} ({_short(r['n'])})" for r in results)
        + f" times while the runs so far stay within {limit:.0f} s; a question still running at "
        f"{limit:.0f} s is stopped and shown as \"> {limit:.0f} s\".",
        "- *peak MB*: peak resident set size of the process loading that size (interpreter and "
        f"imports alone: {results[0]['baseline_mb']:.0f} MB), holding every entity's JSON, after the "
        "on-disk rebuild and update (with the in-memory store too: "
        + ", ".join(f"{r['peak_memory_mb']:,.0f} MB ({_short(r['n'])})" for r in results)
        + "); the question processes peak at "
        + ", ".join(f"{_question_peak(r):,.0f} MB ({_short(r['n'])})" for r in results) + ".",
        END,
    ]
    return "\n".join(lines)


def _question_peak(result: dict[str, Any]) -> float:
    return max((float(a.get("peak_mb", 0)) for a in result["questions"].values()), default=0.0)


def _rows(results: Sequence[dict[str, Any]]) -> Iterator[str]:
    yield load_table(results)
    yield ""
    yield question_table(results)
    yield ""
    yield verdict(results)
    if len(results) > 1:
        yield ""
        yield growth_table(results)


def command_line(argv: Sequence[str]) -> str:
    try:
        python_text = str(Path(os.path.abspath(sys.executable)).relative_to(ROOT))
    except ValueError:
        python_text = sys.executable
    return shlex.join([python_text, str(Path(__file__).resolve().relative_to(ROOT)), *argv])


def write_section(text: str, doc: Path = DOC) -> None:
    current = doc.read_text(encoding="utf-8") if doc.exists() else DOC_HEADER
    if START in current and END in current:
        before, rest = current.split(START, 1)
        new = before + text + rest.split(END, 1)[1]
    else:
        new = current.rstrip("\n") + "\n\n" + text + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(new, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated registry sizes (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=None,
                        help="most runs of each question per size, best kept (default: 5 up to 1,000, else 3)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="stop a question after this many seconds (default: %(default)s)")
    parser.add_argument("--write", action="store_true",
                        help=f"rewrite the section between the bench_coverage markers in {DOC}")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the raw figures here")
    parser.add_argument("--from-json", type=Path, metavar="FILE",
                        help="report the figures a --json run saved, measuring nothing")
    parser.add_argument("--doc", type=Path, default=DOC, help=argparse.SUPPRESS)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--question", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        print(json.dumps(measure_load(args.child, args.seed, args.work)))
        return 0
    if args.question is not None:
        print(json.dumps(measure_question(args.question, args.work, args.repeats, args.timeout)))
        return 0

    if args.from_json:
        results = json.loads(args.from_json.read_text())["results"]
        argv = [a for a in argv if a != "--from-json" and a != str(args.from_json)]
    else:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
        results = [run_size(n, args.seed, args.repeats, args.timeout) for n in sizes]
    print("\n".join(_rows(results)))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=1) + "\n")
    if args.write:
        write_section(section(results, argv, args.timeout), args.doc)
        print(f"wrote {args.doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
