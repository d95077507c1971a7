"""A forecast command's own process keeps the memory it frees (workbook.files.heap): arrays made
again after others were freed reuse their pages instead of faulting fresh ones in; any other
process (a test run, a kernel) is left as it is."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Make and free 40 arrays of 3 MB (below numpy's huge-page size, above glibc's first
# threshold), then make them again: the second round's minor page faults.
_ROUNDS = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from workbook.files import heap

    if sys.argv[1] == "own":
        heap.own_process()
    print(heap.keep_freed_memory())

    def make():
        arrays = [np.ones(3 << 18) for _ in range(40)]  # 3 MB each, every page written
        del arrays

    make()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    make()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


def _second_round(mode: str) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _ROUNDS, mode], capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_commands_own_process_reuses_the_pages_it_freed():
    done, faults = _second_round("own")
    assert done == "True"
    # 120 MB made again: pages reused, a few hundred faults at most (30,000 if all were new)
    assert faults < 2_000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_process_that_goes_on_is_left_as_it_is():
    done, faults = _second_round("other")
    assert done == "False"
    assert faults > 10_000  # glibc's own behaviour: freed blocks handed back and faulted again
