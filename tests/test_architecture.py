"""The house rules of docs/architecture.md, read from the source with `ast`: no cycles, dependencies one way.

Every import counts, whether at module level, inside a function or under `if TYPE_CHECKING:`: a cycle
that only type checking sees is still two modules that cannot be understood one without the other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "publishers", "herald")
SLACK_AND_WEB = ("slack_bolt", "slack_sdk", "flask", "werkzeug", "gunicorn")
# What a publisher may use of Herald: the plugin contract, the read side of the domain, text formatting.
PUBLISHER_MAY_USE = ("bot.plugins.contract", "bot.domain.snapshots", "bot.domain.reading", "bot.domain.vocabulary",
                     "bot.domain.uptime",
                     "bot.text", "bot.errors", "publishers")
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 40


@dataclass(frozen=True)
class Import:
    """One import statement: where it is, what it names, and whether it sits inside a function."""

    module: str
    target: str
    line: int
    in_function: bool
    commented: bool


def modules() -> dict[str, Path]:
    """Every Herald module by dotted name (migrations' version scripts excluded: Alembic loads them)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "versions" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path) -> Iterator[Import]:
    """The imports of one module, each resolved to the dotted names it may load."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    nested = {id(node) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(fn)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        commented = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#")
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names]  # a name, or a module of the package
        for target in targets:
            yield Import(name, target, node.lineno, id(node) in nested, commented)


def herald_module(target: str, known: dict[str, Path]) -> str | None:
    """The Herald module an import target loads (a name imported from a module counts as the module)."""
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def graph() -> dict[str, set[str]]:
    """Module → the Herald modules it imports."""
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for found in imports(name, path):
            target = herald_module(found.target, known)
            if target and target != name and not name.startswith(target + "."):
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def all_imports() -> list[Import]:
    """Every import in Herald's modules."""
    return [found for name, path in modules().items() for found in imports(name, path)]


def test_no_import_cycles() -> None:
    """No two of Herald's modules import each other, directly or around a loop."""
    assert cycles(graph()) == []


def test_the_core_knows_no_channel_and_no_framework() -> None:
    """bot/ never imports handlers, publishers, herald, Slack's SDKs or the web framework."""
    banned = ("handlers", "publishers", "herald", *SLACK_AND_WEB)
    found = [f"{i.module}:{i.line} imports {i.target}" for i in all_imports()
             if i.module.split(".")[0] == "bot" and i.target.split(".")[0] in banned]
    assert found == []


def test_publishers_use_only_the_contract_and_domain_views() -> None:
    """A publisher knows the plugin contract, the read side of the domain and text formatting, nothing else."""
    known = modules()
    found = []
    for i in all_imports():
        target = herald_module(i.target, known)
        if i.module.startswith("publishers") and target and not target.startswith(PUBLISHER_MAY_USE):
            found.append(f"{i.module}:{i.line} imports {target}")
    assert found == []


def test_listeners_never_import_what_registers_them() -> None:
    """handlers/ never imports herald/ (the composition root that registers it) or a concrete publisher."""
    found = [f"{i.module}:{i.line} imports {i.target}" for i in all_imports()
             if i.module.split(".")[0] == "handlers" and i.target.split(".")[0] in ("herald", "publishers")]
    assert found == []


def test_function_level_imports_say_why() -> None:
    """An import inside a function is there for start-up cost only, and its line says so in a comment."""
    found = [f"{i.module}:{i.line} imports {i.target}" for i in all_imports()
             if i.in_function and not i.commented and herald_module(i.target, modules()) is None
             and not i.target.startswith(("typing", "collections"))]
    found += [f"{i.module}:{i.line} imports {i.target}" for i in all_imports()
              if i.in_function and herald_module(i.target, modules()) is not None and not i.commented]
    assert sorted(set(found)) == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_and_functions_stay_small(name: str) -> None:
    """A module stays under ~250 lines and a function under ~40, so each can be read in one sitting."""
    path = modules()[name]
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []
