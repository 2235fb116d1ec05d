"""Results as a spreadsheet: an XLSX workbook per scored level, or CSV files with a BOM.

The workbook has a sheet ``results`` (every unit and period, each score followed by its
rank, as ``results.csv``), one sheet per pipeline stage (the data set after it), then
``records`` (what each stage did), ``weights`` (each edge's nominal weight and each code's
effective weight in the index), ``framework`` (codes, names, levels, units) and
``manifest`` (the run's provenance). Headers are in Vietnamese or English; scores carry
a number format with four decimals, ranks are whole numbers; every text cell goes
through :func:`dxframework.io.safe.neutralise`, so no name is run as a formula.

Requires ``openpyxl`` (the ``report`` extra, or the ``excel`` one).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from dxframework.io.safe import neutralise
from dxframework.model.dataset import Dataset
from dxframework.model.text import natural_key
from dxframework.pipeline.result import RunResult

__all__ = ["HEADERS", "csv_bytes", "workbook_bytes"]

HEADERS = {
    "vi": {
        "unit": "Mã đơn vị",
        "name": "Tên đơn vị",
        "period": "Năm",
        "rank": "hạng",
        "stage": "Bước",
        "kind": "Loại",
        "method": "Phương pháp",
        "key": "Mục",
        "value": "Giá trị",
        "parent": "Chỉ số cấp trên",
        "child": "Chỉ số thành phần",
        "weight": "Trọng số",
        "effective": "Trọng số thực trong chỉ số tổng hợp",
        "code": "Mã",
        "name_vi": "Tên (tiếng Việt)",
        "name_en": "Tên (tiếng Anh)",
        "level": "Cấp",
        "unit_of": "Đơn vị tính",
        "role": "Vai trò",
        "indicator": "chỉ tiêu",
        "aggregate": "chỉ số tổng hợp",
    },
    "en": {
        "unit": "Unit code",
        "name": "Unit name",
        "period": "Period",
        "rank": "rank",
        "stage": "Stage",
        "kind": "Kind",
        "method": "Method",
        "key": "Item",
        "value": "Value",
        "parent": "Parent",
        "child": "Child",
        "weight": "Weight",
        "effective": "Effective weight in the index",
        "code": "Code",
        "name_vi": "Name (Vietnamese)",
        "name_en": "Name (English)",
        "level": "Level",
        "unit_of": "Unit",
        "role": "Role",
        "indicator": "indicator",
        "aggregate": "aggregate",
    },
}
SCORE_FORMAT = "0.0000"
RANK_FORMAT = "0"
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _text(value: Any) -> str:
    return neutralise(str(value))


def _number(value: Any) -> float | None:
    v = float(value)
    return None if math.isnan(v) else v


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET.sub("_", name)[:31] or "sheet"
    out, n = base, 2
    while out.lower() in taken:
        suffix = f"_{n}"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(out.lower())
    return out


def _data_rows(
    data: Dataset, ranks: Dataset | None, h: Mapping[str, str]
) -> tuple[list[str], list[list[Any]], list[str | None]]:
    """Header, rows and each column's number format of a data set (ranks after scores)."""
    header = [h["unit"], h["name"], h["period"]]
    formats: list[str | None] = [None, None, RANK_FORMAT]
    for c in data.columns:
        header.append(_text(c))
        formats.append(SCORE_FORMAT)
        if ranks is not None:
            header.append(_text(f"{c} ({h['rank']})"))
            formats.append(RANK_FORMAT)
    rows: list[list[Any]] = []
    units = data.units  # rows in natural order of the unit codes, as results.csv
    order = sorted(range(len(units)), key=lambda k: natural_key(units[k].code))
    for p, period in enumerate(data.periods):
        year = int(period) if period else None  # data without a period column: no year
        for i in order:
            u = units[i]
            row: list[Any] = [_text(u.code), _text(u.name or ""), year]
            for j in range(len(data.columns)):
                row.append(_number(data.values[p, i, j]))
                if ranks is not None:
                    r = _number(ranks.values[p, i, j])
                    row.append(None if r is None else int(r))
            rows.append(row)
    return header, rows, formats


def _write(ws: Any, header: list[str], rows: list[list[Any]], formats: list[str | None]) -> None:
    from openpyxl.styles import Font

    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for j, fmt in enumerate(formats, start=1):
        if fmt is None:
            continue
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            if isinstance(cell.value, int | float):
                cell.number_format = fmt
    ws.freeze_panes = "D2" if header and len(formats) > 3 else "A2"
    for j, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[j - 1])) for r in rows[:200] if r[j - 1]])
        ws.column_dimensions[ws.cell(1, j).column_letter].width = min(60, max(8, width + 2))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def workbook_bytes(result: RunResult, lang: str = "vi") -> bytes:
    """The workbook of one run (see the module's description), as XLSX bytes."""
    from openpyxl import Workbook

    h = HEADERS[lang if lang in HEADERS else "en"]
    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = _sheet_name("results", taken)
    _write(ws, *_data_rows(result.scores, result.ranks, h))
    for stage in result.stages:
        _write(wb.create_sheet(_sheet_name(stage.name, taken)), *_data_rows(stage.data, None, h))

    records = []
    for stage in result.stages:
        for key, value in stage.record.items():
            records.append(
                [
                    _text(stage.name),
                    _text(stage.stage.kind),
                    _text(stage.stage.method or ""),
                    _text(key),
                    _text(_json(value)),
                ]
            )
    _write(
        wb.create_sheet(_sheet_name("records", taken)),
        [h["stage"], h["kind"], h["method"], h["key"], h["value"]],
        records,
        [None] * 5,
    )

    fw = result.framework
    index = fw.index or fw.aggregate_codes[-1]
    try:
        effective = fw.effective_weights(index)
    except Exception:  # a framework without one index: no effective weights
        effective = {}
    weights = [
        [_text(e.parent), _text(e.child), float(e.weight), effective.get(e.child)] for e in fw.edges
    ]
    _write(
        wb.create_sheet(_sheet_name("weights", taken)),
        [h["parent"], h["child"], h["weight"], h["effective"]],
        weights,
        [None, None, "0.####", SCORE_FORMAT],
    )
    nodes = []
    for code, node in fw.nodes.items():
        kind = h["aggregate"] if code in set(fw.aggregate_codes) else h["indicator"]
        nodes.append(
            [
                _text(code),
                _text(getattr(node, "name_vi", "")),
                _text(getattr(node, "name_en", "")),
                fw.level(code),
                _text(getattr(node, "unit", "")),
                _text(kind),
            ]
        )
    _write(
        wb.create_sheet(_sheet_name("framework", taken)),
        [h["code"], h["name_vi"], h["name_en"], h["level"], h["unit_of"], h["role"]],
        nodes,
        [None, None, None, RANK_FORMAT, None, None],
    )
    manifest = [[_text(k), _text(_json(v))] for k, v in result.manifest.items()]
    _write(
        wb.create_sheet(_sheet_name("manifest", taken)),
        [h["key"], h["value"]],
        manifest,
        [None, None],
    )
    wb.properties.creator = "dxframework"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(text: str, bom: bool = False) -> bytes:
    """CSV text as UTF-8 bytes, with a byte-order mark on request (Excel then reads the
    Vietnamese right)."""
    return ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")
