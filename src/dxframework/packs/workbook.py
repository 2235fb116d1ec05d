"""The Excel form an agency fills: one level's units, one column per indicator, checked cells.

A province collects data from departments, districts and communes in Excel. This module
writes the form for one level of a pack (``dxf workbook``; it lives with the packs because
the form is made of a pack level's layout), and the pack's reader reads the filled form back
like any data file. The layout is a contract with that reader:

- an instructions sheet first (``Hướng dẫn`` / ``Instructions``), with no header row, so it
  is not read;
- one data sheet for the level, or one per agency (per parent unit, e.g. one per district
  listing its communes) as the pack's ``[workbook]`` table declares (``sheets = "level" |
  "agency"``, ``agency_column = "parent"``);
- on each data sheet, :data:`TITLE_ROWS` title rows (the indicator's name, its unit of
  measurement, the rule in words), then one header row (:data:`HEADER_ROW`) holding the
  column names of the level's data files exactly (unit, name, parent, group and period
  columns that the level declares, the indicators in framework order, the auxiliary
  columns), then one row per unit, pre-filled with its code, name, parent and the period;
- the drop-down lists of text answers in a hidden sheet (hidden sheets are never read).

Answers are drop-down lists, numbers are checked against the indicator's bounds (whole
numbers for counts), title and header rows and the pre-filled unit columns are locked and
the sheets protected without a password, so the form's structure cannot be broken by
accident. Every text cell goes through :func:`dxframework.io.safe.neutralise` and is stored
as text, so a unit name such as ``=1+1`` never becomes a formula.
"""

from __future__ import annotations

import contextlib
import math
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from dxframework.errors import DataError, DxfError, Problem
from dxframework.io.safe import neutralise
from dxframework.io.tables import UNIT_ALIASES, fold
from dxframework.io.writers import atomic_file, check_output_file
from dxframework.model.indicator import Indicator

if TYPE_CHECKING:
    from dxframework.model.units import Unit
    from dxframework.packs.pack import MetricPack, PackLevel

__all__ = [
    "HEADER_ROW",
    "SHEET_MODES",
    "TITLE_ROWS",
    "WrittenWorkbook",
    "answer_choices",
    "rule_text",
    "status_choices",
    "write_workbook",
]

TITLE_ROWS = 3
"""Rows above the header on a data sheet: name, unit of measurement, rule."""

HEADER_ROW = TITLE_ROWS + 1
"""The row of a data sheet holding the machine column names."""

SHEET_MODES = ("level", "agency")
"""One data sheet for the level, or one per agency (distinct value of the agency column)."""

LISTS_SHEET = "lists"
"""The hidden sheet holding the drop-down lists of answers."""

_INSTRUCTIONS = {"vi": "Hướng dẫn", "en": "Instructions"}
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})
_MAX_SHEET_NAME = 31

# styles (ARGB colours)
_TITLE_FILL = "FFDDEBF7"
_HEADER_FILL = "FFD9D9D9"
_INPUT_FILL = "FFFFF2CC"

_TEXT = {
    "vi": {
        "unit": "Mã đơn vị",
        "name": "Tên đơn vị",
        "parent": "Mã đơn vị cấp trên",
        "period": "Năm báo cáo",
        "prefilled": "{title} (điền sẵn)",
        "do_not_edit": "Không sửa",
        "number": "Số",
        "whole": "số nguyên",
        "Whole": "Số nguyên",
        "population": "Dân số",
        "people": "người",
        "denominator": "Mẫu số của {codes}",
        "auxiliary": "Cột phụ",
        "no_agency": "Không có đơn vị cấp trên",
        "error_title": "Giá trị không hợp lệ",
        "error_list": "Chọn một câu trả lời trong danh sách: {choices}. Để trống nếu không "
        "báo cáo.",
        "error_number": "Ô này chỉ nhận số theo quy định: {rule}. Để trống nếu không báo cáo.",
        "error_any": "Ô này chỉ nhận số. Để trống nếu không báo cáo.",
        "rule": "Quy định",
    },
    "en": {
        "unit": "Unit code",
        "name": "Unit name",
        "parent": "Parent unit code",
        "period": "Reporting year",
        "prefilled": "{title} (pre-filled)",
        "do_not_edit": "Do not edit",
        "number": "Number",
        "whole": "whole number",
        "Whole": "Whole number",
        "population": "Population",
        "people": "people",
        "denominator": "Denominator of {codes}",
        "auxiliary": "Auxiliary column",
        "no_agency": "No parent unit",
        "error_title": "Value not allowed",
        "error_list": "Pick an answer from the list: {choices}. Leave the cell empty if not "
        "reported.",
        "error_number": "This cell takes numbers only, by the rule: {rule}. Leave it empty "
        "if not reported.",
        "error_any": "This cell takes numbers only. Leave it empty if not reported.",
        "rule": "Rule",
    },
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def answer_choices(indicator: Indicator, lang: str = "vi") -> tuple[str, ...]:
    """The answers offered in the form's drop-down list: one per distinct value.

    Packs list each answer with its synonyms (``{"có": 1, "không": 0, "yes": 1, "no": 0}``);
    the form offers one text per value, in the order of the values: with ``lang="vi"`` the
    first text with Vietnamese letters (``"Có"``), with ``lang="en"`` the first plain-ASCII
    one (``"Yes"``), else the first listed. Texts are capitalised as Vietnamese writes them
    (``"Có"``, ``"Không"``, ``"Một phần"``); the reader compares answers ignoring case.
    """
    by_value: dict[float, list[str]] = {}
    for text, value in indicator.answers.items():
        by_value.setdefault(value, []).append(_nfc(text).strip())
    choices: list[str] = []
    for texts in by_value.values():
        wanted = [t for t in texts if t.isascii() == (lang == "en")]
        choices.append(_capitalise((wanted or texts)[0]))
    return tuple(choices)


def _number_text(x: float, lang: str) -> str:
    text = str(int(x)) if x.is_integer() else repr(x)
    return text.replace(".", ",") if lang == "vi" else text


def _bounds_text(lo: float | None, hi: float | None, lang: str) -> str:
    if lo is not None and hi is not None:
        return f"{_number_text(lo, lang)}–{_number_text(hi, lang)}"
    if lo is not None:
        return f"≥ {_number_text(lo, lang)}"
    if hi is not None:
        return f"≤ {_number_text(hi, lang)}"
    return ""


def rule_text(indicator: Indicator, lang: str = "vi") -> str:
    """The rule of an indicator's values in words, as the form's third title row shows it.

    ``"Có/Không"`` for answers, ``"0–100"`` for bounds (declared, or implied by the unit),
    ``"≥ 0, số nguyên"`` for a whole number with a lower bound, ``"Số"`` for any number.
    """
    words = _TEXT[lang]
    if indicator.answers:
        return "/".join(answer_choices(indicator, lang))
    bounds = _bounds_text(*indicator.value_bounds, lang)
    if bounds and indicator.integer:
        return f"{bounds}, {words['whole']}"
    if bounds:
        return bounds
    return words["Whole"] if indicator.integer else words["number"]


def _formula_number(x: float) -> str:
    return str(int(x)) if x.is_integer() else repr(x)


@attrs.frozen
class _Column:
    """One column of a data sheet: header name, role, the three title rows, checks."""

    name: str
    role: str  # unit, name, parent, group, period, indicator, auxiliary
    title: str
    unit: str = ""
    rule: str = ""
    indicator: Indicator | None = None
    bounds: tuple[float | None, float | None] = (None, None)
    integer: bool = False
    choices: tuple[str, ...] = ()
    number_format: str = "General"
    width: float = 14.0

    @property
    def is_input(self) -> bool:
        """Whether the agency types into this column (the value columns)."""
        return self.role in ("indicator", "auxiliary")


@attrs.frozen
class WrittenWorkbook:
    """What :func:`write_workbook` wrote: the file, its data sheets, units and period."""

    path: Path
    level: str
    sheets: tuple[str, ...]
    units: int
    period: int | None


def _indicator_column(ind: Indicator, lang: str) -> _Column:
    choices = answer_choices(ind, lang) if ind.answers else ()
    if choices:
        fmt = "@"
    elif ind.integer:
        fmt = "0"
    elif ind.scale_kind == "percent":
        fmt = "0.0"  # typed as 0–100, never a percent format (which would mean 0–1)
    elif ind.scale_kind == "fraction":
        fmt = "0.00"
    else:
        fmt = "General"
    return _Column(
        name=ind.code,
        role="indicator",
        title=ind.label(lang),
        unit=ind.unit,
        rule=rule_text(ind, lang),
        indicator=ind,
        bounds=ind.value_bounds,
        integer=ind.integer,
        choices=choices,
        number_format=fmt,
        width=16.0,
    )


def _auxiliary_column(code: str, indicators: Sequence[Indicator], lang: str) -> _Column:
    words = _TEXT[lang]
    users = [i.code for i in indicators if i.denominator == code]
    bounds: tuple[float | None, float | None] = (None, None)
    if code.casefold() in ("population", "dân số", "dan_so"):
        title, unit, bounds = words["population"], words["people"], (0.0, None)
    elif users:
        title, unit = words["denominator"].format(codes=", ".join(users)), ""
    else:
        title, unit = words["auxiliary"], ""
    rule = _bounds_text(*bounds, lang) or words["number"]
    return _Column(
        name=code, role="auxiliary", title=title, unit=unit, rule=rule, bounds=bounds, width=14.0
    )


def _columns(lvl: PackLevel, lang: str) -> list[_Column]:
    """The columns of the level's data files, named as its schema names them, in order."""
    words = _TEXT[lang]
    schema = lvl.schema(required=False)
    fixed = [
        ("unit", schema.unit_column, 12.0, "@"),
        ("name", schema.name_column, 30.0, "@"),
        ("parent", schema.parent_column, 12.0, "@"),
        *(("group", g, 14.0, "@") for g in schema.group_columns),
        ("period", schema.period_column, 10.0, "0"),
    ]
    # "(điền sẵn)" also keeps the title from reading as a unit column's name ("Mã đơn vị")
    cols = [
        _Column(
            name,
            role,
            words["prefilled"].format(title=words.get(role, name)),
            rule=words["do_not_edit"],
            width=width,
            number_format=fmt,
        )
        for role, name, width, fmt in fixed
        if name
    ]
    fw = lvl.framework
    cols += [_indicator_column(ind, lang) for ind in fw.indicators]
    cols += [_auxiliary_column(code, fw.indicators, lang) for code in lvl.spec.auxiliary]
    return cols


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unused sheet name: no ``[]:*?/\\``, at most 31 characters, unique."""
    base = " ".join(_nfc(wanted).translate(_FORBIDDEN_IN_SHEET_NAMES).split()).strip("'")
    base = base or "Sheet"
    name = base[:_MAX_SHEET_NAME]
    n = 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name = base[: _MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(name.casefold())
    return name


def _agency_of(lvl: PackLevel, column: str) -> tuple[str, Any]:
    """How to find a unit's agency: ``("parent", None)`` or ``("group", name)``."""
    schema = lvl.schema(required=False)
    if column in ("parent", schema.parent_column):
        if not schema.parent_column:
            raise DxfError(
                Problem(
                    f"level {lvl.name!r} declares no parent column, so the form cannot have "
                    "one sheet per agency",
                    hint="use one sheet for the level (--by level)",
                )
            )
        return ("parent", None)
    if column in schema.group_columns:
        return ("group", column)
    raise DxfError(
        Problem(
            f"the agency column {column!r} of the pack's [workbook] table is neither the parent "
            f"column nor a grouping column of level {lvl.name!r}",
            hint='set agency_column = "parent" or a grouping column',
        )
    )


def _parent_names(pack: MetricPack, lvl: PackLevel) -> dict[str, str]:
    """Names of the parent units: from the sample data of the pack's other levels and from
    its yearly series (the province). Only sheet titles use them, so a file that cannot be
    read leaves the codes alone."""
    readers: list[Any] = [
        other.load_data
        for other in pack.levels.values()
        if other.name != lvl.name and other.data_path is not None
    ]
    if pack.series_path is not None:
        readers.append(pack.load_series)
    names: dict[str, str] = {}
    for read in readers:
        with contextlib.suppress(DxfError, OSError), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # notes about files the user did not give
            for u in read().units:
                if u.name:
                    names.setdefault(u.code, u.name)
    return names


def _sheets(
    pack: MetricPack, lvl: PackLevel, units: Sequence[Unit], by: str, agency_column: str, lang: str
) -> list[tuple[str, list[Unit]]]:
    """(wanted sheet title, units) for each data sheet, in the order units first appear."""
    if by == "level":
        title = (lvl.title_vi if lang == "vi" else lvl.title_en) or lvl.name
        return [(title, list(units))]
    kind, group = _agency_of(lvl, agency_column)
    parts: dict[str | None, list[Unit]] = {}
    for u in units:
        key = u.parent if kind == "parent" else u.groups.get(group)
        parts.setdefault(key or None, []).append(u)
    names = _parent_names(pack, lvl) if kind == "parent" else {}
    sheets: list[tuple[str, list[Unit]]] = []
    for key, members in parts.items():
        if key is None:
            title = _TEXT[lang]["no_agency"]
        else:
            title = f"{key} {names[key]}" if key in names else key
        sheets.append((title, members))
    return sheets


def _choose_units(
    lvl: PackLevel,
    data: Sequence[Path] | None,
    codes: Sequence[str] | None,
    read_options: Mapping[str, Any],
) -> tuple[list[Unit], tuple[int, ...]]:
    dataset = lvl.load_data(data, **read_options)
    source = ", ".join(str(p) for p in data) if data else str(lvl.data_path)
    units = list(dataset.units)
    if codes is None:
        return units, dataset.periods
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise DataError(Problem("no unit code given", hint="e.g. --units 05801,05802"))
    known = {u.code for u in units}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        example = ", ".join(u.code for u in units[:3])
        raise DataError(
            Problem(
                f"unknown unit code(s) {', '.join(repr(c) for c in unknown)}: not units of "
                f"level {lvl.name!r}",
                file=source,
                hint=f"use codes of this file, e.g. {example}",
            )
        )
    chosen = set(wanted)
    return [u for u in units if u.code in chosen], dataset.periods


def write_workbook(
    pack: MetricPack,
    level: str | PackLevel | None,
    path: str | Path,
    units: Sequence[str] | None = None,
    period: int | None = None,
    lang: str = "vi",
    by: str | None = None,
    data: str | Path | Sequence[str | Path] | None = None,
    force: bool = False,
    read_options: Mapping[str, Any] | None = None,
    assessment: bool = False,
) -> WrittenWorkbook:
    """Write the Excel form an agency fills for one level of a pack.

    Parameters
    ----------
    pack
        The metric pack.
    level
        The level (its name, or the level itself); ``None`` for the pack's default level.
    path
        The ``.xlsx`` file to write. It must not be an input file of the pack or ``data``,
        and must not exist unless ``force``.
    units
        Codes of the units to list (in the order of the data file); default: every unit.
    period
        The reporting year written on every row; default: the latest period of the data.
        Only for a level with a period column.
    lang
        ``"vi"`` or ``"en"``: language of the titles, the answers offered and the first part
        of the instructions (the instructions are in both languages).
    by
        ``"level"`` (one data sheet) or ``"agency"`` (one sheet per parent unit, or per value
        of the pack's ``agency_column``); default: the pack's ``[workbook]`` table, else
        ``"level"``.
    data
        Data files or folders of the level to take the units from (assembled as
        :meth:`PackLevel.load_data` does); default: the pack's sample data.
    force
        Replace an existing file.
    read_options
        Options for reading ``data`` (``sheet``, ``encoding``, ``locale``).
    assessment
        Write the assessment form instead (:func:`~dxframework.assessment.read_assessment`
        reads it back): one row per unit and indicator, with the self-assessed value, the
        verified value, evidence, status (a drop-down), agency, person, deadline and
        comment beside each value, on one data sheet.

    Returns
    -------
    WrittenWorkbook
        The file written, the data sheets, the number of units and the period.

    Raises
    ------
    DxfError
        Unknown unit codes, a bad ``by`` or agency column, a period for a level without a
        period column, a target that is an input file, exists already or is not ``.xlsx``.
    """
    import openpyxl

    if lang not in _TEXT:
        raise DxfError(Problem(f"unknown language {lang!r}", hint="use vi or en"))
    lvl = level if not isinstance(level, str | None) else pack.level(level)
    settings: Mapping[str, Any] = getattr(pack, "workbook", None) or {}
    mode = by or str(settings.get("sheets", "level"))
    if mode not in SHEET_MODES:
        where = "" if by else " in the pack's [workbook] table (sheets)"
        raise DxfError(
            Problem(
                f"unknown sheet layout {mode!r}{where}",
                file=None if by else str(pack.root / "pack.toml"),
                hint=f"use one of {', '.join(SHEET_MODES)} (one sheet per level or per agency)",
            )
        )
    agency_column = str(settings.get("agency_column", "parent"))
    target = Path(path)
    if data is None:
        data_paths = None
    elif isinstance(data, str | Path):
        data_paths = [Path(data)]
    else:
        data_paths = [Path(d) for d in data]
    check_output_file(
        target,
        what="the form",
        suffixes=(".xlsx",),
        inputs=[*pack.input_files(), *(data_paths or [])],
        force=force,
    )

    chosen, periods = _choose_units(lvl, data_paths, units, read_options or {})
    has_period = bool(lvl.schema(required=False).period_column)
    if not has_period and period is not None:
        raise DxfError(
            Problem(
                f"level {lvl.name!r} has no period column: the form cannot record a period",
                hint="leave out --period",
            )
        )
    year = (period if period is not None else max(periods)) if has_period else None
    columns = _columns(lvl, lang)
    if assessment:
        if mode != "level":
            raise DxfError(
                Problem(
                    "the assessment form has one data sheet (one row per unit and indicator)",
                    hint="leave out --by agency; the agency column names who answers",
                )
            )
        columns = _assessment_columns(lvl, columns, year is not None, lang)
    sheets = _sheets(pack, lvl, chosen, mode, agency_column, lang)

    wb = openpyxl.Workbook()
    taken: set[str] = {LISTS_SHEET.casefold()}
    instructions = wb.active
    instructions.title = _sheet_name(_INSTRUCTIONS[lang], taken)
    lists = wb.create_sheet(LISTS_SHEET)
    listed = [*columns, *(_indicator_column(i, lang) for i in lvl.framework.indicators)]
    list_refs = _write_lists(lists, listed if assessment else columns)
    names: list[str] = []
    for wanted, members in sheets:
        ws = wb.create_sheet(_sheet_name(wanted, taken))
        names.append(ws.title)
        if assessment:
            _write_assessment_sheet(ws, lvl, columns, members, year, list_refs, lang)
        else:
            _write_data_sheet(ws, columns, members, year, list_refs, lang)
    _write_instructions(instructions, pack, lvl, columns, mode, year, names, lang)
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    lists.sheet_state = "hidden"
    wb.active = 0
    title = pack.title_vi if lang == "vi" else pack.title_en
    wb.properties.title = title or pack.name
    wb.properties.creator = "dxf"

    with atomic_file(target) as tmp:
        wb.save(tmp)
    return WrittenWorkbook(
        path=target, level=lvl.name, sheets=tuple(names), units=len(chosen), period=year
    )


def _text_cell(ws: Any, row: int, column: int, text: str) -> Any:
    """Write text neutralised, stored as a string (never a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = neutralise(_nfc(text))
    cell.data_type = "s"
    return cell


def _write_lists(ws: Any, columns: Sequence[_Column]) -> dict[str, str]:
    """One column of answers per answer indicator; the range each drop-down refers to."""
    from openpyxl.utils import get_column_letter, quote_sheetname

    refs: dict[str, str] = {}
    j = 0
    for col in columns:
        if not col.choices:
            continue
        j += 1
        _text_cell(ws, 1, j, col.name)
        for i, choice in enumerate(col.choices, start=2):
            _text_cell(ws, i, j, choice)
        letter = get_column_letter(j)
        refs[col.name] = f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(col.choices) + 1}"
    ws.protection.sheet = True
    return refs


def _validation(col: _Column, list_ref: str | None, lang: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    words = _TEXT[lang]
    if col.choices:
        assert list_ref is not None
        dv = DataValidation(type="list", formula1=list_ref, allow_blank=True)
        dv.error = words["error_list"].format(choices=", ".join(col.choices))
    else:
        lo, hi = col.bounds
        kind = "whole" if col.integer else "decimal"
        if lo is not None and hi is not None:
            dv = DataValidation(
                type=kind,
                operator="between",
                formula1=_formula_number(lo),
                formula2=_formula_number(hi),
                allow_blank=True,
            )
        elif lo is not None:
            dv = DataValidation(
                type=kind,
                operator="greaterThanOrEqual",
                formula1=_formula_number(lo),
                allow_blank=True,
            )
        elif hi is not None:
            dv = DataValidation(
                type=kind,
                operator="lessThanOrEqual",
                formula1=_formula_number(hi),
                allow_blank=True,
            )
        else:  # any number, but a number: text is refused
            big = "999999999999999" if col.integer else "1E+300"
            dv = DataValidation(
                type=kind, operator="between", formula1=f"-{big}", formula2=big, allow_blank=True
            )
        any_number = col.bounds == (None, None) and not col.integer
        dv.error = words["error_any"] if any_number else words["error_number"].format(rule=col.rule)
    dv.error = dv.error[:255]  # Excel's limits: 255 characters, 32 for titles
    dv.errorTitle = words["error_title"]
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    dv.promptTitle = col.name[:32]
    unit = f" ({col.unit})" if col.unit else ""
    dv.prompt = f"{col.title}{unit}. {words['rule']}: {col.rule}"[:255]
    dv.showInputMessage = True
    return dv


def _unit_like(columns: Sequence[_Column]) -> set[str]:
    """Texts the reader takes for a unit column's name (folded): none may be a title cell."""
    unit = next((c.name for c in columns if c.role == "unit"), "unit")
    return {fold(a) for a in (unit, *UNIT_ALIASES)}


def _styles() -> tuple[Any, Any, Any, Any, Any]:
    """The form's look, shared by the value and the assessment sheets: title, header and
    input fills, wrapped text, and the protection of the cells an agency types into."""
    from openpyxl.styles import Alignment, PatternFill, Protection

    return (
        PatternFill("solid", fgColor=_TITLE_FILL),
        PatternFill("solid", fgColor=_HEADER_FILL),
        PatternFill("solid", fgColor=_INPUT_FILL),
        Alignment(wrap_text=True, vertical="top"),
        Protection(locked=False),
    )


def _write_data_sheet(
    ws: Any,
    columns: Sequence[_Column],
    units: Sequence[Unit],
    period: int | None,
    list_refs: Mapping[str, str],
    lang: str,
) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    title_fill, header_fill, input_fill, wrap, unlocked = _styles()
    first, last = HEADER_ROW + 1, HEADER_ROW + len(units)
    longest = 1
    unit_like = _unit_like(columns)
    for j, col in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = col.width
        for r, text in enumerate((col.title, col.unit, col.rule), start=1):
            if fold(text) in unit_like:  # would be read as the header row: say whose it is
                text = f"{text} ({col.name})"
            cell = _text_cell(ws, r, j, text) if text else ws.cell(row=r, column=j)
            cell.alignment = wrap
            cell.fill = title_fill
            if r == 1:
                cell.font = Font(bold=True)
        longest = max(longest, math.ceil(len(col.title) * 1.1 / max(col.width - 1, 1.0)))
        cell = _text_cell(ws, HEADER_ROW, j, col.name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        for i, unit in enumerate(units, start=first):
            cell = ws.cell(row=i, column=j)
            cell.number_format = col.number_format
            if col.is_input:
                cell.protection = unlocked
                cell.fill = input_fill
            elif col.role == "period":
                cell.value = period
            else:
                text = {
                    "unit": unit.code,
                    "name": unit.name,
                    "parent": unit.parent or "",
                    "group": unit.groups.get(col.name, ""),
                }[col.role]
                if text:
                    _text_cell(ws, i, j, text)
        if col.is_input:
            dv = _validation(col, list_refs.get(col.name), lang)
            dv.add(f"{letter}{first}:{letter}{last}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = min(15.0 * longest, 150.0)
    for r in (2, 3):
        ws.row_dimensions[r].height = 30.0
    roles = [c.role for c in columns]
    frozen = roles.index("name") + 1 if "name" in roles else 1
    ws.freeze_panes = f"{get_column_letter(frozen + 1)}{HEADER_ROW + 1}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # agencies may widen columns and rows
    ws.protection.formatRows = False


_ASSESSMENT_TEXT = {
    "vi": {
        "indicator": "Mã chỉ tiêu (điền sẵn)",
        "indicator name": "Tên chỉ tiêu (điền sẵn)",
        "self": "Giá trị tự đánh giá",
        "verified": "Giá trị thẩm định (hội đồng thẩm định ghi)",
        "evidence": "Minh chứng (số văn bản, tệp, đường dẫn; cách nhau bởi ;)",
        "evidence_note": "Ghi chú minh chứng",
        "status": "Trạng thái",
        "agency": "Cơ quan phụ trách",
        "person": "Người phụ trách",
        "deadline": "Thời hạn (ngày/tháng/năm)",
        "comment": "Nhận xét thẩm định",
        "value_rule": "Theo quy định của chỉ tiêu (xem tên chỉ tiêu)",
        "status_rule": "Chọn trong danh sách",
        "date_rule": "Ngày, ví dụ 31/03/2024",
        "text_rule": "Văn bản",
    },
    "en": {
        "indicator": "Indicator code (pre-filled)",
        "indicator name": "Indicator name (pre-filled)",
        "self": "Self-assessed value",
        "verified": "Verified value (by the appraisal council)",
        "evidence": "Evidence (document numbers, files, links; separated by ;)",
        "evidence_note": "Evidence note",
        "status": "Status",
        "agency": "Responsible agency",
        "person": "Responsible person",
        "deadline": "Deadline (day/month/year)",
        "comment": "Reviewer's comment",
        "value_rule": "As the indicator's rule (see its name)",
        "status_rule": "Pick from the list",
        "date_rule": "A date, e.g. 31/03/2024",
        "text_rule": "Text",
    },
}

_ASSESSMENT_INPUTS = (
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
"""The columns of the assessment form the agency (and the council) fill, as the assessment
reader names them (:data:`dxframework.assessment.reader.COLUMNS`)."""


def _assessment_columns(
    lvl: PackLevel, columns: Sequence[_Column], has_period: bool, lang: str
) -> list[_Column]:
    """The long form's columns: unit, name, indicator, its name, period, then the inputs."""
    t = _ASSESSMENT_TEXT[lang]
    fixed = [c for c in columns if c.role in ("unit", "name")]
    out = [
        *fixed,
        _Column("indicator", "indicator_code", t["indicator"], rule=_TEXT[lang]["do_not_edit"]),
        _Column(
            "indicator name",
            "indicator_name",
            t["indicator name"],
            rule=_TEXT[lang]["do_not_edit"],
            width=40.0,
        ),
    ]
    out += [c for c in columns if c.role == "period" and has_period]
    for name in _ASSESSMENT_INPUTS:
        rule = {
            "self": t["value_rule"],
            "verified": t["value_rule"],
            "status": t["status_rule"],
            "deadline": t["date_rule"],
        }.get(name, t["text_rule"])
        out.append(
            _Column(
                name,
                "assessment",
                t[name],
                rule=rule,
                choices=tuple(status_choices(lang)) if name == "status" else (),
                number_format="DD/MM/YYYY"
                if name == "deadline"
                else "@"
                if name not in ("self", "verified")
                else "General",
                width=30.0 if name in ("evidence", "evidence_note", "comment", "agency") else 16.0,
            )
        )
    return out


def status_choices(lang: str = "vi") -> tuple[str, ...]:
    """The statuses offered in the assessment form's drop-down (chưa thực hiện…)."""
    if lang == "vi":
        return (
            "chưa thực hiện",
            "đang thực hiện",
            "cần bổ sung minh chứng",
            "hoàn thành",
        )
    return ("not started", "in progress", "needs evidence", "done")


def _write_assessment_sheet(
    ws: Any,
    lvl: PackLevel,
    columns: Sequence[_Column],
    units: Sequence[Unit],
    period: int | None,
    list_refs: Mapping[str, str],
    lang: str,
) -> None:
    """The long assessment form: title rows, one header row, one row per unit × indicator."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    title_fill, header_fill, input_fill, wrap, unlocked = _styles()
    indicators = list(lvl.framework.indicators)
    # what is assessed: every indicator, then the auxiliary columns (population, denominators)
    items = [(i.code, i.label(lang), _indicator_column(i, lang)) for i in indicators]
    for code in lvl.spec.auxiliary:
        aux = _auxiliary_column(code, indicators, lang)
        items.append((code, aux.title, aux))
    unit_like = _unit_like(columns)
    at = {c.name: j for j, c in enumerate(columns, start=1)}
    for j, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = col.width
        for r, text in enumerate((col.title, col.unit, col.rule), start=1):
            if fold(text) in unit_like:
                text = f"{text} ({col.name})"
            cell = _text_cell(ws, r, j, text) if text else ws.cell(row=r, column=j)
            cell.alignment = wrap
            cell.fill = title_fill
            if r == 1:
                cell.font = Font(bold=True)
        cell = _text_cell(ws, HEADER_ROW, j, col.name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
    row = HEADER_ROW
    rows_of: dict[str, list[int]] = {}
    for unit in units:
        for code, label, _ in items:
            row += 1
            rows_of.setdefault(code, []).append(row)
            for col in columns:
                j = at[col.name]
                cell = ws.cell(row=row, column=j)
                cell.number_format = col.number_format
                if col.role == "assessment":
                    cell.protection = unlocked
                    cell.fill = input_fill
                elif col.role == "period":
                    cell.value = period
                else:
                    text = {
                        "unit": unit.code,
                        "name": unit.name,
                        "indicator_code": code,
                        "indicator_name": label,
                    }[col.role]
                    if text:
                        _text_cell(ws, row, j, text)
    first, last = HEADER_ROW + 1, max(row, HEADER_ROW + 1)
    by_name = {c.name: c for c in columns}
    status = by_name["status"]
    dv = _validation(status, list_refs.get("status"), lang)
    letter = get_column_letter(at["status"])
    dv.add(f"{letter}{first}:{letter}{last}")
    ws.add_data_validation(dv)
    date = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
    date.error = _ASSESSMENT_TEXT[lang]["date_rule"]
    date.showErrorMessage = True
    letter = get_column_letter(at["deadline"])
    date.add(f"{letter}{first}:{letter}{last}")
    ws.add_data_validation(date)
    for code, _, value_col in items:  # each value cell checked by its own column's rule
        for side in ("self", "verified"):
            check = _validation(value_col, list_refs.get(code), lang)
            letter = get_column_letter(at[side])
            for r in rows_of.get(code, []):
                check.add(f"{letter}{r}")
                if value_col.choices:
                    ws.cell(row=r, column=at[side]).number_format = "@"
            ws.add_data_validation(check)
    names = [c.role for c in columns]
    frozen = names.index("indicator_name") + 1
    ws.freeze_panes = f"{get_column_letter(frozen + 1)}{HEADER_ROW + 1}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


_GUIDE = {
    "vi": {
        "title": "Biểu thu thập số liệu: {pack}",
        "level": "Đơn vị báo cáo: {level}.",
        "period": " Năm báo cáo: {period}.",
        "about": "Bộ chỉ số {name}, phiên bản {version}. Biểu có {n} trang tính số liệu: {sheets}.",
        "how": "Cách điền",
        "rows": "1. Mỗi dòng là một đơn vị. Các cột {fixed} đã được điền sẵn và khoá lại; "
        "không sửa các cột này.",
        "agency": " Mỗi trang tính gồm các đơn vị trực thuộc một đơn vị cấp trên.",
        "cells": "2. Nhập số liệu vào các ô nền vàng, mỗi chỉ tiêu một cột. Ba dòng đầu của "
        "mỗi cột ghi tên chỉ tiêu, đơn vị tính và quy định về giá trị. Dòng thứ tư ghi mã cột "
        "để máy đọc số liệu: không sửa dòng này, không thêm, xoá hay đổi thứ tự các cột.",
        "blank": "3. Ô để trống nghĩa là không báo cáo. Tiêu chí chấm điểm bị để trống sẽ "
        "không được tính điểm, vì vậy cần điền đủ các chỉ tiêu có số liệu. Không ghi số 0 "
        "thay cho “không có số liệu”, không ghi chữ như “không có”, “chưa có số liệu” vào ô "
        "số.",
        "percent": "4. Chỉ tiêu tính bằng phần trăm (%) nhập số phần trăm, không kèm dấu %: "
        "85,5% nhập là 85,5 (không nhập 0,855). Chỉ nhập số, không kèm đơn vị tính.",
        "answers": "5. Chỉ tiêu dạng câu trả lời ({answers}) chọn trong danh sách thả xuống của ô.",
        "checks": "Excel sẽ báo lỗi nếu giá trị không đúng quy định (ví dụ tỷ lệ lớn hơn 100 "
        "hoặc số âm); khi đó hãy kiểm tra lại số liệu.",
        "send_heading": "Gửi lại biểu",
        "send": "Lưu tệp ở định dạng Excel (.xlsx) và gửi lại cho cơ quan đã gửi biểu này. "
        "Có thể đổi tên tệp (ví dụ thêm tên đơn vị), nhưng không chuyển sang định dạng khác "
        "(.xls, .csv, PDF) và không xoá trang tính nào.",
        "read_heading": "Đọc và tổng hợp (dành cho cơ quan tổng hợp)",
        "validate": "Kiểm tra tệp đã điền: dxf validate {cmd} --data TỆP.xlsx (liệt kê từng "
        "lỗi kèm dòng và cột).",
        "assemble": "Ghép các tệp nhận được từ các cơ quan (để chung trong một thư mục): dxf "
        "assemble {cmd} THƯ_MỤC --out TỔNG_HỢP (ghi số liệu đã ghép, nguồn của từng giá trị và "
        "những đơn vị còn thiếu).",
        "run": "Tính điểm: dxf run {cmd} --data TỆP.xlsx --out KẾT_QUẢ.",
    },
    "en": {
        "title": "Data collection form: {pack}",
        "level": "Reporting units: {level}.",
        "period": " Reporting year: {period}.",
        "about": "Pack {name}, version {version}. The form has {n} data sheet(s): {sheets}.",
        "how": "How to fill it in",
        "rows": "1. Each row is one unit. The columns {fixed} are filled in and locked; do not "
        "change them.",
        "agency": " Each sheet lists the units under one parent unit.",
        "cells": "2. Type the data in the yellow cells, one column per indicator. The first "
        "three rows of each column give the indicator's name, its unit and the rule for its "
        "values. The fourth row holds the column codes the reading program uses: do not change "
        "it, and do not add, delete or reorder columns.",
        "blank": "3. An empty cell means not reported. A scored criterion left empty earns no "
        "points, so fill in every indicator you have data for. Do not type 0 for “no data”, "
        "and do not type words such as “none” or “n/a” in a number cell.",
        "percent": "4. Percentages (%) are typed as the percentage, without the % sign: "
        "85.5% is typed 85.5 (not 0.855). Type numbers only, without units.",
        "answers": "5. Indicators answered in words ({answers}) are picked from the cell's "
        "drop-down list.",
        "checks": "Excel refuses a value that breaks the rule (a share above 100, a negative "
        "number); check the figure when it does.",
        "send_heading": "Sending it back",
        "send": "Save the file as an Excel workbook (.xlsx) and send it back to the office "
        "that sent you the form. You may rename the file (e.g. add your unit's name), but do "
        "not convert it to another format (.xls, .csv, PDF) and do not delete any sheet.",
        "read_heading": "Reading and assembling (for the collecting office)",
        "validate": "Check a filled form: dxf validate {cmd} --data FILE.xlsx (lists each "
        "problem with its row and column).",
        "assemble": "Assemble the forms received from the agencies (put them in one folder): "
        "dxf assemble {cmd} FOLDER --out ASSEMBLED (writes the assembled data, where each value "
        "came from and which units are still missing).",
        "run": "Score it: dxf run {cmd} --data FILE.xlsx --out RESULTS.",
    },
}


def _instruction_lines(
    pack: MetricPack,
    lvl: PackLevel,
    columns: Sequence[_Column],
    mode: str,
    period: int | None,
    sheets: Sequence[str],
    lang: str,
) -> list[tuple[str, str]]:
    """(style, text) lines of the instructions in one language: title, heading, text."""
    guide = _GUIDE[lang]
    other = "en" if lang == "vi" else "vi"
    pack_title = getattr(pack, f"title_{lang}") or getattr(pack, f"title_{other}") or pack.name
    level_title = getattr(lvl, f"title_{lang}") or getattr(lvl, f"title_{other}") or lvl.name
    if lang == "vi":
        level_title = level_title[:1].lower() + level_title[1:]
    # the pre-filled columns by the titles they have in this language
    fixed = [_TEXT[lang].get(c.role, c.name) for c in columns if not c.is_input]
    answers = sorted({a for col in columns for a in col.choices}, key=str.casefold)
    cmd = f"--pack {pack.name} --level {lvl.name}"
    lines = [
        ("title", guide["title"].format(pack=pack_title)),
        (
            "text",
            guide["level"].format(level=level_title)
            + (guide["period"].format(period=period) if period is not None else ""),
        ),
        (
            "text",
            guide["about"].format(
                name=pack.name, version=pack.version, n=len(sheets), sheets=", ".join(sheets)
            ),
        ),
        ("heading", guide["how"]),
        (
            "text",
            guide["rows"].format(fixed=", ".join(fixed))
            + (guide["agency"] if mode == "agency" else ""),
        ),
        ("text", guide["cells"]),
        ("text", guide["blank"]),
        ("text", guide["percent"]),
    ]
    if answers:
        lines.append(("text", guide["answers"].format(answers=", ".join(answers))))
    lines += [
        ("text", guide["checks"]),
        ("heading", guide["send_heading"]),
        ("text", guide["send"]),
        ("heading", guide["read_heading"]),
        ("text", guide["validate"].format(cmd=cmd)),
        ("text", guide["assemble"].format(cmd=cmd)),
        ("text", guide["run"].format(cmd=cmd)),
    ]
    return lines


def _write_instructions(
    ws: Any,
    pack: MetricPack,
    lvl: PackLevel,
    columns: Sequence[_Column],
    mode: str,
    period: int | None,
    sheets: Sequence[str],
    lang: str,
) -> None:
    """Instructions in ``lang``, then in the other language, then the list of columns."""
    from openpyxl.styles import Alignment, Font, PatternFill

    widths = (14.0, 60.0, 16.0, 22.0, 40.0)
    for letter, width in zip("ABCDE", widths, strict=True):
        ws.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    total = sum(widths)
    row = 1
    for language in (lang, "en" if lang == "vi" else "vi"):
        for style, text in _instruction_lines(pack, lvl, columns, mode, period, sheets, language):
            assert fold(text) not in _unit_like(columns), text  # sentences, never a name
            cell = _text_cell(ws, row, 1, text)
            cell.alignment = wrap
            if style == "title":
                cell.font = Font(bold=True, size=14)
            elif style == "heading":
                cell.font = Font(bold=True)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
            lines = max(1, math.ceil(len(text) * 1.1 / total))
            ws.row_dimensions[row].height = (18.0 if style == "title" else 15.0) * lines + 2
            row += 1
        row += 1
    # no cell of this sheet may read as a unit column's name ("unit", "code", "Mã"), or the
    # reader would take the sheet for a data table
    unit_like = _unit_like(columns)
    words = {
        "vi": (
            "Danh sách cột số liệu",
            "Mã cột",
            "Tên chỉ tiêu",
            "Đơn vị tính",
            "Quy định",
            "Ghi chú",
        ),
        "en": ("Data columns", "Column code", "Indicator", "Unit of measure", "Rule", "Notes"),
    }[lang]
    _text_cell(ws, row, 1, words[0]).font = Font(bold=True)
    row += 1
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for j, text in enumerate(words[1:], start=1):
        assert fold(text) not in unit_like
        cell = _text_cell(ws, row, j, text)
        cell.font = Font(bold=True)
        cell.fill = header_fill
    row += 1
    for col in columns:
        if not col.is_input:
            continue
        ind = col.indicator
        notes = ind.description if ind is not None else ""
        if ind is not None and ind.denominator:
            extra = (
                f"chia cho cột {ind.denominator}"
                if lang == "vi"
                else f"divided by column {ind.denominator}"
            )
            notes = f"{notes}; {extra}" if notes else _capitalise(extra)
        for j, text in enumerate((col.name, col.title, col.unit, col.rule, notes), start=1):
            if fold(text) in unit_like:
                text = f"{text} ({words[1].lower()} {col.name})"
            if text:
                _text_cell(ws, row, j, text).alignment = wrap
        row += 1
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
