"""Grouping and merging a run's events on Ray Data, with the answers of a local run.

Two shuffles, each by a key: the articles' block keys (a party in a week) are grouped so that
each block's candidate pairs are scored on a worker (`summarise.event_pairs.block_scores`), and
the union of the joining pairs makes the events on the driver as `group_events` makes them;
then the reports are grouped by event, and each event is merged and rendered on a worker by the
same `merge_events` and `event_page` a local run uses. The driver writes the files.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence
from typing import Any

from ..entities import AliasTable
from ..errors import InputError
from ..event_keys import Folder, block_keys
from ..event_pairs import ScoredPair, block_scores, blocking_order, rank_pairs
from ..models import DefenceMeetingReport, EventOverrides
from ..models.events import EventGroup, EventReport
from .outputs import EventPage, event_page
from .ray_cluster import ray_cluster

__all__ = ["RayEvents"]


class _ScoreBlocks:
    """A worker that scores the candidate pairs of each block it is given."""

    def __init__(self, folder: Folder, order: list[int]) -> None:
        self.folder, self.order = folder, order

    def __call__(self, block: dict[str, Any]) -> dict[str, list[bytes]]:
        members = sorted(int(p) for p in block["position"])
        return {"pairs": [pickle.dumps(block_scores(self.folder, self.order, members))]}


class _MergeEvents:
    """A worker that merges each event it is given and renders its pages."""

    def __init__(self, groups: dict[str, EventGroup], aliases: AliasTable | None) -> None:
        self.groups, self.aliases = groups, aliases

    def __call__(self, rows: dict[str, Any]) -> dict[str, list[str]]:
        from ..events import merge_events

        ordered = sorted(zip(rows["position"], rows["report"], strict=True))
        reports = [DefenceMeetingReport.model_validate_json(r) for _, r in ordered]
        group = self.groups[str(rows["event"][0])]
        page = event_page(merge_events(reports, [group], aliases=self.aliases)[0])
        return {"event": [group.id], "json": [page.json], "html": [page.html],
                "problems": [json.dumps(page.problems)]}  # fmt: skip


class RayEvents:
    """An `EventsEngine` on Ray Data: `workers` actors per stage (default: the cluster's
    CPUs). Joins the run's cluster, or starts one for the call."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def _size(self, ray: Any, items: int) -> tuple[int, float]:
        """How many workers for `items` groups, and the CPUs each asks for: half of the
        cluster's share, so that the shuffle's own actors find room beside them."""
        cpus = ray.cluster_resources().get("CPU", 1)
        workers = max(1, min(self.workers or int(cpus), items))
        return workers, cpus / workers / 2

    def group(
        self,
        reports: Sequence[DefenceMeetingReport],
        *,
        aliases: AliasTable | None,
        overrides: EventOverrides | None,
    ) -> list[EventGroup]:
        """The events of `reports`, as `group_events` finds them, pairs scored on the cluster."""
        from ..events import group_events

        return group_events(reports, aliases=aliases, overrides=overrides, scorer=self._score)

    def _score(self, folder: Folder) -> list[ScoredPair]:
        order = blocking_order(folder)
        rows = [{"key": key, "position": position}
                for position, i in enumerate(order)
                for key in sorted(block_keys(folder.articles[i]))]  # fmt: skip
        if not rows:
            return []
        with ray_cluster() as ray:
            workers, each = self._size(ray, len(order))
            dataset = ray.data.from_items(rows, override_num_blocks=workers)
            blocks = dataset.groupby("key", num_partitions=workers)
            scored = blocks.map_groups(
                _ScoreBlocks, fn_constructor_args=(folder, order), concurrency=workers,
                num_cpus=each, batch_format="numpy",
            )  # fmt: skip
            return rank_pairs(
                pair for row in scored.iter_rows() for pair in pickle.loads(row["pairs"])
            )  # our own workers' pickles

    def pages(
        self,
        reports: Sequence[DefenceMeetingReport],
        groups: Sequence[EventGroup],
        *,
        aliases: AliasTable | None,
    ) -> list[EventPage]:
        """Each event merged and rendered on the cluster, in `groups` order."""
        by_id: dict[str, list[DefenceMeetingReport]] = {}
        for report in reports:
            by_id.setdefault(report.source.id, []).append(report)
        rows = []
        for group in groups:
            members = [r for a in group.articles for r in by_id.get(a, [])]
            missing = [a for a in group.articles if a not in by_id]
            if missing:
                raise InputError(f"event {group.id}: no report for {', '.join(missing)}")
            rows += [{"event": group.id, "position": p, "report": r.model_dump_json()}
                     for p, r in enumerate(members)]  # fmt: skip
        if not rows:
            return []
        with ray_cluster() as ray:
            workers, each = self._size(ray, len(groups))
            dataset = ray.data.from_items(rows, override_num_blocks=workers)
            events = dataset.groupby("event", num_partitions=workers)
            merged = events.map_groups(
                _MergeEvents, fn_constructor_args=({g.id: g for g in groups}, aliases),
                concurrency=workers, num_cpus=each, batch_format="numpy",
            )  # fmt: skip
            pages = {row["event"]: row for row in merged.iter_rows()}
        return [
            EventPage(
                EventReport.model_validate_json(pages[g.id]["json"]),
                pages[g.id]["json"],
                pages[g.id]["html"],
                json.loads(pages[g.id]["problems"]),
            )
            for g in groups
        ]
