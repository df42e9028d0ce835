"""The built wheel carries the prompts and schemas, not only the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_wheel_ships_prompts_and_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("summarise-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for prompt in (ROOT / "prompts").glob("*.toml"):
        assert f"summarise/prompts/{prompt.name}" in names
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"summarise/schemas/{schema.name}" in names
    assert "summarise/py.typed" in names
    assert any(n.endswith("entry_points.txt") for n in names)
