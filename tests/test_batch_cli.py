"""`summarise run` and `summarise extract` as a script sees them: exit codes, what is printed
on stdout and stderr when they are not on a terminal, and what never is (credentials).

The commands run in a subprocess (as a script would start them) against the fault server in
this process, or in-process through typer's runner where no log is involved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.batch import RunSummary, run_folder
from summarise.cli import app

from .faultserver import FaultServer, closed_port
from .test_batch import CALLS, config_for, write_articles

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
PASSWORD = "pa55-w0rd-never-shown"
KEY = "k3y-never-shown"


def summarise_cli(*args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`summarise ARGS` in a subprocess, as a script runs it: stdout and stderr are pipes."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SUMMARISE_", "OPENAI_"))},
        "SUMMARISE_CONFIG": str(home / "no-config.toml"),
        "SUMMARISE_MAX_RETRIES": "2",
        "SUMMARISE_RETRY_BACKOFF": "0",
        "SUMMARISE_TIMEOUT": "10",
    }
    return subprocess.run(
        [sys.executable, "-m", "summarise.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def fake() -> Iterator[FaultServer]:
    with FaultServer({"b": ["500"] * 3}) as server:
        yield server


def _everything_written(out: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in out.rglob("*")
        if path.is_file()
    )


# --- credentials ------------------------------------------------------------------------------


def test_credentials_in_the_base_url_are_never_printed_logged_or_recorded(
    tmp_path: Path, fake: FaultServer
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b"])
    host = fake.url.removeprefix("http://")
    url = f"http://agent:{PASSWORD}@{host}"

    result = summarise_cli(
        "-v", "run", str(src), "--out", str(out), "--base-url", url, "--model", "fake",
        "--progress", "jsonl", home=tmp_path,
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    assert f"HTTP Request: POST http://***@{host}/chat/completions" in result.stderr  # -v log
    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    failed = next(e for e in record.articles if e.name == "b")
    assert failed.error and f"The model server at http://***@{host} answered HTTP 500" in (
        failed.error
    )
    for text in (result.stdout, result.stderr, _everything_written(out)):
        assert PASSWORD not in text and "agent:" not in text


def test_keys_in_the_query_string_are_never_recorded(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a"])
    url = f"http://127.0.0.1:{closed_port()}/v1?api-key={KEY}&api-version=2024"

    summary = run_folder(src, out, config=config_for(url, max_retries=0))

    error = summary.articles[0].error or ""
    assert f"{url.split('?')[0]}?api-key=***&api-version=***" in error, error
    assert KEY not in (out / "run.json").read_text() and KEY not in json.dumps(
        summary.model_dump(mode="json")
    )


# --- the input boundary, from the command line ----------------------------------------------


def test_run_reads_links_out_of_the_folder_only_with_follow_links(
    tmp_path: Path, fake: FaultServer
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a"])
    write_articles(tmp_path / "private", ["secret"])
    (src / "notes.txt").symlink_to(tmp_path / "private" / "secret.txt")
    flags = ["--base-url", fake.url, "--model", "fake", "--progress", "quiet"]

    result = runner.invoke(app, ["run", str(src), "--out", str(tmp_path / "o1"), *flags])
    assert result.exit_code == 0, result.output
    assert "secret" not in fake.requests

    followed = ["run", str(src), "--out", str(tmp_path / "o2"), "--follow-links", *flags]
    assert runner.invoke(app, followed).exit_code == 0
    assert fake.requests["secret"] == CALLS


def test_run_refuses_an_output_folder_that_is_the_input_folder(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a"])

    result = runner.invoke(app, ["run", str(src), "--out", str(src), "--base-url", "http://x/v1"])

    assert result.exit_code == 2
    assert f"The output folder {src} is the input folder" in result.stderr
    assert "Traceback" not in result.output + result.stderr


# --- in a script: stdout and stderr are not terminals ------------------------------------------

_QUICK = {"SUMMARISE_MAX_RETRIES": "0", "SUMMARISE_RETRY_BACKOFF": "0"}


def test_extract_in_a_script_prints_plain_rows_and_one_line_per_failure(
    tmp_path: Path, fake: FaultServer
) -> None:
    write_articles(tmp_path, ["a", "b"])
    odd = tmp_path / "two\nlines\ttab.txt"
    odd.write_text((tmp_path / "b.txt").read_text(), encoding="utf-8")  # tagged b: fails too
    files = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), str(odd)]
    out = tmp_path / "out"

    result = runner.invoke(
        app,
        ["extract", *files, "--out", str(out), "--base-url", fake.url, "--model", "fake"],
        env=_QUICK,
    )

    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == [
        "article", "attendees", "denials", "evidence aligned / not found", "seconds", "report"
    ]  # fmt: skip
    assert [len(row) for row in rows] == [6, 6, 6, 6]  # the odd name does not break a row
    assert rows[1][0] == "a.txt" and rows[1][5] == str(out / "a.json")
    assert rows[2][0] == "b.txt" and rows[2][5] == "failed (BackendError)"
    assert rows[3][0] == "two\\nlines\\ttab.txt"
    failures = result.stderr.splitlines()
    assert len(failures) == 2 and all(f.startswith("failed: ") for f in failures)
    assert failures[0].startswith(f"failed: {tmp_path / 'b.txt'}: BackendError: The model server")
    assert "HTTP 500 after 1 attempt(s)" in failures[0]
    assert failures[1].startswith(f"failed: {tmp_path}/two\\nlines\\ttab.txt: BackendError: ")


def test_extract_says_what_stopped_it(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha met Beta in Oslo.", encoding="utf-8")
    missing = tmp_path / "missing.gguf"  # the embedded server cannot start

    result = runner.invoke(
        app, ["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"),
              "--model-path", str(missing)],
    )  # fmt: skip

    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].split("\t")[5] == "not done"
    assert result.stderr.startswith("error: ") and (
        "missing.gguf" in result.stderr or "llama-cpp-python" in result.stderr
    )


def test_run_in_a_script_prints_plain_lines_and_one_line_per_failure(
    tmp_path: Path, fake: FaultServer
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b"])

    result = runner.invoke(
        app, ["run", str(src), "--out", str(out), "--base-url", fake.url, "--model", "fake"],
        env=_QUICK,
    )  # fmt: skip

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:5] == ["status\tcomplete", "articles\t2", "extracted\t1", "cached\t0",
                         "failed\t1"]  # fmt: skip
    assert f"output\t{out.resolve()}" in lines and "\u2026" not in result.stdout
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert failed == [
        f"failed: b.txt: BackendError: The model server at {fake.url} answered HTTP 500 after "
        "1 attempt(s): Error code: 500 - {'error': {'message': 'internal error'}}"
    ]


def test_run_stops_early_with_one_line_when_the_server_is_down(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_articles(src, [f"a{i}" for i in range(8)])
    url = f"http://127.0.0.1:{closed_port()}/v1"

    result = runner.invoke(
        app, ["run", str(src), "--out", str(tmp_path / "out"), "--base-url", url,
              "--model", "fake", "--concurrency", "2"],
        env=_QUICK,
    )  # fmt: skip

    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(
        f"error: Stopped early: the model server at {url} refuses connections"
    )
    lines = result.stdout.splitlines()
    assert "status\tfailed" in lines and "failed\t2" in lines and "not finished\t6" in lines
