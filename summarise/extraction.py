"""Extraction: one article in, one grounded DefenceMeetingReport out, through instructor.

The model fills a compact draft (every item with one verbatim quote); the toolkit then aligns
the quotes to the article, normalises dates in code and reconciles stances with denials.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rapidfuzz import fuzz
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from . import __version__
from .backends import embedded_server, make_async_client, make_client
from .config import Config, resolve_config
from .dates import normalise_date
from .errors import BackendError, ExtractionError
from .grounding import ground, locate
from .loading import as_article
from .models import (
    Article,
    Attendee,
    AttendeeKind,
    DateMention,
    DefenceMeetingReport,
    Denial,
    Evidence,
    ExtractionInfo,
    KeyFigure,
    Location,
    RiskCategory,
    Source,
    Stance,
    TokenUsage,
    Topic,
)
from .models import Risk as RiskItem
from .prompts import Prompt, load_prompt

_log = logging.getLogger(__name__)

PROMPT_NAME = "extract"
_CHARS_PER_TOKEN = 3.5  # conservative for English news text; used only to decide on chunking
_PROMPT_OVERHEAD_TOKENS = 700  # instructions and chat template around the article

# --- the draft the model fills -------------------------------------------------------------


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


# Length caps keep a small model from running away inside a string (the server turns them into
# grammar limits); they are generous for what each field should hold.
_Name = Annotated[str, Field(max_length=100)]
_Short = Annotated[str, Field(max_length=120)]
_Detail = Annotated[str, Field(max_length=240)]
_Quote = Annotated[str, Field(max_length=300)]


class _DraftLocation(_Draft):
    name: _Name
    quote: _Quote


class _DraftDate(_Draft):
    text: _Name
    of: _Short
    quote: _Quote


class _DraftAttendee(_Draft):
    name: _Name
    kind: AttendeeKind
    affiliation: _Short | None
    role: _Short | None
    country: _Name | None
    stance: Stance
    quote: _Quote


class _DraftDenial(_Draft):
    by: _Name
    claim: _Detail
    to_whom: _Short | None
    quote: _Quote


class _DraftTopic(_Draft):
    label: _Short
    detail: _Detail
    quote: _Quote


class _DraftRisk(_Draft):
    label: _Short
    detail: _Detail
    category: RiskCategory
    borne_by: _Short | None
    quote: _Quote


class _DraftFigure(_Draft):
    value: _Name
    what: _Short
    quote: _Quote


@dataclass
class _GroundingCheck:
    """Per-call state for the draft validator: the text quotes must come from."""

    text: str
    reasks_left: int = 1


_CHECK: ContextVar[_GroundingCheck | None] = ContextVar("summarise_grounding", default=None)


class ReportDraft(_Draft):
    """What the model is asked for; every item carries one quote copied from the article."""

    summary: Annotated[str, Field(max_length=600)]
    locations: list[_DraftLocation] = Field(max_length=4)
    dates: list[_DraftDate] = Field(max_length=8)
    attendees: list[_DraftAttendee] = Field(max_length=16)
    denials: list[_DraftDenial] = Field(max_length=8)
    topics: list[_DraftTopic] = Field(max_length=6)
    risks: list[_DraftRisk] = Field(max_length=6)
    key_figures: list[_DraftFigure] = Field(max_length=6)

    def quotes(self) -> list[str]:
        """Every quote in the draft, in field order."""
        groups: Sequence[Sequence[Any]] = (
            self.locations, self.dates, self.attendees, self.denials,
            self.topics, self.risks, self.key_figures,
        )  # fmt: skip
        return [item.quote for group in groups for item in group]

    @model_validator(mode="after")
    def _quotes_in_article(self) -> ReportDraft:
        """Send quotes that are not in the article back to the model, once."""
        check = _CHECK.get()
        if check is None:
            return self
        missing = list(dict.fromkeys(q for q in self.quotes() if locate(q, check.text) is None))
        if missing and check.reasks_left > 0:
            check.reasks_left -= 1
            listed = "; ".join(repr(q) for q in missing)
            raise ValueError(
                f"these quotes do not occur in the article: {listed}. Replace each with a "
                "passage copied word for word from the article, or drop the item."
            )
        return self


# --- chunking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    text: str
    offset: int


def _split(text: str, max_chars: int) -> list[_Chunk]:
    """Split at paragraph, then sentence, then word boundaries into pieces of <= max_chars."""
    chunks: list[_Chunk] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = -1
        for pattern in (r"\n\s*\n", r"\n", r"[.!?][\"'\u201d\u2019)]?\s", r"\s"):
            ends = [m.end() for m in re.finditer(pattern, window)]
            if ends and ends[-1] > max_chars // 3:
                cut = ends[-1]
                break
        cut = cut if cut > 0 else max_chars
        chunks.append(_Chunk(text[start : start + cut], start))
        start += cut
    chunks.append(_Chunk(text[start:], start))
    return [c for c in chunks if c.text.strip()]


def _chunks(article: Article, config: Config) -> list[_Chunk]:
    budget = config.context_tokens - config.max_tokens - _PROMPT_OVERHEAD_TOKENS
    max_chars = int(max(budget, 256) * _CHARS_PER_TOKEN)
    return _split(article.text, max_chars)


# --- calling the model, with one retry layer for transport errors --------------------------

_MODES = {
    "tools": "TOOLS",
    "json_schema": "JSON_SCHEMA",
    "llama-cpp-python": "JSON_SCHEMA",
    "json": "JSON",
    "md_json": "MD_JSON",
}
_TRANSIENT_STATUS = {408, 409, 429}


def _api_error(exc: BaseException) -> openai.APIError | None:
    """The openai error behind an exception, if any (instructor wraps them)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, openai.APIError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _is_transient(exc: BaseException) -> bool:
    err = _api_error(exc)
    if isinstance(err, openai.APIConnectionError):  # includes timeouts
        return True
    if isinstance(err, openai.APIStatusError):
        return err.status_code in _TRANSIENT_STATUS or err.status_code >= 500
    return False


def _retry_after(exc: BaseException) -> float | None:
    err = _api_error(exc)
    if not isinstance(err, openai.APIStatusError):
        return None
    headers = err.response.headers
    with contextlib.suppress(TypeError, ValueError):
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    return None


def _retry_policy(config: Config) -> dict[str, Any]:
    backoff = wait_exponential_jitter(
        multiplier=config.retry_backoff, max=30 * config.retry_backoff, jitter=config.retry_backoff
    )

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = _retry_after(exc) if exc else None
        return min(after, 120.0) if after is not None else backoff(state)

    return {
        "stop": stop_after_attempt(config.max_retries + 1),
        "wait": wait,
        "retry": retry_if_exception(_is_transient),
        "reraise": True,
        "before_sleep": before_sleep_log(_log, logging.INFO),
    }


@dataclass
class _CallResult:
    draft: ReportDraft
    usage: TokenUsage
    attempts: int


def _usage(completion: Any) -> TokenUsage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return TokenUsage()
    return TokenUsage(
        prompt_tokens=usage.prompt_tokens or 0,
        completion_tokens=usage.completion_tokens or 0,
        total_tokens=usage.total_tokens or 0,
    )


def _failure(exc: BaseException, config: Config, attempts: int) -> Exception:
    """Turn whatever the call raised into the toolkit's own error."""
    if isinstance(exc, IncompleteOutputException):
        return ExtractionError(
            f"The model's output was cut off at max_tokens={config.max_tokens}; raise max_tokens.",
            attempts=attempts,
        )
    err = _api_error(exc)
    where = config.base_url or "the embedded server"
    if isinstance(err, openai.APIConnectionError):
        return BackendError(
            f"Cannot reach the model server at {where} after {attempts} attempt(s): {err}",
            attempts=attempts,
        )
    if isinstance(err, openai.APIStatusError):
        return BackendError(
            f"The model server at {where} answered HTTP {err.status_code} after {attempts} "
            f"attempt(s): {err.message}",
            attempts=attempts,
        )
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
    calls: int = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1


def _request(chunk: _Chunk, article: Article, config: Config, prompt: Prompt) -> dict[str, Any]:
    return {
        "model": config.resolved_model,
        "messages": prompt.render(text=chunk.text, published=article.published),
        "response_model": ReportDraft,
        "max_retries": config.max_reasks,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
    }


def _instructor_mode(config: Config) -> instructor.Mode:
    return getattr(instructor.Mode, _MODES[config.resolved_mode])  # type: ignore[no-any-return]


def _call(client: openai.OpenAI, request: dict[str, Any], text: str, config: Config) -> _CallResult:
    counter = _Counter()
    icl = instructor.from_openai(client, mode=_instructor_mode(config))
    icl.on("completion:kwargs", counter)
    token = _CHECK.set(_GroundingCheck(text))
    try:
        for attempt in Retrying(**_retry_policy(config)):
            with attempt:
                _CHECK.get().reasks_left = 1  # type: ignore[union-attr]
                draft, completion = icl.chat.completions.create_with_completion(**request)
        return _CallResult(draft, _usage(completion), counter.calls)
    except Exception as exc:
        raise _failure(exc, config, counter.calls) from exc
    finally:
        _CHECK.reset(token)


async def _acall(
    client: openai.AsyncOpenAI, request: dict[str, Any], text: str, config: Config
) -> _CallResult:
    counter = _Counter()
    icl = instructor.from_openai(client, mode=_instructor_mode(config))
    icl.on("completion:kwargs", counter)
    token = _CHECK.set(_GroundingCheck(text))
    try:
        async for attempt in AsyncRetrying(**_retry_policy(config)):
            with attempt:
                _CHECK.get().reasks_left = 1  # type: ignore[union-attr]
                draft, completion = await icl.chat.completions.create_with_completion(**request)
        return _CallResult(draft, _usage(completion), counter.calls)
    except Exception as exc:
        raise _failure(exc, config, counter.calls) from exc
    finally:
        _CHECK.reset(token)


# --- from drafts to a grounded report ------------------------------------------------------

_ATTENDANCE_WORDS = re.compile(
    r"meet|attend|travel|visit|trip|took part|particip|present|represent|link|moscow|russia", re.I
)
_T = TypeVar("_T", Location, DateMention, Attendee, Denial, Topic, RiskItem, KeyFigure)


def _same_name(a: str, b: str) -> bool:
    a, b = _name_key(a), _name_key(b)
    return a == b or (min(len(a), len(b)) >= 4 and fuzz.token_set_ratio(a, b) >= 90)


def _name_key(name: str) -> str:
    words = re.sub(r"[^\w&]+", " ", name.casefold()).split()
    return " ".join(w for w in words if w not in {"the", "a", "an"})


def _dedupe(items: list[_T], key: Callable[[_T], str]) -> list[_T]:
    """Join items with the same key, keeping the first and every item's evidence."""
    kept: dict[str, _T] = {}
    for item in items:
        k = key(item)
        if k in kept:
            first: _T = kept[k]
            seen = {(e.start, e.end, e.quote) for e in first.evidence}
            extra: list[Evidence] = [
                e for e in item.evidence if (e.start, e.end, e.quote) not in seen
            ]
            kept[k] = first.model_copy(update={"evidence": [*first.evidence, *extra]})
        else:
            kept[k] = item
    return list(kept.values())


def _reconcile(attendees: list[Attendee], denials: list[Denial]) -> list[Attendee]:
    """Make stances agree with denials: a party that denies attending is `denied`."""
    result = list(attendees)
    for denial in denials:
        matches = [i for i, a in enumerate(result) if _same_name(a.name, denial.by)]
        for i in matches:
            a = result[i]
            result[i] = a.model_copy(
                update={"stance": "denied", "evidence": a.evidence + denial.evidence}
            )
        if not matches and _ATTENDANCE_WORDS.search(denial.claim):
            result.append(
                Attendee(
                    name=denial.by, kind="organisation", stance="denied", evidence=denial.evidence
                )
            )
    return result


def _date(d: _DraftDate, ev: list[Evidence], published: date | None) -> DateMention:
    interval = normalise_date(d.text, published)
    if interval.earliest is None and ev and ev[0].aligned:
        interval = normalise_date(ev[0].quote, published)
    return DateMention(
        text=d.text,
        of=d.of,
        earliest=interval.earliest,
        latest=interval.latest,
        precision=interval.precision,
        evidence=ev,
    )


def _items(draft: ReportDraft, chunk: _Chunk, article: Article) -> dict[str, list[Any]]:
    """The report items of one chunk's draft, with quotes grounded in the stored text."""

    def ev(quote: str) -> list[Evidence]:
        return [ground(quote, chunk.text, article.id, offset=chunk.offset)]

    return {
        "locations": [Location(name=x.name, evidence=ev(x.quote)) for x in draft.locations],
        "dates": [_date(x, ev(x.quote), article.published) for x in draft.dates],
        "attendees": [
            Attendee(
                name=x.name,
                kind=x.kind,
                affiliation=x.affiliation,
                role=x.role,
                country=x.country,
                stance=x.stance,
                evidence=ev(x.quote),
            )
            for x in draft.attendees
        ],
        "denials": [
            Denial(by=x.by, claim=x.claim, to_whom=x.to_whom, evidence=ev(x.quote))
            for x in draft.denials
        ],
        "topics": [
            Topic(label=x.label, detail=x.detail, evidence=ev(x.quote)) for x in draft.topics
        ],
        "risks": [
            RiskItem(
                label=x.label,
                detail=x.detail,
                category=x.category,
                borne_by=x.borne_by,
                evidence=ev(x.quote),
            )
            for x in draft.risks
        ],
        "key_figures": [
            KeyFigure(value=x.value, what=x.what, evidence=ev(x.quote)) for x in draft.key_figures
        ],
    }


def _assemble(
    article: Article,
    chunks: list[_Chunk],
    results: list[_CallResult],
    config: Config,
    prompt: Prompt,
    seconds: float,
) -> DefenceMeetingReport:
    fields: dict[str, list[Any]] = {}
    for chunk, result in zip(chunks, results, strict=True):
        for name, items in _items(result.draft, chunk, article).items():
            fields.setdefault(name, []).extend(items)
    attendees = _dedupe(fields["attendees"], lambda a: _name_key(a.name))
    denials = _dedupe(fields["denials"], lambda d: _name_key(d.by) + "|" + _name_key(d.claim))
    usage = TokenUsage()
    for result in results:
        usage = usage + result.usage
    return DefenceMeetingReport(
        source=Source.of(article),
        summary=" ".join(r.draft.summary.strip() for r in results).strip(),
        locations=_dedupe(fields["locations"], lambda x: _name_key(x.name)),
        dates=_dedupe(fields["dates"], lambda x: _name_key(x.text) + "|" + _name_key(x.of)),
        attendees=_reconcile(attendees, denials),
        denials=denials,
        topics=_dedupe(fields["topics"], lambda x: _name_key(x.label)),
        risks=_dedupe(fields["risks"], lambda x: _name_key(x.label)),
        key_figures=_dedupe(fields["key_figures"], lambda x: _name_key(x.value + " " + x.what)),
        extraction=ExtractionInfo(
            backend=config.backend_name,
            model=config.resolved_model,
            mode=config.resolved_mode,
            prompt_name=prompt.name,
            prompt_version=prompt.version,
            toolkit_version=__version__,
            usage=usage,
            attempts=sum(r.attempts for r in results),
            chunks=len(chunks),
            seconds=round(seconds, 3),
        ),
    )


# --- public API ----------------------------------------------------------------------------

ArticleInput = str | Path | Article


def summarise(
    article: ArticleInput, *, config: Config | None = None, client: openai.OpenAI | None = None
) -> DefenceMeetingReport:
    """Extract a grounded DefenceMeetingReport from one article.

    `article` is text, a path or an Article. With no endpoint configured and no client given,
    the embedded server is started for this call (use `embedded_server()` to share one).
    """
    art = as_article(article)
    config = config or resolve_config()
    if client is None and config.embedded:
        with embedded_server(config) as live:
            return summarise(art, config=live)
    started = time.perf_counter()
    prompt = load_prompt(PROMPT_NAME)
    chunks = _chunks(art, config)
    own = client is None
    client = client or make_client(config)
    try:
        results = [_call(client, _request(c, art, config, prompt), c.text, config) for c in chunks]
    finally:
        if own:
            client.close()
    return _assemble(art, chunks, results, config, prompt, time.perf_counter() - started)


async def asummarise(
    article: ArticleInput,
    *,
    config: Config | None = None,
    client: openai.AsyncOpenAI | None = None,
) -> DefenceMeetingReport:
    """The async twin of `summarise`; chunks of a long article are extracted concurrently."""
    art = as_article(article)
    config = config or resolve_config()
    if client is None and config.embedded:
        with embedded_server(config) as live:  # blocks for the server's start-up only
            return await asummarise(art, config=live)
    started = time.perf_counter()
    prompt = load_prompt(PROMPT_NAME)
    chunks = _chunks(art, config)
    own = client is None
    client = client or make_async_client(config)
    try:
        results = list(
            await asyncio.gather(
                *(_acall(client, _request(c, art, config, prompt), c.text, config) for c in chunks)
            )
        )
    finally:
        if own:
            await client.close()
    return _assemble(art, chunks, results, config, prompt, time.perf_counter() - started)
