"""A run killed partway (SIGKILL) or stopped with Ctrl-C (SIGINT), then started again.

The run goes in a subprocess against the fault server (in this process) with some latency;
every report must end complete, valid and made once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarise.batch import RunSummary, run_folder
from summarise.config import Config
from summarise.models import DefenceMeetingReport

from .faultserver import FaultServer
from .test_batch import CALLS, article_text

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 16
CONCURRENCY = 4
# The child restores Python's own SIGINT handler: a process started in the background by a
# non-interactive shell (as CI may be) inherits SIGINT ignored, and Ctrl-C would never arrive.
RUN = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from summarise.batch import run_folder
from summarise.config import Config
config = Config(base_url=sys.argv[3], model="fake", mode="json_schema", retry_backoff=0)
summary = run_folder(sys.argv[1], sys.argv[2], config=config, concurrency=4)
sys.exit(summary.exit_code)
"""


def _config(url: str) -> Config:
    return Config(base_url=url, model="fake", mode="json_schema", retry_backoff=0)


@pytest.fixture
def fake() -> Iterator[FaultServer]:
    with FaultServer(latency=0.3) as server:
        yield server


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(ARTICLES):
        (folder / f"{i:02d}.txt").write_text(article_text(f"{i:02d}"), encoding="utf-8")
    return folder


def _start_and_stop(src: Path, out: Path, url: str, sig: signal.Signals, *, after: int = 5) -> int:
    """Run in a subprocess; send `sig` once `after` reports are written; return the exit code."""
    env = {**os.environ, "SUMMARISE_CONFIG": str(out.parent / "no-config.toml")}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, str(src), str(out), url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "reports").glob("*.json"))) < after:
            assert proc.poll() is None, "the run ended before it could be stopped"
            assert time.monotonic() < deadline, "no report written within 60 s"
            time.sleep(0.02)
        proc.send_signal(sig)
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _reports(out: Path) -> dict[str, DefenceMeetingReport]:
    """Every report on disk, each of which must be complete and valid."""
    return {
        path.stem: DefenceMeetingReport.model_validate_json(path.read_bytes())
        for path in (out / "reports").glob("*.json")
    }


def test_a_killed_run_finishes_only_what_is_missing(
    tmp_path: Path, src: Path, fake: FaultServer
) -> None:
    out = tmp_path / "out"

    assert _start_and_stop(src, out, fake.url, signal.SIGKILL) == -signal.SIGKILL

    kept = _reports(out)
    assert 0 < len(kept) < ARTICLES
    asked_before = dict(fake.requests)
    assert RunSummary.model_validate_json((out / "run.json").read_bytes()).status == "running"

    summary = run_folder(src, out, config=_config(fake.url), concurrency=4)

    assert summary.exit_code == 0
    assert (summary.counts.cached, summary.counts.done) == (len(kept), ARTICLES - len(kept))
    reports = _reports(out)
    assert set(reports) == {f"{i:02d}" for i in range(ARTICLES)}
    for name, report in reports.items():
        assert report.source.text == article_text(name)
        if name in kept:  # made once, by the killed run, and reused as it was
            assert fake.requests[name] == CALLS and report == kept[name]
        else:  # made once by the second run, whatever the first had in flight
            assert fake.requests[name] - asked_before.get(name, 0) == CALLS
    # lost at the kill: requests in flight, one outcome queued and one being written
    assert sum(fake.requests.values()) <= CALLS * (ARTICLES + CONCURRENCY + 2)
    assert not list(out.rglob("*.tmp"))
    assert (out / "merged.json").exists()


def test_ctrl_c_stops_cleanly_with_what_is_finished_kept(
    tmp_path: Path, src: Path, fake: FaultServer
) -> None:
    out = tmp_path / "out"
    # Slow answers, and the signal after the first reports: the run cannot finish first.
    with FaultServer(latency=1.0) as slow:
        assert _start_and_stop(src, out, slow.url, signal.SIGINT, after=2) == 130

    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert record.status == "interrupted" and record.counts.pending > 0
    kept = _reports(out)
    done = {e.name for e in record.articles if e.status == "done"}
    assert done and done <= set(kept)  # a report whose write was under way may be there too
    assert not list(out.rglob("*.tmp"))

    summary = run_folder(src, out, config=_config(fake.url), concurrency=4)

    assert summary.exit_code == 0 and summary.counts.cached == len(kept)
    assert not any(name in fake.requests for name in kept)  # none asked again
