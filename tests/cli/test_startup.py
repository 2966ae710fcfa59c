"""The collector around a command's imports and at its exit (cli/startup.py)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from cli.startup import import_frozen, imports_frozen

ROOT = Path(__file__).resolve().parents[2]


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture
def collector():
    """Whatever a test freezes goes back to the collector (this process runs many tests)."""
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    gc.enable() if was_enabled else gc.disable()


def test_imports_frozen_pauses_the_collector_then_freezes_what_the_block_made(collector):
    before = Node()
    earlier_garbage = weakref.ref(before)
    del before
    with imports_frozen():
        assert not gc.isenabled()
        made = Node()
        made_in_block = weakref.ref(made)
        del made
    assert gc.isenabled()
    # Garbage from before the block was collected, not frozen with the rest.
    assert earlier_garbage() is None
    gc.collect()
    assert made_in_block() is not None, "what the block made is out of every later collection"
    after = Node()
    made_after = weakref.ref(after)
    del after
    gc.collect()
    assert made_after() is None, "the command's own garbage is still collected"


def test_imports_frozen_leaves_a_disabled_collector_disabled_even_on_an_error(collector):
    gc.disable()
    with pytest.raises(ImportError), imports_frozen():
        import a_module_that_does_not_exist  # noqa: F401
    assert not gc.isenabled()


_AT_EXIT = """
import atexit, sys
atexit.register(print, "exit handlers ran")
if sys.argv[1] == "radar":
    import cli.main  # noqa: F401

class Loud:
    def __init__(self):
        self.me = self
    def __del__(self):
        print("collected at exit")

Loud()
"""


@pytest.mark.parametrize("process, collected", [("plain", True), ("radar", False)])
def test_a_radar_process_skips_the_collection_at_exit_but_runs_its_exit_handlers(process, collected):
    """The last collections at exit walked every object Prefect made (0.5 s of a small run); nothing a command
    opened relies on them."""
    out = subprocess.run([sys.executable, "-c", _AT_EXIT, process], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "exit handlers ran" in out.stdout
    assert ("collected at exit" in out.stdout) is collected


def test_import_frozen_freezes_only_when_it_imports(collector, monkeypatch):
    """A test process runs many commands: each would otherwise freeze the objects of the tests still alive."""
    monkeypatch.delitem(sys.modules, "json.tool", raising=False)
    gc.unfreeze()
    import_frozen("json", "json.tool")
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    import_frozen("json", "json.tool")  # both imported already
    assert gc.get_freeze_count() == 0
