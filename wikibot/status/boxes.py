"""What each status box should say, and what to do with each page: pure.

The values come from the Wikibase's view of the registry (every registry item read back
as an entry by ``from_entity``): a box shows what the Wikibase holds.  Nothing volatile
goes into a box (no run time, no revision): a page whose box already says it all is
never saved.  The one value that moves with the calendar is ``overdue``, which flips on
the day the next review date has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ..ports import Page
from ..registry.dates import WikiDate
from ..registry.kinds import with_status_box
from ..registry.models import Entry, EntryKind, Hub, Partnership
from ..registry.vocab import PartnershipStatus, Term
from ..wikitext.bots import bots_denial
from ..wikitext.status_box import add_box, update_boxes

# The parameters the bot owns, in the order a new box lists them (``registry/kinds.py``).
OWNED: dict[EntryKind, tuple[str, ...]] = {spec.kind: spec.status_box.params for spec in with_status_box()
                                           if spec.status_box is not None}
# What each owned parameter holds (the templates' documentation and TemplateData say it).
PARAM_DOCS: dict[str, str] = {
    "status": "Lifecycle stage, by its English name.",
    "kind": "Regional, thematic and/or language hub.",
    "host": "Name of the host or fiscal sponsor organisation.",
    "regions": "Names of the regions covered, comma-separated.",
    "languages": "Codes of the languages covered, comma-separated.",
    "themes": "Names of the thematic areas, comma-separated.",
    "members": "Number of member organisations.",
    "partnerships": "Number of partnerships the hub stewards that have not ended.",
    "next_review": "Date of the next review (year, month or day).",
    "overdue": "'yes' once the next review date has passed, else 'no'.",
    "item": "The entry's Wikibase item id.",
    "type": "Partnership types, comma-separated.",
    "partner": "Name of the partner organisation.",
    "stewards": "Names of the stewarding organisations or hubs, comma-separated.",
    "scope": "Global, regional or national.",
    "start": "Start date.",
    "end": "End date.",
}


def _terms(terms: Sequence[Term]) -> str:
    return ", ".join(term.label for term in terms)


def _date(date: WikiDate | None) -> str:
    return str(date) if date is not None else ""


def _names(ids: Sequence[str], view: Mapping[str, Entry]) -> str:
    return ", ".join(view[i].label() if i in view else i for i in ids)


def is_overdue(date: WikiDate | None, today: dt.date) -> bool:
    """A review is overdue once the last day its date can mean has passed."""
    return date is not None and date.latest < today


def box_values(entry: Entry, view: Mapping[str, Entry], today: dt.date) -> dict[str, str]:
    """The box of ``entry`` (a hub or partnership), param -> plain text, in the owned order.

    ``view``: every entry as the Wikibase holds it, by registry id (for names and counts).
    Vocabulary terms are shown by their English labels, other entries by their English
    names, languages by code, dates with their precision; ``partnerships`` counts the
    partnerships the hub stewards that have not ended.
    """
    if isinstance(entry, Hub):
        stewarded = sum(1 for other in view.values() if isinstance(other, Partnership)
                        and entry.id in other.stewards and other.status is not PartnershipStatus.ENDED)
        return {
            "status": entry.status.label, "kind": _terms(entry.hub_kind),
            "host": _names((entry.host,) if entry.host else (), view), "regions": _terms(entry.regions),
            "languages": ", ".join(entry.languages), "themes": _terms(entry.themes),
            "members": str(len(entry.members)), "partnerships": str(stewarded),
            "next_review": _date(entry.next_review),
            "overdue": "yes" if is_overdue(entry.next_review, today) else "no",
            "item": entry.item or "",
        }
    if isinstance(entry, Partnership):
        return {
            "status": entry.status.label, "type": _terms(entry.partnership_type),
            "partner": _names((entry.partner,), view), "stewards": _names(entry.stewards, view),
            "scope": entry.scope.label, "regions": _terms(entry.regions), "languages": ", ".join(entry.languages),
            "themes": _terms(entry.themes), "start": _date(entry.start), "end": _date(entry.end),
            "item": entry.item or "",
        }
    raise ValueError(f"{entry.kind} entries have no status box")


class Action(StrEnum):
    SAVE = "save"            # the page gets the new text
    CURRENT = "current"      # the box already says it all: nothing to save
    DENIED = "denied"        # {{nobots}} / {{bots|deny=…}}: left alone, reported
    NO_BOX = "no-box"        # no box and the configuration says to report it only
    NO_PAGE = "no-page"      # the entry's page does not exist: never created by the bot


@dataclass(frozen=True)
class BoxPlan:
    """One page's box: what to do, the text to save, and the owned values that change (old, new)."""

    title: str
    registry_id: str
    kind: EntryKind
    action: Action
    base: Page | None
    text: str | None = None
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    added: bool = False  # the box is new on the page
    reason: str = ""

    def summary(self) -> str:
        """The edit summary: what changed, from the Wikibase."""
        if self.added:
            return f"wikibot: status box of {self.registry_id} added, from the Wikibase"
        shown = "; ".join(f"{param}: {old or '(none)'} → {new or '(none)'}"
                          for param, (old, new) in self.changed.items())
        return f"wikibot: status box of {self.registry_id} updated from the Wikibase: {shown}"[:480]


def plan_box(title: str, page: Page | None, entry: Entry, values: Mapping[str, str], template: str, *,
             user: str, add_missing: bool) -> BoxPlan:
    """What to do with ``entry``'s page, as read (``page``)."""
    plan = BoxPlan(title, entry.id, entry.kind, Action.CURRENT, page)
    if page is None:
        return replace(plan, action=Action.NO_PAGE, reason="the page does not exist")
    denial = bots_denial(page.text, user)
    if denial:
        return replace(plan, action=Action.DENIED, reason=denial)
    update = update_boxes(page.text, template, values, OWNED[entry.kind])
    if update.boxes == 0:
        if not add_missing:
            return replace(plan, action=Action.NO_BOX, reason=f"the page has no {{{{{template}}}}}")
        changed = {param: ("", value) for param, value in values.items() if value}
        return replace(plan, action=Action.SAVE, text=add_box(page.text, template, values), changed=changed, added=True)
    if update.text == page.text:
        return plan
    return replace(plan, action=Action.SAVE, text=update.text, changed=update.changed)
