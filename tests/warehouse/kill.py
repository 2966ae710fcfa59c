"""Run Python code in a child process and SIGKILL it at a named fault point (RADAR_KILL_AT, warehouse/faults.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def kill_at(point: str, code: str, *args: str, what: str = "the load") -> None:
    """Run `code` with `args` as sys.argv[1:] and kill it -9 as soon as it prints that it reached `point`."""
    env = {**os.environ, "RADAR_KILL_AT": point}
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            text=True)
    try:
        for line in proc.stdout:
            if line.strip() == f"REACHED {point}":
                break
        else:
            pytest.fail(f"{what} never reached {point}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
