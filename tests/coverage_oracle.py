"""Each coverage question answered in plain Python from the registry models, independently of
the RDF, the queries and the store: the reference the SPARQL answers are checked against.

Each function takes the validated ``Registry`` (and the run's values) and returns rows of
plain values in the shape of the question's result variables.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from fractions import Fraction

from wikibot.coverage import questions  # OPEN and OPERATING read at call time (tests vary them)
from wikibot.registry.check import Registry
from wikibot.registry.models import EntryKind, Hub, Organization, Partnership
from wikibot.registry.vocab import HubStatus, Region, ThematicArea
from wikibot.wikibase.mapping import FIELDS


def share(exact: Fraction) -> Fraction:
    """A share as the queries give it: rounded to three decimal places, a half up (SPARQL's
    ROUND rounds halves towards positive infinity)."""
    return Fraction(math.floor(exact * 1000 + Fraction(1, 2)), 1000)


def _hubs(registry: Registry) -> list[Hub]:
    return [e for e in registry.entries if isinstance(e, Hub)]


def _partnerships(registry: Registry) -> list[Partnership]:
    return [e for e in registry.entries if isinstance(e, Partnership)]


def reviews(registry: Registry, today: dt.date, days: int) -> list[tuple[str, str, str]]:
    """(hub, status, "overdue" | "due"): overdue once the whole period of the date has passed,
    due when its first day is no later than ``today + days``."""
    horizon = today + dt.timedelta(days=days)
    rows = []
    for hub in _hubs(registry):
        review = hub.next_review
        if review is None:
            continue
        first = dt.date(review.year, review.month or 1, review.day or 1)
        if review.day is not None:
            last = first
        elif review.month is not None:
            last = (dt.date(review.year + (review.month == 12), review.month % 12 + 1, 1) - dt.timedelta(days=1))
        else:
            last = dt.date(review.year, 12, 31)
        if last < today:
            rows.append((hub.id, hub.status.value, "overdue"))
        elif first <= horizon:
            rows.append((hub.id, hub.status.value, "due"))
    return sorted(rows, key=repr)


def partnerships(registry: Registry) -> list[tuple[str, str, int, tuple[str, ...]]]:
    """(partnership type, steward or "(none)", count, partnership ids) for every pair."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for partnership in _partnerships(registry):
        for kind in partnership.partnership_type:
            for steward in partnership.stewards or ("(none)",):
                pairs[(kind.value, steward)].add(partnership.id)
    return sorted(((t, s, len(ids), tuple(sorted(ids))) for (t, s), ids in pairs.items()), key=repr)


def themes(registry: Registry) -> list[tuple[str, tuple[str, ...], int, int, int, tuple[str, ...], int]]:
    """(theme, hubs as "id (status)", open hubs, partnerships, distinct stewards, largest
    steward(s), partnerships the largest leads) for every theme of the vocabulary; the share is
    leads / partnerships (none when there is no partnership)."""

    closed = (HubStatus.DORMANT, HubStatus.CLOSED)
    rows = []
    for theme in ThematicArea:
        hubs = [hub for hub in _hubs(registry) if theme in hub.themes]
        partnerships = [p for p in _partnerships(registry) if theme in p.themes]
        led: dict[str, int] = defaultdict(int)
        for partnership in partnerships:
            for steward in partnership.stewards:
                led[steward] += 1
        most = max(led.values(), default=0)
        rows.append((theme.value, tuple(sorted(f"{hub.id} ({hub.status.value})" for hub in hubs)),
                     sum(hub.status not in closed for hub in hubs), len(partnerships), len(led),
                     tuple(sorted(s for s, n in led.items() if n == most)), most))
    return sorted(rows, key=repr)


def completeness(registry: Registry) -> list[tuple[str, str, int, int]]:
    """(class, field, entries of the kind, entries with a value of the field) for every field
    the mapping stores as statements (not the qualifier fields); a field has a value when it
    is neither None nor empty (so ``id``, and a hub's kinds or an organisation's type, always)."""

    rows = []
    for kind in EntryKind:
        entries = [e for e in registry.entries if e.kind is kind]
        for spec in FIELDS[kind]:
            if spec.qualifier_of is not None:
                continue
            having = [e for e in entries if getattr(e, spec.field) not in (None, (), "")]
            rows.append((kind.value, spec.field, len(entries), len(having)))
    return sorted(rows, key=repr)


def _open_hubs(registry: Registry) -> list[Hub]:

    return [hub for hub in _hubs(registry) if hub.status in questions.OPEN]


def _stage(hub: Hub) -> str:
    """"operating" (pilot or beyond), "below" (open, below pilot) or "inactive" (dormant, closed)."""

    return "operating" if hub.status in questions.OPERATING else "below" if hub.status in questions.OPEN else "inactive"


def _verdict(hubs: list[Hub]) -> str:
    stages = {_stage(hub) for hub in hubs}
    return "operating hub" if "operating" in stages else "hub below pilot only" if "below" in stages else "no open hub"


def _entries(hubs: list[Hub]) -> tuple[str, ...]:
    return tuple(sorted(f"{hub.id} ({hub.status.value})" for hub in hubs))


def languages(registry: Registry, top: int) -> list[tuple[int, str, str, int, tuple[str, ...], tuple[str, ...],
                                                          tuple[str, ...], str]]:
    """(rank, code, name, speakers, operating hubs, hubs below pilot, dormant or closed hubs,
    verdict) for each of the ``top`` most spoken languages; hubs as "id (status)"."""

    rows = []
    for language in questions.reference_languages()[:top]:
        hubs = [hub for hub in _hubs(registry) if language.code in hub.languages]
        by_stage = {stage: _entries([hub for hub in hubs if _stage(hub) == stage])
                    for stage in ("operating", "below", "inactive")}
        rows.append((language.rank, language.code, language.name, language.speakers, by_stage["operating"],
                     by_stage["below"], by_stage["inactive"], _verdict(hubs)))
    return sorted(rows, key=repr)


def regions(registry: Registry) -> list[tuple[str, tuple[str, ...], int | None, int, tuple[str, ...], int,
                                              str | None]]:
    """(region, hubs naming it as "id (status)", operating hubs, affiliates naming it, those in
    no open hub, their number, verdict) for every region of the vocabulary, and a row
    ("(none)", (), None, …, None) for the affiliates that name no region."""

    affiliates = [e for e in registry.entries if isinstance(e, Organization) and e.type.is_affiliate]
    in_open_hub = {org for hub in _open_hubs(registry) for org in (*hub.members, *((hub.host,) if hub.host else ()))}

    def outside(orgs: list[Organization]) -> tuple[str, ...]:
        return tuple(sorted(org.id for org in orgs if org.id not in in_open_hub))

    rows: list[tuple[str, tuple[str, ...], int | None, int, tuple[str, ...], int, str | None]] = []
    for region in Region:
        hubs = [hub for hub in _hubs(registry) if region in hub.regions]
        orgs = [org for org in affiliates if region in org.regions]
        rows.append((region.value, _entries(hubs), sum(_stage(hub) == "operating" for hub in hubs), len(orgs),
                     outside(orgs), len(outside(orgs)), _verdict(hubs)))
    worldwide = [org for org in affiliates if not org.regions]
    rows.append(("(none)", (), None, len(worldwide), outside(worldwide), len(outside(worldwide)), None))
    return sorted(rows, key=repr)


def gaps(registry: Registry, top: int) -> list[tuple[str, str, str]]:
    """(dimension, code, label) for every region, reference language (the ``top`` most
    spoken) and theme that no open hub names."""

    hubs = _open_hubs(registry)
    rows = [("region", r.value, r.label) for r in Region if not any(r in hub.regions for hub in hubs)]
    rows += [("language", language.code, language.name) for language in questions.reference_languages()[:top]
             if not any(language.code in hub.languages for hub in hubs)]
    rows += [("theme", t.value, t.label) for t in ThematicArea if not any(t in hub.themes for hub in hubs)]
    return sorted(rows, key=repr)
