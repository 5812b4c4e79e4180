"""`scoretrack/lib/` knows no app: it imports only itself (and Django, the settings).

A helper that needs the scoping rules or a model takes them as an argument or
through a hook installed at start-up (`lib/hooks.py`). Every import counts,
including those inside functions. lib's own tests are exempt: they exercise lib
with the apps' models and are never imported by the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parent.parent
ROOT = LIB.parent.parent  # the folder holding the scoretrack package
ALLOWED = ("scoretrack.lib", "scoretrack.settings")


def lib_modules() -> list[Path]:
    tests = LIB / "tests"
    return sorted(p for p in LIB.rglob("*.py") if tests not in p.parents)


def imported(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, relative ones resolved."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return sorted(found)


def foreign(path: Path, root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line}: imports {module}"
        for line, module in imported(path, root)
        if (module == "scoretrack" or module.startswith("scoretrack."))
        and not any(module == ok or module.startswith(ok + ".") for ok in ALLOWED)
    ]


@pytest.mark.parametrize("path", lib_modules(), ids=lambda p: str(p.relative_to(LIB)))
def test_a_lib_module_imports_no_scoretrack_app(path: Path) -> None:
    assert not foreign(path), "lib must not import an app (take it as an argument or a hook)"


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    module = tmp_path / "scoretrack" / "lib" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "def f():\n    from scoretrack.accounts.scoping import scope\n"
        "from ..reference import models\nimport scoretrack.training.models\n"
        "from scoretrack.lib import hooks\nfrom . import bulk\n"
    )
    problems = foreign(module, tmp_path)

    assert [p.split(": imports ")[1] for p in problems] == [
        "scoretrack.accounts.scoping.scope",
        "scoretrack.reference.models",
        "scoretrack.training.models",
    ]
