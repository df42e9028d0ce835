"""Extraction quality and speed on the embedded model: extract the reference articles, score them.

    python benchmarks/bench_extraction.py --label NAME [--repeat N]

Starts the embedded server once (its start-up is timed apart), extracts every article under
examples/articles/ with `summarise()` as configured, writes the reports to
benchmarks/results/extraction-NAME/ and scores them against ../shared/gold with the same harness
as `summarise eval`. Prints one JSON document (machine, date, command, per-article seconds,
tokens, attempts and scores) and writes it beside the reports as scores.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from summarise.backends import embedded_server
from summarise.config import resolve_config
from summarise.evaluation import eval_table, evaluate
from summarise.extraction import summarise
from summarise.loading import load_article
from summarise.output import write_json_atomic

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ratio(score: Any) -> float | None:
    return score.f1 if score.f1 is not None else score.recall  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--repeat", type=int, default=1, help="Extract each article N times.")
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "gold")
    args = parser.parse_args()

    out = Path.cwd() / "benchmarks" / "results" / f"extraction-{args.label}"
    config = resolve_config()
    articles = sorted((Path.cwd() / "examples" / "articles").glob("*.json"))
    runs: dict[str, list[dict[str, Any]]] = {}
    started = time.perf_counter()
    with embedded_server(config) as live:
        startup = time.perf_counter() - started
        for _ in range(args.repeat):
            for path in articles:
                article = load_article(path)
                t0 = time.perf_counter()
                report = summarise(article, config=live)
                seconds = time.perf_counter() - t0
                write_json_atomic(out / f"{path.stem}.json", report)
                runs.setdefault(path.stem, []).append(
                    {
                        "seconds": round(seconds, 1),
                        "attempts": report.extraction.attempts,
                        **report.extraction.usage.model_dump(),
                    }
                )
                print(f"{path.stem}: {seconds:.1f} s", file=sys.stderr)
    scores = evaluate(args.gold, out)
    Console(stderr=True, width=200).print(eval_table(scores))
    result = {
        "label": args.label,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", *sys.argv]),
        "machine": f"{_cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "model": live.model,
        "server_startup_seconds": round(startup, 1),
        "runs": runs,
        "scores": json.loads(scores.model_dump_json()),
    }
    write_json_atomic(out / "scores.json", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
