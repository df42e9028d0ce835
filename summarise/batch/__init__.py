"""Many articles: concurrent extraction (`many`), resumable runs over folders (`folder`) or
URIs (`remote`), where reports are kept (`store`), what a run writes from its reports
(`outputs`) and what it records (`record`); the model calls on Ray (`ray_engine`) or through
a hosted batch API (`batch_api`)."""

from __future__ import annotations

from .batch_api import BatchApiSettings, BatchFailed
from .folder import RunProgress, extract_files, run_folder
from .many import Outcome, asummarise_many, default_concurrency, summarise_many
from .outputs import EventsWritten, write_events
from .ray_engine import RaySettings
from .record import ArticleEntry, BatchEntry, RunCounts, RunStatus, RunSummary, SkippedFile, Status
from .store import REPORT_FORMATS, ReportFormat

__all__ = [
    "REPORT_FORMATS",
    "ArticleEntry",
    "BatchApiSettings",
    "BatchEntry",
    "BatchFailed",
    "EventsWritten",
    "Outcome",
    "RaySettings",
    "ReportFormat",
    "RunCounts",
    "RunProgress",
    "RunStatus",
    "RunSummary",
    "SkippedFile",
    "Status",
    "asummarise_many",
    "default_concurrency",
    "extract_files",
    "run_folder",
    "summarise_many",
    "write_events",
]
