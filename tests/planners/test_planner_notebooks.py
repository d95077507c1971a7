"""The planner notebooks: committed clean, one `parameters` cell whose names the package
functions take, and each runs end to end under papermill (no frontend: only the Python side
runs, and the widgets' state records what a browser would show)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from tests.conftest import REPO, SAMPLE_PARAMS
from workbook.planners.roadshow import roadshow_planner
from workbook.planners.scenario import scenario_planner

NOTEBOOKS = REPO / "notebooks"
PLANNERS = {
    "scenario_planner.ipynb": scenario_planner,
    "roadshow_planner.ipynb": roadshow_planner,
}


@pytest.mark.parametrize("name", sorted(PLANNERS))
def test_notebook_is_committed_without_outputs_and_with_one_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0]
    # after the parameters, cells only call the package
    for cell in code[1:]:
        assert "def " not in cell.source and "class " not in cell.source
        imports = [ln for ln in cell.source.splitlines() if "import" in ln]
        assert all(ln.startswith("from workbook") for ln in imports), imports


@pytest.mark.parametrize("name", sorted(PLANNERS))
def test_notebook_parameters_are_what_the_planner_function_takes(name):
    params = pm.inspect_notebook(str(NOTEBOOKS / name))
    taken = set(inspect.signature(PLANNERS[name]).parameters)
    assert set(params) == taken
    assert {"params_path", "scenario", "as_of", "trials", "seed", "lang"} <= set(params)


def _run(name: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    out = tmp_path / name
    pm.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        parameters={"params_path": str(SAMPLE_PARAMS), "as_of": "2020-06-30", **parameters},
        kernel_name="python3",
        language="python",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def _html_values(nb: nbformat.NotebookNode) -> list[str]:
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [
        m["state"].get("value", "") for m in state.values() if m.get("model_name") == "HTMLModel"
    ]


def _widget_output(nb: nbformat.NotebookNode) -> dict:
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    (out,) = last.outputs
    return out["data"]["application/vnd.jupyter.widget-view+json"]


@pytest.mark.notebook
@pytest.mark.slow
def test_scenario_planner_notebook_runs_under_papermill(tmp_path):
    nb = _run(
        "scenario_planner.ipynb", tmp_path, trials=2000, lang="en", save_dir=str(tmp_path / "s")
    )
    assert _widget_output(nb)["model_id"]
    values = _html_values(nb)
    headline = next(v for v in values if "wb-p-attain" in v)
    assert 'data-metric="domestic_capital"' in headline and "P(attain)" in headline
    assert not any("wb-error" in v for v in values), "a callback failed while building"
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    specs = [m["state"]["spec"] for m in state.values() if "spec" in m.get("state", {})]
    titles = {json.dumps(s.get("title"), ensure_ascii=False) for s in specs}
    assert any("Domestic capital arrived" in t for t in titles)
    assert len(specs) == 5


@pytest.mark.notebook
@pytest.mark.slow
def test_roadshow_planner_notebook_runs_under_papermill(tmp_path):
    nb = _run("roadshow_planner.ipynb", tmp_path, trials=1000, budget=200, out_dir=str(tmp_path))
    assert _widget_output(nb)["model_id"]
    values = _html_values(nb)
    assert any('class="wb-plan-p"' in v and "内资到位" in v for v in values)
    assert any("wb-plan" in v and "<table" in v for v in values)
    assert not any("wb-error" in v for v in values)
