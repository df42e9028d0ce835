"""The public API is what `__all__` lists, and the JSON Schemas in `schemas/` are current."""

from __future__ import annotations

import json
import types

import summarise
from summarise.output import json_schemas

from .conftest import ROOT


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(summarise).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(summarise.__all__) == public | {"__version__"}
    assert summarise.__all__ == sorted(summarise.__all__)


def test_schemas_directory_is_up_to_date() -> None:
    for name, schema in json_schemas().items():
        path = ROOT / "schemas" / f"{name}.schema.json"
        assert path.exists(), f"{path} is missing: run `summarise schema`"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, (
            f"{path} is out of date: run `summarise schema`"
        )
