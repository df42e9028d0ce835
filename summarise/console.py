"""The command line's terminal display of runs: a progress bar and tables, or JSON lines.

Part of the CLI layer: the library reports a run's progress through `RunProgress`, and these
classes draw it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import timedelta
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from .batch import ArticleEntry, RunProgress, RunSummary
    from .cli import Display

__all__ = ["progress_for"]
_FAILURES_SHOWN = 20


class _Quiet:
    """Nothing on the terminal."""

    def begin(self, summary: RunSummary) -> None:
        pass

    def article(self, entry: ArticleEntry) -> None:
        pass

    def extracting(self) -> None:
        pass

    def end(self, summary: RunSummary) -> None:
        pass


class _Lines(_Quiet):
    """JSON lines on stdout: one per skipped file, one per finished article, one at the end."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def _emit(self, event: str, data: dict[str, object]) -> None:
        self._stream.write(json.dumps({"event": event, **data}, ensure_ascii=False) + "\n")
        self._stream.flush()

    def begin(self, summary: RunSummary) -> None:
        for skipped in summary.skipped:
            self._emit("skipped", skipped.model_dump(mode="json"))

    def article(self, entry: ArticleEntry) -> None:
        self._emit("article", entry.model_dump(mode="json"))

    def end(self, summary: RunSummary) -> None:
        self._emit(
            "summary",
            {
                "status": summary.status,
                "error": summary.error,
                "exit_code": summary.exit_code,
                **summary.counts.model_dump(),
                "usage": summary.usage.model_dump(),
                "seconds": summary.seconds,
                "output": summary.output,
            },
        )


class _Eta(ProgressColumn):
    """Time left from the pace of the articles extracted so far (cached ones do not count)."""

    def render(self, task: Task) -> Text:
        made = int(task.fields.get("made", 0))
        if not made or task.elapsed is None or task.remaining is None:
            return Text("ETA -:--:--", style="progress.remaining")
        left = timedelta(seconds=round(task.elapsed / made * task.remaining))
        return Text(f"ETA {left}", style="progress.remaining")


class _Bar:
    """A rich progress bar on stderr, then a summary table on stdout."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[done]} done[/] [cyan]{task.fields[cached]} cached[/] "
                "[red]{task.fields[failed]} failed[/]"
            ),
            _Eta(),
            console=Console(stderr=True),
        )
        self._counts: Counter[str] = Counter()
        self._made = 0
        self._task = self._progress.add_task(
            "reading", total=None, done=0, cached=0, failed=0, made=0
        )

    def begin(self, summary: RunSummary) -> None:
        self._progress.update(self._task, total=len(summary.articles))
        self._progress.start()

    def article(self, entry: ArticleEntry) -> None:
        self._counts[entry.status] += 1
        self._made += entry.attempts > 0
        self._progress.update(
            self._task,
            advance=1,
            made=self._made,
            done=self._counts["done"],
            cached=self._counts["cached"],
            failed=self._counts["failed"],
        )

    def extracting(self) -> None:
        task = self._progress.tasks[0]
        self._progress.reset(
            self._task, total=task.total, completed=int(task.completed), description="extracting"
        )

    def end(self, summary: RunSummary) -> None:
        self._progress.update(self._task, description=summary.status)
        self._progress.stop()
        console = Console()
        console.print(_summary_table(summary))
        failures = [a for a in summary.articles if a.status == "failed"]
        if failures:
            table = Table("failed article", "error", title="Failures", title_justify="left")
            for entry in failures[:_FAILURES_SHOWN]:
                table.add_row(entry.path, Text(entry.error or ""))
            console.print(table)
            if len(failures) > _FAILURES_SHOWN:
                console.print(f"... and {len(failures) - _FAILURES_SHOWN} more in run.json")
        if summary.error:
            console.print(Text(f"error: {summary.error}", style="red"))


def _summary_table(summary: RunSummary) -> Table:
    counts = summary.counts
    table = Table("", "", show_header=False, title=f"Run {summary.status}", title_justify="left")
    rows = [
        ("articles", str(counts.total)),
        ("extracted", str(counts.done)),
        ("cached", str(counts.cached)),
        ("failed", str(counts.failed)),
        ("not finished", str(counts.pending)),
        ("skipped files", str(counts.skipped)),
        ("tokens (prompt / completion)", f"{summary.usage.prompt_tokens} / "
         f"{summary.usage.completion_tokens}"),
        ("seconds", f"{summary.seconds:.1f}"),
        ("model", f"{summary.model} ({summary.backend})"),
        ("output", summary.output),
    ]  # fmt: skip
    for key, value in rows:
        table.add_row(key, value)
    return table


def progress_for(display: Display) -> RunProgress:
    """The progress display for a `--progress` choice."""
    if display == "bar":
        return _Bar()
    if display == "jsonl":
        return _Lines(sys.stdout)
    return _Quiet()
