"""JSON Schema of each entry kind and TemplateData of each registry template, from the models.

``render_schemas`` is pure; ``scripts/generate_schemas.py`` writes its result to ``schemas/``
and a test fails when a checked-in file differs from it.
"""

from __future__ import annotations

import json
from typing import Any

from .i18n import Reader
from .registry.kinds import ENTRY_TYPES
from .registry.models import EntryKind
from .shipped import entry_template, entry_templatedata, status_template, status_templatedata
from .status.boxes import OWNED
from .wikibase.mapping import FIELDS, PROPERTIES, WIKIDATA_PROPERTIES, vocabulary_items

SCHEMA_BASE = "https://github.com/wikibot/wikibot/schemas/"
# The item links of the templates in schemas/ (those installed by 'wikibot templates' link to the
# configured Wikibase: [query] concept_uri).
EXAMPLE_ITEM_URL = "https://registry.example.org/entity/"


def json_schema(kind: EntryKind) -> dict[str, Any]:
    schema = ENTRY_TYPES[kind].model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}{kind.value}.schema.json", **schema}


def templatedata(kind: EntryKind) -> dict[str, Any]:
    """TemplateData for the registry template of ``kind`` (``shipped.entry_templatedata``)."""
    return entry_templatedata(kind)


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


def render_schemas() -> dict[str, str]:
    """File name -> content of every generated file in ``schemas/``."""
    files: dict[str, str] = {}
    for kind in EntryKind:
        files[f"{kind.value}.schema.json"] = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
        files[f"{kind.value}.templatedata.json"] = (
            json.dumps(templatedata(kind), indent=2, ensure_ascii=False) + "\n"
        )
        files[f"{kind.value}.template.wiki"] = entry_template(kind, Reader(), item_url=EXAMPLE_ITEM_URL) + "\n"
    for kind in OWNED:
        files[f"{kind.value}-status.templatedata.json"] = (
            json.dumps(status_templatedata(kind), indent=2, ensure_ascii=False) + "\n")
        files[f"{kind.value}-status.template.wiki"] = status_template(kind, Reader(), item_url=EXAMPLE_ITEM_URL) + "\n"
    for name, document in (("mapping.json", mapping_document()),
                           ("mapping.wikidata.json", wikidata_mapping_document())):
        files[name] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return files
