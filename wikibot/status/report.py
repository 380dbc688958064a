"""``wikibot status`` as text (with the diff of each page on a dry run) and as JSON."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from .boxes import Action, BoxPlan
from .refresh import StatusRun

LEFT_ALONE = (Action.DENIED, Action.NO_BOX, Action.NO_PAGE, Action.REDIRECT)


def page_diff(plan: BoxPlan) -> list[str]:
    """The unified diff of the page as read and as it would be saved."""
    before = plan.base.text if plan.base is not None else ""
    revision = f"revision {plan.base.revid}" if plan.base is not None else "new"
    lines = difflib.unified_diff(before.splitlines(), (plan.text or "").splitlines(), lineterm="",
                                 fromfile=f"{plan.title} ({revision})", tofile=f"{plan.title} (new box)")
    return list(lines)


def status_text(run: StatusRun) -> Iterator[str]:
    saved, simulated = set(run.saved), set(run.simulated)
    for plan in run.plans:
        if plan.action is Action.SAVE and run.dry_run:
            yield f"would save {plan.title} ({plan.registry_id}): {plan.summary()}"
            yield from page_diff(plan)
        elif plan.title in simulated:
            yield f"simulated {plan.title} (pywikibot's simulate is on: not saved): {plan.summary()}"
        elif plan.title in saved:
            again = " (after an edit conflict)" if plan.title in run.retried else ""
            yield f"saved {plan.title}{again}: {plan.summary()}"
        elif plan.action in LEFT_ALONE:
            yield f"left alone {plan.title} ({plan.registry_id}): {plan.reason}"
    for problem in run.problems:
        where = f" [[{problem.page}]]" if problem.page else ""
        yield f"problem {problem.registry_id or ''}{where}: {problem.reason}"
    counts = run.counts()
    alone = counts["denied"] + counts["no_box"] + counts["no_page"] + counts["redirect"]
    if run.dry_run:
        yield (f"status (dry run): {counts['pages']} pages; would save {counts['to_save']}, "
               f"{counts['current']} current, {alone} left alone; nothing written")
    else:
        simulated_count = f", simulated {len(run.simulated)} (nothing saved)" if run.simulated else ""
        yield (f"status: {counts['pages']} pages; saved {counts['saved']}{simulated_count}, {counts['current']} "
               f"current, {alone} left alone, {counts['problems']} problems")


def status_json(run: StatusRun) -> dict[str, Any]:
    return {
        "dry_run": run.dry_run,
        "counts": run.counts(),
        "pages": [{"title": p.title, "registry_id": p.registry_id, "kind": p.kind.value, "action": p.action.value,
                   "changed": {k: {"old": old, "new": new} for k, (old, new) in p.changed.items()},
                   "saved": p.title in run.saved, "simulated": p.title in run.simulated, "reason": p.reason or None,
                   **({"diff": page_diff(p)} if run.dry_run and p.action is Action.SAVE else {})}
                  for p in run.plans],
        "problems": [{"registry_id": p.registry_id, "page": p.page, "reason": p.reason} for p in run.problems],
    }
