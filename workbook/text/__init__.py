"""Text a planner reads, in Chinese (default) and English: one catalogue keyed by id.

Importing the package puts every source of entries into `workbook.text.catalogue.CATALOGUE`
(messages, label tables, phrases), so a lookup never depends on which module came first.
"""

from workbook.text import labels, messages, phrases  # noqa: F401  (they fill the catalogue)
