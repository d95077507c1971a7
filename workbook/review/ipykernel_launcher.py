"""The review kernel's process: ipykernel's own launcher (`python -m ipykernel_launcher`),
ended by `workbook.files.ending.exit_now` once the kernel has shut down.

A review waits for its kernel to end: jupyter_client asks it to shut down and then waits for
the process to be gone. After a review the kernel holds pandas, scipy, Altair, python-docx and
the review's own objects, and the interpreter's teardown that frees them one by one took
~1.1 s of every review (an empty kernel's: ~0.1 s). Here the kernel ends as the interpreter
would (its threads joined, the `atexit` handlers run: history, temporary folders), but leaves
without that teardown. `workbook.review.runner` starts its kernels with this module in place
of `ipykernel_launcher` (named after it: whoever looks for a kernel's process by its command
line still finds it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbook.files.ending import exit_now


def main() -> None:
    # as ipykernel_launcher: the working folder off the path while ipykernel loads (the
    # kernel puts it back when it sets up its shell)
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel import kernelapp

    code = 0
    try:
        kernelapp.launch_new_instance()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    exit_now(code)


if __name__ == "__main__":
    main()
