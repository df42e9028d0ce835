"""What a run writes from its reports: the folder's events, each event's merge and page, the index.

The output folder then holds::

    events.json          the index of the events (`EventIndex`)
    events/<id>.json     each event: why its articles were grouped, and their merge (`EventReport`)
    events/<id>.html     each event's review page
    review.html          the list of events; for a folder of one event, that event's page
    merged.json          the merge of the whole folder, when it is one event (or `one_event`)

Nothing is rewritten when the reports, the overrides and the options are those of the last
merge, and files of events that no longer exist are removed, so that the folder never shows a
stale event.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from .. import __version__
from ..entities import AliasTable
from ..errors import SummariseError
from ..models import DefenceMeetingReport, EventOverrides, MergedReport
from ..models.events import EventGroup, EventReport
from ..output import OutputError, write_json_atomic, write_text_atomic
from .record import RunSummary

__all__ = [
    "EventPage",
    "EventsEngine",
    "EventsWritten",
    "LocalEvents",
    "event_page",
    "write_events",
    "write_outputs",
]

_EVENT_FILE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.(?:json|html)")


def _merge_key(
    out: Path,
    names: Iterable[str],
    options: Iterable[object],
    fingerprint: Callable[[str], bytes] | None = None,
) -> str | None:
    """What the outputs are made of: every report (its file, or the `fingerprint` of it),
    the options, the toolkit version."""
    digest = hashlib.sha256(__version__.encode())
    for option in options:
        text = option.model_dump_json() if isinstance(option, BaseModel) else repr(option)
        digest.update(f"\0{text}".encode())
    try:
        for name in sorted(names):
            path = out / "reports" / f"{name}.json"
            data = fingerprint(name) if fingerprint else path.read_bytes()
            digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    except OSError:
        return None
    return digest.hexdigest()


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OutputError(f"{path}: cannot remove the stale output: {exc}") from exc


def _prune(events_dir: Path, kept: set[str]) -> None:
    """Remove the files of events that no longer exist (only files named as ours)."""
    if not events_dir.is_dir():
        return
    for path in events_dir.iterdir():
        if _EVENT_FILE.fullmatch(path.name) and path.name not in kept and path.is_file():
            _unlink(path)


@dataclass(frozen=True)
class EventsWritten:
    """What `write_events` wrote: how many events, whether `merged.json`, warnings, and the
    provenance problems of the merges (quotes whose spans do not re-read)."""

    event_count: int
    merged: bool
    warnings: list[str]
    problems: list[str]


@dataclass(frozen=True)
class EventPage:
    """One event's files as text: `events/<id>.json`, its review page, and the provenance
    problems of its merge."""

    event: EventReport
    json: str
    html: str
    problems: list[str]


def event_page(event: EventReport) -> EventPage:
    """The files of one merged event (what a worker of a distributed run makes, too)."""
    from ..merging import verify_provenance
    from ..review import render_html

    return EventPage(
        event,
        event.model_dump_json(indent=2) + "\n",
        render_html(event, index_href="../review.html"),
        verify_provenance(event.report),
    )


class EventsEngine(Protocol):
    """Where a run's events are grouped and merged: here (`LocalEvents`) or on a cluster
    (`batch.ray_events`). Every engine gives the same groups and pages."""

    def group(
        self,
        reports: Sequence[DefenceMeetingReport],
        *,
        aliases: AliasTable | None,
        overrides: EventOverrides | None,
    ) -> list[EventGroup]:
        """The events of `reports` (`summarise.events.group_events`)."""
        ...

    def pages(
        self,
        reports: Sequence[DefenceMeetingReport],
        groups: Sequence[EventGroup],
        *,
        aliases: AliasTable | None,
    ) -> list[EventPage]:
        """Each group merged (`summarise.events.merge_events`) as its pages, in `groups` order."""
        ...


class LocalEvents:
    """Events grouped and merged in this process."""

    def group(
        self,
        reports: Sequence[DefenceMeetingReport],
        *,
        aliases: AliasTable | None,
        overrides: EventOverrides | None,
    ) -> list[EventGroup]:
        from ..events import group_events

        return group_events(reports, aliases=aliases, overrides=overrides)

    def pages(
        self,
        reports: Sequence[DefenceMeetingReport],
        groups: Sequence[EventGroup],
        *,
        aliases: AliasTable | None,
    ) -> list[EventPage]:
        from ..events import merge_events

        return [event_page(e) for e in merge_events(reports, groups, aliases=aliases)]


def write_events(
    reports: Sequence[DefenceMeetingReport],
    out: str | Path,
    *,
    aliases: AliasTable | None = None,
    overrides: EventOverrides | None = None,
    engine: EventsEngine | None = None,
) -> EventsWritten:
    """Group reports into events (`summarise.events`) and write them into `out`.

    Writes `events/<id>.json` and `.html` per event, `events.json`, `review.html` (the list of
    events, or the only event's page) and `merged.json` when there is one event; removes the
    files of events that no longer exist, and a `merged.json` once there are several. Override
    entries naming articles that are not among the reports are returned as warnings. The
    grouping and merges run on `engine` (default: here). Raises InputError when the reports
    cannot be grouped, OutputError when a file cannot be written.
    """
    from ..events import event_index, unmatched_overrides
    from ..review import render_events_html, render_html

    out = Path(out)
    engine = engine or LocalEvents()
    groups = engine.group(reports, aliases=aliases, overrides=overrides)
    pages = engine.pages(reports, groups, aliases=aliases)
    kept = set()
    for page in pages:
        name = page.event.event.id
        kept |= {f"{name}.json", f"{name}.html"}
        write_text_atomic(out / "events" / f"{name}.json", page.json)
        write_text_atomic(out / "events" / f"{name}.html", page.html)
    _prune(out / "events", kept)
    write_json_atomic(out / "events.json", event_index(groups))
    events = [page.event for page in pages]
    if len(events) == 1:
        write_json_atomic(out / "merged.json", events[0].report)
        write_text_atomic(out / "review.html", render_html(events[0]))
    else:
        _unlink(out / "merged.json")  # the folder is no longer one event
        write_text_atomic(out / "review.html", render_events_html(events))
    unknown = unmatched_overrides(overrides, groups) if overrides is not None else []
    warnings = (
        [f"the overrides name articles that are not in the folder: {', '.join(unknown)}"]
        if unknown
        else []
    )
    problems = [f"{p.event.event.id}: {problem}" for p in pages for problem in p.problems]
    return EventsWritten(len(events), len(events) == 1, warnings, problems)


def _write_one(out: Path, merged: MergedReport) -> EventsWritten:
    from ..merging import verify_provenance
    from ..review import render_html

    _prune(out / "events", set())
    _unlink(out / "events.json")
    write_json_atomic(out / "merged.json", merged)
    write_text_atomic(out / "review.html", render_html(merged))
    return EventsWritten(1, True, [], verify_provenance(merged))


def write_outputs(
    out: Path,
    reports: dict[str, DefenceMeetingReport],
    summary: RunSummary,
    previous: RunSummary | None,
    *,
    one_event: bool = False,
    overrides: EventOverrides | None = None,
    aliases: AliasTable | None = None,
    fingerprint: Callable[[str], bytes] | None = None,
    engine: EventsEngine | None = None,
) -> None:
    """A run's merge outputs: its events (`write_events`), or with `one_event` the folder
    merged as one report (`merged.json`, `review.html`), as before events.

    Skipped when the last run merged the very same reports with the same options and its
    outputs are still there. A grouping or merge that fails, or a merge with provenance
    problems (a quote whose span does not re-read), is recorded in `summary.error` (exit 1);
    outputs that cannot be written (a full disk) fail the run: status "failed", the reports
    are kept.
    """
    key = _merge_key(out, reports, (one_event, overrides, aliases), fingerprint)
    outputs = ["merged.json", "review.html"] if one_event else ["events.json", "review.html"]
    unchanged = key is not None and previous is not None and previous.merge_key == key
    if unchanged and all((out / name).exists() for name in outputs):
        assert previous is not None
        summary.merged, summary.review, summary.events = (
            previous.merged, previous.review, previous.events
        )  # fmt: skip
        summary.event_count, summary.merge_key = previous.event_count, key
        summary.warnings.extend(previous.warnings)
        return
    ordered = [reports[name] for name in sorted(reports)]
    try:
        if one_event:
            from ..merging import merge

            written = _write_one(out, merge(ordered, aliases=aliases))
        else:
            written = write_events(
                ordered, out, aliases=aliases, overrides=overrides, engine=engine
            )
    except OutputError as exc:
        summary.status = "failed"
        summary.error = f"The reports are written but not their merge: {exc}"
        return
    except SummariseError as exc:
        summary.error = f"merge failed: {exc}"
        return
    summary.review, summary.merge_key = "review.html", key
    summary.merged = "merged.json" if written.merged else None
    summary.events = None if one_event else "events.json"
    summary.event_count = written.event_count
    summary.warnings.extend(written.warnings)
    if written.problems:  # the run's own fresh reports: a quote that does not re-read is a bug
        more = f" (and {len(written.problems) - 1} more)" if len(written.problems) > 1 else ""
        summary.error = f"provenance: {written.problems[0]}{more}"
