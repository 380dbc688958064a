"""The domain: registry entries, their vocabularies and dates, and the checks across entries."""

from .check import Claim, Registry, assemble_registry, check_registry
from .dates import Precision, WikiDate
from .models import ENTRY_TYPES, Entry, EntryKind, Hub, Organization, Partnership
from .problems import Problem, ProblemCode, SourceRef

__all__ = [
    "ENTRY_TYPES", "Claim", "Entry", "EntryKind", "Hub", "Organization", "Partnership",
    "Precision", "Problem", "ProblemCode", "Registry", "SourceRef", "WikiDate",
    "assemble_registry", "check_registry",
]
