"""Ray for a run: imported with a clear error when the extra is missing, and the cluster the
run joins (`RAY_ADDRESS`, or one already initialised) or starts on this machine."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from ..errors import SetupError

__all__ = ["import_ray", "ray_cluster"]


def import_ray() -> Any:
    """The `ray` module with Ray Data loaded, or a SetupError that says what to install."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise SetupError(
            "--engine ray needs Ray Data: pip install 'summarise[ray]' (or pip install -e "
            "'.[ray]' in a checkout)."
        ) from exc
    return ray


@contextlib.contextmanager
def ray_cluster() -> Iterator[Any]:
    """Ray as found (`RAY_ADDRESS`, or already initialised), else a local cluster for the
    block; yields the `ray` module. Nested uses share the outer one's cluster."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    for name in ("ray", "ray.data"):  # Ray's progress notes are not the run's progress
        logging.getLogger(name).setLevel(logging.WARNING)
    ray.init(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False,
             log_to_driver=False, logging_level=logging.WARNING)  # fmt: skip
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        yield ray
    finally:
        ray.shutdown()
