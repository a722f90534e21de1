"""The layout rules of the code base: imports run one way, and modules stay small.

(a) No import cycle among the project's modules, counting the imports a module runs when it is
loaded (its top level, including ``try``/``if`` blocks, but not ``if TYPE_CHECKING``).
(b) No module over ``MAX_LINES`` lines in the packages named in ``CHECKED``, migrations aside.
"""

import ast
from pathlib import Path

CHECKED = ["portal", "grading", "catalog"]
PROJECT = ["portal", "catalog", "grading"]
MAX_LINES = 500
ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _loaded_imports(tree: ast.Module):
    """Import statements run when the module is loaded."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                pending.extend(handler.body)


def _targets(node, name: str, is_package: bool, modules) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:
        anchor = name.split(".") if is_package else name.split(".")[:-1]
        anchor = anchor[: len(anchor) - node.level + 1]
        base = ".".join(anchor + ([base] if base else []))
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:
            found.add(f"{base}.{alias.name}")
        elif base in modules:
            found.add(base)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {}
    for package in PROJECT:
        modules |= _modules(package)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        edges = set()
        for node in _loaded_imports(tree):
            edges |= _targets(node, name, is_package, modules)
        graph[name] = edges - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_among_project_modules():
    assert _cycle(_graph()) is None


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_module_over_the_line_limit():
    too_long = {}
    for package in CHECKED:
        for name, path in _modules(package).items():
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[name] = lines
    assert too_long == {}


def test_models_import_nothing_from_the_policy():
    """The rule-book reads the models' vocabulary; the models never ask the rule-book, not even
    inside a function."""
    models = {
        n: p
        for package in ("catalog", "grading")
        for n, p in _modules(package).items()
        if n.startswith(f"{package}.models")
    }
    assert "grading.models.operation" in models
    asking = set()
    for name, path in models.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grading"):
                named = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
                if any(n.startswith("grading.policy") for n in named):
                    asking.add(name)
    assert asking == set()
