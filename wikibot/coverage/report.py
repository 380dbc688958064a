"""Answers as a terminal table, CSV, JSON, or a wiki page: pure rendering, no I/O.

Cells are shown the same way in every format but JSON (which keeps the values): an entity's
IRI as its id (``Q12``), a time at midnight as its date, a decimal rounded to three places,
a ``# lists:`` variable's items sorted (``GROUP_CONCAT`` leaves their order open).

Each function takes the outcomes of a run in the order asked: an Answer, or a Failure (a
question the endpoint refused or did not answer), shown as not answered with the endpoint's
message in short: a line in the table, an entry of ``failed`` in JSON, a marked section on
the wiki page; CSV has no place for it (the command reports it on stderr).
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..ports import RdfTerm
from ..wikitext.escape import escape_cell, show_cell
from .questions import Answer, Failure, Outcome

_MIDNIGHT = re.compile(r"^(-?\d{4,}-\d\d-\d\d)T00:00:00Z$")
LIST_SEPARATOR = ", "
MAX_WIKI_ROWS = 500  # rows of one answer on the report page; the rest are counted


def show(term: RdfTerm | None, *, is_list: bool = False) -> str:
    """One cell as text."""
    if term is None:
        return ""
    if term.kind == "uri":
        return re.split(r"[/#]", term.value.rstrip("/"))[-1]
    if is_list:
        return LIST_SEPARATOR.join(sorted(v for v in term.value.split(LIST_SEPARATOR) if v))
    value = term.to_python()
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.001')).normalize():f}"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    midnight = _MIDNIGHT.match(text)
    return midnight.group(1) if midnight else text


def cells(answer: Answer) -> list[list[str]]:
    """The answer's rows as text, in the query's order."""
    lists = set(answer.question.lists)
    return [[show(row.get(v), is_list=v in lists) for v in answer.result.variables] for row in answer.result.rows]


# -- terminal -------------------------------------------------------------------------------------
def render_table(outcomes: Sequence[Outcome]) -> str:
    """Each answer under its title, as aligned columns."""
    blocks = []
    for answer in outcomes:
        if isinstance(answer, Failure):
            blocks.append(f"{answer.question.title}: not answered: {answer.message}")
            continue
        header = list(answer.result.variables)
        rows = cells(answer)
        widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(len(header))]
        lines = [f"{answer.question.title} ({len(rows)} {'row' if len(rows) == 1 else 'rows'})",
                 "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


# -- CSV ------------------------------------------------------------------------------------------
def render_csv(outcomes: Sequence[Outcome]) -> str:
    """One answer: plain CSV with a header row.  Several: a ``question`` column first."""
    answers = [o for o in outcomes if isinstance(o, Answer)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    several = len(answers) > 1
    if several:
        header: list[str] = ["question"]
        for answer in answers:
            header += [v for v in answer.result.variables if v not in header]
        writer.writerow(header)
        for answer in answers:
            index = {v: i for i, v in enumerate(answer.result.variables)}
            for row in cells(answer):
                writer.writerow([answer.question.name] + [row[index[v]] if v in index else "" for v in header[1:]])
    else:
        for answer in answers:
            writer.writerow(answer.result.variables)
            writer.writerows(cells(answer))
    return out.getvalue()


# -- JSON -----------------------------------------------------------------------------------------
def _json_value(term: RdfTerm, is_list: bool) -> Any:
    if is_list:
        return sorted(v for v in term.value.split(LIST_SEPARATOR) if v)
    value = term.to_python()
    if isinstance(value, Decimal):
        return float(value)
    return value


def answers_json(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Per question answered: name, title, description, the query sent, the columns, and each
    row as an object of its bound variables (lists as arrays, numbers as numbers); per question
    not answered, in ``failed``: name, title, the query sent and the endpoint's message."""
    questions = []
    failed = [{"name": f.question.name, "title": f.question.title, "query": f.query, "error": f.message}
              for f in outcomes if isinstance(f, Failure)]
    for answer in outcomes:
        if isinstance(answer, Failure):
            continue
        lists = set(answer.question.lists)
        rows = [{v: _json_value(row[v], v in lists) for v in answer.result.variables if v in row}
                for row in answer.result.rows]
        questions.append({"name": answer.question.name, "title": answer.question.title,
                          "description": answer.question.description, "query": answer.query,
                          "columns": list(answer.result.variables), "rows": rows})
    return {"questions": questions, "failed": failed}


def render_json(outcomes: Sequence[Outcome]) -> str:
    return json.dumps(answers_json(outcomes), ensure_ascii=False, indent=1) + "\n"


# -- wiki -----------------------------------------------------------------------------------------
def query_link(ui_url: str, query: str) -> str:
    """The address that opens ``query`` in a query service UI (WDQS and its copies read the
    query from the fragment)."""
    return f"{ui_url}#{urllib.parse.quote(query, safe='')}"


def _pre(text: str) -> str:
    """``text`` shown as written: inside ``<pre>`` only character references are read."""
    return "<pre>\n" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "\n</pre>"


def render_wiki(outcomes: Sequence[Outcome], *, ui_url: str | None = None, intro: Iterable[str] = ()) -> str:
    """The report page: per question a heading, its description, a sortable table (or, for a
    question not answered, a notice saying so and why), and the query in a collapsed box (with
    a link that opens it in the query service when ``ui_url`` is set).  Nothing in it changes
    from run to run unless an answer does."""
    lines = [*intro]
    for answer in outcomes:
        question = answer.question
        lines += ["", f"== {escape_cell(question.title)} =="]
        if question.description:
            lines.append(escape_cell(question.description))
        if isinstance(answer, Failure):
            lines += ["", f"'''Not answered this time''': the query service did not answer this question "
                          f"({escape_cell(answer.message)}). The other questions are answered; the next run "
                          "asks it again."]
            lines += _query_box(answer.query, ui_url)
            continue
        rows = cells(answer)
        lines += ["", '{| class="wikitable sortable"',
                  "! " + " !! ".join(escape_cell(v) for v in answer.result.variables)]
        for row in rows[:MAX_WIKI_ROWS]:
            lines += ["|-", "| " + " || ".join(show_cell(c) if c else "" for c in row)]
        if len(rows) > MAX_WIKI_ROWS:
            lines += ["|-", f"| colspan=\"{len(answer.result.variables)}\" | ''… and {len(rows) - MAX_WIKI_ROWS} "
                            f"more rows (all of them: wikibot coverage {question.name} --format csv).''"]
        lines.append("|}")
        if not rows:
            lines.append("''No rows.''")
        lines += _query_box(answer.query, ui_url)
    return "\n".join(lines).lstrip("\n") + "\n"


def _query_box(query: str, ui_url: str | None) -> list[str]:
    """The query in a collapsed box, with a link that opens it in the query service."""
    lines = ['<div class="mw-collapsible mw-collapsed">', "The query:", '<div class="mw-collapsible-content">']
    if ui_url:
        lines.append(f"[{query_link(ui_url, query)} Open it in the query service]")
    return [*lines, _pre(query), "</div>", "</div>"]
