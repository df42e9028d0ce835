"""A run killed partway (SIGKILL), stopped with Ctrl-C (SIGINT) or SIGTERM, then started
again; and run.json kept true as it goes.

The run goes in a subprocess against the fault server (in this process) with some latency;
every report must end complete, valid and made once, and run.json must list what is done.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarise.batch import ArticleEntry, RunSummary, folder, run_folder
from summarise.batch.progress import Silent
from summarise.batch.record import tally
from summarise.batch.writing import Journal
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


def _listed_done(out: Path) -> int:
    """How many articles run.json lists as done (0 while there is none to read)."""
    try:
        record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    except (OSError, ValueError):
        return 0
    return record.counts.done


def _start_and_stop(
    src: Path,
    out: Path,
    url: str,
    sig: signal.Signals,
    *,
    after: int = 5,
    ready: Callable[[Path], bool] | None = None,
) -> int:
    """Run in a subprocess; send `sig` once `after` reports are written (and `ready(out)`);
    return the exit code."""
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
        while len(list((out / "reports").glob("*.json"))) < after or not (
            ready is None or ready(out)
        ):
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

    # killed once run.json lists some articles done: it must say so after the kill too
    listed = _start_and_stop(
        src, out, fake.url, signal.SIGKILL, ready=lambda out: _listed_done(out) >= 3
    )
    assert listed == -signal.SIGKILL

    kept = _reports(out)
    assert 0 < len(kept) < ARTICLES
    asked_before = dict(fake.requests)
    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert record.status == "running"  # what a killed run's record says
    done = {e.name for e in record.articles if e.status == "done"}
    assert len(done) >= 3 and done <= set(kept)  # listed as done: its report is on disk
    for entry in record.articles:  # and what is done is listed as such
        assert entry.status in ("done", "pending") and (entry.report is None) != (
            entry.name in done
        )

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
    assert record.stopped_by == "SIGINT"
    kept = _reports(out)
    done = {e.name for e in record.articles if e.status == "done"}
    assert done and done == set(kept)  # a report being written was finished and listed
    assert not list(out.rglob("*.tmp"))

    summary = run_folder(src, out, config=_config(fake.url), concurrency=4)

    assert summary.exit_code == 0 and summary.counts.cached == len(kept)
    assert not any(name in fake.requests for name in kept)  # none asked again


def test_sigterm_stops_like_ctrl_c_and_exits_143(
    tmp_path: Path, src: Path, fake: FaultServer
) -> None:
    out = tmp_path / "out"
    with FaultServer(latency=1.0) as slow:
        assert _start_and_stop(src, out, slow.url, signal.SIGTERM, after=2) == 143

    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert (record.status, record.stopped_by, record.exit_code) == ("interrupted", "SIGTERM", 143)
    assert record.counts.pending > 0
    kept = _reports(out)
    assert {e.name for e in record.articles if e.status == "done"} == set(kept)
    assert not list(out.rglob("*.tmp"))

    summary = run_folder(src, out, config=_config(fake.url), concurrency=4)

    assert summary.exit_code == 0 and summary.counts.cached == len(kept)
    assert not any(name in fake.requests for name in kept)


# --- run.json as the run goes ---------------------------------------------------------------


class _Timers:
    """A fake `loop.call_later`: what is due, run when the test says."""

    def __init__(self) -> None:
        self.due: list[tuple[float, Callable[[], None]]] = []

    def later(self, delay: float, callback: Callable[[], None]) -> _Timers:
        self.due.append((delay, callback))
        return self

    def cancel(self) -> None:
        self.due.clear()

    def fire(self) -> None:
        (_, callback), *self.due = self.due
        callback()


def _record(path: Path) -> dict[str, str]:
    return {e.name: e.status for e in RunSummary.model_validate_json(path.read_bytes()).articles}


def test_the_journal_writes_at_most_once_a_second_and_never_loses_the_last_change(
    tmp_path: Path,
) -> None:
    summary = _three_pending()
    now = [0.0]
    timers = _Timers()
    path = tmp_path / "run.json"
    journal = Journal(path, summary, clock=lambda: now[0], later=timers.later)

    summary.articles[0].status = "done"
    journal.changed()  # the first change is written at once
    assert _record(path) == {"a": "done", "b": "pending", "c": "pending"}
    assert summary.counts.done == 1  # tallied before writing

    now[0] = 0.4
    summary.articles[1].status = "failed"
    journal.changed()
    now[0] = 0.7
    summary.articles[2].status = "done"
    journal.changed()
    assert _record(path)["b"] == "pending"  # not within the second
    assert [delay for delay, _ in timers.due] == [pytest.approx(0.6)]  # one write, when due

    now[0] = 1.0
    timers.fire()
    assert _record(path) == {"a": "done", "b": "failed", "c": "done"}

    now[0] = 1.5
    journal.changed()
    journal.close()  # the run writes its own last record: nothing is left due
    assert timers.due == []


def test_a_journal_that_cannot_write_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    journal = Journal(tmp_path / "file" / "run.json", _three_pending())
    journal.changed()  # a full disk, a folder gone: the run's last write will say so


def _three_pending() -> RunSummary:
    summary = RunSummary(
        status="running", started=datetime(2025, 1, 1, tzinfo=UTC), input="/in", output="/out",
        backend="b", model="m", mode="json_schema", prompt_version="p", concurrency=1,
        articles=[ArticleEntry(name=n, path=f"{n}.txt", status="pending") for n in "abc"],
    )  # fmt: skip
    tally(summary)
    return summary


def test_run_json_lists_each_article_as_it_ends(
    tmp_path: Path, src: Path, fake: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folder, "Journal", functools.partial(Journal, interval=0.0))
    out = tmp_path / "out"
    seen: list[tuple[str, str]] = []

    class Watch(Silent):
        def article(self, entry: ArticleEntry) -> None:
            seen.append((entry.name, _record(out / "run.json")[entry.name]))

    run_folder(src, out, config=_config(fake.url), concurrency=4, progress=Watch())

    assert len(seen) == ARTICLES and all(status == "done" for _, status in seen)
