"""``dxf plot``: one picture of a pack's framework or results, as SVG, PNG or PDF.

The pictures are those of :mod:`dxframework.report.plots`; the uncertainty pictures come from
``dxf uncertainty --figures svg|png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dxframework.cli.app import (
    DataInput,
    choose_levels,
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
    split_csv,
)
from dxframework.errors import DxfError, Problem
from dxframework.io.frameworks import read_framework
from dxframework.io.writers import check_output_file
from dxframework.packs.loaders import registered_loaders

KINDS = ("framework", "ranking", "profile", "distribution")
FORMATS = ("svg", "png", "pdf")

#: The options each kind of picture takes, beyond the pack's.
_OPTIONS = {
    "unit": ("ranking", "profile"),
    "aggregate": ("ranking",),
    "top": ("ranking",),
    "indicators": ("distribution",),
    "stage": ("distribution",),
}


@cli.command("plot")
@click.argument("kind", type=click.Choice(KINDS))
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@click.option(
    "--unit",
    "-u",
    default=None,
    help="profile: the unit to draw (its code); ranking: units to highlight (codes, "
    "comma-separated).",
)
@click.option(
    "--aggregate",
    "-a",
    default=None,
    help="ranking: the aggregate to rank by (default: the index).",
)
@click.option(
    "--top", type=int, default=None, help="ranking: show the first N units only (default: all)."
)
@click.option(
    "--indicator",
    "-i",
    "indicators",
    multiple=True,
    help="distribution: indicator codes to show (repeat it or separate with commas; "
    "default: every indicator).",
)
@click.option(
    "--stage",
    default="raw",
    show_default=True,
    help="distribution: the data set to show: raw (the data as given) or a stage's "
    "(normalised, …).",
)
@lang_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="svg, png (150 dpi) or pdf (default: from the --out suffix).",
)
@click.option(
    "--out",
    "-o",
    "out_file",
    type=click.Path(path_type=Path),
    required=True,
    help="The picture file to write (.svg, .png or .pdf), replaced if it exists.",
)
@handle_errors
def plot_cmd(
    kind: str,
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    unit: str | None,
    aggregate: str | None,
    top: int | None,
    indicators: tuple[str, ...],
    stage: str,
    lang: str,
    fmt: str | None,
    out_file: Path,
) -> None:
    """Draw one picture of a pack's level: KIND is framework, ranking, profile or distribution.

    \b
    framework     the framework as a graph, indicators at the bottom, aggregates above;
                  nodes feeding several parents (a shared foundation) in orange
    ranking       the units' scores for the index (or --aggregate), best on top
    profile       one unit's (--unit) scores for every aggregate against the median
    distribution  one histogram per indicator (--indicator, --stage)

    Without --level (or data that fit one level), the pack's default level is drawn. The
    picture is written whole or not at all (--out FILE, replaced if it exists). The
    rank ranges and sensitivity bars of an uncertainty analysis are drawn by
    dxf uncertainty --figures svg|png. From Python: dxframework.report.plots.
    """
    from dxframework.report import plots  # needs matplotlib

    given = {
        "unit": unit is not None,
        "aggregate": aggregate is not None,
        "top": top is not None,
        "indicators": bool(indicators),
        "stage": stage != "raw",
    }
    for name, used in given.items():
        if used and kind not in _OPTIONS[name]:
            flag = "--indicator" if name == "indicators" else f"--{name}"
            raise click.UsageError(f"{flag} is for: dxf plot {' | '.join(_OPTIONS[name])}")
    if kind == "profile" and unit is None:
        raise click.UsageError("dxf plot profile needs --unit CODE")
    suffix = out_file.suffix.lower().lstrip(".")
    fmt = fmt or suffix
    if fmt not in FORMATS:
        raise DxfError(
            Problem(
                f"cannot tell the picture's format from {out_file.name!r}",
                file=str(out_file),
                hint="end the file name in .svg, .png or .pdf, or give --format",
            )
        )
    pack = registry().pack(pack_name)
    check_output_file(
        out_file,
        what="the picture",
        suffixes=tuple(f".{f}" for f in FORMATS),
        inputs=[
            *pack.input_files(),
            *(data.paths if data is not None else ()),
            *(data.files() if data is not None else ()),
            framework,
            pipeline,
        ],
        force=True,  # a picture is drawn again and again: replaced (atomically)
    )
    # a picture shows one level: the one chosen, else the pack's default level
    levels = choose_levels(pack, level, data, pipeline)
    default = pack.level()
    lvl = levels[0] if len(levels) == 1 or default not in levels else default
    fig: Any
    if kind == "framework":
        fw = lvl.framework
        if framework is not None:
            loaders = registered_loaders()
            fw = read_framework(framework, lvl.level_names, lvl.index, loaders=loaders).framework
        fig = plots.framework_graph(fw, lang=lang)
    else:
        result = score_levels(pack, None, data, framework, period, pipeline, levels=[lvl])
        run = result[lvl.name]
        if kind == "ranking":
            marked = split_csv(unit) if unit is not None else None
            fig = plots.ranking(run, aggregate, top=top, highlight=marked, lang=lang)
        elif kind == "profile":
            assert unit is not None
            fig = plots.unit_profile(run, unit, lang=lang)
        else:
            codes = [c for text in indicators for c in split_csv(text)] or None
            fig = plots.distributions(run, codes, stage=stage, lang=lang)
    written = plots.save(fig, out_file, fmt)
    out.print(f"wrote {written} ({pack.name}, level {lvl.name})", markup=False)
