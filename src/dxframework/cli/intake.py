"""``dxf assemble``: many agencies' files into one data set, with provenance and coverage."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import click

from dxframework.assessment import assessment_rows, read_assessments
from dxframework.cli.app import (
    cli,
    csv_text,
    handle_errors,
    json_option,
    level_option,
    out,
    out_option,
    pack_option,
    period_option,
    print_json,
    registry,
)
from dxframework.errors import DxfError, Problem
from dxframework.io.assemble import Precedence, assemble, expand_inputs
from dxframework.io.safe import neutralise
from dxframework.io.writers import atomic_folder, check_inputs_outside
from dxframework.model.text import natural_key
from dxframework.packs.loaders import registered_loaders
from dxframework.packs.runs import DataInput, choose_levels


def _agency_map(path: Path | None) -> dict[str, str] | None:
    """A CSV of ``file,agency`` rows (file: a path, name or stem)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeError) as exc:
        raise DxfError(Problem(f"cannot read the agency mapping: {exc}", file=str(path))) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [h.strip().lower() for h in rows[0][:2]] != ["file", "agency"]:
        raise DxfError(
            Problem("the agency mapping needs the header 'file,agency'", file=str(path), row=1)
        )
    mapping: dict[str, str] = {}
    for n, r in enumerate(rows[1:], start=2):
        if len(r) < 2 or not r[0].strip() or not r[1].strip():
            raise DxfError(Problem("each row needs a file and an agency", file=str(path), row=n))
        mapping[r[0].strip()] = r[1].strip()
    return mapping


def assembled_csv_text(assembly: Any, columns: dict[str, Any]) -> str:
    """The assembled data as a wide CSV a pack reads back (unit, name, parent, period, …)."""
    data = assembly.dataset
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    unit_col = columns.get("unit", "unit")
    name_col = columns.get("name", "name")
    parent_col = columns.get("parent")
    period_col = columns.get("period", "period")
    head = [unit_col, name_col] + ([parent_col] if parent_col else []) + [period_col]
    w.writerow(head + list(data.columns))
    for p, period in enumerate(data.periods):
        for u, unit in enumerate(data.units):
            if not (assembly.source[p, u] >= 0).any():
                continue  # the unit sent nothing for this period
            row = [neutralise(unit.code), neutralise(unit.name)]
            if parent_col:
                row.append(neutralise(unit.parent or ""))
            row.append(str(period))
            row += ["" if v != v else repr(float(v)) for v in data.values[p, u]]
            w.writerow(row)
    return buf.getvalue()


@cli.command("assemble")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@pack_option
@level_option
@click.option("--sheet", default=None, help="Read only this sheet of each workbook.")
@click.option("--encoding", default=None, help="Encoding of CSV files (e.g. cp1258, utf-16).")
@click.option("--locale", default=None, help="How the files write numbers: vi or en.")
@click.option(
    "--agencies",
    "agency_file",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV 'file,agency' naming who sent each file (default: an agency column in the "
    "file, else the file's name).",
)
@click.option(
    "--prefer",
    default=None,
    help="Resolve conflicts: order (the file given later wins), date (the later "
    "submission wins), or agency:A,B,C (A wins over B…). Default: a conflict is an error.",
)
@click.option(
    "--tolerance",
    type=float,
    default=1e-9,
    show_default=True,
    help="Values closer than this (absolute and relative) agree.",
)
@click.option(
    "--assessment",
    "assessment_mode",
    is_flag=True,
    help="The inputs are assessment tables (self-assessed and verified values, evidence, "
    "status…): write assessment.csv, provenance.csv and coverage.csv.",
)
@period_option
@out_option("the assembled data, provenance.csv, conflicts.csv and coverage.csv")
@json_option
@handle_errors
def assemble_cmd(
    inputs: tuple[Path, ...],
    pack_name: str,
    level: str | None,
    sheet: str | None,
    encoding: str | None,
    locale: str | None,
    agency_file: Path | None,
    prefer: str | None,
    tolerance: float,
    assessment_mode: bool,
    period: int | None,
    out_dir: Path,
    as_json: bool,
) -> None:
    """Combine the files agencies sent (files and folders) into one data set.

    Every value keeps where it came from (file, sheet, row, column, agency). A value that
    two sources report differently is a conflict: --prefer resolves it, else the command
    stops and lists each conflict with both sources. Writes data.csv (read it back with
    dxf run --data), provenance.csv, conflicts.csv and coverage.csv (per unit: who sent
    what, what is still missing).

    With --assessment the inputs are assessment tables (one row per unit, indicator and
    period: self, verified, evidence, status, agency, person, deadline, comment): a value
    assessed in two files is an error naming both; assessment.csv, provenance.csv (file and
    row of every record) and coverage.csv are written.
    """
    pack = registry().pack(pack_name)
    files, _ = expand_inputs(inputs)
    check_inputs_outside(out_dir, [*files, agency_file])
    if assessment_mode:
        _assemble_assessments(pack, level, files, period, locale, out_dir, as_json)
        return
    lvl = choose_levels(pack, level, DataInput(tuple(files), encoding=encoding))[0]
    schema = lvl.schema(period=period, locale=locale, required=False)
    result = assemble(
        list(inputs),
        schema,
        sheet=sheet,
        encoding=encoding,
        agencies=_agency_map(agency_file),
        precedence=Precedence.parse(prefer),
        tolerance=tolerance,
        loaders=registered_loaders(),
    )
    conflict_rows = [{k: v for k, v in c.items()} for c in result.conflicts]
    files_out = {
        "data.csv": assembled_csv_text(result, dict(lvl.columns)),
        "provenance.csv": csv_text(result.provenance_rows()),
        "conflicts.csv": csv_text(conflict_rows) or _CONFLICT_HEADER,
        "coverage.csv": csv_text(result.coverage_rows()),
    }
    with atomic_folder(out_dir, command="assemble") as tmp:
        for name, text in files_out.items():
            (tmp / name).write_text(text, encoding="utf-8")
    data = result.dataset
    n_values = int((result.source >= 0).sum())
    if as_json:
        print_json(
            {
                "pack": pack.name,
                "level": lvl.name,
                "tables": len(result.sources),
                "files_read": [str(f) for f in files],
                "units": len(data.units),
                "indicators": len(data.columns),
                "periods": list(data.periods),
                "values": n_values,
                "conflicts": conflict_rows,
                "notes": list(result.notes),
                "files": [str(out_dir / name) for name in files_out],
            }
        )
        return
    for note in result.notes:
        out.print(f"note: {note}", markup=False)
    out.print(
        f"assembled ({lvl.name}): {len(result.sources)} table(s) from {len(files)} file(s); "
        f"{len(data.units)} units × {len(data.columns)} indicators × {len(data.periods)} "
        f"period(s); {n_values} values; {len(result.conflicts)} conflict(s) resolved",
        markup=False,
    )
    out.print(f"wrote {len(files_out)} files to {out_dir}", markup=False)


def _assemble_assessments(
    pack: Any,
    level: str | None,
    files: list[Path],
    period: int | None,
    locale: str | None,
    out_dir: Path,
    as_json: bool,
) -> None:
    """Assessment tables from many agencies into one, with the file and row of each record."""
    lvl = pack.level(level)
    records = read_assessments(files, lvl.framework, lvl.spec.auxiliary, period, locale=locale)
    rows = assessment_rows(records)
    provenance = [
        {
            "unit": r.unit,
            "indicator": r.indicator,
            "period": r.period,
            "file": r.source or "",
            "row": r.row if r.row is not None else "",
            "agency": r.agency,
            "person": r.person,
        }
        for r in records.records
    ]
    expected = list(lvl.framework.indicator_codes)
    assessed: dict[tuple[str, int], set[str]] = {}
    names: dict[str, str] = {}
    for r in records.records:
        assessed.setdefault((r.unit, r.period), set()).add(r.indicator)
        names.setdefault(r.unit, r.unit_name)
    coverage = [
        {
            "unit": unit,
            "name": names.get(unit, ""),
            "period": per,
            "assessed": len(got & set(expected)),
            "expected": len(expected),
            "missing": " ".join(c for c in expected if c not in got),
        }
        for (unit, per), got in sorted(
            assessed.items(), key=lambda kv: (kv[0][1], natural_key(kv[0][0]))
        )
    ]
    files_out = {
        "assessment.csv": csv_text(rows),
        "provenance.csv": csv_text(provenance),
        "coverage.csv": csv_text(coverage),
    }
    with atomic_folder(out_dir, command="assemble") as tmp:
        for name, text in files_out.items():
            (tmp / name).write_text(text, encoding="utf-8")
    summary = {
        "pack": pack.name,
        "level": lvl.name,
        "files_read": [str(f) for f in files],
        "records": len(rows),
        "units": len(records.unit_codes),
        "files": [str(out_dir / name) for name in files_out],
    }
    if as_json:
        print_json(summary)
        return
    out.print(
        f"assembled assessments ({lvl.name}): {len(rows)} records of "
        f"{len(records.unit_codes)} units from {len(files)} file(s)",
        markup=False,
    )
    out.print(f"wrote {len(files_out)} files to {out_dir}", markup=False)


_CONFLICT_HEADER = (
    "unit,period,indicator,value_a,file_a,sheet_a,row_a,column_a,agency_a,"
    "value_b,file_b,sheet_b,row_b,column_b,agency_b,resolution\n"
)
