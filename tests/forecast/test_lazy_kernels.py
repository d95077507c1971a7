"""The compiled kernels and scipy load when a forecast first needs them, not when the engine's
modules are imported: `validate` and `status` check and count without them, and a first forecast
of few trials runs on numpy without numba (workbook.forecast.compiled, workbook.forecast.plain)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = "params/jining-2020.yaml"


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return {m.split(".")[0] for m in json.loads(out.stdout.strip().splitlines()[-1])}


def test_checking_a_zone_builds_an_engine_without_numba_or_scipy():
    loaded = _modules_after(
        "from workbook.roadshow.check import check_inputs\n"
        f"check_inputs({SAMPLE!r})\n"
        "import workbook.forecast.fused as f\n"
        "from workbook.forecast.compiled import Lazy, loaded\n"
        "assert isinstance(f.deal_span, Lazy) and not loaded('workbook.forecast.fused')"
    )
    assert "numba" not in loaded and "scipy" not in loaded
    assert "workbook" in loaded


def test_a_first_forecast_of_few_trials_runs_without_numba():
    loaded = _modules_after(
        "import datetime as dt\n"
        "from workbook.zone.loader import load_zone\n"
        "from workbook.forecast.engine import NUMPY_TRIALS, Engine\n"
        "from workbook.forecast.compiled import loaded\n"
        f"zone = load_zone({SAMPLE!r})\n"
        "fc = Engine(zone, as_of=dt.date(2020, 6, 30), trials=NUMPY_TRIALS, seed=1).forecast()\n"
        "assert 0 <= fc.targets['p_attain'].min() <= 1 and len(fc.projects)\n"
        "assert not loaded('workbook.forecast.fused')"
    )
    assert "numba" not in loaded


def test_a_second_forecast_loads_the_compiled_kernels():
    loaded = _modules_after(
        "import datetime as dt\n"
        "from workbook.zone.loader import load_zone\n"
        "from workbook.forecast.engine import Engine\n"
        "from workbook.forecast.compiled import loaded\n"
        f"zone = load_zone({SAMPLE!r})\n"
        "engine = Engine(zone, as_of=dt.date(2020, 6, 30), trials=200, seed=1)\n"
        "engine.forecast()\n"
        "assert not loaded('workbook.forecast.fused')\n"
        "engine.forecast(engine.params.drivers.replace('start_probability', 0.5))\n"
        "assert loaded('workbook.forecast.fused')"
    )
    assert "numba" in loaded


def test_a_forecast_of_many_trials_loads_every_kernel_of_the_module_as_a_dispatcher():
    loaded = _modules_after(
        "import datetime as dt\n"
        "from workbook.zone.loader import load_zone\n"
        "from workbook.forecast.engine import NUMPY_TRIALS, Engine\n"
        "import workbook.forecast.fused as f\n"
        "from workbook.forecast.compiled import Lazy, loaded\n"
        f"zone = load_zone({SAMPLE!r})\n"
        "engine = Engine(zone, as_of=dt.date(2020, 6, 30), trials=NUMPY_TRIALS + 1, seed=1)\n"
        "fc = engine.forecast()\n"
        "assert loaded('workbook.forecast.fused')\n"
        "assert not any(isinstance(v, Lazy) for v in vars(f).values())\n"
        "assert type(f.deal_span).__name__ == 'CPUDispatcher'\n"
        "assert 0 <= fc.targets['p_attain'].min() <= 1"
    )
    assert "numba" in loaded


def test_numba_set_up_ahead_leaves_a_small_forecast_on_numpy():
    """`compiled.warm` (a warm server does it before it forks): numba is imported and its
    compiler set up, but no module's kernels are loaded, so a first forecast of few trials
    still runs on the numpy twins and gives their numbers."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import datetime as dt\n"
            "from workbook.forecast import compiled\n"
            "from workbook.zone.loader import load_zone\n"
            "from workbook.forecast.engine import NUMPY_TRIALS, Engine\n"
            f"zone = load_zone({SAMPLE!r})\n"
            "def run():\n"
            "    e = Engine(zone, as_of=dt.date(2020, 6, 30), trials=NUMPY_TRIALS, seed=1)\n"
            "    return e.forecast().targets.to_json()\n"
            "cold = run()\n"
            "compiled.warm()\n"
            "import sys\n"
            "assert 'numba' in sys.modules and not compiled.loaded('workbook.forecast.fused')\n"
            "assert run() == cold and not compiled.loaded('workbook.forecast.fused')\n"
            "print('ok')",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
