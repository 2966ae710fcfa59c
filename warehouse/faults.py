"""Named points where tests inject a failure or a hard kill.

RADAR_FAIL_AT=point raises InjectedFailure there; RADAR_FAIL_AT=point:ENOSPC raises the OSError a full disk gives
(any errno name works), where a real full disk needs privileges the test machine lacks (a small tmpfs).
RADAR_KILL_AT=point makes the process print REACHED <point> and block until the test kills it;
RADAR_PAUSE_AT=point:seconds makes it print the same, then go on after that long (two runs made to overlap)."""

from __future__ import annotations

import errno
import os
import sys
import time


class InjectedFailure(RuntimeError):
    pass


def checkpoint(point: str) -> None:
    failing, _, error = os.environ.get("RADAR_FAIL_AT", "").partition(":")
    if failing == point:
        if error:
            code = getattr(errno, error)
            raise OSError(code, os.strerror(code))
        raise InjectedFailure(f"injected failure at {point}")
    pausing, _, seconds = os.environ.get("RADAR_PAUSE_AT", "").partition(":")
    if pausing == point:
        _reached(point)
        time.sleep(float(seconds or 5))
    if os.environ.get("RADAR_KILL_AT") == point:
        _reached(point)
        while True:
            time.sleep(60)


def _reached(point: str) -> None:
    # Written, not printed: inside a flow, Prefect turns prints into log records (log_prints).
    sys.stdout.write(f"REACHED {point}\n")
    sys.stdout.flush()
