"""Named points where tests inject a failure or a hard kill.

RADAR_FAIL_AT=point raises InjectedFailure there; RADAR_FAIL_AT=point:ENOSPC raises the OSError a full disk gives
(any errno name works), where a real full disk needs privileges the test machine lacks (a small tmpfs).
RADAR_KILL_AT=point makes the process print REACHED <point> and block until the test kills it."""

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
    if os.environ.get("RADAR_KILL_AT") == point:
        print(f"REACHED {point}", flush=True)
        sys.stdout.flush()
        while True:
            time.sleep(60)
