"""The evaluation as a terminal table: one row per article, a total row, notes below."""

from __future__ import annotations

from rich.table import Table

from .scores import EvalResult, FieldScore, GroundingScore, Scores

__all__ = ["eval_table"]


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
        f"{_num(scores.support.all.share)} ({scores.support.all.contradicts} contra)",
        str(scores.support.invented_dates),
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
        "Supported",
        "Invented dates",
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
