"""The ``wikibot`` command: thin commands that build settings and adapters and call one job.

Exit codes, the same for every command:

    0  done, nothing wrong
    1  done, and problems were found (invalid entries, conflicts)
    2  usage or configuration error: nothing was done
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__, jobs
from .adapters.entity_local import LocalEntityStore
from .adapters.workspace import LocalPageStore, atomic_write
from .bootstrap import bootstrap
from .ports import EntityStore, EntityStoreError, PageStoreError
from .settings import EXAMPLES, ConfigError, Settings, ids_path, init_workspace, load_settings
from .wikibase.instance import InstanceIds

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wikibot",
        description="Keep the registry of Wikimedia hubs and partnerships consistent between "
                    "Meta-Wiki pages and a Wikibase, and answer coverage questions. With no "
                    "configuration every job runs offline on a local workspace holding the "
                    "bundled example registry.",
        epilog="Exit codes: 0 done and nothing wrong; 1 problems found; 2 usage or "
               "configuration error. Each command has its own --help.",
    )
    parser.add_argument("--version", action="version", version=f"wikibot {__version__}",
                        help="print the version and exit")
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


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(config=args.config, workspace=args.workspace,
                         announce=lambda message: print(message, file=sys.stderr))


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    result = jobs.validate(settings, LocalPageStore(settings.workspace.path))
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


def entity_store(settings: Settings) -> EntityStore:
    """The configured Wikibase: live through pywikibot when ``[wikibase] site`` is set, else local."""
    if settings.wikibase.site is None:
        return LocalEntityStore(settings.workspace.path)
    from .adapters.pywikibot_site import live_entity_store  # imports pywikibot: live runs only

    store: EntityStore = live_entity_store(settings.wikibase.site)
    return store


def _describe_store(settings: Settings) -> str:
    if settings.wikibase.site is None:
        return f"the local entity store in {settings.workspace.path}/entities"
    return f"the Wikibase {settings.wikibase.site!r} (pywikibot)"


def _bootstrap(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    path = ids_path(settings)
    try:
        known = InstanceIds.parse(path.read_text(encoding="utf-8")) if path.exists() else InstanceIds()
    except (ValueError, OSError) as error:
        raise ConfigError(f"{path}: cannot read the instance ids: {error}") from None
    store = entity_store(settings)
    print(f"bootstrap: on {_describe_store(settings)}", file=out)
    result = bootstrap(store, known, dry_run=args.dry_run, progress=lambda m: print(m, file=out))
    for problem in result.problems:
        print(f"problem: {problem}", file=out)
    verb = "would create" if args.dry_run else "created"
    print(f"bootstrap: {len(result.ids.properties)} properties and {len(result.ids.items)} items in place; "
          f"{verb} {result.writes}, found {len(result.found)} by label", file=out)
    if not args.dry_run and result.ids != known:  # also after a failure: what was created is kept
        atomic_write(path, result.ids.render())
        print(f"recorded the ids in {path}", file=out)
    return EXIT_PROBLEMS if result.problems else EXIT_OK


def _init(args: argparse.Namespace, out: TextIO) -> int:
    init_workspace(args.directory, args.example)
    print(f"created the workspace {args.directory}/ from the bundled example {args.example!r}",
          file=out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.handler(args, out))
    except (ConfigError, PageStoreError, EntityStoreError) as error:
        print(f"wikibot: {error}", file=sys.stderr)
        return EXIT_USAGE


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
