"""Calling the model for one draft: transport retries, re-asks that must differ, repairs.

tenacity retries transport errors the backend calls transient (`max_retries`, honouring
`Retry-After`); instructor re-asks on invalid output (`max_reasks`), but never after the model
gave the same invalid output twice (at temperature 0 it would give it a third time), and never
for JSON that `summarise.repair` can mend. The openai client's own retries are off, so the two
layers never multiply. Each call may be given a deadline; failures become the toolkit's errors
(the backend maps server failures, this module the model's), carrying what the calls cost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import openai
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    before_sleep_log,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_exponential_jitter

from ..backends import Backend, backend_for
from ..config import Config
from ..errors import ExtractionError
from ..models import Article, TokenUsage
from ..prompts import escape_delimiters, load_prompt
from .drafts import PASSES, Draft, Pass, ValidationState

__all__ = [
    "CallResult",
    "DeadlineExceeded",
    "acall",
    "call",
    "request_for",
    "requests_for",
]

_log = logging.getLogger("summarise.extraction")
_MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After is capped


@dataclass
class CallResult:
    """One pass's draft, what it cost, the model calls it took and the repairs it needed."""

    draft: Draft
    usage: TokenUsage
    attempts: int
    repairs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    prompt_ms: float | None = None
    generation_ms: float | None = None


class DeadlineExceeded(ExtractionError):
    """The article's time ran out before this pass could finish."""


def request_for(chunk_text: str, article: Article, config: Config, step: Pass) -> dict[str, Any]:
    """The instructor request of one pass over a chunk's text (as the model may see it)."""
    return {
        "model": config.model,
        "messages": load_prompt(step.name).render(
            text=escape_delimiters(chunk_text), published=article.published
        ),
        "response_model": step.draft,
        "temperature": config.temperature,
        "max_tokens": min(config.max_tokens, step.max_tokens),
    }


def requests_for(chunk_text: str, article: Article, config: Config) -> list[dict[str, Any]]:
    """One instructor request per pass over this chunk."""
    return [request_for(chunk_text, article, config, step) for step in PASSES]


@dataclass
class _Watch:
    """What one call saw: transport attempts, model calls and every raw output."""

    transport: int = 0
    calls: int = 0
    outputs: list[str] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)
    prompt_ms: float | None = None
    generation_ms: float | None = None
    max_tokens: int | None = None

    def on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1

    def on_response(self, response: Any) -> None:
        self.usage = self.usage + _usage(response)
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        self.outputs.append(str(getattr(message, "content", None) or ""))
        timings = (getattr(response, "model_extra", None) or {}).get("timings")
        if isinstance(timings, dict):  # llama.cpp's server says where the time went
            self.prompt_ms = (self.prompt_ms or 0.0) + float(timings.get("prompt_ms") or 0.0)
            self.generation_ms = (self.generation_ms or 0.0) + float(
                timings.get("predicted_ms") or 0.0
            )

    def repeated(self) -> bool:
        """Whether the model just gave the same output as the time before."""
        return len(self.outputs) >= 2 and self.outputs[-1] == self.outputs[-2]


class _SameOutputTwice(stop_base):
    """Stop re-asking once the model repeats itself."""

    def __init__(self, watch: _Watch) -> None:
        self._watch = watch

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._watch.repeated()


def _reasks(config: Config, watch: _Watch) -> dict[str, Any]:
    """instructor's re-ask policy: at most `max_reasks`, none after a repeated output."""
    return {
        "stop": stop_after_attempt(config.max_reasks + 1) | _SameOutputTwice(watch),
        "retry": retry_if_exception_type((ValidationError, ResponseParsingError, ValueError)),
        "reraise": True,
    }


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


def _failure(exc: BaseException, config: Config, backend: Backend, watch: _Watch) -> Exception:
    """Turn whatever the call raised into the toolkit's own error, with what it cost."""
    error: Exception
    server = backend.failure(exc, config, watch.transport)
    if isinstance(exc, IncompleteOutputException):
        error = ExtractionError(
            f"The model's output was cut off at max_tokens={watch.max_tokens} and could not be "
            "repaired (raise max_tokens if the article needs more)."
        )
    elif server is not None:
        error = server  # "after N attempt(s)" counts HTTP requests: re-asks are told apart
        reasks = watch.calls - watch.transport
        if reasks > 0:
            error.args = (f"{error}; the model was also re-asked {reasks} time(s)",)
    elif isinstance(exc, InstructorRetryException | ValidationError):
        last: BaseException = exc
        if isinstance(exc, InstructorRetryException) and exc.failed_attempts:
            last = exc.failed_attempts[-1].exception
        reasks = max(watch.calls - watch.transport, 0)
        if watch.repeated():
            error = ExtractionError(
                "The model gave the same invalid output twice, so it was not re-asked again "
                f"({reasks} re-ask(s) made): {last}"
            )
        else:
            error = ExtractionError(
                f"The model's output was still invalid after {reasks} re-ask(s): {last}"
            )
    elif isinstance(exc, Exception):
        return exc
    else:
        error = ExtractionError(str(exc))
    error.attempts, error.usage = watch.calls, watch.usage
    return error


def _salvage(exc: IncompleteOutputException, model: type[Draft], check: ValidationState) -> Draft:
    """The complete part of a cut-off answer, as a draft (raises if it cannot be had)."""
    choices = getattr(exc.last_completion, "choices", None) or []
    content = getattr(choices[0].message, "content", None) if choices else None
    if not content:
        raise exc
    try:
        draft = model.model_validate_json(content, context=check.context())
    except ValidationError:
        raise exc from None
    check.repairs.insert(0, "the output was cut off at max_tokens")
    return draft


def _deadline_kwargs(deadline: float | None, config: Config) -> dict[str, Any]:
    if deadline is None:
        return {}
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("The article's time ran out before this pass started.")
    return {"timeout": min(config.timeout, left)}


def _result(draft: Draft, watch: _Watch, check: ValidationState, started: float) -> CallResult:
    return CallResult(
        draft,
        watch.usage,
        watch.calls,
        check.repairs,
        seconds=round(time.perf_counter() - started, 3),
        prompt_ms=watch.prompt_ms,
        generation_ms=watch.generation_ms,
    )


def call(
    client: openai.OpenAI,
    request: dict[str, Any],
    config: Config,
    *,
    deadline: float | None = None,
) -> CallResult:
    """Fill one pass's draft by `deadline` (a `time.monotonic()` value)."""
    backend = backend_for(config)
    watch = _Watch(max_tokens=request.get("max_tokens"))
    icl = backend.instructor(client, config.mode or backend.default_mode)
    icl.on("completion:kwargs", watch.on_kwargs)
    icl.on("completion:response", watch.on_response)
    check = ValidationState()
    started = time.perf_counter()
    try:
        for attempt in Retrying(**_retry_policy(config, backend)):
            with attempt:
                watch.transport += 1
                check = ValidationState()
                try:
                    draft = icl.chat.completions.create(
                        **request,
                        **_deadline_kwargs(deadline, config),
                        max_retries=Retrying(**_reasks(config, watch)),
                        context=check.context(),
                    )
                except IncompleteOutputException as exc:
                    draft = _salvage(exc, request["response_model"], check)
        return _result(draft, watch, check, started)
    except Exception as exc:
        raise _deadline_failure(exc, deadline, watch) or _failure(
            exc, config, backend, watch
        ) from exc


async def acall(
    client: openai.AsyncOpenAI,
    request: dict[str, Any],
    config: Config,
    *,
    deadline: float | None = None,
) -> CallResult:
    """The async twin of `call`."""
    backend = backend_for(config)
    watch = _Watch(max_tokens=request.get("max_tokens"))
    icl = backend.instructor(client, config.mode or backend.default_mode)
    icl.on("completion:kwargs", watch.on_kwargs)
    icl.on("completion:response", watch.on_response)
    check = ValidationState()
    started = time.perf_counter()
    try:
        async for attempt in AsyncRetrying(**_retry_policy(config, backend)):
            with attempt:
                watch.transport += 1
                check = ValidationState()
                try:
                    draft = await icl.chat.completions.create(  # type: ignore[call-overload]
                        **request,
                        **_deadline_kwargs(deadline, config),
                        max_retries=AsyncRetrying(**_reasks(config, watch)),
                        context=check.context(),
                    )
                except IncompleteOutputException as exc:
                    draft = _salvage(exc, request["response_model"], check)
        return _result(draft, watch, check, started)
    except Exception as exc:
        raise _deadline_failure(exc, deadline, watch) or _failure(
            exc, config, backend, watch
        ) from exc


def _deadline_failure(
    exc: BaseException, deadline: float | None, watch: _Watch
) -> DeadlineExceeded | None:
    """A timeout caused by the article's deadline (not by a slow server) as what it is."""
    if isinstance(exc, DeadlineExceeded):
        error = exc
    elif deadline is not None and time.monotonic() >= deadline - 0.5:
        error = DeadlineExceeded(f"The article's time ran out during this pass ({exc}).")
    else:
        return None
    error.attempts, error.usage = watch.calls, watch.usage
    return error
