"""Benchmark batch extraction against a fake server with a fixed latency per request.

Three figures: throughput of `asummarise_many` at several numbers of requests in flight (the
fault server in its own process, answering at most `--server-limit` requests at once); the
toolkit's own cost per article on replayed responses (no network, one in flight); and the
time of a fully cached re-run of a folder (`run_folder`, as a fresh process would do it).
Run from the repository root::

    python -m benchmarks.bench_batch --latency 0.5 --server-limit 32 --levels 1,4,16,64
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
import openai

from summarise.batch import asummarise_many, run_folder
from summarise.config import Config
from summarise.models import Article
from tests.faultserver import TAG, completion, draft_for, fault_server

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "defence", "ministry", "delegation", "officials", "companies", "Moscow", "Delhi", "talks",
    "spare", "parts", "joint", "production", "sanctions", "supply", "components", "engines",
    "helicopters", "radar", "export", "licence", "payment", "rupee", "rouble", "agreement",
    "visit", "minister", "industry", "body", "members", "procurement", "contracts", "officials",
    "said", "sources", "told", "reporters", "meeting", "late", "October", "early", "November",
    "last", "week",
]  # fmt: skip


def article(i: int, rng: random.Random, chars: int = 3000) -> Article:
    """A distinct article of about `chars` characters, tagged for the fault server."""
    sentences = [f"Reference ART-{i:05d} on the meetings."]
    while sum(len(s) + 1 for s in sentences) < chars:
        words = rng.choices(WORDS, k=rng.randint(8, 20))
        sentences.append(" ".join(words).capitalize() + ".")
    return Article(id=f"a{i:05d}", text=" ".join(sentences))


def config_for(url: str) -> Config:
    return Config(base_url=url, model="bench", mode="json_schema", retry_backoff=0, timeout=120)


async def _drain(articles: list[Article], config: Config, concurrency: int, **kw: object) -> int:
    ok = 0
    async for outcome in asummarise_many(articles, config=config, concurrency=concurrency, **kw):  # type: ignore[arg-type]
        ok += outcome.ok
    return ok


def throughput(
    levels: list[int], latency: float, limit: int, rounds: int
) -> list[dict[str, float]]:
    rows = []
    rng = random.Random(0)
    with fault_server(latency, limit) as url:
        config = config_for(url)
        asyncio.run(_drain([article(0, rng)], config, 1))  # warm up: imports, first connection
        for level in levels:
            n = max(rounds * level, 8)
            articles = [article(i, rng) for i in range(n)]
            started = time.perf_counter()
            ok = asyncio.run(_drain(articles, config, level))
            seconds = time.perf_counter() - started
            ideal = min(level, limit) / latency
            rows.append(
                {"in_flight": level, "articles": n, "ok": ok, "seconds": seconds,
                 "per_second": n / seconds, "ideal_per_second": ideal}
            )  # fmt: skip
            print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def overhead(n: int) -> dict[str, float]:
    """Seconds per article with responses replayed in-process: the toolkit's own cost."""
    rng = random.Random(1)
    articles = [article(i, rng) for i in range(n)]
    replies = {
        TAG.search(a.text).group(1): completion(json.dumps(draft_for(a.text)))  # type: ignore[union-attr]
        for a in articles
    }

    def replay(request: httpx2.Request) -> httpx2.Response:
        match = TAG.search(request.content.decode())
        assert match is not None
        return httpx2.Response(200, content=replies[match.group(1)])

    async def run() -> float:
        client = openai.AsyncOpenAI(
            base_url="http://replay.test/v1",
            api_key="sk-bench",
            max_retries=0,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(replay)),
        )
        config = config_for("http://replay.test/v1")
        async for _ in asummarise_many(articles[:5], config=config, client=client):
            pass  # warm up
        started = time.perf_counter()
        async for outcome in asummarise_many(articles, config=config, client=client):
            assert outcome.ok, outcome.error
        seconds = time.perf_counter() - started
        await client.close()
        return seconds

    cpu = time.process_time()
    seconds = asyncio.run(run())
    cpu = time.process_time() - cpu
    return {
        "articles": n,
        "ms_per_article": 1000 * seconds / n,
        "cpu_ms_per_article": 1000 * cpu / n,
    }


def cached_rerun(n: int, concurrency: int) -> dict[str, float]:
    """A first run of `n` articles (fake server, no latency), then a fully cached re-run."""
    rng = random.Random(2)
    with tempfile.TemporaryDirectory() as tmp, fault_server(0.0, None) as url:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        for i in range(n):
            a = article(i, rng)
            (src / f"{a.id}.txt").write_text(a.text, encoding="utf-8")
        first = run_folder(src, out, config=config_for(url), concurrency=concurrency)
        assert first.counts.done == n, first.counts
        script = (
            "import sys, time; t = time.perf_counter()\n"
            "from summarise.batch import run_folder\nfrom summarise.config import Config\n"
            "c = Config(base_url=sys.argv[3], model='bench', mode='json_schema')\n"
            "s = run_folder(sys.argv[1], sys.argv[2], config=c)\n"
            "assert s.counts.cached == int(sys.argv[4]), s.counts\n"
            "print(s.seconds, time.perf_counter() - t)\n"
        )
        env = {**os.environ, "SUMMARISE_CONFIG": str(Path(tmp) / "none.toml")}
        args = [sys.executable, "-c", script, str(src), str(out), url, str(n)]
        started = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        process = time.perf_counter() - started
        inside, in_process = map(float, done.stdout.split())
    return {
        "articles": n,
        "first_run_seconds": first.seconds,
        "rerun_process_seconds": process,
        "rerun_in_process_seconds": in_process,
        "rerun_run_folder_seconds": inside,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="Seconds per request.")
    parser.add_argument("--server-limit", type=int, default=32, help="Requests served at once.")
    parser.add_argument("--levels", default="1,4,16,64", help="Requests in flight to try.")
    parser.add_argument(
        "--rounds", type=int, default=4, help="Articles per level = rounds x level."
    )
    parser.add_argument("--overhead-articles", type=int, default=200)
    parser.add_argument("--cached-articles", type=int, default=1000)
    args = parser.parse_args(argv)

    print(f"# python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    rows = throughput(
        [int(x) for x in args.levels.split(",")], args.latency, args.server_limit, args.rounds
    )
    print(f"\nThroughput (latency {args.latency} s, server limit {args.server_limit}):\n")
    print("| in flight | articles | seconds | articles/s | ideal articles/s | share of ideal |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['in_flight']} | {r['articles']} | {r['seconds']:.2f} | {r['per_second']:.1f} "
            f"| {r['ideal_per_second']:.1f} | {r['per_second'] / r['ideal_per_second']:.0%} |"
        )
    cost = overhead(args.overhead_articles)
    print(
        f"\nToolkit overhead on replayed responses ({cost['articles']} articles, one in flight): "
        f"{cost['ms_per_article']:.1f} ms wall, {cost['cpu_ms_per_article']:.1f} ms CPU per article"
    )
    cached = cached_rerun(args.cached_articles, concurrency=16)
    print(
        f"\nFolder of {cached['articles']} articles: first run {cached['first_run_seconds']:.1f} s "
        f"(no latency, 16 in flight); fully cached re-run {cached['rerun_process_seconds']:.2f} s "
        f"as a new process ({cached['rerun_in_process_seconds']:.2f} s from its first line, "
        f"imports included; run_folder {cached['rerun_run_folder_seconds']:.2f} s)"
    )


if __name__ == "__main__":
    main()
