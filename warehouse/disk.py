"""Free space, checked before the warehouse is written (T15): a load refused at the start leaves everything as it
was, where one that fills the disk halfway fails in DuckDB's own words. The minimum is RADAR_MIN_FREE_MB
(default 500 MB): a month's load writes the landing zone, the warehouse and its WAL, and a new snapshot beside the
published one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from radar.errors import RadarError

MIN_FREE_ENV = "RADAR_MIN_FREE_MB"
DEFAULT_MIN_FREE_MB = 500


class DiskSpaceLow(RadarError, OSError):
    """Less free space than the configured minimum where the warehouse lives."""


def minimum_free_mb() -> int:
    value = os.environ.get(MIN_FREE_ENV, str(DEFAULT_MIN_FREE_MB))
    try:
        mb = int(value)
    except ValueError:
        raise DiskSpaceLow(f"{MIN_FREE_ENV}={value!r}: expected a number of megabytes") from None
    return max(mb, 0)


def check_free_space(folder: Path) -> None:
    """Raise DiskSpaceLow, naming the folder, what is free and what is needed."""
    needed = minimum_free_mb()
    free = shutil.disk_usage(folder).free // (1 << 20)
    if free < needed:
        raise DiskSpaceLow(f"only {free:,} MB free for {folder} ({MIN_FREE_ENV} asks for {needed:,} MB): nothing "
                           f"was written; free some space (old landing folders, the download cache) and run again")
