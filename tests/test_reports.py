"""Reading report files: one loader for the merge and the review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarise.errors import InputError
from summarise.merging import merge
from summarise.models import DefenceMeetingReport, MergedReport
from summarise.reports import is_merged_report, load_reports, read_report

from .merge_fixtures import report_a, report_c


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_read_report_reads_either_kind(tmp_path: Path) -> None:
    single = read_report(_write(tmp_path / "a.json", report_a().model_dump_json()))
    assert isinstance(single, DefenceMeetingReport) and single == report_a()
    merged = merge([report_a(), report_c()])
    again = read_report(_write(tmp_path / "m.json", merged.model_dump_json()))
    assert isinstance(again, MergedReport) and again == merged


def test_is_merged_report() -> None:
    assert is_merged_report({"schema_version": "1", "entities": []})
    assert not is_merged_report({"source": {}})
    assert not is_merged_report([{"schema_version": "1", "entities": []}])


def test_invalid_report_lists_three_problems_and_counts_the_rest(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.json", "{}")
    with pytest.raises(InputError) as caught:
        load_reports([path])
    assert str(caught.value) == (
        f"{path}: not a valid report: source: Field required; summary: Field required; "
        "extraction: Field required"
    )
    bad = _write(tmp_path / "bad.json", '{"a": 1, "b": 2}')  # 3 missing, 2 unknown
    with pytest.raises(InputError, match=r"\(and 2 more\)$"):
        load_reports([bad])


def test_a_json_array_is_not_a_report(tmp_path: Path) -> None:
    path = _write(tmp_path / "list.json", "[1]")
    with pytest.raises(InputError, match="not a valid report: report: Input should be"):
        load_reports([path])
    with pytest.raises(InputError, match="expected a report or a merged report"):
        read_report(path)


def test_reports_of_schema_version_1_still_read(tmp_path: Path) -> None:
    data = json.loads(report_a().model_dump_json())
    data["extraction"]["schema_version"] = "1"
    for key in ("dropped", "warnings"):
        data.pop(key)
    for item in data["attendees"]:
        for evidence in item["evidence"]:
            evidence.pop("support", None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    (report,) = load_reports([path])
    assert report.dropped == [] and report.warnings == []
    assert report.attendees


def test_an_unknown_schema_version_is_refused_naming_the_versions_read(tmp_path: Path) -> None:
    data = json.loads(report_a().model_dump_json())
    data["extraction"]["schema_version"] = "7"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"schema version '7'.*reads versions 1, 2"):
        load_reports([path])


@pytest.mark.parametrize("published", [12345, 1.5, "yesterday", "2025-13-01"])
def test_a_bad_date_names_the_file_the_field_and_what_is_expected(
    tmp_path: Path, published: object
) -> None:
    data = json.loads(report_a().model_dump_json())
    data["source"]["published"] = published
    path = _write(tmp_path / "bad-date.json", json.dumps(data))
    with pytest.raises(InputError) as raised:
        load_reports([path])
    assert str(raised.value) == (
        f"{path}: not a valid report: source.published: expected a date written YYYY-MM-DD, "
        f"got {published!r}"
    )


def test_an_event_report_of_another_format_is_refused(tmp_path: Path) -> None:
    from summarise.events import group_events, merge_events

    (event,) = merge_events([report_a()], group_events([report_a()]))
    data = json.loads(event.model_dump_json())
    assert read_report(_write(tmp_path / "e.json", json.dumps(data))) == event
    data["schema_version"] = "9"
    with pytest.raises(InputError, match=r"event report format '9'; .* reads format 1"):
        read_report(_write(tmp_path / "e9.json", json.dumps(data)))
    data["schema_version"], data["report"]["schema_version"] = "1", "0"
    with pytest.raises(InputError, match=r"merged report format '0'"):
        read_report(_write(tmp_path / "e0.json", json.dumps(data)))
