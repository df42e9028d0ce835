"""The registry of report fields: complete, and every field survives merging merged reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args, get_origin

import pytest

from summarise.fields import (
    LABELLED_FIELDS,
    LOCATIONS,
    NOTE_FIELDS,
    REPORT_FIELDS,
    RISKS,
    TOPICS,
    ReportField,
    field_named,
)
from summarise.merging import merge
from summarise.models import DefenceMeetingReport, MergedReport

from .merge_fixtures import report_a, report_b, report_c


def test_every_list_field_of_the_report_is_registered_in_field_order() -> None:
    lists = [
        name
        for name, info in DefenceMeetingReport.model_fields.items()
        if get_origin(info.annotation) is list
    ]
    assert [f.name for f in REPORT_FIELDS] + [n.name for n in NOTE_FIELDS] == lists


def test_a_reports_notes_are_kept_per_source_and_merge_again() -> None:
    from summarise.models import DroppedItem, ReportWarning

    report = report_a().model_copy(
        update={
            "dropped": [DroppedItem(field="attendees", value="Omega", reason="never named")],
            "warnings": [ReportWarning(kind="instruction", message="addressed to a model")],
        }
    )
    merged = merge([report, report_b()])
    assert [(c.source_id, c.value) for c in merged.dropped] == [(report.source.id, "Omega")]
    assert [c.kind for c in merged.warnings] == ["instruction"]
    assert merge([merged]) == merged


@pytest.mark.parametrize("f", REPORT_FIELDS, ids=lambda f: f.name)
def test_entry_matches_the_models(f: ReportField) -> None:
    assert field_named(f.name) is f
    annotation = DefenceMeetingReport.model_fields[f.name].annotation
    assert get_origin(annotation) is list and get_args(annotation) == (f.item,)
    assert issubclass(f.claim, f.item)
    assert set(f.claim.model_fields) == set(f.item.model_fields) | {"source_id"}
    assert f.text in f.item.model_fields
    assert f.title and f.label


def test_labelled_fields_are_locations_topics_risks() -> None:
    assert LABELLED_FIELDS == (LOCATIONS, TOPICS, RISKS)
    for f in LABELLED_FIELDS:
        (merged_item,) = get_args(MergedReport.model_fields[f.name].annotation)
        assert f.text in merged_item.model_fields  # the merged item is named like its claims


def test_unknown_field() -> None:
    with pytest.raises(KeyError):
        field_named("summary")


def test_the_third_fixture_fills_every_field() -> None:
    report = report_c()
    assert all(f.items(report) for f in REPORT_FIELDS)


@pytest.mark.parametrize("make", [report_a, report_b, report_c])
def test_a_merged_report_keeps_every_item_of_every_field(
    make: Callable[[], DefenceMeetingReport],
) -> None:
    report = make()
    merged = merge([report])
    for f in REPORT_FIELDS:
        kept = {c.model_dump_json() for c in f.claims_in(merged)}
        given = {f.claim_of(i, report.source.id).model_dump_json() for i in f.items(report)}
        assert kept == given, f.name


def test_merging_merged_reports_again_keeps_every_field() -> None:
    a, b, c = report_a(), report_b(), report_c()
    everything = merge([a, b, c])
    assert merge([merge([a, b]), c]) == everything
    assert merge([a, merge([b, c])]) == everything
    assert merge([merge([a]), merge([b]), merge([c])]) == everything
    for f in REPORT_FIELDS:
        assert f.claims_in(everything), f.name


def test_evidence_walks_every_field_in_order() -> None:
    report = report_c()
    expected = [e for f in REPORT_FIELDS for item in f.items(report) for e in item.evidence]
    assert report.evidence() == expected
    assert len(report.evidence()) == 8
