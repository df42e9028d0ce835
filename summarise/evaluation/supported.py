"""How well a report's evidence supports its items, judged again by `summarise.support`.

The verdicts are recomputed from the article text, not read from the report, so a report of
another version or tool is scored by the same rules. An attendee's sentence that denies it,
for an attendee the report says attended (or the reverse), contradicts it. Also counted: date
texts the article never writes, and, for merged reports, conflict sides whose first quote
contradicts the side.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

from ..fields import REPORT_FIELDS
from ..grounding import locate
from ..models import (
    Attendee,
    DateMention,
    DefenceMeetingReport,
    Denial,
    KeyFigure,
    MergedReport,
    ReportItem,
    Risk,
    Topic,
    Verdict,
)
from ..support import (
    ArticleText,
    Judgement,
    Party,
    judge_attendance,
    judge_date,
    judge_denial,
    judge_figure,
    judge_label,
    judge_place,
)

__all__ = ["ConflictSupport", "FieldSupport", "SupportScore", "conflict_support", "support_of"]


class FieldSupport(BaseModel):
    """Evidence of one field by verdict."""

    supported: int = 0
    weak: int = 0
    contradicts: int = 0
    none: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return self.supported + self.weak + self.contradicts + self.none

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share(self) -> float | None:
        """Share of the evidence that supports its item."""
        return self.supported / self.total if self.total else None

    def __add__(self, other: FieldSupport) -> FieldSupport:
        return FieldSupport(
            supported=self.supported + other.supported,
            weak=self.weak + other.weak,
            contradicts=self.contradicts + other.contradicts,
            none=self.none + other.none,
        )

    def counted(self, verdict: Verdict) -> FieldSupport:
        return self + FieldSupport(**{verdict: 1})


class SupportScore(BaseModel):
    """Per field, how the report's evidence supports its items; and invented date texts."""

    fields: dict[str, FieldSupport] = Field(default_factory=dict)
    invented_dates: int = Field(default=0, description="Date texts the article never writes.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def all(self) -> FieldSupport:
        """Every field together."""
        return sum(self.fields.values(), FieldSupport())

    def __add__(self, other: SupportScore) -> SupportScore:
        names = sorted(set(self.fields) | set(other.fields))
        return SupportScore(
            fields={
                n: self.fields.get(n, FieldSupport()) + other.fields.get(n, FieldSupport())
                for n in names
            },
            invented_dates=self.invented_dates + other.invented_dates,
        )


def _attendee_verdict(attendee: Attendee, judgement: Judgement) -> Verdict:
    """A sentence's verdict for the attendee's stance: the other side contradicts it."""
    if judgement.verdict != "supported" or attendee.stance == "disputed":
        return judgement.verdict
    wanted = "denied" if attendee.stance == "denied" else "attended"
    return "supported" if judgement.side == wanted else "contradicts"


def _parties(report: DefenceMeetingReport) -> dict[str, Party]:
    """Every party the report names (attendees, deniers), as the article may write them."""
    persons = {a.name: a.kind == "person" for a in report.attendees}
    for denial in report.denials:
        persons.setdefault(denial.by, False)
    text = report.source.text
    return {name: Party.of(name, person=person, text=text) for name, person in persons.items()}


def _verdict(item: ReportItem, article: ArticleText, i: int, parties: dict[str, Party]) -> Verdict:
    """Sentence `i`'s verdict on one item, by the rules of its field."""
    sentence = article.sentences[i].text
    everyone = list(parties.values())
    if isinstance(item, Attendee):
        return _attendee_verdict(item, judge_attendance(article, i, parties[item.name], everyone))
    if isinstance(item, Denial):
        return judge_denial(article, i, parties[item.by], everyone).verdict
    if isinstance(item, DateMention):
        return judge_date(sentence, item.text).verdict
    if isinstance(item, KeyFigure):
        return judge_figure(sentence, item.value).verdict
    if isinstance(item, Topic | Risk):
        return judge_label(sentence, item.label, item.detail).verdict
    return judge_place(sentence, item.name).verdict


def support_of(report: DefenceMeetingReport) -> SupportScore:
    """The support of every evidence of the report, field by field."""
    text = report.source.text
    article = ArticleText(text)
    parties = _parties(report)
    score = SupportScore()
    for field in REPORT_FIELDS:
        counted = FieldSupport()
        for item in field.items(report):
            for ev in item.evidence:
                i = None
                if ev.aligned and ev.start is not None and ev.end is not None:
                    i = article.index_of(ev.start, ev.end)
                if i is None:
                    counted = counted.counted("none")
                else:
                    counted = counted.counted(_verdict(item, article, i, parties))
        if counted.total:
            score.fields[field.name] = counted
    for mention in report.dates:
        found = locate(mention.text, text)
        if found is None or found.alignment == "fuzzy":
            score.invented_dates += 1
    return score


class ConflictSupport(BaseModel):
    """Attendance conflict sides of a merged report, and those whose first quote contradicts
    the side ("did not attend" shown with a sentence saying the party attended)."""

    sides: int = 0
    contradicting: int = 0
    examples: list[str] = Field(default_factory=list)


def conflict_support(merged: MergedReport) -> ConflictSupport:
    """Check the first quote of each side of every attendance conflict."""
    texts = {s.id: ArticleText(s.text) for s in merged.sources}
    names = {e.id: e.name for e in merged.entities}
    result = ConflictSupport()
    for conflict in merged.conflicts:
        parts = conflict.field.split("/")
        if len(parts) != 3 or parts[0] != "entities" or parts[2] != "attendance":
            continue
        party = Party.of(names.get(parts[1], parts[1]))
        for side in conflict.values:
            if not side.evidence or side.value not in ("attended", "did not attend"):
                continue
            ev = side.evidence[0]
            article = texts.get(ev.source_id)
            if article is None or ev.start is None or ev.end is None:
                continue
            i = article.index_of(ev.start, ev.end)
            if i is None:
                continue
            party = Party.of(names.get(parts[1], parts[1]), text=article.text)
            judged = judge_attendance(article, i, party, [party])
            wanted = "attended" if side.value == "attended" else "denied"
            result.sides += 1
            if judged.verdict == "supported" and judged.side != wanted:
                result.contradicting += 1
                result.examples.append(f"{conflict.field} {side.value!r}: {ev.quote[:100]}")
    return result
