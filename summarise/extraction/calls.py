"""Calling the model for one draft, with one retry layer for transport errors.

instructor fills the draft and re-asks on invalid output (`max_reasks`); tenacity retries
transport errors the backend calls transient (`max_retries`, honouring `Retry-After`); the
openai client's own retries are off so the two never multiply. Failures become the toolkit's
errors: the backend maps server failures, this module maps the model's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ..backends import Backend, backend_for
from ..chunking import Chunk
from ..config import Config
from ..errors import ExtractionError
from ..models import Article, TokenUsage
from ..prompts import load_prompt
from .drafts import PASSES, GroundingCheck, QuotedDraft

__all__ = ["CallResult", "acall", "call", "requests_for"]

_log = logging.getLogger("summarise.extraction")
_MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After is capped


@dataclass
class CallResult:
    """One pass's draft, the tokens it cost and the model calls it took (re-asks included)."""

    draft: QuotedDraft
    usage: TokenUsage
    attempts: int


def requests_for(chunk: Chunk, article: Article, config: Config) -> list[dict[str, Any]]:
    """One instructor request per pass over this chunk."""
    return [
        {
            "model": config.model,
            "messages": load_prompt(name).render(text=chunk.text, published=article.published),
            "response_model": model,
            "max_retries": config.max_reasks,
            "temperature": config.temperature,
            "max_tokens": config.max_tokens,
        }
        for name, model in PASSES
    ]


def _retry_policy(config: Config, backend: Backend) -> dict[str, Any]:
    backoff = wait_exponential_jitter(
        multiplier=config.retry_backoff, max=30 * config.retry_backoff, jitter=config.retry_backoff
    )

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = backend.retry_after(exc) if exc else None
        return min(after, _MAX_RETRY_AFTER) if after is not None else backoff(state)

    return {
        "stop": stop_after_attempt(config.max_retries + 1),
        "wait": wait,
        "retry": retry_if_exception(backend.is_transient),
        "reraise": True,
        "before_sleep": before_sleep_log(_log, logging.INFO),
    }


def _usage(completion: Any) -> TokenUsage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return TokenUsage()
    return TokenUsage(
        prompt_tokens=usage.prompt_tokens or 0,
        completion_tokens=usage.completion_tokens or 0,
        total_tokens=usage.total_tokens or 0,
    )


def _failure(exc: BaseException, config: Config, backend: Backend, attempts: int) -> Exception:
    """Turn whatever the call raised into the toolkit's own error."""
    if isinstance(exc, IncompleteOutputException):
        return ExtractionError(
            f"The model's output was cut off at max_tokens={config.max_tokens}; raise max_tokens.",
            attempts=attempts,
        )
    server = backend.failure(exc, config, attempts)
    if server is not None:
        return server
    if isinstance(exc, InstructorRetryException | ValidationError):
        last: BaseException = exc
        if isinstance(exc, InstructorRetryException) and exc.failed_attempts:
            last = exc.failed_attempts[-1].exception
        return ExtractionError(
            f"The model's output was still invalid after {config.max_reasks} re-ask(s): {last}",
            attempts=attempts,
        )
    return exc if isinstance(exc, Exception) else ExtractionError(str(exc))


@dataclass
class _Counter:
    """Counts the model calls instructor makes (its `completion:kwargs` hook)."""

    calls: int = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1


def call(client: openai.OpenAI, request: dict[str, Any], text: str, config: Config) -> CallResult:
    """Fill one draft from `text` (the chunk its quotes must come from)."""
    backend = backend_for(config)
    counter = _Counter()
    icl = backend.instructor(client, config.mode or backend.default_mode)
    icl.on("completion:kwargs", counter)
    try:
        for attempt in Retrying(**_retry_policy(config, backend)):
            with attempt:
                context = GroundingCheck(text).context()
                draft, completion = icl.chat.completions.create_with_completion(
                    **request, context=context
                )
        return CallResult(draft, _usage(completion), counter.calls)
    except Exception as exc:
        raise _failure(exc, config, backend, counter.calls) from exc


async def acall(
    client: openai.AsyncOpenAI, request: dict[str, Any], text: str, config: Config
) -> CallResult:
    """The async twin of `call`."""
    backend = backend_for(config)
    counter = _Counter()
    icl = backend.instructor(client, config.mode or backend.default_mode)
    icl.on("completion:kwargs", counter)
    try:
        async for attempt in AsyncRetrying(**_retry_policy(config, backend)):
            with attempt:
                context = GroundingCheck(text).context()
                draft, completion = await icl.chat.completions.create_with_completion(  # type: ignore[misc]
                    **request, context=context
                )
        return CallResult(draft, _usage(completion), counter.calls)
    except Exception as exc:
        raise _failure(exc, config, backend, counter.calls) from exc
