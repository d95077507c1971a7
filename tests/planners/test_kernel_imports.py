"""A planner kernel (and the app's server) never imports jsonschema's optional format checkers:
importing workbook.planners first keeps them out, Altair still imports and validates a chart,
and the list is the review's."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO
from workbook.planners import FORMAT_CHECKERS
from workbook.review import FORMAT_CHECKERS as REVIEW_FORMAT_CHECKERS

PROBE = """
import sys
import workbook.planners
import altair as alt
import jsonschema
chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q")
chart.to_dict(validate=True)
loaded = sorted(n for n in workbook.planners.FORMAT_CHECKERS if sys.modules.get(n) is not None)
print(loaded)
"""


def test_planners_keep_the_format_checkers_out_and_altair_still_validates():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_list_is_the_reviews():
    assert FORMAT_CHECKERS == REVIEW_FORMAT_CHECKERS
