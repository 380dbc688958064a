"""The sync as people read it: the plan as text or JSON, and the report page for editors.

The report page holds only what editors must act on (conflicts, entries not synced and why,
invalid entries, entries removed from the registry, items only in the Wikibase), sorted, and
nothing volatile: it is edited only when one of those changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..i18n import ENGLISH, Reader
from ..wikitext.escape import MAX_ROWS, bounded, show_cell, show_text
from .apply import SyncResult
from .merge import Change, Conflict
from .plan import SyncPlan

NO_VALUE = "—"


def show(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return NO_VALUE
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _change_line(registry_id: str, change: Change) -> str:
    arrow = "page -> Wikibase" if change.to == "wikibase" else "Wikibase -> page"
    return f"  {registry_id}  {change.field}: {show(change.old)} -> {show(change.new)}  ({arrow})"


def _conflict_line(registry_id: str, conflict: Conflict) -> str:
    return (f"  {registry_id}  {conflict.field}: page {show(conflict.page)}, Wikibase {show(conflict.wikibase)} "
            f"(last synced: {show(conflict.base)})")


def plan_text(plan: SyncPlan) -> Iterator[str]:
    """The plan, line by line: what would be written where, and what would not and why."""
    for guard in plan.guards:
        yield f"blocked: {guard.page}: {guard.reason}"
    for entry in plan.entries:
        if entry.action == "create":
            yield f"create  {entry.registry_id}  ({entry.kind.value} on {entry.page}:{entry.line}) and write its " \
                  "item id back"
        elif entry.action == "update" and entry.merge is not None:
            yield f"update  {entry.registry_id}  ({entry.item})"
            for change in entry.merge.changes:
                yield _change_line(entry.registry_id, change)
            if entry.entry.item is None:
                yield f"  {entry.registry_id}  item: {NO_VALUE} -> {entry.item}  (write-back to the page)"
    for entry, conflict in plan.conflicts:
        yield "conflict" + _conflict_line(entry.registry_id, conflict)[1:]
    for entry in plan.entries:
        if entry.action == "skip":
            yield f"skip    {entry.registry_id}  {entry.problem}"
    for problem in plan.invalid:
        yield f"invalid {problem}"
    for removed in plan.removed:
        yield f"removed {removed.registry_id}  ({removed.item}) is on no registry page any more; its item is kept"
    for kept in plan.unlisted:
        yield (f"unlisted {kept.registry_id}  ({kept.item}) was on {kept.page}, which is no registry page now; "
               "not taken for removed")
    for item in plan.wikibase_only:
        yield f"wikibase-only  {item} is a registry item that no page names"
    for title, reason in plan.denied.items():
        yield f"excluded  {title}: {reason}"


def plan_json(plan: SyncPlan) -> dict[str, Any]:
    entries = []
    for entry in plan.entries:
        item: dict[str, Any] = {"registry_id": entry.registry_id, "kind": entry.kind.value, "page": entry.page,
                                "line": entry.line, "item": entry.item, "action": entry.action}
        if entry.merge is not None:
            item["changes"] = [{"field": c.field, "old": c.old, "new": c.new, "direction": f"to-{c.to}"}
                               for c in entry.merge.changes]
            item["conflicts"] = [{"field": c.field, "base": c.base, "page": c.page, "wikibase": c.wikibase}
                                 for c in entry.merge.conflicts]
        if entry.item is not None and entry.entry.item is None:
            item["write_back"] = entry.item
        if entry.problem:
            item["problem"] = entry.problem
        entries.append(item)
    return {
        "blocked": [{"page": g.page, "reason": g.reason} for g in plan.guards],
        "entries": entries,
        "invalid": [p.to_json() for p in plan.invalid],
        "removed": [{"registry_id": r.registry_id, "item": r.item, "page": r.page} for r in plan.removed],
        "unlisted": [{"registry_id": r.registry_id, "item": r.item, "page": r.page} for r in plan.unlisted],
        "wikibase_only": plan.wikibase_only,
        "excluded_pages": plan.denied,
    }


def _cell(value: Any) -> str:
    return show_cell(show(value))


MORE = " (all of them: wikibot sync --dry-run)"


def _table_rows(rows: list[list[str]]) -> list[str]:
    """Rows of a table, at most ``MAX_ROWS``, then a row saying how many were left out."""
    out = [line for row in rows[:MAX_ROWS] for line in ("|-", "| " + " || ".join(row))]
    if len(rows) > MAX_ROWS:
        out += ["|-", f"| colspan=\"{len(rows[0])}\" | ''… and {len(rows) - MAX_ROWS} more{MORE}.''"]
    return out


def report_page(result: SyncResult | None, plan: SyncPlan, reader: Reader = ENGLISH, *, item_url: str = "") -> str:
    """The report page's wikitext: what editors must look at, and nothing that changes by itself; in the
    reader's language, entries by their names linked to their pages, items linked to the Wikibase
    (``item_url``: the start of an item's address)."""
    entries = {p.registry_id: p.entry for p in plan.entries}

    def name(registry_id: str) -> str:
        entry = entries.get(registry_id)
        if entry is None:
            return show_cell(registry_id or reader.text("no-id"))
        shown = show_cell(entry.label(reader.code))
        return f"[[{entry.page}|{shown}]]" if entry.page else shown

    def item(item_id: str) -> str:
        return f"[{item_url}{item_id} {item_id}]" if item_url and _ITEM.match(item_id) else show_text(item_id)

    lines = [f"<!-- {reader.text('report-comment')} -->", f"<div {reader.attributes}>",
             reader.text("report-intro"), ""]
    conflicts = list(plan.conflicts) + (result.late_conflicts if result else [])
    lines.append(f"== {reader.text('report-conflicts')} ==")
    if conflicts:
        lines.append(reader.text("report-conflicts-intro"))
        lines += ['{| class="wikitable sortable"', "! " + " !! ".join(reader.text(key) for key in (
            "col-entry", "col-page", "col-field", "col-on-page", "col-in-wikibase", "col-last-synced"))]
        lines += _table_rows([[name(entry.registry_id), f"[[{entry.page}]]", show_cell(conflict.field),
                               _cell(conflict.page), _cell(conflict.wikibase), _cell(conflict.base)]
                              for entry, conflict in sorted(conflicts, key=lambda pc: (pc[0].registry_id,
                                                                                       pc[1].field))])
        lines.append("|}")
    else:
        lines.append(reader.text("report-none"))
    not_synced = [(p.registry_id, p.page, p.problem or "") for p in plan.entries if p.problem]
    if result is not None:
        not_synced += [(p.registry_id or "", p.page or "", p.reason) for p in result.problems]
    sections: list[tuple[str, Sequence[Any], Callable[[Any], str]]] = [
        ("report-not-synced", sorted(set(not_synced)),
         lambda r: f"* {name(r[0])} ({_page_link(r[1], reader)}): {show_text(r[2])}"),
        ("report-invalid", list(plan.invalid),
         lambda p: f"* {_page_link(p.source.page, reader)} {reader.text('report-line', line=p.source.line)}: "
                   f"{show_text(p.registry_id or reader.text('no-id'))} {show_text(p.field or '')}: "
                   f"{show_text(p.reason)}"),
        ("report-removed", plan.removed,
         lambda r: f"* {show_text(r.registry_id)}: {reader.text('report-removed-line', item=item(r.item))}"),
        ("report-unlisted", plan.unlisted,
         lambda r: f"* {show_text(r.registry_id)} ({item(r.item)}): "
                   f"{reader.text('report-unlisted-line', page=show_text(r.page))}"),
        ("report-wikibase-only", plan.wikibase_only,
         lambda i: f"* {item(i)}: {reader.text('report-wikibase-only-line')}"),
        ("report-guards", plan.guards, lambda g: f"* {_page_link(g.page, reader)}: {show_text(g.reason)}"),
        ("report-refused", sorted(result.refused.items()) if result else [],
         lambda r: f"* {_page_link(r[0], reader)}: {show_text(r[1])}"),
    ]
    for heading, rows, render in sections:
        lines += ["", f"== {reader.text(heading)} =="]
        lines += bounded([render(row) for row in rows], more=MORE) if rows else [reader.text("report-none")]
    lines.append("</div>")
    return "\n".join(lines) + "\n"


_ITEM = re.compile(r"^Q[1-9][0-9]*$")


def _page_link(title: str, reader: Reader = ENGLISH) -> str:
    """A link to a registry page (a page of the configuration), or nothing when there is none."""
    return f"[[{title}]]" if title else reader.text("no-page")
