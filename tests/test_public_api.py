"""The public API is what `__all__` lists, and the JSON Schemas in `schemas/` are current."""

from __future__ import annotations

import json
import subprocess
import sys

import summarise
from summarise.output import json_schemas

from .conftest import ROOT


def test_all_lists_every_public_name_and_each_resolves() -> None:
    assert summarise.__all__ == sorted(summarise.__all__)
    for name in summarise.__all__:
        assert getattr(summarise, name) is not None, name
    assert set(summarise.__all__) <= set(dir(summarise))


def test_importing_the_package_and_the_core_api_loads_no_llm_stack() -> None:
    code = (
        "import sys, summarise\n"
        "from summarise import merge, load_article, render_html, evaluate, DefenceMeetingReport\n"
        "loaded = sorted(m for m in ('openai', 'instructor', 'httpx2') if m in sys.modules)\n"
        "print(','.join(loaded))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_schemas_directory_is_up_to_date() -> None:
    for name, schema in json_schemas().items():
        path = ROOT / "schemas" / f"{name}.schema.json"
        assert path.exists(), f"{path} is missing: run `summarise schema`"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, (
            f"{path} is out of date: run `summarise schema`"
        )
