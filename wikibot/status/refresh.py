"""``wikibot status``: read the registry, its items and the entries' pages; save the boxes that changed.

Requests: one read of the registry pages, one batched read of the registry's items
(``wbgetentities``, 50 or 500 ids a request), one read of the entries' pages (50 titles
a request), then one edit per page whose box changes.  A page edited by someone between
the read and the save is read again, its box planned again on the new text and saved on
top of it once more; a second conflict is reported and left to the next run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..i18n import ENGLISH, Reader
from ..ports import Denied, EditConflict, Entity, EntityStore, NoChange, Page, PageStore, Refused, Saved, Simulated
from ..registry.models import Entry, EntryKind
from ..registry.problems import Problem, ProblemCode
from ..registry.titles import normalize_title
from ..wikibase.entity import EntityReadError, from_entity
from ..wikibase.mapping import ResolvedMapping
from .boxes import Action, BoxPlan, box_values, plan_box

Progress = Callable[[str], None]


def _problem(registry_id: str | None, page: str | None, reason: str) -> Problem:
    return Problem.of(registry_id, page, reason, ProblemCode.BOX_NOT_KEPT)


@dataclass
class StatusRun:
    """What ``wikibot status`` planned and did."""

    plans: list[BoxPlan]
    problems: list[Problem] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)  # titles
    retried: list[str] = field(default_factory=list)  # titles saved after a conflict
    refused: dict[str, str] = field(default_factory=dict)  # title -> why the wiki refused the save
    simulated: list[str] = field(default_factory=list)  # titles pywikibot's simulate kept from being saved
    dry_run: bool = False

    @property
    def denied(self) -> list[BoxPlan]:
        return [p for p in self.plans if p.action is Action.DENIED]

    @property
    def clean(self) -> bool:
        """Nothing for editors or operators to look at."""
        return not self.problems and all(p.action in (Action.SAVE, Action.CURRENT) for p in self.plans)

    def attention(self) -> list[str]:
        """What needs a person after this run, one line a thing."""
        return [*(f"problem {p.registry_id} {p.page} {p.reason}" for p in self.problems),
                *(f"{p.action.value} {p.title} {p.reason}" for p in self.plans
                  if p.action not in (Action.SAVE, Action.CURRENT))]

    def counts(self) -> dict[str, int]:
        actions = Counter(p.action for p in self.plans)
        return {"pages": len(self.plans), "saved": len(self.saved), "to_save": actions[Action.SAVE],
                "current": actions[Action.CURRENT], "denied": actions[Action.DENIED],
                "no_box": actions[Action.NO_BOX], "no_page": actions[Action.NO_PAGE],
                "redirect": actions[Action.REDIRECT],
                "problems": len(self.problems), **({"simulated": len(self.simulated)} if self.simulated else {})}


@dataclass(frozen=True)
class Targets:
    """Whose box goes on which page, and what could not be placed."""

    entries: dict[str, Entry]  # page title -> entry
    view: dict[str, Entry]  # every entry as the Wikibase holds it, by registry id
    problems: list[Problem]


def wikibase_view(entries: Iterable[Entry], fetched: Mapping[str, Entity | None],
                  mapping: ResolvedMapping) -> tuple[dict[str, Entry], list[Problem]]:
    """Every registry item read back as an entry, by registry id; an item that cannot be read is a problem."""
    registry_ids = {e.item: e.id for e in entries if e.item}
    view: dict[str, Entry] = {}
    problems: list[Problem] = []
    for item, registry_id in sorted(registry_ids.items(), key=lambda pair: pair[1]):
        entity = fetched.get(item)
        if entity is None:
            problems.append(_problem(registry_id, None, f"its item {item} does not exist in the Wikibase"))
            continue
        try:
            view[registry_id] = from_entity(entity.data, mapping, registry_ids)
        except EntityReadError as error:
            problems.append(_problem(registry_id, None, str(error)))
    return view, problems


def out_of_scope(title: str, prefixes: Sequence[str]) -> str | None:
    """Why ``title`` is not a page the bot may edit as an entry's own page, or None.

    With ``prefixes`` configured, the page must start with one of them; without, it must be
    in the main namespace (no ``:`` in the title), so that no value on a page or an item can
    send the bot to a template, a user page, ``MediaWiki:Common.js`` or a module."""
    if prefixes:
        if any(title.startswith(prefix) for prefix in prefixes):
            return None
        return f"the page is not under the entry page prefixes of the configuration ({', '.join(prefixes)})"
    if ":" in title:
        return "the page is not in the main namespace; the bot edits such pages only under [status] page_prefixes"
    return None


def place_boxes(view: dict[str, Entry], kinds: Iterable[EntryKind], forbidden: Iterable[str],
                prefixes: Sequence[str] = ()) -> Targets:
    """Each entry of ``kinds`` that has a page, by page; a page named by two entries, one the
    bot keeps for something else (a registry, report or heartbeat page), or one outside the
    configured scope (``out_of_scope``) is a problem, and left alone."""
    wanted, off_limits = set(kinds), {normalize_title(t) for t in forbidden if t}
    by_page: dict[str, list[Entry]] = {}
    for entry in view.values():
        if entry.kind in wanted and entry.page:
            by_page.setdefault(normalize_title(entry.page), []).append(entry)
    problems: list[Problem] = []
    placed: dict[str, Entry] = {}
    for title, entries in sorted(by_page.items()):
        refusal = out_of_scope(title, prefixes)
        if refusal is not None:
            problems += [_problem(e.id, title, f"{refusal}: not followed") for e in entries]
        elif title in off_limits:
            problems += [_problem(e.id, title, "its page is one the bot keeps for something else: "
                                                    "no status box there") for e in entries]
        elif len(entries) > 1:
            names = ", ".join(e.id for e in entries)
            problems += [_problem(e.id, title, f"the page is named by several entries ({names}): "
                                                    "left alone") for e in entries]
        else:
            placed[title] = entries[0]
    return Targets(placed, view, problems)


@dataclass
class BoxRefresher:
    """Plans every box on the pages as read, then saves the ones that change."""

    pages: PageStore
    templates: Mapping[EntryKind, str]
    user: str
    today: dt.date
    add_missing: bool = True
    progress: Progress = lambda message: None
    reader: Reader = ENGLISH

    def plan(self, targets: Targets, read: Mapping[str, Page | None]) -> list[BoxPlan]:
        return [self._plan(title, read.get(title), entry, targets.view) for title, entry in targets.entries.items()]

    def _plan(self, title: str, page: Page | None, entry: Entry, view: Mapping[str, Entry]) -> BoxPlan:
        values = box_values(entry, view, self.today, self.reader)
        return plan_box(title, page, entry, values, self.templates[entry.kind], user=self.user,
                        add_missing=self.add_missing)

    def apply(self, run: StatusRun, targets: Targets) -> None:
        to_save = [p for p in run.plans if p.action is Action.SAVE]
        for number, plan in enumerate(to_save, 1):
            self.progress(f"status: saving {plan.title} ({number}/{len(to_save)})")
            self._save(run, plan, targets)

    def _save(self, run: StatusRun, plan: BoxPlan, targets: Targets) -> None:
        for attempt in (1, 2):
            assert plan.text is not None
            outcome = self.pages.save_page(plan.title, plan.text, base=plan.base, summary=plan.summary())
            if isinstance(outcome, Saved):
                run.saved.append(plan.title)
                if attempt == 2:
                    run.retried.append(plan.title)
                return
            if isinstance(outcome, Simulated):
                run.simulated.append(plan.title)
                return
            if isinstance(outcome, (NoChange, Denied, Refused)):
                if isinstance(outcome, Denied):
                    run.problems.append(_problem(plan.registry_id, plan.title, outcome.reason))
                if isinstance(outcome, Refused):  # left alone; the other pages go on
                    run.refused[plan.title] = str(outcome)
                    run.problems.append(_problem(plan.registry_id, plan.title, f"box not saved: {outcome}"))
                return
            assert isinstance(outcome, EditConflict)
            plan = self._plan(plan.title, outcome.current, targets.entries[plan.title], targets.view)
            if plan.action is not Action.SAVE:
                if plan.action is not Action.CURRENT:
                    run.problems.append(_problem(plan.registry_id, plan.title, plan.reason))
                return
        run.problems.append(_problem(plan.registry_id, plan.title,
                                          "edited again while the bot saved: left for the next run"))


def refresh(entries: Iterable[Entry], entities: EntityStore, refresher: BoxRefresher, *, mapping: ResolvedMapping,
            kinds: Iterable[EntryKind], forbidden: Iterable[str], prefixes: Sequence[str] = (),
            dry_run: bool = False, hold: Mapping[str, str] = {}) -> StatusRun:
    """Read the items of ``entries`` and their pages; plan every box; save the changed ones.
    ``hold``: registry id -> why its box is left as it is (it depends on a registry page a guard
    left alone)."""
    entries = list(entries)
    fetched = entities.fetch_entities(sorted({e.item for e in entries if e.item}))
    view, unreadable = wikibase_view(entries, fetched, mapping)
    targets = place_boxes(view, kinds, forbidden, prefixes)
    held = [title for title, entry in targets.entries.items() if entry.id in hold]
    for title in held:
        entry = targets.entries.pop(title)
        targets.problems.append(_problem(entry.id, title, f"box left as it is: {hold[entry.id]}"))
    read = refresher.pages.fetch_pages(list(targets.entries)) if targets.entries else {}
    run = StatusRun(refresher.plan(targets, read), unreadable + targets.problems, dry_run=dry_run)
    if not dry_run:
        refresher.apply(run, targets)
    return run
