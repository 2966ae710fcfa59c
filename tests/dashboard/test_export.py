"""Exports of the Entreprises page: formula injection neutralised (T34), numbers kept, French-friendly CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from dashboard.export import neutralise, to_csv, to_xlsx

HOSTILE = ['=HYPERLINK("http://127.0.0.1:9/","x")', "@SUM(1)", "+33 1 23", "-2+3", "\t=1+1", "\r=1", "ACME"]


def frame() -> pd.DataFrame:
    return pd.DataFrame({"Dénomination": pd.array(HOSTILE, dtype="string"),
                         "Résultat net": pd.array([-35000, 1, 2, 3, 4, 5, None], dtype="Int64"),
                         "Date de création": [date(2024, 1, 2)] * 7})


def test_neutralise():
    assert [neutralise(v) for v in HOSTILE] == ["'" + v for v in HOSTILE[:-1]] + ["ACME"]
    assert neutralise(-3) == -3


def test_csv_cells_are_text_and_numbers_stay_numbers():
    text = to_csv(frame()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Dénomination", "Résultat net", "Date de création"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE[:-1]] + ["ACME"]
    assert [r[1] for r in rows[1:]] == ["-35000", "1", "2", "3", "4", "5", ""]
    assert rows[1][2] == "2024-01-02"


def test_xlsx_has_no_formula_and_keeps_numbers():
    wb = load_workbook(io.BytesIO(to_xlsx(frame())))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # XML stores a carriage return as a newline; the quote still comes first.
    assert [v[0] for v in values] == ["'" + v.replace("\r", "\n") for v in HOSTILE[:-1]] + ["ACME"]
    assert values[0][1] == -35000 and values[6][1] is None
