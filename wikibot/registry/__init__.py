"""The domain: registry entries, their vocabularies and dates, and the checks across entries."""

from .check import Claim, Registry, assemble_registry, check_registry
from .dates import Precision, WikiDate
from .kinds import ENTRY_TYPES, KINDS, Kind
from .models import Entry, EntryKind, Hub, Organization, Partnership
from .problems import Problem, ProblemCode, SourceRef

__all__ = [
    "ENTRY_TYPES", "KINDS", "Claim", "Entry", "EntryKind", "Hub", "Kind", "Organization", "Partnership",
    "Precision", "Problem", "ProblemCode", "Registry", "SourceRef", "WikiDate",
    "assemble_registry", "check_registry",
]
