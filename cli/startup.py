"""How a `radar` process spends its start and its end on the cyclic garbage collector.

A command imports pandas, DuckDB and Prefect: 240,000 objects the collector tracks (140,000 of them Prefect's,
which builds thousands of pydantic models), living until the process ends. With the collector on, the imports walk
them again and again while they are made, every full collection of the run walks them once more, and the
interpreter's last collections at exit walk them all a final time: together about 1.1 s of a small `radar run` on a
2-core machine (BENCHMARKS.md).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def imports_frozen() -> Iterator[None]:
    """The collector paused while the block imports; then everything alive is frozen out of later collections
    (`gc.freeze`), and the collector runs again as before for what the command itself makes. Garbage from before
    the block is collected first: frozen, it would never be (in a test process, with its open files)."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def import_frozen(*modules: str) -> None:
    """`modules` imported inside `imports_frozen`, unless they all are already: a process freezes when its imports
    happen, once, not at every command a test process runs (what is alive at a freeze and dropped later is never
    collected)."""
    if all(name in sys.modules for name in modules):
        return
    with imports_frozen():
        for name in modules:
            importlib.import_module(name)


def skip_collection_at_exit() -> None:
    """No collection walks the process's objects once it ends (the system frees its memory); files and connections
    are closed by the code that opened them, and exit handlers still run."""
    atexit.register(gc.freeze)
