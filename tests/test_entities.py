"""Entity resolution: normalisation, acronyms, people, fuzzy matches, hierarchy, alias files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from summarise.entities import (
    AliasTable,
    NameMention,
    Resolution,
    candidate_pairs,
    load_aliases,
    resolve,
)
from summarise.errors import InputError


def org(name: str, affiliation: str | None = None) -> NameMention:
    return NameMention(name, "organisation", affiliation)


def person(name: str, affiliation: str | None = None) -> NameMention:
    return NameMention(name, "person", affiliation)


def groups(resolution: Resolution, mentions: list[NameMention]) -> set[frozenset[str]]:
    """The written names grouped by the entities they resolve to."""
    by_entity: dict[tuple[str, ...], set[str]] = {}
    for m in mentions:
        by_entity.setdefault(resolution.ids(m.name, m.kind), set()).add(m.name)
    return {frozenset(names) for names in by_entity.values()}


def same(*names: str, mentions: list[NameMention] | None = None) -> bool:
    ms = mentions or [org(n) for n in names]
    r = resolve(ms)
    return len({r.ids(n, next(m.kind for m in ms if m.name == n)) for n in names}) == 1


@pytest.mark.parametrize(
    "names",
    [
        ("Bharat Forge", "Bharat Forge Ltd.", "BHARAT FORGE LIMITED", "Bharat Forge Pvt. Ltd"),
        ("Larsen & Toubro", "Larsen and Toubro", "Larsen & Toubro Ltd"),
        ("Adani Defence", "the Adani Defence", "Adani Defence's", "executives from Adani Defence"),
        ("Bharat Forge", "spokespeople for the Bharat Forge", "Bharat Forge spokesperson"),
    ],
)
def test_normalisation_case_punctuation_suffixes_noise(names: tuple[str, ...]) -> None:
    assert same(*names)


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("Society of Indian Defence Manufacturers", "SIDM"),
        ("Hindustan Aeronautics Limited", "HAL"),
        ("Larsen & Toubro", "L&T"),
        ("Defence Research and Development Organisation", "DRDO"),
    ],
)
def test_acronyms_match_their_full_names(full: str, short: str) -> None:
    assert same(full, short)


def test_acronym_in_parentheses_joins_both_forms() -> None:
    mentions = [org("Society of Indian Defence Manufacturers (SIDM)"), org("SIDM")]
    r = resolve(mentions)
    assert len(r.entities) == 1
    assert r.entities[0].name == "Society of Indian Defence Manufacturers"


def test_acronym_that_fits_several_names_joins_none() -> None:
    mentions = [org("Kaesh Systems Defence"), org("Kaquinka Shipyards Defence"), org("KSD")]
    assert len(resolve(mentions).entities) == 3
    assert same("Kaesh Systems Defence Ltd", "KSD")


def test_acronym_does_not_match_another_name() -> None:
    assert not same("BEL", "Bharat Forge Limited")
    assert same("BEL", "Bharat Electronics Limited")


def test_people_with_and_without_titles() -> None:
    names = [
        "Sanjiv Kumar",
        "Mr Sanjiv Kumar",
        "Dr. Sanjiv Kumar",
        "Defence Secretary Sanjiv Kumar",
    ]
    assert same(*names, mentions=[person(n) for n in names])
    assert same(
        "Gen. V. K. Singh",
        "V. K. Singh",
        mentions=[person("Gen. V. K. Singh"), person("V. K. Singh")],
    )


def test_different_given_names_stay_apart() -> None:
    mentions = [person("Sanjiv Kumar"), person("Rajesh Kumar")]
    assert not same("Sanjiv Kumar", "Rajesh Kumar", mentions=mentions)


def test_surname_alone_joins_only_an_unambiguous_person() -> None:
    mentions = [person("Ashish Rajvanshi"), person("Rajvanshi")]
    r = resolve(mentions)
    assert r.ids("Rajvanshi", "person") == r.ids("Ashish Rajvanshi", "person")
    assert r.entities[0].name == "Ashish Rajvanshi"
    ambiguous = [person("Sanjiv Kumar"), person("Rajesh Kumar"), person("Kumar")]
    assert len(resolve(ambiguous).entities) == 3


def test_initials_join_the_matching_person() -> None:
    mentions = [person("Ashish Rajvanshi"), person("A. Rajvanshi")]
    assert same("Ashish Rajvanshi", "A. Rajvanshi", mentions=mentions)


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("Bharat Forge", "Bharat Froge", "organisation"),
        (
            "Society of Indian Defence Manufacturers",
            "Society of Indian Defense Manufacturers",
            "organisation",
        ),
        ("Ashish Rajvanshi", "Ashish Rajvansi", "person"),
    ],
)
def test_typos_match_with_rapidfuzz(a: str, b: str, kind: str) -> None:
    mentions = [NameMention(a, kind), NameMention(b, kind)]  # type: ignore[arg-type]
    assert same(a, b, mentions=mentions)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Bharat Forge", "Bharat Electronics"), ("Tata Motors", "Tata Power"), ("HAL", "BEL")],
)
def test_different_organisations_stay_apart(a: str, b: str) -> None:
    assert not same(a, b)


def test_part_is_related_to_its_group_never_the_same() -> None:
    mentions = [org("Adani Defence"), org("Adani Group"), org("Adani"), org("Adani Defence")]
    r = resolve(mentions)
    defence, group = r.ids("Adani Defence", "organisation"), r.ids("Adani Group", "organisation")
    assert defence != group
    (link,) = r.links
    assert (link.part, link.whole, link.relation) == (defence[0], group[0], "part_of")
    assert link.basis == ("group_name",)
    # "Adani" fits both: it is not guessed into either.
    assert r.ids("Adani", "organisation") not in (defence, group)


def test_short_form_joins_its_only_match() -> None:
    assert same("Adani Defence", "Adani Defence and Aerospace")
    assert same("Adani", "Adani Group")


def test_affiliation_gives_related_entities() -> None:
    mentions = [org("Bharat Forge", "Kalyani Group"), person("Ashish Rajvanshi", "Adani Defence")]
    r = resolve(mentions)
    relations = {(link.part, link.whole, link.relation) for link in r.links}
    assert relations == {
        ("bharat-forge", "kalyani-group", "part_of"),
        ("ashish-rajvanshi", "adani-defence", "affiliated_with"),
    }


def test_people_with_different_employers_stay_apart() -> None:
    mentions = [person("Rajesh Kumar", "Tata Sons"), person("Rajesh Kumaar", "Bharat Forge")]
    assert not same("Rajesh Kumar", "Rajesh Kumaar", mentions=mentions)
    related = [person("Rajesh Kumar", "Adani Defence"), person("Rajesh Kumaar", "Adani Group")]
    assert same("Rajesh Kumar", "Rajesh Kumaar", mentions=related)


def test_a_name_listing_known_parties_is_split() -> None:
    mentions = [org("Adani Defence and Bharat Forge"), org("Adani Defence"), org("Bharat Forge")]
    r = resolve(mentions)
    assert r.ids("Adani Defence and Bharat Forge", "organisation") == (
        "adani-defence",
        "bharat-forge",
    )
    # ... but not a name whose parts are not parties of their own.
    r = resolve([org("Adani Defence and Aerospace"), org("Adani Defence"), org("Larsen & Toubro")])
    assert len(r.entities) == 2


def test_alias_table_forces_forbids_and_relates() -> None:
    mentions = [org("Bharat Forge"), org("Bharat Froge"), org("Kalyani Steels"), org("KSL")]
    mentions.append(org("Tata Sons"))
    table = AliasTable(
        same=[["Kalyani Steels Limited", "KSL", "Kalyani Steels"]],
        different=[("Bharat Forge", "Bharat Froge")],
        part_of=[("Tata Sons", "Kalyani Steels")],
    )
    r = resolve(mentions, table)
    assert groups(r, mentions) == {
        frozenset({"Bharat Forge"}),
        frozenset({"Bharat Froge"}),
        frozenset({"Kalyani Steels", "KSL"}),
        frozenset({"Tata Sons"}),
    }
    assert "Kalyani Steels Limited" in {e.name for e in r.entities}
    links = [(x.part, x.whole, x.basis) for x in r.links]
    assert links == [("tata-sons", "kalyani-steels-limited", ("alias_file",))]
    # Without the table, the typo joins and the acronym stays apart.
    assert len(resolve(mentions).entities) == 4


def test_alias_table_rejects_what_it_cannot_do() -> None:
    with pytest.raises(ValueError, match="normalise alike"):
        AliasTable(different=[("Bharat Forge", "Bharat Forge Ltd.")])
    with pytest.raises(ValueError, match="both"):
        AliasTable(same=[["Bharat Forge", "Kalyani"]], part_of=[("Kalyani", "Bharat Forge")])


def test_alias_same_overrides_the_group_rule() -> None:
    mentions = [org("Adani Defence"), org("Adani Group")]
    r = resolve(mentions, AliasTable(same=[["Adani Group", "Adani Defence"]]))
    assert len(r.entities) == 1 and r.entities[0].name == "Adani Group"
    assert r.links == ()


def test_resolution_does_not_depend_on_order() -> None:
    mentions = [
        org("Society of Indian Defence Manufacturers"),
        org("SIDM"),
        org("Adani Defence"),
        org("Adani Group"),
        org("Adani"),
        person("Ashish Rajvanshi", "Adani Defence"),
        person("Rajvanshi"),
        org("Bharat Forge", "Kalyani Group"),
        org("Bharat Froge"),
        person("Sanjiv Kumar"),
        person("Kumar"),
        person("Rajesh Kumar"),
    ]
    expected = resolve(mentions)
    shuffled = list(mentions)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert resolve(shuffled) == expected


def test_candidate_pairs_compare_small_blocks_fully_and_large_ones_by_neighbourhood() -> None:
    assert candidate_pairs([{"x"}, {"x", "y"}, {"y"}, {"z"}]) == [(0, 1), (1, 2)]
    many = candidate_pairs([{"common"}] * 1000, max_block=64, window=8)
    assert len(many) <= 8 * 1000
    assert (0, 1) in many and (0, 500) not in many


def test_load_aliases_json_and_toml(tmp_path: Path) -> None:
    data = {"same": [["SIDM", "Society of Indian Defence Manufacturers"]], "part_of": [["A", "B"]]}
    (tmp_path / "a.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "a.toml").write_text(
        'same = [["SIDM", "Society of Indian Defence Manufacturers"]]\npart_of = [["A", "B"]]\n',
        encoding="utf-8",
    )
    assert load_aliases(tmp_path / "a.json") == load_aliases(tmp_path / "a.toml")
    assert load_aliases(tmp_path / "a.toml").part_of == [("A", "B")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", "{not json", "not a valid alias file"),
        ("bad.toml", "same = [", "not a valid alias file"),
        ("extra.json", '{"sames": []}', "sames"),
        ("pair.json", '{"different": [["a", "b", "c"]]}', "different"),
        ("both.json", '{"same": [["X Ltd", "Y"]], "different": [["X", "Y"]]}', "both"),
    ],
)
def test_load_aliases_rejects_bad_files_naming_them(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_aliases(path)
    assert name in str(info.value)


def test_load_aliases_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.json"):
        load_aliases(tmp_path / "missing.json")
