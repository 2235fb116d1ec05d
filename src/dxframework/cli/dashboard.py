"""``dxf dashboard``: one offline HTML file to explore the results."""

from __future__ import annotations

import contextlib
import os
import secrets
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
)
from dxframework.errors import DxfError, Problem

SUFFIXES = (".html", ".htm")


@cli.command("dashboard")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@lang_option
@click.option(
    "--tasks",
    "tasks_file",
    type=click.Path(path_type=Path),
    default=None,
    help="An updated copy of the task catalogue (CSV, Excel or JSON).",
)
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
    _check_target(out_file, [*given, framework, pipeline, tasks_file], force, pack.root)
    results = score_levels(pack, level, data, framework, period, pipeline)
    from dxframework.report.dashboard import dashboard_html  # the report extra (Babel)

    tasks = pack.tasks(tasks_file) if tasks_file is not None else None
    text = dashboard_html(results, pack, lang, tasks=tasks)
    _write_atomically(out_file, text)
    size = len(text.encode("utf-8")) / 1024
    out.print(f"wrote {out_file} ({', '.join(results)}; {size:.0f} KiB)", markup=False)


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    with contextlib.suppress(OSError):
        return a.exists() and b.exists() and os.path.samefile(a, b)
    return False


def _check_target(
    target: Path, inputs: list[Path | str | None], force: bool, pack_root: Path
) -> None:
    """Refuse a name that is not .html, a folder, an input, a file in the pack's folder, or
    an existing file (without ``--force``)."""
    if target.suffix.lower() not in SUFFIXES:
        raise DxfError(
            Problem(
                "the dashboard is a web page: its file name must end in .html",
                file=str(target),
                hint="e.g. --out dashboard.html",
            )
        )
    if target.is_dir():
        raise DxfError(Problem("is a folder, not a file name", file=str(target)))
    for item in inputs:
        if item is not None and Path(item).exists() and _same_file(target, Path(item)):
            raise DxfError(
                Problem(
                    "the dashboard would overwrite an input file of this command",
                    file=str(target),
                    hint="write the dashboard to another file",
                )
            )
    if target.resolve().is_relative_to(Path(pack_root).resolve()):
        raise DxfError(
            Problem(
                "the dashboard would be written inside the pack's folder, among its inputs",
                file=str(target),
                hint="write the dashboard to another folder",
            )
        )
    if target.exists() and not force:
        raise DxfError(
            Problem(
                "the file exists already",
                file=str(target),
                hint="choose another name, or give --force to replace it",
            )
        )


def _write_atomically(target: Path, text: str) -> None:
    """Write beside the target, then rename: the file is whole or as it was."""
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
