"""The embedded path for real: the installed CLI starts llama.cpp's server and extracts an article.

Slow (model load plus tens of seconds of generation), so it runs only with SUMMARISE_EMBEDDED=1
after `summarise model pull`; CI does exactly that once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from summarise import modelstore
from summarise.models import DefenceMeetingReport

from .conftest import ROOT

# Where the pulled model is, read before the tests hide the user's environment.
_MODEL = modelstore.model_path()

pytestmark = [
    pytest.mark.embedded,
    pytest.mark.skipif(
        os.environ.get("SUMMARISE_EMBEDDED") != "1", reason="set SUMMARISE_EMBEDDED=1 to run"
    ),
]


def test_cli_extracts_a_grounded_report_on_the_embedded_model(tmp_path: Path) -> None:
    exe = shutil.which("summarise")
    assert exe, "the console script is not installed"
    article = ROOT / "tests" / "data" / "short-article.txt"
    env = {**os.environ, "SUMMARISE_MODEL_PATH": str(_MODEL)}
    proc = subprocess.run(
        [exe, "extract", str(article), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        check=False,
    )
    print(proc.stdout, proc.stderr)
    assert proc.returncode == 0
    report = DefenceMeetingReport.model_validate(
        json.loads((tmp_path / "short-article.json").read_text(encoding="utf-8"))
    )
    assert report.extraction.backend == "embedded"
    assert report.source.text == article.read_text(encoding="utf-8").strip()
    assert report.attendees
    for ev in report.evidence():
        if ev.aligned:
            assert report.source.text[ev.start : ev.end] == ev.quote
    print(report.extraction.model_dump_json(indent=2))
