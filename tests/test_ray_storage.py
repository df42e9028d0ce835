"""`--engine ray` with a URI as input and reports in parts: what the local run writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from summarise.batch import RaySettings, run_folder
from summarise.report_parts import part_files, read_part

from .faultserver import FaultServer
from .run_outputs import without_timings
from .test_batch import CALLS, config_for, server, write_articles
from .test_ray_engine import cluster, pytestmark

__all__ = ["cluster", "pytestmark", "server"]  # the fixtures and marks, imported for these tests


def test_a_ray_run_from_a_uri_into_parts_stores_what_the_local_run_writes(
    tmp_path: Path, server: Callable[..., FaultServer], cluster: None
) -> None:
    src = tmp_path / "in"
    keys = [f"a{i:02d}" for i in range(8)]
    write_articles(src, keys)
    fake = server(latency=0.01)
    config = config_for(fake.url, timeout=10.0)

    local = run_folder(src, tmp_path / "local", config=config, concurrency=4)
    on_ray = run_folder(src.as_uri(), tmp_path / "ray", config=config, concurrency=4,
                        ray=RaySettings(workers=2, block_size=3), format="parquet")  # fmt: skip

    assert on_ray.status == "complete" and on_ray.engine == "ray" and on_ray.counts.done == 8
    assert on_ray.input == src.as_uri()
    rows = {r.name: r for p in part_files(tmp_path / "ray" / "reports", "parquet")
            for r in read_part(p)}  # fmt: skip
    assert set(rows) == set(keys)
    for name, row in rows.items():
        file = (tmp_path / "local" / "reports" / f"{name}.json").read_bytes()
        assert without_timings(json.loads(row.report)) == without_timings(json.loads(file))
    assert (tmp_path / "ray" / "events.json").read_bytes() == (
        tmp_path / "local" / "events.json"
    ).read_bytes()
    assert all(fake.requests[k] == 2 * CALLS for k in keys)
    assert local.counts.done == 8
