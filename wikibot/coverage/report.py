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

import contextlib
import csv
import io
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..i18n import COLUMNS, ENGLISH, QUESTIONS, VALUE_WORDS, Reader
from ..ports import RdfTerm
from ..registry.vocab import HubStatus
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


@dataclass(frozen=True)
class Presentation:
    """How the report page shows the answers to people: in the reader's language, registry ids as the
    entries' names linked to their pages (``entries``: id -> (name, page or None), from the registry
    pages), shares as percentages.  CSV and JSON keep the ids and the raw numbers."""

    reader: Reader = ENGLISH
    entries: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)

    def title(self, outcome: Outcome) -> str:
        question = outcome.question
        forms = QUESTIONS.get(question.name)
        return self.reader.pick(forms[0], question.title) if forms else question.title

    def description(self, outcome: Outcome) -> str:
        question = outcome.question
        forms = QUESTIONS.get(question.name)
        return self.reader.pick(forms[1], question.description) if forms else question.description

    def header(self, variable: str) -> str:
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", variable).lower().capitalize()
        return self.reader.pick(COLUMNS.get(variable, {}), words)

    def cell(self, variable: str, text: str, is_list: bool) -> str:
        """Wikitext of one cell (escaped; links built here, to validated titles only)."""
        if not text:
            return ""
        if variable == "share":
            try:
                return escape_cell(f"{Decimal(text) * 100:.1f} %")
            except ArithmeticError:
                return show_cell(text)
        parts = text.split(LIST_SEPARATOR) if is_list else [text]
        return self.reader.text("list-separator").join(self._one(part) for part in parts)

    def _one(self, text: str) -> str:
        words = VALUE_WORDS.get(text)
        if words is not None:
            return escape_cell(self.reader.pick(words, text))
        match = _ENTRY.match(text)
        if match is None or match.group(1) not in self.entries:
            return show_cell(text)
        name, page = self.entries[match.group(1)]
        shown = f"[[{page}|{escape_cell(name)}]]" if page else escape_cell(name)
        status = match.group(2)
        if status:
            with contextlib.suppress(ValueError):
                status = self.reader.term(HubStatus(status))
            shown += f" ({escape_cell(status)})"
        return shown


_ENTRY = re.compile(r"^([a-z0-9][a-z0-9-]*)(?: \(([^()]+)\))?$")


def render_wiki(outcomes: Sequence[Outcome], *, ui_url: str | None = None, intro: Iterable[str] = (),
                presentation: Presentation | None = None) -> str:
    """The report page: per question a heading, its description, a sortable table (or, for a
    question not answered, a notice saying so and why), and the query in a collapsed box (with
    a link that opens it in the query service when ``ui_url`` is set).  Nothing in it changes
    from run to run unless an answer does.  Shown as ``presentation`` says (default: English)."""
    shown = presentation or Presentation()
    reader = shown.reader
    lines = [*intro]
    for answer in outcomes:
        question = answer.question
        lines += ["", f"== {escape_cell(shown.title(answer))} =="]
        description = shown.description(answer)
        if description:
            lines.append(escape_cell(description))
        if isinstance(answer, Failure):
            lines += ["", reader.text("coverage-not-answered", message=escape_cell(answer.message))]
            lines += _query_box(answer.query, ui_url, reader)
            continue
        rows = cells(answer)
        variables = answer.result.variables
        lists = set(question.lists)
        lines += ["", '{| class="wikitable sortable"',
                  "! " + " !! ".join(escape_cell(shown.header(v)) for v in variables)]
        for row in rows[:MAX_WIKI_ROWS]:
            lines += ["|-", "| " + " || ".join(shown.cell(v, c, v in lists)
                                               for v, c in zip(variables, row, strict=True))]
        if len(rows) > MAX_WIKI_ROWS:
            more = reader.text("coverage-more-rows", n=len(rows) - MAX_WIKI_ROWS, name=question.name)
            lines += ["|-", f"| colspan=\"{len(variables)}\" | ''{more}''"]
        lines.append("|}")
        if not rows:
            lines.append(f"''{reader.text('coverage-no-rows')}''")
        lines += _query_box(answer.query, ui_url, reader)
    return "\n".join(lines).lstrip("\n") + "\n"


def _query_box(query: str, ui_url: str | None, reader: Reader = ENGLISH) -> list[str]:
    """The query in a collapsed box, with a link that opens it in the query service."""
    lines = ['<div class="mw-collapsible mw-collapsed">', reader.text("coverage-the-query"),
             '<div class="mw-collapsible-content">']
    if ui_url:
        lines.append(f"[{query_link(ui_url, query)} {reader.text('coverage-open-query')}]")
    return [*lines, _pre(query), "</div>", "</div>"]
