"""From the model's drafts to a grounded report: align quotes, check items, reconcile stances.

Pure: no model call. Every chunk's drafts become report items whose quotes are located in the
stored text; the checks in `summarise.checks` then drop and fix what small models get wrong.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .. import __version__
from ..checks import check_attendees, dedupe, name_key, reconcile_stances, split_denials
from ..chunking import Chunk
from ..config import Config
from ..dates import normalise_date
from ..grounding import ground, locate
from ..models import (
    Article,
    Attendee,
    DateMention,
    DefenceMeetingReport,
    Denial,
    Evidence,
    ExtractionInfo,
    KeyFigure,
    Location,
    Risk,
    Source,
    TokenUsage,
    Topic,
)
from .calls import CallResult
from .drafts import PROMPT_NAME, DraftDate, ReportDraft, ThemesDraft, prompt_version

__all__ = ["assemble"]


def _date(d: DraftDate, ev: list[Evidence], published: date | None) -> DateMention:
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
    draft: ReportDraft, themes: ThemesDraft, chunk: Chunk, article: Article
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
            Risk(
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


def assemble(
    article: Article,
    chunks: list[Chunk],
    results: list[list[CallResult]],
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
    locations = dedupe(fields["locations"], lambda x: name_key(x.name))
    places = {name_key(x.name) for x in locations}
    attendees = check_attendees(
        [
            a
            for a in dedupe(fields["attendees"], lambda a: name_key(a.name))
            if name_key(a.name) not in places  # where the meetings were, not who met
        ],
        article,
    )
    denials = dedupe(
        split_denials(fields["denials"]), lambda d: name_key(d.by) + "|" + name_key(d.claim)
    )
    usage = TokenUsage()
    for result in calls:
        usage = usage + result.usage
    return DefenceMeetingReport(
        source=Source.of(article),
        summary=" ".join(d.summary.strip() for d in drafts).strip(),
        locations=locations,
        dates=dedupe(fields["dates"], lambda x: name_key(x.text) + "|" + name_key(x.of)),
        attendees=reconcile_stances(attendees, denials),
        denials=denials,
        topics=dedupe(fields["topics"], lambda x: name_key(x.label)),
        risks=dedupe(fields["risks"], lambda x: name_key(x.label)),
        key_figures=dedupe(
            # a figure "as written" that the article does not contain was made up
            [f for f in fields["key_figures"] if locate(f.value, article.text) is not None],
            lambda x: name_key(x.value + " " + x.what),
        ),
        extraction=ExtractionInfo(
            backend=config.backend or "",
            model=config.model or "",
            mode=config.mode or "",
            prompt_name=PROMPT_NAME,
            prompt_version=prompt_version(),
            toolkit_version=__version__,
            usage=usage,
            attempts=sum(r.attempts for r in calls),
            chunks=len(chunks),
            seconds=round(seconds, 3),
        ),
    )
