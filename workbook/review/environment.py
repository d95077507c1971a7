"""What a kernel the review runner started is told through its environment."""

from __future__ import annotations

import os

# Set by the review runner in the environment of the kernels it starts: nobody looks at a
# widget there, so Altair's JupyterChart (anywidget, ipywidgets) need not be imported, and
# the review's files may be written by a forked copy of the kernel (workbook.review.beside).
BATCH_KERNEL = "WORKBOOK_BATCH_KERNEL"


def in_batch_kernel() -> bool:
    """Whether this process is a kernel the review runner started."""
    return os.environ.get(BATCH_KERNEL) == "1"


__all__ = ["BATCH_KERNEL", "in_batch_kernel"]
