"""`run --format jsonl|parquet`: reports as rows of part files (`batch.store`), reused like
JSON files, written a part at a time so that a stopped run keeps its finished parts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.batch import RunSummary, run_folder, store
from summarise.batch.store import Parts, report_text
from summarise.cli import app
from summarise.merging import load_reports
from summarise.models import DefenceMeetingReport
from summarise.report_parts import PartFormat, PartRow, encode_part, part_files, read_part

from .faultserver import FaultServer
from .run_outputs import without_timings
from .test_batch import CALLS, article_text, config_for, entries, server, write_articles

__all__ = ["server"]  # the fixture, imported for these tests

pytest.importorskip("pyarrow.parquet")
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ROOT = Path(__file__).resolve().parents[1]
FORMATS: list[PartFormat] = ["jsonl", "parquet"]


def _rows(out: Path, format: PartFormat) -> dict[str, PartRow]:
    """The run's rows by name, a later part's winning."""
    rows: dict[str, PartRow] = {}
    for part in part_files(out / "reports", format):
        rows.update((row.name, row) for row in read_part(part))
    return rows


@pytest.mark.parametrize("format", FORMATS)
def test_part_runs_store_the_reports_a_json_run_writes(
    tmp_path: Path, server: Callable[..., FaultServer], format: PartFormat
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a", "b", "sub/a"])
    fake = server()
    config = config_for(fake.url)

    as_json = run_folder(src, tmp_path / "json", config=config)
    as_parts = run_folder(src, tmp_path / format, config=config, format=format)

    assert as_json.status == as_parts.status == "complete" and as_parts.counts.done == 3
    assert not list((tmp_path / format / "reports").glob("*.json"))
    rows = _rows(tmp_path / format, format)
    assert set(rows) == {"a", "b", "sub__a"}
    for name, row in rows.items():
        file = (tmp_path / "json" / "reports" / f"{name}.json").read_text(encoding="utf-8")
        assert without_timings(json.loads(row.report)) == without_timings(json.loads(file))
        # the row holds what the report's JSON file would hold, byte for byte
        assert row.report == report_text(DefenceMeetingReport.model_validate_json(row.report))
        assert entries(as_parts)[name].report == f"reports/part-000001.{format}"
    assert (tmp_path / format / "events.json").read_bytes() == (
        tmp_path / "json" / "events.json"
    ).read_bytes()


@pytest.mark.parametrize("format", FORMATS)
def test_a_rerun_reuses_every_row_without_a_model_call_or_a_new_part(
    tmp_path: Path, server: Callable[..., FaultServer], format: PartFormat
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b", "c"])
    fake = server()
    config = config_for(fake.url)
    first = run_folder(src, out, config=config, format=format)

    again = run_folder(src, out, config=config, format=format)

    assert again.counts.cached == 3 and sum(fake.requests.values()) == 3 * CALLS
    assert len(part_files(out / "reports", format)) == 1
    assert again.merge_key == first.merge_key  # the same reports: not merged again

    (src / "b.txt").write_text(article_text("b") + " One more sentence.", encoding="utf-8")
    changed = run_folder(src, out, config=config, format=format)

    assert {e.name: e.status for e in changed.articles} == {
        "a": "cached", "b": "done", "c": "cached"
    }  # fmt: skip
    assert fake.requests["b"] == 2 * CALLS and fake.requests["a"] == CALLS
    assert entries(changed)["b"].report == f"reports/part-000002.{format}"
    assert changed.merge_key != first.merge_key
    assert "One more sentence." in json.loads(_rows(out, format)["b"].report)["source"]["text"]


def test_a_report_made_in_another_format_is_reused_and_copied(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b"])
    fake = server()
    config = config_for(fake.url)
    run_folder(src, out, config=config)

    as_parquet = run_folder(src, out, config=config, format="parquet")
    back = run_folder(src, out, config=config, format="jsonl")

    assert as_parquet.counts.cached == back.counts.cached == 2
    assert sum(fake.requests.values()) == 2 * CALLS
    for name in ("a", "b"):
        file = (out / "reports" / f"{name}.json").read_text(encoding="utf-8")
        assert _rows(out, "parquet")[name].report == file == _rows(out, "jsonl")[name].report


def test_parts_are_written_every_so_many_rows_and_after_a_while(tmp_path: Path) -> None:
    parts = Parts(tmp_path, tmp_path, "jsonl", rows=2, seconds=60)
    locations = [parts.put(name, f"key-{name}", f"{{}}\n{name}") for name in "abcde"]
    assert locations == ["part-000001.jsonl"] * 2 + ["part-000002.jsonl"] * 2 + [
        "part-000003.jsonl"
    ]
    assert [p.name for p in part_files(tmp_path, "jsonl")] == [
        "part-000001.jsonl", "part-000002.jsonl"
    ]  # fmt: skip
    parts.close()
    assert [r.name for r in read_part(tmp_path / "part-000003.jsonl")] == ["e"]

    parts = Parts(tmp_path, tmp_path, "jsonl", rows=100, seconds=0.05)
    assert parts.put("a", "key-a2", "{}\n") == "part-000004.jsonl"  # after the last part
    deadline = time.monotonic() + 10
    while not (tmp_path / "part-000004.jsonl").exists():  # written by the timer, unasked
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert [r.key for r in read_part(tmp_path / "part-000004.jsonl")] == ["key-a2"]
    parts.close()
    assert len(part_files(tmp_path, "jsonl")) == 4  # nothing left to write


@pytest.mark.parametrize("format", FORMATS)
def test_a_corrupt_part_is_a_warning_and_its_articles_are_made_again(
    tmp_path: Path,
    server: Callable[..., FaultServer],
    monkeypatch: pytest.MonkeyPatch,
    format: PartFormat,
) -> None:
    monkeypatch.setattr(store, "PART_ROWS", 2)
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b", "c", "d"])
    fake = server()
    config = config_for(fake.url)
    run_folder(src, out, config=config, format=format, concurrency=1)
    first, _ = part_files(out / "reports", format)
    lost = {row.name for row in read_part(first)}
    first.write_bytes(first.read_bytes()[:-10])  # truncated, as by a copy cut short

    again = run_folder(src, out, config=config, format=format)

    assert again.exit_code == 0
    assert len(again.warnings) == 1 and first.name in again.warnings[0]
    assert "extracted again" in again.warnings[0]
    assert {e.name for e in again.articles if e.status == "done"} == lost
    assert {e.name for e in again.articles if e.status == "cached"} == {"a", "b", "c", "d"} - lost
    assert all(fake.requests[name] == 2 * CALLS for name in lost)
    assert (first.parent / f"{first.name}.corrupt").exists()

    third = run_folder(src, out, config=config, format=format)
    assert third.counts.cached == 4 and third.warnings == []


# A run in a subprocess, stopped by a signal: parts of 2 rows, so some are finished before.
_RUN = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from summarise.batch import run_folder, store
from summarise.config import Config
store.PART_ROWS = 2
config = Config(base_url=sys.argv[3], model="fake", mode="json_schema", retry_backoff=0)
summary = run_folder(sys.argv[1], sys.argv[2], config=config, concurrency=2, format=sys.argv[4])
sys.exit(summary.exit_code)
"""


@pytest.mark.parametrize(("format", "sig"), [("jsonl", signal.SIGKILL), ("parquet", signal.SIGINT)])
def test_a_stopped_run_keeps_its_finished_parts(
    tmp_path: Path, format: PartFormat, sig: signal.Signals
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    names = [f"{i:02d}" for i in range(12)]
    write_articles(src, names)
    env = {**os.environ, "SUMMARISE_CONFIG": str(tmp_path / "no-config.toml")}
    with FaultServer(latency=0.3) as slow:
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUN, str(src), str(out), slow.url, format],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while len(part_files(out / "reports", format)) < 2:
                assert proc.poll() is None, "the run ended before it could be stopped"
                assert time.monotonic() < deadline, "no parts written within 60 s"
                time.sleep(0.02)
            proc.send_signal(sig)
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 130)

    kept = _rows(out, format)  # every part on disk reads whole
    assert 4 <= len(kept) < len(names)
    assert not list(out.rglob("*.tmp")) or sig == signal.SIGKILL
    if sig == signal.SIGINT:  # stopped cleanly: what run.json lists as done is in a part
        record = RunSummary.model_validate_json((out / "run.json").read_bytes())
        assert {e.name for e in record.articles if e.status == "done"} == set(kept)

    with FaultServer() as fake:
        summary = run_folder(src, out, config=config_for(fake.url), format=format)
        asked = dict(fake.requests)

    assert summary.exit_code == 0
    assert {e.name for e in summary.articles if e.status == "cached"} == set(kept)
    assert set(asked) == set(names) - set(kept)  # only what no part held is asked again
    assert set(_rows(out, format)) == set(names)


def test_merge_reads_parts_and_a_reports_folder(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b", "c"])
    fake = server()
    run_folder(src, out, config=config_for(fake.url), format="parquet")
    (part,) = part_files(out / "reports", "parquet")

    assert sorted(r.source.id for r in load_reports([part])) == ["a", "b", "c"]
    assert sorted(r.source.id for r in load_reports([out / "reports"])) == ["a", "b", "c"]
    merged = tmp_path / "merged.json"
    result = CliRunner().invoke(app, ["merge", str(out / "reports"), "--out", str(merged)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(merged.read_bytes())["sources"]) == 3

    (out / "reports" / "part-000002.jsonl").write_bytes(
        encode_part([PartRow("a", "k", "{not json")], "jsonl")
    )
    result = CliRunner().invoke(app, ["merge", str(out / "reports"), "--out", str(merged)])
    assert result.exit_code == 2 and "part-000002.jsonl" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_format_is_refused_before_the_run(tmp_path: Path) -> None:
    write_articles(tmp_path / "in", ["a"])
    result = CliRunner().invoke(
        app, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--format", "csv"]
    )
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
