"""`--batch-api` against the fault server's batch API: the same reports and events as a live
run, one batch per round of calls (not per article), faults per line retried or recorded, a
failed batch stopping the run with nothing finished lost, resumes, the CLI and its refusals,
and credentials kept out of everything written."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarise.batch import (
    BatchApiSettings,
    BatchEntry,
    BatchFailed,
    RunSummary,
    asummarise_many,
    run_folder,
)
from summarise.batch.batch_api import _parse_line
from summarise.batch.record import ArticleEntry
from summarise.cli import app
from summarise.config import Config
from summarise.errors import ConfigError
from summarise.models import Article

from .batchstore import BatchFate
from .faultserver import FaultServer
from .run_outputs import report_files, without_timings
from .test_batch import CALLS, article_text, config_for, entries, server, write_articles

__all__ = ["server"]  # the fixture, imported for these tests

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

FAST = BatchApiSettings(poll_interval=0.01, max_poll_interval=0.02, max_wait=2.0)
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


class _Recorder:
    """A run's progress, kept: each batch event with what run.json said at that moment."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.events: list[tuple[str, str, bool]] = []  # id, status, ended
        self.recorded: list[list[dict[str, Any]]] = []  # run.json's batches at each event

    def begin(self, summary: RunSummary) -> None:
        pass

    def article(self, entry: ArticleEntry) -> None:
        pass

    def extracting(self) -> None:
        pass

    def batch(self, entry: BatchEntry) -> None:
        self.events.append((entry.id, entry.status, entry.ended is not None))
        self.recorded.append(json.loads((self.out / "run.json").read_bytes())["batches"])

    def end(self, summary: RunSummary) -> None:
        pass


# --- what a batch run writes ------------------------------------------------------------------


def test_a_batch_api_run_writes_what_the_live_run_writes(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = tmp_path / "in"
    keys = [f"a{i}" for i in range(5)]
    write_articles(src, keys)
    fake = server()
    config = config_for(fake.url)

    live = run_folder(src, tmp_path / "live", config=config)
    batched = run_folder(src, tmp_path / "batch", config=config, batch_api=FAST)

    assert live.status == batched.status == "complete" and batched.exit_code == 0
    assert batched.engine == "batch-api" and batched.counts.done == len(keys)
    assert report_files(tmp_path / "batch") == report_files(tmp_path / "live")
    assert (tmp_path / "batch" / "events.json").read_bytes() == (
        tmp_path / "live" / "events.json"
    ).read_bytes()
    merged = [json.loads((tmp_path / d / "merged.json").read_bytes()) for d in ("batch", "live")]
    assert without_timings(merged[0]) == without_timings(merged[1])
    assert all(fake.requests[k] == 2 * CALLS for k in keys)  # once per run, each pass once
    assert {e.usage.total_tokens for e in batched.articles} == {
        e.usage.total_tokens for e in live.articles
    }


def test_each_round_of_calls_is_one_batch_of_every_article_in_flight(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    keys = [f"a{i}" for i in range(6)]
    write_articles(src, keys)
    fake = server()
    shown = _Recorder(out)

    summary = run_folder(src, out, config=config_for(fake.url), batch_api=FAST, progress=shown)

    assert summary.counts.done == len(keys) and summary.concurrency == len(keys)
    assert [b.lines for b in fake.batches] == [len(keys)] * CALLS  # one batch per pass
    assert {b.endpoint for b in fake.batches} == {"/v1/chat/completions"}
    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert [b.id for b in record.batches] == [b.id for b in fake.batches]
    assert {b.status for b in record.batches} == {"completed"}
    assert all(b.requests == len(keys) and b.ended is not None for b in record.batches)
    # as the first batch went up the run said so, in run.json (written at once: its first
    # change) and to its progress: sent, not ended; then each status it went through
    first = fake.batches[0].id
    assert shown.events[0] == (first, "validating", False)
    assert [(b["id"], b["status"], b["ended"]) for b in shown.recorded[0]] == [
        (first, "validating", None)
    ]
    assert [s for i, s, _ in shown.events if i == first] == ["validating", "in_progress",
                                                             "completed", "completed"]  # fmt: skip


def test_concurrency_caps_the_articles_in_flight_and_so_each_batch(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a", "b", "c", "d"])
    fake = server()

    summary = run_folder(src, tmp_path / "out", config=config_for(fake.url), concurrency=2,
                         batch_api=FAST)  # fmt: skip

    assert summary.counts.done == 4 and summary.concurrency == 2
    assert max(b.lines for b in fake.batches) <= 2 and sum(b.lines for b in fake.batches) == 8


def test_a_batch_slower_than_a_live_call_may_take_is_waited_for(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a", "b"])
    fake = server(batch_polls=4)
    slow = BatchApiSettings(poll_interval=0.2, max_poll_interval=0.2)
    # each batch takes ~0.8 s: longer than a request's timeout and the article's own deadline
    config = config_for(fake.url, timeout=0.3, article_timeout=0.3)

    summary = run_folder(src, tmp_path / "out", config=config, batch_api=slow)

    assert summary.counts.done == 2, [a.error for a in summary.articles]
    assert len(fake.batches) == CALLS


# --- faults, line by line and batch by batch --------------------------------------------------


def test_a_faulty_line_is_retried_in_the_next_round_and_a_lasting_one_fails_its_article(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = tmp_path / "in"
    keys = ["ok", "flaky", "lost", "odd", "bad"]
    write_articles(src, keys)
    fake = server({"flaky": ["500"], "lost": ["drop"], "odd": ["malformed"],
                   "bad": ["500"] * 10})  # fmt: skip

    summary = run_folder(src, tmp_path / "out", config=config_for(fake.url), batch_api=FAST)

    assert summary.status == "complete" and summary.exit_code == 1
    states = {k: entries(summary)[k].status for k in keys}
    assert states == {"ok": "done", "flaky": "done", "lost": "done", "odd": "done",
                      "bad": "failed"}  # fmt: skip
    bad = entries(summary)["bad"]
    assert bad.error_type == "BackendError" and "HTTP 500 after 3 attempt(s)" in (bad.error or "")
    assert fake.requests["bad"] == 3  # max_retries=2: three lines in three rounds
    assert entries(summary)["odd"].attempts == CALLS + 1  # re-asked once, in the next batch
    # the retries and the re-ask ride along with the others' next pass: one round more
    assert len(fake.batches) == CALLS + 1
    assert [b.lines for b in fake.batches] == [5, 5, 4]


@pytest.mark.parametrize(
    ("fate", "said"),
    [
        ("failed", "failed (token_limit_exceeded: Enqueued token limit reached for fake.)"),
        ("expired", "expired: its completion window (24h) ran out before it was done"),
    ],
)
def test_a_failed_or_expired_batch_stops_the_run_and_loses_nothing_finished(
    tmp_path: Path, server: Callable[..., FaultServer], fate: BatchFate, said: str
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b", "c"])
    # one article in flight: "a" takes the first two batches; the third (b's) fails
    fake = server(batch_script=["completed", "completed", fate])
    config = config_for(fake.url)

    first = run_folder(src, out, config=config, concurrency=1, batch_api=FAST)

    assert first.status == "failed" and first.exit_code == 2
    third = fake.batches[2].id
    assert first.error is not None and f"Batch {third} {said}" in first.error
    assert "The 1 report(s) made in this run are kept" in first.error
    assert {k: entries(first)[k].status for k in "abc"} == {
        "a": "done",
        "b": "pending",
        "c": "pending",
    }
    assert (out / "reports" / "a.json").exists() and not (out / "reports" / "b.json").exists()
    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert record.status == "failed" and [b.id for b in record.batches][-1] == third
    assert record.batches[-1].status == fate and said in (record.batches[-1].error or "")

    again = run_folder(src, out, config=config, concurrency=1, batch_api=FAST)

    assert again.exit_code == 0
    assert {k: entries(again)[k].status for k in "abc"} == {"a": "cached", "b": "done", "c": "done"}
    assert fake.requests["a"] == CALLS  # never asked again


def test_a_batch_that_outlasts_its_timeout_is_cancelled_and_stops_the_run(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a"])
    fake = server(batch_polls=10_000)
    settings = BatchApiSettings(poll_interval=0.01, max_poll_interval=0.02, timeout=0.3)

    summary = run_folder(src, tmp_path / "out", config=config_for(fake.url), batch_api=settings)

    assert summary.status == "failed" and entries(summary)["a"].status == "pending"
    assert f"Batch {fake.batches[0].id} did not end within 0.3 s" in (summary.error or "")
    assert fake.store.cancelled == [fake.batches[0].id]


def test_stopping_early_cancels_the_batches_still_running(
    server: Callable[..., FaultServer],
) -> None:
    fake = server(batch_polls=10_000)
    articles = [Article(id=k, text=article_text(k)) for k in ["a", "b"]]

    async def stop_while_waiting() -> None:
        many = asummarise_many(articles, config=config_for(fake.url), batch_api=FAST)
        waiting = asyncio.ensure_future(anext(many))
        while not fake.batches:
            await asyncio.sleep(0.01)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        await many.aclose()

    asyncio.run(stop_while_waiting())

    assert fake.store.cancelled == [fake.batches[0].id] and fake.batches[0].lines == 2


# The child restores Python's own SIGINT handler (a background process may inherit it ignored).
_CLI = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from summarise.cli import main
sys.argv = ["summarise", *sys.argv[1:]]
main()
"""


def test_ctrl_c_while_waiting_on_a_batch_cancels_it_and_records_the_run_interrupted(
    tmp_path: Path,
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b"])
    env = {**os.environ, "SUMMARISE_CONFIG": str(tmp_path / "no-config.toml")}
    with FaultServer(batch_polls=10_000) as fake:  # the batch never ends
        proc = subprocess.Popen(
            [sys.executable, "-c", _CLI, "run", str(src), "--out", str(out), "--base-url",
             fake.url, "--model", "fake", "--batch-api", "--batch-poll", "0.01",
             "--progress", "quiet"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not _listed_batches(out):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 130
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert (record.status, record.stopped_by) == ("interrupted", "SIGINT")
    assert record.counts.pending == 2
    (batch,) = record.batches
    assert fake.store.cancelled == [batch.id] == [fake.batches[0].id]
    assert batch.status == "cancelled" and batch.ended is not None
    assert batch.error == "cancelled: the run stopped before it ended"


def _listed_batches(out: Path) -> list[str]:
    """The batches run.json lists (none while there is none to read)."""
    try:
        return [
            b.id for b in RunSummary.model_validate_json((out / "run.json").read_bytes()).batches
        ]
    except (OSError, ValueError):
        return []


def test_a_batch_api_that_cannot_be_reached_stops_the_library_call_with_batch_failed(
    server: Callable[..., FaultServer],
) -> None:
    fake = server()
    config = config_for(fake.url.removesuffix("/v1") + "/nowhere/v1", max_retries=0)

    async def drain() -> None:
        async for _ in asummarise_many([Article(id="a", text=article_text("a"))],
                                       config=config, batch_api=FAST):  # fmt: skip
            pass

    with pytest.raises(BatchFailed, match=r"Could not send a batch through the batch API: .*404"):
        asyncio.run(drain())


def test_result_lines_become_the_answers_a_live_call_would_get() -> None:
    ok = json.dumps({"custom_id": "r1", "response": {"status_code": 200, "body": {"x": 1}}})
    assert _parse_line(ok.encode(), "b1") == ("r1", (200, b'{"x": 1}', "application/json"))
    page = json.dumps({"custom_id": "r2", "response": {"status_code": 200, "body": "<html>"}})
    assert _parse_line(page.encode(), "b1") == ("r2", (200, b"<html>", "text/plain"))
    error = {"custom_id": "r3", "response": None,
             "error": {"code": "batch_expired", "message": "not done in time"}}  # fmt: skip
    rid, (status, body, _) = _parse_line(json.dumps(error).encode(), "b1") or ("", (0, b"", ""))
    assert rid == "r3" and status == 500
    assert json.loads(body)["error"]["message"] == "batch b1 line: batch_expired: not done in time"
    assert _parse_line(b"{not json", "b1") is None
    assert _parse_line(b'{"response": {}}', "b1") is None


# --- resumes and the cache --------------------------------------------------------------------


def test_a_resumed_batch_run_sends_only_what_is_missing_and_shares_the_live_cache(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b", "c"])
    fake = server()
    config = config_for(fake.url)
    run_folder(src, out, config=config)  # a live run first
    assert not fake.batches

    cached = run_folder(src, out, config=config, batch_api=FAST)
    assert cached.counts.cached == 3 and not fake.batches and cached.batches == []

    (out / "reports" / "b.json").unlink()
    again = run_folder(src, out, config=config, batch_api=FAST)

    assert {k: entries(again)[k].status for k in "abc"} == {
        "a": "cached",
        "b": "done",
        "c": "cached",
    }
    assert [b.lines for b in fake.batches] == [1] * CALLS
    assert fake.requests == {"a": CALLS, "b": 2 * CALLS, "c": CALLS}


# --- the command line -------------------------------------------------------------------------


def test_run_with_batch_api_on_the_command_line(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b"])
    fake = server()

    result = runner.invoke(
        app, ["run", str(src), "--out", str(out), "--base-url", fake.url, "--model", "fake",
              "--batch-api", "--batch-poll", "0.01", "--progress", "jsonl"],
        env={"SUMMARISE_RETRY_BACKOFF": "0"},
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    sent = [e for e in events if e["event"] == "batch"]
    assert {e["id"] for e in sent} == {b.id for b in fake.batches} and len(fake.batches) == CALLS
    assert sent[-1]["status"] == "completed" and sent[-1]["requests"] == 2
    assert events[-1]["event"] == "summary" and events[-1]["done"] == 2
    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert record.engine == "batch-api" and len(record.batches) == CALLS


def test_the_progress_bar_shows_the_batches_and_the_summary_counts_them(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a", "b"])
    fake = server()

    result = runner.invoke(
        app, ["run", str(src), "--out", str(tmp_path / "out"), "--base-url", fake.url,
              "--model", "fake", "--batch-api", "--batch-poll", "0.01"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()  # not a terminal: the summary as plain lines
    assert "status\tcomplete" in lines and f"batches\t{CALLS}" in lines


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--engine", "ray"], "--batch-api and --engine ray do not go together"),
        (["--rpm", "60"], "--rpm and --tpm pace live requests"),
        (["--batch-poll", "0"], "batch API poll_interval must be above 0 s"),
        ([], "--batch-api needs a served endpoint with a batch API"),
    ],
)
def test_run_refuses_what_a_batch_api_cannot_do(
    tmp_path: Path, flags: list[str], said: str
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a"])
    url = [] if not flags else ["--base-url", "http://127.0.0.1:9/v1", "--model", "fake"]
    env = {"SUMMARISE_BASE_URL": "", "SUMMARISE_CONFIG": str(tmp_path / "none.toml")}

    result = runner.invoke(
        app, ["run", str(src), "--out", str(tmp_path / "out"), "--batch-api", *url, *flags],
        env=env,
    )  # fmt: skip

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and said in result.stderr, result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "out" / "reports").exists()


def test_batch_options_need_batch_api(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--base-url",
              "http://127.0.0.1:9/v1", "--batch-poll", "5"],
    )  # fmt: skip

    assert result.exit_code == 2 and "--batch-poll and --batch-timeout are for --batch-api" in (
        result.stderr
    )


def test_library_refusals_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--batch-api needs a served endpoint"):
        run_folder(tmp_path, tmp_path / "out", config=Config(), batch_api=FAST)
    with pytest.raises(ConfigError, match="max_requests must be at least 1"):
        BatchApiSettings(max_requests=0)


# --- credentials ------------------------------------------------------------------------------

PASSWORD, KEY = "pa55-w0rd-never-shown", "sk-k3y-never-shown"


@pytest.mark.parametrize("in_url", [False, True], ids=["api-key", "api-key-and-url-password"])
def test_no_credential_reaches_any_output_or_log_of_a_batch_run(
    tmp_path: Path, in_url: bool
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b"])
    fates: list[BatchFate] = ["completed", "completed", "failed"]
    with FaultServer({"b": ["500"] * 10}, batch_script=fates) as fake:
        host = fake.url.removeprefix("http://")
        url = f"http://agent:{PASSWORD}@{host}" if in_url else fake.url
        shown = f"http://***@{host}" if in_url else fake.url
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SUMMARISE_", "OPENAI_"))},
            "SUMMARISE_CONFIG": str(tmp_path / "no-config.toml"),
            "SUMMARISE_MAX_RETRIES": "2",
            "SUMMARISE_RETRY_BACKOFF": "0",
            "SUMMARISE_API_KEY": KEY,
        }
        result = subprocess.run(
            [sys.executable, "-m", "summarise.cli", "-v", "run", str(src), "--out", str(out),
             "--base-url", url, "--model", "fake", "--batch-api",
             "--batch-poll", "0.01", "--progress", "jsonl"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    assert result.returncode == 2, result.stderr
    assert f"Batch {fake.batches[0].id} sent: 2 request(s)" in result.stderr  # logged at INFO
    assert f"POST {shown}/files" in result.stderr
    assert f"Batch {fake.batches[2].id} failed" in result.stderr
    written = "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    for text in (result.stdout, result.stderr, written):
        assert KEY not in text and PASSWORD not in text and "agent:" not in text
    # used, never shown (the URL's user and password take the key's place when given)
    assert fake.keys == ({f"agent:{PASSWORD}"} if in_url else {KEY})
