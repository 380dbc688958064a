"""The named coverage questions: their query files, and the values every query is filled with.

Each question is one file, ``queries/<name>.rq``: comment lines at its top give its title
(``# title: …``), the result variables whose values are lists (``# lists: ?hubs ?members``;
lists are ``", "``-joined by ``GROUP_CONCAT`` and sorted for display, since SPARQL leaves
their order open) and a description; the rest is the query, with placeholders
(``template.py``).  Every query is filled with the same values (``query_values``): the
vocabularies as inline tables of ``(item, code, order)``, the registry's classes and
mapped fields, the reference list of the most spoken languages, and the run's dates.
How a query must be written to be evaluated alike by every SPARQL engine is in
``queries/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import QuestionError as QuestionError
from ..ports import QueryEndpoint, QueryEndpointError, QueryError, SelectResult
from ..registry.models import EntryKind
from ..registry.vocab import VOCABULARIES as ALL_VOCABULARIES
from ..registry.vocab import HubStatus, OrganizationType, Term
from ..wikibase.mapping import KIND_CLASSES, ResolvedMapping, term_key
from .template import Name, QueryContext, Row
from .template import Term as SparqlTerm

QUERIES_DIR = Path(__file__).parent / "queries"
LANGUAGES_FILE = Path(__file__).parent / "data" / "languages.tsv"
# The order questions are asked in when none is named (MISSION.md's order).
NAMES = ("languages", "regions", "themes", "partnerships", "reviews", "completeness", "gaps")

# The vocabularies, by their names (``{{VALUES ?item ?code ?order = hub-status}}``).
VOCABULARIES: dict[str, type[Term]] = {vocabulary.vocabulary_name(): vocabulary for vocabulary in ALL_VOCABULARIES}
# Hubs that operate: at pilot or beyond (an under-review hub still operates while it is reviewed).
OPERATING = tuple(s for s in HubStatus if s.is_pilot_or_beyond)
# Hubs that count as covering something: any but dormant or closed ones.
OPEN = tuple(s for s in HubStatus if s not in (HubStatus.DORMANT, HubStatus.CLOSED))


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    description: str
    template: str
    lists: tuple[str, ...] = ()  # variables holding ", "-joined lists

    @classmethod
    def parse(cls, name: str, text: str) -> Question:
        """A question from its query file: header comments, then the query."""
        title, description = name, []
        lists: tuple[str, ...] = ()
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            key, _, value = body.partition(":")
            if key == "title" and value:
                title = value.strip()
            elif key == "lists":
                lists = tuple(v.lstrip("?") for v in value.split())
            elif body:
                description.append(body)
        return cls(name, title, " ".join(description), text, lists)


def load_question(name: str) -> Question:
    if name not in NAMES:
        raise QuestionError(f"no question {name!r}; the questions are: {', '.join(NAMES)}")
    return Question.parse(name, (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Language:
    rank: int
    code: str
    name: str
    speakers: int  # millions


def reference_languages(path: Path = LANGUAGES_FILE) -> list[Language]:
    """The reference list of the most spoken languages, most spoken first (source: the file's header)."""
    languages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        rank, code, name, speakers = line.split("\t")
        languages.append(Language(int(rank), code, name, int(speakers)))
    return sorted(languages, key=lambda language: language.rank)


def _terms(vocabulary: type[Term], mapping: ResolvedMapping) -> list[Row]:
    return [(Name("wd", mapping.qid(term_key(term))), term.value, order)
            for order, term in enumerate(vocabulary, start=1)]


def _items(terms: Sequence[Term], mapping: ResolvedMapping) -> list[Row]:
    return [(Name("wd", mapping.qid(term_key(term))),) for term in terms]


def query_values(mapping: ResolvedMapping, *, today: dt.date, days: int = 30,
                 top: int = 10, languages: Sequence[Language] | None = None) -> dict[str, SparqlTerm | list[Row]]:
    """The values every coverage query may use (see the module docstring)."""
    reference = list(languages if languages is not None else reference_languages())[:top]
    values: dict[str, SparqlTerm | list[Row]] = {
        "today": today, "horizon": today + dt.timedelta(days=days), "days": days, "top": top,
        "languages": [(language.rank, language.code, language.name, language.speakers) for language in reference],
        "operating_statuses": _items(OPERATING, mapping),
        "open_statuses": _items(OPEN, mapping),
        # the complements, as tables of their own: a query keeps what it wants by joining, since
        # subtracting a table (MINUS { VALUES … }) is not evaluated alike (queries/README.md)
        "below_pilot_statuses": _items([s for s in OPEN if s not in OPERATING], mapping),
        "closed_statuses": _items([s for s in HubStatus if s not in OPEN], mapping),
        "affiliate_types": _items([t for t in OrganizationType if t.is_affiliate], mapping),
        "classes": [(Name("wd", mapping.qid(spec.key)), kind.value) for kind, spec in KIND_CLASSES.items()],
        "fields": [
            (Name("wd", mapping.qid(KIND_CLASSES[kind].key)), kind.value, spec.field,
             Name("wdt", mapping.pid(spec.property)))
            for kind in EntryKind for spec in mapping.fields[kind] if spec.qualifier_of is None
        ],
    }
    for name, vocabulary in VOCABULARIES.items():
        values[name] = _terms(vocabulary, mapping)
    return values


@dataclass(frozen=True)
class Answer:
    """A question, the query that was sent, and what came back."""

    question: Question
    query: str
    result: SelectResult


def ask(endpoint: QueryEndpoint, question: Question, context: QueryContext) -> Answer:
    """Fill the question's query and run it (QueryError, QueryEndpointError propagate)."""
    query = context.render(question.template)
    return Answer(question, query, endpoint.select(query))


@dataclass(frozen=True)
class Failure:
    """A question the endpoint did not answer: the query that was sent, and why, in short."""

    question: Question
    query: str
    message: str


Outcome = Answer | Failure

MESSAGE_LIMIT = 300  # characters of an endpoint's message kept for a failed question
# Where an engine starts echoing the query it was sent (Virtuoso: "…\n\nSPARQL query:\n<the query>").
_ECHO_MARKERS = ("SPARQL query:",)


def short_message(error: Exception, query: str, limit: int = MESSAGE_LIMIT) -> str:
    """The endpoint's own words about ``error``, on one line, without the query they may echo
    (Virtuoso repeats the whole query after its message), at most ``limit`` characters."""
    text = str(error)
    cuts = [text.find(marker) for marker in _ECHO_MARKERS]
    lines = [line.strip() for line in query.splitlines() if len(line.strip()) >= 20]
    cuts += [text.find(lines[0])] if lines else []  # an engine quoting the query from its start
    cut = min((c for c in cuts if c > 0), default=len(text))
    words = " ".join(text[:cut].split()).rstrip(" :")
    if not words:
        words = type(error).__name__
    return words if len(words) <= limit else words[:limit - 1].rstrip() + "…"


def not_answered(failures: Sequence[Failure]) -> str:
    """What to say when no question was answered: each one's failure, in short."""
    return "; ".join(f"{f.question.name}: {f.message}" for f in failures) or "no question asked"


def ask_each(endpoint: QueryEndpoint, questions: Sequence[Question], context: QueryContext) -> list[Outcome]:
    """Each question asked in turn: its Answer, or a Failure when the endpoint refused the query
    or did not answer it; a failing question does not stop the others (QueryTemplateError,
    a query that cannot be filled, still propagates: nothing can be asked then)."""
    outcomes: list[Outcome] = []
    for question in questions:
        query = context.render(question.template)
        try:
            outcomes.append(Answer(question, query, endpoint.select(query)))
        except (QueryError, QueryEndpointError) as error:
            outcomes.append(Failure(question, query, short_message(error, query)))
    return outcomes
