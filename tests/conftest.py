"""Shared fixtures: cassette configuration, the model config used to record and replay, reports.

Tests that talk to a model replay `cassettes/` (recorded from a real server). To re-record, run
`pytest --record-mode=rewrite -m model`: the embedded server is started (or the endpoint in
SUMMARISE_BASE_URL is used) and every model call is made for real.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr

from summarise.backends import embedded_server
from summarise.config import EMBEDDED_MODEL_ALIAS, Config, resolve_config
from summarise.extraction import summarise
from summarise.loading import load_article
from summarise.models import DefenceMeetingReport

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
ARTICLES = ROOT / "examples" / "articles"
SHARED = ROOT.parent / "shared"
REFERENCE_IDS = ("india-russia-defence-meetings-a", "india-russia-defence-meetings-b")

# Request headers that could carry credentials or identify the machine: never recorded.
_FILTER_HEADERS = [
    "authorization", "api-key", "x-api-key", "openai-organization", "openai-project",
    "cookie", "user-agent", "x-stainless-os", "x-stainless-arch", "x-stainless-runtime-version",
]  # fmt: skip
_DROP_RESPONSE_HEADERS = {"set-cookie", "openai-organization", "openai-project", "x-request-id"}
_PYDANTIC_URL = re.compile(r"\n\s*For further information visit https://errors\.pydantic\.dev/\S+")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _PYDANTIC_URL.sub("", value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def _llm_body(r1: Any, r2: Any) -> None:
    """Match JSON bodies, ignoring the pydantic version in re-ask error texts."""

    def parse(request: Any) -> Any:
        return _scrub(json.loads(request.body)) if request.body else None

    assert parse(r1) == parse(r2), "request bodies differ"


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in _DROP_RESPONSE_HEADERS:
            del headers[name]
    return response


def _vcr_settings() -> dict[str, Any]:
    return {
        "filter_headers": _FILTER_HEADERS,
        "match_on": ["method", "path", "llm_body"],
        "decode_compressed_response": True,
        "before_record_response": _scrub_response,
    }


# Switches for the test run itself, kept; every other setting of the user's is hidden.
_TEST_SWITCHES = {
    "SUMMARISE_EMBEDDED",
    "SUMMARISE_REQUIRE_BROWSER",
    "SUMMARISE_REQUIRE_RAY",
    "SUMMARISE_SCALE",
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test runs as on a fresh machine: no SUMMARISE_* settings, no OpenAI key, and
    config and cache directories of its own (a developer's config file is never read)."""
    for name in list(os.environ):
        if (name.startswith("SUMMARISE_") and name not in _TEST_SWITCHES) or name.startswith(
            "OPENAI_"
        ):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(variable, str(home / variable.lower()))


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    return _vcr_settings()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.split(".")[-1])


def pytest_recording_configure(config: pytest.Config, vcr: vcr.VCR) -> None:
    vcr.register_matcher("llm_body", _llm_body)


def _record_mode(config: pytest.Config) -> str:
    return str(config.getoption("--record-mode") or "none")


@pytest.fixture(scope="session")
def model_config(pytestconfig: pytest.Config) -> Iterator[Config]:
    """The config model tests use: a live server when recording, a placeholder when replaying."""
    base = Config(max_retries=0, retry_backoff=0.0)
    if _record_mode(pytestconfig) == "none":
        yield base.model_copy(
            update={
                "base_url": "http://127.0.0.1:9/v1",  # never contacted: cassettes answer
                "mode": "json_schema",
                "model": EMBEDDED_MODEL_ALIAS,
                "backend": "embedded",
            }
        )
    elif os.environ.get("SUMMARISE_BASE_URL"):
        yield resolve_config({"max_retries": 0})
    else:
        with embedded_server(base) as live:
            yield live


@pytest.fixture(scope="session")
def cassette(pytestconfig: pytest.Config) -> Any:
    """A context manager factory: `with cassette("dir/name"):` records or replays there.

    `replay=True` only ever replays: for tests that reuse a cassette another fixture recorded.
    """
    recorder = vcr.VCR(**_vcr_settings())
    recorder.register_matcher("llm_body", _llm_body)

    @contextlib.contextmanager
    def use(name: str, *, replay: bool = False) -> Iterator[Any]:
        path = CASSETTES / f"{name}.yaml"
        mode = "none" if replay else _record_mode(pytestconfig)
        if mode == "rewrite":  # pytest-recording's mode: record afresh
            path.unlink(missing_ok=True)
            mode = "once"
        with recorder.use_cassette(str(path), record_mode=mode) as cas:
            yield cas

    return use


@pytest.fixture(scope="session")
def reference_reports(model_config: Config, cassette: Any) -> dict[str, DefenceMeetingReport]:
    """Reports of both reference articles, made by the model (replayed from cassettes)."""
    reports = {}
    for stem in REFERENCE_IDS:
        with cassette(f"reference/{stem}"):
            reports[stem] = summarise(load_article(ARTICLES / f"{stem}.json"), config=model_config)
    return reports
