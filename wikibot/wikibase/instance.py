"""The ids of one Wikibase instance: mapping key -> P/Q id, as ``bootstrap`` recorded them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .mapping import ResolvedMapping


@dataclass(frozen=True)
class InstanceIds:
    properties: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> InstanceIds:
        data: dict[str, Any] = json.loads(text)
        return cls(dict(data.get("properties", {})), dict(data.get("items", {})))

    def render(self) -> str:
        return json.dumps({"properties": dict(sorted(self.properties.items())),
                           "items": dict(sorted(self.items.items()))}, indent=1) + "\n"

    def resolved(self) -> ResolvedMapping:
        return ResolvedMapping(self.properties, self.items)
