"""What a folder run refuses before it reads anything (its folders, its options), and the
Ray cluster it runs in."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ConfigError, InputError
from .many import Limiter, check_batching
from .ray_cluster import ray_cluster
from .ray_engine import RaySettings

__all__ = ["check_apart", "check_batch_api", "check_options", "cluster_for"]


def check_apart(directory: Path, out: Path) -> None:
    """Refuse an output folder that would make the next run read its own outputs."""
    source, target = directory.resolve(), out.resolve()
    if source == target:
        raise InputError(
            f"The output folder {out} is the input folder: the next run would read its own "
            f"reports as articles. Write elsewhere, e.g. --out {directory.name}-out."
        )
    reports = target / "reports"
    if source == reports or source.is_relative_to(reports):
        raise InputError(
            f"The input folder {directory} is inside the reports of {out}: every run would "
            "read the reports it writes. Choose another output folder."
        )


def check_options(concurrency: int | None, rpm: int | None, tpm: int | None) -> None:
    if concurrency is not None and concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, got {concurrency}")
    Limiter(rpm, tpm)  # validates the limits


def cluster_for(config: Config, ray: RaySettings | None) -> contextlib.AbstractContextManager[Any]:
    """One Ray cluster for the whole of a Ray run (extraction, grouping, merges); none when
    there is no served model to run against (the run then stops with that reason)."""
    if ray is None or not (ray.endpoints or config.base_url):
        return contextlib.nullcontext()
    return ray_cluster()


def check_batch_api(
    config: Config, ray: RaySettings | None, rpm: int | None, tpm: int | None
) -> None:
    """Refuse, before anything is read, what a batch API run cannot do."""
    if ray is not None:
        raise ConfigError(
            "--batch-api and --engine ray do not go together: a batch API runs the calls "
            "itself, so there is nothing for Ray workers to do; choose one."
        )
    check_batching(config, None, rpm, tpm)
