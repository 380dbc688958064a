"""The jobs: each takes settings and ports, does one piece of work, and returns a result value.

Commands (``cli.py``) build the settings and adapters and print the result; jobs never
print, and never construct an adapter themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .bulk import bulk_allocation
from .ports import PageStore
from .registry.check import Registry
from .registry.models import EntryKind
from .registry.problems import Problem, ProblemCode, SourceRef
from .settings import Settings
from .wikitext.registry_page import ParsedPage, parse_registry


@dataclass(frozen=True)
class ValidationResult:
    registry: Registry
    pages: dict[str, ParsedPage]
    missing_pages: tuple[str, ...] = field(default=())

    @property
    def problems(self) -> tuple[Problem, ...]:
        missing = tuple(
            Problem(SourceRef(title, 0), None, None, "the page does not exist", ProblemCode.MISSING_PAGE)
            for title in self.missing_pages
        )
        return missing + self.registry.problems

    @property
    def valid(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, dict[str, int]]:
        """Per page and in all: valid entries of each kind, and invalid entries."""
        keys = [*(k.value for k in EntryKind), "invalid"]
        per_page: dict[str, Counter[str]] = {title: Counter() for title in self.pages}
        for claim in self.registry.claims:  # after the checks across pages
            per_page[claim.source.page][claim.kind.value if claim.entry else "invalid"] += 1
        total = sum(per_page.values(), Counter())
        result = {title: {k: counter[k] for k in keys} for title, counter in per_page.items()}
        result["total"] = {k: total[k] for k in keys}
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "counts": self.counts(),
            "problems": [p.to_json() for p in self.problems],
        }


def load_registry(settings: Settings, pages: PageStore) -> ValidationResult:
    """Read the configured registry pages and parse them; nothing is written."""
    titles = settings.registry.pages
    fetched = pages.fetch_pages(titles)
    texts = {title: page.text for title in titles if (page := fetched.get(title)) is not None}
    with bulk_allocation():
        registry, parsed = parse_registry(
            texts, settings.registry.templates.names(), retired_ids=settings.registry.retired_ids
        )
    missing = tuple(title for title in titles if fetched.get(title) is None)
    return ValidationResult(registry, parsed, missing)


def validate(settings: Settings, pages: PageStore) -> ValidationResult:
    """``wikibot validate``: every problem of the registry pages."""
    return load_registry(settings, pages)
