"""A SPARQL endpoint in the process: pyoxigraph's ``Store``, on disk or in memory.

Each entity's triples live in a named graph named after the entity's IRI, so one entity can
be replaced (``replace_entity``) without rebuilding the rest; queries see the union of all
graphs as their default graph.  A triple several entities contribute (Wikibase's reference
and value nodes are named by a hash of their content and shared) belongs in the default
graph, given as ``shared`` to ``replace_entity`` or loaded with ``graph=None``: the union
of graphs keeps duplicates, so a triple stored in two entities' graphs would be counted
twice by a query.  Shared triples are never removed by ``replace_entity``; they are
immutable by construction, and one no longer used is only an unreferenced node.

Results go through ``SelectResult.from_json`` on the SPARQL JSON results that Oxigraph
writes, exactly as the live endpoint's answers do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from ..ports import QueryEndpointError, QueryError, RdfTerm, SelectResult

Triple = tuple[RdfTerm, RdfTerm, RdfTerm] | ox.Triple  # ours, or pyoxigraph's (``wikibase/rdf.py``)


_NOT_CODE = re.compile(
    r"#[^\n]*"  # a comment
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"  # an IRI
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""  # long strings
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"",  # strings
    re.S)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE\b", re.I)


def plain_syntax_error(message: str) -> str:
    """Oxigraph's parse error as a sentence: ``error at 2:1: expected OPTIONAL`` -> ``the query is not
    valid SPARQL: at line 2, column 1: expected OPTIONAL``."""
    found = re.match(r"error at (\d+):(\d+): (.*)", message, flags=re.S)
    if found is None:
        return f"the query is not valid SPARQL: {message}"
    line, column, what = found.groups()
    return f"the query is not valid SPARQL: at line {line}, column {column}: {what.strip()}"


def uses_service(query: str) -> bool:
    """True when the query (its comments, strings and IRIs left out) calls ``SERVICE``: a federated
    query, which would make the embedded store send requests to other servers."""
    return bool(_SERVICE.search(_NOT_CODE.sub(" ", query)))


def _subject(term: RdfTerm) -> ox.NamedNode | ox.BlankNode:
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    raise ValueError(f"a literal cannot be a subject: {term.to_ntriples()}")


def _object(term: RdfTerm) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term.kind != "literal":
        return _subject(term)
    if term.language is not None:
        return ox.Literal(term.value, language=term.language)
    if term.datatype is not None:
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
    return ox.Literal(term.value)


def _graph(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def _quads(triples: Iterable[Triple], graph: str | None) -> list[ox.Quad]:
    name = _graph(graph)
    quads = []
    for triple in triples:
        if isinstance(triple, ox.Triple):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, name))
            continue
        subject, predicate, obj = triple
        if predicate.kind != "uri":
            raise ValueError(f"a predicate must be an IRI: {predicate.to_ntriples()}")
        quads.append(ox.Quad(_subject(subject), ox.NamedNode(predicate.value), _object(obj), name))
    return quads


def _parse_turtle(data: str | bytes, graph: str | None, base_iri: str | None) -> list[ox.Quad]:
    name = _graph(graph)
    try:
        return [ox.Quad(quad.subject, quad.predicate, quad.object, name)
                for quad in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base_iri)]
    except SyntaxError as error:
        raise ValueError(f"not valid Turtle: {error}") from error


class EmbeddedQueryStore:
    """A ``QueryEndpoint`` on an embedded Oxigraph store: at ``path`` (created if missing; one
    process at a time), or in memory when ``path`` is None."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = None if path is None else Path(path)
        self._store = ox.Store(None if self.path is None else str(self.path))

    # -- reading ----------------------------------------------------------------------------
    def select(self, query: str) -> SelectResult:
        if uses_service(query):
            raise QueryError("the query calls SERVICE, which the embedded store does not answer (it would reach "
                             "other servers); run it against [query] endpoint, or leave SERVICE out")
        try:
            solutions = self._store.query(query, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(plain_syntax_error(str(error))) from error
        except OSError as error:
            raise QueryEndpointError(f"the embedded store could not be read: {error}") from error
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("not a SELECT query (ASK, CONSTRUCT and DESCRIBE are not answered here)")
        answer = solutions.serialize(format=ox.QueryResultsFormat.JSON)
        assert answer is not None  # serialize() returns the bytes when given no output
        return SelectResult.from_json(json.loads(answer))

    def graphs(self) -> set[str]:
        """The names of the named graphs, i.e. the IRIs of the entities stored one by one."""
        return {graph.value for graph in self._store.named_graphs() if isinstance(graph, ox.NamedNode)}

    def __len__(self) -> int:
        """How many triples are stored, over every graph."""
        return len(self._store)

    # -- writing ----------------------------------------------------------------------------
    def add(self, triples: Iterable[Triple], *, graph: str | None = None) -> None:
        """Add triples to ``graph`` (an entity's IRI), or to the shared default graph."""
        self._store.extend(_quads(triples, graph))

    def load_turtle(self, data: str | bytes, *, graph: str | None = None, base_iri: str | None = None) -> None:
        """Add the triples of a Turtle document to ``graph``, or to the shared default graph.

        Nothing is added when the document is not valid Turtle (ValueError)."""
        self._store.extend(_parse_turtle(data, graph, base_iri))

    def replace_entity(self, entity: str, triples: Iterable[Triple] | str | bytes,
                       shared: Iterable[Triple] | str | bytes = ()) -> None:
        """Make ``triples`` (RdfTerm triples, or a Turtle document) the whole of what ``entity``
        contributes: its graph is dropped and filled again; ``shared`` triples are added to the
        default graph (once, however many entities share them).  The data is parsed before
        anything is removed, so invalid Turtle (ValueError) leaves the store as it was."""
        own = self._as_quads(triples, entity)
        common = self._as_quads(shared, None)
        self._store.remove_graph(ox.NamedNode(entity))
        self._store.extend(own)
        self._store.extend(common)

    def remove_entity(self, entity: str) -> None:
        """Remove every triple ``entity`` contributed (its graph); shared triples stay."""
        self._store.remove_graph(ox.NamedNode(entity))

    def clear(self) -> None:
        """Remove everything: every graph and the default graph."""
        self._store.clear()

    def close(self) -> None:
        """Let go of the store (and of its lock on the directory): this object answers no more."""
        self._store = ox.Store()  # an empty store in memory in its place; the one on disk is freed

    def flush(self) -> None:
        """Write what is buffered to disk (nothing to do in memory)."""
        self._store.flush()

    def _as_quads(self, data: Iterable[Triple] | str | bytes, graph: str | None) -> list[ox.Quad]:
        if isinstance(data, (str, bytes)):
            return _parse_turtle(data, graph, None)
        return _quads(data, graph)
