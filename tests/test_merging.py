"""Merging reports: the reference articles, each merge rule, provenance, loading, properties."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from summarise.entities import AliasTable
from summarise.errors import InputError
from summarise.merging import (
    MergedEntity,
    MergedReport,
    find_copies,
    load_reports,
    merge,
    verify_provenance,
)
from summarise.models import (
    Attendee,
    AttendeeKind,
    DateMention,
    DefenceMeetingReport,
    Denial,
    Evidence,
    KeyFigure,
    Location,
    Risk,
    RiskCategory,
    Source,
    Stance,
    Support,
    Topic,
)

from .merge_fixtures import A_ID, B_ID, ev, report, report_a, report_b, text_source

# --- the reference articles -----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> MergedReport:
    return merge([report_a(), report_b()])


def entity(merged: MergedReport, name: str) -> MergedEntity:
    (found,) = [e for e in merged.entities if e.name == name]
    return found


def quotes(evidence: list[Evidence]) -> set[str]:
    return {e.quote for e in evidence}


@pytest.mark.parametrize("name", ["Adani Defence", "Bharat Forge"])
def test_reference_companies_are_disputed_with_both_sides(
    reference: MergedReport, name: str
) -> None:
    attendance = entity(reference, name).attendance
    assert attendance is not None and attendance.status == "disputed"
    assert A_ID in {c.source_id for c in attendance.supporting}
    assert {c.source_id for c in attendance.denying} == {B_ID}
    told = "told Reuters that the information linking them to these meetings was incorrect"
    assert any(told in q for c in attendance.denying for q in quotes(c.evidence))
    assert any(c.inherited_from is None for c in attendance.denying)
    conflict = next(
        c
        for c in reference.conflicts
        if c.field == f"entities/{entity(reference, name).id}/attendance"
    )
    assert conflict.kind == "contradiction"
    assert [v.value for v in conflict.values] == ["attended", "did not attend"]
    assert all(v.evidence for v in conflict.values)


def test_a_span_cited_for_an_attendee_and_its_denial_is_shown_once() -> None:
    went = text_source("went", "Orion Arms attended the talks in Moscow.")
    deny = text_source("deny", "Orion Arms denied that it attended the talks in Moscow.")
    said = ev(deny, "Orion Arms denied that it attended the talks in Moscow.")
    checked = Support(verdict="supported", checked="names Orion Arms; denies", side="denied")
    as_attendee = said.model_copy(update={"support": checked})  # the same span, judged for it
    merged = merge([
        report(went, attendees=[Attendee(name="Orion Arms", kind="organisation",
                                         stance="asserted", evidence=[ev(went, went.text)])]),
        report(deny, attendees=[Attendee(name="Orion Arms", kind="organisation",
                                         stance="denied", evidence=[as_attendee])],
               denials=[Denial(by="Orion Arms", claim=said.quote, evidence=[said])]),
    ])  # fmt: skip

    (conflict,) = [c for c in merged.conflicts if c.field.endswith("/attendance")]
    denied = conflict.values[1]
    assert denied.value == "did not attend" and [e.quote for e in denied.evidence] == [said.quote]


def test_reference_meeting_dates_are_refined_by_both_articles(reference: MergedReport) -> None:
    meetings = next(d for d in reference.dates if "meetings" in d.of)
    assert (meetings.status, meetings.earliest, meetings.latest) == (
        "consistent",
        date(2025, 10, 29),
        date(2025, 10, 30),
    )
    (value,) = meetings.values
    assert value.source_ids == [A_ID, B_ID] and value.independent_sources == 2
    assert {c.text for c in value.claims} == {"late October", "October 29 and 30"}
    kinds = {c.kind for c in reference.conflicts if c.field == f"dates/{meetings.id}"}
    assert kinds == {"refinement"}


def test_reference_putin_visit_dates_group_despite_different_wording(
    reference: MergedReport,
) -> None:
    visit = next(d for d in reference.dates if "Putin" in d.of)
    assert {c.of for v in visit.values for c in v.claims} == {
        "Putin's visit to India",
        "Putin's trip to New Delhi",
    }
    assert (visit.earliest, visit.latest) == (date(2025, 12, 4), date(2025, 12, 5))
    assert len(reference.dates) == 2


def test_reference_sidm_is_one_confirmed_entity(reference: MergedReport) -> None:
    sidm = entity(reference, "Society of Indian Defence Manufacturers")
    assert {n.name for n in sidm.names} == {"Society of Indian Defence Manufacturers", "SIDM"}
    assert sidm.attendance is not None and sidm.attendance.status == "confirmed"
    assert sidm.attendance.supporting_sources == 2


def test_reference_tata_sons_is_no_attendee(reference: MergedReport) -> None:
    assert not [e for e in reference.entities if "tata" in e.name.casefold()]


def test_reference_adani_group_is_related_to_adani_defence_not_the_same(
    reference: MergedReport,
) -> None:
    group, defence = entity(reference, "Adani Group"), entity(reference, "Adani Defence")
    assert group.id != defence.id
    assert ("part_of", group.id) in {(r.relation, r.entity_id) for r in defence.related}
    assert ("has_part", defence.id) in {(r.relation, r.entity_id) for r in group.related}
    assert group.attendance is not None and group.attendance.status == "denied"
    # The group's denial also bears on its part, marked as inherited.
    assert defence.attendance is not None
    inherited = [c for c in defence.attendance.denying if c.inherited_from]
    assert {(c.inherited_from, c.name) for c in inherited} == {(group.id, "Adani Group")}


def test_reference_people_and_hierarchy(reference: MergedReport) -> None:
    kumar = entity(reference, "Sanjiv Kumar")
    assert kumar.attendance is not None and kumar.attendance.status == "unverified"
    rajvanshi = entity(reference, "Ashish Rajvanshi")
    assert ("affiliated_with", "adani-defence") in {
        (r.relation, r.entity_id) for r in rajvanshi.related
    }
    # Only his employer and its group deny: disputed through them, a granularity conflict.
    assert rajvanshi.attendance is not None and rajvanshi.attendance.status == "disputed"
    field = f"entities/{rajvanshi.id}/attendance"
    assert [c.kind for c in reference.conflicts if c.field == field] == ["granularity"]
    forge = entity(reference, "Bharat Forge")
    (kalyani,) = [r for r in forge.related if r.entity_id == "kalyani-group"]
    assert kalyani.relation == "part_of" and kalyani.basis == ["affiliation"]
    assert kalyani.source_ids == [B_ID] and kalyani.evidence
    assert entity(reference, "Kalyani Group").attendance is None


def test_reference_figures_corroborate_and_keep_every_quote(reference: MergedReport) -> None:
    share = next(f for f in reference.key_figures if any(v.value == "36%" for v in f.values))
    assert share.status == "corroborated"
    (value,) = share.values
    assert {c.value for c in value.claims} == {"About 36%", "Nearly 36%", "Roughly 36%"}
    assert value.source_ids == [A_ID, B_ID]
    members = next(f for f in reference.key_figures if any(v.value == "500" for v in f.values))
    assert members.status == "corroborated"


def test_reference_provenance_reads_back(reference: MergedReport) -> None:
    assert verify_provenance(reference) == []
    assert [s.id for s in reference.sources] == [A_ID, B_ID]
    assert reference.independent_sources == 2 and reference.copies == []


def test_merged_report_round_trips_through_json(reference: MergedReport) -> None:
    again = MergedReport.model_validate_json(reference.model_dump_json())
    assert again == reference


# --- hand-built reports, one rule at a time --------------------------------------------------

TEXT = (
    "Adani Defence attended the talks. Bharat Forge sent executives. Adani Defence denied it. "
    "Reporters saw Sanjiv Kumar. The meetings were held in late October. The meetings were held "
    "on November 12. Putin's visit to India came in early December. The visit ended on "
    "December 5. About 36% of equipment is Russian. About a third of equipment is Russian. "
    "More than 500 companies are members. 550 companies are members. Sanctions are a risk. "
    "Western secondary sanctions are a risk. "
)


def article(source_id: str) -> Source:
    """A made-up article holding TEXT and enough words of its own not to be a copy."""
    own = " ".join(f"{source_id}-{i}" for i in range(300))
    return text_source(source_id, TEXT + own)


def attendee(
    src: Source,
    name: str,
    stance: Stance,
    kind: AttendeeKind = "organisation",
    affiliation: str | None = None,
    quote: str | None = None,
) -> Attendee:
    return Attendee(
        name=name,
        kind=kind,
        stance=stance,
        affiliation=affiliation,
        evidence=[ev(src, quote or "Adani Defence attended the talks")],
    )


def denial(src: Source, by: str) -> Denial:
    return Denial(by=by, claim="attended", evidence=[ev(src, "Adani Defence denied it")])


def status(merged: MergedReport, name: str) -> str | None:
    attendance = entity(merged, name).attendance
    return attendance.status if attendance else None


def test_two_independent_assertions_confirm() -> None:
    a, b = article("a"), article("b")
    merged = merge(
        [
            report(a, attendees=[attendee(a, "Adani Defence", "asserted")]),
            report(b, attendees=[attendee(b, "Adani Defence Ltd", "reported")]),
        ]
    )
    assert status(merged, "Adani Defence") == "confirmed"
    assert not merged.conflicts


def test_one_source_is_unverified_and_a_single_source_conflict() -> None:
    a, b = article("a"), article("b")
    merged = merge([report(a, attendees=[attendee(a, "Adani Defence", "asserted")]), report(b)])
    assert status(merged, "Adani Defence") == "unverified"
    assert [c.kind for c in merged.conflicts] == ["single_source"]
    alone = merge([report(a, attendees=[attendee(a, "Adani Defence", "asserted")])])
    assert alone.conflicts == []  # one article: everything is single-source, nothing to flag


def test_uncertain_only_is_unverified() -> None:
    a = article("a")
    merged = merge([report(a, attendees=[attendee(a, "Adani Defence", "uncertain")])])
    attendance = entity(merged, "Adani Defence").attendance
    assert attendance is not None and attendance.status == "unverified"
    assert len(attendance.uncertain) == 1 and not attendance.supporting


def test_only_denials_are_denied() -> None:
    a, b = article("a"), article("b")
    merged = merge(
        [
            report(a, denials=[denial(a, "Adani Defence")]),
            report(b, attendees=[attendee(b, "Adani Defence", "denied")]),
        ]
    )
    attendance = entity(merged, "Adani Defence").attendance
    assert attendance is not None and attendance.status == "denied"
    assert attendance.denying_sources == 2
    assert {c.item for c in attendance.denying} == {"attendee", "denial"}


def test_a_denial_is_never_outvoted() -> None:
    sources = [article(f"s{i}") for i in range(5)]
    reports = [report(s, attendees=[attendee(s, "Bharat Forge", "asserted")]) for s in sources]
    reports.append(report(article("d"), denials=[denial(article("d"), "Bharat Forge")]))
    merged = merge(reports)
    attendance = entity(merged, "Bharat Forge").attendance
    assert attendance is not None and attendance.status == "disputed"
    assert (attendance.supporting_sources, attendance.denying_sources) == (5, 1)


def test_denial_by_a_group_disputes_its_part_as_granularity() -> None:
    a, b = article("a"), article("b")
    merged = merge(
        [
            report(a, attendees=[attendee(a, "Adani Defence", "asserted")]),
            report(b, denials=[denial(b, "spokespeople for the Adani Group")]),
        ]
    )
    assert status(merged, "Adani Defence") == "disputed"
    assert status(merged, "Adani Group") == "denied"
    (conflict,) = [c for c in merged.conflicts if c.field == "entities/adani-defence/attendance"]
    assert conflict.kind == "granularity" and "Adani Group" in conflict.summary
    # A part's denial does not bear on its group.
    merged = merge(
        [
            report(a, attendees=[attendee(a, "Adani Group", "asserted")]),
            report(b, denials=[denial(b, "Adani Defence")]),
        ]
    )
    assert status(merged, "Adani Group") == "unverified"


def test_small_model_noise_in_names() -> None:
    a, b = article("a"), article("b")
    merged = merge(
        [
            report(
                a,
                attendees=[
                    attendee(a, "Adani Defence and Bharat Forge", "asserted"),
                    attendee(a, "executives from Bharat Forge", "asserted"),
                ],
            ),
            report(
                b,
                attendees=[attendee(b, "the Adani Defence", "reported")],
                denials=[denial(b, "Bharat Forge")],
            ),
        ]
    )
    assert {e.name for e in merged.entities} == {"Adani Defence", "Bharat Forge"}
    assert status(merged, "Adani Defence") == "confirmed"
    assert status(merged, "Bharat Forge") == "disputed"
    forge = entity(merged, "Bharat Forge")
    assert {n.name for n in forge.names} == {
        "Adani Defence and Bharat Forge",
        "executives from Bharat Forge",
        "Bharat Forge",
    }


def test_copies_count_once() -> None:
    wire = "Reuters: Bharat Forge executives met Russian officials in Moscow on October 29. " * 5
    a = text_source("a", wire + "Posted by site A.")
    b = text_source("b", wire + "Posted by site B.")
    merged = merge(
        [
            report(a, attendees=[attendee(a, "Bharat Forge", "asserted", quote="Bharat Forge")]),
            report(b, attendees=[attendee(b, "Bharat Forge", "asserted", quote="Bharat Forge")]),
        ]
    )
    assert [g.source_ids for g in merged.copies] == [["a", "b"]]
    assert merged.independent_sources == 1
    assert status(merged, "Bharat Forge") == "unverified"


def test_find_copies_separates_different_articles_and_joins_edited_copies() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(2000)]
    texts = [" ".join(rng.choices(vocabulary, k=300)) for _ in range(200)]
    sources = [text_source(f"s{i:03}", t) for i, t in enumerate(texts)]
    edited = texts[5].split()
    edited[100:103] = ["changed", "by", "editor"]
    sources.append(text_source("copy", " ".join(edited) + " Extra tagline."))
    sources.append(text_source("same-text", texts[9]))
    groups = find_copies(sources)
    assert [g.source_ids for g in groups] == [["copy", "s005"], ["s009", "same-text"]]
    assert 0.7 <= groups[0].similarity < 1.0 and groups[1].similarity == 1.0


def test_disjoint_dates_for_the_same_thing_conflict() -> None:
    a, b = article("a"), article("b")
    late = DateMention(
        text="late October",
        of="the meetings in Moscow",
        earliest=date(2025, 10, 21),
        latest=date(2025, 10, 31),
        evidence=[ev(a, "The meetings were held in late October")],
    )
    november = DateMention(
        text="November 12",
        of="meetings",
        earliest=date(2025, 11, 12),
        latest=date(2025, 11, 12),
        evidence=[ev(b, "The meetings were held on November 12")],
    )
    undated = DateMention(text="recently", of="the meetings", evidence=[])
    merged = merge([report(a, dates=[late]), report(b, dates=[november, undated])])
    (meetings,) = merged.dates
    assert meetings.status == "conflicting" and meetings.earliest is None
    assert [(v.earliest, v.latest, v.source_ids) for v in meetings.values] == [
        (date(2025, 10, 21), date(2025, 10, 31), ["a"]),
        (date(2025, 11, 12), date(2025, 11, 12), ["b"]),
    ]
    assert [c.text for c in meetings.undated] == ["recently"]
    (conflict,) = merged.conflicts
    assert conflict.kind == "contradiction" and len(conflict.values) == 2
    assert conflict.values[1].value == "2025-11-12 ('November 12')"
    # Another thing's dates are not mixed in.
    visit = DateMention(
        text="early December",
        of="Putin's visit to India",
        earliest=date(2025, 12, 1),
        latest=date(2025, 12, 10),
    )
    assert len(merge([report(a, dates=[late, visit])]).dates) == 2


def test_figures_that_disagree_conflict_and_bounds_refine() -> None:
    a, b = article("a"), article("b")
    share = [
        report(
            a,
            key_figures=[
                KeyFigure(
                    value="36%",
                    what="share of Russian-origin equipment",
                    evidence=[ev(a, "About 36% of equipment")],
                )
            ],
        ),
        report(
            b,
            key_figures=[
                KeyFigure(
                    value="about a third",
                    what="share of Russian-origin equipment",
                    evidence=[ev(b, "About a third of equipment")],
                )
            ],
        ),
    ]
    (figure,) = merge(share).key_figures
    assert figure.status == "conflicting"
    assert [v.value for v in figure.values] == ["33.33%", "36%"]
    (conflict,) = merge(share).conflicts
    assert conflict.kind == "contradiction"
    members = [
        report(
            a,
            key_figures=[
                KeyFigure(
                    value="more than 500",
                    what="member companies",
                    evidence=[ev(a, "More than 500 companies")],
                )
            ],
        ),
        report(
            b,
            key_figures=[
                KeyFigure(value="550", what="member companies", evidence=[ev(b, "550 companies")])
            ],
        ),
    ]
    (figure,) = merge(members).key_figures
    assert figure.status == "consistent"
    assert [c.kind for c in merge(members).conflicts] == ["refinement"]


def test_topics_and_risks_deduplicate_keeping_every_source() -> None:
    a, b = article("a"), article("b")
    merged = merge(
        [
            report(
                a,
                topics=[
                    Topic(
                        label="Joint research and co-development",
                        evidence=[ev(a, "Bharat Forge sent executives")],
                    )
                ],
                risks=[
                    Risk(
                        label="Western secondary sanctions",
                        category="sanctions",
                        evidence=[ev(a, "Western secondary sanctions are a risk")],
                    )
                ],
            ),
            report(
                b,
                topics=[
                    Topic(
                        label="joint research, co-development",
                        evidence=[ev(b, "Adani Defence attended the talks")],
                    ),
                    Topic(label="spare parts", evidence=[]),
                ],
                risks=[
                    Risk(
                        label="secondary sanctions",
                        category="diplomatic",
                        evidence=[ev(b, "Sanctions are a risk")],
                    )
                ],
            ),
        ]
    )
    assert [t.labels for t in merged.topics] == [
        ["Joint research and co-development", "joint research, co-development"],
        ["spare parts"],
    ]
    research = merged.topics[0]
    assert research.source_ids == ["a", "b"] and len(research.claims) == 2
    (risk,) = merged.risks
    assert risk.categories == ["diplomatic", "sanctions"] and risk.independent_sources == 2


def test_denials_are_grouped_by_who_denies() -> None:
    a, b = article("a"), article("b")
    merged = merge(
        [
            report(a, denials=[denial(a, "Adani Defence")]),
            report(b, denials=[denial(b, "the Adani Defence"), denial(b, "Bharat Forge")]),
        ]
    )
    assert [(d.by, d.source_ids, len(d.claims)) for d in merged.denials] == [
        ("Adani Defence", ["a", "b"], 2),
        ("Bharat Forge", ["b"], 1),
    ]


def test_alias_file_changes_the_merge_and_is_kept() -> None:
    a, b = article("a"), article("b")
    reports = [
        report(a, attendees=[attendee(a, "Bharat Forge", "asserted")]),
        report(b, attendees=[attendee(b, "Kalyani Group", "asserted")]),
    ]
    table = AliasTable(same=[["Bharat Forge", "Kalyani Group"]])
    merged = merge(reports, aliases=table)
    assert status(merged, "Bharat Forge") == "confirmed"
    assert merged.aliases == table
    assert merge([merged]) == merged  # the embedded table applies again


def test_sources_with_one_id_and_different_texts_are_refused() -> None:
    with pytest.raises(InputError, match="'a'"):
        merge([report(article("a")), report(text_source("a", "Another text."))])


def test_merge_of_nothing_is_empty() -> None:
    merged = merge([])
    assert merged.sources == [] and merged.entities == [] and merged.independent_sources == 0


# --- provenance --------------------------------------------------------------------------------


def test_verify_provenance_finds_tampering(reference: MergedReport) -> None:
    data = json.loads(reference.model_dump_json())
    data["entities"][0]["claims"][0]["evidence"][0]["start"] += 1
    data["topics"][0]["claims"][0]["evidence"][0]["source_id"] = "nowhere"
    data["sources"][1]["text"] = data["sources"][1]["text"].replace("Reuters", "Reuter", 1)
    problems = verify_provenance(MergedReport.model_validate(data))
    assert any(p.startswith("entities[adani-defence]/claims[0]/evidence[0]") for p in problems)
    assert any("no embedded source 'nowhere'" in p for p in problems)
    assert f"sources/{B_ID}: sha256 does not match the text" in problems


def test_unaligned_evidence_is_not_checked() -> None:
    a = article("a")
    lost = Evidence(source_id="a", quote="not in the text", alignment="not_found")
    merged = merge([report(a, topics=[Topic(label="x", evidence=[lost])])])
    assert verify_provenance(merged) == []


# --- loading -------------------------------------------------------------------------------------


def test_load_reports(tmp_path: Path) -> None:
    paths = []
    for r in (report_a(), report_b()):
        path = tmp_path / f"{r.source.id}.json"
        path.write_text(r.model_dump_json(), encoding="utf-8")
        paths.append(path)
    assert load_reports(paths) == [report_a(), report_b()]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "not valid JSON"),
        ('{"summary": "x"}', "not a valid report: source: Field required"),
        (None, "is a merged report"),
    ],
)
def test_load_reports_names_the_bad_file(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "bad-report.json"
    merged = merge([report_a()]).model_dump_json()
    path.write_text(merged if content is None else content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_reports([path])
    assert "bad-report.json" in str(info.value)
    with pytest.raises(InputError, match=r"missing\.json"):
        load_reports([tmp_path / "missing.json"])


# --- properties ----------------------------------------------------------------------------------

POOL_NAMES: list[tuple[str, AttendeeKind]] = [
    ("Adani Defence", "organisation"),
    ("the Adani Defence", "organisation"),
    ("Adani Group", "organisation"),
    ("Bharat Forge", "organisation"),
    ("Bharat Forge Ltd", "organisation"),
    ("Adani Defence and Bharat Forge", "organisation"),
    ("SIDM", "organisation"),
    ("Society of Indian Defence Manufacturers", "organisation"),
    ("Sanjiv Kumar", "person"),
    ("Mr Sanjiv Kumar", "person"),
    ("Kumar", "person"),
    ("Ashish Rajvanshi", "person"),
    ("Kalyani Group", "organisation"),
]
STANCES: list[Stance] = ["asserted", "reported", "denied", "uncertain"]
POOL_OF = ["the meetings in Moscow", "meetings", "Putin's visit to India", "Putin's trip"]
POOL_DAYS = [
    (date(2025, 10, 21), date(2025, 10, 31)),
    (date(2025, 10, 29), date(2025, 10, 30)),
    (date(2025, 11, 12), date(2025, 11, 12)),
    (date(2025, 12, 1), date(2025, 12, 10)),
    (None, None),
]
POOL_LABELS = ["joint research", "Joint research and co-production", "spare parts", "sanctions"]
POOL_FIGURES = ["36%", "About 36%", "about a third", "more than 500", "550"]
POOL_WHAT = ["share of Russian equipment", "member companies"]
POOL_PLACES = ["Moscow", "moscow", "New Delhi", "India"]
RISK_CATEGORIES: list[RiskCategory] = ["sanctions", "technology_access", "other"]
WORDS = [n for n, _ in POOL_NAMES] + POOL_OF + POOL_LABELS + POOL_FIGURES + POOL_WHAT + POOL_PLACES
BASE = " ".join(f"{w} is mentioned here." for w in WORDS)
# s0 and s1 are wire copies of each other; s2 and s3 are their own articles.
TEXTS = {
    "s0": BASE + " Syndicated by agency.",
    "s1": BASE + " Syndicated by a partner.",
    "s2": "Independent report. " * 30 + BASE,
    "s3": BASE + " Opinion piece with many more words of its own." * 10,
}
SOURCES = {sid: text_source(sid, text) for sid, text in TEXTS.items()}


@st.composite
def reports(draw: st.DrawFn) -> DefenceMeetingReport:
    src = SOURCES[draw(st.sampled_from(sorted(SOURCES)))]

    def quote(text: str) -> list[Evidence]:
        return [ev(src, text)] if draw(st.booleans()) else []

    names = st.sampled_from(POOL_NAMES)
    stances = st.sampled_from(STANCES)
    attendees = [
        Attendee(
            name=n,
            kind=k,
            stance=draw(stances),
            evidence=quote(n),
            affiliation=draw(st.sampled_from([None, "Adani Group", "Kalyani Group"])),
        )
        for n, k in draw(st.lists(names, max_size=4))
    ]
    denials = [
        Denial(by=n, claim="attended", evidence=quote(n))
        for n, _ in draw(st.lists(names, max_size=2))
    ]
    dates = []
    for of in draw(st.lists(st.sampled_from(POOL_OF), max_size=3)):
        earliest, latest = draw(st.sampled_from(POOL_DAYS))
        dates.append(
            DateMention(
                text="some day", of=of, earliest=earliest, latest=latest, evidence=quote(of)
            )
        )
    topics = [
        Topic(label=x, evidence=quote(x))
        for x in draw(st.lists(st.sampled_from(POOL_LABELS), max_size=2))
    ]
    figures = [
        KeyFigure(value=v, what=draw(st.sampled_from(POOL_WHAT)), evidence=quote(v))
        for v in draw(st.lists(st.sampled_from(POOL_FIGURES), max_size=2))
    ]
    locations = [
        Location(name=x, evidence=quote(x))
        for x in draw(st.lists(st.sampled_from(POOL_PLACES), max_size=2))
    ]
    risks = [
        Risk(label=x, category=draw(st.sampled_from(RISK_CATEGORIES)), evidence=quote(x))
        for x in draw(st.lists(st.sampled_from(POOL_LABELS), max_size=2))
    ]
    return report(
        src,
        "summary",
        attendees=attendees,
        denials=denials,
        dates=dates,
        topics=topics,
        key_figures=figures,
        locations=locations,
        risks=risks,
    )


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(reports(), min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_merge_does_not_depend_on_input_order(
    inputs: list[DefenceMeetingReport], rng: random.Random
) -> None:
    shuffled = list(inputs)
    rng.shuffle(shuffled)
    assert merge(shuffled) == merge(inputs)


@PROPERTY
@given(st.lists(reports(), min_size=1, max_size=4))
def test_merging_reports_with_themselves_changes_nothing(
    inputs: list[DefenceMeetingReport],
) -> None:
    once = merge(inputs)
    assert merge(inputs + inputs) == once
    assert merge([inputs[0], inputs[0]]) == merge([inputs[0]])
    assert verify_provenance(once) == []


@PROPERTY
@given(st.lists(reports(), min_size=2, max_size=5), st.integers(min_value=1, max_value=4))
def test_merging_merged_reports_is_associative(
    inputs: list[DefenceMeetingReport], cut: int
) -> None:
    cut = min(cut, len(inputs) - 1)
    everything = merge(inputs)
    assert merge([merge(inputs[:cut]), *inputs[cut:]]) == everything
    assert merge([merge(inputs[:cut]), merge(inputs[cut:])]) == everything
    assert merge([everything]) == everything


def test_a_disputed_attendee_puts_each_sentence_on_its_own_side() -> None:
    from summarise.models import Support

    from .merge_fixtures import ev, report, text_source

    text = (
        "Zeta Corp executives attended the talks in Oslo. "
        "Zeta Corp told reporters the information linking it to the talks was incorrect."
    )
    src = text_source("z", text)
    attending = ev(src, "Zeta Corp executives attended the talks in Oslo.")
    denying = ev(
        src, "Zeta Corp told reporters the information linking it to the talks was incorrect."
    )
    attending = attending.model_copy(
        update={"support": Support(verdict="supported", checked="c", side="attended")}
    )
    denying = denying.model_copy(
        update={"support": Support(verdict="supported", checked="c", side="denied")}
    )
    zeta = Attendee(name="Zeta Corp", kind="organisation", stance="disputed",
                    evidence=[attending, denying])  # fmt: skip
    merged = merge([report(src, attendees=[zeta])])
    (entity,) = merged.entities
    assert entity.attendance is not None and entity.attendance.status == "disputed"
    assert [e.quote for c in entity.attendance.supporting for e in c.evidence] == [attending.quote]
    assert [e.quote for c in entity.attendance.denying for e in c.evidence] == [denying.quote]
    (conflict,) = [c for c in merged.conflicts if c.field.endswith("/attendance")]
    attended, did_not = conflict.values
    assert [e.quote for e in attended.evidence] == [attending.quote]
    assert [e.quote for e in did_not.evidence] == [denying.quote]


def test_the_main_events_dates_join_however_each_article_words_what_they_are_of() -> None:
    from .merge_fixtures import ev, report, text_source

    a = text_source("a", "The official visit took place in late October in Moscow.")
    b = text_source("b", "The meetings were held on October 29 and 30 in Moscow.")
    c = text_source("c", "The summit follows on December 4-5 in Delhi.")
    late = DateMention(text="late October", of="the official visit", main_event=True,
                       earliest=date(2025, 10, 21), latest=date(2025, 10, 31),
                       evidence=[ev(a, "late October")])  # fmt: skip
    exact = DateMention(text="October 29 and 30", of="the meetings", main_event=True,
                        earliest=date(2025, 10, 29), latest=date(2025, 10, 30),
                        evidence=[ev(b, "October 29 and 30")])  # fmt: skip
    other = DateMention(text="December 4-5", of="the summit", main_event=False,
                        earliest=date(2025, 12, 4), latest=date(2025, 12, 5),
                        evidence=[ev(c, "December 4-5")])  # fmt: skip
    merged = merge([report(a, dates=[late]), report(b, dates=[exact]), report(c, dates=[other])])
    joined = [d for d in merged.dates if len(d.values) == 1 and len(d.values[0].source_ids) == 2]
    (meeting,) = joined
    assert (meeting.earliest, meeting.latest) == (date(2025, 10, 29), date(2025, 10, 30))
    assert meeting.values[0].source_ids == ["a", "b"]
    assert len(merged.dates) == 2  # the summit stays its own date
