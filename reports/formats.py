"""French formats of the report, the annexes and the e-mail (Babel, locale fr_FR), as Jinja2 filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LOCALE = "fr_FR"


def num(value) -> str:
    return "—" if value is None else format_decimal(value, locale=LOCALE)


def signed(value) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "−" if value < 0 else "") + format_decimal(abs(value), locale=LOCALE)


def percent(value, signed_: bool = False) -> str:
    if value is None:
        return "—"
    text = format_percent(abs(value) if signed_ else value, format="#,##0.0\u202f%", locale=LOCALE)  # never cut before « % »
    return (("+" if value > 0 else "−" if value < 0 else "") + text) if signed_ else text


def month_long(value: date | None) -> str:
    return "—" if value is None else format_date(value, "MMMM y", locale=LOCALE)


def month_short(value: date | None) -> str:
    return "—" if value is None else format_date(value, "MMM y", locale=LOCALE)


def date_long(value: date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date() if value.tzinfo else value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {format_date(value, 'MMMM y', locale=LOCALE)}"


def date_short(value: date | None) -> str:
    """31/08/2026: list columns are narrow."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date() if value.tzinfo else value.date()
    return format_date(value, "dd/MM/y", locale=LOCALE)


def datetime_long(value: datetime | None) -> str:
    if value is None:
        return "—"
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return f"{date_long(value.date())} à {format_datetime(value, 'HH:mm', tzinfo=UTC, locale=LOCALE)} UTC"


def score(value) -> str:
    return "—" if value is None else format_decimal(round(value, 2), locale=LOCALE)


def plural(count: int | None, one: str, many: str) -> str:
    """« 1 arrivée », « 0 arrivée », « 3 arrivées » (French: 0 and 1 take the singular)."""
    count = count or 0
    return f"{num(count)} {one if abs(count) < 2 else many}"


def safe_url(value: str | None) -> str | None:
    """A link target only if it is plain http(s) (or mailto); anything else (javascript:, data:, file:) is dropped."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in ("http", "https", "mailto") or any(c in value for c in "\x00\r\n\t\"'<> "):
        return None
    return value


FILTERS = {"num": num, "signed": signed, "percent": percent, "month_long": month_long, "month_short": month_short,
           "date_long": date_long, "date_short": date_short, "datetime_long": datetime_long, "score": score}
