"""Score per-article reports against gold: match items one to one and count, per field.

The rules, and the choices the README leaves open, are in the `summarise.evaluation` docstring.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ..dates import Interval
from ..errors import InputError
from ..models import Attendee, DateMention, DefenceMeetingReport, Denial, Risk, TokenUsage, Topic
from ..text import folded
from .gold import Gold, GoldKeywordItem, load_gold
from .scores import (
    ArticleScore,
    EvalResult,
    FieldScore,
    Finding,
    GroundingScore,
    Outcome,
    Scores,
    StanceScore,
)
from .supported import SupportScore, support_of

__all__ = ["evaluate", "score_missing", "score_report"]


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
        support=support_of(report) if report else SupportScore(),
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


def score_missing(gold: Gold, note: str) -> ArticleScore:
    """The scores of an article with no report (it failed): every gold item missed."""
    return _all_missed(gold, note)


def _all_missed(gold: Gold, note: str) -> ArticleScore:
    scores, findings = _score(gold, None)
    return ArticleScore(
        article=gold.stem, found=False, scores=scores, findings=findings, notes=[note]
    )


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
