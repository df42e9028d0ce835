"""What a run records in `run.json`: each article's status, error and cost, and the totals."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import __version__
from ..models import SCHEMA_VERSION, TokenUsage

__all__ = [
    "RUN_FORMAT",
    "ArticleEntry",
    "BatchEntry",
    "RunCounts",
    "RunStatus",
    "RunSummary",
    "SkippedFile",
    "Status",
    "tally",
]

RUN_FORMAT = "1"
Status = Literal["done", "cached", "failed", "pending"]
# running: under way (or killed); complete: every article was tried; interrupted: stopped by
# Ctrl-C or SIGTERM; aborted: the model server could not start; failed: the run could not do
# its work (the server refuses connections, the disk is full).
RunStatus = Literal["running", "complete", "interrupted", "aborted", "failed"]


class _Record(BaseModel):
    """A part of run.json: extra keys are refused."""

    model_config = ConfigDict(extra="forbid")


class ArticleEntry(_Record):
    """One article of a run, as `run.json` records it."""

    name: str = Field(
        description="Unique name in the run: reports/<name>.json, or a part's row of that name."
    )
    path: str = Field(description="The file, relative to the input folder.")
    status: Status
    report: str | None = Field(
        default=None, description="The report's file (or part), relative to the output."
    )
    error: str | None = None
    error_type: str | None = Field(default=None, description="e.g. InputError, BackendError.")
    attempts: int = Field(default=0, description="Model calls made in this run.")
    usage: TokenUsage = Field(default_factory=TokenUsage, description="Tokens used in this run.")
    seconds: float = 0.0


class BatchEntry(_Record):
    """One batch of model calls sent to a hosted batch API (`--batch-api`)."""

    id: str = Field(description="The batch API's id for it.")
    status: str = Field(
        description="Its status as the batch API last told it: validating, in_progress, "
        "finalizing, completed, failed, expired, cancelling, cancelled."
    )
    requests: int = Field(description="Model calls it holds (of every article in flight).")
    submitted: datetime
    ended: datetime | None = Field(default=None, description="None: the run waits on it.")
    error: str | None = Field(default=None, description="Why it failed, expired or stopped.")


class SkippedFile(_Record):
    """A file under the input folder that is not an article."""

    path: str
    reason: str


class RunCounts(_Record):
    """How many articles ended each way (and files were skipped)."""

    total: int = 0
    done: int = Field(default=0, description="Extracted in this run.")
    cached: int = Field(default=0, description="Reused: article, model and prompt unchanged.")
    failed: int = 0
    pending: int = Field(default=0, description="Not finished (the run was interrupted).")
    skipped: int = 0


class RunSummary(_Record):
    """What a run did (`run.json`): counts, each article's status and errors, tokens, time."""

    run_format: str = RUN_FORMAT
    status: RunStatus
    error: str | None = Field(default=None, description="What stopped the run or the merge.")
    warnings: list[str] = Field(
        default_factory=list, description="What the user should know, e.g. an unused override."
    )
    stopped_by: Literal["SIGINT", "SIGTERM"] | None = Field(
        default=None, description="The signal that interrupted the run (SIGINT: Ctrl-C)."
    )
    started: datetime
    seconds: float = 0.0
    input: str
    output: str
    backend: str
    model: str
    mode: str
    prompt_version: str
    schema_version: str = SCHEMA_VERSION
    toolkit_version: str = __version__
    engine: Literal["local", "ray", "batch-api"] = Field(
        default="local",
        description="Where the model calls ran: this process, Ray Data, or a hosted batch API.",
    )
    concurrency: int = Field(description="Articles in flight (per worker on Ray).")
    rpm: int | None = None
    tpm: int | None = None
    counts: RunCounts = Field(default_factory=RunCounts)
    usage: TokenUsage = Field(default_factory=TokenUsage, description="Tokens used in this run.")
    merged: str | None = Field(
        default=None, description="The merge of the whole folder, when it is one event."
    )
    review: str | None = Field(default=None, description="The review page (the events' list).")
    events: str | None = Field(default=None, description="The index of the folder's events.")
    event_count: int | None = Field(default=None, description="How many events the folder has.")
    merge_key: str | None = Field(
        default=None,
        description="Hash of the reports, overrides and options merged: unchanged, no new merge.",
    )
    articles: list[ArticleEntry] = Field(default_factory=list)
    batches: list[BatchEntry] = Field(
        default_factory=list, description="The batches sent (--batch-api), in order."
    )
    skipped: list[SkippedFile] = Field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every article has a report and the merge succeeded; 2 when the run failed
        (status "failed"); 130 when interrupted by Ctrl-C, 143 by SIGTERM; else 1 (an article
        or the merge failed)."""
        if self.status == "interrupted":
            return 143 if self.stopped_by == "SIGTERM" else 130
        if self.status == "failed":
            return 2
        ok = self.status == "complete" and self.error is None
        return 0 if ok and self.counts.failed == 0 and self.counts.pending == 0 else 1


def tally(summary: RunSummary) -> None:
    """Recompute the summary's `counts` and `usage` from its articles."""
    statuses = Counter(a.status for a in summary.articles)
    summary.counts = RunCounts(
        total=len(summary.articles),
        done=statuses["done"],
        cached=statuses["cached"],
        failed=statuses["failed"],
        pending=statuses["pending"],
        skipped=len(summary.skipped),
    )
    usage = TokenUsage()
    for entry in summary.articles:
        usage = usage + entry.usage
    summary.usage = usage
