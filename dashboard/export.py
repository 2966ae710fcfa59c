"""CSV and XLSX exports of what a page shows, safe against formula injection (T34): a text cell starting with
= + - @ TAB or CR is prefixed with a quote, so spreadsheets show it as text; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cells(df: pd.DataFrame) -> list[list]:
    out = []
    for row in df.itertuples(index=False, name=None):
        cells = []
        for v in row:
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append(None)
            elif isinstance(v, pd.Timestamp):
                cells.append(v.to_pydatetime())
            else:
                cells.append(neutralise(v) if isinstance(v, str) else v)
        out.append(cells)
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")  # ';' is what French spreadsheets expect
    writer.writerow([neutralise(str(c)) for c in df.columns])
    for cells in _cells(df):
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, (date, datetime)) else v)
                         for v in cells])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def to_xlsx(df: pd.DataFrame, sheet: str = "Entreprises") -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([neutralise(str(c)) for c in df.columns])
    for cells in _cells(df):
        row = []
        for v in cells:
            if isinstance(v, datetime) and v.tzinfo is not None:
                v = v.replace(tzinfo=None)
            if isinstance(v, str):
                # openpyxl writes a leading '=' as a formula; neutralised text never starts with one.
                v = v.replace("\x00", "")
            row.append(v)
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
