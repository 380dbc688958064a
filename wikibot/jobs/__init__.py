"""The jobs: each takes settings and ports, does one piece of work, and returns a result value.

The composition root (``app.py``) chooses the adapters and hands them to a job; commands
(``cli.py``) print the result.  Jobs never print, and never construct an adapter themselves.
"""

from __future__ import annotations

from .bootstrap import BootstrapResult, BootstrapRun, bootstrap, bootstrap_job, note_new_registry
from .coverage import CoverageRun, coverage, index_entities, query_context, rebuild_index
from .health import HealthReport, health
from .registry import ValidationResult, load_registry, read_registry, validate
from .runlog import RunLog, logged_run, publish_report
from .status import status
from .sync import SyncRun, sync
from .templates import TemplateRun, templates, templates_text

__all__ = [
    "BootstrapResult", "BootstrapRun", "CoverageRun", "HealthReport", "RunLog", "SyncRun", "TemplateRun",
    "ValidationResult",
    "bootstrap", "bootstrap_job", "coverage", "health", "index_entities", "load_registry", "logged_run",
    "note_new_registry", "publish_report", "query_context", "read_registry", "rebuild_index", "status", "sync",
    "templates", "templates_text", "validate",
]
