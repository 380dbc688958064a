"""Checks across entries: registry ids unique and never reused, references that resolve."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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


def assemble_registry(
    claims: Sequence[Claim], page_problems: Iterable[Problem] = (), *, retired_ids: Iterable[str] = ()
) -> Registry:
    """The registry of all pages' claims: an entry with a cross-entry problem becomes invalid."""
    by_claim: dict[int, list[Problem]] = {}
    for claim, problem in _cross_problems(claims, retired_ids):
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
    claims: Sequence[Claim], *, retired_ids: Iterable[str] = ()
) -> list[Problem]:
    """Every cross-entry problem, each reported on the entry that has it.

    An id claimed twice is reported on every claim after the first (which names the first);
    a reference is checked against every claimed id, valid or not, so that one broken entry
    does not make the entries that name it look broken too.
    """
    return [problem for _, problem in _cross_problems(claims, retired_ids)]


def _cross_problems(claims: Sequence[Claim], retired_ids: Iterable[str]) -> list[tuple[Claim, Problem]]:
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
    for claim in claims:
        if claim.entry is None:
            continue
        entry = claim.entry
        for name, target in entry.references():
            allowed = type(entry).reference_fields[name]
            referenced = first.get(target)
            if referenced is None:
                problems.append((claim, Problem(claim.at(name), entry.id, name, f"no entry has registry id {target!r}",
                                                ProblemCode.UNKNOWN_REFERENCE)))
            elif referenced.kind not in allowed:
                wanted = " or ".join(_article(k.value) for k in allowed)
                problems.append((claim, Problem(claim.at(name), entry.id, name,
                                                f"{target!r} is {_article(referenced.kind.value)}, not {wanted}",
                                                ProblemCode.WRONG_REFERENCE_KIND)))
    return problems


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun
