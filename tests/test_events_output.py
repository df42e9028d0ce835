"""A folder of mixed stories written as events: files, index, review pages, CLI, re-runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.batch import write_events
from summarise.cli import app
from summarise.errors import InputError
from summarise.models import DefenceMeetingReport, EventIndex, EventOverrides, EventReport
from summarise.reports import read_events, read_report
from summarise.review import render_markdown

from .event_fixtures import deal_report, ministers_reports, visit_copy_report, visit_report
from .merge_fixtures import A_ID, B_ID, report_a, report_b

runner = CliRunner()
MOSCOW = "india-russia-defence-meetings-a"  # the event's id: its member published first
RIGA, TALLINN = "baltic-ministers-riga", "baltic-ministers-tallinn"


def _folder() -> list[DefenceMeetingReport]:
    stories = [report_a(), report_b(), visit_report(), visit_copy_report(), deal_report()]
    return [*stories, *ministers_reports()]


def _files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def test_a_mixed_folder_is_written_as_one_report_per_event(tmp_path: Path) -> None:
    written = write_events(_folder(), tmp_path)

    index = EventIndex.model_validate_json((tmp_path / "events.json").read_bytes())
    ids = [e.id for e in index.events]
    assert written.event_count == len(ids) == 5 and not written.merged
    assert _files(tmp_path) == {"events.json", "review.html"} | {
        f"events/{i}.{suffix}" for i in ids for suffix in ("json", "html")
    }  # no merged.json: the folder is not one event
    moscow = read_report(tmp_path / "events" / f"{MOSCOW}.json")
    assert isinstance(moscow, EventReport)
    assert moscow.event.articles == sorted([A_ID, B_ID])
    assert [s.id for s in moscow.report.sources] == moscow.event.articles
    assert "Vladimir Putin" not in {e.name for e in moscow.report.entities}
    assert moscow.event.reasons and "putin-visit-new-delhi" in {
        r.event_id for r in moscow.event.related
    }
    assert [e.event.id for e in read_events(tmp_path)] == ids
    assert read_events(tmp_path / "events.json")[0] == read_report(
        tmp_path / "events" / f"{ids[0]}.json"
    )

    page = (tmp_path / "review.html").read_text(encoding="utf-8")
    for line in index.events:  # the list opens each event's page
        assert f'href="events/{line.id}.html"' in page
    event_page = (tmp_path / "events" / f"{MOSCOW}.html").read_text(encoding="utf-8")
    assert (
        'href="../review.html"' in event_page and "Why these articles are one event" in event_page
    )
    assert 'href="putin-visit-new-delhi.html"' in event_page  # a related event, beside it


def test_a_folder_of_one_event_also_gets_merged_json_and_stale_events_go(tmp_path: Path) -> None:
    write_events(_folder(), tmp_path)
    (tmp_path / "events" / "notes.txt").write_text("mine", encoding="utf-8")

    written = write_events([report_a(), report_b()], tmp_path)

    assert written.event_count == 1 and written.merged
    assert _files(tmp_path) == {
        "events.json",
        "review.html",
        "merged.json",
        f"events/{MOSCOW}.json",
        f"events/{MOSCOW}.html",
        "events/notes.txt",  # not ours: kept
    }
    event = read_events(tmp_path)[0]
    assert json.loads((tmp_path / "merged.json").read_bytes()) == json.loads(
        event.report.model_dump_json()
    )
    assert "All events" not in (tmp_path / "review.html").read_text(encoding="utf-8")

    write_events(_folder(), tmp_path)  # several events again: merged.json would be stale
    assert "merged.json" not in _files(tmp_path)


def test_overrides_are_applied_recorded_and_unknown_articles_warned(tmp_path: Path) -> None:
    overrides = EventOverrides(join=[[RIGA, TALLINN]], move={"nowhere-article": RIGA})

    written = write_events(_folder(), tmp_path, overrides=overrides)

    assert written.event_count == 4
    assert written.warnings == [
        "the overrides name articles that are not in the folder: nowhere-article"
    ]
    baltic = next(e for e in read_events(tmp_path) if RIGA in e.event.articles)
    assert baltic.event.articles == [RIGA, TALLINN]
    assert [r.override for r in baltic.event.reasons] == ["join"]


def test_views_of_an_event_say_why_its_articles_are_one(tmp_path: Path) -> None:
    write_events(_folder(), tmp_path)
    moscow = read_events(tmp_path)[[e.event.id for e in read_events(tmp_path)].index(MOSCOW)]

    md = render_markdown(moscow)

    assert md.startswith("# Event: ") and "## Why these articles are one event" in md
    assert "Related event putin-visit-new-delhi" in md


def test_read_events_names_what_is_missing(tmp_path: Path) -> None:
    write_events(_folder(), tmp_path)
    (tmp_path / "events" / f"{MOSCOW}.json").unlink()
    with pytest.raises(InputError, match=f"{MOSCOW}.json: cannot read the report"):
        read_events(tmp_path)
    (tmp_path / "events.json").write_text('{"reports": []}', encoding="utf-8")
    with pytest.raises(InputError, match="not an index of events"):
        read_events(tmp_path)


# --- the command line ----------------------------------------------------------------------


def _report_files(directory: Path) -> list[str]:
    directory.mkdir()
    paths = []
    for report in _folder():
        path = directory / f"{report.source.id}.json"
        path.write_text(report.model_dump_json(), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_merge_events_and_show_lists_the_events_first(tmp_path: Path) -> None:
    paths, out = _report_files(tmp_path / "reports"), tmp_path / "out"
    overrides = tmp_path / "overrides.toml"
    overrides.write_text(f'join = [["{RIGA}", "{TALLINN}"]]\n', encoding="utf-8")

    result = runner.invoke(
        app, ["merge", *paths, "--events", str(out), "--overrides", str(overrides)]
    )
    assert result.exit_code == 0, result.output
    assert "4 events from 7 reports" in result.stdout

    shown = runner.invoke(app, ["show", str(out)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    listing = shown.stdout.index("Events (4)")
    assert listing < shown.stdout.index("Conflicts")  # the list, then each event's report
    assert len(re.findall(r"Event [a-z0-9-]+:", shown.stdout)) == 4
    assert f"Event {MOSCOW}:" in shown.stdout

    one = runner.invoke(app, ["show", str(out / "events.json"), "--event", MOSCOW])
    assert one.exit_code == 0 and "Events (4)" not in one.stdout
    assert f"Event {MOSCOW}:" in one.stdout and "Event baltic" not in one.stdout

    missing = runner.invoke(app, ["show", str(out), "--event", "no-such-event"])
    assert missing.exit_code == 2 and "Events (4)" in missing.stdout
    assert "no event 'no-such-event'" in missing.stderr


def test_merge_refuses_overrides_without_events(tmp_path: Path) -> None:
    paths = _report_files(tmp_path / "reports")
    overrides = tmp_path / "o.json"
    overrides.write_text(json.dumps({"split": [[RIGA, TALLINN]]}), encoding="utf-8")
    result = runner.invoke(app, ["merge", *paths, "--overrides", str(overrides)])
    assert result.exit_code == 2 and "add --events FOLDER" in result.stderr


def _shifted(tmp_path: Path) -> Path:
    """A report one of whose quotes' spans no longer re-reads (edited by hand)."""
    data = json.loads(report_a().model_dump_json())
    evidence = data["attendees"][0]["evidence"][0]
    evidence["start"] += 3
    evidence["end"] += 3
    path = tmp_path / "shifted.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("events", [False, True])
def test_merge_warns_of_provenance_problems_and_strict_fails_on_them(
    tmp_path: Path, events: bool
) -> None:
    where = ["--events", str(tmp_path / "ev")] if events else ["--out", str(tmp_path / "m.json")]
    args = ["merge", str(_shifted(tmp_path)), *where]

    lenient = runner.invoke(app, args)
    assert lenient.exit_code == 0 and "provenance:" in lenient.stderr
    assert "does not re-read" not in lenient.stderr and "reads 'luding" in lenient.stderr

    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 1 and "provenance:" in strict.stderr


def test_a_runs_own_merge_is_strict(tmp_path: Path) -> None:
    from summarise.batch.outputs import write_outputs
    from summarise.batch.record import RunSummary
    from summarise.reports import load_reports

    (shifted,) = load_reports([_shifted(tmp_path)])
    summary = RunSummary.model_validate(
        {"status": "complete", "started": "2026-12-01T00:00:00Z", "input": "in", "output": "out",
         "backend": "b", "model": "m", "mode": "json", "prompt_version": "p", "concurrency": 1}
    )  # fmt: skip
    write_outputs(tmp_path / "out", {"a": shifted, "b": report_b()}, summary, None)
    assert summary.exit_code == 1 and (summary.error or "").startswith(f"provenance: {MOSCOW}: ")
    assert "reads 'luding representatives" in (summary.error or "")
    assert (tmp_path / "out" / "review.html").exists()  # written, for the reviewer to see
