"""JSON Schema of each entry kind and TemplateData of each registry template, from the models.

``render_schemas`` is pure; ``scripts/generate_schemas.py`` writes its result to ``schemas/``
and a test fails when a checked-in file differs from it.
"""

from __future__ import annotations

import json
from typing import Any

from .registry.dates import WikiDate
from .registry.models import ENTRY_TYPES, EntryKind
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


def render_schemas() -> dict[str, str]:
    """File name -> content of every generated file in ``schemas/``."""
    files: dict[str, str] = {}
    for kind in EntryKind:
        files[f"{kind.value}.schema.json"] = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
        files[f"{kind.value}.templatedata.json"] = (
            json.dumps(templatedata(kind), indent=2, ensure_ascii=False) + "\n"
        )
    return files
