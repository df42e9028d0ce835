"""Runs over folders: find the articles, reuse unchanged reports, extract the rest, merge.

`run_folder` turns a folder into per-article reports, one merged report per event (written
by `outputs`), `review.html` and `run.json`, reusing every report whose inputs are unchanged
(`reading`), so that a run killed at any moment finishes only what is missing when started
again. `extract_files` is the same run over given files, writing `<stem>.json` reports and
nothing else. Progress goes to a `RunProgress` the caller supplies (the CLI draws it); the
library prints nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from ..backends import refused
from ..config import Config, redact, redact_url, resolve_config
from ..entities import AliasTable
from ..errors import InputError, SummariseError
from ..models import DefenceMeetingReport, EventOverrides
from ..output import OutputError, write_json_atomic
from .batch_api import BatchApiSettings, BatchFailed
from .checks import check_apart, check_batch_api, check_options, cluster_for
from .discover import Found, discover, report_names, safe_name, storable
from .many import asummarise_many, default_concurrency
from .outputs import write_outputs
from .progress import RunProgress, Silent
from .ray_engine import RaySettings, ray_outcomes
from .ray_events import RayEvents
from .reading import Job, provenance_of, read_articles, record_failure
from .record import ArticleEntry, BatchEntry, RunSummary, SkippedFile, tally
from .remote import MIRROR_FOLDER, RemoteFolder, check_outside, is_uri, open_folder, stage
from .store import (
    STORE_WARNING,
    JsonFiles,
    ReportFormat,
    ReportStore,
    check_format,
    open_store,
    report_key,
    report_text,
)
from .terminate import Terminate
from .writing import Journal, check_writable, exclusive

__all__ = ["RunProgress", "extract_files", "run_folder"]


def _store_report(store: ReportStore, name: str, report: DefenceMeetingReport) -> str:
    return store.put(name, report_key(report), report_text(report))


async def _write_report(
    store: ReportStore, name: str, report: DefenceMeetingReport
) -> tuple[str | None, OutputError | None, asyncio.CancelledError | None]:
    """Store a report: where it is, or the error that stopped it (a full disk), and the
    cancellation (Ctrl-C, SIGTERM) that came meanwhile, if any: the write is never cut
    short, so a report being written is finished, and recorded, before the run stops."""
    write = asyncio.ensure_future(asyncio.to_thread(_store_report, store, name, report))
    stop: asyncio.CancelledError | None = None
    while not write.done():
        try:
            await asyncio.wait({write})  # unlike wait_for, never cancels the write itself
        except asyncio.CancelledError as exc:
            stop = exc
    error = write.exception()
    if error is not None and not isinstance(error, OutputError):
        raise error
    return (None if error is not None else write.result()), error, stop


class _ServerDown(Exception):
    """The model server refuses connections: the run stops rather than wait out every
    article's retries."""


# How many articles in a row may fail for a server that refuses connections before the run
# stops (fewer when the run has fewer): each has waited out all its retries by then.
_REFUSALS_TO_STOP = 2


def _server_down(config: Config, refusals: int, made: int) -> _ServerDown:
    where = redact_url(config.base_url) if config.base_url else "the embedded server"
    kept = f"the {made} report(s) made in this run are kept" if made else "reports made are kept"
    return _ServerDown(
        f"Stopped early: the model server at {where} refuses connections ({refusals} "
        f"article(s) in a row could not reach it after all their retries). Start it, or check "
        f"the base URL, and run again: {kept} and not asked for again."
    )


async def _extract_jobs(
    jobs: list[Job],
    reports: dict[str, DefenceMeetingReport],
    store: ReportStore,
    config: Config,
    summary: RunSummary,
    ended: Callable[[ArticleEntry], None],
    ray: RaySettings | None,
    batch_api: tuple[BatchApiSettings, Callable[[BatchEntry], None]] | None = None,
) -> None:
    """Extract the jobs (here, on Ray, or through a batch API), writing each report as it
    comes; stop when the server refuses the first articles' connections (`_ServerDown`) or a
    batch fails (`BatchFailed`)."""
    pace = summary.concurrency, summary.rpm, summary.tpm
    if batch_api is not None:
        many = asummarise_many((job.article for job in jobs), config=config,
                               concurrency=min(pace[0], len(jobs)), batch_api=batch_api[0],
                               on_batch=batch_api[1])  # fmt: skip
    elif ray is None:
        many = asummarise_many((job.article for job in jobs), config=config,
                               concurrency=pace[0], rpm=pace[1], tpm=pace[2])  # fmt: skip
    else:
        many = ray_outcomes([job.article for job in jobs], config=config, settings=ray,
                            concurrency=pace[0], rpm=pace[1], tpm=pace[2])  # fmt: skip
    refusals, made = 0, 0
    async with contextlib.aclosing(many) as outcomes:
        async for outcome in outcomes:
            entry = jobs[outcome.index].entry
            entry.seconds = outcome.seconds
            stop = None
            if outcome.report is not None:
                info = outcome.report.extraction
                entry.attempts, entry.usage = info.attempts, info.usage
                location, error, stop = await _write_report(store, entry.name, outcome.report)
                if error is not None:  # a full disk: this article's work is lost, not the run
                    record_failure(entry, error, config)
                    entry.attempts, entry.usage = info.attempts, info.usage  # what it cost
                else:
                    reports[entry.name] = outcome.report
                    entry.status, entry.report = "done", location
                    made += 1
            elif outcome.error is not None:
                record_failure(entry, outcome.error, config)
            ended(entry)
            if stop is not None:
                raise stop
            refusals = refusals + 1 if outcome.error is not None and refused(outcome.error) else 0
            if refusals >= min(_REFUSALS_TO_STOP, len(jobs)):
                raise _server_down(config, refusals, made)


def _previous(out: Path) -> RunSummary | None:
    """The record of the last run into `out`, if there is a readable one."""
    try:
        return RunSummary.model_validate_json((out / "run.json").read_bytes())
    except (OSError, ValidationError):
        return None


def _summary(
    config: Config,
    provenance: tuple[str, ...],
    names: Sequence[str],
    rels: Sequence[str],
    skipped: list[SkippedFile],
    *,
    directory: Path,
    out: Path,
    concurrency: int | None,
    rpm: int | None,
    tpm: int | None,
) -> RunSummary:
    """The record of a run about to start: every article pending."""
    summary = RunSummary(
        status="running",
        started=datetime.now(UTC),
        input=str(directory.resolve()),
        output=str(out.resolve()),
        backend=provenance[0],
        model=provenance[1],
        mode=provenance[2],
        prompt_version=provenance[3],
        concurrency=concurrency or default_concurrency(config),
        rpm=rpm,
        tpm=tpm,
        articles=[
            ArticleEntry(name=name, path=rel, status="pending")
            for name, rel in zip(names, rels, strict=True)
        ],
        skipped=skipped,
    )
    tally(summary)
    return summary


async def _execute(
    files: Sequence[Found | Path],
    summary: RunSummary,
    store: ReportStore,
    root: Path,
    config: Config,
    provenance: tuple[str, ...],
    show: RunProgress,
    journal: Journal | None = None,
    ray: RaySettings | None = None,
    batch_api: BatchApiSettings | None = None,
) -> dict[str, DefenceMeetingReport]:
    """Settle cached and unreadable articles, extract the rest; set the run's status.

    Each article that ends is shown and, with a `journal`, recorded in run.json as it ends;
    reports are in `store` (locations relative to `root`), all written when this returns.
    Ctrl-C and SIGTERM stop the extraction with what is finished kept ("interrupted").
    """

    def ended(entry: ArticleEntry) -> None:
        if journal is not None:
            journal.changed()
        show.article(entry)

    def batch(entry: BatchEntry) -> None:
        if not any(b is entry for b in summary.batches):
            summary.batches.append(entry)
        if journal is not None:
            journal.changed()
        show.batch(entry)

    batching = None if batch_api is None else (batch_api, batch)
    jobs, reports = read_articles(files, summary, store, provenance, ended)
    terminate = Terminate()
    try:
        if jobs:
            show.extracting()
            extraction = asyncio.ensure_future(
                _extract_jobs(jobs, reports, store, config, summary, ended, ray, batching)
            )
            with terminate.cancels(extraction):
                await extraction
        summary.status = "complete"
    except asyncio.CancelledError:  # what is finished is on disk (and in run.json) already
        summary.status = "interrupted"
        summary.stopped_by = "SIGTERM" if terminate.received else "SIGINT"
    except _ServerDown as exc:
        summary.status, summary.error = "failed", str(exc)
    except BatchFailed as exc:  # what came back before it is on disk already
        made = sum(a.status == "done" for a in summary.articles)
        summary.status = "failed"
        summary.error = redact(
            f"Stopped: {exc} The {made} report(s) made in this run are kept; run again to "
            "send only the articles not finished.",
            config,
        )
    except SummariseError as exc:  # the model server could not be started
        summary.status, summary.error = "aborted", redact(str(exc), config)
    finally:
        _close(store, summary, root)
        if journal is not None:
            journal.close()
    return reports


def _close(store: ReportStore, summary: RunSummary, root: Path) -> None:
    """Write the reports the store still holds; if it cannot (a full disk), the run fails
    and the articles whose reports are lost are pending again."""
    try:
        store.close()
    except OutputError as exc:
        summary.status, summary.error = "failed", f"reports not written: {exc}"
        for entry in summary.articles:
            if entry.status == "done" and not (root / (entry.report or "")).is_file():
                entry.status, entry.report = "pending", None


@dataclass(frozen=True)
class _Options:
    """How a folder run goes: pacing, links, and how its reports are merged."""

    concurrency: int | None
    rpm: int | None
    tpm: int | None
    follow_links: bool
    one_event: bool
    overrides: EventOverrides | None
    aliases: AliasTable | None
    ray: RaySettings | None
    format: ReportFormat = "json"
    remote: RemoteFolder | None = None  # a URI's folder, copied into `out/input` first
    batch_api: BatchApiSettings | None = None


def _without_store_warnings(previous: RunSummary | None) -> RunSummary | None:
    """The last run's record with only its merge's warnings (the store's were that run's)."""
    if previous is None:
        return None
    kept = [w for w in previous.warnings if not w.startswith(STORE_WARNING)]
    return previous.model_copy(update={"warnings": kept})


async def _run(
    directory: Path, out: Path, config: Config, options: _Options, show: RunProgress
) -> RunSummary:
    clock = time.perf_counter()
    previous = _previous(out)
    provenance = provenance_of(config)
    store = open_store(options.format, out, out / "reports")
    staged: list[SkippedFile] = []
    if options.remote is not None:  # the output folder holds the copy: only reports/ is ours
        directory = out / MIRROR_FOLDER
        staged = stage(options.remote, directory, out=out).skipped
    outputs = out if options.remote is None else out / "reports"
    found, skipped = discover(directory, outputs, follow_links=options.follow_links)
    skipped = sorted([*staged, *skipped], key=lambda s: s.path) if staged else skipped
    paths = [f.path for f in found]
    rels = [storable(path.relative_to(directory).as_posix()) for path in paths]
    summary = _summary(
        config, provenance, report_names(paths, directory), rels, skipped,
        directory=directory, out=out, concurrency=options.concurrency, rpm=options.rpm,
        tpm=options.tpm,
    )  # fmt: skip
    summary.engine = "local" if options.ray is None else "ray"
    if options.remote is not None:
        summary.input = options.remote.shown
    summary.warnings.extend(store.warnings)
    if options.batch_api is not None:  # every article in flight: each round is one batch
        summary.engine = "batch-api"
        summary.concurrency = options.concurrency or max(
            1, min(len(summary.articles), options.batch_api.max_in_flight)
        )
    write_json_atomic(out / "run.json", summary)
    show.begin(summary)
    journal = Journal(out / "run.json", summary)
    reports = await _execute(
        found, summary, store, out, config, provenance, show, journal, options.ray,
        options.batch_api,
    )  # fmt: skip
    if summary.status == "complete" and reports:
        write_outputs(
            out, reports, summary, _without_store_warnings(previous),
            one_event=options.one_event, overrides=options.overrides, aliases=options.aliases,
            fingerprint=store.fingerprint,
            engine=None if options.ray is None else RayEvents(options.ray.workers),
        )  # fmt: skip
    summary.seconds = round(time.perf_counter() - clock, 3)
    tally(summary)
    try:
        write_json_atomic(out / "run.json", summary)
    except OutputError as exc:  # the summary returned (and shown) is then the only record
        summary.status = "failed"
        summary.error = "; ".join(filter(None, [summary.error, f"run.json is stale: {exc}"]))
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
    progress: RunProgress | None = None,
    follow_links: bool = False,
    one_event: bool = False,
    overrides: EventOverrides | None = None,
    aliases: AliasTable | None = None,
    ray: RaySettings | None = None,
    format: ReportFormat = "json",
    batch_api: BatchApiSettings | None = None,
) -> RunSummary:
    """Extract every article under `directory` into `out`; return what was done.

    `directory` is a local folder, or (a string) a URI of any file system pyarrow opens
    (`s3://bucket/news/`, `gs://...`, `file:///abs/path`): its article files are copied into
    `out/input/` (`batch.remote`; unchanged files are not copied again) and run from there,
    with the same report names as the folder read locally; `run.json` records the URI.

    Writes `out/reports/<name>.json` per article, or with `format` "jsonl" or "parquet" rows
    of part files `out/reports/part-<n>.<format>` (`batch.store`); the folder's events
    (`out/events.json`, `out/events/<id>.json` and `.html`, grouped by
    `summarise.events.group_events` with the reviewer's `overrides`), `out/review.html` (the
    list of events, or the page of the only one) and `out/merged.json` when the folder is one
    event, or with `one_event` the whole folder merged as one (`batch.outputs`); and
    `out/run.json` (the returned summary). Each is written atomically. A report is reused,
    with no model call, when its article (text and metadata), backend, model, mode, prompt
    version and schema version are unchanged, so a run that was killed finishes only what is
    missing. `run.json` is rewritten as articles end (at most once a second), so even after
    kill -9 it lists what was finished (with parts, the reports of a killed run's last
    seconds may be listed yet lost: the next run makes them again). One article's failure is
    recorded and the others go on; Ctrl-C or SIGTERM stops the run with what is finished kept
    (status "interrupted", no merge). A server that refuses connections stops the run early,
    and a merge that cannot be written (a full disk) fails it: status "failed", with
    `summary.error` saying why. The process exit code is `summary.exit_code`.

    With `ray`, the model calls run on Ray Data (`batch.ray_engine`, the `ray` extra) against
    served models, `concurrency` per worker; everything else, and what is written, is the same.
    With `batch_api`, they go through the endpoint's hosted batch API (`batch.batch_api`):
    every article in flight at once (up to `concurrency`, else `max_in_flight`), each round
    of their calls one batch, recorded in `summary.batches`; a batch that fails stops the run
    (status "failed") with the reports finished kept.

    Nothing outside `directory` is read: a symbolic link that leads out of it is listed in
    `summary.skipped` with that reason, unless `follow_links`; a file reached twice is read
    once, and `out` is never read even when it lies inside `directory`.

    Raises InputError when `directory` is not a folder, `out` is `directory` itself (or
    holds it as its reports folder), or `out` is in use by another run; OutputError, before
    any model call, when `out` cannot be written. For a URI: InputError when it cannot be
    opened or listed, ConfigError when the store refuses the credentials, SetupError
    without pyarrow (as for `format="parquet"`).
    """
    out = Path(out)
    remote = None
    if is_uri(directory):
        remote = open_folder(str(directory))
        if remote.local is not None:  # a file:// URI
            check_apart(remote.local, out)
            check_outside(remote.local, out)
        directory = out / MIRROR_FOLDER
    directory = Path(directory)
    if remote is None and not directory.is_dir():
        raise InputError(f"{directory} is not a folder")
    if remote is None:
        check_apart(directory, out)
    check_format(format)
    config = config or resolve_config()
    check_options(concurrency, rpm, tpm)
    if batch_api is not None:
        check_batch_api(config, ray, rpm, tpm)
    options = _Options(concurrency, rpm, tpm, follow_links, one_event, overrides, aliases, ray,
                       format, remote, batch_api)  # fmt: skip
    with exclusive(out), cluster_for(config, ray):
        return asyncio.run(_run(directory, out, config, options, progress or Silent()))


def extract_files(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    config: Config | None = None,
    concurrency: int | None = None,
    progress: RunProgress | None = None,
) -> RunSummary:
    """Write one report per article file to `out/<stem>.json`, as a run without the merge.

    Reports are reused like `run_folder`'s; unreadable files and failed extractions are
    recorded in the returned summary (in input order), not raised. Two files with the same
    stem would write the same report: the second fails with that reason. A stem that is not
    safe as a file name (control characters...) is made safe, with a hash. Raises OutputError,
    before any model call, when `out` cannot be written.
    """
    files, out = [Path(p) for p in paths], Path(out)
    config = config or resolve_config()
    check_options(concurrency, None, None)
    check_writable(out)
    stems = Counter[str]()
    names, firsts = [], dict[str, Path]()
    for path in files:
        stem = safe_name(path.stem)
        stems[stem] += 1
        firsts.setdefault(stem, path)
        names.append(stem if stems[stem] == 1 else f"{stem}~{stems[stem]}")
    provenance = provenance_of(config)
    summary = _summary(
        config, provenance, names, [storable(str(p)) for p in files], [],
        directory=Path.cwd(), out=out, concurrency=concurrency, rpm=None, tpm=None,
    )  # fmt: skip
    show = progress or Silent()
    show.begin(summary)
    for entry, path in zip(summary.articles, files, strict=True):
        first = firsts[safe_name(path.stem)]
        if first is not path:
            record_failure(entry, InputError(f"{path}: same file stem as {first}"))
            show.article(entry)
    clock = time.perf_counter()
    todo = [(p, e) for p, e in zip(files, summary.articles, strict=True) if e.status == "pending"]
    sub = summary.model_copy(update={"articles": [e for _, e in todo]})
    asyncio.run(
        _execute([p for p, _ in todo], sub, JsonFiles(out, out), out, config, provenance, show)
    )
    summary.status, summary.error = sub.status, sub.error
    summary.seconds = round(time.perf_counter() - clock, 3)
    tally(summary)
    show.end(summary)
    return summary
