"""Problems: something an editor or operator should see, where (page, line), which entry and
field, and why.  One type for all of them: bad input on a registry page (found by ``validate``),
an entry the sync could not carry through, a status box the bot could not keep."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class ProblemCode(StrEnum):
    MALFORMED_TEMPLATE = "malformed-template"
    UNKNOWN_PARAMETER = "unknown-parameter"
    DUPLICATE_PARAMETER = "duplicate-parameter"
    MISSING_FIELD = "missing-field"
    INVALID_VALUE = "invalid-value"
    BAD_DATE = "bad-date"
    DUPLICATE_ID = "duplicate-id"
    REUSED_ID = "reused-id"
    UNKNOWN_REFERENCE = "unknown-reference"
    WRONG_REFERENCE_KIND = "wrong-reference-kind"
    INCONSISTENT = "inconsistent"
    MISSING_PAGE = "missing-page"
    NESTED_ENTRY = "nested-entry"  # inside another template's parameter: claimed, not read
    NOT_SYNCED = "not-synced"  # a valid entry the sync could not carry through this time
    BOX_NOT_KEPT = "box-not-kept"  # a status box the bot could not place or save


@dataclass(frozen=True, order=True)
class SourceRef:
    """Where an entry stands: page title and 1-based line of its template call (0: not known;
    an empty title: no page)."""

    page: str
    line: int

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass(frozen=True)
class Problem:
    source: SourceRef
    registry_id: str | None
    field: str | None  # the template parameter, as editors see it
    reason: str
    code: ProblemCode

    @classmethod
    def of(cls, registry_id: str | None, page: str | None, reason: str, code: ProblemCode, *, line: int = 0,
           field: str | None = None) -> Problem:
        """A problem met while running a job (not in a page's text): the entry, its page if any."""
        return cls(SourceRef(page or "", line), registry_id, field, reason, code)

    @property
    def page(self) -> str | None:
        return self.source.page or None

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Page order: by page, line, then entry, field and reason (ids may be missing)."""
        return (self.source.page, self.source.line, self.registry_id or "", self.field or "", self.reason)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("source")
        return {"page": self.page, "line": self.source.line, **data, "code": str(self.code)}

    def __str__(self) -> str:
        return f"{self.source}  {self.registry_id or '-'}  {self.field or '-'}  {self.reason}"
