"""Hand-built reports for the merge tests: the two reference articles, and small builders.

Every quote is located with `text.index(quote)`, so spans are real; the items mirror what the
articles say (gold in ../shared/gold/).
"""

from __future__ import annotations

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
    ExtractionInfo,
    KeyFigure,
    Location,
    Risk,
    Source,
    Topic,
)

ARTICLES = Path(__file__).resolve().parents[1] / "examples" / "articles"
A_ID = "india-russia-defence-meetings-a"
B_ID = "india-russia-defence-meetings-b"
EXTRACTION = ExtractionInfo(
    backend="hand",
    model="hand-built",
    mode="none",
    prompt_name="none",
    prompt_version="0",
    toolkit_version="0",
)


def source(article_id: str) -> Source:
    """The stored source of a reference article."""
    path = ARTICLES / f"{article_id}.json"
    return Source.of(Article.model_validate_json(path.read_text(encoding="utf-8")))


def text_source(source_id: str, text: str, published: date | None = None) -> Source:
    """A source for a made-up article text."""
    return Source.of(Article(id=source_id, text=text, published=published))


def ev(src: Source, quote: str) -> Evidence:
    """Exact evidence for a quote that occurs in the source text."""
    start = src.text.index(quote)
    return Evidence(
        source_id=src.id, quote=quote, start=start, end=start + len(quote), alignment="exact"
    )


def report(src: Source, summary: str = "", **items: Any) -> DefenceMeetingReport:
    """A report of `src` holding the given item lists."""
    return DefenceMeetingReport(source=src, summary=summary, extraction=EXTRACTION, **items)


def report_a() -> DefenceMeetingReport:
    """Article a: states attendance as fact, no denial, "late October"."""
    s = source(A_ID)
    both = "including representatives from Adani Defence and Bharat Forge, attended the discussions"
    ceo = "Adani Defence was represented by its CEO, Ashish Rajvanshi"
    sidm = (
        "The Society of Indian Defence Manufacturers, which includes more than 500 companies such"
        " as Tata Sons, Larsen & Toubro, and Bharat Electronics, was also represented at the"
        " meetings"
    )
    late = "an Indian defence-industrial delegation to Moscow in late October"
    december = "Vladimir Putin\u2019s visit to India in early December"
    spares = (
        "potential production of spare parts for Russian-origin equipment like the MiG-29"
        " fighter jet"
    )
    parts = "joint development of components for Russian-origin tanks, helicopters, and aircraft"
    sanctions = "Indian firms are cautious about secondary sanctions from Western countries"
    share = "About 36% of India\u2019s military equipment still comes from Russian-origin systems"
    return report(
        s,
        "Indian defence firms held rare meetings in Moscow in late October.",
        attendees=[
            Attendee(
                name="Adani Defence",
                kind="organisation",
                stance="asserted",
                evidence=[ev(s, both), ev(s, ceo)],
            ),
            Attendee(
                name="Ashish Rajvanshi",
                kind="person",
                affiliation="Adani Defence",
                role="CEO",
                stance="asserted",
                evidence=[ev(s, ceo)],
            ),
            Attendee(
                name="Bharat Forge",
                kind="organisation",
                stance="reported",
                evidence=[ev(s, both), ev(s, "Executives from Bharat Forge attended")],
            ),
            Attendee(
                name="Society of Indian Defence Manufacturers",
                kind="organisation",
                stance="asserted",
                evidence=[ev(s, sidm)],
            ),
        ],
        dates=[
            DateMention(
                text="late October",
                of="the meetings in Moscow",
                earliest=date(2025, 10, 21),
                latest=date(2025, 10, 31),
                precision="part_of_month",
                evidence=[ev(s, late)],
            ),
            DateMention(
                text="early December",
                of="Putin's visit to India",
                earliest=date(2025, 12, 1),
                latest=date(2025, 12, 10),
                precision="part_of_month",
                evidence=[ev(s, december)],
            ),
        ],
        locations=[Location(name="Moscow", evidence=[ev(s, "delegation to Moscow")])],
        topics=[
            Topic(
                label="spare parts for Russian-origin equipment such as the MiG-29",
                evidence=[ev(s, spares)],
            ),
            Topic(
                label="joint research, co-development and co-production",
                evidence=[ev(s, "joint research, co-development, and co-production")],
            ),
            Topic(
                label="components for Russian-origin tanks, helicopters and aircraft",
                evidence=[ev(s, parts)],
            ),
        ],
        risks=[
            Risk(
                label="Western secondary sanctions",
                category="sanctions",
                borne_by="Indian firms",
                evidence=[ev(s, sanctions)],
            ),
            Risk(
                label="loss of access to Western technology",
                category="technology_access",
                evidence=[ev(s, "these could affect future access to Western technology")],
            ),
        ],
        key_figures=[
            KeyFigure(
                value="About 36%",
                what="share of India's military equipment of Russian origin",
                evidence=[ev(s, share)],
            ),
            KeyFigure(
                value="more than 500 companies",
                what="members of SIDM",
                evidence=[ev(s, "which includes more than 500 companies")],
            ),
        ],
    )


def report_b() -> DefenceMeetingReport:
    """Article b: the meetings "October 29 and 30"; Adani Defence and Bharat Forge deny."""
    s = source(B_ID)
    told = (
        "the Adani Defence and the Bharat Forge told Reuters that the information linking them"
        " to these meetings was incorrect"
    )
    incorrect = "the information linking them to these meetings was incorrect"
    spokes = (
        "spokespeople for the Adani Group and the Bharat Forge denied that their executives had"
        " travelled to Moscow"
    )
    opening = "including Adani Defence and Bharat Forge, recently held meetings in Russia"
    forge = "An executive associated with the Bharat Forge, which is part of the Kalyani Group"
    kumar = "The Indian side was led by Sanjiv Kumar, the defence production secretary"
    sidm = "executives from the Society of Indian Defence Manufacturers (SIDM) were also present"
    nearly = "Nearly 36% of the weapons presently used by the Indian military are of Russian origin"
    roughly = "Roughly 36% of India\u2019s military inventory still comes from Russian platforms"
    return report(
        s,
        "Reuters reports Indian defence executives met in Moscow; two firms deny it.",
        attendees=[
            Attendee(
                name="Adani Defence",
                kind="organisation",
                stance="denied",
                evidence=[ev(s, opening), ev(s, told)],
            ),
            Attendee(
                name="Bharat Forge",
                kind="organisation",
                affiliation="Kalyani Group",
                stance="reported",
                evidence=[ev(s, forge)],
            ),
            Attendee(
                name="Sanjiv Kumar",
                kind="person",
                role="defence production secretary",
                stance="asserted",
                evidence=[ev(s, kumar)],
            ),
            Attendee(name="SIDM", kind="organisation", stance="asserted", evidence=[ev(s, sidm)]),
        ],
        denials=[
            Denial(
                by="Adani Defence", claim=incorrect, to_whom="told Reuters", evidence=[ev(s, told)]
            ),
            Denial(
                by="Bharat Forge", claim=incorrect, to_whom="told Reuters", evidence=[ev(s, told)]
            ),
            Denial(
                by="Adani Group",
                claim="their executives had travelled to Moscow",
                to_whom="media reports",
                evidence=[ev(s, spokes)],
            ),
            Denial(
                by="Bharat Forge",
                claim="their executives had travelled to Moscow",
                to_whom="media reports",
                evidence=[ev(s, spokes)],
            ),
        ],
        dates=[
            DateMention(
                text="October 29 and 30",
                of="the meetings",
                earliest=date(2025, 10, 29),
                latest=date(2025, 10, 30),
                precision="days",
                evidence=[ev(s, "The meetings in Moscow were held on October 29 and 30")],
            ),
            DateMention(
                text="December 4-5",
                of="Putin's trip to New Delhi",
                earliest=date(2025, 12, 4),
                latest=date(2025, 12, 5),
                precision="days",
                evidence=[ev(s, "Putin\u2019s trip to New Delhi on December 4-5")],
            ),
        ],
        locations=[Location(name="Moscow", evidence=[ev(s, "The meetings in Moscow")])],
        topics=[
            Topic(
                label="jointly producing parts for Russian tanks and aircraft",
                evidence=[ev(s, "jointly producing parts for Russian tanks and aircraft")],
            ),
            Topic(
                label="joint research and development of advanced defence systems",
                evidence=[ev(s, "joint research and development of advanced defence systems")],
            ),
        ],
        risks=[
            Risk(
                label="Western reluctance to share technology",
                category="technology_access",
                evidence=[ev(s, "they may become reluctant to share technology")],
            ),
        ],
        key_figures=[
            KeyFigure(
                value="Nearly 36%",
                what="share of the Indian military's weapons of Russian origin",
                evidence=[ev(s, nearly)],
            ),
            KeyFigure(
                value="Roughly 36%",
                what="share of India's military inventory from Russian platforms",
                evidence=[ev(s, roughly)],
            ),
            KeyFigure(
                value="over 500 companies",
                what="companies the SIDM represents",
                evidence=[ev(s, "The SIDM represents over 500 companies")],
            ),
        ],
    )


C_ID = "india-russia-defence-meetings-c"
C_TEXT = (
    "Executives of Bharat Forge travelled to Moscow in late October 2025 for talks, a defence"
    " ministry official said. Spokespeople for the Adani Group denied that its executives had"
    " travelled. Sanjiv Kumar, the defence production secretary, led the delegation. The talks"
    " covered spare parts for Russian-origin equipment. Analysts warned of Western secondary"
    " sanctions. About 36% of India's military equipment is of Russian origin."
)


def report_c() -> DefenceMeetingReport:
    """A made-up third article about the same meetings, with an item in every list field."""
    s = text_source(C_ID, C_TEXT, published=date(2025, 12, 10))
    return report(
        s,
        "A ministry official says Bharat Forge went to Moscow; the Adani Group denies its part.",
        locations=[Location(name="Moscow", evidence=[ev(s, "travelled to Moscow")])],
        dates=[
            DateMention(
                text="late October 2025",
                of="the meetings in Moscow",
                earliest=date(2025, 10, 21),
                latest=date(2025, 10, 31),
                precision="part_of_month",
                evidence=[ev(s, "in late October 2025")],
            )
        ],
        attendees=[
            Attendee(
                name="Bharat Forge",
                kind="organisation",
                stance="reported",
                evidence=[ev(s, "Executives of Bharat Forge travelled to Moscow")],
            ),
            Attendee(
                name="Sanjiv Kumar",
                kind="person",
                role="defence production secretary",
                stance="asserted",
                evidence=[ev(s, "Sanjiv Kumar, the defence production secretary, led")],
            ),
        ],
        denials=[
            Denial(
                by="Adani Group",
                claim="its executives had travelled",
                evidence=[ev(s, "the Adani Group denied that its executives had travelled")],
            )
        ],
        topics=[
            Topic(
                label="spare parts for Russian-origin equipment",
                evidence=[ev(s, "spare parts for Russian-origin equipment")],
            )
        ],
        risks=[
            Risk(
                label="Western secondary sanctions",
                category="sanctions",
                evidence=[ev(s, "Western secondary sanctions")],
            )
        ],
        key_figures=[
            KeyFigure(
                value="About 36%",
                what="share of India's military equipment of Russian origin",
                evidence=[ev(s, "About 36% of India's military equipment is of Russian origin")],
            )
        ],
    )
