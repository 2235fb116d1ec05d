"""Text answers in data files (có / không / một phần) read as the numbers a point rule scores."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import dxframework as dxf
from dxframework.errors import DataError


def _district_rows() -> tuple[list[str], list[dict[str, str]]]:
    path = dxf.get_pack("backan").level("district").data_path
    assert path is not None
    with open(path, encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_excel_with_text_answers_scores_like_numbers(tmp_path: Path) -> None:
    """An .xlsx whose yes/no cells say "Có"/"KHÔNG" (and NFD text) scores like 1/0."""
    header, rows = _district_rows()
    words = {"1": "Có", "0": "KHÔNG"}
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        cells = []
        for h in header:
            value = r[h]
            if h in ("NT3", "TC1") and value in words:
                value = words[value]
                if h == "TC1":
                    value = unicodedata.normalize("NFD", value)
            cells.append(value)
        ws.append(cells)
    path = tmp_path / "districts.xlsx"
    wb.save(path)
    level = dxf.get_pack("backan").level("district")
    from_text = level.run(path).scores
    from_numbers = level.run().scores
    np.testing.assert_array_equal(from_text.values, from_numbers.values)


def test_unknown_answer_names_row_column_and_choices(tmp_path: Path) -> None:
    """An answer the indicator does not accept is an error with row, column and the choices."""
    header, rows = _district_rows()
    rows[2]["NT3"] = "chưa rõ"
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(DataError) as info:
        dxf.get_pack("backan").level("district").load_data(path)
    problem = info.value.problems[0]
    assert problem.row == 4 and problem.column == "NT3"
    assert "'có'" in str(problem) and "chưa rõ" in str(problem)
