"""The core stays below the shell: it never imports the LLM stack or the modules that use it.

The core (merge, models, entities, review, evaluation, dates, grounding, loading and the
shared helpers) must be usable to merge, review and score reports without openai or
instructor installed; the shell (backends, extraction, batch, cli) builds on it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "summarise"
CORE = [
    "dates",
    "entities",
    "errors",
    "evaluation",
    "fields",
    "grounding",
    "loading",
    "merging",
    "models",
    "numbers",
    "output",
    "report_parts",
    "reports",
    "review",
    "text",
]
SHELL = ("summarise.backends", "summarise.extraction", "summarise.batch", "summarise.cli")
LLM_STACK = ("openai", "instructor")
# The modules a reader of reports imports: none may pull in the LLM stack.
IMPORTED_ALONE = [
    "summarise.merging",
    "summarise.loading",
    "summarise.grounding",
    "summarise.dates",
    "summarise.review",
    "summarise.evaluation",
    "summarise.models",
    "summarise.entities",
]
_BLOCK_LLM_STACK = (
    "import sys\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    f"        if name.partition('.')[0] in {LLM_STACK!r}:\n"
    "            raise ImportError(f'the core imported {name}')\n"
    "sys.meta_path.insert(0, Block())\n"
)
_CHECK_LLM_STACK = (
    f"loaded = sorted(m for m in {LLM_STACK!r} if m in sys.modules)\nassert not loaded, loaded\n"
)
# Modules of this refactor's core that must stay small and say what they are for.
MAX_LINES = 500


def _files(name: str) -> list[Path]:
    package = PACKAGE / name
    return sorted(package.rglob("*.py")) if package.is_dir() else [PACKAGE / f"{name}.py"]


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module an import statement in the file names (relative ones made absolute)."""
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _forbidden(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in (*SHELL, *LLM_STACK))


@pytest.mark.parametrize("path", [p for name in CORE for p in _files(name)], ids=_module_of)
def test_core_module_never_imports_the_shell(path: Path) -> None:
    found = sorted({name for name in _imports(path) if _forbidden(name)})
    assert found == [], f"{_module_of(path)} imports {found}"


def test_the_import_parser_sees_relative_and_nested_imports() -> None:
    assert _forbidden("summarise.batch.many") and _forbidden("openai")
    assert not _forbidden("summarise.batching")
    path = PACKAGE / "review" / "common.py"
    assert "summarise.merging" in set(_imports(path))  # from ..merging import merge
    assert "summarise.fields" in set(_imports(PACKAGE / "models" / "report.py"))  # in a method


@pytest.mark.parametrize("module", IMPORTED_ALONE)
def test_core_imports_without_the_llm_stack_when_the_package_init_is_bypassed(
    module: str,
) -> None:
    """Each core module imports on its own (no import cycle whatever comes first) and pulls in
    neither openai nor instructor, with `summarise/__init__` replaced by an empty package."""
    code = (
        "import importlib, sys, types\n"
        "package = types.ModuleType('summarise')\n"
        f"package.__path__ = [{str(PACKAGE)!r}]\n"
        "sys.modules['summarise'] = package\n"
        + _BLOCK_LLM_STACK
        + f"importlib.import_module({module!r})\n"
        + _CHECK_LLM_STACK
        + f"shell = sorted(m for m in sys.modules if m.startswith({SHELL!r}))\n"
        + "assert not shell, shell\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_core_imports_without_the_llm_stack() -> None:
    """Each module in a fresh interpreter of its own, run side by side; importing the LLM stack
    fails at once (a blocking finder) instead of loading it, to keep this quick."""
    runs = {
        module: subprocess.Popen(
            [sys.executable, "-c", _BLOCK_LLM_STACK + f"import {module}\n" + _CHECK_LLM_STACK],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for module in IMPORTED_ALONE
    }
    failed = {}
    for module, run in runs.items():
        _, error = run.communicate(timeout=120)
        if run.returncode:
            failed[module] = error.strip().splitlines()[-1]
    assert failed == {}


OWNED = [
    "dates",
    "entities",
    "errors",
    "evaluation",
    "fields",
    "merging",
    "models",
    "numbers",
    "output",
    "report_parts",
    "reports",
    "review",
    "text",
]


@pytest.mark.parametrize("path", [p for name in OWNED for p in _files(name)], ids=_module_of)
def test_core_module_is_small_says_its_job_and_lists_its_names(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert len(source.splitlines()) <= MAX_LINES
    assert ast.get_docstring(tree), "no module docstring"
    names = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert "__all__" in names
