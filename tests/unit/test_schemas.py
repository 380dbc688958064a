"""The checked-in schemas/ files are the ones the models generate."""

import json
from pathlib import Path

from wikibot.registry.models import EntryKind
from wikibot.schemas import render_schemas
from wikibot.wikitext.params import param_specs

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_checked_in_schemas_are_current() -> None:
    for name, content in render_schemas().items():
        path = SCHEMAS / name
        assert path.exists(), f"{name} missing: run scripts/generate_schemas.py"
        assert path.read_text(encoding="utf-8") == content, f"{name} is stale: run scripts/generate_schemas.py"


def test_templatedata_lists_every_parameter_with_its_vocabulary() -> None:
    for kind in EntryKind:
        data = json.loads((SCHEMAS / f"{kind.value}.templatedata.json").read_text(encoding="utf-8"))
        assert data["paramOrder"] == [s.param for s in param_specs(kind)]
        for spec in param_specs(kind):
            if spec.vocabulary is not None:
                assert data["params"][spec.param]["suggestedvalues"] == [m.value for m in spec.vocabulary]
        assert data["params"]["id"]["required"] is True


def test_json_schema_refuses_unknown_fields() -> None:
    for kind in EntryKind:
        data = json.loads((SCHEMAS / f"{kind.value}.schema.json").read_text(encoding="utf-8"))
        assert data["additionalProperties"] is False
        assert "id" in data["required"]
