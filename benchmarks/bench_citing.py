"""How well the toolkit cites when the model is perfect: gold items in, cited report out.

    python benchmarks/bench_citing.py [--sets tune] [--show]

For every article of the chosen sets, the gold's own attendees, denials, dates, topics and
risks are given to `summarise.citing.cite` as if a model had named them; the cited report is
scored against the same gold. What is lost here (items dropped, stances changed) is the
citing step's own error, apart from any model's. No model is called.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench_extraction import sets

from summarise.citing import cite
from summarise.evaluation import Gold, Scores, load_gold, score_report
from summarise.loading import load_article
from summarise.models import (
    Attendee,
    DateMention,
    DefenceMeetingReport,
    Denial,
    ExtractionInfo,
    Risk,
    Source,
    Topic,
)


def _report(path: Path, gold: Gold) -> DefenceMeetingReport:
    article = load_article(path)
    stances = {"disputed": "reported"}
    cited = cite(
        article.id,
        article.text,
        published=article.published,
        attendees=[
            Attendee(name=a.name, kind=a.kind, stance=stances.get(a.stances[0], a.stances[0]))  # type: ignore[arg-type]
            for a in gold.attendees
        ],
        denials=[Denial(by=d.by, claim=" ".join(d.claim_keywords)) for d in gold.denials],
        dates=[DateMention(text=d.text, of=d.of) for d in gold.dates],
        topics=[Topic(label=t.label) for t in gold.topics],
        risks=[Risk(label=r.label) for r in gold.risks],
    )
    info = ExtractionInfo(
        backend="oracle", model="gold", mode="-", prompt_name="-", prompt_version="-",
        toolkit_version="-",
    )  # fmt: skip
    return DefenceMeetingReport(
        source=Source.of(article),
        summary="",
        locations=cited.locations,
        dates=cited.dates,
        attendees=cited.attendees,
        denials=cited.denials,
        topics=cited.topics,
        risks=cited.risks,
        dropped=cited.dropped,
        extraction=info,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="tune")
    parser.add_argument("--show", action="store_true", help="Print every drop and finding.")
    args = parser.parse_args()
    available = sets()
    for name in args.sets.split(","):
        articles, gold_dir = available[name]
        total = Scores()
        for path in articles:
            gold = load_gold(gold_dir / f"{path.stem}.json")
            report = _report(path, gold)
            scored = score_report(report, gold)
            total = total + scored.scores
            if args.show:
                print(f"== {path.stem}")
                for dropped in report.dropped:
                    print(f"   dropped {dropped.field}: {dropped.value!r}: {dropped.reason}")
                for finding in scored.findings:
                    if finding.outcome in ("missed", "wrong_stance", "false_positive"):
                        print(f"   {finding.field} {finding.outcome}: {finding.predicted} / "
                              f"{finding.gold}")  # fmt: skip
        print(name, json.dumps({
            "attendees_recall": total.attendees.recall, "stance": total.stance.accuracy,
            "denials_recall": total.denials.recall, "denials_precision": total.denials.precision,
            "dates_recall": total.dates.recall, "topics_recall": total.topics.recall,
            "risks_recall": total.risks.recall,
        }))  # fmt: skip


if __name__ == "__main__":
    main()
