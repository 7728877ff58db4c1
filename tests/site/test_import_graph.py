"""The apps import each other in one direction only (docs/architecture.md, "Layers").

Every module of every app, management commands included, is parsed (``ast``) and each
``import``/``from ... import`` naming another app adds an edge app -> app, wherever it stands: a
module-level import and one inside a function count the same. Left out: migrations, tests, and
the project's entry points in ``changelog_site`` that name every app: ``urls.py`` and the settings.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("changelog_site", "accounts", "billing", "repos", "entries", "engagement", "roadmap", "widget",
        "github_sync")
ENTRY_POINTS = {"urls.py", "settings.py", "settings_test.py"}
SKIPPED_DIRECTORIES = {"migrations", "tests", "__pycache__"}


def app_modules(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT / app)
        if SKIPPED_DIRECTORIES & set(relative.parts[:-1]):
            continue
        if app == "changelog_site" and len(relative.parts) == 1 and relative.name in ENTRY_POINTS:
            continue
        yield path


def imported_apps(path):
    """``{app: line}`` of the other apps ``path`` imports (absolute imports; relative ones stay inside)."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                found.setdefault(top, node.lineno)
    return found


def app_graph():
    """``{app: {imported app: "path:line" of the first import seen}}``."""
    graph = {app: {} for app in APPS}
    for app in APPS:
        for path in app_modules(app):
            for other, line in imported_apps(path).items():
                if other != app:
                    graph[app].setdefault(other, f"{path.relative_to(ROOT)}:{line}")
    return graph


def find_cycle(graph):
    """One cycle as a list of apps (first == last), or None: depth-first search with colours."""
    state, stack = {}, []

    def visit(app):
        state[app] = "open"
        stack.append(app)
        for other in sorted(graph[app]):
            if state.get(other) == "open":
                return stack[stack.index(other):] + [other]
            if other not in state:
                cycle = visit(other)
                if cycle:
                    return cycle
        stack.pop()
        state[app] = "done"
        return None

    for app in sorted(graph):
        if app not in state:
            cycle = visit(app)
            if cycle:
                return cycle
    return None


def describe(graph, cycle):
    return " -> ".join(cycle) + "\n" + "\n".join(
        f"  {a} -> {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:]))


def test_it_finds_a_cycle_when_one_is_there():
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:1"}, "c": {"a": "c.py:1"}, "d": {}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": "a.py:1"}, "b": {}}) is None


def test_it_has_no_import_cycle_between_apps():
    graph = app_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "the apps import each other in a cycle:\n" + describe(graph, cycle)


def test_it_keeps_the_storage_core_free_of_apps():
    graph = app_graph()
    assert graph["changelog_site"] == {}, f"changelog_site imports apps: {graph['changelog_site']}"
