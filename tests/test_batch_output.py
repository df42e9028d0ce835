"""Where a run writes: a disk that fills up, an output folder that cannot be written.

A full disk is simulated by making the atomic writer fail with ENOSPC for chosen files, and,
where user namespaces allow it (no privilege needed), for real on a small tmpfs.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from typer.testing import CliRunner

from summarise import output
from summarise.batch import RunSummary, extract_files, run_folder
from summarise.cli import app
from summarise.output import OutputError

from .faultserver import FaultServer
from .test_batch import config_for, entries, write_articles

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ROOT = Path(__file__).resolve().parents[1]
NO_SPACE = os.strerror(errno.ENOSPC)  # "No space left on device"
runner = CliRunner()

FullDisk = Callable[[Callable[[Path, str], bool]], list[Path]]


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    """`full_disk(when)`: the atomic writer fails with ENOSPC, as a full disk makes it fail
    (while writing), for every file `when(path, text)` picks; returns the files it failed."""

    def install(when: Callable[[Path, str], bool]) -> list[Path]:
        failed: list[Path] = []
        real = output._fill

        def fill(path: Path, handle: IO[str], text: str) -> None:
            if when(path, text):
                failed.append(path)
                handle.write(text[:100])
                raise OSError(errno.ENOSPC, NO_SPACE)
            real(path, handle, text)

        monkeypatch.setattr(output, "_fill", fill)
        return failed

    return install


@pytest.fixture
def fake() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write_articles(folder, ["a", "b", "c"])
    return folder


def _leftovers(out: Path) -> list[Path]:
    return list(out.rglob("*.tmp"))


# --- a full disk ---------------------------------------------------------------------------


def test_a_report_that_cannot_be_written_is_that_articles_recorded_error(
    tmp_path: Path, src: Path, fake: FaultServer, full_disk: FullDisk
) -> None:
    out = tmp_path / "out"
    full_disk(lambda path, _: path.name == "b.json")

    summary = run_folder(src, out, config=config_for(fake.url))

    b = entries(summary)["b"]
    assert (b.status, b.error_type) == ("failed", "OutputError")
    assert b.error == (
        f"Cannot write {out / 'reports' / 'b.json'}: {NO_SPACE}; free some space and run again."
    )
    assert b.attempts > 0  # the model's work was done, and lost for lack of space
    assert {e.name for e in summary.articles if e.status == "done"} == {"a", "c"}
    assert summary.status == "complete" and summary.exit_code == 1
    assert summary.merged == "merged.json" and not _leftovers(out)


@pytest.mark.parametrize("name", ["merged.json", "review.html"])
def test_a_merge_that_cannot_be_written_fails_the_run_and_is_recorded(
    tmp_path: Path, src: Path, fake: FaultServer, full_disk: FullDisk, name: str
) -> None:
    out = tmp_path / "out"
    failed = full_disk(lambda path, _: path.name == name)

    summary = run_folder(src, out, config=config_for(fake.url))

    assert failed == [out / name]
    assert summary.status == "failed" and summary.exit_code == 2
    assert summary.error == (
        f"The reports are written but not their merge: Cannot write {out / name}: {NO_SPACE}; "
        "free some space and run again."
    )
    assert summary.counts.done == 3 and summary.merged is None
    record = RunSummary.model_validate_json((out / "run.json").read_bytes())
    assert (record.status, record.error) == ("failed", summary.error)  # run.json is true
    assert not _leftovers(out)


def test_after_space_is_freed_the_run_finishes_without_a_model_call(
    tmp_path: Path,
    src: Path,
    fake: FaultServer,
    full_disk: FullDisk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    full_disk(lambda path, _: path.name == "merged.json")
    assert run_folder(src, out, config=config_for(fake.url)).status == "failed"
    asked = sum(fake.requests.values())
    monkeypatch.undo()  # space freed

    again = run_folder(src, out, config=config_for(fake.url))

    assert again.exit_code == 0 and again.counts.cached == 3
    assert sum(fake.requests.values()) == asked and (out / "merged.json").is_file()


def test_a_run_record_that_cannot_be_written_at_the_end_says_so(
    tmp_path: Path, src: Path, fake: FaultServer, full_disk: FullDisk
) -> None:
    out = tmp_path / "out"
    full_disk(lambda path, text: path.name == "run.json" and '"status": "complete"' in text)

    summary = run_folder(src, out, config=config_for(fake.url))

    assert summary.status == "failed" and summary.exit_code == 2
    assert summary.error == (
        f"run.json is stale: Cannot write {out / 'run.json'}: {NO_SPACE}; free some space and "
        "run again."
    )


def test_the_command_prints_a_full_disk_as_one_line_and_exits_2(
    tmp_path: Path, src: Path, fake: FaultServer, full_disk: FullDisk
) -> None:
    out = tmp_path / "out"
    full_disk(lambda path, _: path.name == "review.html")

    result = runner.invoke(
        app, ["run", str(src), "--out", str(out), "--base-url", fake.url, "--model", "fake"]
    )

    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: The reports are written but not their merge: Cannot write {out / 'review.html'}"
        f": {NO_SPACE}; free some space and run again."
    ]
    assert "status\tfailed" in result.stdout.splitlines()
    assert "Traceback" not in result.stdout + result.stderr


# On a real full disk: a tmpfs with room for the reports and the record but not the merge.
_IN_A_SMALL_TMPFS = """
import json, sys
from pathlib import Path
from summarise.batch import run_folder
from summarise.config import Config
out = Path(sys.argv[2])
config = Config(base_url=sys.argv[3], model="fake", mode="json_schema", retry_backoff=0)
summary = run_folder(sys.argv[1], out, config=config, concurrency=1)
record = json.loads((out / "run.json").read_text())
files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
print(json.dumps({"record": record, "files": files}))
sys.exit(summary.exit_code)
"""


def _pages(*sizes: int) -> int:
    return sum(math.ceil((size + 64) / 4096) for size in sizes)


def _namespaces_work() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    probe = ["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt || mount -t tmpfs tmpfs /tmp"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _namespaces_work(), reason="needs user and mount namespaces (unshare -rm)")
def test_a_real_full_disk_fails_the_merge_and_keeps_the_reports(
    tmp_path: Path, src: Path, fake: FaultServer
) -> None:
    reference = tmp_path / "reference"  # how much room each output takes, on a roomy disk
    run_folder(src, reference, config=config_for(fake.url), concurrency=1)
    sizes = {p.relative_to(reference).as_posix(): p.stat().st_size for p in reference.rglob("*")}
    reports = _pages(*(size for name, size in sizes.items() if name.startswith("reports/")))
    record, merged, review = (
        _pages(sizes["run.json"]),
        _pages(sizes["merged.json"]),
        _pages(sizes["review.html"]),
    )
    assert review > record, "the review page must need more room than the record"
    # the reports, the record twice (the old one while the new is written) and merged.json
    kilobytes = 4 * (reports + 2 * record + merged)
    out = tmp_path / "small"
    out.mkdir()
    script = 'mount -t tmpfs -o size="$1"k tmpfs "$2" && shift 2 && exec "$@"'
    child = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(kilobytes), str(out),
         sys.executable, "-c", _IN_A_SMALL_TMPFS, str(src), str(out), fake.url],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "SUMMARISE_CONFIG": str(tmp_path / "none.toml")},
    )  # fmt: skip

    assert child.returncode == 2, child.stderr
    result = json.loads(child.stdout)
    assert result["record"]["status"] == "failed"
    assert "No space left on device" in result["record"]["error"]
    assert "but not their merge" in result["record"]["error"]
    assert [a["status"] for a in result["record"]["articles"]] == ["done"] * 3
    assert {"reports/a.json", "reports/b.json", "reports/c.json"} <= set(result["files"])
    assert not [name for name in result["files"] if name.endswith(".tmp")]


# --- an output folder that cannot be written ---------------------------------------------------


def _read_only(folder: Path) -> Path:
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except OSError:
        return folder
    (folder / "probe").unlink()
    folder.chmod(0o755)
    pytest.skip("this user writes into read-only folders (root): the other tests cover it")


@pytest.mark.parametrize("kind", ["under a file", "read-only"])
def test_an_unwritable_output_folder_is_refused_before_any_model_call(
    tmp_path: Path, src: Path, fake: FaultServer, kind: str
) -> None:
    if kind == "under a file":  # fails for root too, as a read-only mount would
        (tmp_path / "file").write_text("not a folder")
        out = tmp_path / "file" / "out"
    else:
        out = _read_only(tmp_path / "locked") / "out"

    with pytest.raises(OutputError, match=f"Cannot write to the output folder {out}"):
        run_folder(src, out, config=config_for(fake.url))
    with pytest.raises(OutputError, match="Cannot write to the output folder"):
        extract_files([src / "a.txt"], out, config=config_for(fake.url))
    assert not fake.requests

    result = runner.invoke(
        app, ["run", str(src), "--out", str(out), "--base-url", fake.url, "--model", "fake"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: Cannot write to the output folder {out}: ")
    assert "Traceback" not in result.stdout + result.stderr and not fake.requests


def test_extract_leaves_no_folder_behind_when_it_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    out = tmp_path / "new" / "out"

    summary = extract_files([tmp_path / "empty.txt"], out, config=config_for("http://x/v1"))

    assert summary.articles[0].error_type == "InputError"
    assert not (tmp_path / "new").exists()


def test_a_full_output_disk_at_the_start_is_refused_before_any_model_call(
    tmp_path: Path, src: Path, fake: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, NO_SPACE)

    monkeypatch.setattr("summarise.batch.writing.os.fsync", no_space)
    with pytest.raises(OutputError, match=f"output folder {tmp_path / 'out'}: {NO_SPACE}"):
        run_folder(src, tmp_path / "out", config=config_for(fake.url))
    assert not fake.requests
