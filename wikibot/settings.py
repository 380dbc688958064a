"""Settings: read once, at the edge (``cli.main``), and passed down; unknown keys rejected.

Where the configuration comes from, first match wins:

1. ``--config FILE``, else ``$WIKIBOT_CONFIG``;
2. else ``wikibot.toml`` in the workspace (``--workspace DIR``, ``$WIKIBOT_WORKSPACE``, or
   ``./wikibot-workspace``, which is created from the bundled example registry when it does
   not exist yet);
3. else the built-in defaults below.

Credentials never appear here: live runs log in through pywikibot's own configuration.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError as ConfigError
from .heartbeat import parse_age
from .i18n import Reader, reader_problem
from .registry.kinds import KINDS, with_status_box
from .registry.models import EntryKind
from .registry.titles import normalize_title, title_problem
from .wikitext.registry_page import TemplateNames

DEFAULT_WORKSPACE = Path("wikibot-workspace")
CONFIG_NAME = "wikibot.toml"
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = ("registry", "broken")


TemplateName = Annotated[str, Field(min_length=1, pattern=r"\S")]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegistrySettings(_Section):
    pages: Annotated[list[str], Field(min_length=1)] = Field(
        default=["Organizations/Registry", "Hubs/Registry", "Partnerships/Registry"],
        description="Titles of the registry pages, read in this order.",
    )
    templates: dict[EntryKind, TemplateName] = Field(
        default={}, description="The registry template of each kind of entry (hub, partnership, organization), "
                                "where it is not the default: " + ", ".join(
                                    f"{k.value} = \"{spec.template}\"" for k, spec in KINDS.items()) + ".")
    retired_ids: list[str] = Field(
        default=[], description="Registry ids of removed entries, which are never to be reused."
    )

    def template_names(self) -> TemplateNames:
        return TemplateNames(self.templates)

    @field_validator("pages")
    @classmethod
    def _distinct(cls, pages: list[str]) -> list[str]:
        if len(set(pages)) != len(pages):
            raise ValueError("a page is listed twice")
        return pages


class WikibaseSettings(_Section):
    site: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$",
        description="The live Wikibase, as pywikibot names it: 'FAMILY' or 'FAMILY:CODE' (a family of "
                    "user-config.py, e.g. one made with family_files). Unset: the workspace's local "
                    "entity store.",
    )
    ids_file: Path = Field(
        default=Path("wikibase-ids.json"),
        description="Where the instance's property and item ids are recorded (written by bootstrap); "
                    "relative to the workspace.",
    )


class WikiSettings(_Section):
    site: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$",
        description="The wiki of the registry pages, as pywikibot names it ('meta'; 'FAMILY:CODE'). "
                    "Unset: the workspace's pages.",
    )
    index_url: str = Field(
        default="https://meta.wikimedia.org/w/index.php", pattern=r"^https?://",
        description="The wiki's index.php URL: the items' references cite page permalinks under it.",
    )
    language: str = Field(
        default="en",
        description="The language the wiki is read in (a MediaWiki language code: en, ar, fr, ...): the fixed "
                    "text of status boxes, registry templates and report pages, and the names shown (terms, "
                    "entries, languages), in it, else in English. Right-to-left languages are written so.",
    )

    @field_validator("language")
    @classmethod
    def _a_language(cls, code: str) -> str:
        problem = reader_problem(code)
        if problem:
            raise ValueError(problem)
        return code

    def reader(self) -> Reader:
        """Whom the pages are written for."""
        return Reader(self.language)

    # One bound for every wiki reached through pywikibot, the Wikibase's too: pywikibot's retry
    # settings are process-wide, and a run waits for whichever wiki is silent; one number to tune.
    max_wait: float = Field(
        default=180, gt=0, le=86400,
        description="Seconds one request to a wiki (the registry pages' wiki or the Wikibase, through "
                    "pywikibot) may take in all, its attempts and every wait after a refused connection, a "
                    "timeout, HTTP 5xx, maxlag or 429 included; then the run stops and exits 1 naming the "
                    "wiki. Each wait is shown in the progress. (pywikibot's own default would wait about "
                    "22 minutes.)",
    )


class SyncSettings(_Section):
    report_page: str | None = Field(
        default="Registry/Sync report",
        description="Page where conflicts and entries not synced are published for editors "
                    "(edited only when its content changes); empty: no report page.",
    )
    state_file: Path = Field(
        default=Path("state/sync.sqlite"),
        description="The sync state (merge base per entry, run log); relative to the workspace.",
    )
    max_shrink: float = Field(
        default=0.10, ge=0, le=1,
        description="A registry page that lost more than this share of its entries since the last "
                    "sync is left alone (blanking, vandalism).",
    )
    full_every: str = Field(
        default="24h",
        description="A sync reads only what changed since the last one; every this long (24h, 90m, 2d) "
                    "it reads everything again instead (a full reconciliation, as 'sync --full' does).",
    )

    @field_validator("full_every")
    @classmethod
    def _an_age(cls, value: str) -> str:
        parse_age(value)
        return value

    def full_interval(self) -> dt.timedelta:
        return parse_age(self.full_every)


class StatusSettings(_Section):
    kinds: list[EntryKind] = Field(
        default=[EntryKind.HUB],
        description="Whose pages carry a status box: hubs, and partnerships when listed (the kinds that "
                    "have one: " + ", ".join(spec.kind.value for spec in with_status_box()) + ").")
    missing: Literal["add", "report"] = Field(
        default="add", description="A page without the box: 'add' puts one at its top; 'report' only lists it.")
    page_prefixes: list[str] = Field(
        default=[],
        description="Entry pages the bot may edit: titles starting with one of these (\"Hubs/\"). "
                    "Empty: any page in the main namespace. An entry whose page is elsewhere is "
                    "reported, not followed.")
    templates: dict[EntryKind, TemplateName] = Field(
        default={}, description="The status box template of each kind, where it is not the default: " + ", ".join(
            f"{spec.kind.value} = \"{spec.status_box.template}\"" for spec in with_status_box()
            if spec.status_box is not None) + ".")

    @field_validator("kinds", "templates")
    @classmethod
    def _with_a_box(cls, kinds: Any) -> Any:
        without = [k.value for k in kinds if KINDS[k].status_box is None]
        if without:
            raise ValueError(f"{', '.join(without)} entries have no status box")
        return kinds

    def template_of(self, kind: EntryKind) -> str:
        """The status box template of ``kind`` on this wiki."""
        box = KINDS[kind].status_box
        assert box is not None
        return self.templates.get(kind, box.template)


class HeartbeatSettings(_Section):
    page: str | None = Field(
        default="Registry/Bot status",
        description="Page recording, per job, the last success, what it did and the last failure; "
                    "empty: no heartbeat page (health reads the run log).",
    )
    refresh: str = Field(
        default="24h",
        description="The page is saved when a job's state changes (succeeding <-> failing, a new reason) "
                    "and, beyond that, when its last saved success is older than this (24h, 90m, 2d): a "
                    "run that changes nothing saves nothing more often.",
    )

    @field_validator("refresh")
    @classmethod
    def _an_age(cls, value: str) -> str:
        parse_age(value)
        return value

    def refresh_interval(self) -> dt.timedelta:
        return parse_age(self.refresh)


class QuerySettings(_Section):
    endpoint: str | None = Field(
        default=None, pattern=r"^https?://",
        description="SPARQL endpoint of the Wikibase's query service (https://query.wikidata.org/sparql, "
                    "https://NAME.wikibase.cloud/query/sparql). Unset: the embedded query store in the "
                    "workspace, kept current by 'wikibot sync'.",
    )
    default_graph: str | None = Field(
        default=None, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+$",
        description="With endpoint: the IRI of the graph that holds the registry's RDF, sent as "
                    "default-graph-uri with every query, for an endpoint that serves several graphs "
                    "(Virtuoso answers from all of them, its own included, when none is named). "
                    "Unset: none is sent.",
    )
    store: Path = Field(
        default=Path("state/query"),
        description="The embedded query store (a directory); relative to the workspace.",
    )
    concept_uri: str = Field(
        default="https://registry.example.org/entity/", pattern=r"^https?://\S+/$",
        description="The Wikibase's concept base URI, the start of its entity IRIs "
                    "(http://www.wikidata.org/entity/, https://NAME.wikibase.cloud/entity/).",
    )
    ui_url: str | None = Field(
        default=None, pattern=r"^https?://",
        description="The query service's web UI (https://query.wikidata.org/): the report page links "
                    "each query there. Unset: no link.",
    )
    report_page: str | None = Field(
        default="Registry/Coverage",
        description="Page 'wikibot coverage --publish' saves the answers to (only when they changed).",
    )
    label_languages: list[str] = Field(
        default=["en", "mul"], min_length=1,
        description="Languages of the labels shown, in order of preference (then the item id).",
    )
    top_languages: int = Field(default=10, ge=1, le=200,
                               description="How many of the most spoken languages the languages and gaps "
                                           "questions look at.")
    review_days: int = Field(default=30, ge=0, le=3660,
                             description="The reviews question lists reviews due within this many days.")
    timeout: float = Field(default=60, gt=0, description="Seconds a query to the endpoint may take.")
    user_agent: str | None = Field(
        default=None, pattern=r"\S",
        description="User-Agent for the endpoint, with a way to reach you, as the Wikimedia User-Agent "
                    "policy asks: 'wikibot/1.0 (https://meta.wikimedia.org/wiki/User:YourBot)'. "
                    "Needed when endpoint is set.",
    )


class WorkspaceSettings(_Section):
    path: Path = Field(default=DEFAULT_WORKSPACE, description="The local workspace directory.")


class Settings(_Section):
    """One run's settings."""

    workspace: WorkspaceSettings = WorkspaceSettings()
    registry: RegistrySettings = RegistrySettings()
    wikibase: WikibaseSettings = WikibaseSettings()
    wiki: WikiSettings = WikiSettings()
    sync: SyncSettings = SyncSettings()
    status: StatusSettings = StatusSettings()
    heartbeat: HeartbeatSettings = HeartbeatSettings()
    query: QuerySettings = QuerySettings()
    source: Path | None = Field(default=None, exclude=True)  # the file read, for messages

    @model_validator(mode="after")
    def _pages_kept_apart(self) -> Settings:
        """Every page the bot keeps is one page of its own: a report saved on a registry page would
        overwrite the registry.  Titles compare as MediaWiki compares them."""
        kept = [*((f"registry.pages ({title})", title) for title in self.registry.pages),
                ("sync.report_page", self.sync.report_page), ("heartbeat.page", self.heartbeat.page),
                ("query.report_page", self.query.report_page)]
        seen: dict[str, str] = {}
        for key, title in kept:
            if not title:
                continue
            problem = title_problem(title)
            if problem:
                raise ValueError(f"{key}: {title!r} is not a page title: it {problem}")
            same = seen.get(normalize_title(title))
            if same is not None:
                raise ValueError(f"{key} and {same} name the same page ({title!r}): each page the bot keeps must "
                                 "be a page of its own")
            seen[normalize_title(title)] = key
        return self


def _describe(error: ValidationError, source: Path) -> str:
    lines = [f"{source}: invalid configuration"]
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"].removeprefix("Value error, ")
        lines.append(f"  {where}: {message}" if where else f"  {message}")
    return "\n".join(lines)


def parse_settings(data: Mapping[str, Any], source: Path) -> Settings:
    """Settings from a parsed TOML document; relative paths are relative to its folder."""
    try:
        settings = Settings.model_validate({**data, "source": source})
    except ValidationError as error:
        raise ConfigError(_describe(error, source)) from None
    path = settings.workspace.path
    if not path.is_absolute():
        path = source.parent / path
    return settings.model_copy(update={"workspace": WorkspaceSettings(path=path)})


def ids_path(settings: Settings) -> Path:
    """The instance ids file, resolved against the workspace."""
    path = settings.wikibase.ids_file
    return path if path.is_absolute() else settings.workspace.path / path


def state_path(settings: Settings) -> Path:
    """The sync state database, resolved against the workspace."""
    path = settings.sync.state_file
    return path if path.is_absolute() else settings.workspace.path / path


def query_store_path(settings: Settings) -> Path:
    """The embedded query store, resolved against the workspace."""
    path = settings.query.store
    return path if path.is_absolute() else settings.workspace.path / path


def load_settings_file(path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if "workspace" not in data:
        data = {**data, "workspace": {"path": "."}}  # a workspace's own wikibot.toml
    return parse_settings(data, path.resolve())


def init_workspace(target: Path, example: str = "registry") -> None:
    """Create a workspace at ``target`` from a bundled example."""
    if example not in EXAMPLES:
        raise ConfigError(f"no bundled example {example!r}; choose from {', '.join(EXAMPLES)}")
    source = EXAMPLES_DIR / example
    if not source.is_dir():
        raise ConfigError(f"the bundled examples are missing ({source}); reinstall wikibot")
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} exists and is not empty")
    shutil.copytree(source, target, dirs_exist_ok=True)


def load_settings(
    *, config: Path | None = None, workspace: Path | None = None,
    environ: Mapping[str, str] = os.environ, announce: Any = None,
) -> Settings:
    """The settings for one run (see the module docstring for where they come from)."""
    config = config or (Path(environ["WIKIBOT_CONFIG"]) if environ.get("WIKIBOT_CONFIG") else None)
    if config is not None:
        settings = load_settings_file(config)
        if workspace is not None:
            settings = settings.model_copy(update={"workspace": WorkspaceSettings(path=workspace)})
        return settings
    explicit = workspace or (Path(environ["WIKIBOT_WORKSPACE"]) if environ.get("WIKIBOT_WORKSPACE") else None)
    root = explicit or DEFAULT_WORKSPACE
    if not root.is_dir():
        if explicit is not None:
            raise ConfigError(f"no workspace at {root} (create one with: wikibot init {root})")
        init_workspace(root)
        if announce:
            announce(f"created the workspace {root}/ from the bundled example registry")
    own = root / CONFIG_NAME
    if own.is_file():
        return load_settings_file(own)
    return Settings(workspace=WorkspaceSettings(path=root))
