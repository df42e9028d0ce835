"""One article in, one grounded DefenceMeetingReport out: the extraction's steps in order.

Text addressed to a model is found first and never shown to it (`summarise.instructions`);
then the model fills two compact drafts over the same article prefix, the facts and the
themes (`drafts`, `calls`), within the article's deadline; the toolkit then cites every item
from the article's own sentences, normalises dates and decides stances from the evidence
(`assemble`, `summarise.citing`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

import openai

from ..backends import backend_for, settled
from ..chunking import Chunk, chunk_text
from ..config import Config, resolve_config
from ..instructions import InstructionSpan, find_instructions, without_instructions
from ..loading import ArticleInput, as_article
from ..models import Article, DefenceMeetingReport, MarkedSpan
from .assemble import assemble
from .calls import CallResult, DeadlineExceeded, acall, call, request_for
from .drafts import PASSES

__all__ = ["asummarise", "summarise"]

# Instructions and chat template around the article, in tokens, kept free when chunking.
_PROMPT_OVERHEAD_TOKENS = 700


def _chunks(article: Article, config: Config) -> list[Chunk]:
    reserved = max(step.max_tokens for step in PASSES) + _PROMPT_OVERHEAD_TOKENS
    return chunk_text(article.text, context_tokens=config.context_tokens, reserved_tokens=reserved)


def _shown(chunk: Chunk, spans: Sequence[InstructionSpan]) -> str:
    """The chunk as the model sees it: passages addressed to a model removed."""
    end = chunk.offset + len(chunk.text)
    inside = [
        InstructionSpan(max(s.start, chunk.offset) - chunk.offset, min(s.end, end) - chunk.offset,
                        s.reason)
        for s in spans
        if s.start < end and chunk.offset < s.end
    ]  # fmt: skip
    return without_instructions(chunk.text, inside)


class _Plan:
    """What one article's extraction does: its chunks, their text as shown, the deadline."""

    def __init__(self, article: Article, config: Config) -> None:
        self.article = article
        self.config = config
        spans = find_instructions(article.text)
        self.marked = [MarkedSpan(kind="instruction", start=s.start, end=s.end, reason=s.reason)
                       for s in spans]  # fmt: skip
        self.chunks = _chunks(article, config)
        self.shown = [_shown(chunk, spans) for chunk in self.chunks]
        timeout = config.article_timeout or backend_for(config).default_article_timeout
        self.started = time.perf_counter()
        self.deadline = time.monotonic() + timeout * len(self.chunks)

    def requests(self) -> list[list[tuple[int, dict[str, object]]]]:
        return [
            [
                (k, request_for(text, self.article, self.config, step))
                for k, step in enumerate(PASSES)
            ]
            for text in self.shown
        ]

    def report(self, results: list[list[CallResult | None]]) -> DefenceMeetingReport:
        if not any(chunk[0] is not None for chunk in results):
            raise DeadlineExceeded(
                f"The article's time ran out ({self.config.article_timeout or 'default'} s per "
                "chunk) before any facts pass finished."
            )
        seconds = time.perf_counter() - self.started
        return assemble(self.article, self.chunks, results, self.config, seconds, self.marked)


def _run_sync(plan: _Plan, do: Callable[[dict[str, object]], CallResult]) -> DefenceMeetingReport:
    results: list[list[CallResult | None]] = []
    for chunk in plan.requests():
        done: list[CallResult | None] = []
        for _, request in chunk:
            try:
                done.append(do(request))
            except DeadlineExceeded:
                done.append(None)
        results.append(done)
    return plan.report(results)


async def _run_async(
    plan: _Plan, do: Callable[[dict[str, object]], Awaitable[CallResult]]
) -> DefenceMeetingReport:
    results: list[list[CallResult | None]] = []
    for chunk in plan.requests():
        done: list[CallResult | None] = []
        for _, request in chunk:
            try:
                done.append(await do(request))
            except DeadlineExceeded:
                done.append(None)
        results.append(done)
    return plan.report(results)


def summarise(
    article: ArticleInput, *, config: Config | None = None, client: openai.OpenAI | None = None
) -> DefenceMeetingReport:
    """Extract a grounded DefenceMeetingReport from one article.

    `article` is text, a path or an Article. With no endpoint configured and no client given,
    the embedded server is started for this call (use `embedded_server()` to share one).
    """
    art = as_article(article)
    config = config or resolve_config()
    if client is None:
        with backend_for(config).serve(config) as live:
            live = settled(live)
            with backend_for(live).client(live) as own:
                return summarise(art, config=live, client=own)
    config = settled(config)
    plan = _Plan(art, config)
    return _run_sync(plan, lambda request: call(client, request, config, deadline=plan.deadline))


async def asummarise(
    article: ArticleInput,
    *,
    config: Config | None = None,
    client: openai.AsyncOpenAI | None = None,
) -> DefenceMeetingReport:
    """The async twin of `summarise`.

    An article's calls go one after another, so that each pass finds the chunk already in the
    server's prefix cache and a huge article never floods the server; run many articles at
    once with `asummarise_many`.
    """
    art = as_article(article)
    config = config or resolve_config()
    if client is None:
        with backend_for(config).serve(config) as live:  # blocks for the server's start-up only
            live = settled(live)
            async with backend_for(live).async_client(live) as own:
                return await asummarise(art, config=live, client=own)
    config = settled(config)
    plan = _Plan(art, config)

    async def do(request: dict[str, object]) -> CallResult:
        return await acall(client, request, config, deadline=plan.deadline)

    return await _run_async(plan, do)
