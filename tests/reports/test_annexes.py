"""T34: CSV and XLSX annexes are safe against formula injection; numbers, dates and booleans keep their type."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from reports.annexes import neutralise, write_csv, write_xlsx

PAYLOADS = ["=1+1", "+33 1 23 45 67 89", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")',
            "=cmd|' /C calc'!A0"]
COLUMNS = [("name", "Nom"), ("count", "Nombre"), ("score", "Score"), ("day", "Date"), ("flag", "Siège"),
           ("siret", "SIRET")]


def _rows():
    rows = [{"name": p, "count": -5, "score": 0.75, "day": date(2024, 11, 3), "flag": True, "siret": "00012345600018"}
            for p in PAYLOADS]
    rows.append({"name": "NORMAL SAS", "count": 1234, "score": None,
                 "day": datetime(2024, 11, 3, 9, 30, tzinfo=UTC), "flag": False, "siret": "12345678900011"})
    return rows


def test_neutralise_quotes_formula_starts_only():
    assert [neutralise(p) for p in PAYLOADS] == ["'" + p for p in PAYLOADS]
    assert neutralise("NORMAL") == "NORMAL" and neutralise("a=b") == "a=b"
    assert neutralise(-5) == -5 and neutralise(0.5) == 0.5 and neutralise(None) is None


def test_csv_cells_cannot_start_a_formula(tmp_path):
    path = write_csv(tmp_path / "a.csv", COLUMNS, _rows())
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [label for _, label in COLUMNS]
    for row in rows[1:]:
        assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r")), row[0]
    assert [r[0] for r in rows[1:len(PAYLOADS) + 1]] == ["'" + p for p in PAYLOADS]
    assert rows[1][1:] == ["-5", "0.75", "2024-11-03", "oui", "00012345600018"]  # a negative number stays a number
    assert rows[-1][1:] == ["1234", "", "2024-11-03T09:30:00+00:00", "non", "12345678900011"]


def test_xlsx_has_no_formula_and_keeps_numbers(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [("Liste =1+1", COLUMNS, _rows()), ("Vide", COLUMNS, [])])
    book = load_workbook(path)
    assert book.sheetnames == ["Liste =1+1", "Vide"]
    sheet = book["Liste =1+1"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    # XML reads a bare CR as a line feed: the cell is still quoted text
    assert [sheet.cell(i + 2, 1).value for i in range(len(PAYLOADS))] == ["'" + p.replace("\r", "\n")
                                                                          for p in PAYLOADS]
    assert sheet["B2"].value == -5 and sheet["B2"].data_type == "n" and sheet["C2"].value == 0.75
    assert sheet["D2"].value == datetime(2024, 11, 3) and sheet["E2"].value is True
    assert sheet["F2"].value == "00012345600018" and sheet["F2"].data_type == "s"  # leading zeros kept
    assert sheet[f"B{len(PAYLOADS) + 2}"].value == 1234
