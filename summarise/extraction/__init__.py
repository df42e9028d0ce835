"""Extraction: one article in, one grounded DefenceMeetingReport out, through instructor.

The model fills two compact drafts over the same article prefix (the facts, then topics and
risks), every item with one verbatim quote (`drafts`, `calls`); the toolkit then aligns the
quotes to the article, checks the items small models tend to invent, normalises dates and
reconciles stances (`assemble`).
"""

from __future__ import annotations

import time

import openai

from ..backends import backend_for, settled
from ..chunking import Chunk, chunk_text
from ..config import Config, resolve_config
from ..loading import ArticleInput, as_article
from ..models import Article, DefenceMeetingReport
from .assemble import assemble
from .calls import acall, call, requests_for
from .drafts import PROMPT_NAME, ReportDraft, ThemesDraft, prompt_version

__all__ = [
    "PROMPT_NAME",
    "ReportDraft",
    "ThemesDraft",
    "asummarise",
    "prompt_version",
    "summarise",
]

# Instructions and chat template around the article, in tokens, kept free when chunking.
_PROMPT_OVERHEAD_TOKENS = 700


def _chunks(article: Article, config: Config) -> list[Chunk]:
    reserved = config.max_tokens + _PROMPT_OVERHEAD_TOKENS
    return chunk_text(article.text, context_tokens=config.context_tokens, reserved_tokens=reserved)


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
    started = time.perf_counter()
    chunks = _chunks(art, config)
    results = [
        [call(client, r, c.text, config) for r in requests_for(c, art, config)] for c in chunks
    ]
    return assemble(art, chunks, results, config, time.perf_counter() - started)


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
    started = time.perf_counter()
    chunks = _chunks(art, config)
    results = [
        [await acall(client, r, c.text, config) for r in requests_for(c, art, config)]
        for c in chunks
    ]
    return assemble(art, chunks, results, config, time.perf_counter() - started)
