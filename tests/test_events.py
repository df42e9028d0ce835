"""Grouping a folder's reports into events: stories, copies, properties, overrides, dev set."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from summarise.errors import InputError
from summarise.events import (
    EventGroup,
    EventIndex,
    EventOverrides,
    EventReport,
    event_index,
    group_events,
    load_overrides,
    merge_events,
    unmatched_overrides,
)
from summarise.models import DefenceMeetingReport

from .event_fixtures import (
    answer_key,
    deal_report,
    gold_fed_reports,
    ministers_reports,
    visit_copy_report,
    visit_report,
)
from .merge_fixtures import A_ID, B_ID, report_a, report_b

VISIT = "putin-visit-new-delhi"
COPY = "putin-visit-wire-copy"
DEAL = "airbus-tata-helicopter-deal"
RIGA, TALLINN = "baltic-ministers-riga", "baltic-ministers-tallinn"


def _folder() -> list[DefenceMeetingReport]:
    stories = [report_a(), report_b(), visit_report(), visit_copy_report(), deal_report()]
    return [*stories, *ministers_reports()]


def _event_of(groups: list[EventGroup]) -> dict[str, EventGroup]:
    return {a: g for g in groups for a in g.articles}


@pytest.fixture(scope="module")
def folder_groups() -> list[EventGroup]:
    return group_events(_folder())


# --- the stories ---------------------------------------------------------------------------


def test_late_october_and_october_29_30_are_one_meeting(folder_groups: list[EventGroup]) -> None:
    moscow = _event_of(folder_groups)[A_ID]
    assert moscow.articles == [A_ID, B_ID]
    # "late October" (21-31) and "October 29 and 30" overlap: the event is the intersection.
    assert (str(moscow.earliest), str(moscow.latest)) == ("2025-10-29", "2025-10-30")
    assert moscow.places == ["Moscow"]
    assert moscow.parties[:2] == ["Adani Defence", "Bharat Forge"]
    assert moscow.title.startswith("Adani Defence, Bharat Forge")
    assert "in Moscow, 29\u201330 Oct 2025" in moscow.title
    [reason] = moscow.reasons
    assert reason.kind == "evidence"
    assert reason.articles == [A_ID, B_ID]
    assert {"Adani Defence", "Bharat Forge"} <= set(reason.shared_parties)
    assert reason.shared_places == ["Moscow"]
    assert reason.dates == "overlap"
    assert "21\u201331 Oct 2025 and 29\u201330 Oct 2025 overlap" in reason.note


def test_same_parties_weeks_apart_are_two_related_events(folder_groups: list[EventGroup]) -> None:
    events = _event_of(folder_groups)
    moscow, visit = events[A_ID], events[VISIT]
    assert moscow.id != visit.id
    assert {"Adani Defence", "Bharat Forge"} <= set(visit.parties)
    to_visit = {r.event_id: r.why for r in moscow.related}
    assert visit.id in to_visit
    # the October articles mention the December visit in passing, naming Putin
    assert "mentions" in to_visit[visit.id]
    assert moscow.id in {r.event_id for r in visit.related}
    riga, tallinn = events[RIGA], events[TALLINN]
    assert riga.id != tallinn.id
    assert tallinn.id in {r.event_id for r in riga.related}
    assert "Andris Spruds and Hanno Pevkur" in next(
        r.why for r in riga.related if r.event_id == tallinn.id
    )


def test_wire_copies_are_one_event_with_few_parties(folder_groups: list[EventGroup]) -> None:
    visit = _event_of(folder_groups)[VISIT]
    assert visit.articles == [VISIT, COPY]
    assert visit.independent_sources == 1
    [reason] = visit.reasons
    assert reason.kind == "copy"
    assert reason.similarity is not None and reason.similarity >= 0.7
    assert visit.id == VISIT  # the member published first is the anchor of the id
    assert (str(visit.earliest), str(visit.latest)) == ("2025-12-04", "2025-12-05")


def test_an_unrelated_deal_stays_alone(folder_groups: list[EventGroup]) -> None:
    deal = _event_of(folder_groups)[DEAL]
    assert deal.articles == [DEAL]
    assert deal.reasons == [] and deal.related == []
    assert deal.title == "Airbus Helicopters and Tata Advanced Systems in Toulouse, 12 Mar 2025"
    assert len(folder_groups) == 5
    starts = [g.earliest for g in folder_groups if g.earliest]
    assert len(starts) == 5 and starts == sorted(starts)


def test_index_merge_and_schema(folder_groups: list[EventGroup]) -> None:
    index = event_index(folder_groups)
    assert [e.id for e in index.events] == [g.id for g in folder_groups]
    moscow_id = _event_of(folder_groups)[A_ID].id
    line = next(e for e in index.events if e.id == moscow_id)
    assert (line.articles, line.independent_sources) == (2, 2)
    assert _event_of(folder_groups)[VISIT].id in line.related
    assert EventIndex.model_validate_json(index.model_dump_json()) == index
    assert index.schema_version == "1"
    for model in (EventGroup, EventIndex, EventReport):
        schema = model.model_json_schema()
        assert schema["additionalProperties"] is False
        assert all("description" in p for p in schema["properties"].values())
    merged = merge_events(_folder(), folder_groups)
    for each in merged:
        assert [s.id for s in each.report.sources] == each.event.articles
    assert EventReport.model_validate_json(merged[0].model_dump_json()) == merged[0]
    moscow = next(m.report for m in merged if A_ID in m.event.articles)
    assert {e.name for e in moscow.entities} >= {"Adani Defence", "Bharat Forge"}
    assert "Vladimir Putin" not in {e.name for e in moscow.entities}
    with pytest.raises(InputError, match="no report for"):
        merge_events([report_a()], folder_groups)


def test_main_event_flag_decides_over_order() -> None:
    """A report whose December date is flagged main belongs to December, not October."""
    flagged = report_a().model_copy(deep=True)
    flagged.dates[0].main_event = False
    flagged.dates[1].main_event = True
    groups = group_events([flagged, report_b()])
    assert len(groups) == 2
    december = _event_of(groups)[A_ID]
    assert (str(december.earliest), str(december.latest)) == ("2025-12-01", "2025-12-10")


# --- properties ------------------------------------------------------------------------------

POOL = _folder()


def _dump(groups: list[EventGroup]) -> list[str]:
    return [g.model_dump_json() for g in groups]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_grouping_does_not_depend_on_order(rng: random.Random) -> None:
    shuffled = list(POOL)
    rng.shuffle(shuffled)
    assert _dump(group_events(shuffled)) == _dump(group_events(POOL))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.integers(0, len(POOL) - 1), min_size=1), st.integers(0, len(POOL) - 1))
def test_adding_an_article_never_splits_an_event(subset: set[int], extra: int) -> None:
    before = group_events([POOL[i] for i in sorted(subset)])
    after = _event_of(group_events([POOL[i] for i in sorted(subset | {extra})]))
    for group in before:
        grown = after[group.articles[0]]
        assert set(group.articles) <= set(grown.articles)
        if grown.articles == group.articles:
            assert grown.id == group.id  # same members, same id


# --- overrides -------------------------------------------------------------------------------


def test_overrides_split_join_and_move_are_applied_and_recorded() -> None:
    folder = _folder()
    split = _event_of(group_events(folder, overrides=EventOverrides(split=[[A_ID, B_ID]])))
    assert split[A_ID].id != split[B_ID].id
    for event in (split[A_ID], split[B_ID]):
        assert [r.override for r in event.reasons] == ["split"]
    joined = _event_of(group_events(folder, overrides=EventOverrides(join=[[DEAL, RIGA]])))
    assert joined[DEAL].articles == [DEAL, RIGA]
    [reason] = joined[DEAL].reasons
    assert (reason.kind, reason.override) == ("override", "join")
    moscow_id = _event_of(group_events(folder))[A_ID].id
    moved = _event_of(group_events(folder, overrides=EventOverrides(move={DEAL: moscow_id})))
    assert moved[DEAL].articles == sorted([A_ID, B_ID, DEAL])
    assert "move" in {r.override for r in moved[DEAL].reasons}
    # a moved article leaves its own event, even its copy
    away = _event_of(group_events(folder, overrides=EventOverrides(move={COPY: DEAL})))
    assert away[COPY].articles == [DEAL, COPY]
    assert away[VISIT].articles == [VISIT]
    # overrides naming articles not in the folder are ignored, and listed
    ghost = EventOverrides(join=[[A_ID, "not-here"]], move={"gone": "nowhere"})
    groups = group_events(folder, overrides=ghost)
    assert _dump(groups) == _dump(group_events(folder))
    assert unmatched_overrides(ghost, groups) == ["gone", "not-here", "nowhere"]


def test_contradicting_overrides_raise() -> None:
    rules = EventOverrides(split=[[A_ID, B_ID]], join=[[A_ID, DEAL], [DEAL, B_ID]])
    with pytest.raises(InputError, match="contradict"):
        group_events(_folder(), overrides=rules)


def test_override_files(tmp_path: Path) -> None:
    as_json = tmp_path / "events.json"
    as_json.write_text(json.dumps({"split": [[A_ID, B_ID]], "move": {DEAL: RIGA}}))
    assert load_overrides(as_json) == EventOverrides(split=[[A_ID, B_ID]], move={DEAL: RIGA})
    as_toml = tmp_path / "events.toml"
    as_toml.write_text(f'join = [["{A_ID}", "{DEAL}"]]\n[move]\n"{COPY}" = "{DEAL}"\n')
    assert load_overrides(as_toml) == EventOverrides(join=[[A_ID, DEAL]], move={COPY: DEAL})
    bad = {
        "broken.json": "{",
        "broken.toml": "join = [",
        "unknown.json": json.dumps({"merge": []}),
        "short.json": json.dumps({"split": [[A_ID]]}),
        "self.json": json.dumps({"move": {A_ID: A_ID}}),
        "both.json": json.dumps({"split": [[A_ID, B_ID]], "join": [[B_ID, A_ID]]}),
        "type.json": json.dumps({"move": [A_ID]}),
    }
    for name, text in bad.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError, match=re.escape(f"{name}: not a valid override file")):
            load_overrides(path)
    with pytest.raises(InputError, match=r"missing\.json: cannot read"):
        load_overrides(tmp_path / "missing.json")


# --- the dev set's answer key, gold-fed ----------------------------------------------------


def _pairwise(groups: list[EventGroup], key: dict[str, str], ids: list[str]) -> tuple[float, float]:
    event = {a: g.id for g in groups for a in g.articles}
    same = [(key[a] == key[b], event[a] == event[b]) for a, b in combinations(sorted(ids), 2)]
    found = sum(k and e for k, e in same)
    return found / max(sum(e for _, e in same), 1), found / max(sum(k for k, _ in same), 1)


def test_dev_set_answer_key_gold_fed() -> None:
    """The 36 real articles grouped together, from reports built from their GOLD files.

    Gold-fed: the reports hold what a perfect extraction would (gold names and dates, no
    places, no `main_event` flags), so this measures the grouping alone, not the model. The
    thresholds were set on the tune side and the reference articles; the held-out side was
    scored once, afterwards (figures in docs/events.md).
    """
    key, split = answer_key()
    groups = group_events(gold_fed_reports())
    assert sorted(a for g in groups for a in g.articles) == sorted(key)
    tune = split["tune"] + split["reference_extra"] + [A_ID, B_ID]
    precision, recall = _pairwise(groups, key, tune)
    assert precision == 1.0
    # 12 of 21 pairs: India Today's and the Hindi denial share no party the resolver joins
    # ("Sanjeev"/"Sanjiv Kumar", Devanagari names); the updated Reuters story shares two firms
    # but no event date, and its words are alike (0.18) below SIMILAR_TEXT.
    assert recall >= 0.57
    precision, recall = _pairwise(groups, key, split["heldout"])
    assert precision >= HELDOUT_PRECISION
    assert recall >= HELDOUT_RECALL
    events = _event_of(groups)
    assert events["de-us-pistorius-austin-bmvg-2023"].id != (
        events["de-us-pistorius-pentagon-finanzen-2024"].id
    )
    assert events["pk-ua-tanveer-poltorak-nation-2017"].id != (
        events["pk-uk-tanveer-dsei-nation-2017"].id
    )


# Held out: first scored once with SIMILAR_TEXT at 0.15 (precision 0.75: the Sputnik article's
# "In March", a recollection read as its main date, joined the March talks; recall 3/16);
# SIMILAR_TEXT was then raised to 0.2 for the synthetic benchmark's precision (not for this
# side), which gives 1.0 and 3/16 here. One shared party (Shoigu, Rheinmetall) with a date is
# not enough to join, by design; the arms-pause articles share only "Ministry of Defence".
HELDOUT_PRECISION = 1.0
HELDOUT_RECALL = 0.18


def test_events_are_core_without_the_llm_stack() -> None:
    code = (
        "import sys, summarise.events; "
        "print(sorted(m for m in ('openai', 'instructor', 'summarise.extraction', "
        "'summarise.batch', 'summarise.cli', 'summarise.backends') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
