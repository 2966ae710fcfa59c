"""French number and date formats (Babel), as the agency reads them."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALE = "fr_FR"


def number(value) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=LOCALE)


def signed(value) -> str:
    if value is None:
        return "–"
    text = format_decimal(abs(value), locale=LOCALE)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else "0")


def percent(value) -> str:
    if value is None:
        return "–"
    return format_percent(value, locale=LOCALE, format="#,##0.0 %")


def day(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="d MMMM y", locale=LOCALE)


def short_day(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="dd/MM/y", locale=LOCALE)


def month(value: date | None) -> str:
    if value is None:
        return "–"
    return format_date(value, format="LLLL y", locale=LOCALE)


def timestamp(value) -> str:
    if value is None:
        return "–"
    from babel.dates import format_datetime

    return format_datetime(value, format="dd/MM/y HH:mm", tzinfo="Europe/Paris", locale=LOCALE)


def of_month(value: date | None) -> str:
    """« d'octobre 2026 », « de mars 2026 »: the month after « de », elided before a vowel."""
    text = month(value)
    return f"d'{text}" if text[:1] in "aeiouy" else f"de {text}"


def euros(value) -> str:
    if value is None or value != value:  # None or NaN
        return "–"
    return format_decimal(round(value), locale=LOCALE) + " €"
