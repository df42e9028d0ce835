"""Score per-article reports against gold annotations (rules in `gold/README.md`).

Precision, recall and F1 per field, stance accuracy, grounding and invented attendees, per
article and in total, so that prompt and model changes are compared on the same articles.
Deterministic; no model call.

Where the README leaves a choice open, this module decides as follows:
- Names are compared case-folded with runs of whitespace collapsed; "contains as a whole word"
  means not preceded or followed by a letter or digit ("Kumaraswamy" does not contain "Kumar").
- A name holding two gold names ("Adani Defence CEO Ashish Rajvanshi") matches one of them
  (one to one), preferring an equal name, then the same kind (person, organisation...).
- A predicted attendee that matches a gold name which another predicted attendee already took
  is a duplicate: neither right nor a false positive (`ignored`).
- Invented attendees are the attendee false positives: names matching no gold name or alias
  that either match a `not_attendees` name (checked before the optional names, so "Tata Sons
  executives" is invented although "executives" is optional) or match no listed name at all.
- Stances are compared literally: a report cannot say `disputed`, so only the gold stances a
  report can express count (`denied` is right where gold accepts `denied`).
- Dates without any bound are not scored; a missing bound is open-ended. False positives are
  the predicted dates that overlap a gold interval without lying within any.
- An aligned span re-reads exactly when it carries the report's source id and
  `source.text[start:end]` equals its quote.
- Undefined ratios (0/0) are `None`, not 0 or 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, model_validator
from rich.table import Table

from .dates import Interval
from .errors import InputError
from .models import (
    Attendee,
    AttendeeKind,
    DateMention,
    DefenceMeetingReport,
    Denial,
    Risk,
    TokenUsage,
    Topic,
)
from .text import folded

GoldStance = Literal["asserted", "reported", "denied", "uncertain", "disputed"]
Outcome = Literal["matched", "missed", "false_positive", "ignored", "wrong_stance", "misread"]


# --- gold ---------------------------------------------------------------------------------


class _GoldModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldAttendee(_GoldModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: AttendeeKind
    stances: list[GoldStance] = Field(
        min_length=1, description="Every stance that counts as right."
    )

    @property
    def names(self) -> list[str]:
        """The name and its aliases."""
        return [self.name, *self.aliases]


class GoldDenial(_GoldModel):
    by: str
    aliases: list[str] = Field(default_factory=list)
    claim_keywords: list[str] = Field(min_length=1)

    @property
    def names(self) -> list[str]:
        """The denier's name and its aliases."""
        return [self.by, *self.aliases]


class GoldDate(_GoldModel):
    of: str
    text: str
    earliest: date
    latest: date

    @model_validator(mode="after")
    def _ordered(self) -> GoldDate:
        if self.earliest > self.latest:
            raise ValueError(f"date {self.text!r}: earliest is after latest")
        return self

    @property
    def interval(self) -> Interval:
        """The days the gold date allows."""
        return Interval(self.earliest, self.latest)


class GoldKeywordItem(_GoldModel):
    """A gold topic or risk."""

    label: str
    keywords: list[str] = Field(min_length=1)


class Gold(_GoldModel):
    """What a correct report of one article contains (`gold/README.md`)."""

    article: str = Field(description="The article's file name; its stem is the report's id.")
    published_before: date | None = None
    published_after: date | None = None
    attendees: list[GoldAttendee] = Field(default_factory=list)
    optional_attendees: list[str] = Field(default_factory=list)
    not_attendees: list[str] = Field(default_factory=list)
    denials: list[GoldDenial] = Field(default_factory=list)
    not_deniers: list[str] = Field(default_factory=list)
    dates: list[GoldDate] = Field(default_factory=list)
    topics: list[GoldKeywordItem] = Field(default_factory=list)
    risks: list[GoldKeywordItem] = Field(default_factory=list)

    @property
    def stem(self) -> str:
        """The article's file stem: the id of its report and the name of its report file."""
        return Path(self.article).stem


# --- results ------------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


class FieldScore(BaseModel):
    """One field's counts; `fp` is None where only recall is scored (topics, risks)."""

    tp: int = 0
    fp: int | None = 0
    fn: int = 0
    ignored: int = Field(
        default=0, description="Predicted items neither right nor wrong (duplicates, optional)."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def predicted(self) -> int:
        """Predicted items scored: tp + fp + ignored."""
        return self.tp + (self.fp or 0) + self.ignored

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float | None:
        return None if self.fp is None else _ratio(self.tp, self.tp + self.fp)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float | None:
        return None if self.fp is None else _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: FieldScore) -> FieldScore:
        fp = None if self.fp is None or other.fp is None else self.fp + other.fp
        return FieldScore(
            tp=self.tp + other.tp,
            fp=fp,
            fn=self.fn + other.fn,
            ignored=self.ignored + other.ignored,
        )


class StanceScore(BaseModel):
    """Stances right among matched attendees."""

    correct: int = 0
    total: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.total)

    def __add__(self, other: StanceScore) -> StanceScore:
        return StanceScore(correct=self.correct + other.correct, total=self.total + other.total)


class GroundingScore(BaseModel):
    """Predicted items with aligned evidence, and aligned spans that do not re-read exactly."""

    items: int = 0
    aligned_items: int = 0
    aligned_spans: int = 0
    misread_spans: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share(self) -> float | None:
        """Share of predicted items with at least one aligned evidence."""
        return _ratio(self.aligned_items, self.items)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spans_exact(self) -> bool:
        """Whether every aligned span re-reads exactly from the source text."""
        return self.misread_spans == 0

    def __add__(self, other: GroundingScore) -> GroundingScore:
        return GroundingScore(
            items=self.items + other.items,
            aligned_items=self.aligned_items + other.aligned_items,
            aligned_spans=self.aligned_spans + other.aligned_spans,
            misread_spans=self.misread_spans + other.misread_spans,
        )


class Scores(BaseModel):
    """Every score of one article, or summed over articles (micro-averaged ratios)."""

    attendees: FieldScore = Field(default_factory=FieldScore)
    denials: FieldScore = Field(default_factory=FieldScore)
    dates: FieldScore = Field(default_factory=FieldScore)
    topics: FieldScore = Field(default_factory=lambda: FieldScore(fp=None))
    risks: FieldScore = Field(default_factory=lambda: FieldScore(fp=None))
    stance: StanceScore = Field(default_factory=StanceScore)
    grounding: GroundingScore = Field(default_factory=GroundingScore)
    invented_attendees: int = Field(
        default=0, description="Attendee false positives: not_attendees names and unknown names."
    )
    not_attendee_hits: int = Field(
        default=0, description="Of the invented attendees, those matching a not_attendees name."
    )
    seconds: float = 0.0
    usage: TokenUsage = Field(default_factory=TokenUsage)

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            attendees=self.attendees + other.attendees,
            denials=self.denials + other.denials,
            dates=self.dates + other.dates,
            topics=self.topics + other.topics,
            risks=self.risks + other.risks,
            stance=self.stance + other.stance,
            grounding=self.grounding + other.grounding,
            invented_attendees=self.invented_attendees + other.invented_attendees,
            not_attendee_hits=self.not_attendee_hits + other.not_attendee_hits,
            seconds=self.seconds + other.seconds,
            usage=self.usage + other.usage,
        )


class Finding(BaseModel):
    """One scoring decision, for reading why a score is what it is."""

    field: str
    outcome: Outcome
    predicted: str | None = None
    gold: str | None = None
    reason: str | None = None


class ArticleScore(BaseModel):
    """The scores of one article's report against its gold."""

    article: str = Field(description="The article's stem (the report's source id).")
    found: bool = Field(default=True, description="Whether a report was there to score.")
    scores: Scores
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class EvalResult(BaseModel):
    """Scores of every article with gold, and their total."""

    gold_dir: str
    reports_dir: str
    articles: list[ArticleScore]
    total: Scores


# --- matching -----------------------------------------------------------------------------


def _name_rank(predicted: str, names: Sequence[str]) -> int | None:
    """0 if `predicted` equals one of `names`, 1 if it contains one as a whole word, else None."""
    text = folded(predicted)
    targets = [n for n in map(folded, names) if n]
    if text in targets:
        return 0
    for target in targets:
        if re.search(rf"(?<!\w){re.escape(target)}(?!\w)", text):
            return 1
    return None


def _contains_keyword(text: str, keywords: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(keyword.lower() in lowered for keyword in keywords)


def _max_matching(candidates: Sequence[Sequence[int]]) -> dict[int, int]:
    """A maximum one-to-one matching, predicted index → gold index (augmenting paths).

    Each predicted item tries its candidates in the order given, so preferred pairs win when
    several maximum matchings exist.
    """
    owner: dict[int, int] = {}

    def augment(pred: int, seen: set[int]) -> bool:
        for gold in candidates[pred]:
            if gold in seen:
                continue
            seen.add(gold)
            if gold not in owner or augment(owner[gold], seen):
                owner[gold] = pred
                return True
        return False

    for pred in range(len(candidates)):
        augment(pred, set())
    return {pred: gold for gold, pred in owner.items()}


# --- fields -------------------------------------------------------------------------------


class _Scorer:
    """Scores one article's predicted items against its gold, recording every decision."""

    def __init__(self, gold: Gold) -> None:
        self.gold = gold
        self.findings: list[Finding] = []

    def _note(
        self,
        field: str,
        outcome: Outcome,
        predicted: str | None = None,
        gold: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.findings.append(
            Finding(field=field, outcome=outcome, predicted=predicted, gold=gold, reason=reason)
        )

    def _missed(self, field: str, labels: Sequence[str], matched: dict[int, int]) -> int:
        taken = set(matched.values())
        missed = [label for i, label in enumerate(labels) if i not in taken]
        for label in missed:
            self._note(field, "missed", gold=label)
        return len(missed)

    def attendees(self, predicted: Sequence[Attendee]) -> tuple[FieldScore, StanceScore, int]:
        """Attendee counts, stance accuracy, and how many invented names were not_attendees."""
        gold = self.gold.attendees
        candidates: list[list[int]] = []
        for attendee in predicted:
            ranked = []
            for index, item in enumerate(gold):
                rank = _name_rank(attendee.name, item.names)
                if rank is not None:
                    ranked.append((rank, attendee.kind != item.kind, index))
            candidates.append([index for *_, index in sorted(ranked)])
        matched = _max_matching(candidates)
        fp = ignored = not_attendees = correct = 0
        for i, attendee in enumerate(predicted):
            if i in matched:
                item = gold[matched[i]]
                self._note("attendees", "matched", attendee.name, item.name)
                if attendee.stance in item.stances:
                    correct += 1
                else:
                    said = f"{attendee.name}: {attendee.stance}"
                    expected = f"{item.name}: {' / '.join(item.stances)}"
                    self._note("stance", "wrong_stance", said, expected)
            elif candidates[i]:
                ignored += 1
                self._note("attendees", "ignored", attendee.name, reason="duplicate")
            elif _name_rank(attendee.name, self.gold.not_attendees) is not None:
                fp += 1
                not_attendees += 1
                self._note("attendees", "false_positive", attendee.name, reason="not_attendees")
            elif _name_rank(attendee.name, self.gold.optional_attendees) is not None:
                ignored += 1
                self._note("attendees", "ignored", attendee.name, reason="optional")
            else:
                fp += 1
                self._note("attendees", "false_positive", attendee.name, reason="unknown name")
        fn = self._missed("attendees", [item.name for item in gold], matched)
        score = FieldScore(tp=len(matched), fp=fp, fn=fn, ignored=ignored)
        return score, StanceScore(correct=correct, total=len(matched)), not_attendees

    def denials(self, predicted: Sequence[Denial]) -> FieldScore:
        gold = self.gold.denials
        by_name: list[list[int]] = []
        for denial in predicted:
            ranked = []
            for index, item in enumerate(gold):
                rank = _name_rank(denial.by, item.names)
                if rank is not None:
                    ranked.append((rank, index))
            by_name.append([index for _, index in sorted(ranked)])
        candidates = [
            [g for g in names if _contains_keyword(denial.claim, gold[g].claim_keywords)]
            for denial, names in zip(predicted, by_name, strict=True)
        ]
        matched = _max_matching(candidates)
        taken = set(matched.values())
        wrong_parties: set[tuple[str, str]] = set()
        ignored = 0
        for i, denial in enumerate(predicted):
            if i in matched:
                self._note("denials", "matched", denial.by, gold[matched[i]].by)
                continue
            if any(g in taken for g in by_name[i]):
                ignored += 1
                self._note("denials", "ignored", denial.by, reason="same party counted once")
                continue
            party, reason = self._wrong_denial(denial.by, by_name[i])
            if party in wrong_parties:
                ignored += 1
                self._note("denials", "ignored", denial.by, reason="same party counted once")
            else:
                wrong_parties.add(party)
                self._note("denials", "false_positive", denial.by, reason=reason)
        fn = self._missed("denials", [item.by for item in gold], matched)
        return FieldScore(tp=len(matched), fp=len(wrong_parties), fn=fn, ignored=ignored)

    def _wrong_denial(self, by: str, gold_names: Sequence[int]) -> tuple[tuple[str, str], str]:
        """The party of a false-positive denial (to count it once) and why it is wrong."""
        if gold_names:
            return ("gold", str(gold_names[0])), "claim has no claim keyword"
        for index, name in enumerate(self.gold.not_deniers):
            if _name_rank(by, [name]) is not None:
                return ("not_denier", str(index)), "not_deniers"
        reason = "gold has no denials" if not self.gold.denials else "not a denier in gold"
        return ("other", folded(by)), reason

    def dates(self, predicted: Sequence[DateMention]) -> FieldScore:
        gold = self.gold.dates
        intervals = [Interval.of(mention.earliest, mention.latest) for mention in predicted]
        within = [
            [g for g, item in enumerate(gold) if span and span.within(item.interval)]
            for span in intervals
        ]
        matched = _max_matching(within)
        fp = ignored = 0
        for i, mention in enumerate(predicted):
            span = intervals[i]
            if i in matched:
                self._note("dates", "matched", mention.text, gold[matched[i]].text)
            elif within[i]:
                ignored += 1
                self._note("dates", "ignored", mention.text, reason="duplicate")
            elif span is None:
                ignored += 1
                self._note("dates", "ignored", mention.text, reason="no interval")
            elif overlapped := [item.text for item in gold if span.overlaps(item.interval)]:
                fp += 1
                reason = "overlaps but falls outside"
                self._note("dates", "false_positive", mention.text, overlapped[0], reason)
            else:
                ignored += 1
                self._note("dates", "ignored", mention.text, reason="overlaps no gold date")
        fn = self._missed("dates", [item.text for item in gold], matched)
        return FieldScore(tp=len(matched), fp=fp, fn=fn, ignored=ignored)

    def keyword_items(
        self, field: str, predicted: Sequence[Topic | Risk], gold: Sequence[GoldKeywordItem]
    ) -> FieldScore:
        """Recall of topics or risks: a predicted item matches when its text has a keyword."""
        texts = [f"{item.label} {item.detail or ''}" for item in predicted]
        candidates = [
            [g for g, item in enumerate(gold) if _contains_keyword(text, item.keywords)]
            for text in texts
        ]
        matched = _max_matching(candidates)
        for i, item in enumerate(predicted):
            if i in matched:
                self._note(field, "matched", item.label, gold[matched[i]].label)
            else:
                reason = "duplicate" if candidates[i] else "has no gold keyword"
                self._note(field, "ignored", item.label, reason=reason)
        fn = self._missed(field, [item.label for item in gold], matched)
        return FieldScore(tp=len(matched), fp=None, fn=fn, ignored=len(predicted) - len(matched))

    def grounding(self, report: DefenceMeetingReport) -> GroundingScore:
        items = report.items()
        aligned_items = sum(any(ev.aligned for ev in item.evidence) for item in items)
        spans = [ev for ev in report.evidence() if ev.aligned]
        misread = 0
        for ev in spans:
            reread = report.source.text[ev.start : ev.end] if ev.start is not None else None
            if ev.source_id != report.source.id or reread != ev.quote:
                misread += 1
                self._note("evidence", "misread", ev.quote, reread, f"[{ev.start}:{ev.end}]")
        return GroundingScore(
            items=len(items),
            aligned_items=aligned_items,
            aligned_spans=len(spans),
            misread_spans=misread,
        )


# --- public API ---------------------------------------------------------------------------


def _score(gold: Gold, report: DefenceMeetingReport | None) -> tuple[Scores, list[Finding]]:
    scorer = _Scorer(gold)
    attendees, stance, not_attendees = scorer.attendees(report.attendees if report else [])
    scores = Scores(
        attendees=attendees,
        denials=scorer.denials(report.denials if report else []),
        dates=scorer.dates(report.dates if report else []),
        topics=scorer.keyword_items("topics", report.topics if report else [], gold.topics),
        risks=scorer.keyword_items("risks", report.risks if report else [], gold.risks),
        stance=stance,
        grounding=scorer.grounding(report) if report else GroundingScore(),
        invented_attendees=attendees.fp or 0,
        not_attendee_hits=not_attendees,
        seconds=report.extraction.seconds if report else 0.0,
        usage=report.extraction.usage if report else TokenUsage(),
    )
    return scores, scorer.findings


def score_report(report: DefenceMeetingReport, gold: Gold) -> ArticleScore:
    """Score one report against the gold of its article."""
    scores, findings = _score(gold, report)
    notes = []
    if report.source.id != gold.stem:
        notes.append(f"report is of {report.source.id!r}, gold of {gold.stem!r}")
    published = report.source.published
    if published and gold.published_after and published < gold.published_after:
        notes.append(f"published {published} is before gold's published_after")
    if published and gold.published_before and published > gold.published_before:
        notes.append(f"published {published} is after gold's published_before")
    return ArticleScore(article=gold.stem, scores=scores, findings=findings, notes=notes)


def _all_missed(gold: Gold, note: str) -> ArticleScore:
    scores, findings = _score(gold, None)
    return ArticleScore(
        article=gold.stem, found=False, scores=scores, findings=findings, notes=[note]
    )


def load_gold(path: Path) -> Gold:
    """Read one gold file; raise `InputError` when it is missing or invalid."""
    try:
        return Gold.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise InputError(f"invalid gold file {path}: {exc}") from exc


def _score_file(gold: Gold, reports_dir: Path) -> ArticleScore:
    path = reports_dir / f"{gold.stem}.json"
    if not path.is_file():
        return _all_missed(gold, f"no report {path}: every gold item counted as missed")
    try:
        report = DefenceMeetingReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValidationError) as exc:
        reason = str(exc).splitlines()[0]
        return _all_missed(gold, f"unreadable report {path} ({reason}): counted as missed")
    return score_report(report, gold)


def evaluate(gold_dir: Path, reports_dir: Path) -> EvalResult:
    """Score `reports_dir/<stem>.json` against each `gold_dir/*.json`, per article and in total.

    An article without a (readable) report counts as all missed, with a note.
    """
    if not gold_dir.is_dir():
        raise InputError(f"gold directory not found: {gold_dir}")
    if not reports_dir.is_dir():
        raise InputError(f"reports directory not found: {reports_dir}")
    paths = sorted(gold_dir.glob("*.json"))
    if not paths:
        raise InputError(f"no gold files (*.json) in {gold_dir}")
    articles = [_score_file(load_gold(path), reports_dir) for path in paths]
    total = sum((article.scores for article in articles), Scores())
    return EvalResult(
        gold_dir=str(gold_dir), reports_dir=str(reports_dir), articles=articles, total=total
    )


# --- rendering ----------------------------------------------------------------------------


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _prf(score: FieldScore) -> str:
    return f"{_num(score.precision)} / {_num(score.recall)} / {_num(score.f1)}"


def _exact(grounding: GroundingScore) -> str:
    if not grounding.aligned_spans:
        return "-"
    if grounding.spans_exact:
        return "yes"
    return f"[red]no ({grounding.misread_spans}/{grounding.aligned_spans})[/red]"


def _cells(scores: Scores) -> list[str]:
    grounding = scores.grounding
    return [
        _prf(scores.attendees),
        f"{_num(scores.stance.accuracy)} ({scores.stance.correct}/{scores.stance.total})",
        _prf(scores.denials),
        f"{_num(scores.dates.precision)} / {_num(scores.dates.recall)}",
        f"{_num(scores.topics.recall)} ({scores.topics.tp}/{scores.topics.tp + scores.topics.fn})",
        f"{_num(scores.risks.recall)} ({scores.risks.tp}/{scores.risks.tp + scores.risks.fn})",
        f"{_num(grounding.share)} ({grounding.aligned_items}/{grounding.items})",
        _exact(grounding),
        f"{scores.invented_attendees} ({scores.not_attendee_hits} listed)",
        f"{scores.seconds:.1f}",
        str(scores.usage.total_tokens),
    ]


def eval_table(result: EvalResult) -> Table:
    """A terminal table: one row per article and a total row, notes in the caption."""
    table = Table(title=f"Reports in {result.reports_dir} against gold in {result.gold_dir}")
    table.add_column("Article")
    for header in [
        "Attendees P / R / F1",
        "Stance",
        "Denials P / R / F1",
        "Dates P / R",
        "Topics R",
        "Risks R",
        "Grounded",
        "Spans exact",
        "Invented",
        "Seconds",
        "Tokens",
    ]:
        table.add_column(header, justify="right")
    for i, article in enumerate(result.articles):
        name = article.article if article.found else f"{article.article} [red](no report)[/red]"
        table.add_row(name, *_cells(article.scores), end_section=i == len(result.articles) - 1)
    table.add_row("total", *_cells(result.total), style="bold")
    notes = [f"{a.article}: {note}" for a in result.articles for note in a.notes]
    if notes:
        table.caption = "\n".join(notes)
    return table
