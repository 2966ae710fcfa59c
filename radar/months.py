"""Months as the product names them: `YYYY-MM` text at the edges, the month's first day (a date) inside."""

from __future__ import annotations

import re
from datetime import date

from radar.errors import RadarError

# Exactly four digits, a dash, two digits: `2026-1` or ` 2026-01` is refused rather than guessed (T38).
_MONTH = re.compile(r"([1-9][0-9]{3})-(0[1-9]|1[0-2])")


class MonthError(RadarError, ValueError):
    """A month that is not `YYYY-MM`."""


def parse_month(text: str) -> date:
    """The one place a month given as text is read: exactly `YYYY-MM`, as the first day of that month."""
    found = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise MonthError(f"bad month {text!r}: expected YYYY-MM, e.g. 2026-10")
    return date(int(found.group(1)), int(found.group(2)), 1)


def validate_month(text: str | None) -> str | None:
    """`text` as canonical `YYYY-MM`, or None when no month was given."""
    return None if text is None else f"{parse_month(text):%Y-%m}"


def month_date(text: str) -> date:
    return parse_month(text)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: str, last: str) -> list[str]:
    """Every `YYYY-MM` from `first` to `last`, both included."""
    out, current, end = [], month_date(first), month_date(last)
    while current <= end:
        out.append(f"{current:%Y-%m}")
        current = add_months(current, 1)
    return out
