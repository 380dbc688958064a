"""``wikibot validate``, and the registry as read: the configured pages, parsed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..bulk import bulk_allocation
from ..ports import Page, PageStore
from ..registry.check import Registry
from ..registry.models import EntryKind
from ..registry.problems import Problem, ProblemCode, SourceRef
from ..settings import Settings
from ..wikitext.registry_page import ParsedPage, parse_registry


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
    return read_registry(settings, pages.fetch_pages(settings.registry.pages))


def read_registry(settings: Settings, fetched: Mapping[str, Page | None]) -> ValidationResult:
    """The configured registry pages, as read, parsed."""
    titles = settings.registry.pages
    texts = {title: page.text for title in titles if (page := fetched.get(title)) is not None}
    with bulk_allocation():
        registry, parsed = parse_registry(
            texts, settings.registry.template_names(), retired_ids=settings.registry.retired_ids
        )
    missing = tuple(title for title in titles if fetched.get(title) is None)
    return ValidationResult(registry, parsed, missing)


def validate(settings: Settings, pages: PageStore) -> ValidationResult:
    """``wikibot validate``: every problem of the registry pages."""
    return load_registry(settings, pages)
