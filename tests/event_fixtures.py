"""Hand-built reports of several stories for the grouping tests, and the gold-fed dev set.

The stories: the Moscow meetings of late October 2025 (the two reference articles, from
`merge_fixtures`), Putin's visit to New Delhi on 4-5 December 2025 (an article naming some of
the same firms, and a wire copy of it with a single party extracted), an unrelated helicopter
deal, and two meetings of the same ministers weeks apart. Every quote is located with
`text.index`, so evidence re-reads from the text.

`gold_fed_reports` builds a report for each dev-set article from its hand-written gold file
(attendees' and deniers' names, dates' text, `of` and interval) and the article's text: what a
perfect extraction would give, without places or `main_event` flags (gold has neither).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from summarise.models import (
    Article,
    Attendee,
    DateMention,
    DefenceMeetingReport,
    Denial,
    Evidence,
    Location,
    Source,
)

from .merge_fixtures import ev, report, text_source

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "benchmarks" / "devset"

VISIT_TEXT = (
    "New Delhi, December 5: Russian President Vladimir Putin held talks with Prime Minister "
    "Narendra Modi in New Delhi on December 4 and 5, at the 23rd annual India-Russia summit. "
    "Executives of Adani Defence and Bharat Forge joined a business forum on the sidelines of "
    "the visit, where both leaders pledged to raise bilateral trade and to deepen cooperation "
    "on nuclear energy, fertilisers and the supply of spare parts for Russian-origin weapons. "
    "The two sides signed agreements on labour mobility and shipping, and Putin said Russia "
    "was ready to keep supplying fuel to India without interruption whatever the pressure."
)
DEAL_TEXT = (
    "Toulouse, March 13: Airbus Helicopters and Tata Advanced Systems signed a contract on "
    "March 12 to assemble H125 light helicopters at a new final assembly line in Karnataka. "
    "The first helicopter made in India is expected in early 2027, the companies said, and the "
    "line will serve civil customers in India and the wider region."
)
MINISTERS_OCT_TEXT = (
    "Riga, October 8: Latvian defence minister Andris Spruds met Estonian defence minister "
    "Hanno Pevkur in Riga on October 7 to discuss joint air defence procurement for the Baltic "
    "states, including a shared order of medium-range systems."
)
MINISTERS_NOV_TEXT = (
    "Tallinn, November 20: Hanno Pevkur hosted Andris Spruds in Tallinn on November 19, six "
    "weeks after their Riga talks, and the two signed a letter of intent on ammunition "
    "stockpiles and a common training ground near the border."
)


def _date(src: Source, quote: str, text: str, of: str, day: tuple[date, date]) -> DateMention:
    return DateMention(
        text=text,
        of=of,
        earliest=day[0],
        latest=day[1],
        precision="day" if day[0] == day[1] else "days",
        evidence=[ev(src, quote)],
    )


def _attendee(src: Source, name: str, quote: str | None = None, **fields: Any) -> Attendee:
    kind = fields.pop("kind", "person")
    return Attendee(
        name=name, kind=kind, stance="asserted", evidence=[ev(src, quote or name)], **fields
    )


def visit_report() -> DefenceMeetingReport:
    """Putin's visit to New Delhi (4-5 December 2025), with two firms of the Moscow story."""
    s = text_source("putin-visit-new-delhi", VISIT_TEXT, date(2025, 12, 5))
    return report(
        s,
        "Putin and Modi held the annual summit in New Delhi.",
        attendees=[
            _attendee(s, "Vladimir Putin"),
            _attendee(s, "Narendra Modi"),
            _attendee(s, "Adani Defence", kind="organisation"),
            _attendee(s, "Bharat Forge", kind="organisation"),
        ],
        dates=[
            _date(
                s,
                "on December 4 and 5",
                "December 4 and 5",
                "the talks in New Delhi",
                (date(2025, 12, 4), date(2025, 12, 5)),
            ).model_copy(update={"main_event": True})
        ],
        locations=[Location(name="New Delhi", evidence=[ev(s, "in New Delhi on December 4")])],
    )


def visit_copy_report() -> DefenceMeetingReport:
    """A wire copy of the visit article (a dateline added) from which one party was extracted."""
    text = "MOSCOW (wire) - " + VISIT_TEXT
    s = text_source("putin-visit-wire-copy", text, date(2025, 12, 6))
    return report(s, "Putin visited India.", attendees=[_attendee(s, "Vladimir Putin")])


def deal_report() -> DefenceMeetingReport:
    """An unrelated deal: Airbus and Tata sign a helicopter contract (12 March 2025)."""
    s = text_source("airbus-tata-helicopter-deal", DEAL_TEXT, date(2025, 3, 13))
    return report(
        s,
        "Airbus and Tata sign a helicopter assembly contract.",
        attendees=[
            _attendee(s, "Airbus Helicopters", kind="organisation"),
            _attendee(s, "Tata Advanced Systems", kind="organisation"),
        ],
        dates=[
            _date(
                s,
                "on March 12",
                "March 12",
                "the signing of the contract",
                (date(2025, 3, 12), date(2025, 3, 12)),
            )
        ],
        locations=[Location(name="Toulouse", evidence=[ev(s, "Toulouse")])],
    )


def ministers_reports() -> list[DefenceMeetingReport]:
    """The same two ministers meeting in Riga (7 October) and in Tallinn (19 November 2025)."""
    riga = text_source("baltic-ministers-riga", MINISTERS_OCT_TEXT, date(2025, 10, 8))
    tallinn = text_source("baltic-ministers-tallinn", MINISTERS_NOV_TEXT, date(2025, 11, 20))
    return [
        report(
            riga,
            "Baltic defence ministers meet in Riga.",
            attendees=[_attendee(riga, "Andris Spruds"), _attendee(riga, "Hanno Pevkur")],
            dates=[
                _date(
                    riga,
                    "on October 7",
                    "October 7",
                    "the talks in Riga",
                    (date(2025, 10, 7), date(2025, 10, 7)),
                )
            ],
            locations=[Location(name="Riga", evidence=[ev(riga, "in Riga")])],
        ),
        report(
            tallinn,
            "Baltic defence ministers meet again in Tallinn.",
            attendees=[
                _attendee(tallinn, "Hanno Pevkur"),
                _attendee(tallinn, "Andris Spruds"),
            ],
            dates=[
                _date(
                    tallinn,
                    "on November 19",
                    "November 19",
                    "the meeting in Tallinn",
                    (date(2025, 11, 19), date(2025, 11, 19)),
                )
            ],
            locations=[Location(name="Tallinn", evidence=[ev(tallinn, "in Tallinn")])],
        ),
    ]


# --- the gold-fed dev set --------------------------------------------------------------------


def _located(src: Source, quote: str) -> list[Evidence]:
    """Evidence for a quote found in the text (first occurrence, any case), or none."""
    match = re.search(re.escape(quote), src.text, re.IGNORECASE)
    if not match or not quote.strip():
        return []
    return [
        Evidence(
            source_id=src.id,
            quote=match.group(0),
            start=match.start(),
            end=match.end(),
            alignment="exact" if match.group(0) == quote else "normalised",
        )
    ]


def gold_fed_report(article_path: Path, gold_path: Path) -> DefenceMeetingReport:
    """The report a perfect extraction would give, built from the gold file and the text.

    The summary is the headline, or the lead sentence when the page shows none (what a
    summary says first); the publication date is the article's, else gold's earliest bound.
    """
    article = Article.model_validate_json(article_path.read_text(encoding="utf-8"))
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    if article.published is None and gold.get("published_after"):
        article = article.model_copy(
            update={"published": date.fromisoformat(gold["published_after"])}
        )
    src = Source.of(article)
    return report(src, article.title or _lead(src.text), **_gold_items(src, gold))


def _lead(text: str) -> str:
    """The lead sentence, without bylines and dateline ("New Delhi:", "MOSCOW (Reuters) -")."""
    body = next((line for line in text.splitlines() if len(line) > 60), text).strip()
    body = re.sub(r"^[^.:]{0,40}:\s+|^[A-Z][A-Z ,()]{0,40}\s[-\u2013\u2014]\s+", "", body)
    return re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0][:300]


def _gold_items(src: Source, gold: dict[str, Any]) -> dict[str, Any]:
    """Attendees, denials and dates as gold gives them, with evidence located in the text."""
    attendees = [
        Attendee(
            name=a["name"],
            kind=a["kind"],
            stance=a["stances"][0],
            evidence=_located(src, a["name"]),
        )
        for a in gold["attendees"]
    ]
    denials = [
        Denial(by=d["by"], claim=" ".join(d.get("claim_keywords", [])[:1]) or "denied")
        for d in gold["denials"]
    ]
    dates = [
        DateMention(
            text=d["text"],
            of=d["of"],
            earliest=date.fromisoformat(d["earliest"]),
            latest=date.fromisoformat(d["latest"]),
            evidence=_located(src, d["text"]),
        )
        for d in gold["dates"]
    ]
    return {"attendees": attendees, "denials": denials, "dates": dates}


def gold_fed_reports() -> list[DefenceMeetingReport]:
    """Gold-fed reports of the 34 dev-set articles and the two reference articles."""
    pairs = [
        (DEVSET / "articles" / f"{p.stem}.json", p) for p in sorted(DEVSET.glob("gold/*.json"))
    ]
    pairs += [
        (ROOT / "examples" / "articles" / f"{p.stem}.json", p)
        for p in sorted((ROOT / "gold").glob("*.json"))
    ]
    return [gold_fed_report(article, gold) for article, gold in pairs]


def answer_key() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The dev set's answer key: each article's event, and the split's article lists."""
    events = json.loads((DEVSET / "events.json").read_text(encoding="utf-8"))["events"]
    split = json.loads((DEVSET / "split.json").read_text(encoding="utf-8"))
    return {a: e["id"] for e in events for a in e["articles"]}, split
