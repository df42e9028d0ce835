"""Writing results: atomic files get the usual mode, and nothing touches the umask at import."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from summarise import output
from summarise.output import write_json_atomic, write_text_atomic

from .conftest import ROOT


def test_written_files_get_the_mode_the_umask_allows(tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        output._umask.cache_clear()
        write_text_atomic(tmp_path / "a.txt", "text")
    finally:
        os.umask(mask)
        output._umask.cache_clear()
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "text"


def test_the_umask_is_read_once_and_put_back(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        output._umask.cache_clear()
        write_json_atomic(tmp_path / "b.json", {"x": 1})
        assert output._umask() == 0o022
        assert os.umask(0o022) == 0o022  # unchanged by reading it
    finally:
        os.umask(before)
        output._umask.cache_clear()
    assert stat.S_IMODE((tmp_path / "b.json").stat().st_mode) == 0o644


def test_importing_the_package_does_not_touch_the_umask() -> None:
    code = (
        "import os\n"
        "calls = []\n"
        "real = os.umask\n"
        "os.umask = lambda mask: calls.append(mask) or real(mask)\n"
        "import summarise.output, summarise.cli\n"
        "assert calls == [], calls\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
