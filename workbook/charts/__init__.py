"""Charts: pure functions DataFrame -> alt.Chart, in the house theme (registered on import).

Importing this package imports Altair; `import workbook` does not import it.
"""

from workbook.charts.theme import FONT, METRIC_COLORS, register

register()

__all__ = ["FONT", "METRIC_COLORS", "register"]
