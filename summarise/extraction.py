"""Extraction: one article in, one grounded DefenceMeetingReport out, through instructor.

The model fills two compact drafts over the same article prefix (the facts, then topics and
risks), every item with one verbatim quote; the toolkit then aligns the quotes to the article,
checks the items small models tend to invent, normalises dates and reconciles stances.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable
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
from .grounding import ground, locate, sentences
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

PROMPT_NAME = "extract+extract-themes"
_CHARS_PER_TOKEN = 3.5  # conservative for English news text; used only to decide on chunking
_PROMPT_OVERHEAD_TOKENS = 700  # instructions and chat template around the article

# --- the draft the model fills -------------------------------------------------------------


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


# Length caps keep a small model from running away inside a string (the server turns them into
# grammar limits); they are generous for what each field should hold.
_Name = Annotated[str, Field(max_length=100)]
_Short = Annotated[str, Field(max_length=120)]
_Detail = Annotated[str, Field(max_length=160)]
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


class _Quoted(_Draft):
    """A draft whose items each carry one quote copied from the article."""

    def quotes(self) -> list[str]:
        """Every item's quote, in field order."""
        return [
            item.quote
            for name in type(self).model_fields
            if isinstance(items := getattr(self, name), list)
            for item in items
        ]

    @model_validator(mode="after")
    def _quotes_in_article(self) -> _Quoted:
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


class ReportDraft(_Quoted):
    """First pass: the facts of the meetings (who, when, where, who denies, figures)."""

    summary: Annotated[str, Field(max_length=600)]
    locations: list[_DraftLocation] = Field(max_length=4)
    dates: list[_DraftDate] = Field(max_length=8)
    attendees: list[_DraftAttendee] = Field(max_length=16)
    denials: list[_DraftDenial] = Field(max_length=8)
    key_figures: list[_DraftFigure] = Field(max_length=6)


class ThemesDraft(_Quoted):
    """Second pass, on the same article prefix: what was discussed and what is at risk."""

    # The minimum counts are grammar rules on the embedded server: the small model otherwise
    # stops after one item (measured in docs/benchmarks.md). Every item still needs a quote
    # found in the article.
    topics: list[_DraftTopic] = Field(min_length=3, max_length=8)
    risks: list[_DraftRisk] = Field(min_length=2, max_length=6)


# Two passes over each article (or chunk): their prompts begin alike (system message, then the
# article), so the server's prefix cache evaluates the article once for both. Small models find
# more topics and risks when asked for them alone than at the end of one long report.
_PASSES: tuple[tuple[str, type[_Quoted]], ...] = (
    ("extract", ReportDraft),
    ("extract-themes", ThemesDraft),
)


def prompt_version() -> str:
    """The prompt version recorded in reports: a hash of every pass's prompt file."""
    versions = "+".join(load_prompt(name).version for name, _ in _PASSES)
    return hashlib.sha256(versions.encode()).hexdigest()[:12]


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


def _requests(chunk: _Chunk, article: Article, config: Config) -> list[dict[str, Any]]:
    """One request per pass over this chunk."""
    return [_request(chunk, article, config, load_prompt(name), model) for name, model in _PASSES]


def _request(
    chunk: _Chunk, article: Article, config: Config, prompt: Prompt, model: type[_Quoted]
) -> dict[str, Any]:
    return {
        "model": config.resolved_model,
        "messages": prompt.render(text=chunk.text, published=article.published),
        "response_model": model,
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


_GENERIC_WORDS = frozenset(
    ("the", "a", "an", "of", "and", "for", "group", "ltd", "limited", "inc", "co", "company",
     "companies", "corp", "defence", "defense", "industries", "industry")
)  # fmt: skip
# "X represents 500 companies, including A and B": A and B are members, not participants.
_MEMBERSHIP = re.compile(
    r"\b(?:represent\w*|members?|compris\w*)\b.*?\b(?:including|such as|like|among them)\b",
    re.I,
)
_DENIAL_CUE = re.compile(
    r"\b(?:den(?:y|ies|ied|ial)|incorrect|untrue|false|not true|never|reject\w*)\b", re.I
)
_ATTRIBUTION = re.compile(
    r"\b(?:sources?|reports?|reported|said|says|according|told|familiar|suggest\w*)\b", re.I
)


# Words that tie a sentence to taking part in meetings; an attendee must be named in such a
# sentence (pages often carry unrelated headlines whose people a small model lists too).
_TAKING_PART = re.compile(
    r"\b(?:meet\w*|met|attend\w*|travel\w*|visit\w*|trip|took part|take part|particip\w*|"
    r"present|represent\w*|delegat\w*|talks|discuss\w*|led by|headed by|heading|"
    r"accompan\w*|sidelines)\b",
    re.I,
)


def _name_at(name: str, sentence: str) -> int:
    """Where `sentence` names `name` (whole name, acronym or all its distinctive words), or -1."""
    folded = sentence.casefold()
    words = re.findall(r"\w+", folded)
    key = _name_key(name)
    if not key:
        return -1
    whole = re.search(rf"\b{re.escape(key)}\b", " ".join(words))
    if whole:
        return folded.find(key.split()[0])
    tokens = [t for t in key.split() if t not in _GENERIC_WORDS]
    if tokens and all(t in words for t in tokens):
        return folded.find(tokens[0])
    return -1


def _as_member(name: str, sentence: str) -> bool:
    """Whether the sentence names `name` only as a member of a body ("..., including X")."""
    match = _MEMBERSHIP.search(sentence)
    return match is not None and _name_at(name, sentence) >= match.end() - 12


def _sentence_evidence(article: Article, span: tuple[int, int]) -> Evidence:
    start, end = span
    return Evidence(
        source_id=article.id, quote=article.text[start:end], start=start, end=end, alignment="exact"
    )


def _checked_attendees(attendees: list[Attendee], article: Article) -> list[Attendee]:
    """Drop attendees that no sentence of the article names as taking part.

    A sentence counts when it names the attendee (not only as a member of a body: "..., which
    represents 500 companies including X") and speaks of meetings, visits or talks. An
    attendee whose evidence is no such sentence gets the first sentence that is. These are the
    small model's usual inventions: a body's member companies, people from unrelated headlines
    on the same page, a name copied next to an unrelated quote.
    """

    def names(name: str, text: str) -> bool:
        return (
            _name_at(name, text) >= 0
            and not _as_member(name, text)
            and _TAKING_PART.search(text) is not None
        )

    spans = sentences(article.text)
    kept = []
    for attendee in attendees:
        naming = [e for e in attendee.evidence if e.aligned and names(attendee.name, e.quote)]
        if naming:
            kept.append(attendee.model_copy(update={"evidence": naming}))
            continue
        elsewhere = [span for span in spans if names(attendee.name, article.text[slice(*span)])]
        if elsewhere:
            evidence = [_sentence_evidence(article, elsewhere[0])]
            kept.append(attendee.model_copy(update={"evidence": evidence}))
    return kept


def _split_denials(denials: list[Denial]) -> list[Denial]:
    """One denial per party: "A and B denied ..." becomes a denial by A and one by B."""
    result: list[Denial] = []
    for denial in denials:
        parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", denial.by) if p.strip()]
        parts = [re.sub(r"^(?:the)\s+", "", p.strip(), flags=re.I) for p in parts]
        if len(parts) > 1 and all(p[:1].isupper() for p in parts):
            result.extend(denial.model_copy(update={"by": p}) for p in parts)
        else:
            result.append(denial)
    return result


def _reconcile(attendees: list[Attendee], denials: list[Denial]) -> list[Attendee]:
    """Make stances agree with denials.

    A party that denies attending is `denied`; one the model marked `denied` although no denial
    is by it (a delegation's leader, say) is `reported` or `asserted` as its evidence says.
    """
    result = []
    for a in attendees:
        if a.stance == "denied" and not any(_same_name(a.name, d.by) for d in denials):
            texts = [e.quote for e in a.evidence if e.aligned]
            if not any(_DENIAL_CUE.search(t) for t in texts):
                attributed = any(_ATTRIBUTION.search(t) for t in texts)
                a = a.model_copy(update={"stance": "reported" if attributed else "asserted"})
        result.append(a)
    for denial in denials:
        matches = [i for i, a in enumerate(result) if _same_name(a.name, denial.by)]
        for i in matches:
            a = result[i]
            extra = [e for e in denial.evidence if e not in a.evidence]
            result[i] = a.model_copy(update={"stance": "denied", "evidence": a.evidence + extra})
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


def _items(
    draft: ReportDraft, themes: ThemesDraft, chunk: _Chunk, article: Article
) -> dict[str, list[Any]]:
    """The report items of one chunk's drafts, with quotes grounded in the stored text."""

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
            Topic(label=x.label, detail=x.detail, evidence=ev(x.quote)) for x in themes.topics
        ],
        "risks": [
            RiskItem(
                label=x.label,
                detail=x.detail,
                category=x.category,
                borne_by=x.borne_by,
                evidence=ev(x.quote),
            )
            for x in themes.risks
        ],
        "key_figures": [
            KeyFigure(value=x.value, what=x.what, evidence=ev(x.quote)) for x in draft.key_figures
        ],
    }


def _assemble(
    article: Article,
    chunks: list[_Chunk],
    results: list[list[_CallResult]],
    config: Config,
    seconds: float,
) -> DefenceMeetingReport:
    """Combine every chunk's drafts into one report, then check and reconcile its items."""
    fields: dict[str, list[Any]] = {}
    drafts: list[ReportDraft] = []
    for chunk, (facts, themes) in zip(chunks, results, strict=True):
        assert isinstance(facts.draft, ReportDraft) and isinstance(themes.draft, ThemesDraft)
        drafts.append(facts.draft)
        for name, items in _items(facts.draft, themes.draft, chunk, article).items():
            fields.setdefault(name, []).extend(items)
    calls = [result for passes in results for result in passes]
    locations = _dedupe(fields["locations"], lambda x: _name_key(x.name))
    places = {_name_key(x.name) for x in locations}
    attendees = _checked_attendees(
        [
            a
            for a in _dedupe(fields["attendees"], lambda a: _name_key(a.name))
            if _name_key(a.name) not in places  # where the meetings were, not who met
        ],
        article,
    )
    denials = _dedupe(
        _split_denials(fields["denials"]), lambda d: _name_key(d.by) + "|" + _name_key(d.claim)
    )
    usage = TokenUsage()
    for result in calls:
        usage = usage + result.usage
    return DefenceMeetingReport(
        source=Source.of(article),
        summary=" ".join(d.summary.strip() for d in drafts).strip(),
        locations=locations,
        dates=_dedupe(fields["dates"], lambda x: _name_key(x.text) + "|" + _name_key(x.of)),
        attendees=_reconcile(attendees, denials),
        denials=denials,
        topics=_dedupe(fields["topics"], lambda x: _name_key(x.label)),
        risks=_dedupe(fields["risks"], lambda x: _name_key(x.label)),
        key_figures=_dedupe(
            # a figure "as written" that the article does not contain was made up
            [f for f in fields["key_figures"] if locate(f.value, article.text) is not None],
            lambda x: _name_key(x.value + " " + x.what),
        ),
        extraction=ExtractionInfo(
            backend=config.backend_name,
            model=config.resolved_model,
            mode=config.resolved_mode,
            prompt_name=PROMPT_NAME,
            prompt_version=prompt_version(),
            toolkit_version=__version__,
            usage=usage,
            attempts=sum(r.attempts for r in calls),
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
    chunks = _chunks(art, config)
    own = client is None
    client = client or make_client(config)
    try:
        results = [
            [_call(client, r, c.text, config) for r in _requests(c, art, config)] for c in chunks
        ]
    finally:
        if own:
            client.close()
    return _assemble(art, chunks, results, config, time.perf_counter() - started)


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
    if client is None and config.embedded:
        with embedded_server(config) as live:  # blocks for the server's start-up only
            return await asummarise(art, config=live)
    started = time.perf_counter()
    chunks = _chunks(art, config)
    own = client is None
    client = client or make_async_client(config)
    try:
        results = [
            [await _acall(client, r, c.text, config) for r in _requests(c, art, config)]
            for c in chunks
        ]
    finally:
        if own:
            await client.close()
    return _assemble(art, chunks, results, config, time.perf_counter() - started)
