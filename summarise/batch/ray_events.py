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
from collections.abc import Iterator, Sequence
from typing import Any

from ..entities import AliasTable
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

    def _shuffled(
        self, rows: list[dict[str, Any]], key: str, worker: type, args: tuple[Any, ...],
        groups: int,
    ) -> Iterator[dict[str, Any]]:  # fmt: skip
        """`rows` shuffled by `key` on the cluster, each group given to a `worker(*args)`;
        the rows the workers return. At most `groups` workers (default: the cluster's CPUs),
        each asking for half its share of the CPUs, so the shuffle's own actors find room."""
        with ray_cluster() as ray:
            cpus = ray.cluster_resources().get("CPU", 1)
            workers = max(1, min(self.workers or int(cpus), groups))
            dataset = ray.data.from_items(rows, override_num_blocks=workers)
            done = dataset.groupby(key, num_partitions=workers).map_groups(
                worker, fn_constructor_args=args, concurrency=workers,
                num_cpus=cpus / workers / 2, batch_format="numpy",
            )  # fmt: skip
            yield from done.iter_rows()

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
        scored = self._shuffled(rows, "key", _ScoreBlocks, (folder, order), len(order))
        return rank_pairs(  # our own workers' pickles
            pair for row in scored for pair in pickle.loads(row["pairs"])
        )

    def pages(
        self,
        reports: Sequence[DefenceMeetingReport],
        groups: Sequence[EventGroup],
        *,
        aliases: AliasTable | None,
    ) -> list[EventPage]:
        """Each event merged and rendered on the cluster, in `groups` order."""
        from ..events import event_members

        rows = [{"event": group.id, "position": p, "report": r.model_dump_json()}
                for group, members in zip(groups, event_members(reports, groups), strict=True)
                for p, r in enumerate(members)]  # fmt: skip
        if not rows:
            return []
        args = ({g.id: g for g in groups}, aliases)
        merged = self._shuffled(rows, "event", _MergeEvents, args, len(groups))
        pages = {row["event"]: row for row in merged}
        return [
            EventPage(
                EventReport.model_validate_json(pages[g.id]["json"]),
                pages[g.id]["json"],
                pages[g.id]["html"],
                json.loads(pages[g.id]["problems"]),
            )
            for g in groups
        ]
