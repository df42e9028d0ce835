"""Benchmark the grouping and merge stage of a run: the local engine against Ray Data.

For each size, in a fresh process per engine: build N synthetic reports (those of
`bench_events.py`: about N/10 events, wire copies, sequels, undated articles), then time
`engine.group` (events found) and `engine.pages` (each event merged and its review page
rendered), as a run does before writing. Ray runs on a local cluster of this machine's CPUs
(`--workers` workers per stage), started before the clock; its start-up is reported apart.
Peak memory: the driver's resident peak (it holds every report), and each Ray worker
process's (`VmHWM`, sampled from /proc). A digest of the groups and pages shows whether both
engines gave the same answers. Usage::

    python benchmarks/bench_ray_events.py --sizes 10000,100000 --workers 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench_events import build_reports

from summarise.batch.outputs import EventsEngine, LocalEvents
from summarise.batch.ray_events import RayEvents

_RAY_WORKERS = (b"_ScoreBlocks", b"_MergeEvents", b"HashShuffleAggregator")


def _worker_peaks(stop: threading.Event, peaks: dict[int, tuple[str, int]]) -> None:
    """Sample the peak resident memory (kB) of each of Ray's stage workers until `stop`."""
    while not stop.wait(0.2):
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                title = (proc / "cmdline").read_bytes()
                if not any(w in title for w in _RAY_WORKERS):
                    continue
                status = (proc / "status").read_text()
            except OSError:
                continue
            hwm = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM")), 0)
            name = next(w.decode() for w in _RAY_WORKERS if w in title)
            peaks[int(proc.name)] = (name, max(hwm, peaks.get(int(proc.name), ("", 0))[1]))


def measure(size: int, engine_name: str, workers: int, seed: int) -> dict[str, Any]:
    """Group and merge `size` synthetic reports on one engine; its times, memory and digest."""
    reports, _ = build_reports(size, seed)
    result: dict[str, Any] = {"reports": size, "engine": engine_name}
    engine: EventsEngine = LocalEvents()
    peaks: dict[int, tuple[str, int]] = {}
    stop = threading.Event()
    if engine_name == "ray":
        import ray

        started = time.perf_counter()
        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
        ray.data.DataContext.get_current().enable_progress_bars = False
        result["start_s"] = round(time.perf_counter() - started, 2)
        engine = RayEvents(workers)
        threading.Thread(target=_worker_peaks, args=(stop, peaks), daemon=True).start()
    started = time.perf_counter()
    groups = engine.group(reports, aliases=None, overrides=None)
    result["group_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    pages = engine.pages(reports, groups, aliases=None)
    result["pages_s"] = round(time.perf_counter() - started, 2)
    stop.set()
    digest = hashlib.sha256()
    for group in groups:
        digest.update(group.model_dump_json().encode())
    for page in pages:
        digest.update(page.json.encode() + page.html.encode())
    result |= {
        "events": len(groups),
        "digest": digest.hexdigest()[:16],
        "driver_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_peak_mib": {
            name: round(max(kb for n, kb in peaks.values() if n == name) / 1024)
            for name in sorted({n for n, _ in peaks.values()})
        },
    }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated report counts")
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--workers", type=int, default=2, help="Ray workers per stage")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # SIZE ENGINE, in this process
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(int(args.one[0]), args.one[1], args.workers, args.seed)))
        return
    print(f"# {time.strftime('%Y-%m-%d')}, python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, workers {args.workers}")  # fmt: skip
    print("| reports | engine | events | group s | merge+render s | Ray start s | driver peak "
          "MiB | worker peaks MiB | digest |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for engine in args.engines.split(","):
            command = [sys.executable, __file__, "--one", str(size), engine,
                       "--workers", str(args.workers), "--seed", str(args.seed)]  # fmt: skip
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            r = json.loads(done.stdout.strip().splitlines()[-1])
            workers = ", ".join(f"{k} {v}" for k, v in r["worker_peak_mib"].items()) or "-"
            print(f"| {size:,} | {engine} | {r['events']:,} | {r['group_s']} | {r['pages_s']} "
                  f"| {r.get('start_s', '-')} | {r['driver_peak_mib']:,} | {workers} "
                  f"| {r['digest']} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
