"""What each status box should say, and what to do with each page: pure.

The values come from the Wikibase's view of the registry (every registry item read back
as an entry by ``from_entity``): a box shows what the Wikibase holds.  Nothing volatile
goes into a box (no run time, no revision): a page whose box already says it all is
never saved.  The one value that moves with the calendar is ``overdue``, which flips on
the day the next review date has passed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ..i18n import ENGLISH, Reader
from ..ports import Page
from ..registry.dates import WikiDate
from ..registry.kinds import with_status_box
from ..registry.models import Entry, EntryKind, Hub, Partnership
from ..registry.vocab import PartnershipStatus
from ..shipped import PARAM_DOCS as PARAM_DOCS  # re-exported: what each owned parameter holds
from ..wikitext.bots import bots_denial
from ..wikitext.escape import escape_summary, shorten
from ..wikitext.status_box import Markup, add_box, link, update_boxes

# The parameters the bot owns, in the order a new box lists them (``registry/kinds.py``).
OWNED: dict[EntryKind, tuple[str, ...]] = {spec.kind: spec.status_box.params for spec in with_status_box()
                                           if spec.status_box is not None}
def _date(date: WikiDate | None) -> str:
    return str(date) if date is not None else ""


def _links(ids: Sequence[str], view: Mapping[str, Entry], reader: Reader) -> Markup:
    """Other entries by their names in the reader's language, each linked to its page (when it has
    one); an id the Wikibase does not hold is shown as it is."""
    shown = []
    for registry_id in ids:
        other = view.get(registry_id)
        shown.append(link(other.page, other.label(reader.code)) if other is not None else link(None, registry_id))
    return Markup(reader.text("list-separator").join(shown))


_REDIRECT = re.compile(r"^\s*#REDIRECT\s*:?\s*\[\[", re.IGNORECASE)


def is_redirect(text: str) -> bool:
    """True for the text of a redirect page (``#REDIRECT [[Target]]``, as MediaWiki's English
    magic word reads it, at the start of the page)."""
    return bool(_REDIRECT.match(text))


def is_overdue(date: WikiDate | None, today: dt.date) -> bool:
    """A review is overdue once the last day its date can mean has passed."""
    return date is not None and date.latest < today


def box_values(entry: Entry, view: Mapping[str, Entry], today: dt.date,
               reader: Reader = ENGLISH) -> dict[str, str]:
    """The box of ``entry`` (a hub or partnership), param -> text, in the owned order.

    ``view``: every entry as the Wikibase holds it, by registry id (for names and counts).
    Vocabulary terms, other entries and languages are shown by their names in the reader's
    language (``[wiki] language``; else English); other entries (host, members, partner,
    stewards) are linked to their pages (``Markup``); dates with their precision;
    ``partnerships`` counts the partnerships the hub stewards that have not ended.
    """
    languages = reader.text("list-separator").join(reader.language(code) for code in entry.languages) \
        if isinstance(entry, (Hub, Partnership)) else ""
    if isinstance(entry, Hub):
        stewarded = sum(1 for other in view.values() if isinstance(other, Partnership)
                        and entry.id in other.stewards and other.status is not PartnershipStatus.ENDED)
        return {
            "status": reader.term(entry.status), "kind": reader.terms(entry.hub_kind),
            "host": _links((entry.host,) if entry.host else (), view, reader), "regions": reader.terms(entry.regions),
            "languages": languages, "themes": reader.terms(entry.themes),
            "members": _links(entry.members, view, reader), "partnerships": str(stewarded),
            "next_review": _date(entry.next_review),
            "overdue": "yes" if is_overdue(entry.next_review, today) else "no",
            "item": entry.item or "",
        }
    if isinstance(entry, Partnership):
        return {
            "status": reader.term(entry.status), "type": reader.terms(entry.partnership_type),
            "partner": _links((entry.partner,), view, reader), "stewards": _links(entry.stewards, view, reader),
            "scope": reader.term(entry.scope), "regions": reader.terms(entry.regions), "languages": languages,
            "themes": reader.terms(entry.themes), "start": _date(entry.start), "end": _date(entry.end),
            "item": entry.item or "",
        }
    raise ValueError(f"{entry.kind} entries have no status box")


class Action(StrEnum):
    SAVE = "save"            # the page gets the new text
    CURRENT = "current"      # the box already says it all: nothing to save
    DENIED = "denied"        # {{nobots}} / {{bots|deny=…}}: left alone, reported
    NO_BOX = "no-box"        # no box and the configuration says to report it only
    NO_PAGE = "no-page"      # the entry's page does not exist: never created by the bot
    REDIRECT = "redirect"    # the entry's page is a redirect: a box would break it


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
        shown = "; ".join(f"{param}: {shorten(old, 60) or '(none)'} → {shorten(new, 60) or '(none)'}"
                          for param, (old, new) in self.changed.items())
        return escape_summary(shorten(f"wikibot: status box of {self.registry_id} updated from the Wikibase: {shown}",
                                      400))


def plan_box(title: str, page: Page | None, entry: Entry, values: Mapping[str, str], template: str, *,
             user: str, add_missing: bool) -> BoxPlan:
    """What to do with ``entry``'s page, as read (``page``)."""
    plan = BoxPlan(title, entry.id, entry.kind, Action.CURRENT, page)
    if page is None:
        return replace(plan, action=Action.NO_PAGE, reason="the page does not exist")
    if is_redirect(page.text):
        return replace(plan, action=Action.REDIRECT, reason="the page is a redirect: no box is put there (it would "
                                                            "break the redirect); give the entry the page it "
                                                            "redirects to")
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
