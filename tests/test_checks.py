"""Code-side checks on a draft: invented attendees, joint denials, unsupported denied stances."""

from __future__ import annotations

from summarise.checks import check_attendees, reconcile_stances, split_denials
from summarise.models import Article, Attendee, Denial, Evidence, Stance

TEXT = (
    "Executives of Alpha Defence and Beta Forge attended the talks in Moscow. "
    "Singer Zeta Star married in Seoul and joins a band. "
    "The delegation was led by Ravi Menon, the trade secretary. "
    "The Society of Makers represents 300 firms, including Gamma Works and Delta Systems. "
    "Alpha Defence and Beta Forge told a newspaper that the reports were incorrect."
)
ARTICLE = Article(id="t", text=TEXT)


def _ev(sentence: str) -> Evidence:
    start = TEXT.index(sentence)
    end = start + len(sentence)
    return Evidence(source_id="t", quote=sentence, start=start, end=end, alignment="exact")


def _attendee(name: str, sentence: str, stance: Stance = "asserted") -> Attendee:
    return Attendee(name=name, kind="organisation", stance=stance, evidence=[_ev(sentence)])


MEETING = "Executives of Alpha Defence and Beta Forge attended the talks in Moscow."
CLUTTER = "Singer Zeta Star married in Seoul and joins a band."
LEADER = "The delegation was led by Ravi Menon, the trade secretary."
MEMBERS = "The Society of Makers represents 300 firms, including Gamma Works and Delta Systems."
DENIAL = "Alpha Defence and Beta Forge told a newspaper that the reports were incorrect."


def test_members_of_a_body_and_parties_not_named_as_taking_part_are_dropped() -> None:
    kept = check_attendees(
        [
            _attendee("Alpha Defence", MEETING),
            _attendee("Gamma Works", MEMBERS),
            _attendee("Society of Makers", MEMBERS),
            _attendee("Omega Ltd", MEETING),  # never named in the article
            _attendee("Zeta Star", CLUTTER),  # named, but not as taking part in anything
        ],
        ARTICLE,
    )
    assert [a.name for a in kept] == ["Alpha Defence", "Society of Makers"]


def test_evidence_that_does_not_name_the_attendee_is_replaced_by_a_sentence_that_does() -> None:
    (menon,) = check_attendees([_attendee("Ravi Menon", MEETING)], ARTICLE)
    assert [e.quote for e in menon.evidence] == [LEADER]
    assert TEXT[menon.evidence[0].start : menon.evidence[0].end] == LEADER


def test_a_joint_denial_becomes_one_per_party() -> None:
    joint = Denial(by="the Alpha Defence and Beta Forge", claim="attending", evidence=[_ev(DENIAL)])
    assert [d.by for d in split_denials([joint])] == ["Alpha Defence", "Beta Forge"]
    single = Denial(by="Larsen", claim="attending", evidence=[_ev(DENIAL)])
    assert split_denials([single]) == [single]


def test_stances_follow_the_denials_and_a_denied_stance_needs_a_denial() -> None:
    denials = split_denials(
        [Denial(by="Alpha Defence and Beta Forge", claim="the meetings", evidence=[_ev(DENIAL)])]
    )
    result = reconcile_stances(
        [
            _attendee("Alpha Defence", MEETING),
            _attendee("Ravi Menon", LEADER, stance="denied"),  # leads the delegation
        ],
        denials,
    )
    stances = {a.name: a.stance for a in result}
    assert stances == {"Alpha Defence": "denied", "Ravi Menon": "asserted", "Beta Forge": "denied"}
    alpha = result[0]
    assert [e.quote for e in alpha.evidence] == [MEETING, DENIAL]  # each quote once
