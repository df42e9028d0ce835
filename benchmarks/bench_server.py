"""Measure an embedded model server on the toolkit's real extraction workload.

Starts one server command on a free loopback port, waits for it (start-up time), sends the
toolkit's own prompts (rendered from article files, with the pass's JSON schema as the grammar)
and prints JSON figures: wall time, prompt and generated tokens, the server's own timings,
resident memory and CPU time. One server per run; run one at a time on a shared machine.

Server kinds:

* ``toolkit``: the command `summarise.backends.embedded._server_command` builds today
  (llama-cpp-python's server), plus ``--verbose true`` so it logs its timings;
* ``llama-cpp-python``: ``python -m llama_cpp.server`` with the model, port and context;
* ``llama-server``: llama.cpp's own server binary (``--binary``).

Anything after ``--`` is appended to the server command. Scenarios (``--scenarios``):

* ``single``: each prompt alone with nothing cached, with and without the grammar;
* ``prefix``: both passes of each article back to back (the second shares the article prefix);
* ``concurrent``: N article workers at once (each runs its passes in order, as the toolkit
  does), for each N in ``--levels``;
* ``cancel``: a request abandoned by the client (non-streaming, then streaming): the server's
  CPU use after the disconnect and how long a probe request then waits;
* ``grammar``: whether the schema grammar lets a string hold a raw control character, and
  whether ``maxLength`` / ``minItems`` / ``maxItems`` hold;
* ``idle``: nothing (start-up time and memory only).

Run from the repository root, e.g.::

    python -m benchmarks.bench_server toolkit --scenarios single,prefix
    python -m benchmarks.bench_server llama-server --binary /tmp/lcp/build/bin/llama-server \\
        --scenarios single,concurrent --levels 1,2,4 -- -np 4 -c 16384
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import functools
import hashlib
import json
import os
import platform
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx2

from summarise.config import EMBEDDED_MODEL_ALIAS, Config

ROOT = Path(__file__).resolve().parents[1]
Kind = Literal["toolkit", "llama-cpp-python", "llama-server"]
KINDS: tuple[Kind, ...] = ("toolkit", "llama-cpp-python", "llama-server")
SCENARIOS = ("single", "prefix", "concurrent", "cancel", "grammar", "idle")
DEFAULT_ARTICLES = ("examples/articles/*.json",)
_CLK_TCK = os.sysconf("SC_CLK_TCK")

# llama.cpp's perf log (llama-cpp-python prints it with --verbose true after each call)
_PROMPT_EVAL = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
_EVAL = re.compile(r"(?<!prompt )eval time =\s*([\d.]+) ms /\s*(\d+) runs")
_PREFIX_HIT = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt")
_FULL_HIT = "full prompt already cached"


# ---------------------------------------------------------------------------------------------
# Workload


@dataclass(frozen=True)
class Job:
    """One extraction request: a pass over an article."""

    article: str
    pass_name: str
    messages: list[dict[str, str]]
    schema_name: str
    schema: dict[str, Any]


def article_paths(patterns: Sequence[str]) -> list[Path]:
    """The article files the patterns name (globs relative to the repository root)."""
    paths: list[Path] = []
    for pattern in patterns:
        given = Path(pattern)
        base = Path(given.anchor) if given.is_absolute() else ROOT
        found = sorted(
            base.glob(str(given.relative_to(given.anchor)) if given.is_absolute() else pattern)
        )
        if not found:
            raise SystemExit(f"no article matches {pattern!r}")
        paths.extend(found)
    return list(dict.fromkeys(paths))


def toolkit_passes() -> list[tuple[str, Any]]:
    """The toolkit's passes as (prompt name, draft model), whatever shape `PASSES` has."""
    from summarise.extraction import drafts

    passes: Sequence[Any] = drafts.PASSES
    return [(p[0], p[1]) if isinstance(p, tuple) else (p.name, p.draft) for p in passes]


def render_workload(paths: Sequence[Path]) -> dict[str, Any]:
    """Per article, every pass's messages and schema, rendered by the toolkit itself."""
    from summarise.loading import load_article
    from summarise.prompts import load_prompt

    passes = toolkit_passes()
    articles = []
    for path in paths:
        article = load_article(path)
        jobs = [
            {
                "pass": name,
                "messages": load_prompt(name).render(
                    text=article.text, published=article.published
                ),
                "schema_name": model.__name__,
                "schema": model.model_json_schema(),
            }
            for name, model in passes
        ]
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        articles.append(
            {"id": article.id, "path": str(shown), "sha256_16": file_digest(path), "jobs": jobs}
        )
    versions = {name: load_prompt(name).version for name, _ in passes}
    return {"toolkit": toolkit_revision(), "prompt_versions": versions, "articles": articles}


def toolkit_revision() -> str:
    """Where the rendering toolkit came from: its checkout's commit ("+dirty" if changed)."""
    import summarise

    where = Path(summarise.__file__).resolve().parents[1]
    git = ["git", "-C", str(where)]
    try:
        head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "summarise", "prompts"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return f"unknown ({where})"
    if head.returncode != 0 or not head.stdout.strip():
        return f"not a git checkout ({where})"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def jobs_of(workload: dict[str, Any], passes: Sequence[str] | None) -> list[list[Job]]:
    """The workload's jobs per article, keeping only the named passes (all if None)."""
    return [
        [
            Job(article["id"], job["pass"], job["messages"], job["schema_name"], job["schema"])
            for job in article["jobs"]
            if passes is None or job["pass"] in passes
        ]
        for article in workload["articles"]
    ]


def file_digest(path: Path) -> str:
    """The first 16 hex digits of a file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# The server process


def _die_with_parent() -> None:
    """In the server's process: get SIGKILL when the benchmark dies (Linux only)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(
    kind: Kind, *, model: Path, port: int, ctx: int, binary: str, extra: Sequence[str]
) -> list[str]:
    """The command that starts a server of this kind on 127.0.0.1:port."""
    if kind == "toolkit":
        from summarise.backends.embedded import _server_command

        base = _server_command(Config(context_tokens=ctx, model_path=model), model, port)
        return [*base, "--verbose", "true", *extra]
    if kind == "llama-cpp-python":
        return [
            sys.executable, "-m", "llama_cpp.server", "--model", str(model),
            "--model_alias", EMBEDDED_MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(ctx), "--verbose", "true", *extra,
        ]  # fmt: skip
    return [
        binary, "-m", str(model), "--alias", EMBEDDED_MODEL_ALIAS, "--host", "127.0.0.1",
        "--port", str(port), "-c", str(ctx), "--no-webui", *extra,
    ]  # fmt: skip


def proc_status(pid: int) -> dict[str, int]:
    """Memory figures of a process from /proc, in MiB (VmRSS, RssAnon, RssFile, VmHWM)."""
    wanted = {"VmRSS", "RssAnon", "RssFile", "VmHWM"}
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in wanted:
                out[key + "_MiB"] = int(value.split()[0]) // 1024
    return out


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def system_busy_seconds() -> float:
    """CPU seconds spent busy by the whole machine since boot (all cores, from /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _CLK_TCK


class Server:
    """One server process with its log in a temporary file."""

    def __init__(
        self, kind: Kind, command: list[str], port: int, log: Path, *, compact_grammar: bool
    ) -> None:
        self.kind = kind
        self.compact_grammar = compact_grammar
        self.command = command
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float) -> float:
        """Start the process; return the seconds until /v1/models answers 200."""
        started = time.monotonic()
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                self.command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        with httpx2.Client(timeout=2.0) as http:
            while time.monotonic() - started < timeout:
                if self.proc.poll() is not None:
                    raise SystemExit(f"server exited ({self.proc.returncode}):\n{self.tail()}")
                with contextlib.suppress(httpx2.HTTPError):
                    if http.get(self.base + "/v1/models").status_code == 200:
                        return time.monotonic() - started
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"server not ready within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        """Terminate the process (then kill it if it lingers)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_size(self) -> int:
        """Bytes written to the log so far."""
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        """The log written after `offset`."""
        with self.log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", errors="replace")

    def tail(self, chars: int = 3000) -> str:
        """The end of the log."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def wait_until_quiet(server: Server, max_wait: float, threshold: float = 0.25) -> float:
    """Wait (up to `max_wait` s) until other processes use under `threshold` cores for 2 s.

    The machine is shared: this keeps someone's test suite out of a measurement. Returns the
    seconds waited.
    """
    started = time.monotonic()
    while time.monotonic() - started < max_wait:
        busy0, server0 = system_busy_seconds(), cpu_seconds(server.pid)
        time.sleep(2.0)
        other = system_busy_seconds() - busy0 - (cpu_seconds(server.pid) - server0)
        if other / 2.0 < threshold:
            break
    waited = time.monotonic() - started - 2.0
    if waited > 1:
        print(f"  waited {waited:.0f} s for other processes to finish", file=sys.stderr)
    return max(waited, 0.0)


def measured(
    server: Server, opt: Settings, run: Callable[[], list[Sample]], discarded: list[Sample]
) -> list[Sample]:
    """Run one measurement; redo it if another process competed for the CPU meanwhile.

    Redone samples are kept in `discarded`; after `opt.retries` redos the last try stands.
    """
    for attempt in range(opt.retries + 1):
        wait_until_quiet(server, opt.quiet_wait)
        samples = run()
        noisy = [s for s in samples if (s.other_cpu_cores or 0.0) > opt.max_other]
        if not noisy or attempt == opt.retries:
            return samples
        print(f"  redo: other processes used {noisy[0].other_cpu_cores} cores", file=sys.stderr)
        discarded.extend(samples)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def running(server: Server, timeout: float) -> Iterator[float]:
    """Run the server for the block; yield its start-up time."""
    try:
        yield server.start(timeout)
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# Requests


@dataclass
class Sample:
    """One request's figures. Server timings are None where the server does not report them."""

    label: str
    wall_s: float
    status: int = 0
    error: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    evaluated_prompt_tokens: int | None = None
    cached_prompt_tokens: int | None = None
    prompt_ms: float | None = None
    prompt_tps: float | None = None
    gen_tokens: int | None = None
    gen_ms: float | None = None
    gen_tps: float | None = None
    gen_tps_effective: float | None = None
    other_cpu_cores: float | None = None
    draft_tokens: int | None = None
    draft_accepted: int | None = None
    json_valid: bool | None = None
    schema_valid: bool | None = None
    content_sha: str | None = None
    content: str | None = None
    started_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


# llama.cpp's own string character rule (no raw control characters), for `compact_gbnf`
_STRICT_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" [0-9a-fA-F]{4})'


@functools.cache
def compact_gbnf(schema_json: str) -> str:
    """A GBNF grammar for the schema without the optional newlines and indentation.

    llama.cpp's converter lets whitespace between JSON tokens hold up to two newlines and 20
    spaces, and small models use it (pretty-printed output costs tokens). This takes
    llama-cpp-python's converter (whose `space` is one optional blank) and swaps in llama.cpp's
    strict string character rule; llama-server accepts the result as `grammar`.
    """
    from llama_cpp import llama_grammar

    gbnf: str = llama_grammar.json_schema_to_gbnf(schema_json)
    lines = [_STRICT_CHAR if line.startswith("char ::=") else line for line in gbnf.splitlines()]
    return "\n".join(lines) + "\n"


def response_format(kind: Kind, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as each server wants it (llama-cpp-python rejects the `json_schema` type)."""
    if kind == "llama-server":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
    return {"type": "json_object", "schema": schema}


def chat_body(
    server: Server,
    messages: list[dict[str, str]],
    *,
    max_tokens: int,
    schema: tuple[str, dict[str, Any]] | None,
    cache: bool = True,
    stream: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A chat completion request; `cache=False` asks llama-server not to reuse a cached prefix."""
    body: dict[str, Any] = {
        "model": EMBEDDED_MODEL_ALIAS,
        "messages": messages,
        "temperature": 0,
        "max_tokens": max_tokens,
        "stream": stream,
    }
    if schema is not None and server.compact_grammar:
        body["grammar"] = compact_gbnf(json.dumps(schema[1]))
    elif schema is not None:
        body["response_format"] = response_format(server.kind, *schema)
    if server.kind == "llama-server":
        body["cache_prompt"] = cache
        if stream:
            body["stream_options"] = {"include_usage": True}
    return body | (extra or {})


def _log_timings(sample: Sample, log: str) -> None:
    """Fill the server timings from llama-cpp-python's verbose log of one request."""
    prompt = _PROMPT_EVAL.findall(log)
    gen = _EVAL.findall(log)
    if prompt:
        ms, n = float(prompt[-1][0]), int(prompt[-1][1])
        sample.prompt_ms, sample.evaluated_prompt_tokens = ms, n
        sample.prompt_tps = n / ms * 1000 if ms > 0 else None
    if gen:
        ms, n = float(gen[-1][0]), int(gen[-1][1])
        sample.gen_ms, sample.gen_tokens = ms, n
        sample.gen_tps = n / ms * 1000 if ms > 0 else None
    hit = _PREFIX_HIT.findall(log)
    if hit:
        sample.cached_prompt_tokens = int(hit[-1][0])
    elif _FULL_HIT in log:
        sample.cached_prompt_tokens = sample.prompt_tokens
    elif prompt:
        sample.cached_prompt_tokens = 0


def _fill_from_response(
    sample: Sample, data: dict[str, Any], schema: dict[str, Any] | None
) -> None:
    usage = data.get("usage") or {}
    sample.prompt_tokens = usage.get("prompt_tokens")
    sample.completion_tokens = usage.get("completion_tokens")
    choices = data.get("choices") or [{}]
    sample.finish_reason = choices[0].get("finish_reason")
    content = (choices[0].get("message") or {}).get("content") or ""
    check_content(sample, content, schema)
    timings = data.get("timings")
    if isinstance(timings, dict):
        sample.evaluated_prompt_tokens = timings.get("prompt_n")
        sample.cached_prompt_tokens = timings.get("cache_n")
        sample.prompt_ms = timings.get("prompt_ms")
        sample.prompt_tps = timings.get("prompt_per_second")
        sample.gen_tokens = timings.get("predicted_n")
        sample.gen_ms = timings.get("predicted_ms")
        sample.gen_tps = timings.get("predicted_per_second")
        sample.draft_tokens = timings.get("draft_n")
        sample.draft_accepted = timings.get("draft_n_accepted")


def check_content(sample: Sample, content: str, schema: dict[str, Any] | None) -> None:
    """Record the output's hash, whether it is strict JSON and has the schema's required keys."""
    sample.content = content
    sample.content_sha = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    try:
        value = json.loads(content)
        sample.json_valid = True
    except ValueError:
        sample.json_valid = False
        value = None
    if schema is not None:
        required = set(schema.get("required", []))
        sample.schema_valid = isinstance(value, dict) and required <= set(value)


def send(
    http: httpx2.Client,
    server: Server,
    body: dict[str, Any],
    label: str,
    *,
    schema: dict[str, Any] | None = None,
    read_log: bool = True,
    t0: float | None = None,
) -> Sample:
    """POST one non-streaming chat completion and measure it."""
    offset = server.log_size()
    busy0, server0 = system_busy_seconds(), cpu_seconds(server.pid)
    started = time.monotonic()
    sample = Sample(label=label, wall_s=0.0, started_s=started - (t0 or started))
    try:
        response = http.post(server.base + "/v1/chat/completions", json=body)
        sample.wall_s = time.monotonic() - started
        other = system_busy_seconds() - busy0 - (cpu_seconds(server.pid) - server0)
        sample.other_cpu_cores = round(max(other, 0.0) / sample.wall_s, 2)
        sample.status = response.status_code
        if response.status_code != 200:
            sample.error = response.text[:500]
            return sample
        _fill_from_response(sample, response.json(), schema)
    except httpx2.HTTPError as exc:
        sample.wall_s = time.monotonic() - started
        sample.error = f"{type(exc).__name__}: {exc}"
        return sample
    if server.kind != "llama-server" and read_log:
        time.sleep(0.05)  # the perf lines are written just before the response
        _log_timings(sample, server.log_since(offset))
    if sample.completion_tokens and sample.prompt_ms is not None:
        # generation as the client sees it: everything after prompt evaluation (sampling and
        # grammar included, which llama.cpp's "eval time" leaves out)
        rest = sample.wall_s - sample.prompt_ms / 1000
        sample.gen_tps_effective = round(sample.completion_tokens / rest, 2) if rest > 0 else None
    return sample


def flush(http: httpx2.Client, server: Server) -> None:
    """Make the next request start cold: llama-cpp-python keeps only the last prompt's KV."""
    if server.kind == "llama-server":
        return  # requests say cache_prompt=false instead
    body = chat_body(server, [{"role": "user", "content": "Say OK."}], max_tokens=1, schema=None)
    send(http, server, body, "flush", read_log=False)


# ---------------------------------------------------------------------------------------------
# Scenarios


def stats(values: Sequence[float | int | None]) -> dict[str, float] | None:
    """n, median, min, max and mean of the values that are present."""
    xs = [float(v) for v in values if v is not None]
    if not xs:
        return None
    return {
        "n": len(xs),
        "median": round(statistics.median(xs), 3),
        "min": round(min(xs), 3),
        "max": round(max(xs), 3),
        "mean": round(statistics.fmean(xs), 3),
    }


def summarise_samples(samples: Sequence[Sample]) -> dict[str, Any]:
    """Spread of the main figures over samples."""
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if s.error),
        "wall_s": stats([s.wall_s for s in samples]),
        "prompt_tokens": stats([s.prompt_tokens for s in samples]),
        "evaluated_prompt_tokens": stats([s.evaluated_prompt_tokens for s in samples]),
        "prompt_tps": stats([s.prompt_tps for s in samples]),
        "completion_tokens": stats([s.completion_tokens for s in samples]),
        "gen_tps": stats([s.gen_tps for s in samples]),
        "gen_tps_effective": stats([s.gen_tps_effective for s in samples]),
        "other_cpu_cores": stats([s.other_cpu_cores for s in samples]),
        "json_valid": sum(1 for s in samples if s.json_valid),
        "schema_valid": sum(1 for s in samples if s.schema_valid),
        "finish_reasons": sorted({s.finish_reason or "" for s in samples}),
    }


@dataclass
class Settings:
    """What the scenarios need from the command line."""

    max_tokens: int
    repeats: int
    levels: list[int]
    grammar: list[bool]
    cancel_after: float
    observe: float
    timeout: float
    keep_content: bool
    quiet_wait: float
    max_other: float
    retries: int


def scenario_single(server: Server, articles: list[list[Job]], opt: Settings) -> dict[str, Any]:
    """Each prompt alone, nothing cached; with and without the grammar."""
    out: dict[str, Any] = {}
    with httpx2.Client(timeout=opt.timeout) as http:
        for grammar in opt.grammar:
            samples: list[Sample] = []
            discarded: list[Sample] = []
            for rep in range(opt.repeats):
                for jobs in articles:
                    for job in jobs:

                        def one(
                            job: Job = job, rep: int = rep, grammar: bool = grammar
                        ) -> list[Sample]:
                            flush(http, server)
                            schema = (job.schema_name, job.schema) if grammar else None
                            body = chat_body(
                                server,
                                job.messages,
                                max_tokens=opt.max_tokens,
                                schema=schema,
                                cache=False,
                            )
                            label = f"{job.article}/{job.pass_name}/r{rep}"
                            sample = send(http, server, body, label, schema=job.schema)
                            log_progress(sample)
                            return [sample]

                        samples.extend(measured(server, opt, one, discarded))
            out["grammar" if grammar else "no_grammar"] = {
                "summary": summarise_samples(samples),
                "identical_across_repeats": identical_across_repeats(samples),
                "samples": samples,
                "discarded_noisy": discarded,
            }
    return out


def identical_across_repeats(samples: Sequence[Sample]) -> bool:
    """Whether every prompt gave the same output in every repeat."""
    seen: dict[str, set[str | None]] = {}
    for s in samples:
        seen.setdefault(s.label.rsplit("/r", 1)[0], set()).add(s.content_sha)
    return all(len(v) == 1 for v in seen.values())


def scenario_prefix(server: Server, articles: list[list[Job]], opt: Settings) -> dict[str, Any]:
    """Both passes of an article back to back: is the article prefix evaluated once?"""
    cold: list[Sample] = []
    warm: list[Sample] = []
    discarded: list[Sample] = []
    with httpx2.Client(timeout=opt.timeout) as http:
        for rep in range(opt.repeats):
            for jobs in articles:

                def both(jobs: list[Job] = jobs, rep: int = rep) -> list[Sample]:
                    flush(http, server)
                    samples = []
                    for i, job in enumerate(jobs):
                        body = chat_body(
                            server,
                            job.messages,
                            max_tokens=opt.max_tokens,
                            schema=(job.schema_name, job.schema),
                            cache=i > 0,
                        )
                        label = f"{job.article}/{job.pass_name}/r{rep}"
                        samples.append(send(http, server, body, label, schema=job.schema))
                        log_progress(samples[-1])
                    return samples

                first, *later = measured(server, opt, both, discarded)
                cold.append(first)
                warm.extend(later)
    return {
        "first_pass": {"summary": summarise_samples(cold), "samples": cold},
        "later_passes": {
            "summary": summarise_samples(warm),
            "cached_prompt_tokens": stats([s.cached_prompt_tokens for s in warm]),
            "samples": warm,
        },
        "discarded_noisy": discarded,
    }


def scenario_concurrent(server: Server, articles: list[list[Job]], opt: Settings) -> dict[str, Any]:
    """N article workers at once, each running its article's passes in order."""
    out: dict[str, Any] = {}
    for level in opt.levels:
        runs: list[dict[str, Any]] = []
        discarded: list[dict[str, Any]] = []
        for rep in range(opt.repeats):
            for attempt in range(opt.retries + 1):
                wait_until_quiet(server, opt.quiet_wait)
                run = run_level(server, articles, level, rep, opt)
                if run["other_cpu_cores"] <= opt.max_other or attempt == opt.retries:
                    break
                print(f"  redo: others used {run['other_cpu_cores']} cores", file=sys.stderr)
                discarded.append(run)
            runs.append(run)
            print(
                f"  N={level} r{rep}: {runs[-1]['articles_per_min']:.2f} articles/min",
                file=sys.stderr,
            )
        out[f"N={level}"] = {
            "articles_per_min": stats([r["articles_per_min"] for r in runs]),
            "wall_s": stats([r["wall_s"] for r in runs]),
            "request_latency_s": stats([s.wall_s for r in runs for s in r["samples"]]),
            "article_latency_s": stats([a for r in runs for a in r["article_latency_s"]]),
            "gen_tokens_per_s_total": stats([r["gen_tokens_per_s_total"] for r in runs]),
            "runs": runs,
            "discarded_noisy": discarded,
        }
    return out


def run_level(
    server: Server, articles: list[list[Job]], level: int, rep: int, opt: Settings
) -> dict[str, Any]:
    """Process every article with `level` workers; the first pass of each article is cold."""
    samples: list[Sample] = []
    article_latency: list[float] = []
    lock = threading.Lock()
    busy0, server0 = system_busy_seconds(), cpu_seconds(server.pid)
    t0 = time.monotonic()

    def work(jobs: list[Job]) -> None:
        start = time.monotonic()
        with httpx2.Client(timeout=opt.timeout) as http:
            for i, job in enumerate(jobs):
                body = chat_body(
                    server,
                    job.messages,
                    max_tokens=opt.max_tokens,
                    schema=(job.schema_name, job.schema),
                    cache=i > 0,
                )
                label = f"{job.article}/{job.pass_name}/r{rep}"
                sample = send(http, server, body, label, schema=job.schema, read_log=False, t0=t0)
                with lock:
                    samples.append(sample)
        with lock:
            article_latency.append(time.monotonic() - start)

    with ThreadPoolExecutor(max_workers=level) as pool:
        list(pool.map(work, articles))
    wall = time.monotonic() - t0
    server_cpu = cpu_seconds(server.pid) - server0
    other = system_busy_seconds() - busy0 - server_cpu
    completion = sum(s.completion_tokens or 0 for s in samples)
    return {
        "level": level,
        "wall_s": round(wall, 3),
        "server_cpu_cores": round(server_cpu / wall, 2),
        "other_cpu_cores": round(max(other, 0.0) / wall, 2),
        "articles": len(articles),
        "articles_per_min": len(articles) / wall * 60,
        "gen_tokens_per_s_total": completion / wall,
        "article_latency_s": [round(a, 3) for a in article_latency],
        "errors": sum(1 for s in samples if s.error),
        "samples": samples,
    }


def scenario_cancel(server: Server, articles: list[list[Job]], opt: Settings) -> dict[str, Any]:
    """Abandon a long request; does the server stop working on it?"""
    job = articles[0][0]
    probe = chat_body(server, [{"role": "user", "content": "Say OK."}], max_tokens=4, schema=None)
    out: dict[str, Any] = {}
    with httpx2.Client(timeout=opt.timeout) as http:
        send(http, server, probe, "warm-up", read_log=False)
        for stream in (False, True):
            flush(http, server)
            body = chat_body(
                server,
                job.messages,
                max_tokens=opt.max_tokens,
                schema=(job.schema_name, job.schema),
                cache=False,
                stream=stream,
            )
            wait_until_quiet(server, opt.quiet_wait)
            offset = server.log_size()
            abandoned = abandon(server, body, stream, opt.cancel_after)
            cpu0 = cpu_seconds(server.pid)
            time.sleep(opt.observe)
            busy = (cpu_seconds(server.pid) - cpu0) / opt.observe
            sample = send(http, server, probe, "probe", read_log=False)
            time.sleep(0.2)
            log = server.log_since(offset)
            out["streaming" if stream else "non_streaming"] = {
                "abandoned_after_s": opt.cancel_after,
                "client": abandoned,
                "server_cpu_cores_busy_after_disconnect": round(busy, 2),
                "observed_s": opt.observe,
                "probe_wall_s": round(sample.wall_s, 3),
                "probe_error": sample.error,
                "log_lines": interesting_lines(log),
            }
            note = f"busy={busy:.2f} cores, probe {sample.wall_s:.1f} s"
            print(f"  cancel stream={stream}: {note}", file=sys.stderr)
    return out


def abandon(server: Server, body: dict[str, Any], stream: bool, after: float) -> dict[str, Any]:
    """Send the request and drop the connection `after` seconds later."""
    info: dict[str, Any] = {"stream": stream}
    started = time.monotonic()
    url = server.base + "/v1/chat/completions"
    with httpx2.Client(timeout=httpx2.Timeout(after, connect=5.0)) as http:
        try:
            if not stream:
                http.post(url, json=body)
                info["outcome"] = "completed before the deadline"
            else:
                chunks = 0
                with http.stream("POST", url, json=body) as response:
                    for _line in response.iter_lines():
                        chunks += 1
                        if time.monotonic() - started > after:
                            break
                info["chunks_read"] = chunks
                info["outcome"] = "closed the stream"
        except httpx2.TimeoutException:
            info["outcome"] = "client timeout, connection closed"
    info["disconnected_at_s"] = round(time.monotonic() - started, 3)
    return info


def interesting_lines(log: str, limit: int = 40) -> list[str]:
    """Log lines about requests, cancellation and timings."""
    keys = ("cancel", "disconnect", "stop", "release", "eval time", "prompt done", "closed",
            "print_timing", "total time", "task", "Disconnected")  # fmt: skip
    lines = [line.strip() for line in log.splitlines() if any(k in line for k in keys)]
    return lines[-limit:]


def token_id(server: Server, http: httpx2.Client, text: str) -> int | None:
    """The id of `text` if it is a single token (through the server's tokenize endpoint)."""
    try:
        if server.kind == "llama-server":
            tokens = http.post(server.base + "/tokenize", json={"content": text}).json()["tokens"]
        else:
            data = http.post(server.base + "/extras/tokenize", json={"input": text}).json()
            tokens = data["tokens"]
    except (httpx2.HTTPError, KeyError, ValueError):
        return None
    return int(tokens[0]) if len(tokens) == 1 else None


def scenario_grammar(server: Server, articles: list[list[Job]], opt: Settings) -> dict[str, Any]:
    """Probe what the JSON-schema grammar allows."""
    text_schema = {
        "type": "object",
        "properties": {"text": {"type": "string", "maxLength": 80}},
        "required": ["text"],
    }
    short_schema = {
        "type": "object",
        "properties": {"s": {"type": "string", "maxLength": 10}},
        "required": ["s"],
    }
    list_schema = {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {"type": "string", "maxLength": 20},
                "minItems": 3,
                "maxItems": 4,
            }
        },
        "required": ["items"],
    }
    poem = "Write a three-line poem about the sea into the field text, one line per line."
    long = "Copy this sentence into s: The delegation met officials in Moscow in late October."
    out: dict[str, Any] = {}
    with httpx2.Client(timeout=opt.timeout) as http:
        probes: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
            ("newline_in_string_plain", text_schema, poem, {}),
            ("max_length_10", short_schema, long, {}),
            ("min_items_3_asked_for_1", list_schema, "List exactly one fruit in items.", {}),
            ("max_items_4_asked_for_10", list_schema, "List ten different fruits in items.", {}),
        ]
        for char, name in (("\n", "newline"), ("\t", "tab")):
            tok = token_id(server, http, char)
            if tok is not None:
                bias = {"logit_bias": {str(tok): 30}}
                probes.append((f"{name}_in_string_biased", text_schema, poem, bias))
        for name, schema, prompt, extra in probes:
            body = chat_body(
                server,
                [{"role": "user", "content": prompt}],
                max_tokens=120,
                schema=("Probe", schema),
                extra=extra,
            )
            sample = send(http, server, body, name, read_log=False)
            out[name] = grammar_verdict(sample)
            print(f"  grammar {name}: {out[name]}", file=sys.stderr)
    return out


def grammar_verdict(sample: Sample) -> dict[str, Any]:
    """What a probe's output shows."""
    content = sample.content or ""
    verdict: dict[str, Any] = {
        "content": content,
        "strict_json": sample.json_valid,
        "finish_reason": sample.finish_reason,
        "error": sample.error,
    }
    try:
        value = json.loads(content, strict=False)
    except ValueError:
        return verdict
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                verdict[f"len_{key}"] = len(item)
                verdict[f"raw_control_chars_in_{key}"] = sum(1 for c in item if ord(c) < 0x20)
            elif isinstance(item, list):
                verdict[f"len_{key}"] = len(item)
    return verdict


Scenario = Callable[[Server, list[list[Job]], Settings], dict[str, Any]]
RUNNERS: dict[str, Scenario] = {
    "single": scenario_single,
    "prefix": scenario_prefix,
    "concurrent": scenario_concurrent,
    "cancel": scenario_cancel,
    "grammar": scenario_grammar,
    "idle": lambda _server, _articles, _opt: {},
}


def log_progress(sample: Sample) -> None:
    """One line per request on stderr."""
    print(
        f"  {sample.label}: {sample.wall_s:.1f} s, prompt {sample.prompt_tokens} "
        f"(evaluated {sample.evaluated_prompt_tokens}, {fmt(sample.prompt_tps)} t/s), "
        f"gen {sample.completion_tokens} ({fmt(sample.gen_tps)} t/s, effective "
        f"{fmt(sample.gen_tps_effective)}) {sample.finish_reason}, others {sample.other_cpu_cores}"
        + (f" ERROR {sample.error}" if sample.error else ""),
        file=sys.stderr,
    )


def fmt(x: float | None) -> str:
    """A rate for the progress line."""
    return "?" if x is None else f"{x:.1f}"


# ---------------------------------------------------------------------------------------------
# Main


def machine() -> dict[str, Any]:
    """The machine line: CPU model, cores, flags that matter, memory."""
    info: dict[str, Any] = {"nproc": os.cpu_count(), "platform": platform.platform()}
    with contextlib.suppress(OSError):
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
        flags = re.search(r"flags\s*:\s*(.+)", cpuinfo)
        info["cpu"] = model.group(1) if model else None
        wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx512vbmi", "fma", "f16c")
        info["cpu_flags"] = sorted(set(flags.group(1).split()) & set(wanted)) if flags else []
    with contextlib.suppress(OSError):
        mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        info["mem_total_GiB"] = round(int(mem.group(1)) / 1024**2, 1) if mem else None
    return info


def to_jsonable(value: Any, keep_content: bool) -> Any:
    """Dataclasses to dicts; outputs dropped unless asked for (their hash stays)."""
    if isinstance(value, Sample):
        data = asdict(value)
        if not keep_content:
            data.pop("content")
        return data
    if isinstance(value, dict):
        return {k: to_jsonable(v, keep_content) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v, keep_content) for v in value]
    return value


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Arguments after -- are appended to the server command.",
    )
    parser.add_argument("kind", nargs="?", choices=KINDS, help="server to measure")
    parser.add_argument("--binary", default=os.environ.get("LLAMA_SERVER", "llama-server"))
    parser.add_argument("--model", type=Path, help="GGUF file (default: the toolkit's model)")
    parser.add_argument("--ctx", type=int, default=8192, help="context tokens (all slots)")
    parser.add_argument("--scenarios", default="single", help=",".join(SCENARIOS))
    parser.add_argument(
        "--articles",
        nargs="+",
        default=list(DEFAULT_ARTICLES),
        help="article files or globs to render prompts from (ignored with --workload)",
    )
    parser.add_argument(
        "--workload", type=Path, help="use prompts saved by --save-workload (comparable runs)"
    )
    parser.add_argument(
        "--save-workload", type=Path, help="render the prompts, save them here and exit"
    )
    parser.add_argument("--passes", help="comma-separated pass names (default: all)")
    parser.add_argument("--article-ids", help="comma-separated article ids (default: all)")
    parser.add_argument("--max-tokens", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--levels", default="1,2,4", help="concurrent article workers")
    parser.add_argument("--grammar", default="on,off", help="single: on, off or on,off")
    parser.add_argument("--cancel-after", type=float, default=20.0, help="seconds")
    parser.add_argument("--observe", type=float, default=5.0, help="seconds after cancelling")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per request")
    parser.add_argument("--startup-timeout", type=float, default=300.0)
    parser.add_argument("--label", default=None, help="name of this configuration")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--keep-log", type=Path, help="copy the server log here")
    parser.add_argument("--keep-content", action="store_true", help="keep model outputs")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=180.0,
        help="before each measurement, wait up to this many seconds for other processes "
        "to go idle (0: never wait)",
    )
    parser.add_argument(
        "--max-other",
        type=float,
        default=0.3,
        help="redo a measurement during which other processes used more cores than this",
    )
    parser.add_argument("--retries", type=int, default=3, help="redos per measurement")
    parser.add_argument(
        "--compact-grammar",
        action="store_true",
        help="llama-server: send the schema as a GBNF grammar without newlines/indentation",
    )
    return parser.parse_args(argv), extra


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so the server is stopped too
    args, extra = parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.model is None:
        from summarise import modelstore

        args.model = modelstore.model_path()
    if args.save_workload:
        workload = render_workload(article_paths(args.articles))
        args.save_workload.parent.mkdir(parents=True, exist_ok=True)
        args.save_workload.write_text(json.dumps(workload, indent=1) + "\n", encoding="utf-8")
        print(f"saved {len(workload['articles'])} articles to {args.save_workload}")
        return
    if args.kind is None:
        raise SystemExit("name a server kind (or use --save-workload)")
    if args.workload:
        workload = json.loads(args.workload.read_text(encoding="utf-8"))
    else:
        workload = render_workload(article_paths(args.articles))
    if args.article_ids:
        wanted = set(args.article_ids.split(","))
        workload["articles"] = [a for a in workload["articles"] if a["id"] in wanted]
    passes = args.passes.split(",") if args.passes else None
    articles = [jobs for jobs in jobs_of(workload, passes) if jobs]
    if not articles:
        raise SystemExit("no requests: check --passes and --article-ids")
    opt = Settings(
        max_tokens=args.max_tokens,
        repeats=args.repeats,
        levels=[int(n) for n in args.levels.split(",")],
        grammar=[g == "on" for g in args.grammar.split(",")],
        cancel_after=args.cancel_after,
        observe=args.observe,
        timeout=args.timeout,
        keep_content=args.keep_content,
        quiet_wait=args.quiet_wait,
        max_other=args.max_other,
        retries=args.retries,
    )
    port = free_port()
    command = server_command(
        args.kind, model=args.model, port=port, ctx=args.ctx, binary=args.binary, extra=extra
    )
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        log = Path(tmp) / "server.log"
        server = Server(args.kind, command, port, log, compact_grammar=args.compact_grammar)
        print(f"starting: {shlex.join(command)}", file=sys.stderr)
        result: dict[str, Any] = {
            "label": args.label or args.kind,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "kind": args.kind,
            "command": shlex.join(command),
            "bench_command": shlex.join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
            "model": {"path": str(args.model), "bytes": args.model.stat().st_size},
            "workload": {
                "file": str(args.workload) if args.workload else None,
                "toolkit": workload.get("toolkit"),
                "prompt_versions": workload.get("prompt_versions"),
                "articles": [
                    {"id": a["id"], "path": a["path"], "sha256_16": a["sha256_16"]}
                    for a in workload["articles"]
                ],
                "passes": sorted({job.pass_name for jobs in articles for job in jobs}),
                "requests": sum(len(jobs) for jobs in articles),
            },
            "settings": asdict(opt),
            "scenarios": {},
        }
        try:
            with running(server, args.startup_timeout) as startup:
                result["startup_s"] = round(startup, 3)
                result["memory_after_start"] = proc_status(server.pid)
                cpu0 = cpu_seconds(server.pid)
                for name in scenarios:
                    print(f"scenario {name}", file=sys.stderr)
                    started = time.monotonic()
                    result["scenarios"][name] = RUNNERS[name](server, articles, opt)
                    result["scenarios"][name]["elapsed_s"] = round(time.monotonic() - started, 1)
                result["memory_at_end"] = proc_status(server.pid)
                result["server_cpu_s"] = round(cpu_seconds(server.pid) - cpu0, 1)
        finally:
            if args.keep_log:
                args.keep_log.parent.mkdir(parents=True, exist_ok=True)
                args.keep_log.write_bytes(server.log.read_bytes())
    text = json.dumps(to_jsonable(result, args.keep_content), indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
