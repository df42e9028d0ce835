"""Benchmark `run_folder` on Ray Data against the local runner, on the fake server.

The same folder of synthetic articles is run by the local runner and by `--engine ray` (a
local cluster of this machine's CPUs, `--workers` workers) at each number of requests in
flight per worker, against the fault server in its own process (fixed latency, at most
`--server-limit` requests at once). Each run writes into a fresh output folder; the figures
are wall time, articles per second, articles lost (neither done nor failed: must be 0), and
the driver's peak resident memory. Run from the repository root::

    python -m benchmarks.bench_ray --articles 2000 --latency 0.5 --levels 1,4,16
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from summarise.batch import RaySettings, run_folder
from summarise.config import Config
from tests.faultserver import fault_server

WORDS = ["defence", "ministry", "delegation", "officials", "companies", "Moscow", "talks",
         "spare", "parts", "joint"]  # fmt: skip


def _folder(root: Path, n: int) -> Path:
    """`n` distinct articles of about 1,500 characters, tagged for the fault server."""
    rng = random.Random(7)
    folder = root / "in"
    folder.mkdir()
    for i in range(n):
        words = " ".join(rng.choices(WORDS, k=220))
        text = f"Reference ART-{i:05d}. Alpha Defence executives met officials. {words}."
        (folder / f"a{i:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def config_for(url: str) -> Config:
    return Config(base_url=url, model="bench", mode="json_schema", retry_backoff=0, timeout=120)


def _run(folder: Path, out: Path, url: str, level: int, ray: RaySettings | None) -> dict[str, Any]:
    started = time.perf_counter()
    summary = run_folder(folder, out, config=config_for(url), concurrency=level, ray=ray)
    seconds = time.perf_counter() - started
    c = summary.counts
    return {
        "engine": summary.engine,
        "in_flight_per_worker": level,
        "workers": None if ray is None else ray.workers,
        "in_flight_total": level * (1 if ray is None or ray.workers is None else ray.workers),
        "seconds": round(seconds, 1),
        "articles_per_s": round(c.total / seconds, 2),
        "done": c.done,
        "failed": c.failed,
        "lost": c.total - c.done - c.failed,
        "driver_peak_rss_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.5, help="Seconds per request.")
    parser.add_argument("--server-limit", type=int, default=64, help="Requests served at once.")
    parser.add_argument("--levels", default="1,4,16", help="Requests in flight per worker.")
    parser.add_argument("--workers", type=int, default=2, help="Ray workers.")
    args = parser.parse_args(argv)

    import ray  # the ray extra

    ray.init(include_dashboard=False, log_to_driver=False)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, fault_server(args.latency, args.server_limit) as url:
        folder = _folder(Path(tmp), args.articles)
        for level in map(int, args.levels.split(",")):
            for engine in ("local", "ray"):
                settings = RaySettings(workers=args.workers) if engine == "ray" else None
                out = Path(tmp) / f"out-{engine}-{level}"
                row = _run(folder, out, url, level, settings)
                rows.append(row)
                print(json.dumps(row), flush=True)
    ray.shutdown()
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "settings": vars(args),
        "runs": rows,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
