"""The tests speak one language: rows are made by tests/factories.py, fixtures live in a
conftest.py, and shared helpers in plain modules. No module imports a test module or a
conftest (pytest loads those itself; importing one runs its tests' module twice and hides
where a helper lives), and each `make_*` is defined once."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _imported_modules(tree: ast.AST) -> set[str]:
    """Every module an `import` or `from ... import` names, and each name imported from a
    package (`from tests import test_access` imports the module tests.test_access)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_test_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def test_no_module_imports_a_test_module_or_a_conftest():
    wrong = {
        f"{_module_name(path)} imports {module}"
        for path in TESTS.rglob("*.py")
        for module in _imported_modules(ast.parse(path.read_text()))
        if _is_test_or_conftest(module)
    }
    assert wrong == set()


def test_each_factory_is_defined_once_in_factories():
    defined_elsewhere = {
        f"{_module_name(path)}.{node.name}"
        for path in TESTS.rglob("*.py")
        if path.name != "factories.py"
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("make_")
    }
    factories = ast.parse((TESTS / "factories.py").read_text()).body
    made_there = {node.name for node in factories if isinstance(node, ast.FunctionDef)}
    assert {name for name in defined_elsewhere if name.rsplit(".", 1)[1] in made_there} == set()
