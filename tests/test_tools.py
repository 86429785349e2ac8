"""The build's own code (tools/): no state at module level, no number typed
into what it logs, one module a job."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from snippet import ROOT

TOOLS = sorted((ROOT / "tools").glob("*.py"))
MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter"}
CACHES = {"cache", "lru_cache", "cached_property"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def module_state(source: str) -> list[str]:
    """Module-level mutable state in a module: a list, dict or set made at
    module level (literal, comprehension or call), a module-level `global`,
    or a function whose results are cached in the module (functools)."""
    found = []
    tree = ast.parse(source)
    for node in tree.body:
        value = getattr(node, "value", None)
        if isinstance(node, ast.Assign | ast.AnnAssign) and value is not None:
            mutable = isinstance(
                value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp
            ) or (isinstance(value, ast.Call) and _name(value.func) in MUTABLE_CALLS)
            if mutable:
                found.append(f"line {node.lineno}: a mutable value at module level")
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = (
                    decorator.func if isinstance(decorator, ast.Call) else decorator
                )
                if _name(target) in CACHES:
                    found.append(f"line {node.lineno}: {node.name} caches its results")
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"line {node.lineno}: global {', '.join(node.names)}")
    return found


@pytest.mark.parametrize("path", TOOLS, ids=lambda p: p.name)
def test_no_module_level_mutable_state(path: Path):
    """Each build's state lives on the plugin object (tools/plugin.py), made
    anew by each build: `mkdocs serve` builds again in one process."""
    assert module_state(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "seen = []\n",
        "seen: dict[str, int] = {}\n",
        "seen = {k: 1 for k in 'ab'}\n",
        "seen = set()\n",
        "import functools\n@functools.cache\ndef f():\n    return 1\n",
        "def f():\n    global seen\n    seen = 1\n",
    ],
)
def test_the_rule_finds_what_it_forbids(source: str):
    assert module_state(source)


def logged(source: str) -> list[ast.Call]:
    """Every call of a logger's method (log.info(...) and friends)."""
    return [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"debug", "info", "warning", "error"}
        and _name(node.func.value) in {"log", "logger"}
    ]


def digits_typed(call: ast.Call) -> list[str]:
    """The text of a logged message that holds a digit: a number typed in."""
    typed = [
        part.value
        for argument in call.args
        for part in ast.walk(argument)
        if isinstance(part, ast.Constant) and isinstance(part.value, str)
    ]
    return [text for text in typed if any(c.isdigit() for c in text)]


def test_no_number_is_typed_into_the_log():
    """Every figure the build logs is a value it computed (the test that reads
    the log could not fail if the build wrote the number as text)."""
    calls = 0
    for path in TOOLS:
        for call in logged(path.read_text(encoding="utf-8")):
            calls += 1
            assert digits_typed(call) == [], f"{path.name}:{call.lineno}"
    assert calls >= 2, "the build logs its statistics"
    (bad,) = logged('log.info(f"{n} run; 0 kernels")\n')
    assert digits_typed(bad) == [" run; 0 kernels"]
