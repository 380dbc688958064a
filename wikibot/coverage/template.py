"""Query templates: SPARQL text with the instance's ids and the run's values filled in.

A query in ``coverage/queries/`` (or any ``.rq`` file given to ``wikibot sparql``) names
properties and items by their mapping key, never by an instance's id, so the same file runs
on every Wikibase.  Four kinds of placeholder, each between double braces:

``{{P:region}}``
    the P id of a mapped property (``P5``): write ``wdt:{{P:region}}``.
``{{Q:class:hub}}``
    the Q id of a mapped item (``Q17``): write ``wd:{{Q:class:hub}}``.
``{{param:today}}``
    a value of the run, written as a SPARQL term (an escaped literal, a typed literal, an IRI).
``{{VALUES ?a ?b = name}}``
    an inline table of the run: ``VALUES (?a ?b) { (…) (…) }``, each value a SPARQL term.
``{{LABEL ?x ?xLabel}}``
    ``?xLabel`` bound to ``?x``'s ``rdfs:label`` in the first configured language that has
    one, else to the id at the end of ``?x``'s IRI: standard SPARQL in place of WDQS's
    ``SERVICE wikibase:label``, which no other server has.

Every value placed into a query goes through ``render_term``: strings are escaped as SPARQL
string literals, IRIs are checked, ids must look like ids; so nothing a page or a
configuration holds can change a query's meaning.  The ``PREFIX`` lines of the instance are
put in front, so the result runs unchanged on WDQS, QLever, Oxigraph or Virtuoso.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..errors import QueryTemplateError as QueryTemplateError
from ..wikibase.mapping import ResolvedMapping
from ..wikibase.rdf import RdfPrefixes

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Name:
    """An IRI written as a prefixed name of the instance (``wd:Q5``, ``wdt:P3``)."""

    prefix: str
    local: str


@dataclass(frozen=True)
class Iri:
    """An IRI written in full (``<https://…>``)."""

    value: str


Term = str | int | Decimal | bool | dt.date | dt.datetime | Name | Iri | None
Row = Sequence[Term]
Values = Mapping[str, "Term | Sequence[Row]"]

_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_ID = re.compile(r"^[PQL][1-9][0-9]*$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_VARIABLE = re.compile(r"^\?[A-Za-z_][A-Za-z0-9_]*$")
_DECLARED = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal: quoted, with every character that could end or
    change it escaped (ECHAR of the SPARQL grammar)."""
    return '"' + "".join(_ECHAR.get(char, char) for char in text) + '"'


def render_term(value: Term, prefixes: RdfPrefixes) -> str:
    """One value as a SPARQL term (``UNDEF`` for None)."""
    if value is None:
        return "UNDEF"
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise QueryTemplateError(f"not a finite number: {value}")
        return f'"{value}"^^<{XSD}decimal>'
    if isinstance(value, dt.datetime):
        stamp = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f'"{stamp}"^^<{XSD}dateTime>'
    if isinstance(value, dt.date):  # as the RDF of a Wikibase time: midnight UTC
        return f'"{value.isoformat()}T00:00:00Z"^^<{XSD}dateTime>'
    if isinstance(value, str):
        return sparql_string(value)
    if isinstance(value, Name):
        if value.prefix not in prefixes.namespaces() or not _LOCAL.match(value.local):
            raise QueryTemplateError(f"not a prefixed name of this instance: {value.prefix}:{value.local}")
        return f"{value.prefix}:{value.local}"
    if isinstance(value, Iri):
        if not value.value or _IRI_FORBIDDEN.search(value.value):
            raise QueryTemplateError(f"not an IRI: {value.value!r}")
        return f"<{value.value}>"
    raise QueryTemplateError(f"no SPARQL form for {type(value).__name__} values")


@dataclass(frozen=True)
class QueryContext:
    """What a template is filled with: the instance's ids and prefixes, the run's values, and
    the label languages in order of preference."""

    mapping: ResolvedMapping
    prefixes: RdfPrefixes
    values: Values
    languages: tuple[str, ...] = ("en",)

    def render(self, template: str) -> str:
        """The query: ``template`` with every placeholder filled, after a ``PREFIX`` line for each
        of the instance's prefixes it uses and does not declare itself."""
        body = self.fill(template)
        declared = {m.group(1) for m in _DECLARED.finditer(body)}
        lines = [f"PREFIX {name}: <{iri}>\n" for name, iri in self.prefixes.namespaces().items()
                 if name not in declared and re.search(rf"(?<![\w.:-]){re.escape(name)}:", body)]
        return "".join(lines) + ("\n" if lines else "") + body

    def fill(self, template: str) -> str:
        """``template`` with its placeholders filled (and no ``PREFIX`` lines added)."""
        def replace(match: re.Match[str]) -> str:
            return self._placeholder(match.group(1).strip(), template.count("\n", 0, match.start()) + 1)

        return _PLACEHOLDER.sub(replace, template)

    def _placeholder(self, body: str, line: int) -> str:
        kind, _, rest = body.partition(":") if ":" in body.split(" ", 1)[0] else body.partition(" ")
        handler: Callable[[str], str] | None = {
            "P": self._pid, "Q": self._qid, "param": self._param, "VALUES": self._values, "LABEL": self._label,
        }.get(kind)
        if handler is None:
            raise QueryTemplateError(f"line {line}: unknown placeholder {{{{{body}}}}}"
                                     f"{_did_you_mean(kind, ['P', 'Q', 'param', 'VALUES', 'LABEL'])} "
                                     "(placeholders: {{P:key}}, {{Q:key}}, {{param:name}}, {{VALUES ?a = name}}, "
                                     "{{LABEL ?x ?xLabel}})")
        try:
            return handler(rest.strip())
        except QueryTemplateError as error:
            raise QueryTemplateError(f"line {line}: {{{{{body}}}}}: {error}") from None

    def _pid(self, key: str) -> str:
        return _checked_id(self.mapping.properties, key, "property")

    def _qid(self, key: str) -> str:
        return _checked_id(self.mapping.items, key, "item")

    def _param(self, name: str) -> str:
        value = self._value(name)
        if isinstance(value, (list, tuple)):
            raise QueryTemplateError(f"{name!r} is a table: use {{{{VALUES ?… = {name}}}}}")
        return render_term(value, self.prefixes)  # type: ignore[arg-type]

    def _values(self, spec: str) -> str:
        variables, equals, name = spec.partition("=")
        names = variables.split()
        if not equals or not names or not all(_VARIABLE.match(v) for v in names):
            raise QueryTemplateError("write {{VALUES ?a ?b = name}}")
        rows = self._value(name.strip())
        if not isinstance(rows, (list, tuple)):
            raise QueryTemplateError(f"{name.strip()!r} is one value, not a table: use {{{{param:{name.strip()}}}}}")
        lines = []
        for row in rows:
            cells = list(row) if isinstance(row, (list, tuple)) else [row]
            if len(cells) != len(names):
                raise QueryTemplateError(f"{name.strip()!r} has rows of {len(cells)} values for {len(names)} variables")
            lines.append("    (" + " ".join(render_term(cell, self.prefixes) for cell in cells) + ")")
        body = "\n".join(lines)
        return f"VALUES ({' '.join(names)}) {{\n{body}\n  }}"

    def _label(self, spec: str) -> str:
        names = spec.split()
        if len(names) != 2 or not all(_VARIABLE.match(v) for v in names):
            raise QueryTemplateError("write {{LABEL ?item ?itemLabel}}")
        subject, target = names
        parts = []
        for index, language in enumerate(self.languages):
            var = f"{target}_{index}"
            parts.append(f"OPTIONAL {{ {subject} rdfs:label {var} . "
                         f"FILTER(LANG({var}) = {sparql_string(language)}) }}")
        chain = ", ".join([f"{target}_{i}" for i in range(len(self.languages))]
                          + [f'REPLACE(STR({subject}), "^.*/", "")'])
        parts.append(f"BIND(COALESCE({chain}) AS {target})")
        return "\n  ".join(parts)

    def _value(self, name: str) -> Term | Sequence[Row]:
        if name not in self.values:
            raise QueryTemplateError(f"no value {name!r}{_did_you_mean(name, list(self.values))} "
                                     f"(known: {', '.join(sorted(self.values))})")
        return self.values[name]


def _did_you_mean(wrong: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(wrong, known, n=1, cutoff=0.6) or difflib.get_close_matches(
        wrong.replace("_", "-").lower(), known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _checked_id(ids: Mapping[str, str], key: str, what: str) -> str:
    if key not in ids:
        hint = _did_you_mean(key, list(ids))
        raise QueryTemplateError(f"no {what} {key!r} in the mapping{hint}" if hint else
                                 f"no {what} {key!r} in the instance ids (not in the mapping, or run 'wikibot "
                                 "bootstrap')")
    value = ids[key]
    if not _ID.match(value):
        raise QueryTemplateError(f"the instance ids give {value!r} for {key!r}, which is not an id")
    return value
