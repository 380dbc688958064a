"""Checks across entries: registry ids unique and never reused, references that resolve."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from .models import Entry, EntryKind
from .problems import Problem, ProblemCode, SourceRef


@dataclass(frozen=True)
class Claim:
    """One entry as written on a page: the id it claims, its problems, and its entry if valid.

    An entry with problems still claims its id: it is broken, not removed, and the sync
    must leave its item alone rather than treat it as gone from the registry.
    """

    registry_id: str | None
    kind: EntryKind
    source: SourceRef
    entry: Entry | None
    problems: tuple[Problem, ...] = ()
    param_lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # parameter -> its line
    item: str | None = None  # the item id its call names, valid entry or not

    @cached_property
    def digest(self) -> str:
        """A digest of what the claim says: its entry, the page it is on (made once; a kept parse
        keeps it)."""
        entry = self.entry.model_dump_json() if self.entry is not None else ""
        return hashlib.sha256(f"{entry}\0{self.source.page}".encode()).hexdigest()

    def moved(self, source: SourceRef, problems: tuple[Problem, ...], param_lines: Mapping[str, int]) -> Claim:
        """The same claim at another place of its page (its digest kept)."""
        claim = Claim(self.registry_id, self.kind, source, self.entry, problems, param_lines, self.item)
        if "digest" in self.__dict__ and source.page == self.source.page:
            claim.__dict__["digest"] = self.__dict__["digest"]
        return claim

    def at(self, param: str) -> SourceRef:
        """Where ``param`` stands (the entry's first line when it is not known)."""
        return SourceRef(self.source.page, self.param_lines.get(param, self.source.line))


@dataclass(frozen=True)
class Registry:
    """Every claim of every registry page, with all problems; ``entries`` holds the valid ones."""

    claims: tuple[Claim, ...]
    problems: tuple[Problem, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(c.entry for c in self.claims if c.entry is not None)

    @property
    def claimed_ids(self) -> frozenset[str]:
        """Ids of every entry on the pages, valid or not."""
        return frozenset(c.registry_id for c in self.claims if c.registry_id)

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}


# (language, label, description) -> what holds them already (the Wikibase's own items of the mapping)
ReservedTerms = Mapping[tuple[str, str, str], str]
NO_TERMS: ReservedTerms = MappingProxyType({})


def assemble_registry(
    claims: Sequence[Claim], page_problems: Iterable[Problem] = (), *, retired_ids: Iterable[str] = (),
    reserved_terms: ReservedTerms = NO_TERMS,
) -> Registry:
    """The registry of all pages' claims: an entry with a cross-entry problem becomes invalid."""
    by_claim: dict[int, list[Problem]] = {}
    for claim, problem in _cross_problems(claims, retired_ids, reserved_terms):
        by_claim.setdefault(id(claim), []).append(problem)
    merged: list[Claim] = []
    for claim in claims:
        extra = by_claim.get(id(claim))
        if extra:
            claim = Claim(claim.registry_id, claim.kind, claim.source, None,
                          claim.problems + tuple(extra))
        merged.append(claim)
    problems = [p for c in merged for p in c.problems] + list(page_problems)
    return Registry(tuple(merged), tuple(sorted(problems, key=Problem.sort_key)))



def check_registry(
    claims: Sequence[Claim], *, retired_ids: Iterable[str] = (), reserved_terms: ReservedTerms = NO_TERMS
) -> list[Problem]:
    """Every cross-entry problem, each reported on the entry that has it.

    An id claimed twice is reported on every claim after the first (which names the first);
    a reference is checked against every claimed id, valid or not, so that one broken entry
    does not make the entries that name it look broken too.
    """
    return [problem for _, problem in _cross_problems(claims, retired_ids, reserved_terms)]


def _cross_problems(claims: Sequence[Claim], retired_ids: Iterable[str],
                    reserved_terms: ReservedTerms = NO_TERMS) -> list[tuple[Claim, Problem]]:
    """``check_registry``'s problems, each with the claim it makes invalid."""
    problems: list[tuple[Claim, Problem]] = []
    retired = set(retired_ids)
    first: dict[str, Claim] = {}
    for claim in claims:
        rid = claim.registry_id
        if rid is None:
            continue
        if rid in first:
            problems.append((claim, Problem(claim.at("id"), rid, "id",
                                            f"registry id {rid!r} is already used at {first[rid].source}",
                                            ProblemCode.DUPLICATE_ID)))
            continue
        first[rid] = claim
        if rid in retired:
            problems.append((claim, Problem(claim.at("id"), rid, "id",
                                            f"registry id {rid!r} belonged to a removed entry and is never reused",
                                            ProblemCode.REUSED_ID)))
    by_item: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.item is not None:
            by_item.setdefault(claim.item, []).append(claim)
    for item, holders in by_item.items():
        if len(holders) > 1:  # which of them the item belongs to, only the item's registry id can say
            for claim in holders:
                others = ", ".join(f"{c.registry_id or '(no id)'} at {c.source}" for c in holders if c is not claim)
                problems.append((claim, Problem(claim.at("item"), claim.registry_id, "item",
                                                f"item {item} is also named by {others}: an item belongs to one "
                                                "entry only", ProblemCode.DUPLICATE_ITEM)))
    kinds = {rid: claim.kind for rid, claim in first.items()}
    for claim in claims:
        if claim.entry is None:
            continue
        for name, reason, code in reference_problems(claim.entry, kinds):
            problems.append((claim, Problem(claim.at(name), claim.entry.id, name, reason, code)))
    problems += _term_problems(claims, reserved_terms)
    return problems


def reference_problems(entry: Entry, kinds: Mapping[str, EntryKind]) -> list[tuple[str, str, ProblemCode]]:
    """(field, reason, code) for each entry ``entry`` names that is not an entry of a kind it may name;
    ``kinds``: every registry id claimed, and its kind."""
    found = []
    for name, target in entry.references():
        allowed = type(entry).reference_fields[name]
        kind = kinds.get(target)
        if kind is None:
            found.append((name, f"no entry has registry id {target!r}", ProblemCode.UNKNOWN_REFERENCE))
        elif kind not in allowed:
            wanted = " or ".join(_article(k.value) for k in allowed)
            found.append((name, f"{target!r} is {_article(kind.value)}, not {wanted}",
                          ProblemCode.WRONG_REFERENCE_KIND))
    return found


def term_clashes(entries: Iterable[tuple[str, Entry]], reserved_terms: ReservedTerms = NO_TERMS
                 ) -> Iterator[tuple[str, Entry, str, str]]:
    """(key, entry, language, what holds the same name and description) for every entry after the
    first with a name and a description another entry (or a reserved item) holds in one language:
    the Wikibase refuses an item whose label and description another item has.  ``key``: the
    caller's name for the entry, given with it."""
    first: dict[tuple[str, str, str], str] = dict(reserved_terms)
    for key, entry in entries:
        for language, description in sorted(entry.descriptions.items()):
            name = entry.names.get(language)
            if name is None:
                continue
            terms = (language, name, description)
            if terms in first:
                yield key, entry, language, first[terms]
            else:
                first[terms] = f"{entry.id}"


def _term_problems(claims: Sequence[Claim], reserved_terms: ReservedTerms) -> list[tuple[Claim, Problem]]:
    by_key = {str(i): claim for i, claim in enumerate(claims)}
    valid = [(str(i), claim.entry) for i, claim in enumerate(claims) if claim.entry is not None]
    problems = []
    for key, entry, language, holder in term_clashes(valid, reserved_terms):
        claim = by_key[key]
        param = "description" if language == "en" else f"description_{language}"
        problems.append((claim, Problem(claim.at(param), entry.id, param,
                                        f"{holder} has the same name and description in {language!r}: the "
                                        "Wikibase refuses two items with the same label and description; make "
                                        "the description tell them apart", ProblemCode.DUPLICATE_TERMS)))
    return problems


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun
