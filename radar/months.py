"""Months as the product names them: `YYYY-MM` text at the edges, the month's first day (a date) inside."""

from __future__ import annotations

from datetime import date, datetime

from radar.errors import RadarError


class MonthError(RadarError, ValueError):
    """A month that is not `YYYY-MM`."""


def parse_month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        raise MonthError(f"bad month {text!r}: expected YYYY-MM, e.g. 2026-10") from None


def validate_month(text: str | None) -> str | None:
    """`text` as canonical `YYYY-MM`, or None when no month was given."""
    return None if text is None else f"{parse_month(text):%Y-%m}"


def month_date(text: str) -> date:
    year, mon = text.split("-")
    return date(int(year), int(mon), 1)


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
