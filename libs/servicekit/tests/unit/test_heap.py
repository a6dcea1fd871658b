"""The start-up heap frozen once per process (``servicekit.heap``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

SCRIPT = """
import gc
from servicekit import heap
from servicekit.service import Service  # a service process's imports
alive = [[i] for i in range(50_000)]  # what start-up left behind (lists are tracked)
walked = {id(o) for o in gc.get_objects()}  # what a full collection walks
frozen = heap.freeze_startup_heap()
again = heap.freeze_startup_heap()
later = [-1]
walked_now = {id(o) for o in gc.get_objects()}
print(
    frozen >= 50_000 and again == frozen,  # once per process
    id(alive[0]) in walked and id(alive[0]) not in walked_now,  # out of the walk
    id(later) in walked_now,  # what comes after is collected as before
)
"""


def test_the_startup_heap_is_frozen_once_and_full_collections_skip_it() -> None:
    # a process of its own: freezing is for the whole interpreter
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "True", "True"]
