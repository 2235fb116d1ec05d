"""``dxf assemble``: many agencies' files into one data set, with provenance and coverage."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import click

from dxframework.cli.app import (
    cli,
    csv_text,
    handle_errors,
    level_option,
    out,
    out_option,
    pack_option,
    period_option,
    registry,
)
from dxframework.errors import DxfError, Problem
from dxframework.io.safe import neutralise


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
@period_option
@out_option("the assembled data, provenance.csv, conflicts.csv and coverage.csv")
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
    period: int | None,
    out_dir: Path,
) -> None:
    """Combine the files agencies sent (files and folders) into one data set.

    Every value keeps where it came from (file, sheet, row, column, agency). A value that
    two sources report differently is a conflict: --prefer resolves it, else the command
    stops and lists each conflict with both sources. Writes data.csv (read it back with
    dxf run --data), provenance.csv, conflicts.csv and coverage.csv (per unit: who sent
    what, what is still missing).
    """
    from dxframework.io.assemble import Precedence, assemble, expand_inputs
    from dxframework.io.writers import atomic_folder, check_inputs_outside

    pack = registry().pack(pack_name)
    files, _ = expand_inputs(inputs)
    check_inputs_outside(out_dir, [*files, agency_file])
    if level is not None:
        lvl = pack.level(level)
    else:
        from dxframework.io.tables import read_header

        header: set[str] = set()
        for f in files:
            header |= set(read_header(f))
        lvl = pack.level_for_header(header) if len(pack.levels) > 1 else pack.level()
    schema = lvl.schema(period=period, locale=locale, required=False)
    result = assemble(
        list(inputs),
        schema,
        sheet=sheet,
        encoding=encoding,
        agencies=_agency_map(agency_file),
        precedence=Precedence.parse(prefer),
        tolerance=tolerance,
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
    for note in result.notes:
        out.print(f"note: {note}", markup=False)
    data = result.dataset
    n_values = int((result.source >= 0).sum())
    out.print(
        f"assembled ({lvl.name}): {len(result.sources)} table(s) from {len(files)} file(s); "
        f"{len(data.units)} units × {len(data.columns)} indicators × {len(data.periods)} "
        f"period(s); {n_values} values; {len(result.conflicts)} conflict(s) resolved",
        markup=False,
    )
    out.print(f"wrote {len(files_out)} files to {out_dir}", markup=False)


_CONFLICT_HEADER = (
    "unit,period,indicator,value_a,file_a,sheet_a,row_a,column_a,agency_a,"
    "value_b,file_b,sheet_b,row_b,column_b,agency_b,resolution\n"
)
