"""``dxf dashboard``: one offline HTML file to explore the results."""

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
    pack_option,
    period_option,
    pipeline_option,
    registry,
    score_levels,
    tasks_option,
)
from dxframework.io.writers import atomic_file, check_output_file

SUFFIXES = (".html", ".htm")


@cli.command("dashboard")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@lang_option
@tasks_option
@click.option(
    "--out",
    "-o",
    "out_file",
    type=click.Path(path_type=Path),
    required=True,
    help="The .html file to write.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@handle_errors
def dashboard_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    lang: str,
    tasks_file: Path | None,
    out_file: Path,
    force: bool,
) -> None:
    """Write a dashboard of the results: one HTML file that works offline.

    Open it in any browser, without network: the ranking of each level with a group filter
    and a search that ignores accents, a unit's profile against the median, any indicator
    across units, the trend over the years, the targets and gaps and the task progress,
    in Vietnamese and English (``--lang`` is the language it opens in).
    """
    given = data.paths if data is not None else ()
    pack = registry().pack(pack_name)
    check_output_file(
        out_file,
        what="the dashboard",
        suffixes=SUFFIXES,
        inputs=[*pack.input_files(), *given, framework, pipeline, tasks_file],
        force=force,
    )
    results = score_levels(pack, level, data, framework, period, pipeline)
    from dxframework.report.dashboard import dashboard_html  # the report extra (Babel)

    tasks = pack.tasks(tasks_file) if tasks_file is not None else None
    text = dashboard_html(results, pack, lang, tasks=tasks)
    with atomic_file(out_file) as tmp:
        tmp.write_text(text, encoding="utf-8")
    size = len(text.encode("utf-8")) / 1024
    out.print(f"wrote {out_file} ({', '.join(results)}; {size:.0f} KiB)", markup=False)
