"""Scoring reports against gold: each rule of gold/README.md, files, totals and the table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from summarise.errors import InputError
from summarise.evaluation import (
    ArticleScore,
    EvalResult,
    FieldScore,
    Gold,
    eval_table,
    evaluate,
    load_gold,
    score_report,
)
from summarise.models import (
    Article,
    Attendee,
    AttendeeKind,
    DateMention,
    DefenceMeetingReport,
    Denial,
    Evidence,
    ExtractionInfo,
    Risk,
    Source,
    Stance,
    TokenUsage,
    Topic,
)

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "gold"
ARTICLES = ROOT / "examples" / "articles"
A = "india-russia-defence-meetings-a"
B = "india-russia-defence-meetings-b"


def _source(stem: str) -> Source:
    path = ARTICLES / f"{stem}.json"
    return Source.of(Article.model_validate_json(path.read_text(encoding="utf-8")))


def _ev(stem: str, quote: str) -> Evidence:
    """Exact evidence for a quote of a reference article."""
    start = _source(stem).text.index(quote)
    return Evidence(
        source_id=stem, quote=quote, start=start, end=start + len(quote), alignment="exact"
    )


def _report(stem: str, **items: object) -> DefenceMeetingReport:
    extraction = ExtractionInfo(
        backend="hand",
        model="hand-built",
        mode="none",
        prompt_name="none",
        prompt_version="0",
        toolkit_version="0",
        seconds=2.5,
        usage=TokenUsage(prompt_tokens=100, completion_tokens=20, total_tokens=120),
    )
    return DefenceMeetingReport.model_validate(
        {"source": _source(stem), "summary": "", "extraction": extraction, **items}
    )


def _who(name: str, stance: Stance = "asserted", kind: AttendeeKind = "organisation") -> Attendee:
    return Attendee(name=name, kind=kind, stance=stance)


def _date(earliest: date | None, latest: date | None, text: str = "a date") -> DateMention:
    return DateMention(text=text, of="the meetings", earliest=earliest, latest=latest)


def _gold(stem: str) -> Gold:
    return load_gold(GOLD / f"{stem}.json")


def _score(stem: str, **items: object) -> ArticleScore:
    return score_report(_report(stem, **items), _gold(stem))


def _reasons(score: ArticleScore, field: str) -> list[str | None]:
    return [f.reason for f in score.findings if f.field == field and f.outcome != "matched"]


# --- gold ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", [A, B])
def test_repo_gold_files_load_and_name_their_article(stem: str) -> None:
    gold = _gold(stem)
    assert gold.stem == stem
    assert gold.attendees and gold.dates and gold.topics and gold.risks


def test_invalid_gold_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"article": "x.txt", "atendees": []}', encoding="utf-8")
    with pytest.raises(InputError, match="invalid gold file"):
        load_gold(path)
    with pytest.raises(InputError, match="cannot read"):
        load_gold(tmp_path / "missing.json")


def test_undefined_ratios_are_none_and_f1_is_zero_without_hits() -> None:
    empty = FieldScore()
    assert (empty.precision, empty.recall, empty.f1) == (None, None, None)
    only_missed = FieldScore(fn=2)
    assert (only_missed.precision, only_missed.recall, only_missed.f1) == (None, 0.0, 0.0)
    recall_only = FieldScore(tp=1, fp=None, fn=1)
    assert (recall_only.precision, recall_only.recall, recall_only.f1) == (None, 0.5, None)


# --- attendees ----------------------------------------------------------------------------


def test_aliases_match_case_insensitively() -> None:
    names = ["adani defence and aerospace", "SIDM", "Bharat Forge Ltd", "RAJVANSHI"]
    attendees = _score(A, attendees=[_who(n) for n in names]).scores.attendees
    assert (attendees.tp, attendees.fp, attendees.fn) == (4, 0, 0)


def test_containment_must_be_a_whole_word() -> None:
    score = _score(
        B,
        attendees=[
            _who("Sanjiv Kumar, defence production secretary", kind="person"),
            _who("Kumaraswamy", kind="person"),
            _who("Bharat Forgeworks"),
        ],
    )
    attendees = score.scores.attendees
    assert (attendees.tp, attendees.fp, attendees.fn) == (1, 2, 3)
    assert _reasons(score, "attendees") == ["unknown name", "unknown name"] + [None] * 3


def test_a_name_holding_two_gold_names_matches_one_preferring_the_same_kind() -> None:
    ceo = _who("Adani Defence CEO Ashish Rajvanshi", kind="person")
    alone = _score(A, attendees=[ceo])
    assert alone.scores.attendees.tp == 1
    [match] = [f for f in alone.findings if f.outcome == "matched"]
    assert match.gold == "Ashish Rajvanshi"
    with_company = _score(A, attendees=[ceo, _who("Adani Defence")]).scores.attendees
    assert (with_company.tp, with_company.fp, with_company.ignored) == (2, 0, 0)


def test_matching_is_one_to_one_and_maximum() -> None:
    # The first name could take either gold attendee; the matching moves it to make room.
    attendees = [_who("Adani Defence CEO Ashish Rajvanshi"), _who("Rajvanshi", kind="person")]
    assert _score(A, attendees=attendees).scores.attendees.tp == 2
    duplicates = [_who("Adani Defence"), _who("Adani Group"), _who("adani")]
    score = _score(A, attendees=duplicates).scores.attendees
    assert (score.tp, score.fp, score.ignored, score.fn, score.precision) == (1, 0, 2, 3, 1.0)


def test_optional_names_are_neither_right_nor_wrong() -> None:
    names = ["Indian delegation", "Startups", "Russian officials", "Adani Defence"]
    attendees = _score(A, attendees=[_who(n) for n in names]).scores.attendees
    assert (attendees.tp, attendees.fp, attendees.ignored) == (1, 0, 3)
    assert attendees.precision == 1.0


def test_not_attendees_and_unknown_names_are_invented() -> None:
    names = ["Tata Sons", "Vladimir Putin", "Saif Nasser", "Rosoboronexport", "SIDM"]
    score = _score(A, attendees=[_who(n) for n in names])
    assert score.scores.attendees.fp == 4
    assert score.scores.invented_attendees == 4
    assert score.scores.not_attendee_hits == 3
    assert score.scores.attendees.precision == pytest.approx(1 / 5)


def test_a_not_attendee_name_counts_before_an_optional_one() -> None:
    score = _score(A, attendees=[_who("Tata Sons executives")]).scores
    assert (score.invented_attendees, score.not_attendee_hits) == (1, 1)


def test_stance_accuracy_is_over_matched_attendees() -> None:
    score = _score(
        B,
        attendees=[
            _who("Adani Defence", "reported"),  # gold: denied / uncertain / disputed
            _who("Bharat Forge", "denied"),
            _who("Sanjiv Kumar", "asserted", "person"),
            _who("SIDM", "denied"),  # gold: asserted / reported
            _who("Tata Sons", "asserted"),  # not matched: not in the stance count
        ],
    )
    assert (score.scores.stance.correct, score.scores.stance.total) == (2, 4)
    wrong = [(f.predicted, f.gold) for f in score.findings if f.outcome == "wrong_stance"]
    assert wrong == [
        ("Adani Defence: reported", "Adani Defence: denied / uncertain / disputed"),
        ("SIDM: denied", "Society of Indian Defence Manufacturers: asserted / reported"),
    ]


# --- denials ------------------------------------------------------------------------------


def test_denials_by_alias_with_a_claim_keyword_and_duplicates_counting_once() -> None:
    denials = [
        Denial(by="Adani Defence", claim="the information linking them to meetings was incorrect"),
        Denial(by="Adani Group spokespeople", claim="their executives travelled to Moscow"),
        Denial(by="Kalyani Group", claim="that its executives attended the Moscow meetings"),
    ]
    score = _score(B, denials=denials).scores.denials
    assert (score.tp, score.fp, score.fn, score.ignored) == (2, 0, 0, 1)
    assert (score.precision, score.recall) == (1.0, 1.0)


def test_a_denial_without_a_claim_keyword_is_wrong() -> None:
    score = _score(B, denials=[Denial(by="Adani Defence", claim="the Reuters story")])
    assert (score.scores.denials.tp, score.scores.denials.fp, score.scores.denials.fn) == (0, 1, 2)
    assert _reasons(score, "denials")[0] == "claim has no claim keyword"


def test_denials_by_not_deniers_are_false_positives_once_per_party() -> None:
    denials = [
        Denial(by="The defence ministry", claim="did not comment on the meetings"),
        Denial(by="defence ministry", claim="declined to confirm the Moscow trip"),
        Denial(by="Sanjiv Kumar", claim="the meetings"),
        Denial(by="Bharat Forge", claim="it travelled to Moscow"),
    ]
    score = _score(B, denials=denials)
    denial = score.scores.denials
    assert (denial.tp, denial.fp, denial.ignored, denial.fn) == (1, 2, 1, 1)
    assert denial.precision == pytest.approx(1 / 3)
    assert "not_deniers" in _reasons(score, "denials")


def test_any_denial_is_wrong_when_gold_has_none() -> None:
    score = _score(A, denials=[Denial(by="Adani Defence", claim="attended the meetings")])
    denial = score.scores.denials
    assert (denial.tp, denial.fp, denial.fn) == (0, 1, 0)
    assert (denial.precision, denial.recall, denial.f1) == (0.0, None, 0.0)
    assert _reasons(score, "denials") == ["gold has no denials"]


# --- dates --------------------------------------------------------------------------------


def test_a_date_inside_the_gold_interval_is_right_and_one_overlapping_outside_is_wrong() -> None:
    dates = [
        _date(date(2025, 10, 29), date(2025, 10, 30), "October 29 and 30"),  # in late October
        _date(date(2025, 12, 1), date(2025, 12, 10), "early December"),  # same bounds
        _date(date(2025, 10, 25), date(2025, 11, 2), "around the end of October"),  # overlaps
        _date(date(2022, 1, 1), date(2022, 12, 31), "2022"),  # overlaps nothing
        _date(None, None, "recently"),
        _date(date(2025, 10, 28), date(2025, 10, 28), "October 28"),  # duplicate
    ]
    score = _score(A, dates=dates)
    got = score.scores.dates
    assert (got.tp, got.fp, got.fn, got.ignored) == (2, 1, 0, 3)
    assert got.precision == pytest.approx(2 / 3)
    assert got.recall == 1.0
    assert _reasons(score, "dates") == [
        "overlaps but falls outside",
        "overlaps no gold date",
        "no interval",
        "duplicate",
    ]


def test_a_date_with_one_bound_is_open_ended() -> None:
    got = _score(A, dates=[_date(date(2025, 10, 25), None)]).scores.dates
    assert (got.tp, got.fp, got.fn) == (0, 1, 2)


# --- topics and risks ---------------------------------------------------------------------


def test_topics_and_risks_match_on_keywords_in_label_or_detail() -> None:
    score = _score(
        A,
        topics=[
            Topic(label="Spare Parts"),
            Topic(label="Cooperation", detail="Co-Development of systems"),
            Topic(label="Drones"),
        ],
        risks=[Risk(label="SANCTIONS"), Risk(label="Reputation", detail="bad press")],
    ).scores
    assert (score.topics.tp, score.topics.fn, score.topics.ignored) == (2, 2, 1)
    assert (score.topics.recall, score.topics.precision) == (0.5, None)
    assert (score.risks.tp, score.risks.fn, score.risks.recall) == (1, 3, 0.25)


def test_one_topic_matches_at_most_one_gold_topic() -> None:
    both = Topic(label="co-production of spare parts")  # keywords of two gold topics
    assert _score(A, topics=[both]).scores.topics.tp == 1
    spares = Topic(label="spare parts for the MiG-29")
    assert _score(A, topics=[both, spares]).scores.topics.tp == 2


# --- grounding ----------------------------------------------------------------------------


def test_grounding_share_and_exact_rereading() -> None:
    quote = "Adani Defence was represented by its CEO, Ashish Rajvanshi"
    lost = Evidence(source_id=A, quote="Adani met Putin", alignment="not_found")
    attendees = [
        Attendee(name="Adani Defence", kind="organisation", stance="asserted", evidence=[lost]),
        Attendee(
            name="Ashish Rajvanshi",
            kind="person",
            stance="asserted",
            evidence=[lost, _ev(A, quote)],
        ),
        _who("Bharat Forge"),
    ]
    grounding = _score(A, attendees=attendees).scores.grounding
    assert (grounding.items, grounding.aligned_items, grounding.aligned_spans) == (3, 1, 1)
    assert grounding.share == pytest.approx(1 / 3)
    assert grounding.spans_exact

    start = _source(A).text.index(quote) + 1
    shifted = _ev(A, quote).model_copy(update={"start": start, "end": start + len(quote)})
    attendees[2] = attendees[2].model_copy(update={"evidence": [shifted]})
    score = _score(A, attendees=attendees)
    assert score.scores.grounding.misread_spans == 1
    assert not score.scores.grounding.spans_exact
    assert [f.outcome for f in score.findings if f.field == "evidence"] == ["misread"]


# --- files, totals, table -----------------------------------------------------------------


def _write(directory: Path, report: DefenceMeetingReport) -> None:
    directory.mkdir(exist_ok=True)
    (directory / f"{report.source.id}.json").write_text(report.model_dump_json(), "utf-8")


def test_evaluate_pairs_by_stem_and_counts_a_missing_report_as_missed(tmp_path: Path) -> None:
    report = _report(
        A,
        attendees=[_who("Adani Defence"), _who("Tata Sons")],
        dates=[_date(date(2025, 10, 21), date(2025, 10, 31))],
    )
    _write(tmp_path / "reports", report)
    result = evaluate(GOLD, tmp_path / "reports")
    a, b = result.articles
    assert (a.article, a.found, a.notes) == (A, True, [])
    assert (a.scores.seconds, a.scores.usage.total_tokens) == (2.5, 120)
    assert (b.article, b.found) == (B, False)
    assert "no report" in b.notes[0]
    gold_b = _gold(B)
    assert b.scores.attendees.fn == len(gold_b.attendees)
    assert b.scores.denials.fn == len(gold_b.denials)
    assert b.scores.topics.recall == 0.0
    total = result.total
    assert total.attendees.tp == 1
    assert total.attendees.fn == a.scores.attendees.fn + b.scores.attendees.fn
    assert (total.invented_attendees, total.seconds, total.usage.total_tokens) == (1, 2.5, 120)
    assert EvalResult.model_validate_json(result.model_dump_json()) == result


def test_an_unreadable_report_is_missed_with_a_note(tmp_path: Path) -> None:
    (tmp_path / f"{A}.json").write_text("{}", encoding="utf-8")
    article = evaluate(GOLD, tmp_path).articles[0]
    assert not article.found
    assert "unreadable report" in article.notes[0]


def test_evaluate_needs_gold_and_reports_directories(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no gold files"):
        evaluate(tmp_path, tmp_path)
    with pytest.raises(InputError, match="gold directory not found"):
        evaluate(tmp_path / "nope", tmp_path)
    with pytest.raises(InputError, match="reports directory not found"):
        evaluate(GOLD, tmp_path / "nope")


def test_a_report_of_another_article_is_noted() -> None:
    score = score_report(_report(B), _gold(A))
    assert score.notes == [f"report is of {B!r}, gold of {A!r}"]


def test_eval_table_has_a_row_per_article_and_a_total(tmp_path: Path) -> None:
    _write(tmp_path, _report(A, attendees=[_who("Adani Defence")]))
    console = Console(record=True, width=250)
    console.print(eval_table(evaluate(GOLD, tmp_path)))
    text = console.export_text()
    assert A in text and f"{B} (no report)" in text
    assert "total" in text and "no report" in text.splitlines()[-1]


# --- recorded reports of the reference articles -------------------------------------------


@pytest.mark.model
def test_recorded_reference_reports_score_consistently(
    reference_reports: dict[str, DefenceMeetingReport], tmp_path: Path
) -> None:
    for report in reference_reports.values():
        _write(tmp_path, report)
    result = evaluate(GOLD, tmp_path)
    assert [a.article for a in result.articles] == [A, B]
    for article in result.articles:
        report = reference_reports[article.article]
        scores = article.scores
        assert article.found and article.notes == []
        for name in ("attendees", "denials", "dates", "topics", "risks"):
            field: FieldScore = getattr(scores, name)
            assert field.predicted == len(getattr(report, name))
            for value in (field.precision, field.recall, field.f1):
                assert value is None or 0.0 <= value <= 1.0
        assert scores.stance.total == scores.attendees.tp
        assert scores.invented_attendees == scores.attendees.fp
        assert scores.grounding.aligned_spans == sum(ev.aligned for ev in report.evidence())
        assert scores.grounding.spans_exact
        assert scores.usage == report.extraction.usage


def test_support_is_judged_again_from_the_text_and_a_denial_contradicts_attending() -> None:
    from summarise.evaluation.supported import support_of
    from summarise.models import Source

    text = (
        "Zeta Corp executives attended the talks in Oslo on October 29. "
        "Zeta Corp told reporters the information linking it to the talks was incorrect."
    )
    article = Article(id="z", text=text)
    attending, denying = text.split(". ")[0] + ".", text.split(". ")[1]

    def ev(quote: str) -> Evidence:
        start = text.index(quote)
        return Evidence(source_id="z", quote=quote, start=start, end=start + len(quote),
                        alignment="exact")  # fmt: skip

    report = DefenceMeetingReport(
        source=Source.of(article),
        summary="",
        attendees=[
            # asserted, but its evidence is the denial: contradicts
            Attendee(
                name="Zeta Corp",
                kind="organisation",
                stance="asserted",
                evidence=[ev(attending), ev(denying)],
            ),
        ],
        dates=[
            DateMention(text="October 29", of="talks", evidence=[ev(attending)]),
            DateMention(text="late October", of="talks", evidence=[ev(attending)]),  # invented
        ],
        extraction=ExtractionInfo(
            backend="hand",
            model="m",
            mode="none",
            prompt_name="-",
            prompt_version="0",
            toolkit_version="0",
        ),
    )
    score = support_of(report)
    assert score.fields["attendees"].supported == 1
    assert score.fields["attendees"].contradicts == 1
    assert score.fields["dates"].supported == 1 and score.fields["dates"].none == 1
    assert score.invented_dates == 1
    assert score.all.share == 2 / 4
