"""Problems found in registry input: where (page, line), which entry and field, and why."""

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


@dataclass(frozen=True, order=True)
class SourceRef:
    """Where an entry stands: page title and 1-based line of its template call."""

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

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Page order: by page, line, then entry, field and reason (ids may be missing)."""
        return (self.source.page, self.source.line, self.registry_id or "", self.field or "", self.reason)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("source")
        return {"page": self.source.page, "line": self.source.line, **data, "code": str(self.code)}

    def __str__(self) -> str:
        return f"{self.source}  {self.registry_id or '-'}  {self.field or '-'}  {self.reason}"
