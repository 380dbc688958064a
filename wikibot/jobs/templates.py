"""``wikibot templates``: the shipped templates (each kind's registry entry template and status box)
installed on the configured wiki, and updated when wikibot's change; saved only when changed,
never over someone else's edit unless asked (``--force``), which is said in the edit summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..ports import EditConflict, NoChange, PageStore, Refused, Saved, Simulated
from ..registry.models import EntryKind
from ..settings import Settings
from ..shipped import TemplateAction, TemplatePlan, plan_templates, shipped_templates
from .registry import read_registry


@dataclass
class TemplateRun:
    plans: list[TemplatePlan]
    dry_run: bool
    saved: list[str] = field(default_factory=list)
    simulated: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # title -> why it was not saved

    @property
    def clean(self) -> bool:
        """Every template installed and current (nothing left alone, nothing refused)."""
        return not self.problems and not any(p.action in (TemplateAction.EDITED, TemplateAction.FOREIGN)
                                             for p in self.plans)

    def counts(self) -> dict[str, int]:
        by = {action: sum(1 for p in self.plans if p.action is action) for action in TemplateAction}
        return {"templates": len(self.plans), "installed": by[TemplateAction.CREATE],
                "updated": by[TemplateAction.UPDATE] + by[TemplateAction.FORCED], "current": by[TemplateAction.CURRENT],
                "edited_by_others": by[TemplateAction.EDITED] + by[TemplateAction.FOREIGN], "saved": len(self.saved)}


def template_titles(settings: Settings) -> dict[str, tuple[str, EntryKind]]:
    """The template pages the configuration names: title -> (what it is, kind)."""
    names = settings.registry.template_names()
    titles = {f"Template:{names.for_kind(kind)}": ("entry", kind) for kind in EntryKind}
    for kind in settings.status.kinds:
        titles[f"Template:{settings.status.template_of(EntryKind(kind))}"] = ("status", EntryKind(kind))
    return titles


def templates(settings: Settings, pages: PageStore, *, dry_run: bool = False, force: bool = False,
              progress: Callable[[str], None] = lambda message: None) -> TemplateRun:
    """``wikibot templates``: read the registry pages (to link each named entry to the page of its
    card) and the template pages; save those that change."""
    registry = read_registry(settings, pages.fetch_pages(list(settings.registry.pages)))
    located: dict[EntryKind, str] = {}
    for claim in registry.registry.claims:
        if claim.entry is not None:
            located.setdefault(claim.entry.kind, claim.source.page)
    names = settings.registry.template_names()
    boxes = {EntryKind(kind): settings.status.template_of(EntryKind(kind)) for kind in settings.status.kinds}
    wanted = shipped_templates({kind: names.for_kind(kind) for kind in EntryKind}, boxes, settings.wiki.reader(),
                               item_url=settings.query.concept_uri, pages=located)
    read = pages.fetch_pages(list(wanted))
    run = TemplateRun(plan_templates(wanted, read, force=force), dry_run)
    if dry_run:
        return run
    for plan in run.plans:
        if not plan.saves:
            continue
        progress(f"templates: saving {plan.title}")
        outcome = pages.save_page(plan.title, plan.text, base=plan.base, summary=plan.summary())
        if isinstance(outcome, Saved):
            run.saved.append(plan.title)
        elif isinstance(outcome, Simulated):
            run.simulated.append(plan.title)
        elif isinstance(outcome, EditConflict):
            run.problems[plan.title] = "edited by someone while wikibot saved it: left for the next run"
        elif isinstance(outcome, Refused):
            run.problems[plan.title] = str(outcome)
        elif not isinstance(outcome, NoChange):
            run.problems[plan.title] = outcome.reason
    return run


def templates_text(run: TemplateRun) -> list[str]:
    lines: list[str] = []
    for plan in run.plans:
        if plan.saves and run.dry_run:
            lines.append(f"would {plan.action.value} {plan.title}: {plan.summary()}")
            lines += plan.diff()
        elif plan.title in run.saved:
            lines.append(f"saved {plan.title}: {plan.summary()}")
        elif plan.title in run.simulated:
            lines.append(f"simulated {plan.title} (pywikibot's simulate is on: not saved)")
        elif plan.reason:
            lines.append(f"left alone {plan.title}: {plan.reason}")
    for title, why in run.problems.items():
        lines.append(f"problem {title}: {why}")
    counts = run.counts()
    if run.dry_run:
        to_save = sum(1 for p in run.plans if p.saves)
        lines.append(f"templates (dry run): {counts['templates']} templates; would save {to_save}, "
                     f"{counts['current']} current, {counts['edited_by_others']} left alone; nothing written")
    else:
        lines.append(f"templates: {counts['templates']} templates; saved {counts['saved']}, {counts['current']} "
                     f"current, {counts['edited_by_others']} left alone, {len(run.problems)} problems")
    return lines
