"""The package's layout shows its stages, and no module depends on a later stage nor, through others, on itself."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

from informe import config

#: Stages in pipeline order: a module may import its own stage, an earlier one, or the top level.
STAGES = ("datos", "calculo", "reporte", "construccion")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(config.PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(config.PACKAGE_DIR).with_suffix("").parts
        name = ".".join(("informe", *parts)).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of the package that ``name`` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        found |= {t for t in targets if t in modules and t != name}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_no_import_circle():
    graph = _graph()
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as err:
        raise AssertionError(f"import circle: {' → '.join(err.args[1])}") from None
    assert set(order) == set(graph)


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 2 and parts[1] in STAGES else None


def test_no_stage_imports_a_later_stage_and_the_top_level_imports_no_stage():
    wrong = []
    for module, imported in _graph().items():
        stage = _stage(module)
        for target in imported:
            later = _stage(target)
            if later is None:
                continue
            if module == "informe.cli":
                continue  # the command line calls every stage
            if stage is None or later > stage:
                wrong.append(f"{module} → {target}")
    assert not wrong, wrong


def test_every_stage_folder_is_a_package_with_a_docstring():
    for stage in STAGES:
        init = config.PACKAGE_DIR / stage / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), stage
