"""Event grouping of real extracted reports against the dev set's answer key.

    python benchmarks/bench_events_real.py benchmarks/results/extraction-LABEL/reports

Groups every report in the folder with `group_events`, as `summarise run` does, and scores
the groups pairwise against `benchmarks/devset/events.json` (the two reference articles are
one event), per side of the split: tune (with the reference articles) and held out. Unlike
the gold-fed test, the reports are the model's, so this measures extraction and grouping
together.
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path

from summarise.events import group_events
from summarise.merging import load_reports
from summarise.models import EventGroup

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "benchmarks" / "devset"
REFERENCE = ("india-russia-defence-meetings-a", "india-russia-defence-meetings-b")


def _pairwise(
    groups: list[EventGroup], key: dict[str, str], ids: list[str]
) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of the groups on `ids`; pairs found, in the key, joined."""
    event = {a: g.id for g in groups for a in g.articles}
    same = [(key[a] == key[b], event[a] == event[b]) for a, b in combinations(sorted(ids), 2)]
    found = sum(k and e for k, e in same)
    joined, wanted = sum(e for _, e in same), sum(k for k, _ in same)
    return found / max(joined, 1), found / max(wanted, 1), found, wanted, joined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", type=Path)
    args = parser.parse_args()
    events = json.loads((DEVSET / "events.json").read_text(encoding="utf-8"))["events"]
    split = json.loads((DEVSET / "split.json").read_text(encoding="utf-8"))
    key = {a: e["id"] for e in events for a in e["articles"]}
    key.update(dict.fromkeys(REFERENCE, "reference-moscow-meetings"))
    reports = load_reports(sorted(args.reports.glob("*.json")))
    groups = group_events(reports)
    present = {r.source.id for r in reports}
    sides = {
        "tune + reference": [*split["tune"], *split["reference_extra"], *REFERENCE],
        "held out": split["heldout"],
    }
    print("| side | articles | pairs in the key | pairwise precision | pairwise recall |")
    print("|---|---:|---:|---:|---:|")
    for name, ids in sides.items():
        ids = [a for a in ids if a in present and a in key]
        precision, recall, found, wanted, joined = _pairwise(groups, key, ids)
        shown = f"{precision:.2f}" if joined else "- (nothing joined)"
        print(f"| {name} | {len(ids)} | {wanted} | {shown} | {recall:.2f} ({found}) |")
    print(f"\n{len(reports)} reports, {len(groups)} events")
    for group in groups:
        if len(group.articles) > 1:
            print(f"- {group.title}: {', '.join(group.articles)}")


if __name__ == "__main__":
    main()
