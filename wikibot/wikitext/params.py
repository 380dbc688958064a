"""Template parameters <-> model fields, for each kind of registry entry.

A ``ParamSpec`` says which field a parameter fills and how its text reads: a plain value,
a comma-separated list, a vocabulary slug, a date.  The specs are derived from the models,
so a field added to a model is a parameter at once; only the names that differ from the
field (``name``, ``kind``, ``type``) are listed here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import ValidationError

from ..registry.dates import WikiDate
from ..registry.kinds import KINDS, field_element
from ..registry.models import Entry, EntryKind
from ..registry.problems import ProblemCode
from ..registry.vocab import Term, parse_term

DEFAULT_LANGUAGE = "en"
LIST_SEPARATOR = ", "
MISSING_MESSAGE = "required, but missing"
_MULTILINGUAL = {"names": "name", "descriptions": "description", "aliases": "alias"}


@dataclass(frozen=True)
class ParamSpec:
    param: str  # as written in the template ("name" stands for every "name_xx" too)
    field: str
    description: str
    required: bool
    many: bool  # a comma-separated list
    element: type  # str, WikiDate or a Term subclass
    multilingual: bool = False

    @property
    def vocabulary(self) -> type[Term] | None:
        return self.element if issubclass(self.element, Term) else None


@cache
def param_specs(kind: EntryKind) -> tuple[ParamSpec, ...]:
    """The parameters of ``kind``'s template, in the order the bot writes them."""
    spec = KINDS[kind]
    specs: list[ParamSpec] = []
    for field, info in spec.model.model_fields.items():
        param = _MULTILINGUAL.get(field) or spec.params.get(field, field)
        element, many = field_element(spec.model, field)
        specs.append(
            ParamSpec(
                param=param,
                field=field,
                description=info.description or "",
                required=info.is_required(),
                many=many,
                element=element,
                multilingual=field in _MULTILINGUAL,
            )
        )
    order = {"id": 0, "names": 1, "descriptions": 2, "aliases": 3, "page": 97, "website": 98, "item": 99}
    specs.sort(key=lambda s: order.get(s.field, 50))
    return tuple(specs)


@cache
def _by_param(kind: EntryKind) -> dict[str, ParamSpec]:
    return {s.param: s for s in param_specs(kind)}


def split_param(kind: EntryKind, param: str) -> tuple[ParamSpec, str | None] | None:
    """The spec a parameter name belongs to, with its language for ``name_xx``; None if unknown."""
    specs = _by_param(kind)
    if param in specs:
        spec = specs[param]
        return spec, (DEFAULT_LANGUAGE if spec.multilingual else None)
    base, _, language = param.partition("_")
    multilingual = specs.get(base)
    if multilingual is not None and multilingual.multilingual and language and language != DEFAULT_LANGUAGE:
        return multilingual, language
    return None


def suggest_param(kind: EntryKind, param: str) -> str | None:
    close = difflib.get_close_matches(param.lower(), list(_by_param(kind)), n=1, cutoff=0.6)
    return close[0] if close else None


class UnreadableValueError(ValueError):
    """A parameter's text cannot be read; carries the problem code."""

    def __init__(self, message: str, code: ProblemCode) -> None:
        super().__init__(message)
        self.code = code


def read_value(spec: ParamSpec, text: str) -> Any:
    """The field value a parameter's (unescaped, stripped) text stands for."""
    if spec.many:
        parts = [p.strip() for p in text.split(",")]
        return tuple(_read_one(spec, p) for p in parts if p)
    return _read_one(spec, text)


def _read_one(spec: ParamSpec, text: str) -> Any:
    if spec.vocabulary is not None:
        try:
            return parse_term(text, spec.vocabulary)
        except ValueError as error:
            raise UnreadableValueError(str(error), ProblemCode.INVALID_VALUE) from None
    if spec.element is WikiDate:
        try:
            return WikiDate.parse(text)
        except ValueError as error:
            raise UnreadableValueError(str(error), ProblemCode.BAD_DATE) from None
    return text


def write_value(spec: ParamSpec, value: Any) -> str:
    """The plain text (not yet escaped) a field value is written as."""
    if spec.many:
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def entry_params(entry: Entry) -> Iterator[tuple[str, str]]:
    """(parameter, plain text) for every field the entry has a value for, in canonical order."""
    for spec in param_specs(entry.kind):
        value = getattr(entry, spec.field)
        if spec.multilingual:
            mapping: Mapping[str, Any] = value
            if DEFAULT_LANGUAGE in mapping:
                yield spec.param, write_value(spec, mapping[DEFAULT_LANGUAGE])
            for language in sorted(mapping):
                if language != DEFAULT_LANGUAGE:
                    yield f"{spec.param}_{language}", write_value(spec, mapping[language])
        elif value is not None and value != ():
            yield spec.param, write_value(spec, value)


def same_value(kind: EntryKind, param: str, a: str, b: str) -> bool:
    """True when two texts of a parameter stand for the same value (``PL,CZ`` = ``PL, CZ``)."""
    if a == b:
        return True
    found = split_param(kind, param)
    if found is None:
        return False
    spec, _ = found
    try:
        return bool(read_value(spec, a) == read_value(spec, b))
    except UnreadableValueError:
        return False


def pydantic_problems(kind: EntryKind, error: ValidationError) -> Iterator[tuple[str | None, str]]:
    """(parameter or None, reason) for each error pydantic found in a model's input."""
    by_field = {s.field: s for s in param_specs(kind)}
    for item in error.errors():
        loc = item["loc"]
        message = item["msg"].removeprefix("Value error, ")
        if not loc:
            yield None, message
            continue
        spec = by_field.get(str(loc[0]))
        param = spec.param if spec else str(loc[0])
        if spec is not None and spec.multilingual and len(loc) > 1:
            language = str(loc[1])
            param = spec.param if language == DEFAULT_LANGUAGE else f"{spec.param}_{language}"
        if item["type"] == "missing":
            message = MISSING_MESSAGE
        yield param, message
