"""Reading and writing assessment tables: one row per unit, sub-indicator and period.

The long table has the columns ``unit, indicator, period, self, verified, evidence,
evidence_note, status, agency, person, deadline, comment`` (and optionally ``name`` and
``parent`` of the unit). Headers may be written in Vietnamese or English, with or without
accents (``Mã đơn vị``, ``Tự đánh giá``, ``Thẩm định``, ``Minh chứng``, ``Trạng thái``,
``Hạn``…); title rows above the header are skipped. Values read like any data cell (decimal
comma or point, ``75%`` for a percentage, the indicator's text answers such as ``Có`` /
``Không``) and are checked against the indicator's bounds. Statuses are accepted in
Vietnamese and English, accents and case ignored; dates as ``17/03/2024`` or ``2024-03-17``.
Evidence cells may list several references separated by ``;`` or line breaks. Every bad cell
is a :class:`~dxframework.errors.DataError` problem naming the file, row and column.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dxframework.assessment.records import (
    Assessment,
    AssessmentRecord,
    accepted_statuses,
    parse_status,
)
from dxframework.errors import DataError, Problem
from dxframework.io import numbers as nums
from dxframework.io.tables import read_tables
from dxframework.model.framework import Framework
from dxframework.model.text import fold_text

__all__ = [
    "COLUMNS",
    "assessment_json",
    "assessment_rows",
    "parse_date",
    "read_assessment",
    "read_assessments",
]

COLUMNS = (
    "unit",
    "indicator",
    "period",
    "self",
    "verified",
    "evidence",
    "evidence_note",
    "status",
    "agency",
    "person",
    "deadline",
    "comment",
)
"""The columns of a long assessment table, in the order they are written."""

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "unit": ("unit", "unit code", "code", "ma", "ma don vi", "ma dv", "don vi"),
    "name": ("name", "unit name", "ten", "ten don vi", "ten dv"),
    "parent": ("parent", "parent unit", "don vi cap tren"),
    "indicator": (
        "indicator",
        "indicator code",
        "criterion",
        "chi tieu",
        "ma chi tieu",
        "chi so",
        "ma chi so",
        "tieu chi",
        "ma tieu chi",
    ),
    "period": ("period", "year", "nam", "ky", "ky danh gia"),
    "self": (
        "self",
        "self value",
        "self assessed",
        "self assessment",
        "tu danh gia",
        "tu cham",
        "gia tri tu danh gia",
        "diem tu cham",
    ),
    "verified": (
        "verified",
        "verified value",
        "appraised",
        "tham dinh",
        "gia tri tham dinh",
        "ket qua tham dinh",
        "diem tham dinh",
    ),
    "evidence": ("evidence", "minh chung", "tai lieu minh chung", "ho so minh chung"),
    "evidence_note": ("evidence note", "ghi chu minh chung", "mo ta minh chung"),
    "status": ("status", "trang thai", "tinh trang"),
    "agency": ("agency", "responsible agency", "co quan", "co quan phu trach", "don vi phu trach"),
    "person": ("person", "responsible", "nguoi phu trach", "can bo phu trach"),
    "deadline": ("deadline", "due", "han", "thoi han", "han hoan thanh"),
    "comment": (
        "comment",
        "reviewer comment",
        "nhan xet",
        "y kien",
        "y kien tham dinh",
        "nhan xet tham dinh",
    ),
}
# columns a table may hold that carry nothing to read (row numbers, indicator names)
_IGNORED = ("stt", "no", "no.", "ten chi tieu", "indicator name", "ten tieu chi", "noi dung")

_ROLE_OF: Mapping[str, str] = {
    fold_text(a).replace("_", " "): role for role, names in _ALIASES.items() for a in names
}

_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}([.,\s]\d{3})+|\d+)([.,]\d+)?$")


def _role(header: str) -> str | None:
    key = " ".join(fold_text(header).replace("_", " ").replace("-", " ").split())
    if key in _ROLE_OF:
        return _ROLE_OF[key]
    if key in _IGNORED:
        return ""
    return None


def parse_date(cell: Any) -> dt.date | None:
    """A date cell: a date or datetime, ``17/03/2024`` (day first) or ``2024-03-17``.

    Returns ``None`` for an empty cell; raises ``ValueError`` for anything else.
    """
    if cell is None:
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = str(cell).strip()
    if not text:
        return None
    m = _DATE_ISO.match(text)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DATE_DMY.match(text)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    raise ValueError(f"{text!r} is not a date")


def _number(text: str, decimal: str | None) -> float | None:
    """A plain number (no percent sign); ``None`` when it is not one or is ambiguous."""
    c = nums.resolve_table([nums.classify(text)], decimal)[0]
    if c.kind == nums.NUMBER and not c.percent:
        return c.value
    if c.kind == nums.MISSING:
        return math.nan
    return None


def _table_decimal(cells: Sequence[str]) -> str | None:
    """The decimal separator the table's unambiguous value cells show (``None``: unknown)."""
    evidence: list[str] = []
    for t in cells:
        evidence += nums.classify(t).evidence
    return nums.table_decimal(evidence)


class _Reader:
    def __init__(
        self,
        source: str,
        framework: Framework | None,
        auxiliary: Sequence[str],
        decimal: str | None,
        style: Any = None,
    ) -> None:
        self.source = source
        self.framework = framework
        self.auxiliary = tuple(auxiliary)
        self.decimal = decimal
        self.style = style
        self.problems: list[Problem] = []
        known = (*(framework.indicator_codes if framework else ()), *self.auxiliary)
        self.codes = {c: c for c in known}
        self.folded = {fold_text(c): c for c in known}

    def problem(self, message: str, row: int, column: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.source, row=row, column=column, hint=hint))

    def indicator(self, text: str, row: int, column: str) -> str | None:
        if not text:
            self.problem("the indicator is empty", row, column)
            return None
        if self.framework is None:
            return text
        code = self.codes.get(text) or self.folded.get(fold_text(text))
        if code is None:
            self.problem(
                f"unknown indicator {text!r}",
                row,
                column,
                hint=f"indicators of this level: {', '.join(self.codes)}",
            )
        return code

    def _looks_like_text(self, text: str) -> bool:
        return nums.classify(text).kind == nums.BAD

    def _text_number(
        self, text: str, ind: Any, code: str, row: int, column: str
    ) -> tuple[float | None, bool]:
        """A text cell as a number: ``(value, reported)``; ``reported`` when a problem was
        recorded for it."""
        c = nums.resolve_table([nums.classify(text, self.style)], self.decimal)[0]
        if c.kind == nums.MISSING:
            return math.nan, False
        if c.kind == nums.AMBIGUOUS:
            self.problem(
                f"{text!r} reads as {c.value_if_decimal:g} or {c.value_if_group:g}",
                row,
                column,
                hint="give --locale vi or en, or write the number unambiguously",
            )
            return None, True
        if c.kind != nums.NUMBER:
            return None, False
        if not c.percent:
            return c.value, False
        kind = ind.scale_kind if ind is not None else None
        if kind == "percent":
            return c.value, False
        if kind == "fraction":
            return c.value / 100, False
        self.problem(
            f"{text!r}: {code} is not a percentage",
            row,
            column,
            hint=f"write the value in {code}'s unit ({ind.unit if ind else 'a number'})",
        )
        return None, True

    def value(self, cell: Any, code: str, row: int, column: str) -> float:
        """A self or verified cell as a number (NaN: empty); a bad cell is a problem."""
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return math.nan
        ind = (
            self.framework.indicator(code)
            if self.framework is not None and code in self.framework.indicator_codes
            else None
        )
        value: float | None
        if isinstance(cell, bool):
            value = float(cell)
        elif isinstance(cell, int | float):
            value = float(cell)
            if not math.isfinite(value):
                value = None
        else:
            text = str(cell).strip()
            value = None
            if ind is not None and ind.answers:
                answers = {fold_text(k): v for k, v in ind.answers.items()}
                value = answers.get(fold_text(text))
                if value is None and self._looks_like_text(text):
                    accepted = " / ".join(ind.answers)
                    self.problem(
                        f"{text!r} is not an answer of {code}",
                        row,
                        column,
                        hint=f"write one of: {accepted}",
                    )
                    return math.nan
            if value is None:
                value, done = self._text_number(text, ind, code, row, column)
                if done:
                    return math.nan
        if value is None:
            self.problem(f"{cell!r} is not a number", row, column)
            return math.nan
        if ind is not None:
            lo, hi = ind.value_bounds
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                span = f"{'' if lo is None else lo:g}–{'' if hi is None else hi:g}".replace(
                    "–", " to "
                )
                self.problem(
                    f"{value:g} is outside the bounds of {code} ({span})",
                    row,
                    column,
                    hint=f"check the value ({ind.unit})" if ind.unit else None,
                )
                return math.nan
            if ind.integer and value != int(value):
                self.problem(f"{value:g} is not a whole number ({code} counts)", row, column)
                return math.nan
        return value


def _header_index(rows: Sequence[Sequence[Any]]) -> int | None:
    """The first row (of the first 30) that names both the unit and the indicator."""
    for i, row in enumerate(rows[:30]):
        roles = {_role(str(c)) for c in row if c is not None and str(c).strip()}
        if "unit" in roles and "indicator" in roles:
            return i
    return None


def read_assessment(
    path: str | Path,
    framework: Framework | None = None,
    auxiliary: Sequence[str] = (),
    period: int | None = None,
    sheet: str | None = None,
    locale: str | None = None,
) -> Assessment:
    """Read a long assessment table (CSV, Excel or JSON).

    Parameters
    ----------
    path
        The file.
    framework, auxiliary
        The level's framework and auxiliary columns: indicators are checked against them
        (codes matched ignoring case), answers read and bounds checked. Without a framework,
        any indicator code is accepted and values must be numbers.
    period
        The period of rows without one (a table with no period column); default 0.
    sheet
        The sheet of a workbook to read (default: the first holding the assessment header,
        so the instructions sheet of a ``dxf workbook --assessment`` form is passed over).
    locale
        How numbers are written (``vi``: ``1.234,5``; ``en``: ``1,234.5``); default: as the
        table's unambiguous value cells show.

    Raises
    ------
    DataError
        One problem per bad cell, naming file, row and column.
    """
    tables = read_tables(path, sheet=sheet)
    if not tables:
        raise DataError(Problem("the file holds no table", file=str(path)))
    # a workbook: the first sheet holding an assessment header (an instructions sheet first)
    with_header = [t for t in tables if _header_index([t.header, *t.rows]) is not None]
    table = with_header[0] if with_header else tables[0]
    source = table.source
    rows: list[Sequence[Any]] = [table.header, *table.rows]
    numbers: list[int] = [table.header_row, *table.row_numbers]
    at = _header_index(rows)
    if at is None:
        raise DataError(
            Problem(
                "no header naming the unit and the indicator",
                file=source,
                row=table.header_row,
                hint="the columns are: " + ", ".join(COLUMNS),
            )
        )
    header = [str(c).strip() if c is not None else "" for c in rows[at]]
    body = rows[at + 1 :]
    body_numbers = numbers[at + 1 :]
    role_col: dict[str, int] = {}
    problems: list[Problem] = []
    for j, h in enumerate(header):
        if not h:
            continue
        role = _role(h)
        if role is None:
            problems.append(
                Problem(
                    f"unknown column {h!r}",
                    file=source,
                    row=numbers[at],
                    column=h,
                    hint="the columns are: " + ", ".join(COLUMNS),
                )
            )
        elif role and role in role_col:
            problems.append(
                Problem(
                    f"two columns hold the {role}: {header[role_col[role]]!r} and {h!r}",
                    file=source,
                    row=numbers[at],
                    column=h,
                )
            )
        elif role:
            role_col[role] = j
    if "self" not in role_col and "verified" not in role_col:
        problems.append(
            Problem(
                "no value column: give 'self' (tự đánh giá) and/or 'verified' (thẩm định)",
                file=source,
                row=numbers[at],
            )
        )
    if problems:
        raise DataError(problems)

    def col(name: str) -> str:
        return header[role_col[name]] if name in role_col else name

    value_cells = [
        str(r[role_col[k]])
        for r in body
        for k in ("self", "verified")
        if k in role_col and role_col[k] < len(r) and isinstance(r[role_col[k]], str)
    ]
    style = None
    if locale:
        try:
            style = nums.style_for_locale(locale)
        except ValueError as exc:
            raise DataError(Problem(str(exc), hint="give --locale vi or en")) from None
    decimal = style.decimal if style is not None else _table_decimal(value_cells)
    reader = _Reader(source, framework, auxiliary, decimal, style)
    records: list[AssessmentRecord] = []
    seen: dict[tuple[str, str, int], int] = {}
    for row, n in zip(body, body_numbers, strict=True):

        def cell(name: str, row: Sequence[Any] = row) -> Any:
            j = role_col.get(name)
            return row[j] if j is not None and j < len(row) else None

        def text(name: str, row: Sequence[Any] = row) -> str:
            value = cell(name, row)
            if value is None:
                return ""
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()

        if not any(c is not None and str(c).strip() for c in row):
            continue  # a blank line
        unit = text("unit")
        if not unit:
            reader.problem("the unit is empty", n, col("unit"))
            continue
        code = reader.indicator(text("indicator"), n, col("indicator"))
        if code is None:
            continue
        per = period if period is not None else 0
        if "period" in role_col and text("period"):
            p = _number(text("period"), None)
            if p is None or math.isnan(p) or p != int(p):
                reader.problem(f"{text('period')!r} is not a year", n, col("period"))
                continue
            per = int(p)
        key = (unit, code, per)
        if key in seen:
            reader.problem(
                f"{unit} {code} {per} is assessed twice (first on row {seen[key]})",
                n,
                col("indicator"),
                hint="keep one row per unit, indicator and period",
            )
            continue
        seen[key] = n
        own = reader.value(cell("self"), code, n, col("self"))
        verified = reader.value(cell("verified"), code, n, col("verified"))
        status_text = text("status")
        status = parse_status(status_text)
        if status is None:
            reader.problem(
                f"unknown status {status_text!r}",
                n,
                col("status"),
                hint=f"write one of: {accepted_statuses()}",
            )
            continue
        if status == "":
            status = "not_started" if math.isnan(own) else "in_progress"
        try:
            deadline = parse_date(cell("deadline"))
        except ValueError:
            reader.problem(
                f"{text('deadline')!r} is not a date",
                n,
                col("deadline"),
                hint="write it as 17/03/2024 or 2024-03-17",
            )
            continue
        evidence = tuple(s.strip() for s in re.split(r"[;\n]", text("evidence")) if s.strip())
        records.append(
            AssessmentRecord(
                unit=unit,
                indicator=code,
                period=per,
                self_value=own,
                verified_value=verified,
                evidence=evidence,
                evidence_note=text("evidence_note"),
                status=status,
                agency=text("agency"),
                person=text("person"),
                deadline=deadline,
                comment=text("comment"),
                unit_name=text("name"),
                parent=text("parent"),
                source=source,
                row=n,
            )
        )
    if reader.problems:
        raise DataError(reader.problems)
    return Assessment(tuple(records), source)


def read_assessments(
    paths: Sequence[str | Path],
    framework: Framework | None = None,
    auxiliary: Sequence[str] = (),
    period: int | None = None,
    locale: str | None = None,
) -> Assessment:
    """Read several assessment tables into one; a value assessed in two files is an error."""
    records: list[AssessmentRecord] = []
    problems: list[Problem] = []
    first: dict[tuple[str, str, int], AssessmentRecord] = {}
    for path in paths:
        try:
            part = read_assessment(path, framework, auxiliary, period, locale=locale)
        except DataError as exc:
            problems += exc.problems
            continue
        for r in part.records:
            key = (r.unit, r.indicator, r.period)
            if key in first:
                other = first[key]
                problems.append(
                    Problem(
                        f"{r.unit} {r.indicator} {r.period} is also assessed in "
                        f"{other.source}:{other.row}",
                        file=r.source,
                        row=r.row,
                        hint="keep one row per unit, indicator and period",
                    )
                )
                continue
            first[key] = r
            records.append(r)
    if problems:
        raise DataError(problems)
    return Assessment(tuple(records), "; ".join(str(p) for p in paths))


def _plain(v: float) -> float | None:
    return None if math.isnan(v) else v


def assessment_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """The records as rows of the long table (numbers as numbers, dates ISO, evidence
    joined by semicolons), for CSV and JSON."""
    return [
        {
            "unit": r.unit,
            "indicator": r.indicator,
            "period": r.period,
            "self": "" if not r.has_self else r.self_value,
            "verified": "" if not r.has_verified else r.verified_value,
            "evidence": "; ".join(r.evidence),
            "evidence_note": r.evidence_note,
            "status": r.status,
            "agency": r.agency,
            "person": r.person,
            "deadline": r.deadline.isoformat() if r.deadline else "",
            "comment": r.comment,
        }
        for r in assessment.records
    ]


def assessment_json(assessment: Assessment) -> str:
    """The records as JSON: a list of objects with the keys of :data:`COLUMNS` (missing
    values ``null``, evidence joined by semicolons), which :func:`read_assessment` reads back."""
    rows = [
        {
            **row,
            "self": _plain(r.self_value),
            "verified": _plain(r.verified_value),
            "deadline": r.deadline.isoformat() if r.deadline else None,
        }
        for row, r in zip(assessment_rows(assessment), assessment.records, strict=True)
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2)
