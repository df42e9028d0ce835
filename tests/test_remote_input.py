"""A run whose input is a URI (`batch.remote`): the articles copied into `OUT/input/`, then run
like the same folder given as a path, against the fake server."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarise.batch import run_folder
from summarise.batch.remote import RemoteFolder, open_folder, stage
from summarise.cli import app
from summarise.errors import InputError, SetupError

from .faultserver import FaultServer
from .test_batch import CALLS, article_text, config_for, entries, server, write_articles

__all__ = ["server"]  # the fixture, imported for these tests

pyarrow_fs = pytest.importorskip("pyarrow.fs")
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

_SECONDS = re.compile(rb'"seconds": [0-9.e+-]+')


def _report_files(out: Path) -> dict[str, bytes]:
    """Each report file's bytes, its wall-clock seconds blanked (two runs differ only there)."""
    return {
        p.name: _SECONDS.sub(b'"seconds": 0', p.read_bytes())
        for p in sorted((out / "reports").glob("*.json"))
    }


def _mirror_stats(out: Path) -> dict[str, tuple[int, int]]:
    """Each copied file: its inode and modification time (an atomic copy makes a new inode)."""
    return {
        p.relative_to(out / "input").as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (out / "input").rglob("*")
        if p.is_file()
    }


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    write_articles(src, ["a", "b", "sub/a"])
    (src / "c.md").write_text(article_text("c"), encoding="utf-8")
    (src / "notes.pdf").write_bytes(b"%PDF-1.4")
    (src / "README.md").write_text("How these articles were collected.", encoding="utf-8")
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / ".hidden").mkdir()
    (src / ".hidden" / "x.txt").write_text(article_text("x"), encoding="utf-8")
    return src


def test_a_file_uri_gives_the_reports_and_events_of_the_same_folder_as_a_path(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = _source(tmp_path)
    fake = server()
    config = config_for(fake.url)

    local = run_folder(src, tmp_path / "local", config=config)
    remote = run_folder(src.as_uri(), tmp_path / "remote", config=config)

    assert local.status == remote.status == "complete"
    assert remote.input == src.as_uri() and local.input == str(src.resolve())
    assert _report_files(tmp_path / "remote") == _report_files(tmp_path / "local")
    assert len(_report_files(tmp_path / "local")) == 4
    assert (tmp_path / "remote" / "events.json").read_bytes() == (
        tmp_path / "local" / "events.json"
    ).read_bytes()
    assert [(e.name, e.path, e.status) for e in remote.articles] == [
        (e.name, e.path, e.status) for e in local.articles
    ]
    assert entries(remote)["empty"].error_type == "InputError"  # the loader's checks apply
    assert sorted((s.path, s.reason) for s in remote.skipped) == sorted(
        (s.path, s.reason) for s in local.skipped
    )
    assert set(_mirror_stats(tmp_path / "remote")) == {
        "a.txt", "b.txt", "sub/a.txt", "c.md", "empty.txt"
    }  # fmt: skip
    record = json.loads((tmp_path / "remote" / "run.json").read_bytes())
    assert record["input"] == src.as_uri()


def test_a_rerun_copies_nothing_and_a_changed_file_is_copied_and_extracted_again(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_articles(src, ["a", "b", "c"])
    fake = server()
    config = config_for(fake.url)
    run_folder(src.as_uri(), out, config=config)
    copied = _mirror_stats(out)

    again = run_folder(src.as_uri(), out, config=config)

    assert again.counts.cached == 3 and sum(fake.requests.values()) == 3 * CALLS
    assert _mirror_stats(out) == copied  # nothing copied again

    (src / "b.txt").write_text(article_text("b") + " One more sentence.", encoding="utf-8")
    (src / "c.txt").unlink()
    changed = run_folder(src.as_uri(), out, config=config)

    assert {e.name: e.status for e in changed.articles} == {"a": "cached", "b": "done"}
    assert fake.requests["b"] == 2 * CALLS and fake.requests["a"] == CALLS
    now = _mirror_stats(out)
    assert set(now) == {"a.txt", "b.txt"}  # the copy of a file gone from the source went too
    assert now["a.txt"] == copied["a.txt"] and now["b.txt"] != copied["b.txt"]
    assert (out / "input" / "b.txt").read_bytes() == (src / "b.txt").read_bytes()


def test_bad_uris_are_clear_errors_that_keep_credentials_out(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder URI pyarrow can open"):
        run_folder("s4://bucket/news/", tmp_path / "out")
    with pytest.raises(InputError, match="no such folder or bucket"):
        run_folder((tmp_path / "missing").as_uri(), tmp_path / "out")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is not a folder"):
        run_folder((tmp_path / "file.txt").as_uri(), tmp_path / "out")

    secret = "s4://AKIDKEY:VERYSECRET@bucket/news/?secret_key=ALSOSECRET"
    result = CliRunner().invoke(app, ["run", secret, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    message = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "error:" in message and "Traceback" not in message
    assert "VERYSECRET" not in message and "ALSOSECRET" not in message and "AKIDKEY" not in message
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_a_file_uri_cannot_be_the_output_folder_or_inside_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_articles(out / "input", ["a"])
    with pytest.raises(InputError, match="is the input folder"):
        run_folder(out.as_uri(), out)
    with pytest.raises(InputError, match="inside the output folder"):
        run_folder((out / "input").as_uri(), out)


def test_an_output_folder_inside_the_uri_folder_is_not_copied(
    tmp_path: Path, server: Callable[..., FaultServer]
) -> None:
    src = tmp_path / "in"
    write_articles(src, ["a"])
    fake = server()

    first = run_folder(src.as_uri(), src / "out", config=config_for(fake.url))
    second = run_folder(src.as_uri(), src / "out", config=config_for(fake.url))

    assert [e.name for e in first.articles] == [e.name for e in second.articles] == ["a"]
    assert set(_mirror_stats(src / "out")) == {"a.txt"}


class _Store:
    """A file system as pyarrow's object stores list it: keys chosen by the test."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def get_file_info(self, selector: Any) -> list[Any]:
        return [
            pyarrow_fs.FileInfo(path, pyarrow_fs.FileType.File, size=len(data))
            for path, data in self.files.items()
        ]

    def open_input_stream(self, path: str) -> io.BytesIO:
        return io.BytesIO(self.files[path])


def test_a_name_that_would_lead_out_of_the_copy_is_never_copied(tmp_path: Path) -> None:
    text = article_text("x").encode()
    keys = ["bucket/news/../evil.txt", "bucket/news/a/../../up.txt", "bucket/news//abs.txt",
            "bucket/news/./dot.txt", "elsewhere/other.txt"]  # fmt: skip
    store = _Store({**dict.fromkeys(keys, text), "bucket/news/ok.txt": text})
    mirror = tmp_path / "out" / "input"

    staged = stage(RemoteFolder("s3://bucket/news", store, "bucket/news"), mirror,
                   out=tmp_path / "out")  # fmt: skip

    assert staged.copied == ["ok.txt"]
    reasons = {s.path: s.reason for s in staged.skipped}
    assert set(reasons) == {"../evil.txt", "a/../../up.txt", "/abs.txt", "./dot.txt",
                            "elsewhere/other.txt"}  # fmt: skip
    assert all("lead out of the input folder" in r for r in reasons.values())
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.txt")) == [
        "out/input/ok.txt"
    ]


def test_files_too_large_for_an_article_are_not_copied(tmp_path: Path) -> None:
    from summarise.loading import MAX_ARTICLE_BYTES

    store = _Store({"b/huge.txt": b"x" * (MAX_ARTICLE_BYTES + 1), "b/ok.txt": b"fine"})
    staged = stage(RemoteFolder("s3://b", store, "b"), tmp_path / "input", out=tmp_path)
    assert staged.copied == ["ok.txt"]
    assert [s.path for s in staged.skipped] == ["huge.txt"]
    assert "limited to 5 MB" in staged.skipped[0].reason


def test_a_uri_without_pyarrow_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow.fs", None)
    with pytest.raises(SetupError, match=r"summarise\[ray\]"):
        open_folder(tmp_path.as_uri())


def test_a_file_uri_reads_no_symbolic_link(tmp_path: Path) -> None:
    src, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    write_articles(src, ["a"])
    write_articles(elsewhere, ["secret"])
    (src / "out-link.txt").symlink_to(elsewhere / "secret.txt")
    (src / "in-link.txt").symlink_to(src / "a.txt")
    (src / "folder-link").symlink_to(elsewhere, target_is_directory=True)

    staged = stage(open_folder(src.as_uri()), tmp_path / "out" / "input", out=tmp_path / "out")

    assert staged.copied == ["a.txt"]
    reasons = {s.path: s.reason for s in staged.skipped}
    assert set(reasons) >= {"out-link.txt", "in-link.txt"}
    assert all("symbolic link" in reasons[p] for p in reasons if "link" in p)
    assert not list((tmp_path / "out" / "input").rglob("secret*"))


class _Failing(_Store):
    """A store whose every read fails, its message carrying the credentials it was given."""

    def open_input_stream(self, path: str) -> io.BytesIO:
        raise OSError("AccessDenied for key AKIDKEY with secret VERYSECRET")


def test_a_file_that_cannot_be_fetched_is_skipped_without_its_credentials(
    tmp_path: Path,
) -> None:
    folder = RemoteFolder("s3://***@b/", _Failing({"b/a.txt": b"x"}), "b",
                          secrets=("VERYSECRET", "AKIDKEY"))  # fmt: skip
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "a.txt").write_text("an old copy", encoding="utf-8")

    staged = stage(folder, tmp_path / "input", out=tmp_path)

    assert staged.copied == [] and [s.path for s in staged.skipped] == ["a.txt"]
    reason = staged.skipped[0].reason
    assert "cannot be read" in reason and "VERYSECRET" not in reason and "AKIDKEY" not in reason
    assert not (tmp_path / "input" / "a.txt").exists()  # the old copy is never read instead
