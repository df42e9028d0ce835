"""The command line: every command has help, and each wraps its library function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.config import EMBEDDED_MODEL_ALIAS
from summarise.models import DefenceMeetingReport
from summarise.output import json_schemas

from .conftest import ARTICLES, REFERENCE_IDS, ROOT

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    [[], ["extract"], ["run"], ["merge"], ["review"], ["show"], ["eval"], ["schema"], ["model"],
     ["model", "pull"], ["model", "path"]],
)  # fmt: skip
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_schema_writes_every_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name, schema in json_schemas().items():
        assert json.loads((tmp_path / f"{name}.schema.json").read_text()) == schema


def test_extract_records_bad_files_and_exits_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    result = runner.invoke(app, ["extract", str(empty), str(binary), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "binary.txt" in result.output
    assert not (tmp_path / "o").exists()


def test_extract_bad_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("nonsense = 1\n")
    result = runner.invoke(app, ["extract", "x.txt", "--config", str(bad)])
    assert result.exit_code == 2
    assert "unknown settings" in result.output


@pytest.mark.model
def test_extract_merge_and_eval_on_the_reference_articles(
    tmp_path: Path, cassette: Any, reference_reports: dict[str, DefenceMeetingReport]
) -> None:
    out = tmp_path / "reports"
    flags = ["--base-url", "http://127.0.0.1:9/v1", "--backend", "embedded"]
    for stem in REFERENCE_IDS:
        with cassette(f"reference/{stem}", replay=True):
            result = runner.invoke(
                app,
                ["extract", str(ARTICLES / f"{stem}.json"), "--out", str(out), *flags,
                 "--model", EMBEDDED_MODEL_ALIAS],
            )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert stem in result.output
        written = DefenceMeetingReport.model_validate_json((out / f"{stem}.json").read_text())
        assert written.attendees == reference_reports[stem].attendees

    merged = tmp_path / "merged.json"
    result = runner.invoke(
        app, ["merge", *map(str, sorted(out.glob("*.json"))), "--out", str(merged)]
    )
    assert result.exit_code == 0, result.output
    assert "2 sources" in result.output
    assert "provenance:" not in result.output

    page = tmp_path / "review.html"
    result = runner.invoke(app, ["review", str(merged), "--out", str(page)])
    assert result.exit_code == 0, result.output
    assert "disputed" in page.read_text() and "<script" in page.read_text()
    notes = tmp_path / "review.md"
    result = runner.invoke(
        app, ["review", str(merged), "--format", "markdown", "--out", str(notes)]
    )
    assert result.exit_code == 0, result.output
    assert "Adani Defence" in notes.read_text()
    result = runner.invoke(app, ["show", str(merged)])
    assert result.exit_code == 0, result.output
    assert "Adani Defence" in result.output and "disputed" in result.output

    scores = tmp_path / "scores.json"
    result = runner.invoke(
        app, ["eval", str(ROOT / "gold"), "--reports", str(out), "--json", str(scores)]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(scores.read_text())["articles"]) == 2


def test_review_and_show_refuse_what_is_not_a_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    for command in (["review", str(bad), "--out", str(tmp_path / "r.html")], ["show", str(bad)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "expected a report" in result.output
    assert not (tmp_path / "r.html").exists()
    result = runner.invoke(app, ["review", str(bad), "--format", "pdf"])
    assert result.exit_code == 2


@pytest.mark.model
def test_run_writes_reports_merge_record_and_page_then_reuses_them(
    tmp_path: Path, cassette: Any, reference_reports: dict[str, DefenceMeetingReport]
) -> None:
    stem = REFERENCE_IDS[0]
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / f"{stem}.json").write_bytes((ARTICLES / f"{stem}.json").read_bytes())
    out = tmp_path / "out"
    flags = ["--base-url", "http://127.0.0.1:9/v1", "--backend", "embedded",
             "--model", EMBEDDED_MODEL_ALIAS, "--progress", "quiet"]  # fmt: skip
    with cassette(f"reference/{stem}", replay=True):
        result = runner.invoke(app, ["run", str(folder), "--out", str(out), *flags])
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["counts"]["done"] == 1
    assert (out / "merged.json").exists() and (out / "review.html").exists()
    report = DefenceMeetingReport.model_validate_json(
        (out / "reports" / f"{stem}.json").read_text()
    )
    assert report.attendees == reference_reports[stem].attendees
    # Again, with no cassette at all: every report is reused, no model call is made.
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), *flags])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "run.json").read_text())["counts"]["cached"] == 1


def test_ray_options_without_the_ray_engine_are_a_configuration_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--workers", "2"]
    )
    assert result.exit_code == 2 and "--engine ray" in result.output
