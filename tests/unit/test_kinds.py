"""Each kind of entry is declared once (registry/kinds.py), and everything else reads the declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikibot.registry.kinds import KINDS, value_kind
from wikibot.registry.models import EntryKind
from wikibot.registry.vocab import VOCABULARIES, Term
from wikibot.settings import ConfigError, parse_settings
from wikibot.status.boxes import OWNED, PARAM_DOCS
from wikibot.wikibase.mapping import FIELDS, KIND_CLASSES, PROPERTIES, vocabulary_items
from wikibot.wikitext.params import param_specs
from wikibot.wikitext.registry_page import TemplateNames


def test_every_kind_is_declared_once_and_completely() -> None:
    assert list(KINDS) == list(EntryKind)
    orders = sorted(spec.creation_order for spec in KINDS.values())
    assert orders == list(range(len(KINDS)))
    properties = {p.key for p in PROPERTIES}
    for kind, spec in KINDS.items():
        assert spec.model.kind is kind
        fields = set(spec.model.model_fields)
        for stored in spec.stored:
            assert stored.field in fields and stored.property in properties, (kind, stored)
            assert stored.qualifier_of is None or stored.qualifier_of in {s.field for s in spec.stored}
        for field, param in spec.params.items():
            assert field in fields and param not in fields
        if spec.status_box is not None:
            assert set(spec.status_box.params) <= set(PARAM_DOCS)
            assert isinstance(spec.retired, Term)


def test_an_entry_is_created_after_every_kind_it_may_name() -> None:
    for spec in KINDS.values():
        for targets in spec.model.reference_fields.values():
            assert all(KINDS[target].creation_order < spec.creation_order or target is spec.kind
                       for target in targets), spec.kind


def test_the_parser_the_mapping_and_the_boxes_read_the_declaration() -> None:
    for kind, spec in KINDS.items():
        params = {s.field: s.param for s in param_specs(kind)}
        for field, param in spec.params.items():
            assert params[field] == param
        assert [f.field for f in FIELDS[kind]] == [s.field for s in spec.stored]
        assert KIND_CLASSES[kind].key == spec.class_key and KIND_CLASSES[kind].label == spec.class_label
        assert TemplateNames().for_kind(kind) == spec.template
        if spec.status_box is not None:
            assert OWNED[kind] == spec.status_box.params
        else:
            assert kind not in OWNED
    stored_vocabularies = {value_kind(kind, s)[1] for kind, spec in KINDS.items() for s in spec.stored} - {None}
    assert stored_vocabularies == set(VOCABULARIES)


def test_a_vocabulary_has_one_name_used_for_its_items_and_queries() -> None:
    names = [v.vocabulary_name() for v in VOCABULARIES]
    assert len(set(names)) == len(names)
    keys = {i.key for i in vocabulary_items()}
    for vocabulary in VOCABULARIES:
        for term in vocabulary:
            assert f"{vocabulary.vocabulary_name()}:{term.value}" in keys


def _settings(data: dict[str, object]):  # type: ignore[no-untyped-def]
    return parse_settings(data, Path("/tmp/wikibot.toml"))


def test_template_names_are_configured_per_kind_with_the_declared_defaults() -> None:
    settings = _settings({"registry": {"templates": {"hub": "Hub entry"}},
                          "status": {"templates": {"partnership": "PS"}}})
    names = settings.registry.template_names()
    assert names.for_kind(EntryKind.HUB) == "Hub entry"
    assert names.for_kind(EntryKind.ORGANIZATION) == KINDS[EntryKind.ORGANIZATION].template
    assert names.kind_of("hub_entry") is EntryKind.HUB and names.kind_of(KINDS[EntryKind.HUB].template) is None
    assert settings.status.template_of(EntryKind.PARTNERSHIP) == "PS"
    assert settings.status.template_of(EntryKind.HUB) == "Hub status"


@pytest.mark.parametrize("data", [
    {"registry": {"templates": {"hubs": "X"}}},
    {"registry": {"templates": {"hub": " "}}},
    {"status": {"kinds": ["organization"]}},
    {"status": {"templates": {"organization": "Org status"}}},
])
def test_unknown_kinds_and_kinds_without_a_box_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        _settings(data)
