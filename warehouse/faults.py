"""Named points where tests inject a failure (RADAR_FAIL_AT=point) or a hard kill (RADAR_KILL_AT=point: the
process prints REACHED <point> and blocks until the test kills it)."""

from __future__ import annotations

import os
import sys
import time


class InjectedFailure(RuntimeError):
    pass


def checkpoint(point: str) -> None:
    if os.environ.get("RADAR_FAIL_AT") == point:
        raise InjectedFailure(f"injected failure at {point}")
    if os.environ.get("RADAR_KILL_AT") == point:
        print(f"REACHED {point}", flush=True)
        sys.stdout.flush()
        while True:
            time.sleep(60)
