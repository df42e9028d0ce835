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
