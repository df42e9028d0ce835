"""10,000 synthetic articles through `--engine ray` on a local cluster against the fake server
in its own process: every article done or failed, none lost, and a 500-article subset written
as the local runner writes it. Minutes long, so only on demand::

    SUMMARISE_SCALE=1 python -m pytest tests/test_ray_scale.py -v

(CI runs the short identity tests of tests/test_ray_engine.py instead.)
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarise.batch import RaySettings, run_folder
from summarise.config import Config

from .faultserver import fault_server
from .run_outputs import report_files

if os.environ.get("SUMMARISE_SCALE") != "1":
    pytest.skip("the 10,000-article run is on demand: SUMMARISE_SCALE=1", allow_module_level=True)

pytestmark = [
    pytest.mark.block_network(allowed_hosts=["127.0.0.1"]),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning:ray.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*"),
]

ARTICLES = int(os.environ.get("SUMMARISE_SCALE_ARTICLES", "10000"))
SUBSET = 500
WORDS = ["defence", "ministry", "delegation", "officials", "companies", "Moscow", "talks",
         "spare", "parts", "joint", "production", "October"]  # fmt: skip


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _folder(root: Path, count: int) -> Path:
    """`count` distinct tagged articles; one in a hundred empty (a recorded failure)."""
    rng = random.Random(3)
    folder = root / "in"
    folder.mkdir()
    for i in range(count):
        words = " ".join(rng.choices(WORDS, k=120))
        text = "" if i % 100 == 99 else f"Reference ART-s{i:05d}. Alpha Defence met. {words}."
        (folder / f"s{i:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def test_ten_thousand_articles_none_lost_and_a_subset_as_the_local_run(
    tmp_path: Path, cluster: None
) -> None:
    folder = _folder(tmp_path, ARTICLES)
    ray = RaySettings(workers=2, block_size=64)
    with fault_server(latency=0.05, limit=64) as url:
        config = Config(base_url=url, model="fake", mode="json_schema", retry_backoff=0,
                        timeout=60)  # fmt: skip
        summary = run_folder(folder, tmp_path / "all", config=config, concurrency=16, ray=ray)

        counts = summary.counts
        assert counts.total == ARTICLES
        assert counts.done + counts.failed == ARTICLES  # none lost
        assert counts.failed == ARTICLES // 100  # the empty ones, each with its reason
        assert all(e.error_type == "InputError" for e in summary.articles if e.status == "failed")
        assert len(list((tmp_path / "all" / "reports").glob("*.json"))) == counts.done
        assert summary.event_count and (tmp_path / "all" / "events.json").exists()

        subset = tmp_path / "subset"
        subset.mkdir()
        for path in sorted(folder.iterdir())[:SUBSET]:
            shutil.copy(path, subset / path.name)
        local = run_folder(subset, tmp_path / "local", config=config, concurrency=16)
        on_ray = run_folder(subset, tmp_path / "ray", config=config, concurrency=16, ray=ray)

    assert local.counts == on_ray.counts
    assert report_files(tmp_path / "ray") == report_files(tmp_path / "local")
    assert (tmp_path / "ray" / "events.json").read_bytes() == (
        tmp_path / "local" / "events.json"
    ).read_bytes()
