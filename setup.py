"""Only to put the notebooks into the wheel: `notebooks/*.ipynb` of the checkout are copied to
`workbook/notebooks/` at build time (everything else is in pyproject.toml)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithNotebooks(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "workbook" / "notebooks"
        target.mkdir(parents=True, exist_ok=True)
        for notebook in sorted(Path(__file__).parent.joinpath("notebooks").glob("*.ipynb")):
            shutil.copy2(notebook, target / notebook.name)


setup(cmdclass={"build_py": BuildWithNotebooks})
