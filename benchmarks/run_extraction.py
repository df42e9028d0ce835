"""Extract articles on the embedded model and write each report: the timed part of a benchmark.

    python benchmarks/run_extraction.py OUT ARTICLE...

Uses only the API every version of the toolkit has (`resolve_config`, `embedded_server`,
`summarise`, `load_article`), so `bench_extraction.py` can run it against an older commit
(from a worktree) and today's code alike. Starts the server once, then prints one JSON line
per article (seconds, tokens, model calls, or the error) and writes OUT/<id>.json.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from summarise.backends import embedded_server
from summarise.config import resolve_config
from summarise.extraction import summarise
from summarise.loading import load_article


def main() -> None:
    out, paths = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with embedded_server(resolve_config()) as live:
        print(json.dumps({"server_startup_seconds": round(time.perf_counter() - started, 1)}))
        for path in paths:
            article = load_article(path)
            t0 = time.perf_counter()
            line: dict[str, object] = {"id": article.id}
            try:
                report = summarise(article, config=live)
            except Exception as exc:  # recorded: a failed article is a figure too
                line["error"] = f"{type(exc).__name__}: {exc}"[:500]
            else:
                (out / f"{article.id}.json").write_text(
                    report.model_dump_json(indent=2) + "\n", encoding="utf-8"
                )
                info = report.extraction
                line.update(
                    attempts=info.attempts,
                    prompt_tokens=info.usage.prompt_tokens,
                    completion_tokens=info.usage.completion_tokens,
                )
            line["seconds"] = round(time.perf_counter() - t0, 1)
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
