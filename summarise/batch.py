"""Many articles at once: concurrent, rate-limited extraction, and resumable runs over folders.

`asummarise_many` / `summarise_many` extract many articles with a bounded number of requests
in flight and yield each result as it completes; `run_folder` turns a folder into per-article
reports, `merged.json` and `run.json`, reusing every report whose inputs are unchanged, so that
a run killed at any moment finishes only what is missing when started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Literal, Protocol

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .backends import embedded_server, make_async_client
from .config import Config, resolve_config
from .errors import ConfigError, InputError, SummariseError
from .extraction import ArticleInput, asummarise, prompt_version
from .loading import SUPPORTED_SUFFIXES, as_article, load_article
from .merging import merge
from .models import SCHEMA_VERSION, Article, DefenceMeetingReport, Source, TokenUsage
from .output import write_json_atomic, write_text_atomic
from .review import render_html

__all__ = [
    "ArticleEntry",
    "Display",
    "FileResult",
    "Outcome",
    "RunSummary",
    "SkippedFile",
    "asummarise_many",
    "extract_files",
    "run_folder",
    "summarise_many",
]

RUN_FORMAT = "1"
Display = Literal["bar", "quiet", "jsonl"]
Status = Literal["done", "cached", "failed", "pending"]
RunStatus = Literal["running", "complete", "interrupted", "aborted"]

_DEFAULT_CONCURRENCY = 4  # endpoints; the embedded llama.cpp server answers one request at a time
_CHARS_PER_TOKEN = 4.0  # rough, for rate-limit estimates only; corrected by the real usage
_PROMPT_TOKENS = 800  # instructions and chat template around the article
_FAILURES_SHOWN = 20


# --- many articles, concurrently -----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one article of `summarise_many`: a report or the error that stopped it."""

    index: int  # position of the article in the input
    article: Article | None = None
    report: DefenceMeetingReport | None = None
    error: Exception | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether a report was made."""
        return self.report is not None


class _Pace:
    """A token bucket refilled at `per_minute / 60` a second that holds one second's worth.

    A take larger than the bucket waits for a full bucket and leaves a debt, so the long-run
    rate is the limit whatever the size of each take.
    """

    def __init__(self, per_minute: int) -> None:
        self._rate = per_minute / 60
        self._capacity = max(self._rate, 1.0)
        self._level = self._capacity
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self._level = min(self._capacity, self._level + (now - self._stamp) * self._rate)
        self._stamp = now

    async def take(self, amount: float) -> None:
        async with self._lock:  # first come, first served
            self._refill()
            need = min(amount, self._capacity)
            if self._level < need:
                await asyncio.sleep((need - self._level) / self._rate)
                self._refill()
            self._level -= amount

    def charge(self, amount: float) -> None:
        """Take (or give back, when negative) without waiting: a correction after the fact."""
        self._refill()
        self._level = min(self._capacity, self._level - amount)


class _Limiter:
    """Requests and tokens per minute for hosted APIs; either limit may be absent."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        for name, value in (("rpm", rpm), ("tpm", tpm)):
            if value is not None and value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        self._requests = _Pace(rpm) if rpm else None
        self._tokens = _Pace(tpm) if tpm else None

    async def admit(self, tokens: int) -> None:
        if self._requests:
            await self._requests.take(1)
        if self._tokens:
            await self._tokens.take(tokens)

    def settle(self, estimate: int, requests: int, tokens: int | None) -> None:
        """Charge what the article really cost: re-asks, retries, chunks and real token usage."""
        if self._requests and requests > 1:
            self._requests.charge(requests - 1)
        if self._tokens and tokens is not None:
            self._tokens.charge(tokens - estimate)


def _estimate_tokens(article: Article, config: Config) -> int:
    return math.ceil(len(article.text) / _CHARS_PER_TOKEN) + _PROMPT_TOKENS + config.max_tokens


def _default_concurrency(config: Config) -> int:
    return 1 if config.backend_name == "embedded" else _DEFAULT_CONCURRENCY


class _Session:
    """The endpoint and its shared client, started on first use (the embedded server too)."""

    def __init__(self, config: Config, client: openai.AsyncOpenAI | None) -> None:
        self._config = config
        self._client = client
        self._own_client = client is None
        self._failure: Exception | None = None
        self._starting: asyncio.Future[Config] | None = None
        self._stack = contextlib.ExitStack()
        self._lock = asyncio.Lock()

    async def open(self) -> tuple[openai.AsyncOpenAI, Config]:
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._client is None:
                try:
                    await self._start()
                except Exception as exc:
                    self._failure = exc
                    raise
            assert self._client is not None
            return self._client, self._config

    async def _start(self) -> None:
        if self._config.embedded:
            server = embedded_server(self._config)
            loop = asyncio.get_running_loop()
            self._starting = loop.run_in_executor(None, self._stack.enter_context, server)
            # shielded: when cancelled, the start still completes and `aclose` stops the server
            self._config = await asyncio.shield(self._starting)
        self._client = make_async_client(self._config)

    async def aclose(self) -> None:
        if self._starting is not None:
            await asyncio.wait([self._starting])
            if not self._starting.cancelled():
                self._starting.exception()  # retrieved here: it was raised to a worker already
        if self._own_client and self._client is not None:
            await self._client.close()
        self._stack.close()


async def _load(item: ArticleInput) -> Article:
    if isinstance(item, Path):
        return await asyncio.to_thread(load_article, item)
    return as_article(item)


async def _extract(index: int, item: ArticleInput, session: _Session, limiter: _Limiter) -> Outcome:
    started = time.perf_counter()

    def seconds() -> float:
        return round(time.perf_counter() - started, 3)

    try:
        article = await _load(item)
    except Exception as exc:  # an unreadable article is this article's failure only
        return Outcome(index, error=exc, seconds=seconds())
    client, config = await session.open()  # a server that cannot start fails the whole batch
    estimate = _estimate_tokens(article, config)
    await limiter.admit(estimate)
    try:
        report = await asummarise(article, config=config, client=client)
    except Exception as exc:  # recorded for this article; the others go on
        limiter.settle(estimate, getattr(exc, "attempts", 1), None)
        return Outcome(index, article, error=exc, seconds=seconds())
    info = report.extraction
    limiter.settle(estimate, info.attempts, info.usage.total_tokens or None)
    return Outcome(index, article, report=report, seconds=seconds())


async def asummarise_many(
    articles: Iterable[ArticleInput],
    *,
    config: Config | None = None,
    client: openai.AsyncOpenAI | None = None,
    concurrency: int | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
) -> AsyncGenerator[Outcome, None]:
    """Extract many articles concurrently; yield each `Outcome` as soon as it is complete.

    At most `concurrency` articles are in flight (default: 1 on the embedded server, 4 on an
    endpoint) through one shared client; `rpm` and `tpm` pace requests and tokens per minute.
    Articles are read lazily from `articles`; a failure is yielded as that article's outcome,
    only a server that cannot start raises. The embedded server, when needed, is started on
    first use and stopped at the end. Close the iterator when leaving early
    (`contextlib.aclosing`).
    """
    config = config or resolve_config()
    workers = concurrency or _default_concurrency(config)
    if workers < 1:
        raise ConfigError(f"concurrency must be at least 1, got {workers}")
    limiter = _Limiter(rpm, tpm)
    session = _Session(config, client)
    inputs = enumerate(articles)
    # one finished outcome waits at most: workers never run ahead of what the caller has
    # taken (e.g. written to disk), so a killed run loses little finished work
    results: asyncio.Queue[Outcome | Exception | None] = asyncio.Queue(maxsize=1)

    async def work() -> None:
        try:
            for index, item in inputs:  # shared: each worker takes the next article
                await results.put(await _extract(index, item, session, limiter))
        except Exception as exc:  # the server cannot start, or `articles` itself failed
            await results.put(exc)
        else:
            await results.put(None)

    tasks = [asyncio.create_task(work()) for _ in range(workers)]
    try:
        running = len(tasks)
        while running:
            result = await results.get()
            if result is None:
                running -= 1
            elif isinstance(result, Exception):
                raise result
            else:
                yield result
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await session.aclose()


def summarise_many(
    articles: Iterable[ArticleInput],
    *,
    config: Config | None = None,
    concurrency: int | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
) -> Iterator[Outcome]:
    """The blocking twin of `asummarise_many`: yields outcomes as they complete."""
    loop = asyncio.new_event_loop()
    results = asummarise_many(articles, config=config, concurrency=concurrency, rpm=rpm, tpm=tpm)

    async def step() -> Outcome:
        return await anext(results)

    try:
        while True:
            try:
                outcome = loop.run_until_complete(step())
            except StopAsyncIteration:
                return
            yield outcome
    finally:
        loop.run_until_complete(results.aclose())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


# --- a folder in, reports out --------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleEntry(_Record):
    """One article of a run, as `run.json` records it."""

    name: str = Field(description="Unique name in the run; the report is reports/<name>.json.")
    path: str = Field(description="The file, relative to the input folder.")
    status: Status
    report: str | None = Field(default=None, description="The report, relative to the output.")
    error: str | None = None
    error_type: str | None = Field(default=None, description="e.g. InputError, BackendError.")
    attempts: int = Field(default=0, description="Model calls made in this run.")
    usage: TokenUsage = Field(default_factory=TokenUsage, description="Tokens used in this run.")
    seconds: float = 0.0


class SkippedFile(_Record):
    """A file under the input folder that is not an article."""

    path: str
    reason: str


class RunCounts(_Record):
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
    concurrency: int
    rpm: int | None = None
    tpm: int | None = None
    counts: RunCounts = Field(default_factory=RunCounts)
    usage: TokenUsage = Field(default_factory=TokenUsage, description="Tokens used in this run.")
    merged: str | None = None
    review: str | None = None
    merge_key: str | None = Field(
        default=None, description="Hash of the merged report files: unchanged, no new merge."
    )
    articles: list[ArticleEntry] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every article has a report and the merge succeeded, 130 when interrupted,
        else 1."""
        if self.status == "interrupted":
            return 130
        ok = self.status == "complete" and self.error is None
        return 0 if ok and self.counts.failed == 0 and self.counts.pending == 0 else 1


def _tally(summary: RunSummary) -> None:
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


def _discover(directory: Path, out: Path) -> tuple[list[Path], list[SkippedFile]]:
    """Article files under `directory`, sorted; and the files that are not articles.

    Hidden folders and the output folder are not entered; README files are documentation.
    """
    articles: list[Path] = []
    skipped: list[SkippedFile] = []
    for root, dirs, files in os.walk(directory):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (here / d).resolve() != out.resolve()
        )
        for name in sorted(files):
            path = here / name
            rel = path.relative_to(directory).as_posix()
            if name.startswith("."):
                skipped.append(SkippedFile(path=rel, reason="hidden file"))
            elif name.upper().startswith("README"):
                skipped.append(SkippedFile(path=rel, reason="README: documentation"))
            elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
                supported = ", ".join(SUPPORTED_SUFFIXES)
                skipped.append(SkippedFile(path=rel, reason=f"not an article ({supported})"))
            else:
                articles.append(path)
    return articles, skipped


def _names(paths: Sequence[Path], directory: Path) -> list[str]:
    """A unique name per file: its relative path without the suffix, "/" written "__".

    Files that would share a name keep their suffix, then get a hash of their path.
    """
    rels = [p.relative_to(directory) for p in paths]
    bases = ["__".join(r.with_suffix("").parts) for r in rels]
    clashes = Counter(bases)
    used: set[str] = set()
    names = []
    for rel, base in zip(rels, bases, strict=True):
        name = base if clashes[base] == 1 else "__".join(rel.parts)
        if name in used:
            name += "-" + hashlib.sha256(rel.as_posix().encode()).hexdigest()[:8]
        used.add(name)
        names.append(name)
    return names


def _provenance(config: Config) -> tuple[str, str, str, str, str]:
    """What a cached report must have been made with: backend, model, mode, prompt, schema."""
    prompt = prompt_version()
    return (
        config.backend_name,
        config.resolved_model,
        config.resolved_mode,
        prompt,
        SCHEMA_VERSION,
    )


def _cached_report(
    path: Path, article: Article, provenance: tuple[str, ...]
) -> DefenceMeetingReport | None:
    """The report at `path` if it was made from this very article with this model and prompt."""
    try:
        report = DefenceMeetingReport.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
    x = report.extraction
    made_with = (x.backend, x.model, x.mode, x.prompt_version, x.schema_version)
    return report if made_with == provenance and report.source == Source.of(article) else None


def _failed(entry: ArticleEntry, exc: Exception) -> None:
    """Record an article's failure; an unexpected error keeps its type in the message."""
    entry.status = "failed"
    entry.error = str(exc) if isinstance(exc, SummariseError) else f"{type(exc).__name__}: {exc}"
    entry.error_type = type(exc).__name__
    entry.attempts = getattr(exc, "attempts", 0)


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Hold `out/.lock` for the run: two runs never write the same output folder."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"{out} is in use by another run") from None
        for stale in [*out.glob(".*.tmp"), *(out / "reports").glob(".*.tmp")]:
            stale.unlink(missing_ok=True)  # left by a killed run: never renamed into place
        yield


class _Display(Protocol):
    def begin(self, summary: RunSummary) -> None: ...
    def article(self, entry: ArticleEntry) -> None: ...
    def extracting(self) -> None: ...
    def end(self, summary: RunSummary) -> None: ...


class _Quiet:
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


def _display(mode: Display) -> _Display:
    if mode == "bar":
        return _Bar()
    if mode == "jsonl":
        return _Lines(sys.stdout)
    return _Quiet()


@dataclass
class _Job:
    """An article of the run still to extract."""

    entry: ArticleEntry
    article: Article


def _read(
    paths: Sequence[Path],
    summary: RunSummary,
    directory: Path,
    out: Path,
    provenance: tuple[str, ...],
    show: _Display,
) -> tuple[list[_Job], dict[str, DefenceMeetingReport]]:
    """Load every article; settle the cached and unreadable ones; return the rest to extract."""
    jobs: list[_Job] = []
    reports: dict[str, DefenceMeetingReport] = {}
    ids: dict[str, str] = {}
    for path, entry in zip(paths, summary.articles, strict=True):
        started = time.perf_counter()
        try:
            article = load_article(path)
            if article.id == path.stem:  # no id of its own: the run's unique name
                article = article.model_copy(update={"id": entry.name})
            if article.id in ids:
                raise InputError(
                    f"{path}: article id {article.id!r} is also used by {ids[article.id]}"
                )
            ids[article.id] = entry.path
        except Exception as exc:  # a bad file is this article's failure only
            _failed(entry, exc)
            entry.seconds = round(time.perf_counter() - started, 3)
            show.article(entry)
            continue
        report_path = out / "reports" / f"{entry.name}.json"
        report = _cached_report(report_path, article, provenance)
        if report is None:
            jobs.append(_Job(entry, article))
            continue
        entry.status, entry.report = "cached", report_path.relative_to(out).as_posix()
        reports[entry.name] = report
        show.article(entry)
    return jobs, reports


async def _extract_jobs(
    jobs: list[_Job],
    reports: dict[str, DefenceMeetingReport],
    out: Path,
    config: Config,
    concurrency: int,
    rpm: int | None,
    tpm: int | None,
    show: _Display,
) -> None:
    many = asummarise_many(
        (job.article for job in jobs), config=config, concurrency=concurrency, rpm=rpm, tpm=tpm
    )
    async with contextlib.aclosing(many) as outcomes:
        async for outcome in outcomes:
            job = jobs[outcome.index]
            entry = job.entry
            if outcome.report is not None:
                path = out / "reports" / f"{entry.name}.json"
                try:
                    await asyncio.to_thread(write_json_atomic, path, outcome.report)
                except OSError as exc:  # e.g. a full disk: the model's work is lost, not the run
                    _failed(entry, exc)
                else:
                    reports[entry.name] = outcome.report
                    entry.status, entry.report = "done", path.relative_to(out).as_posix()
                info = outcome.report.extraction
                entry.attempts, entry.usage = info.attempts, info.usage
            elif outcome.error is not None:
                _failed(entry, outcome.error)
            entry.seconds = outcome.seconds
            show.article(entry)


def _previous(out: Path) -> RunSummary | None:
    """The record of the last run into `out`, if there is a readable one."""
    try:
        return RunSummary.model_validate_json((out / "run.json").read_bytes())
    except (OSError, ValidationError):
        return None


def _merge_key(out: Path, names: Iterable[str]) -> str | None:
    """What the merge is made of: the bytes of every report file, and the toolkit version."""
    digest = hashlib.sha256(__version__.encode())
    try:
        for name in sorted(names):
            data = (out / "reports" / f"{name}.json").read_bytes()
            digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    except OSError:
        return None
    return digest.hexdigest()


def _merge(
    out: Path,
    reports: dict[str, DefenceMeetingReport],
    summary: RunSummary,
    previous: RunSummary | None,
) -> None:
    """Write `merged.json` and `review.html`, unless the last merge had the very same reports."""
    key = _merge_key(out, reports)
    outputs = [out / "merged.json", out / "review.html"]
    unchanged = key is not None and previous is not None and previous.merge_key == key
    if not (unchanged and all(path.exists() for path in outputs)):
        try:
            merged = merge([reports[name] for name in sorted(reports)])
        except SummariseError as exc:
            summary.error = f"merge failed: {exc}"
            return
        write_json_atomic(outputs[0], merged)
        write_text_atomic(outputs[1], render_html(merged))
    summary.merged, summary.review, summary.merge_key = "merged.json", "review.html", key


async def _run(
    directory: Path,
    out: Path,
    config: Config,
    concurrency: int | None,
    rpm: int | None,
    tpm: int | None,
    show: _Display,
) -> RunSummary:
    started, clock = datetime.now(UTC), time.perf_counter()
    previous = _previous(out)
    provenance = _provenance(config)
    paths, skipped = _discover(directory, out)
    summary = RunSummary(
        status="running",
        started=started,
        input=str(directory.resolve()),
        output=str(out.resolve()),
        backend=provenance[0],
        model=provenance[1],
        mode=provenance[2],
        prompt_version=provenance[3],
        concurrency=concurrency or _default_concurrency(config),
        rpm=rpm,
        tpm=tpm,
        articles=[
            ArticleEntry(name=name, path=path.relative_to(directory).as_posix(), status="pending")
            for name, path in zip(_names(paths, directory), paths, strict=True)
        ],
        skipped=skipped,
    )
    _tally(summary)
    write_json_atomic(out / "run.json", summary)
    show.begin(summary)
    jobs, reports = _read(paths, summary, directory, out, provenance, show)
    try:
        if jobs:
            show.extracting()
            await _extract_jobs(jobs, reports, out, config, summary.concurrency, rpm, tpm, show)
        summary.status = "complete"
    except asyncio.CancelledError:  # Ctrl-C: what is finished is on disk already
        summary.status = "interrupted"
    except SummariseError as exc:  # the model server could not be started
        summary.status, summary.error = "aborted", str(exc)
    if summary.status == "complete" and reports:
        _merge(out, reports, summary, previous)
    summary.seconds = round(time.perf_counter() - clock, 3)
    _tally(summary)
    write_json_atomic(out / "run.json", summary)
    show.end(summary)
    return summary


def run_folder(
    directory: str | Path,
    out: str | Path,
    *,
    config: Config | None = None,
    concurrency: int | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
    progress: Display = "bar",
) -> RunSummary:
    """Extract every article under `directory` into `out`; return what was done.

    Writes `out/reports/<name>.json` per article, `out/merged.json` and `out/run.json` (the
    returned summary), each atomically. A report is reused, with no model call, when its
    article (text and metadata), backend, model, mode, prompt version and schema version are
    unchanged, so a run that was killed finishes only what is missing. One article's failure
    is recorded and the others go on; Ctrl-C stops the run with what is finished kept
    (status "interrupted", no merge). `progress`: a rich bar on stderr and a summary table,
    "jsonl" events on stdout, or "quiet". The process exit code is `summary.exit_code`.

    Raises InputError when `directory` is not a folder or `out` is in use by another run.
    """
    directory, out = Path(directory), Path(out)
    if not directory.is_dir():
        raise InputError(f"{directory} is not a folder")
    config = config or resolve_config()
    if concurrency is not None and concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, got {concurrency}")
    _Limiter(rpm, tpm)  # validate before starting
    with _exclusive(out):
        return asyncio.run(_run(directory, out, config, concurrency, rpm, tpm, _display(progress)))


# --- the `extract` command: given files, reports named by stem -----------------------------


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file."""

    path: Path
    output: Path | None = None
    report: DefenceMeetingReport | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether a report was written."""
        return self.report is not None


def extract_files(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    config: Config | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Write one report per article file to `out_dir/<stem>.json`; return results in input order.

    Unreadable files and failed extractions are recorded, not raised; the embedded server, when
    needed, is started once for the whole batch.
    """
    results: dict[int, FileResult] = {}
    stems: dict[str, Path] = {}
    unique: list[int] = []
    for i, path in enumerate(paths):
        if path.stem in stems:
            results[i] = FileResult(path, error=f"same file stem as {stems[path.stem]}")
        else:
            stems[path.stem] = path
            unique.append(i)
    for result in results.values():
        if on_result:
            on_result(result)
    for outcome in summarise_many((paths[i] for i in unique), config=config):
        i = unique[outcome.index]
        if outcome.report is not None:
            output = out_dir / f"{paths[i].stem}.json"
            write_json_atomic(output, outcome.report)
            result = FileResult(paths[i], output, outcome.report, seconds=outcome.seconds)
        else:
            result = FileResult(paths[i], error=str(outcome.error), seconds=outcome.seconds)
        results[i] = result
        if on_result:
            on_result(result)
    return [results[i] for i in range(len(paths))]
