"""JSON Schema of each entry kind and TemplateData of each registry template, from the models.

``render_schemas`` is pure; ``scripts/generate_schemas.py`` writes its result to ``schemas/``
and a test fails when a checked-in file differs from it.
"""

from __future__ import annotations

import json
from typing import Any

from .registry.dates import WikiDate
from .registry.kinds import ENTRY_TYPES
from .registry.models import EntryKind
from .status.boxes import OWNED, PARAM_DOCS
from .wikibase.mapping import FIELDS, PROPERTIES, WIKIDATA_PROPERTIES, vocabulary_items
from .wikitext.params import DEFAULT_LANGUAGE, ParamSpec, param_specs

SCHEMA_BASE = "https://github.com/wikibot/wikibot/schemas/"


def json_schema(kind: EntryKind) -> dict[str, Any]:
    schema = ENTRY_TYPES[kind].model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}{kind.value}.schema.json", **schema}


def _templatedata_type(spec: ParamSpec) -> str:
    if spec.element is WikiDate:
        return "date"
    if spec.field == "website":
        return "url"
    if spec.field == "page":
        return "wiki-page-name"
    return "line"


def templatedata(kind: EntryKind) -> dict[str, Any]:
    """TemplateData for the registry template of ``kind`` (to put on its /doc page)."""
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
            entry["autovalue"] = ""
            entry["description"] += " Do not fill in by hand."
        params[spec.param] = entry
    return {
        "description": f"One {kind.value} of the registry of hubs and partnerships, kept in sync "
                       "with the Wikibase by wikibot.",
        "params": params,
        "paramOrder": list(params),
        "format": "block",
    }


def mapping_document() -> dict[str, Any]:
    """The Wikibase mapping: properties, which field goes where, class and vocabulary items."""
    return {
        "description": "Where each registry fact lives in a Wikibase. Instance ids (P/Q) are not "
                       "here: 'wikibot bootstrap' finds or creates them and records them in the "
                       "instance's ids file.",
        "properties": {p.key: {"label": p.label, "datatype": p.datatype, "description": p.description}
                       for p in PROPERTIES},
        "fields": {
            kind.value: {
                f.field: {"property": f.property, "values": f.values,
                          **({"vocabulary": f.vocabulary.vocabulary_name()} if f.vocabulary else {}),
                          **({"qualifier_of": f.qualifier_of} if f.qualifier_of else {})}
                for f in FIELDS[kind]
            }
            for kind in EntryKind
        },
        "labels_and_descriptions": "names -> labels, descriptions -> descriptions, aliases -> aliases "
                                   "(every language)",
        "items": {i.key: {"label": i.label, "description": i.description} for i in vocabulary_items()},
    }


def wikidata_mapping_document() -> dict[str, Any]:
    """The mapping onto Wikidata's existing properties, and the fields that have none there."""
    return {
        "description": "On Wikidata, wikibot writes only to existing properties; a field whose "
                       "property is null is not written there.",
        "properties": {key: {"wikidata": pid, "note": note} for key, (pid, note) in WIKIDATA_PROPERTIES.items()},
        "unmapped_fields": sorted({f"{kind.value}.{f.field}" for kind in EntryKind for f in FIELDS[kind]
                                   if WIKIDATA_PROPERTIES[f.property][0] is None}),
    }


def status_templatedata(kind: EntryKind) -> dict[str, Any]:
    """TemplateData of the status box of ``kind``: the parameters the bot owns."""
    params = {param: {"label": param.replace("_", " ").capitalize(),
                      "description": f"{PARAM_DOCS[param]} Written by wikibot from the Wikibase; "
                                     "an edit by hand is overwritten on its next run.",
                      "type": "date" if param in ("next_review", "start", "end") else
                              "number" if param in ("members", "partnerships") else "line",
                      "autovalue": ""}
              for param in OWNED[kind]}
    return {
        "description": f"Status box of a {kind.value} of the registry, kept current by wikibot from the "
                       "registry's Wikibase. Other parameters (image, contact, ...) are the editors' and "
                       "are never changed by the bot.",
        "params": params,
        "paramOrder": list(params),
        "format": "block",
    }


def status_template(kind: EntryKind) -> str:
    """The wikitext of the status box template of ``kind`` (to install on the wiki), with its
    TemplateData on the template's own page."""
    rows = []
    for param in OWNED[kind]:
        if param == "overdue":
            continue
        value = f"{{{{{{{param}|}}}}}}"
        if param == "next_review":
            value += "{{#ifeq:{{{overdue|}}}|yes|&nbsp;<strong>(overdue)</strong>}}"
        label = param.replace("_", " ").capitalize()
        rows.append(f"{{{{#if:{{{{{{{param}|}}}}}}|\n{{{{!}}}}-\n! {label}\n{{{{!}}}} {value}}}}}")
    title = f"{kind.value.capitalize()} status"
    body = "\n".join(rows)
    data = json.dumps(status_templatedata(kind), indent=1, ensure_ascii=False)
    return (f'<includeonly>{{| class="wikitable" style="float:right; clear:right; margin:0 0 1em 1em; '
            f'width:22em;"\n|+ {title}{{{{#if:{{{{{{image|}}}}}}|\n{{{{!}}}}-\n{{{{!}}}} colspan="2" '
            f'{{{{!}}}} [[File:{{{{{{image}}}}}}|200px]]}}}}\n{body}\n|}}</includeonly><noinclude>\n'
            f"Status box of a {kind.value} of the registry of hubs and partnerships. wikibot keeps the "
            f"parameters below current from the registry's Wikibase (<code>wikibot status</code>); "
            f"<code>image</code> and any other parameter are the editors'.\n"
            f"<templatedata>\n{data}\n</templatedata>\n</noinclude>\n")


def render_schemas() -> dict[str, str]:
    """File name -> content of every generated file in ``schemas/``."""
    files: dict[str, str] = {}
    for kind in EntryKind:
        files[f"{kind.value}.schema.json"] = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
        files[f"{kind.value}.templatedata.json"] = (
            json.dumps(templatedata(kind), indent=2, ensure_ascii=False) + "\n"
        )
    for kind in OWNED:
        files[f"{kind.value}-status.templatedata.json"] = (
            json.dumps(status_templatedata(kind), indent=2, ensure_ascii=False) + "\n")
        files[f"{kind.value}-status.template.wiki"] = status_template(kind)
    for name, document in (("mapping.json", mapping_document()),
                           ("mapping.wikidata.json", wikidata_mapping_document())):
        files[name] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return files
