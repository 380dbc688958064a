"""The usual pywikibot bot, for ``bench/sync_traffic.py``: item by item, claim by claim.

Written as ``harvest_template.py`` and ``claimit.py`` work, with pywikibot's high-level API
only: the registry pages are read (50 a request, as a preloading generator does) and parsed
with wikibot's parser (the same data); the statements an entry should have are wikibot's
``to_entity`` (the same claims, qualifiers and references).  Then, per entry:

* no item yet (``create``): ``ItemPage(repo).editEntity`` with the labels, descriptions and
  aliases (one request), then per statement ``addClaim``, ``addQualifier`` per qualifier and
  ``addSources`` per reference;
* an item: ``ItemPage(repo, qid).get()`` (one request), then per property the targets
  compared: ``changeTarget`` for a claim whose value differs, ``addClaim`` (with its
  qualifiers and sources) for one missing, ``removeClaims`` for one too many; labels,
  descriptions and aliases with ``editLabels`` / ``editDescriptions`` / ``editAliases`` when
  they differ.  Like those scripts it does not compare references, and never writes pages.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

from wikibot import jobs
from wikibot.registry.dates import WikiDate
from wikibot.wikibase.entity import Provenance, to_entity


class UsualBot:
    def __init__(self, pywikibot: Any, repo: Any, pages: Any, settings: Any, mapping: Any, meter: Any) -> None:
        self.pw, self.repo, self.pages, self.settings = pywikibot, repo, pages, settings
        self.mapping, self.meter = mapping, meter


    def run(self, label: str, *, create: bool = False, log: Callable[[str], None] | None = None) -> dict[str, Any]:
        snap = self.meter.snapshot()
        start, cpu = time.perf_counter(), time.process_time()
        titles = list(self.settings.registry.pages)
        read = self.pages.fetch_pages(titles)
        loaded = jobs.read_registry(self.settings, read)
        entries = list(loaded.registry.entries)
        provenance = {t: Provenance.for_page(self.settings.wiki.index_url, t, p.revid, _today())
                      for t, p in read.items() if p is not None}
        source = {c.entry.id: c.source.page for c in loaded.registry.claims if c.entry is not None}
        item_ids = {e.id: e.item for e in entries if e.item}
        items: dict[str, Any] = {}
        if create:
            item_ids = {}
            for entry in entries:
                terms = {"labels": {lang: {"language": lang, "value": v} for lang, v in entry.names.items()},
                         "descriptions": {lang: {"language": lang, "value": v}
                                          for lang, v in entry.descriptions.items()},
                         "aliases": {lang: [{"language": lang, "value": v} for v in values]
                                     for lang, values in entry.aliases.items()}}
                item = self.pw.ItemPage(self.repo)
                item.editEntity({k: v for k, v in terms.items() if v}, summary=f"new item for {entry.id}")
                item_ids[entry.id] = item.getID()
                items[entry.id] = item
        for entry in entries:
            wanted = to_entity(entry, self.mapping, provenance[source[entry.id]], item_ids)
            if create:
                for statement in wanted["claims"]:
                    self._add(items[entry.id], statement)
                continue
            if entry.id not in item_ids:
                continue
            item = self.pw.ItemPage(self.repo, item_ids[entry.id])
            item.get()
            self._update(item, wanted)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        figures: dict[str, Any] = self.meter.since(snap)
        figures.update(wall_s=wall, local_s=cpu - figures["server_s"])
        print(f"{label}: usual {'first' if create else 'sync'}: {figures['requests']} in {wall:.1f} s",
              file=sys.stderr, flush=True)
        return figures

    def planned_first(self) -> dict[str, int]:
        """The requests of ``run(create=True)``, counted from the data without sending them."""
        read = self.pages.store.fetch_pages(list(self.settings.registry.pages))
        loaded = jobs.read_registry(self.settings, read)
        entries = list(loaded.registry.entries)
        ids = {e.id: f"Q{n + 1}" for n, e in enumerate(entries)}
        counts = {"wbeditentity": len(entries), "wbgetentities": len(entries), "wbsetclaim": 0,
                  "wbsetqualifier": 0, "wbsetreference": 0}
        provenance = Provenance.for_page(self.settings.wiki.index_url, "x", 1, _today())
        for entry in entries:
            for statement in to_entity(entry, self.mapping, provenance, ids)["claims"]:
                counts["wbsetclaim"] += 1
                counts["wbsetqualifier"] += sum(len(q) for q in statement.get("qualifiers", {}).values())
                counts["wbsetreference"] += len(statement.get("references", []))
        counts["page read"] = math.ceil(len(read) / 50)
        return counts

    def _claim(self, statement: dict[str, Any]) -> Any:
        return self.pw.Claim.fromJSON(self.repo, statement)

    def _add(self, item: Any, statement: dict[str, Any]) -> None:
        model = self._claim(statement)
        claim = self.pw.Claim(self.repo, model.getID())
        claim.setTarget(model.getTarget())
        item.addClaim(claim, summary="harvest")
        for qualifiers in model.qualifiers.values():
            for qualifier in qualifiers:
                fresh = self.pw.Claim(self.repo, qualifier.getID(), is_qualifier=True)
                fresh.setTarget(qualifier.getTarget())
                claim.addQualifier(fresh, summary="harvest")
        for group in model.sources:
            sources = []
            for prop, snaks in group.items():
                for snak in snaks:
                    fresh = self.pw.Claim(self.repo, prop, is_reference=True)
                    fresh.setTarget(snak.getTarget())
                    sources.append(fresh)
            claim.addSources(sources, summary="harvest")

    def _update(self, item: Any, wanted: dict[str, Any]) -> None:
        labels = {lang: t["value"] for lang, t in wanted["labels"].items()}
        if dict(item.labels) != labels:
            item.editLabels(labels, summary="sync")
        descriptions = {lang: t["value"] for lang, t in wanted["descriptions"].items()}
        if dict(item.descriptions) != descriptions:
            item.editDescriptions(descriptions, summary="sync")
        aliases = {lang: [a["value"] for a in texts] for lang, texts in wanted["aliases"].items()}
        if {k: list(v) for k, v in item.aliases.items()} != aliases:
            item.editAliases(aliases, summary="sync")
        by_property: dict[str, list[dict[str, Any]]] = {}
        for statement in wanted["claims"]:
            by_property.setdefault(statement["mainsnak"]["property"], []).append(statement)
        for prop, statements in by_property.items():
            existing = list(item.claims.get(prop, []))
            missing = []
            for statement in statements:
                target = self._claim(statement).getTarget()
                match = next((c for c in existing if c.target_equals(target) or c.getTarget() == target), None)
                if match is not None:
                    existing.remove(match)
                else:
                    missing.append((statement, target))
            for statement, target in missing:
                if existing:
                    existing.pop(0).changeTarget(target, summary="sync")
                else:
                    self._add(item, statement)
            if existing:
                item.removeClaims(existing, summary="sync")


def _today() -> WikiDate:
    from wikibot.sync.apply import _today as today

    return today()
