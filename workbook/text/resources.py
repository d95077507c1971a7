"""Where the files that ship with the workbook are, in a source checkout and in an installed
wheel alike: the notebooks (`notebooks/` of the checkout; copied into the package as
`workbook/notebooks/` when a wheel is built, see setup.py), the sample zone (checkout only) and
the folder a run writes its `reports/` under.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
CHECKOUT = PACKAGE.parent  # the repository, when the package runs from a source checkout
ENV_WORKDIR = "WORKBOOK_WORKDIR"  # set by `workbook app` to the folder it was started in


def notebooks_dir() -> Path:
    """The folder of the shipped notebooks: inside the package (wheel) or the checkout's."""
    inside = PACKAGE / "notebooks"
    return inside if inside.is_dir() else CHECKOUT / "notebooks"


def is_checkout() -> bool:
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "notebooks").is_dir()


def sample_params() -> Path:
    """The sample zone's params file (only a source checkout has it)."""
    return CHECKOUT / "params" / "jining-2020.yaml"


def work_dir() -> Path:
    """Where `reports/` goes by default: the app's folder, else the checkout, else the
    current folder (an installed package never writes into site-packages)."""
    env = os.environ.get(ENV_WORKDIR)
    if env:
        return Path(env)
    return CHECKOUT if is_checkout() else Path.cwd()
