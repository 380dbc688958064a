"""The templates wikibot ships to the wiki: each kind's registry entry template (a card per entry)
and each status box template, in the reader's language.  Pure: text in, text out.

Every template is generated from the kind's declaration (``registry/kinds.py``: its model's
parameters, its status box's owned parameters), so a field added to a model shows on the card
at once.  They need ParserFunctions only (as Meta-Wiki has), and carry their TemplateData.

What is shown:

- the entry card: a one-entry table (``class="wikitable wikibot-entry wikibot-entry-<kind>"``,
  ``id`` the registry id, so ``[[Page#cee-hub]]`` links to it): the name in the reader's language
  (``name_xx``, else ``name``, else the id), linked to the entry's page; kind, status, scope
  (regions, countries, languages, themes), host and the other entries it names (linked to their
  cards), dates, website, and the item, linked to the Wikibase.  Vocabulary slugs are shown by
  their names in the reader's language (a list of several terms as written).
- the status box: one row per owned parameter that has a value (the values come in words from
  the bot: host and members are links), the image above them, the item linked to the Wikibase.

Restyling: every element has a class (``wikibot-entry``, ``wikibot-entry-hub``,
``wikibot-status``, ``wikibot-status-hub``, ``wikibot-field-<param>``); a wiki restyles them in
``MediaWiki:Common.css`` (the inline style is only the layout: float, width, margins, and
``!important`` in Common.css overrides it).

Each installed template ends with a marker (``<!-- wikibot-template: SHA1 -->``) holding the sha1
of the text above it: ``wikibot templates`` updates only a page whose text is still what it
installed, and leaves alone, saying so, a template someone else edited.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .i18n import MESSAGES, Reader
from .ports import Page
from .registry.dates import WikiDate
from .registry.kinds import KINDS
from .registry.models import EntryKind
from .registry.vocab import Term
from .wikitext.escape import escape_value
from .wikitext.params import DEFAULT_LANGUAGE, ParamSpec, param_specs

# What each owned parameter of a status box holds (the templates' documentation and TemplateData).
PARAM_DOCS: dict[str, str] = {
    "status": "Lifecycle stage, by its name in the wiki's language.",
    "kind": "Regional, thematic and/or language hub.",
    "host": "The host or fiscal sponsor organisation, linked to its page.",
    "regions": "Names of the regions covered, comma-separated.",
    "languages": "Names of the languages covered, comma-separated.",
    "themes": "Names of the thematic areas, comma-separated.",
    "members": "The member organisations, each linked to its page.",
    "partnerships": "Number of partnerships the hub stewards that have not ended.",
    "next_review": "Date of the next review (year, month or day).",
    "overdue": "'yes' once the next review date has passed, else 'no'.",
    "item": "The entry's Wikibase item id (linked to the Wikibase).",
    "type": "Partnership types, comma-separated.",
    "partner": "The partner organisation, linked to its page.",
    "stewards": "The stewarding organisations or hubs, each linked to its page.",
    "scope": "Global, regional or national.",
    "start": "Start date.",
    "end": "End date.",
}
EDITORS_PARAMS: dict[str, dict[str, Any]] = {
    "image": {"label": "Image", "description": "A file shown at the top of the box (its name, without 'File:'). "
                                              "The editors'; the bot never changes it.", "type": "wiki-file-name"},
    "contact": {"label": "Contact", "description": "How to reach the people behind it (wikitext, e.g. a link). "
                                                  "The editors'; the bot never changes it; not shown in the box.",
                "type": "content"},
}
MARKER = re.compile(r"<noinclude><!-- wikibot-template: ([0-9a-f]{40}) --></noinclude>\s*\Z")
_NOT_ON_CARD = {"names", "descriptions", "aliases", "id", "item", "page"}


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def with_marker(body: str) -> str:
    """The template's text as installed: ``body`` and the marker of its sha1."""
    return f"{body}<noinclude><!-- wikibot-template: {sha1(body)} --></noinclude>"


def installed_by_us(text: str) -> bool | None:
    """True: the page is what wikibot installed (its marker matches the text above it); False:
    someone edited it since; None: it has no marker (not wikibot's)."""
    match = MARKER.search(text)
    if match is None:
        return None
    return sha1(text[: match.start()]) == match.group(1)


def _label(reader: Reader, param: str) -> str:
    key = f"field-{param}"
    return reader.text(key) if key in MESSAGES else param.replace("_", " ").capitalize()


def _row(param: str, label: str, value: str) -> str:
    """A table row shown only when ``param`` has a value; joined to the next without a line break
    (an empty row leaves nothing behind: no stray paragraph)."""
    return (f"<!--\n-->{{{{#if:{{{{{{{param}|}}}}}}|<nowiki/>\n{{{{!}}}}- class=\"wikibot-field-{param}\"\n"
            f"! {escape_value(label)}\n{{{{!}}}} {value}}}}}")


def _switch(param: str, vocabulary: type[Term], reader: Reader, many: bool) -> str:
    """A slug (or, for a list, a list of one slug, or any combination of a small vocabulary) shown by
    its name in the reader's language; anything else as written."""
    cases = {term.value: reader.term(term) for term in vocabulary}
    terms = list(vocabulary)
    if many and len(terms) <= 3:
        for size in (2, 3):
            for combination in itertools.combinations(terms, size):
                cases[", ".join(t.value for t in combination)] = reader.terms(list(combination))
    body = "".join(f"\n|{slug}={escape_value(name)}" for slug, name in cases.items())
    return f"{{{{#switch:{{{{{{{param}|}}}}}}{body}\n|#default={{{{{{{param}|}}}}}}}}}}"


def _card_value(spec: ParamSpec, kind: EntryKind, reader: Reader, pages: Mapping[EntryKind, str]) -> str:
    param = spec.param
    model = KINDS[kind].model
    if spec.vocabulary is not None:
        return _switch(param, spec.vocabulary, reader, spec.many)
    if spec.field in model.reference_fields and not spec.many:
        target = model.reference_fields[spec.field][0]
        page = pages.get(target, "")
        return f"[[{page}#{{{{{{{param}}}}}}}|{{{{{{{param}}}}}}}]]"
    if spec.link:
        return f"[{{{{{{{param}}}}}}} {{{{{{{param}}}}}}}]"
    return f"{{{{{{{param}|}}}}}}"


def entry_template(kind: EntryKind, reader: Reader, *, item_url: str,
                   pages: Mapping[EntryKind, str] | None = None) -> str:
    """The registry template of ``kind``: a card per entry, with its TemplateData.  ``item_url``:
    the start of an item's address on the Wikibase (``…/entity/``); ``pages``: the registry page
    each kind of entry is on (links to a named entry's card; unknown: this page)."""
    pages = pages or {}
    name = f"name_{reader.code}"
    shown_name = (f"{{{{#if:{{{{{{{name}|}}}}}}|{{{{{{{name}}}}}}}|{{{{#if:{{{{{{name|}}}}}}|{{{{{{name}}}}}}|"
                  f"{{{{{{id|}}}}}}}}}}}}}}")
    caption = f"{{{{#if:{{{{{{page|}}}}}}|[[{{{{{{page}}}}}}|{shown_name}]]|{shown_name}}}}}"
    rows = []
    for spec in param_specs(kind):
        if spec.field in _NOT_ON_CARD or spec.multilingual:
            continue
        rows.append(_row(spec.param, _label(reader, spec.param), _card_value(spec, kind, reader, pages)))
    rows.append(_row("item", _label(reader, "item"), f"[{item_url}{{{{{{item}}}}}} {{{{{{item}}}}}}]"))
    description = f"description_{reader.code}"
    shown_description = (f"{{{{#if:{{{{{{{description}|}}}}}}|{{{{{{{description}}}}}}}|"
                         f"{{{{{{description|}}}}}}}}}}")
    table = (f'{{| class="wikitable wikibot-entry wikibot-entry-{kind.value}" id="{{{{{{id|}}}}}}" '
             f'{reader.attributes} style="width:100%; max-width:60em; margin:0 0 1em 0; '
             f'text-align:{side_start(reader)};"'
             f"\n|+ {caption}"
             f"<!--\n-->{{{{#if:{shown_description}|<nowiki/>\n{{{{!}}}}- class=\"wikibot-field-description\"\n"
             f"{{{{!}}}} colspan=\"2\" {{{{!}}}} ''{shown_description}''}}}}"
             + "".join(rows) + "\n|}")
    data = json.dumps(entry_templatedata(kind), indent=1, ensure_ascii=False)
    return (f"<includeonly>{table}</includeonly><noinclude>\n"
            f"{escape_value(reader.text(f'kind-{kind.value}'))}: one entry of the registry of hubs and partnerships, "
            "shown as a card. wikibot reads and writes its parameters (<code>wikibot sync</code>) and installs this "
            "template (<code>wikibot templates</code>); restyle it in MediaWiki:Common.css (classes "
            f"<code>wikibot-entry</code>, <code>wikibot-entry-{kind.value}</code>, "
            "<code>wikibot-field-PARAM</code>).\n"
            f"<templatedata>\n{data}\n</templatedata>\n</noinclude>")


def side_start(reader: Reader) -> str:
    return "right" if reader.direction == "rtl" else "left"


def status_template(kind: EntryKind, reader: Reader, *, item_url: str) -> str:
    """The status box template of ``kind`` (to install on the wiki), with its TemplateData."""
    box = KINDS[kind].status_box
    assert box is not None
    rows = []
    for param in box.params:
        if param == "overdue":
            continue
        value = f"{{{{{{{param}|}}}}}}"
        if param == "next_review":
            value += (f"{{{{#ifeq:{{{{{{overdue|}}}}}}|yes|&nbsp;<strong>{escape_value(reader.text('overdue'))}"
                      "</strong>}}")
        if param == "item":
            value = f"[{item_url}{{{{{{item}}}}}} {{{{{{item}}}}}}]"
        rows.append(_row(param, _label(reader, param), value))
    float_side = "left" if reader.direction == "rtl" else "right"
    margin = "0 1em 1em 0" if reader.direction == "rtl" else "0 0 1em 1em"
    title = escape_value(reader.text(f"box-{kind.value}"))
    image = ("<!--\n-->{{#if:{{{image|}}}|<nowiki/>\n{{!}}- class=\"wikibot-field-image\"\n"
             "{{!}} colspan=\"2\" style=\"text-align:center\" {{!}} [[File:{{{image}}}|200px]]}}")
    data = json.dumps(status_templatedata(kind), indent=1, ensure_ascii=False)
    return (f'<includeonly>{{| class="wikitable wikibot-status wikibot-status-{kind.value}" {reader.attributes} '
            f'style="float:{float_side}; clear:{float_side}; margin:{margin}; width:22em;"\n|+ {title}'
            f"{image}{''.join(rows)}\n|}}</includeonly><noinclude>\n"
            f"Status box of a {kind.value} of the registry of hubs and partnerships. wikibot keeps the "
            f"parameters below current from the registry's Wikibase (<code>wikibot status</code>) and installs this "
            f"template (<code>wikibot templates</code>); <code>image</code>, <code>contact</code> and any other "
            f"parameter are the editors'. Restyle it in MediaWiki:Common.css (classes <code>wikibot-status</code>, "
            f"<code>wikibot-status-{kind.value}</code>, <code>wikibot-field-PARAM</code>).\n"
            f"<templatedata>\n{data}\n</templatedata>\n</noinclude>")


def _templatedata_type(spec: ParamSpec) -> str:
    if spec.element is WikiDate:
        return "date"
    if spec.field == "website":
        return "url"
    if spec.field == "page":
        return "wiki-page-name"
    return "line"


def entry_templatedata(kind: EntryKind) -> dict[str, Any]:
    """TemplateData for the registry template of ``kind``."""
    params: dict[str, Any] = {}
    for spec in param_specs(kind):
        entry: dict[str, Any] = {
            "label": spec.param.replace("_", " ").capitalize(),
            "description": spec.description,
            "type": _templatedata_type(spec),
            "required": spec.required and not spec.multilingual,
        }
        if spec.multilingual:
            entry["description"] += (f" '{spec.param}' is the {DEFAULT_LANGUAGE} text; "
                                     f"add '{spec.param}_xx' for language code xx.")
            entry["suggested"] = spec.param == "name"
        if spec.many:
            entry["description"] += " Comma-separated list."
        if spec.vocabulary is not None:
            entry["suggestedvalues"] = [m.value for m in spec.vocabulary]
        if spec.field == "item":
            entry["description"] += " Written by wikibot; do not fill in by hand."
        params[spec.param] = entry
    return {
        "description": f"One {kind.value} of the registry of hubs and partnerships, kept in sync "
                       "with the Wikibase by wikibot.",
        "params": params,
        "paramOrder": list(params),
        "format": "block",
    }


def status_templatedata(kind: EntryKind) -> dict[str, Any]:
    """TemplateData of the status box of ``kind``: the parameters the bot owns and the editors' own."""
    box = KINDS[kind].status_box
    assert box is not None
    params: dict[str, Any] = {"image": EDITORS_PARAMS["image"]}
    for param in box.params:
        params[param] = {"label": param.replace("_", " ").capitalize(),
                         "description": f"{PARAM_DOCS[param]} Written by wikibot from the Wikibase; "
                                        "an edit by hand is overwritten on its next run.",
                         "type": "date" if param in ("next_review", "start", "end") else
                                 "number" if param == "partnerships" else "line"}
    params["contact"] = EDITORS_PARAMS["contact"]
    return {
        "description": f"Status box of a {kind.value} of the registry, kept current by wikibot from the "
                       "registry's Wikibase. 'image' and 'contact' (and any other parameter) are the editors' and "
                       "are never changed by the bot.",
        "params": params,
        "paramOrder": list(params),
        "format": "block",
    }


def shipped_templates(template_names: Mapping[EntryKind, str], box_names: Mapping[EntryKind, str],
                      reader: Reader, *, item_url: str,
                      pages: Mapping[EntryKind, str] | None = None) -> dict[str, str]:
    """Page title -> text (with its marker) of every template to install: the registry template of
    each kind (``template_names``) and the status box of each kind in ``box_names``."""
    out: dict[str, str] = {}
    for kind, name in template_names.items():
        out[f"Template:{name}"] = with_marker(entry_template(kind, reader, item_url=item_url, pages=pages))
    for kind, name in box_names.items():
        out[f"Template:{name}"] = with_marker(status_template(kind, reader, item_url=item_url))
    return out


# -- what to do with each template page -------------------------------------------------------------
class TemplateAction(StrEnum):
    CREATE = "create"        # the page does not exist: it is created
    UPDATE = "update"        # the page is what wikibot installed before, and the template changed
    CURRENT = "current"      # the page already holds the template: nothing to save
    EDITED = "edited"        # someone edited the page since wikibot installed it: left alone, reported
    FOREIGN = "foreign"      # the page holds a template wikibot never installed: left alone, reported
    FORCED = "forced"        # edited by someone else, overwritten because --force was given


@dataclass(frozen=True)
class TemplatePlan:
    title: str
    action: TemplateAction
    base: Page | None
    text: str

    @property
    def saves(self) -> bool:
        return self.action in (TemplateAction.CREATE, TemplateAction.UPDATE, TemplateAction.FORCED)

    @property
    def reason(self) -> str:
        if self.action is TemplateAction.EDITED:
            return ("edited by someone else since wikibot installed it: left as it is (their change would be "
                    "lost; bring it into wikibot's templates, or run with --force to overwrite it)")
        if self.action is TemplateAction.FOREIGN:
            return ("holds a template wikibot did not install: left as it is (run with --force to replace it with "
                    "wikibot's)")
        return ""

    def summary(self) -> str:
        if self.action is TemplateAction.CREATE:
            return "wikibot: template installed"
        if self.action is TemplateAction.FORCED:
            return "wikibot: template replaced by wikibot's (--force), over an edit by someone else"
        return "wikibot: template updated"

    def diff(self) -> list[str]:
        before = self.base.text if self.base is not None else ""
        revision = f"revision {self.base.revid}" if self.base is not None else "new"
        return list(difflib.unified_diff(before.splitlines(), self.text.splitlines(), lineterm="",
                                         fromfile=f"{self.title} ({revision})", tofile=f"{self.title} (wikibot)"))


def plan_templates(wanted: Mapping[str, str], read: Mapping[str, Page | None], *,
                   force: bool = False) -> list[TemplatePlan]:
    """What to do with each template page (``wanted``: title -> text to install), as read."""
    plans = []
    for title, text in wanted.items():
        page = read.get(title)
        if page is None:
            action = TemplateAction.CREATE
        elif page.text.rstrip() == text.rstrip():
            action = TemplateAction.CURRENT
        else:
            ours = installed_by_us(page.text)
            if ours:
                action = TemplateAction.UPDATE
            elif force:
                action = TemplateAction.FORCED
            else:
                action = TemplateAction.EDITED if ours is False else TemplateAction.FOREIGN
        plans.append(TemplatePlan(title, action, page, text))
    return plans
