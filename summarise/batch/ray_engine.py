"""Extraction on Ray Data: a run's articles as a dataset, extracted by `asummarise_many` on
the cluster's workers against served models, each outcome streamed back to the run.

The run itself (finding files, reusing reports, writing them, events, `run.json`) stays on
the driver, so a Ray run writes what a local run writes. Only the model calls move: each
block of articles is extracted by one worker with `asummarise_many`, against one of the
endpoints (blocks are spread over them in turn). Rate limits are the cluster's: one actor
holds the run's buckets and every worker's articles are admitted by it, so the workers
together keep to `--rpm` and `--tpm`. Needs the `ray` extra and a served model.
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
from collections.abc import AsyncGenerator, Generator, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..errors import ConfigError, SummariseError
from ..models import Article, DefenceMeetingReport
from .many import Limiter, Outcome, asummarise_many
from .ray_cluster import ray_cluster

__all__ = ["RaySettings", "ray_outcomes"]


@dataclass(frozen=True)
class RaySettings:
    """How a run uses Ray: how many workers, how many articles a block holds, and the
    endpoints (base URLs) spread over; none means the configured `base_url`."""

    workers: int | None = None
    block_size: int | None = None
    endpoints: tuple[str, ...] = ()


class _RemoteFailure(SummariseError):
    """An article's error that could not be carried back from the worker as itself."""


def _pack_error(exc: Exception) -> bytes:
    """The error as bytes the driver can read: itself if it pickles, else its message."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)  # an exception whose __init__ does not take its args fails here
    except Exception:  # any failure to carry it means: send the message
        return pickle.dumps(_RemoteFailure(f"{type(exc).__name__}: {exc}"))
    return data


class _SharedLimits:
    """The run's rate limits, held once for the cluster (a Ray actor): workers wait here for
    each article's admission, so the limit is the run's, however busy each worker is."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        self.limiter = Limiter(rpm, tpm)
        self.admitted = 0

    async def admit(self, tokens: int) -> None:
        await self.limiter.admit(tokens)
        self.admitted += 1

    async def settle(self, estimate: int, requests: int, tokens: int | None) -> None:
        self.limiter.settle(estimate, requests, tokens)

    async def count(self) -> int:
        """Articles admitted so far."""
        return self.admitted


class _SharedPacer:
    """A worker's `Pacer` that asks the run's `_SharedLimits` actor."""

    def __init__(self, limits: Any) -> None:
        self.limits = limits

    async def admit(self, tokens: int) -> None:
        await self.limits.admit.remote(tokens)

    def settle(self, estimate: int, requests: int, tokens: int | None) -> None:
        self.limits.settle.remote(estimate, requests, tokens)  # a correction: no need to wait


class _Extract:
    """A Ray Data worker: extracts each block of articles with `asummarise_many`."""

    def __init__(self, config: Config, endpoints: tuple[str, ...], concurrency: int,
                 pacer: _SharedPacer | None) -> None:  # fmt: skip
        self.config, self.endpoints = config, endpoints
        self.concurrency, self.pacer = concurrency, pacer

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        indexes = [int(i) for i in batch["index"]]
        articles = [Article.model_validate_json(raw) for raw in batch["article"]]
        config = self.config
        if self.endpoints:
            config = config.model_copy(
                update={"base_url": self.endpoints[min(indexes) % len(self.endpoints)]}
            )
        return asyncio.run(self._extract(indexes, articles, config))

    async def _extract(
        self, indexes: list[int], articles: list[Article], config: Config
    ) -> dict[str, list[Any]]:
        rows: dict[str, list[Any]] = {"index": [], "report": [], "error": [], "seconds": []}
        many = asummarise_many(articles, config=config, concurrency=self.concurrency,
                               pacer=self.pacer)  # fmt: skip
        async with contextlib.aclosing(many) as outcomes:
            async for outcome in outcomes:
                rows["index"].append(indexes[outcome.index])
                report = outcome.report
                rows["report"].append(report.model_dump_json() if report is not None else "")
                error = outcome.error
                rows["error"].append(_pack_error(error) if error is not None else b"")
                rows["seconds"].append(outcome.seconds)
        return rows


def _rows(
    articles: Sequence[Article], config: Config, settings: RaySettings, concurrency: int,
    rpm: int | None, tpm: int | None,
) -> Generator[dict[str, Any], None, None]:  # fmt: skip
    with ray_cluster() as ray:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        workers = max(1, min(settings.workers or cpus, len(articles)))
        block = settings.block_size or max(1, min(4 * concurrency, -(-len(articles) // workers)))
        blocks = -(-len(articles) // block)
        workers = min(workers, blocks)  # Ray refuses more workers than blocks
        items = [{"index": i, "article": a.model_dump_json()} for i, a in enumerate(articles)]
        dataset = ray.data.from_items(items, override_num_blocks=blocks)
        pacer = None
        if rpm is not None or tpm is not None:
            limits = ray.remote(_SharedLimits).options(num_cpus=0).remote(rpm, tpm)
            pacer = _SharedPacer(limits)
        extracted = dataset.map_batches(
            _Extract,
            fn_constructor_kwargs={
                "config": config, "endpoints": settings.endpoints, "concurrency": concurrency,
                "pacer": pacer,
            },
            batch_size=block,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=cpus / workers / 2,  # workers wait on the network, not on the CPU
            batch_format="default",
        )  # fmt: skip
        yield from extracted.iter_rows()


def _outcome(row: dict[str, Any], articles: Sequence[Article]) -> Outcome:
    index = int(row["index"])
    report = DefenceMeetingReport.model_validate_json(row["report"]) if row["report"] else None
    error = pickle.loads(row["error"]) if row["error"] else None  # written by our own workers
    return Outcome(index, articles[index], report, error, float(row["seconds"]))


async def ray_outcomes(
    articles: Sequence[Article],
    *,
    config: Config,
    concurrency: int,
    rpm: int | None = None,
    tpm: int | None = None,
    settings: RaySettings | None = None,
) -> AsyncGenerator[Outcome, None]:
    """Extract `articles` on Ray; yield each article's `Outcome` as its block comes back.

    `concurrency` articles are in flight per worker. A served model is needed (the embedded
    server would start once per worker): set `base_url` or `settings.endpoints`.
    """
    settings = settings or RaySettings()
    if not settings.endpoints and not config.base_url:
        raise ConfigError(
            "--engine ray needs a served model: set --base-url (or SUMMARISE_BASE_URL), or give "
            "--endpoint URL once per server; the embedded server serves one machine only."
        )
    if not articles:
        return
    rows = _rows(articles, config, settings, concurrency, rpm, tpm)
    done = object()
    try:
        while (row := await asyncio.to_thread(next, rows, done)) is not done:
            assert isinstance(row, dict)
            yield _outcome(row, articles)
    finally:
        with contextlib.suppress(ValueError):  # still running in its thread (cancelled)
            await asyncio.to_thread(rows.close)
