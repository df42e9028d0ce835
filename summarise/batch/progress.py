"""How a run tells its caller what happens: the `RunProgress` callbacks, and silence."""

from __future__ import annotations

from typing import Protocol

from .record import ArticleEntry, BatchEntry, RunSummary

__all__ = ["RunProgress", "Silent"]


class RunProgress(Protocol):
    """What a run reports as it goes: the plan, each article as it ends, the end."""

    def begin(self, summary: RunSummary) -> None:
        """The run is planned: every article is listed (pending), skipped files too."""

    def article(self, entry: ArticleEntry) -> None:
        """One article ended: done, cached or failed."""

    def extracting(self) -> None:
        """Cached and unreadable articles are settled; model calls start now."""

    def batch(self, entry: BatchEntry) -> None:
        """A batch was sent to the batch API, changed status or ended (`--batch-api`)."""

    def end(self, summary: RunSummary) -> None:
        """The run is over; `summary` is what `run.json` holds."""


class Silent:
    """No progress shown."""

    def begin(self, summary: RunSummary) -> None:
        pass

    def article(self, entry: ArticleEntry) -> None:
        pass

    def extracting(self) -> None:
        pass

    def batch(self, entry: BatchEntry) -> None:
        pass

    def end(self, summary: RunSummary) -> None:
        pass
