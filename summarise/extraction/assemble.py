"""From the model's drafts to a grounded report: the toolkit cites, checks and records.

Pure: no model call. Every chunk's drafts become report items without evidence; joint denials
are split per party; `summarise.citing` then backs each item with the article's own sentences
(never one set apart as text addressed to a model) or drops it with the reason; the report
records the passes, repairs, missing passes and warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..chunking import Chunk
from ..citing import cite
from ..config import Config
from ..instructions import find_instructions
from ..models import (
    Article,
    Attendee,
    DateMention,
    DefenceMeetingReport,
    Denial,
    ExtractionInfo,
    KeyFigure,
    Location,
    MarkedSpan,
    PassInfo,
    ReportWarning,
    Risk,
    Source,
    TokenUsage,
    Topic,
)
from .calls import CallResult
from .drafts import PASSES, PROMPT_NAME, FactsDraft, ThemesDraft, prompt_version

__all__ = ["assemble"]


def _items(results: Sequence[CallResult | None]) -> dict[str, list[Any]]:
    """The report items (without evidence) of one chunk's drafts."""
    facts, themes = (r.draft if r else None for r in results)
    items: dict[str, list[Any]] = {}
    if isinstance(facts, FactsDraft):
        items["summary"] = [facts.summary.strip()]
        items["locations"] = [Location(name=x.name) for x in facts.locations]
        items["dates"] = [DateMention(text=x.text, of=x.of, main_event=x.main) for x in facts.dates]
        items["attendees"] = [
            Attendee(
                name=x.name, kind=x.kind, affiliation=x.affiliation, role=x.role, stance=x.stance
            )
            for x in facts.attendees
        ]
        items["denials"] = [Denial(by=x.by, claim=x.claim) for x in facts.denials]
        items["key_figures"] = [KeyFigure(value=x.value, what=x.what) for x in facts.key_figures]
    if isinstance(themes, ThemesDraft):
        items["topics"] = [Topic(label=x.label, detail=x.detail) for x in themes.topics]
        items["risks"] = [
            Risk(label=x.label, detail=x.detail, category=x.category, borne_by=x.borne_by)
            for x in themes.risks
        ]
    return items


def _hidden_warnings(hidden: Sequence[str]) -> list[ReportWarning]:
    """A warning for each passage the page hid from readers that addresses an AI model."""
    warnings = []
    for text in hidden:
        for span in find_instructions(text):
            passage = " ".join(text[span.start : span.end].split())
            shown = passage if len(passage) <= 120 else passage[:117] + "..."
            warnings.append(
                ReportWarning(
                    kind="hidden_text",
                    message=f"The page hid text from its readers that addresses an AI model "
                    f"({span.reason}); it was left out of the article: {shown!r}",
                )
            )
    return warnings


def _warnings(marked: Sequence[MarkedSpan], missing: Sequence[str]) -> list[ReportWarning]:
    warnings = [
        ReportWarning(
            kind="instruction",
            message=f"Text addressed to an AI model was set apart and never used as evidence: "
            f"{span.reason}.",
            start=span.start,
            end=span.end,
        )
        for span in marked
    ]
    if missing:
        warnings.append(
            ReportWarning(
                kind="partial",
                message=f"The article's time ran out: no {', '.join(missing)} pass, so those "
                "fields are empty.",
            )
        )
    return warnings


def assemble(
    article: Article,
    chunks: Sequence[Chunk],
    results: Sequence[Sequence[CallResult | None]],
    config: Config,
    seconds: float,
    marked: Sequence[MarkedSpan] = (),
) -> DefenceMeetingReport:
    """Combine every chunk's drafts into one report whose every item the article backs.

    A `None` result is a pass that did not finish (the article's deadline): the report is
    partial and says so.
    """
    fields: dict[str, list[Any]] = {}
    passes: list[PassInfo] = []
    repairs: list[str] = []
    missing: list[str] = []
    for chunk_results in results:
        for name, items in _items(chunk_results).items():
            fields.setdefault(name, []).extend(items)
        for step, result in zip(PASSES, chunk_results, strict=True):
            if result is None:
                missing.append(step.name)
                continue
            passes.append(
                PassInfo(
                    name=step.name,
                    seconds=result.seconds,
                    calls=result.attempts,
                    usage=result.usage,
                    prompt_ms=result.prompt_ms,
                    generation_ms=result.generation_ms,
                )
            )
            repairs += [f"{step.name}: {repair}" for repair in result.repairs]
    cited = cite(
        article.id,
        article.text,
        published=article.published,
        locations=fields.get("locations", []),
        dates=fields.get("dates", []),
        attendees=fields.get("attendees", []),
        denials=fields.get("denials", []),
        topics=fields.get("topics", []),
        risks=fields.get("risks", []),
        key_figures=fields.get("key_figures", []),
        excluded=[(span.start, span.end) for span in marked],
    )
    usage = TokenUsage()
    for info in passes:
        usage = usage + info.usage
    missing = sorted(set(missing), key=[p.name for p in PASSES].index)
    return DefenceMeetingReport(
        source=Source.of(article).model_copy(update={"marked": list(marked)}),
        summary=" ".join(fields.get("summary", [])).strip(),
        locations=cited.locations,
        dates=cited.dates,
        attendees=cited.attendees,
        denials=cited.denials,
        topics=cited.topics,
        risks=cited.risks,
        key_figures=cited.key_figures,
        dropped=cited.dropped,
        warnings=_warnings(marked, missing) + _hidden_warnings(article.hidden),
        extraction=ExtractionInfo(
            backend=config.backend or "",
            model=config.model or "",
            mode=config.mode or "",
            prompt_name=PROMPT_NAME,
            prompt_version=prompt_version(),
            toolkit_version=__version__,
            usage=usage,
            attempts=sum(info.calls for info in passes),
            chunks=len(chunks),
            seconds=round(seconds, 3),
            passes=passes,
            repairs=repairs,
            missing=missing,
        ),
    )
