"""`run_folder` on Ray Data (a local cluster) against the fake OpenAI-compatible server: the
same reports and events as the local run, failures recorded, finished work reused."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from summarise.batch import RaySettings, run_folder
from summarise.batch.outputs import LocalEvents
from summarise.batch.ray_engine import _pack_error, _SharedLimits, _SharedPacer
from summarise.batch.ray_events import RayEvents
from summarise.errors import BackendError, SummariseError

from .event_fixtures import (
    deal_report,
    gold_fed_reports,
    ministers_reports,
    visit_copy_report,
    visit_report,
)
from .faultserver import FaultServer
from .run_outputs import report_files, without_timings
from .test_batch import CALLS, config_for, entries, server, write_articles

__all__ = ["server"]  # the fixture, imported for these tests

if importlib.util.find_spec("ray") is None:
    # CI sets SUMMARISE_REQUIRE_RAY=1 so that a missing Ray fails instead of skipping.
    if os.environ.get("SUMMARISE_REQUIRE_RAY") == "1":
        pytest.fail("Ray Data is not installed: pip install -e '.[dev,ray]'", pytrace=False)
    pytest.skip("Ray Data is not installed (the ray extra)", allow_module_level=True)

pytestmark = [
    pytest.mark.block_network(allowed_hosts=["127.0.0.1"]),
    # Ray's own start-up leaves files open and warns about its future defaults: not ours
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning:ray.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*"),
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """One local Ray cluster of 2 CPUs for the module: starting one costs seconds."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=200 * 1024**2)  # fmt: skip
    yield
    ray.shutdown()


def test_a_ray_run_writes_what_the_local_run_writes(
    tmp_path: Path, server: Callable[..., FaultServer], cluster: None
) -> None:
    src = tmp_path / "in"
    keys = [f"a{i:02d}" for i in range(24)]
    write_articles(src, keys)
    fake = server(latency=0.01)
    config = config_for(fake.url, timeout=10.0)

    local = run_folder(src, tmp_path / "local", config=config, concurrency=4)
    on_ray = run_folder(src, tmp_path / "ray", config=config, concurrency=4,
                        ray=RaySettings(workers=2, block_size=5))  # fmt: skip

    assert local.status == on_ray.status == "complete"
    assert on_ray.engine == "ray" and local.engine == "local"
    assert on_ray.counts.done == len(keys)
    assert report_files(tmp_path / "ray") == report_files(tmp_path / "local")
    assert (tmp_path / "ray" / "events.json").read_bytes() == (
        tmp_path / "local" / "events.json"
    ).read_bytes()
    for name in ["merged.json", *(f"events/{p.name}" for p in (tmp_path / "local").glob(
        "events/*.json"))]:  # fmt: skip
        ray_json, local_json = (json.loads((tmp_path / d / name).read_bytes())
                                for d in ("ray", "local"))  # fmt: skip
        assert without_timings(ray_json) == without_timings(local_json), name
    assert all(fake.requests[k] == 2 * CALLS for k in keys)  # once per run, each pass once


def test_a_failed_article_is_recorded_and_finished_work_is_reused(
    tmp_path: Path, server: Callable[..., FaultServer], cluster: None
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    keys = ["ok1", "ok2", "ok3", "bad"]
    write_articles(src, keys)
    fake = server({"bad": ["500"] * 10}, latency=0.01)
    config = config_for(fake.url, timeout=10.0)
    ray = RaySettings(workers=2, block_size=2)

    first = run_folder(src, out, config=config, ray=ray)

    assert first.exit_code == 1
    bad = entries(first)["bad"]
    assert (
        bad.status == "failed" and bad.error_type == "BackendError" and "500" in (bad.error or "")
    )
    assert {entries(first)[k].status for k in keys[:3]} == {"done"}

    (out / "reports" / "ok2.json").unlink()
    again = run_folder(src, out, config=config, ray=ray)

    states = {k: entries(again)[k].status for k in keys}
    assert states == {"ok1": "cached", "ok2": "done", "ok3": "cached", "bad": "failed"}
    assert fake.requests["ok1"] == CALLS and fake.requests["ok2"] == 2 * CALLS


def _extract_workers() -> list[int]:
    """The processes of the run's extraction actors (Ray names them after the callable)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            title = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if proc.name.isdigit() and b"MapBatches(_Extract)" in title:
            pids.append(int(proc.name))
    return pids


def test_a_worker_killed_mid_run_loses_only_its_articles_in_flight(
    tmp_path: Path, server: Callable[..., FaultServer], cluster: None
) -> None:
    src = tmp_path / "in"
    keys = [f"k{i:02d}" for i in range(24)]
    write_articles(src, keys)
    fake = server(latency=0.1)
    killed: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            if sum(fake.requests.values()) >= 12 and (workers := _extract_workers()):
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    summary = run_folder(src, tmp_path / "out", config=config_for(fake.url, timeout=10.0),
                         concurrency=2, ray=RaySettings(workers=2, block_size=3))  # fmt: skip
    killer.join()

    assert killed, "no extraction worker was found to kill"
    assert summary.status == "complete" and summary.counts.done == len(keys)  # none lost
    redone = [k for k in keys if fake.requests[k] > CALLS]
    assert len(redone) <= 3  # at most the killed worker's block in flight
    assert all(CALLS <= fake.requests[k] <= 2 * CALLS for k in keys)  # redone once at most


def test_a_ray_run_needs_a_served_model(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a"])

    summary = run_folder(src, tmp_path / "out", ray=RaySettings())

    assert summary.status == "aborted" and "--base-url" in (summary.error or "")
    assert entries(summary)["a"].status == "pending"


def test_errors_cross_to_the_driver_as_themselves_or_as_their_message() -> None:
    import pickle

    error = BackendError("The server answered 500.", attempts=3)
    back = pickle.loads(_pack_error(error))
    assert isinstance(back, BackendError) and str(back) == str(error) and back.attempts == 3

    class Odd(Exception):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(f"{a}/{b}")

    odd = pickle.loads(_pack_error(Odd(1, 2)))
    assert isinstance(odd, SummariseError) and str(odd) == "Odd: 1/2"


def test_the_workers_share_the_run_s_rate_limits(
    tmp_path: Path, server: Callable[..., FaultServer], cluster: None
) -> None:
    import ray

    limits: Any = ray.remote(_SharedLimits).options(num_cpus=0).remote(6000, 10**7)

    @ray.remote(num_cpus=0)
    def articles(pacer: _SharedPacer, count: int) -> None:
        async def admit_all() -> None:
            for _ in range(count):
                await pacer.admit(900)
                pacer.settle(900, 2, 1200)

        asyncio.run(admit_all())

    ray.get([articles.remote(_SharedPacer(limits), n) for n in (3, 5)])  # two processes
    assert ray.get(limits.count.remote()) == 8  # every admission went through the one actor

    src = tmp_path / "in"
    keys = [f"r{i}" for i in range(6)]
    write_articles(src, keys)
    fake = server(latency=0.01)
    summary = run_folder(src, tmp_path / "out", config=config_for(fake.url, timeout=10.0),
                         rpm=6000, tpm=10**7, ray=RaySettings(workers=2, block_size=2))  # fmt: skip
    assert summary.status == "complete" and summary.counts.done == len(keys)
    assert all(fake.requests[k] == CALLS for k in keys)


def test_events_grouped_and_merged_on_ray_are_the_local_ones(cluster: None) -> None:
    reports = [
        *gold_fed_reports(),
        visit_report(),
        visit_copy_report(),
        deal_report(),
        *ministers_reports(),
    ]  # the dev set's real articles, and hand-built stories
    local, on_ray = LocalEvents(), RayEvents(workers=2)

    groups = local.group(reports, aliases=None, overrides=None)
    assert on_ray.group(reports, aliases=None, overrides=None) == groups
    assert len(groups) > 10 and any(len(g.articles) > 1 for g in groups)

    pages = [(p.json, p.html, p.problems) for p in local.pages(reports, groups, aliases=None)]
    assert [(p.json, p.html, p.problems) for p in on_ray.pages(reports, groups, aliases=None)] == (
        pages
    )
