"""A planner kernel (and the app's server) never imports jsonschema's optional format checkers:
importing workbook.planners first keeps them out, and Altair still imports and validates a
chart."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

PROBE = """
import sys
import workbook.planners
import altair as alt
import jsonschema
chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q")
chart.to_dict(validate=True)
from workbook.files.jsonschema_extras import FORMAT_CHECKERS
loaded = sorted(n for n in FORMAT_CHECKERS if sys.modules.get(n) is not None)
print(loaded)
"""


def test_planners_keep_the_format_checkers_out_and_altair_still_validates():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
