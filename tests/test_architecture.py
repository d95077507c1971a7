"""The package reads like its architecture (README "Architecture"): one layer on the next, no
import cycles, small modules, and a light `import workbook` / `import workbook.cli`.

The imports are read with `ast` (every import, at module level or inside a function, except
those under `if TYPE_CHECKING:`), so a lazy import that points upward fails here too. Inside
the review, type-only imports count as well: its modules form no cycle even for a type checker.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "workbook"
# Layer of each subpackage: a module may import its own layer and the ones below it.
LAYERS = {
    "text": 0,
    "files": 1,
    "zone": 2,
    "forecast": 3,
    "roadshow": 4,
    "charts": 5,
    "planners": 6,
    "review": 6,
    "cli": 7,
}
MAX_LINES = 700
# the catalogue tables
LONG_ALLOWED = {"workbook.text.labels", "workbook.text.phrases", "workbook.text.messages"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    return skip


def imports_of(name: str, type_only: bool = False) -> set[str]:
    """The workbook modules `name` imports at run time (a `from pkg import sub` names sub);
    with `type_only`, those under `if TYPE_CHECKING:` too."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    skip = set() if type_only else _type_checking_nodes(tree)
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("workbook"):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("workbook"))
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and str(arg.value).startswith("workbook"):
                out.add(str(arg.value))
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}
REVIEW = {
    name: {m for m in imports_of(name, type_only=True) if m.startswith("workbook.review")}
    for name in MODULES
    if name.startswith("workbook.review")
}


def _layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_layer_is_a_subpackage_and_nothing_else_sits_beside_them():
    for layer in LAYERS:
        assert (PACKAGE / layer / "__init__.py").is_file(), layer
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]


# Test files that check the whole package at once rather than one layer.
CROSS_CUTTING_TESTS = {
    "test_architecture.py",
    "test_wheel.py",
    "test_declared_everywhere.py",
    "test_readme.py",
    "test_type_ignores.py",
    "test_jupyterhub.py",  # the deployment recipe (deploy/jupyterhub/), not a layer
    "test_jupyterhub_config.py",
}


def test_tests_are_grouped_like_the_package():
    """tests/<layer>/ holds the tests of workbook/<layer>/; only cross-cutting tests sit at the
    root, beside the shared fixtures (conftest, sim_zones, synth_truth, golden/)."""
    tests = REPO / "tests"
    loose = {p.name for p in tests.glob("test_*.py")}
    assert loose == CROSS_CUTTING_TESTS, sorted(loose - CROSS_CUTTING_TESTS)
    folders = {p.parent.name for p in tests.glob("*/test_*.py")}
    assert folders <= set(LAYERS), sorted(folders - set(LAYERS))
    for folder in folders:
        assert (tests / folder / "__init__.py").is_file(), folder


def cycles_of(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_no_import_cycle():
    """The import graph's strongly connected components are all of size one."""
    assert cycles_of(GRAPH) == []


def test_no_import_cycle_in_the_review_type_only_imports_included():
    assert cycles_of(REVIEW) == []


def test_the_cycle_check_sees_a_type_only_cycle():
    graph = {"a": {"b"}, "b": {"a"}, "c": set()}
    assert cycles_of(graph) == [["a", "b"]]
    src = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workbook.review.section import Context\n"
    tree = ast.parse(src)
    assert _type_checking_nodes(tree)  # skipped for the layers, counted for the review
    assert "workbook.review.section" in REVIEW["workbook.review.abstract"]
    assert "workbook.review.section" not in GRAPH["workbook.review.abstract"]


def test_the_cycle_check_sees_a_cycle():
    """The walker above is not blind: a lazy import inside a function counts as an edge."""
    src = "def f():\n    from workbook.zone.ledger import Ledger\n"
    tree = ast.parse(src)
    found = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert found == ["workbook.zone.ledger"]
    assert "workbook.text.errors" in GRAPH["workbook.text.labels"]
    assert "workbook.roadshow.explain" in GRAPH["workbook.roadshow.solve"]


def test_nothing_imports_upward():
    upward = []
    for name, deps in GRAPH.items():
        mine = _layer(name)
        if mine is None:
            continue
        for dep in deps:
            theirs = _layer(dep)
            if theirs is None:
                upward.append((name, dep))  # the package face is for users, not for layers
            elif LAYERS[theirs] > LAYERS[mine] or (
                LAYERS[theirs] == LAYERS[mine] and theirs != mine
            ):
                upward.append((name, dep))
    assert upward == []


# A private name stays in its module: what another module needs is public, under a clear name.


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def _private_module_outside(module: str, importer: str) -> bool:
    """A private module (`workbook.cli._common`) imported from outside its own package."""
    parts = module.split(".")
    return any(
        _private(p) and not f"{importer}.".startswith(".".join(parts[:i]) + ".")
        for i, p in enumerate(parts)
    )


def private_imports(name: str, src: str | None = None) -> set[str]:
    """The private names module `name` takes from other workbook modules, as "module.name":
    `from workbook.m import _x`, and `m._x` on a workbook module it imported (type-only
    imports included). A private module counts when imported from outside its package."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8") if src is None else src)
    bound: dict[str, str] = {}  # local name -> workbook module
    out: set[str] = set()

    def take(module: str, attr: str | None = None) -> None:
        full = module if attr is None else f"{module}.{attr}"
        if module == name:
            return
        if full in MODULES:
            if _private_module_outside(full, name):
                out.add(full)
        elif attr is not None and _private(attr):
            out.add(full)

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("workbook"):
                continue
            take(node.module)
            for alias in node.names:
                take(node.module, alias.name)
                if f"{node.module}.{alias.name}" in MODULES:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("workbook"):
                    take(alias.name)
                    bound[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            module = bound.get(ast.unparse(node.value))
            if module is not None:
                take(module, node.attr)
    return out


def test_no_module_imports_a_private_name_from_another():
    found = {(name, full) for name in MODULES for full in private_imports(name)}
    assert sorted(found) == []


def test_the_private_import_check_sees_every_form():
    src = (
        "from workbook.roadshow.milp import feasible, _milp\n"
        "from workbook.forecast import setup\n"
        "import workbook.planners.tables as tables\n"
        "from workbook.cli._common import print_json\n"
        "from workbook.cli import _forecast\n"
        "def f():\n"
        "    return setup._Setup, tables._fmt, setup.CHUNK, _forecast.plain\n"
    )
    assert private_imports("workbook.review.output", src) == {
        "workbook.roadshow.milp._milp",
        "workbook.forecast.setup._Setup",
        "workbook.planners.tables._fmt",
        "workbook.cli._common",
        "workbook.cli._forecast",
    }
    # a private module is the business of its own package; a module's own names are its own
    inside = "from workbook.cli import _common\nfrom workbook.cli._forecast import plain\n"
    assert private_imports("workbook.cli.compare", inside) == set()
    assert private_imports("workbook.cli", inside) == set()
    assert (
        private_imports("workbook.roadshow.milp", "from workbook.roadshow.milp import _x\n")
        == set()
    )


def test_modules_are_small_enough_to_read_at_once():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert set(long) <= LONG_ALLOWED, long


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


HEAVY_FOR_PACKAGE = {"scipy", "altair", "ipywidgets", "papermill", "jupyter_client", "voila"}
HEAVY_FOR_CLI = HEAVY_FOR_PACKAGE | {"pandas", "numpy", "pydantic"}


def test_import_workbook_is_light():
    loaded = _modules_after("import workbook")
    assert not {m.split(".")[0] for m in loaded} & (HEAVY_FOR_PACKAGE | {"pandas", "numpy"})


def test_import_workbook_cli_and_help_load_no_pandas_numpy_or_scipy():
    loaded = _modules_after(
        "import contextlib, io\nimport workbook.cli as c\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        c.main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert not {m.split(".")[0] for m in loaded} & HEAVY_FOR_CLI


@pytest.mark.parametrize("argv", [["simulate"], ["review", "x.yaml", "--quarter"], ["nope"]])
def test_a_bad_argument_answers_without_loading_the_model(argv):
    loaded = _modules_after(
        "import contextlib, io\nimport workbook.cli as c\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        f"    try:\n        c.main({argv!r})\n    except SystemExit:\n        pass"
    )
    assert not {m.split(".")[0] for m in loaded} & HEAVY_FOR_CLI


def test_the_package_face_names_resolve():
    import workbook

    for name in workbook.__all__:
        assert getattr(workbook, name) is not None, name
    assert callable(workbook.load_zone) and callable(workbook.scenario_planner)
    with pytest.raises(AttributeError):
        workbook.no_such_name  # noqa: B018


def test_readme_architecture_matches_the_packages():
    """Every layer the README's Architecture section lists exists, and every subpackage is listed."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^  ([a-z]+)/\s", section, re.M))
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert listed == packages == set(LAYERS)


# One catalogue for two languages (workbook/text/catalogue.py): logic names a text by id and
# never asks which language it speaks; only the text layer knows the languages.
LANGUAGE_AWARE = ("workbook.text",)


def language_tests(src: str) -> list[str]:
    """Every comparison in `src` against the language names "zh" / "en" (`lang == "zh"`,
    `self.lang != "en"`, `"en" == args.lang`, `lang in ("zh", ...)`), as written."""
    found = []

    def names_a_language(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in ("zh", "en")
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return any(names_a_language(e) for e in node.elts)
        return False

    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Compare) and any(
            names_a_language(o) for o in (node.left, *node.comparators)
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_logic_outside_the_text_layer_asks_which_language_it_speaks():
    found = [
        f"{name}:{hit}"
        for name, path in MODULES.items()
        if not name.startswith(LANGUAGE_AWARE)
        for hit in language_tests(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_language_check_sees_every_form():
    src = (
        'zh = lang == "zh"\n'
        'x = a if self.lang != "en" else b\n'
        'y = "en" == args.lang\n'
        'z = lang in ("zh", "xx")\n'
        'ok = say("sep.list", lang) == ", "\n'
    )
    assert sorted(int(hit.split(":")[0]) for hit in language_tests(src)) == [1, 2, 3, 4]


# A zone's own metric labels travel with its params (`ZoneParams.metric_labels`, passed as
# `declared=`): `label` comes from workbook.text.catalogue, and there is no process-wide table of
# labels last read from some params (`_DECLARED`, `declare_metric_label`) to fall back on.
PROCESS_WIDE = {"label", "_DECLARED", "declare_metric_label"}


def process_wide_label_imports(src: str) -> set[str]:
    """The names of a process-wide label table `src` takes from workbook.text.labels."""
    out = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ImportFrom) and node.module == "workbook.text.labels":
            out |= {a.name for a in node.names} & PROCESS_WIDE
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in PROCESS_WIDE
            and ast.unparse(node.value) == "labels"
        ):
            out.add(node.attr)
    return out


def test_metric_labels_come_with_the_params_not_from_a_process_wide_table():
    from workbook.text import labels

    assert not PROCESS_WIDE & set(vars(labels))
    found = {
        name: process_wide_label_imports(path.read_text(encoding="utf-8"))
        for name, path in MODULES.items()
    }
    assert {k: v for k, v in found.items() if v} == {}
    assert process_wide_label_imports("from workbook.text.labels import STAGES, label\n") == {
        "label"
    }
    assert process_wide_label_imports("labels._DECLARED.clear()\n") == {"_DECLARED"}
