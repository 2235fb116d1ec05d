"""``dxf export``: the results as spreadsheets (XLSX, or CSV with a byte-order mark)."""

from __future__ import annotations

from pathlib import Path

import click

from dxframework.cli.app import (
    DataInput,
    cli,
    data_option,
    framework_option,
    handle_errors,
    lang_option,
    level_option,
    out,
    out_option,
    pack_option,
    period_option,
    pipeline_option,
    registry,
    score_levels,
)
from dxframework.io.writers import atomic_folder, check_inputs_outside, dataset_csv_text

FORMATS = ("xlsx", "csv")


@cli.command("export")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@lang_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="xlsx",
    show_default=True,
    help="xlsx: one workbook per level; csv: one folder of CSV files per level.",
)
@click.option(
    "--bom",
    is_flag=True,
    default=False,
    help="Start CSV files with a UTF-8 byte-order mark (Excel then reads Vietnamese right).",
)
@out_option("the spreadsheets")
@handle_errors
def export_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    lang: str,
    fmt: str,
    bom: bool,
    out_dir: Path,
) -> None:
    """Score the pack's levels and write the results as spreadsheets.

    XLSX: ``LEVEL.xlsx`` with the results and ranks, one sheet per stage, the records, the
    weights, the framework and the manifest, headers in the document language. CSV:
    ``LEVEL/results.csv`` and one file per stage (``--bom`` for Excel).
    """
    if bom and fmt != "csv":
        raise click.UsageError("--bom is for --format csv (an XLSX workbook needs no mark)")
    from dxframework.report.export import csv_bytes, workbook_bytes  # needs openpyxl

    given = data.paths if data is not None else ()
    check_inputs_outside(out_dir, [*given, framework, pipeline])
    pack = registry().pack(pack_name)
    results = score_levels(pack, level, data, framework, period, pipeline)
    written: list[Path] = []
    with atomic_folder(out_dir) as tmp:
        for name, result in results.items():
            if fmt == "xlsx":
                (tmp / f"{name}.xlsx").write_bytes(workbook_bytes(result, lang))
                written.append(out_dir / f"{name}.xlsx")
                continue
            folder = tmp / name
            folder.mkdir()
            texts = {f"{s.name}.csv": dataset_csv_text(s.data) for s in result.stages}
            texts["results.csv"] = dataset_csv_text(result.scores, {"_rank": result.ranks})
            for file, text in texts.items():
                (folder / file).write_bytes(csv_bytes(text, bom))
                written.append(out_dir / name / file)
    for p in written:
        out.print(f"wrote {p}", markup=False)
