"""Extraction quality and speed on the embedded model, per part of the dev set.

    python benchmarks/bench_extraction.py --label NAME [--ref COMMIT] [--sets reference,tune,...]

Runs `benchmarks/run_extraction.py` (today's code, or the code of COMMIT from a temporary
worktree, with this checkout's venv) over the articles of each set, then scores every report
with today's scorer, so that two versions are compared by the same rules. Sets: `reference`
(examples/articles, gold/), `tune`, `heldout`, `reference_extra` (benchmarks/devset),
`hostile-tune`, `hostile-heldout` (benchmarks/hostile). Writes
benchmarks/results/extraction-NAME/ (reports/, runs.jsonl, scores.json) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from summarise.evaluation import Scores, load_gold, score_missing, score_report
from summarise.merging import load_reports

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "benchmarks" / "devset"
HOSTILE = ROOT / "benchmarks" / "hostile"


def _files(folder: Path, ids: list[str]) -> list[Path]:
    found = []
    for stem in ids:
        matches = sorted(folder.glob(f"{stem}.*"))
        if not matches:
            raise SystemExit(f"no article {stem} in {folder}")
        found.append(matches[0])
    return found


def sets() -> dict[str, tuple[list[Path], Path]]:
    """Every set's article files and its gold folder."""
    dev = json.loads((DEVSET / "split.json").read_text(encoding="utf-8"))
    hostile = json.loads((HOSTILE / "split.json").read_text(encoding="utf-8"))
    result = {"reference": (sorted((ROOT / "examples" / "articles").glob("*.json")), ROOT / "gold")}
    for part in ("tune", "heldout", "reference_extra"):
        result[part] = (_files(DEVSET / "articles", dev[part]), DEVSET / "gold")
    for part in ("tune", "heldout"):
        result[f"hostile-{part}"] = (_files(HOSTILE / "articles", hostile[part]), HOSTILE / "gold")
    return result


@contextmanager
def _code(ref: str | None) -> Iterator[Path]:
    """A checkout of `ref` (a temporary worktree), or this one."""
    if ref is None:
        yield ROOT
        return
    with tempfile.TemporaryDirectory(prefix="summarise-bench-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
                       check=True, capture_output=True)  # fmt: skip
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)  # fmt: skip


def _extract(tree: Path, articles: list[Path], out: Path) -> list[dict[str, Any]]:
    runner = ROOT / "benchmarks" / "run_extraction.py"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(runner), str(out), *map(str, articles)]
    lines: list[dict[str, Any]] = []
    with subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = json.loads(raw)
            lines.append(line)
            print(json.dumps(line), file=sys.stderr, flush=True)
    if proc.returncode:
        raise SystemExit(f"run_extraction.py failed with {proc.returncode}")
    return lines


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _row(name: str, scores: Scores, seconds: list[float], failed: int) -> dict[str, Any]:
    return {
        "set": name,
        "articles": len(seconds) + failed,
        "failed": failed,
        "median_s": round(statistics.median(seconds), 1) if seconds else None,
        "max_s": max(seconds) if seconds else None,
        "scores": json.loads(scores.model_dump_json()),
    }


def _table(rows: list[dict[str, Any]]) -> str:
    head = ("| set | articles (failed) | median s | max s | attendees P/R/F1 | stance | "
            "denials P/R/F1 | dates P/R | topics R | risks R | supported | invented dates | "
            "invented attendees |")  # fmt: skip
    lines = [head, "|" + "---|" * 13]
    for row in rows:
        s = row["scores"]
        a, d, t = s["attendees"], s["denials"], s["dates"]

        def prf(x: dict[str, Any]) -> str:
            return f"{_ratio(x['precision'])} / {_ratio(x['recall'])} / {_ratio(x['f1'])}"

        lines.append(
            f"| {row['set']} | {row['articles']} ({row['failed']}) | {row['median_s']} | "
            f"{row['max_s']} | {prf(a)} | {_ratio(s['stance']['accuracy'])} | {prf(d)} | "
            f"{_ratio(t['precision'])} / {_ratio(t['recall'])} | "
            f"{_ratio(s['topics']['recall'])} | {_ratio(s['risks']['recall'])} | "
            f"{_ratio(s['support']['all']['share'])} | {s['support']['invented_dates']} | "
            f"{s['invented_attendees']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--ref", help="Run the extraction of this commit instead of today's.")
    parser.add_argument("--sets", default="reference,tune,heldout")
    args = parser.parse_args()

    available = sets()
    chosen = args.sets.split(",")
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise SystemExit(f"unknown sets {unknown}; known: {sorted(available)}")
    out = ROOT / "benchmarks" / "results" / f"extraction-{args.label}"
    reports = out / "reports"
    with _code(args.ref) as tree:
        lines = _extract(tree, [p for name in chosen for p in available[name][0]], reports)
    by_id = {line["id"]: line for line in lines if "id" in line}
    rows = []
    for name in chosen:
        articles, gold_dir = available[name]
        total, seconds, failed = Scores(), [], 0
        for path in articles:
            gold = load_gold(gold_dir / f"{path.stem}.json")
            line = by_id.get(path.stem, {})
            report_path = reports / f"{path.stem}.json"
            if "error" in line or not report_path.exists():
                failed += 1  # a failed article counts: every gold item of it is missed
                total = total + score_missing(gold, str(line.get("error"))).scores
                continue
            seconds.append(float(line["seconds"]))
            total = total + score_report(load_reports([report_path])[0], gold).scores
        rows.append(_row(name, total, seconds, failed))
    result = {
        "label": args.label,
        "ref": args.ref or "working tree",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", *sys.argv]),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "runs": lines,
        "sets": rows,
    }
    (out / "scores.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "runs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    print(_table(rows))


if __name__ == "__main__":
    main()
