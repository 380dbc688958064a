"""The ``wikibot`` command: argument parsing, dispatch and printing.

Each command hands its options to the composition root (``app.py``), which builds the
adapters and runs one job; the command prints the result.  An error that stops a command
(``errors.py``) is said once, in ``_dispatch``, and becomes the exit code its class carries;
the table of exit codes is ``errors.EXIT_CODES``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__, heartbeat, jobs
from .app import App
from .coverage import report as coverage_report
from .coverage.questions import NAMES, Question, load_question
from .errors import (
    EXIT_CODES,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    UsageError,
    WikibotError,
)
from .settings import EXAMPLES, Settings, ids_path, init_workspace, load_settings
from .status.report import status_json, status_text
from .sync.report import plan_json, plan_text

__all__ = ["EXIT_LOCKED", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main", "run"]
RUNNABLE = ("validate", "sync", "status", "coverage", "health")  # what 'wikibot run' runs, in any order
LOGGED_JOBS = ("sync", "status", "coverage")  # the jobs whose runs the run log and the heartbeat keep


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors ending in exit code 2 and a hint to --help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see {self.prog} --help)\n")


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", type=Path, metavar="DIR",
        help="local workspace directory (default: $WIKIBOT_WORKSPACE or ./wikibot-workspace, "
             "created from the bundled example registry on first use)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE",
        help="configuration file (default: $WIKIBOT_CONFIG, else wikibot.toml in the workspace)",
    )
    parser.add_argument("--log-format", choices=("text", "json"), default=argparse.SUPPRESS,
                        help="messages on stderr as text, or one JSON object a line (also accepted before "
                             "the command)")


def _add_run_options(parser: argparse.ArgumentParser, dry_run: str) -> None:
    parser.add_argument("--dry-run", action="store_true", help=dry_run)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format of the plan and the result (default: text)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wikibot",
        description="Keep the registry of Wikimedia hubs and partnerships consistent between "
                    "Meta-Wiki pages and a Wikibase, and answer coverage questions. With no "
                    "configuration every job runs offline on a local workspace holding the "
                    "bundled example registry.",
        epilog="Exit codes: " + "; ".join(f"{code} {meaning.replace('`', '')}" for code, meaning in EXIT_CODES)
               + ". Each command has its own --help.",
    )
    parser.add_argument("--version", action="version", version=f"wikibot {__version__}",
                        help="print the version and exit")
    parser.add_argument("--log-format", choices=("text", "json"), default="text",
                        help="messages on stderr as text, or one JSON object a line (default: text)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    validate = commands.add_parser(
        "validate", help="check the registry pages and report every bad entry; writes nothing",
        description="Parse the registry pages and report every problem as "
                    "'page:line  registry-id  field  reason'. Exit 0 when the registry is "
                    "valid, 1 when any entry is invalid, 2 on a usage or configuration error.",
    )
    _add_config_options(validate)
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="output format (default: text)")
    validate.set_defaults(handler=_validate)

    boot = commands.add_parser(
        "bootstrap", help="create the properties and items the mapping needs (idempotent)",
        description="Make the Wikibase hold every property, class item and vocabulary item the "
                    "mapping needs: recorded ids are checked, missing ones are found by exact "
                    "label or created. The ids are recorded in the instance ids file. A second "
                    "run writes nothing. Exit 0 when everything is in place, 1 when something "
                    "could not be created or used.",
    )
    _add_config_options(boot)
    boot.add_argument("--dry-run", action="store_true",
                      help="show what would be created, and write nothing (not even the ids file)")
    boot.set_defaults(handler=_bootstrap)

    sync = commands.add_parser(
        "sync", help="bring registry pages and Wikibase items into agreement, both ways",
        description="Three-way merge of each registry entry: its template on the page, its item "
                    "in the Wikibase, and the values both had at the last sync. A field changed on "
                    "one side is written to the other; changed on both differently, it is a "
                    "conflict: neither side is written, and it is reported (on the report page "
                    "too). New entries get an item, and the item id is written back into the "
                    "template. Nothing is ever deleted. Run 'wikibot bootstrap' once first. "
                    "Exit 0 when all is in agreement, 1 when something needs a person "
                    "(conflicts, invalid entries, a page left alone), 2 on a configuration error.",
    )
    _add_config_options(sync)
    _add_run_options(sync, "print the full plan (entry, field, old -> new, direction) and write nothing")
    sync.add_argument("--retire", action="store_true",
                      help="mark the items of entries removed from the registry as closed (hubs) or "
                           "ended (partnerships); without it they are only reported")
    sync.add_argument("--full", action="store_true",
                      help="read every registry page and every item again (a full reconciliation; otherwise "
                           "only what changed since the last sync is read, and everything once a day: "
                           "[sync] full_every)")
    sync.add_argument("--allow-shrink", action="store_true",
                      help="act on a page even if it lost many entries since the last sync "
                           "(after intended removals; the guard is there against blanking)")
    sync.set_defaults(handler=_sync)

    status = commands.add_parser(
        "status", help="keep the status box on each hub's (and partnership's) page in line with the Wikibase",
        description="Make the status box ({{Hub status}}, {{Partnership status}}; names in [status.templates]) "
                    "on each entry's own page say what the Wikibase holds: status, kind, host, regions, "
                    "languages, themes, member and partnership counts, stewards, next review (overdue or "
                    "not), item. Only those parameters change; the rest of the page stays as it is. A page "
                    "without the box gets one at its top ([status] missing = \"add\") or is only listed "
                    "(\"report\"). Pages with {{nobots}} are left alone and listed. A page whose box is "
                    "current is not saved. Exit 0 when every box is current, 1 when a page was left alone "
                    "or an entry could not be shown, 2 on a configuration error.",
    )
    _add_config_options(status)
    _add_run_options(status, "print the diff of every page it would save, and write nothing")
    status.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                        help="the day against which a next review counts as overdue (default: today, UTC)")
    status.set_defaults(handler=_status)

    shipped = commands.add_parser(
        "templates", help="install or update the registry and status box templates on the wiki",
        description="Install wikibot's templates on the wiki of the registry pages: each kind's registry entry "
                    "template ([registry.templates]: a card per entry) and the status box of each kind in "
                    "[status] kinds ([status.templates]), with their TemplateData, in [wiki] language. A page "
                    "is saved only when its text changes; a template someone else edited since wikibot "
                    "installed it (or one wikibot never installed) is left alone and listed, unless --force. "
                    "Exit 0 when every template is current, 1 when one was left alone or refused, 2 on a "
                    "configuration error.",
    )
    _add_config_options(shipped)
    shipped.add_argument("--dry-run", action="store_true",
                         help="print the diff of every template it would save, and write nothing")
    shipped.add_argument("--force", action="store_true",
                         help="also replace templates edited by someone else (said in the edit summary)")
    shipped.set_defaults(handler=_templates, format="text")

    health = commands.add_parser(
        "health", help="check that each job succeeded recently (for monitoring)",
        description="Read the heartbeat page ([heartbeat] page; the run log when it is empty) and check "
                    "that each job's last success is recent. Exit 0 when every job is, 1 when one is "
                    "stale or never succeeded (or there is no heartbeat yet), 2 on a configuration error.",
    )
    _add_config_options(health)
    health.add_argument("--max-age", type=_age, default="26h", metavar="AGE",
                        help="how old a last success may be: 26h, 90m, 2d (default: 26h)")
    health.add_argument("--job", action="append", default=[], metavar="JOB", choices=LOGGED_JOBS,
                        help=f"check only this job: {', '.join(LOGGED_JOBS)} (repeatable; default: every job "
                             "on the heartbeat)")
    health.set_defaults(handler=_health)

    cover = commands.add_parser(
        "coverage", help="answer the coverage questions (languages, regions, themes, ...) with SPARQL",
        description="Answer named coverage questions with SPARQL on the registry's RDF: "
                    + "; ".join(NAMES) + ". With no question named, all of them. The queries run on "
                    "[query] endpoint (the Wikibase's query service) or, when it is unset, on the "
                    "embedded query store in the workspace, which 'wikibot sync' keeps current. "
                    "Exit 0 when every question was answered, 1 when the endpoint could not answer, "
                    "2 on a usage or configuration error.",
    )
    _add_config_options(cover)
    cover.add_argument("questions", nargs="*", metavar="QUESTION", help=f"which questions ({', '.join(NAMES)})")
    cover.add_argument("--format", choices=("table", "csv", "json", "wiki"), default="table",
                       help="output: aligned table, CSV, JSON, or the wikitext of the report page (default: table)")
    cover.add_argument("--publish", action="store_true",
                       help="save the answers to the report page ([query] report_page), only when they changed")
    cover.add_argument("--dry-run", action="store_true",
                       help="with --publish: print the diff of the report page instead of saving it")
    cover.add_argument("--rebuild", action="store_true",
                       help="first rebuild the embedded query store from the entity store")
    cover.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                       help="the day reviews are counted from (default: today, UTC)")
    cover.add_argument("--days", type=_whole(0, 3660), metavar="N",
                       help="reviews due within N days count as due (default: [query] review_days, 30)")
    cover.add_argument("--top", type=_whole(1, 200), metavar="N",
                       help="how many of the most spoken languages to look at (default: [query] top_languages, 10)")
    cover.set_defaults(handler=_coverage)

    sparql = commands.add_parser(
        "sparql", help="run any SPARQL query file with the instance's prefixes and ids filled in",
        description="Run a SELECT query from FILE on the query endpoint (or the embedded store). "
                    "The instance's PREFIX lines it uses are put in front, and placeholders are "
                    "filled: {{P:region}} and {{Q:class:hub}} become the instance's ids, "
                    "{{LABEL ?x ?xLabel}} a label with language fallback, {{param:today}} a value "
                    "of the run. Exit 0 when answered, 1 when the endpoint could not answer or "
                    "refused the query, 2 on a usage or configuration error.",
    )
    _add_config_options(sparql)
    sparql.add_argument("file", type=Path, metavar="FILE.rq", help="the query")
    sparql.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="output format (default: table)")
    sparql.add_argument("--print-query", action="store_true",
                        help="print the query as it would be sent, and run nothing")
    sparql.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="{{param:today}} (default: today, UTC)")
    sparql.set_defaults(handler=_sparql)

    runner = commands.add_parser(
        "run", help="run several jobs one after the other (one entry point for cron, systemd, Toolforge)",
        description="Run each JOB in the order given, as its own command would with its defaults "
                    "('coverage' publishes the report page; its tables are not printed). Each job takes "
                    "its own lock, so a job still running from the last schedule makes that job exit 3 "
                    "and the others run. Exit code: the highest of the jobs' (0 when all were fine); with "
                    "--exit-on new, a job that needs a person for nothing new since its last run counts "
                    "as fine, so that a scheduler mails about a conflict once, not every half hour.",
    )
    _add_config_options(runner)
    runner.add_argument("jobs", nargs="+", choices=RUNNABLE, metavar="JOB",
                        help=f"jobs to run: {', '.join(RUNNABLE)}")
    runner.add_argument("--dry-run", action="store_true",
                        help="run each job as a dry run: print what it would write, and write nothing")
    runner.add_argument("--exit-on", choices=("any", "new"), default="any",
                        help="'any' (default): exit 1 whenever a job needs a person; 'new': only when what it "
                             "needs a person for changed since that job's last run (sync, status, coverage; "
                             "kept in the run log); usage errors (2) and locks (3) are always said"),
    runner.set_defaults(handler=_run_jobs)

    init = commands.add_parser(
        "init", help="create a local workspace from a bundled example",
        description="Create a local workspace directory holding a bundled example: "
                    "'registry' (the clean example registry) or 'broken' (a page with "
                    "deliberate problems, for trying 'wikibot validate').",
    )
    init.add_argument("directory", type=Path, nargs="?", default=Path("wikibot-workspace"),
                      help="where to create it (default: ./wikibot-workspace)")
    init.add_argument("--example", choices=EXAMPLES, default="registry",
                      help="which bundled example to copy (default: registry)")
    init.set_defaults(handler=_init)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-21") from None


def _whole(low: int, high: int) -> Callable[[str], int]:
    def read(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from {low} to {high}")
        return int(text)

    return read


def _age(text: str) -> dt.timedelta:
    try:
        return heartbeat.parse_age(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(config=args.config, workspace=args.workspace, announce=_logger(args))


def _validate(args: argparse.Namespace, app: App, out: TextIO) -> int:
    result = app.validate()
    if args.format == "json":
        json.dump(result.to_json(), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        _print_validation(result, out)
    return EXIT_OK if result.valid else EXIT_PROBLEMS


def _count(n: int, noun: str) -> str:
    plural = {"entry": "entries", "invalid": "invalid"}.get(noun, noun + "s")
    return f"{n} {noun if n == 1 else plural}"


def _print_validation(result: jobs.ValidationResult, out: TextIO) -> None:
    counts = result.counts()
    for title, by_kind in counts.items():
        if title == "total":
            continue
        shown = ", ".join(_count(n, kind) for kind, n in by_kind.items() if n)
        print(f"{title}: {shown or 'no entries'}", file=out)
    for title in result.missing_pages:
        print(f"{title}: missing", file=out)
    for problem in result.problems:
        print(str(problem), file=out)
    total = counts["total"]
    summary = ", ".join(_count(total[k], k) for k in total if k != "invalid")
    verdict = "valid" if result.valid else (
        f"{_count(len(result.problems), 'problem')} in {_count(total['invalid'], 'entry')} "
        "that cannot be used until fixed"
    )
    print(f"registry: {summary}; {verdict}", file=out)


def _bootstrap(args: argparse.Namespace, app: App, out: TextIO) -> int:
    print(f"bootstrap: on {app.describe_entities()}", file=out)
    run = app.bootstrap(dry_run=args.dry_run, progress=lambda m: print(m, file=out))
    result = run.result
    for problem in result.problems:
        print(f"problem: {problem}", file=out)
    verb = "would create" if args.dry_run else "created"
    properties, items = result.in_place()  # only what was read or written on the Wikibase in this run
    print(f"bootstrap: {properties} properties and {items} items in place; "
          f"{verb} {result.writes}, found {len(result.found)} by label", file=out)
    unchecked = result.unchecked()
    if unchecked:
        print(f"bootstrap: {len(unchecked)} ids recorded in {ids_path(app.settings)} not checked: the run stopped "
              "before reading them", file=out)
    if run.recorded:
        print(f"recorded the ids in {ids_path(app.settings)}", file=out)
    return EXIT_OK if run.clean else EXIT_PROBLEMS


def _sync(args: argparse.Namespace, app: App, out: TextIO) -> int:
    run = app.sync(dry_run=args.dry_run, retire=args.retire, allow_shrink=args.allow_shrink, full=args.full,
                   progress=_progress(args, out))
    if args.format == "json":
        document = {"dry_run": run.dry_run, "mode": run.mode, "why": run.why, "plan": plan_json(run.plan),
                    "counts": run.counts()}
        if run.result is not None:
            document["result"] = {"created": run.result.created, "adopted": run.result.adopted,
                                  "items_updated": run.result.items_updated, "pages_edited": run.result.pages_edited,
                                  "written_back": run.result.written_back, "retired": run.result.retired,
                                  "report_page_saved": run.report_changed,
                                  "query_store_updated": run.indexed, "query_store_error": run.index_error,
                                  "simulated": run.result.simulated,
                                  "problems": [p.to_json() for p in run.result.problems]}
        json.dump(document, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        _print_sync(run, app.settings, out)
    return EXIT_OK if run.clean else EXIT_PROBLEMS


def _print_sync(run: jobs.SyncRun, settings: Settings, out: TextIO) -> None:
    if run.carried is not None:  # nothing changed: what the last run left for a person stands
        for line in run.carried.lines:
            print(line, file=out)
        print(f"sync: nothing changed since the last sync (incremental): nothing read in full, nothing written"
              f"{'' if run.clean else '; what is listed above still waits for a person'}", file=out)
        return
    print(f"sync: {'a full reconciliation' if run.mode == 'full' else 'incremental'} ({run.why})", file=out)
    for line in plan_text(run.plan):
        if run.dry_run or not line.startswith(("create ", "update ", "  ")):
            print(line, file=out)
    if run.dry_run:
        counts = run.counts()
        print(f"sync (dry run): would create {counts['to_create']}, update {counts['to_update']}; "
              f"{_count(counts['conflicts'], 'conflict')}, {counts['invalid']} invalid, "
              f"{counts['skipped']} skipped; nothing written", file=out)
        return
    if run.blocked:
        print("sync: nothing written anywhere: a registry page must be looked at first", file=out)
        return
    result = run.result
    assert result is not None
    for problem in result.problems:
        print(f"problem {problem.registry_id or ''}  {problem.reason}", file=out)
    counts = result.counts()
    report = ""
    if settings.sync.report_page:
        shown = "simulated" if settings.sync.report_page in result.simulated else (
            "updated" if run.report_changed else "unchanged")
        report = f"; report page {shown}"
    if run.index_error:
        print(f"query store: not brought up to date: {run.index_error} (run 'wikibot coverage --rebuild')",
              file=out)
    elif run.indexed:
        print(f"query store: {len(run.indexed)} entities updated", file=out)
    print(f"sync: created {counts['created']} items (found {counts['adopted']}), updated {counts['items_updated']} "
          f"items, edited {counts['pages_edited']} pages ({counts['written_back']} item ids written back); "
          f"{_count(counts['conflicts'], 'conflict')}, {counts['problems']} not synced, "
          f"{counts['invalid']} invalid{report}", file=out)
    if run.plan.guards:
        print(f"sync: left alone, to be looked at first: {', '.join(sorted(run.plan.left_alone))}; nothing was "
              "written to them or from them", file=out)
    for title, why in result.refused.items():
        print(f"sync: {title} left alone: {why}", file=out)
    if result.simulated:
        print(f"sync: simulated, not written (pywikibot's simulate is on): {', '.join(result.simulated)}; nothing "
              "is recorded for them, so the next run without simulate writes them", file=out)


class _Terminal(io.TextIOBase):
    """The output, when it is a terminal: progress is one line rewritten in place (the last
    message, cut to the terminal's width), cleared before anything else is written."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.showing = False

    def write(self, text: str) -> int:
        self._clear()
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def progress(self, message: str) -> None:
        width = shutil.get_terminal_size((100, 20)).columns - 1
        line = message.replace("\n", " ")
        line = line if len(line) <= width else line[: width - 1] + "…"
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()
        self.showing = True

    def _clear(self) -> None:
        if self.showing:
            self.stream.write("\r\x1b[K")
            self.showing = False

    def close(self) -> None:
        self._clear()
        self.stream.flush()


def _progress(args: argparse.Namespace, out: TextIO) -> Callable[[str], None]:
    """Progress: on a terminal one line rewritten in place; else a line each on the output, or on
    stderr when the output is one JSON document or the log is structured (``--log-format json``)."""
    if args.format == "json" or args.log_format == "json":
        return _logger(args)
    if isinstance(out, _Terminal):
        return out.progress

    def progress(message: str) -> None:
        print(message, file=out)

    return progress


def _logger(args: argparse.Namespace) -> Callable[..., None]:
    """Messages to stderr: as they are, or with ``--log-format json`` one JSON object a line
    (time, level, command, message) for log collectors."""
    form, command = getattr(args, "log_format", "text"), getattr(args, "command", None)

    def log(message: str, level: str = "info") -> None:
        message = message.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate is shown, not fatal
        if form == "json":
            record = {"time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "level": level,
                      "command": command, "message": message}
            print(json.dumps(record, ensure_ascii=False), file=sys.stderr, flush=True)
        else:
            print(message, file=sys.stderr)

    return log


def _status(args: argparse.Namespace, app: App, out: TextIO) -> int:
    run = app.status(today=args.today or dt.datetime.now(dt.UTC).date(), dry_run=args.dry_run,
                     progress=_progress(args, out))
    if args.format == "json":
        json.dump(status_json(run), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        for line in status_text(run):
            print(line, file=out)
    return EXIT_OK if run.clean else EXIT_PROBLEMS


def _templates(args: argparse.Namespace, app: App, out: TextIO) -> int:
    run = app.templates(dry_run=args.dry_run, force=args.force, progress=_progress(args, out))
    for line in jobs.templates_text(run):
        print(line, file=out)
    return EXIT_OK if run.clean else EXIT_PROBLEMS


def _health(args: argparse.Namespace, app: App, out: TextIO) -> int:
    report = app.health(now=dt.datetime.now(dt.UTC), max_age=args.max_age, only=args.job)
    print(f"health: from {report.source}", file=out)
    for check in report.checks:
        print(check.message, file=out)
    if not report.checks:
        print("health: no job has run yet", file=out)
    return EXIT_OK if report.healthy else EXIT_PROBLEMS


def _coverage(args: argparse.Namespace, app: App, out: TextIO) -> int:
    questions = [load_question(name) for name in dict.fromkeys(args.questions or NAMES)]
    context = app.query_context(today=args.today or dt.datetime.now(dt.UTC).date(), days=args.days, top=args.top)
    run = app.coverage(questions, context, rebuild=args.rebuild, publish=args.publish, dry_run=args.dry_run)
    out.write(_render_answers(run.outcomes, args.format, app.settings))
    if args.publish:
        title = app.settings.query.report_page
        if args.dry_run:
            diff = difflib.unified_diff((run.current_text or "").splitlines(), (run.page_text or "").splitlines(),
                                        fromfile=f"{title} (now)", tofile=f"{title} (new)", lineterm="")
            for line in list(diff) or [f"{title}: unchanged"]:
                app.log(line)
        elif run.refused:
            app.log(f"wikibot: coverage: report page {title} left alone: {run.refused}", "error")
        else:
            shown = "simulated (pywikibot's simulate is on: not saved)" if run.simulated else (
                "saved" if run.published else "unchanged")
            app.log(f"coverage: report page {title} {shown}")
    for failure in run.failures:
        app.log(f"wikibot: coverage: {failure.question.name} not answered: {failure.message}", "error")
    return EXIT_PROBLEMS if run.failures or run.refused else EXIT_OK


def _render_answers(answers: Sequence[Any], form: str, settings: Settings) -> str:
    if form == "csv":
        return coverage_report.render_csv(answers)
    if form == "json":
        return coverage_report.render_json(answers)
    if form == "wiki":
        return coverage_report.render_wiki(answers, ui_url=settings.query.ui_url)
    return coverage_report.render_table(answers)


def _sparql(args: argparse.Namespace, app: App, out: TextIO) -> int:
    try:
        question = Question.parse(args.file.stem, args.file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{args.file}: cannot read: {error}") from None
    context = app.query_context(today=args.today or dt.datetime.now(dt.UTC).date())
    if args.print_query:
        out.write(context.render(question.template))
        return EXIT_OK
    run = app.ask(question, context)
    out.write(_render_answers(run.answers, args.format, app.settings))
    return EXIT_OK


def _init(args: argparse.Namespace, out: TextIO) -> int:
    init_workspace(args.directory, args.example)
    print(f"created the workspace {args.directory}/ from the bundled example {args.example!r}",
          file=out)
    return EXIT_OK


DRY_RUNNABLE = ("sync", "status", "coverage")  # the jobs of 'run' that have a dry run


def _run_jobs(args: argparse.Namespace, out: TextIO) -> int:
    common = [*(["--workspace", str(args.workspace)] if args.workspace else []),
              *(["--config", str(args.config)] if args.config else [])]
    worst = EXIT_OK
    for job in args.jobs:
        print(f"== wikibot {job}", file=out)
        logs = ["--log-format", args.log_format]
        dry = ["--dry-run"] if args.dry_run and job in DRY_RUNNABLE else []
        if job == "coverage":
            code = main([*logs, "coverage", "--publish", *dry, "--format", "csv", *common], out=io.StringIO())
        else:
            code = main([*logs, job, *dry, *common], out=out)
        if code == EXIT_PROBLEMS and args.exit_on == "new" and not dry and _nothing_new(args, job):
            print(f"== wikibot {job}: exit 1, for nothing new since its last run (--exit-on new: counted as 0)",
                  file=out)
            continue
        print(f"== wikibot {job}: exit {code}", file=out)
        worst = max(worst, code)
    return worst


def _nothing_new(args: argparse.Namespace, job: str) -> bool:
    """True when the job's last run needs a person for the very things its run before did."""
    try:
        with App(_settings(args)) as app:
            runs = [r for r in app.state.runs(job) if not r["dry_run"] and r["finished"]]
    except WikibotError:
        return False
    return len(runs) >= 2 and runs[-1]["attention"] is not None and runs[-1]["attention"] == runs[-2]["attention"]


def _lock_name(args: argparse.Namespace) -> str | None:
    """The job whose lock this command takes: those that write, unless it is a dry run."""
    if getattr(args, "dry_run", False):
        return None
    if args.command in ("bootstrap", "sync", "status", "templates"):
        return str(args.command)
    if args.command == "coverage" and (args.publish or args.rebuild):
        return "coverage"
    return None


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if out is sys.stdout and out.isatty() and args.log_format == "text":
        terminal = _Terminal(out)
        try:
            code = _dispatch(args, terminal)  # type: ignore[arg-type]  # a TextIO in all that is used
        finally:
            terminal.close()
    else:
        code = _dispatch(args, out)
    if args.log_format == "json":
        _logger(args)(f"exit {code}", "info" if code == EXIT_OK else "warning")
    return code


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
    """Run the command; an error that stops it is said once, here, and becomes its exit code.

    No traceback reaches a user: an error of the tree says what to do; a file the system refuses
    is named; anything else is an internal error, said in one line.  A command stopped after it
    had sent a write never exits with the code that says nothing was done.
    """
    log = _logger(args)
    app: App | None = None
    try:
        if args.command in ("init", "run"):
            return int(args.handler(args, out))
        with App(_settings(args), log=log) as app:
            lock = _lock_name(args)
            with app.lock(lock) if lock is not None else contextlib.nullcontext():
                return int(args.handler(args, app, out))
    except WikibotError as error:
        return _stopped(args, log, error.explain(), error.exit_code, app)
    except OSError as error:  # a file or directory the system refuses (full disk, no permission)
        where = f" ({error.filename})" if error.filename else ""
        return _stopped(args, log, f"{error.strerror or error}{where}", EXIT_USAGE, app)
    except KeyboardInterrupt:
        log(f"wikibot: {args.command} interrupted; what was written before is kept and recorded; run it again",
            "error")
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: said in one line, never as a traceback
        return _stopped(args, log, f"internal error ({type(error).__name__}: {error}); please report it, with the "
                                   "command that was run", EXIT_PROBLEMS, app)


def _stopped(args: argparse.Namespace, log: Callable[..., None], message: str, code: int, app: App | None) -> int:
    if code == EXIT_USAGE and app is not None and app.writes.sent:  # not "nothing was done"
        log(f"wikibot: {args.command} stopped after {app.writes.sent} writes (they are kept): {message}", "error")
        return EXIT_PROBLEMS
    stopped = f"{args.command} stopped: " if code == EXIT_PROBLEMS else ""
    log(f"wikibot: {stopped}{message}", "error")
    return code


def run() -> None:
    """Console-script entry point."""
    try:
        sys.exit(main())
    except BrokenPipeError:  # the output was cut short (``| head``): not an error of the job
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
