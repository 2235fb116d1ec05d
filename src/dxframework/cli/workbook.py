"""``dxf workbook``: the Excel form an agency fills for one level of a pack."""

from __future__ import annotations

from pathlib import Path

import click

from dxframework.cli.app import (
    DataInput,
    choose_levels,
    cli,
    data_option,
    handle_errors,
    lang_option,
    level_option,
    out,
    pack_option,
    registry,
    split_csv,
)
from dxframework.errors import DxfError, Problem
from dxframework.packs.workbook import write_workbook


@cli.command("workbook")
@pack_option
@level_option
@data_option
@click.option(
    "--units",
    "units",
    default=None,
    help="Comma-separated unit codes to list (default: every unit of the data).",
)
@click.option(
    "--period",
    type=int,
    default=None,
    help="Reporting year written on every row (default: the latest period of the data).",
)
@lang_option
@click.option(
    "--by",
    type=click.Choice(["level", "agency"]),
    default=None,
    help="One data sheet for the level, or one per agency (parent unit); default: as the "
    "pack declares, else one per level.",
)
@click.option(
    "--out",
    "-o",
    "out_file",
    type=click.Path(path_type=Path),
    required=True,
    help="The .xlsx file to write.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option(
    "--assessment",
    is_flag=True,
    help="Write the assessment form: one row per unit and indicator, with the self-assessed "
    "and verified values, evidence, status (drop-down), agency, person, deadline and comment "
    "(read back by dxf status, dxf gaps and dxf run --assessment).",
)
@handle_errors
def workbook_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    units: str | None,
    period: int | None,
    lang: str,
    by: str | None,
    out_file: Path,
    force: bool,
    assessment: bool,
) -> None:
    """Write the Excel form an agency fills: units pre-filled, one column per indicator.

    Answers are drop-down lists, numbers are checked against the indicator's bounds, and the
    sheets are protected (no password). Read the filled form back with
    ``dxf validate --pack P --data FILE.xlsx``.
    """
    pack = registry().pack(pack_name)
    levels = choose_levels(pack, level, data)
    if len(levels) > 1:
        raise DxfError(
            Problem(
                f"pack {pack.name!r} has several levels; a form holds one",
                hint=f"give --level ({', '.join(pack.levels)})",
            )
        )
    written = write_workbook(
        pack,
        levels[0],
        out_file,
        units=split_csv(units) if units is not None else None,
        period=period,
        lang=lang,
        by=by,
        data=list(data.paths) or None if data is not None else None,
        force=force,
        read_options=data.options() if data is not None else None,
        assessment=assessment,
    )
    period_text = f", period {written.period}" if written.period is not None else ""
    out.print(
        f"wrote {written.path} ({written.level}: {written.units} unit(s) on "
        f"{len(written.sheets)} sheet(s){period_text})",
        markup=False,
    )
