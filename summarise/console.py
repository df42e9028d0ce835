"""The command line's terminal display of runs: a progress bar and tables, or JSON lines.

Part of the CLI layer: the library reports a run's progress through `RunProgress`, and these
classes draw it. Everything that comes from a file name or a message is shown through
`printable`, so a name holding escape sequences cannot drive the terminal; when stdout is not
a terminal (a script, a log file) the summary is plain `key<TAB>value` lines and each
failure one line on stderr.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from .batch import ArticleEntry, BatchEntry, RunProgress, RunSummary
    from .cli import Display

__all__ = ["failure_line", "print_extracted", "printable", "progress_for"]
_FAILURES_SHOWN = 20


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, *, lines: bool = False) -> str:
    """`text` safe to print on a terminal, on one line: control characters (ESC and other
    sequences, newlines, tabs), invisible formatting characters (bidi overrides, zero-width
    ones) and separators other than the space written as escapes such as `\\x1b` or `\\n`.

    With `lines`, newlines are kept (a message made of several lines, such as a log's tail).
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or (lines and c == "\n") else _escape(c) for c in text)


def _json_line(data: dict[str, object]) -> str:
    """One JSON line, with every character a terminal could act on written as a JSON escape
    (the decoded values are unchanged)."""
    line = json.dumps(data, ensure_ascii=False)
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in line)


def failure_line(entry: ArticleEntry) -> str:
    """One failed article as one line: its file, the error's type and message."""
    return printable(f"{entry.path}: {entry.error_type}: {entry.error}")


class _Quiet:
    """Nothing on the terminal."""

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


class _Lines(_Quiet):
    """JSON lines on stdout: one per skipped file, one per finished article, one at the end."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def _emit(self, event: str, data: dict[str, object]) -> None:
        self._stream.write(_json_line({"event": event, **data}) + "\n")
        self._stream.flush()

    def begin(self, summary: RunSummary) -> None:
        for skipped in summary.skipped:
            self._emit("skipped", skipped.model_dump(mode="json"))

    def article(self, entry: ArticleEntry) -> None:
        self._emit("article", entry.model_dump(mode="json"))

    def batch(self, entry: BatchEntry) -> None:
        self._emit("batch", entry.model_dump(mode="json"))

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
        self._waiting: dict[str, str] = {}  # batches not ended: id -> status
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

    def batch(self, entry: BatchEntry) -> None:
        """The batch waited on, in the bar's description."""
        if entry.ended is None:
            self._waiting[entry.id] = entry.status
        else:
            self._waiting.pop(entry.id, None)
        description = "extracting"
        if self._waiting:
            first, status = next(iter(self._waiting.items()))
            more = f" +{len(self._waiting) - 1}" if len(self._waiting) > 1 else ""
            description = f"batch {printable(first)}{more}: {printable(status)}"
        self._progress.update(self._task, description=escape(description))

    def end(self, summary: RunSummary) -> None:
        """The summary and the failures: tables on a terminal, plain lines elsewhere (the
        run's own error, if any, is the command's to print)."""
        self._progress.update(self._task, description=summary.status)
        self._progress.stop()
        console = Console()
        failures = [a for a in summary.articles if a.status == "failed"]
        if not console.is_terminal:
            _print_plain(summary, failures)
            return
        console.print(_summary_table(summary))
        if failures:
            table = Table("failed article", "error", title="Failures", title_justify="left")
            for entry in failures[:_FAILURES_SHOWN]:
                table.add_row(Text(printable(entry.path)), Text(printable(entry.error or "")))
            console.print(table)
            if len(failures) > _FAILURES_SHOWN:
                console.print(f"... and {len(failures) - _FAILURES_SHOWN} more in run.json")


def _print_plain(summary: RunSummary, failures: list[ArticleEntry]) -> None:
    """For scripts and log files: `key<TAB>value` lines on stdout, every failure on stderr."""
    for key, value in [("status", summary.status), *_summary_rows(summary)]:
        print(f"{key}\t{printable(value)}")
    for entry in failures:
        print(f"failed: {failure_line(entry)}", file=sys.stderr)


def _summary_table(summary: RunSummary) -> Table:
    table = Table("", "", show_header=False, title=f"Run {summary.status}", title_justify="left")
    for key, value in _summary_rows(summary):
        table.add_row(key, Text(printable(value)))
    return table


def _summary_rows(summary: RunSummary) -> list[tuple[str, str]]:
    counts = summary.counts
    return [
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
        *([("batches", str(len(summary.batches)))] if summary.engine == "batch-api" else []),
        ("output", summary.output),
    ]  # fmt: skip


def progress_for(display: Display) -> RunProgress:
    """The progress display for a `--progress` choice."""
    if display == "bar":
        return _Bar()
    if display == "jsonl":
        return _Lines(sys.stdout)
    return _Quiet()


def _row(entry: ArticleEntry, out: Path) -> list[str]:
    """One article of `extract`: what its report holds, or that it failed."""
    from .models import DefenceMeetingReport

    name = printable(Path(entry.path).name)
    if entry.report is None:
        what = f"failed ({entry.error_type})" if entry.status == "failed" else "not done"
        return [name, "-", "-", "-", f"{entry.seconds:.1f}", what]
    path = out / entry.report
    report = DefenceMeetingReport.model_validate_json(path.read_bytes())
    evidence = report.evidence()
    aligned = sum(e.aligned for e in evidence)
    return [
        name,
        str(len(report.attendees)),
        str(len(report.denials)),
        f"{aligned} / {len(evidence) - aligned}",
        f"{entry.seconds:.1f}",
        printable(str(path)),
    ]


_EXTRACT_COLUMNS = ("article", "attendees", "denials", "evidence aligned / not found", "seconds")


def print_extracted(
    entries: list[ArticleEntry], out: Path, *, stdout: Console, stderr: Console
) -> None:
    """A table on a terminal, tab-separated lines elsewhere; each failure on stderr, as one
    line (file, error type, message)."""
    rows = [_row(entry, out) for entry in entries]
    if stdout.is_terminal:
        table = Table(*_EXTRACT_COLUMNS)
        table.add_column("report", overflow="fold")
        table.columns[0].no_wrap = True
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        stdout.print(table)
    else:
        print("\t".join([*_EXTRACT_COLUMNS, "report"]))
        for row in rows:
            print("\t".join(row))
    for entry in entries:
        if entry.status == "failed":
            stderr.print(f"[red]failed:[/red] {escape(failure_line(entry))}", highlight=False)
