"""Many articles at once: concurrent, rate-limited extraction through one shared client.

`asummarise_many` / `summarise_many` keep a bounded number of articles in flight (sized to the
backend) and yield each result as it completes; a failure is that article's outcome, never
the batch's. With `batch_api`, the calls go through a hosted batch API (`batch_api`), every
article in flight at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator, Sized
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..backends import backend_for, settled
from ..chunking import CHARS_PER_TOKEN
from ..config import Config, resolve_config
from ..errors import ConfigError, SummariseError
from ..loading import ArticleInput, as_article, load_article
from ..models import Article, DefenceMeetingReport
from .batch_api import BatchApiSettings, Batcher, BatchFailed
from .record import BatchEntry

if TYPE_CHECKING:
    import openai

__all__ = [
    "Limiter",
    "Outcome",
    "Pacer",
    "asummarise_many",
    "check_batching",
    "default_concurrency",
    "summarise_many",
]

_PROMPT_TOKENS = 800  # instructions and chat template around the article


@dataclass(frozen=True)
class Outcome:
    """What happened to one article of `summarise_many`: a report or the error that stopped it."""

    index: int  # position of the article in the input
    article: Article | None = None
    report: DefenceMeetingReport | None = None
    error: Exception | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether a report was made."""
        return self.report is not None


class _Pace:
    """A token bucket refilled at `per_minute / 60` a second that holds one second's worth.

    A take larger than the bucket waits for a full bucket and leaves a debt, so the long-run
    rate is the limit whatever the size of each take.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._rate = per_minute / 60
        self._capacity = max(self._rate, 1.0)
        self._clock, self._sleep = clock, sleep
        self._level = self._capacity
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._level = min(self._capacity, self._level + (now - self._stamp) * self._rate)
        self._stamp = now

    async def take(self, amount: float) -> None:
        async with self._lock:  # first come, first served
            self._refill()
            need = min(amount, self._capacity)
            if self._level < need:
                await self._sleep((need - self._level) / self._rate)
                self._refill()
            self._level -= amount

    def charge(self, amount: float) -> None:
        """Take (or give back, when negative) without waiting: a correction after the fact."""
        self._refill()
        self._level = min(self._capacity, self._level - amount)


class Pacer(Protocol):
    """What paces a run's articles: admits each before its first request, with its estimated
    tokens, then settles what it really cost. `Limiter` here; shared by a cluster's workers
    in a Ray run."""

    async def admit(self, tokens: int) -> None:
        """Wait until the article may start."""
        ...

    def settle(self, estimate: int, requests: int, tokens: int | None) -> None:
        """Charge what the article really cost beyond its admission."""
        ...


class Limiter:
    """Requests and tokens per minute for hosted APIs; either limit may be absent."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        for name, value in (("rpm", rpm), ("tpm", tpm)):
            if value is not None and value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        self._requests = _Pace(rpm) if rpm else None
        self._tokens = _Pace(tpm) if tpm else None

    async def admit(self, tokens: int) -> None:
        if self._requests:
            await self._requests.take(1)
        if self._tokens:
            await self._tokens.take(tokens)

    def settle(self, estimate: int, requests: int, tokens: int | None) -> None:
        """Charge what the article really cost: re-asks, retries, chunks and real token usage."""
        if self._requests and requests > 1:
            self._requests.charge(requests - 1)
        if self._tokens and tokens is not None:
            self._tokens.charge(tokens - estimate)


def _estimate_tokens(article: Article, config: Config) -> int:
    return math.ceil(len(article.text) / CHARS_PER_TOKEN) + _PROMPT_TOKENS + config.max_tokens


def default_concurrency(config: Config) -> int:
    """Articles in flight when none is asked for: what the configured backend serves well."""
    return backend_for(config).default_concurrency


class _Session:
    """The endpoint and its shared client, started on first use (the embedded server too);
    with a batch API, the batcher its calls go through, and whether a batch stopped the run."""

    def __init__(
        self,
        config: Config,
        client: openai.AsyncOpenAI | None,
        batch_api: BatchApiSettings | None = None,
        on_batch: Callable[[BatchEntry], None] | None = None,
    ) -> None:
        self._config = config
        self._client = client
        self._own_client = client is None
        self._failure: Exception | None = None
        self._stack = contextlib.ExitStack()
        self._lock = asyncio.Lock()
        self._batcher = (
            None if batch_api is None
            else Batcher(batch_api, on_batch=on_batch, on_failure=self._stopped)
        )  # fmt: skip
        self.stopped: BatchFailed | None = None  # a batch failed: the run cannot go on
        self.stop = asyncio.Event()

    def _stopped(self, exc: BatchFailed) -> None:
        self.stopped = exc
        self.stop.set()

    @property
    def batching(self) -> bool:
        """Whether the calls go through a batch API."""
        return self._batcher is not None

    def article(self) -> AbstractAsyncContextManager[None]:
        """An article in flight (which each batch waits for, with a batch API)."""
        if self._batcher is None:
            return contextlib.nullcontext()
        return self._batcher.article()

    async def open(self) -> tuple[openai.AsyncOpenAI, Config]:
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._client is None:
                try:
                    await self._start()
                except Exception as exc:
                    self._failure = exc
                    raise
            assert self._client is not None
            return self._client, self._config

    async def _start(self) -> None:
        # Started here, on the event loop's thread (the main thread under asyncio.run), not in
        # an executor: the server's death signal follows the thread that spawned it, so only
        # then does it die with the toolkit when the process is killed. The loop waits for the
        # start-up; nothing could run without the server anyway.
        self._config = self._stack.enter_context(backend_for(self._config).serve(self._config))
        self._config = settled(self._config)
        if self._batcher is None:
            self._client = backend_for(self._config).async_client(self._config)
        else:
            self._client, self._config = self._batcher.connect(self._config)

    async def aclose(self) -> None:
        if self._batcher is not None:
            await self._batcher.aclose()  # its clients too
        elif self._own_client and self._client is not None:
            await self._client.close()
        self._stack.close()


async def _load(item: ArticleInput) -> Article:
    if isinstance(item, Path):
        return await asyncio.to_thread(load_article, item)
    return as_article(item)


async def _extract(index: int, item: ArticleInput, session: _Session, limiter: Pacer) -> Outcome:
    started = time.perf_counter()

    def seconds() -> float:
        return round(time.perf_counter() - started, 3)

    try:
        article = await _load(item)
    except Exception as exc:  # an unreadable article is this article's failure only
        return Outcome(index, error=exc, seconds=seconds())
    client, config = await session.open()  # a server that cannot start fails the whole batch
    estimate = _estimate_tokens(article, config)
    await limiter.admit(estimate)
    from ..extraction.pipeline import asummarise  # the LLM stack, only once there is work

    try:
        report = await asummarise(article, config=config, client=client)
    except Exception as exc:  # recorded for this article; the others go on
        attempts = exc.attempts if isinstance(exc, SummariseError) else 1
        limiter.settle(estimate, attempts, None)
        return Outcome(index, article, error=exc, seconds=seconds())
    info = report.extraction
    limiter.settle(estimate, info.attempts, info.usage.total_tokens or None)
    return Outcome(index, article, report=report, seconds=seconds())


async def asummarise_many(
    articles: Iterable[ArticleInput],
    *,
    config: Config | None = None,
    client: openai.AsyncOpenAI | None = None,
    concurrency: int | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
    pacer: Pacer | None = None,
    batch_api: BatchApiSettings | None = None,
    on_batch: Callable[[BatchEntry], None] | None = None,
) -> AsyncGenerator[Outcome, None]:
    """Extract many articles concurrently; yield each `Outcome` as soon as it is complete.

    At most `concurrency` articles are in flight (default: 1 on the embedded server, 4 on an
    endpoint) through one shared client; `rpm` and `tpm` pace requests and tokens per minute
    (or `pacer`, instead, when the limits are shared with other processes). Articles are read
    lazily from `articles`; a failure is yielded as that article's outcome,
    only a server that cannot start raises. The embedded server, when needed, is started on
    first use and stopped at the end. Close the iterator when leaving early
    (`contextlib.aclosing`).

    With `batch_api`, the model calls go through the endpoint's batch API, each round of
    calls of the articles in flight (default: all of them, up to `max_in_flight`) as one
    batch; `on_batch` hears of each batch as it is sent and changes status. A batch that
    fails raises `BatchFailed` (the outcomes finished before it are yielded first). It needs
    a served endpoint, and neither a `client` nor rate limits.
    """
    config = config or resolve_config()
    if batch_api is not None:
        check_batching(config, client, rpm, tpm)
        workers = concurrency or batch_api.max_in_flight
        if isinstance(articles, Sized):
            workers = min(workers, max(1, len(articles)))
    else:
        workers = concurrency or default_concurrency(config)
    if workers < 1:
        raise ConfigError(f"concurrency must be at least 1, got {workers}")
    limiter = pacer or Limiter(rpm, tpm)
    session = _Session(config, client, batch_api, on_batch)
    inputs = enumerate(articles)
    # one finished outcome waits at most: workers never run ahead of what the caller has
    # taken (e.g. written to disk), so a killed run loses little finished work
    results: asyncio.Queue[Outcome | Exception | None] = asyncio.Queue(maxsize=1)

    async def work() -> None:
        try:
            for index, item in inputs:  # shared: each worker takes the next article
                async with session.article():
                    outcome = await _extract(index, item, session, limiter)
                await results.put(outcome)
        except Exception as exc:  # the server cannot start, or `articles` itself failed
            await results.put(exc)
        else:
            await results.put(None)

    tasks = [asyncio.create_task(work()) for _ in range(workers)]
    try:
        running = len(tasks)
        while running:
            result = await _next(results, session)
            if result is None:
                running -= 1
            elif isinstance(result, Exception):
                raise result
            else:
                yield result
        if session.stopped is not None:  # every article ended before the failure was seen
            raise session.stopped
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await session.aclose()


def check_batching(
    config: Config, client: openai.AsyncOpenAI | None, rpm: int | None, tpm: int | None
) -> None:
    """Refuse what a batch API cannot do."""
    if config.embedded:
        raise ConfigError(
            "--batch-api needs a served endpoint with a batch API (files and batches, as "
            "OpenAI's): set --base-url (or SUMMARISE_BASE_URL); the embedded server has none."
        )
    if client is not None:
        raise ConfigError("with batch_api, asummarise_many makes its own clients: pass no client")
    if rpm is not None or tpm is not None:
        raise ConfigError(
            "--rpm and --tpm pace live requests; a batch API queues a batch's requests itself: "
            "leave them out with --batch-api."
        )


async def _next(
    results: asyncio.Queue[Outcome | Exception | None], session: _Session
) -> Outcome | Exception | None:
    """The next result; with a batch API, the failure that stopped it once one has (the
    outcomes finished before it are still taken first)."""
    if not session.batching:
        return await results.get()
    while session.stopped is None:
        get = asyncio.ensure_future(results.get())
        stop = asyncio.ensure_future(session.stop.wait())
        try:
            await asyncio.wait({get, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            get.cancel()  # a get that took its item meanwhile still returns it
            await asyncio.wait({get, stop})
        if get.cancelled():
            break
        if session.stopped is None or not _stopped_by_batch(get.result()):
            return get.result()
    while True:  # what the failure left unfinished is no outcome: it stays pending
        try:
            result = results.get_nowait()
        except asyncio.QueueEmpty:
            return session.stopped
        if not _stopped_by_batch(result):
            return result


def _stopped_by_batch(result: Outcome | Exception | None) -> bool:
    """Whether an article ended because a batch failed (not for anything of its own)."""
    error: BaseException | None = result.error if isinstance(result, Outcome) else None
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, BatchFailed):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def summarise_many(
    articles: Iterable[ArticleInput],
    *,
    config: Config | None = None,
    concurrency: int | None = None,
    rpm: int | None = None,
    tpm: int | None = None,
) -> Iterator[Outcome]:
    """The blocking twin of `asummarise_many`: yields outcomes as they complete."""
    loop = asyncio.new_event_loop()
    results = asummarise_many(articles, config=config, concurrency=concurrency, rpm=rpm, tpm=tpm)

    async def step() -> Outcome:
        return await anext(results)

    try:
        while True:
            try:
                outcome = loop.run_until_complete(step())
            except StopAsyncIteration:
                return
            yield outcome
    finally:
        loop.run_until_complete(results.aclose())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
