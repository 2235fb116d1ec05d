"""``dxf validate``, ``run``, ``stats``, ``uncertainty``: scoring data with a pack."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click
import numpy as np
from rich.markup import escape
from rich.table import Table

from dxframework.cli.app import (
    DataInput,
    choose_levels,
    cli,
    csv_text,
    data_option,
    framework_option,
    handle_errors,
    level_option,
    load_level,
    out,
    out_option,
    pack_option,
    period_option,
    pipeline_option,
    print_ranking,
    progress_bar,
    registry,
    score_levels,
)
from dxframework.errors import DxfError, Problem


@cli.command("validate")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@handle_errors
def validate_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
) -> None:
    """Check a data file (and framework) against a pack; print every problem found.

    The pipeline is run as a dry run (nothing is written), so faults that only show when
    scoring (a zero denominator, a non-positive value for a geometric mean) are found too.
    """
    pack = registry().pack(pack_name)
    for lvl in choose_levels(pack, level, data, pipeline):
        fw, dataset = load_level(lvl, data, framework, period)
        lvl.run(dataset, pipeline, framework=fw, version=pack.version)
        n_missing = int((dataset.values != dataset.values).sum())
        out.print(
            f"ok ({lvl.name}): {len(dataset.units)} units × {len(fw.indicators)} "
            f"indicators × {len(dataset.periods)} period(s), {n_missing} missing "
            f"value(s); framework with {len(fw.aggregates)} aggregates, index {fw.index!r}",
            markup=False,
        )


@cli.command("run")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the results (created if needed; one sub-folder per level when "
    "several levels are scored).",
)
@click.option("--top", type=int, default=10, show_default=True, help="Rows of the ranking shown.")
@handle_errors
def run_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    out_dir: Path,
    top: int,
) -> None:
    """Score data with a pack's pipeline and write every stage's data set."""
    from dxframework.io.writers import check_inputs_outside

    given = data.paths if data is not None else ()
    check_inputs_outside(out_dir, [*given, framework, pipeline])  # before scoring anything
    run_and_write(pack_name, level, data, framework, period, pipeline, out_dir, top)


def run_and_write(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    out_dir: Path,
    top: int,
) -> None:
    from attrs import evolve

    from dxframework.analysis.rollup import rollup
    from dxframework.io.assemble import expand_inputs
    from dxframework.io.writers import (
        atomic_folder,
        check_inputs_outside,
        dataset_csv_text,
        write_run,
    )
    from dxframework.pipeline.run import file_sha256

    pack = registry().pack(pack_name)
    levels = choose_levels(pack, level, data, pipeline)
    results = {}
    for lvl in levels:  # compute everything first: nothing is written if any level fails
        fw, dataset = load_level(lvl, data, framework, period)
        pipe = lvl.pipeline(pipeline)
        with progress_bar() as bar:
            task = bar.add_task(f"{pack.name}: {pipe.name}", total=len(pipe.stages))

            def progress(name: str, done: int, total: int, task: Any = task) -> None:
                bar.update(task, completed=done, description=f"{pack.name}: {name}")

            result = lvl.run(dataset, pipe, framework=fw, version=pack.version, progress=progress)
        manifest = dict(result.manifest)
        if data is not None and data.paths:
            srcs = expand_inputs(data.paths)[0]
        else:
            srcs = [lvl.data_path] if lvl.data_path is not None else []
        entries = [{"path": str(f), "sha256": file_sha256(f)} for f in srcs]
        if entries:
            manifest["inputs"] = {"data": entries[0] if len(entries) == 1 else entries}
        if framework is not None:
            manifest.setdefault("inputs", {})["framework"] = {
                "path": str(framework),
                "sha256": file_sha256(framework),
            }
        results[lvl.name] = evolve(result, manifest=manifest)
    given = data.paths if data is not None else ()
    inputs = [*given, framework, pipeline, *(lvl.data_path for lvl in levels)]
    check_inputs_outside(out_dir, inputs)
    written: dict[str, tuple[Path, list[Path]]] = {}
    with atomic_folder(out_dir):  # every level in one swap: all or nothing
        for lvl in levels:
            target = out_dir if len(levels) == 1 else out_dir / lvl.name
            with atomic_folder(target) as folder:  # a sub-folder of the one swap
                files = write_run(results[lvl.name], target)
                to = lvl.rollup.get("to")
                if to:
                    rolled = rollup(results[lvl.name], weight=lvl.rollup.get("weight"))
                    text = dataset_csv_text(rolled)
                    (folder / f"rollup-{to}.csv").write_text(text, encoding="utf-8")
                    files.append(target / f"rollup-{to}.csv")
            written[lvl.name] = (target, files)
    for lvl in levels:
        target, files = written[lvl.name]
        if len(levels) > 1:
            out.print(f"[bold]{escape(lvl.title_en or lvl.name)}[/bold]")
        print_ranking(results[lvl.name], top)
        out.print(f"wrote {len(files)} files to {target}", markup=False)


@cli.command("stats")
@pack_option
@level_option
@data_option
@pipeline_option
@click.option(
    "--stage",
    default=None,
    help="Data set to describe (default: the raw data for the summary, the "
    "aggregated set for correlations).",
)
@out_option("the statistics")
@handle_errors
def stats_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    pipeline: str | None,
    stage: str | None,
    out_dir: Path,
) -> None:
    """Indicator statistics, correlations, Cronbach's alpha, PCA and flags of a scored run.

    Writes summary.csv, correlations-pearson.csv, correlations-spearman.csv, groups.csv
    (Cronbach's alpha and the first component's share per aggregate) and flags.csv
    (indicators correlating negatively with their aggregate, nearly collinear pairs).
    """

    from dxframework.analysis import (
        correlation_flags,
        correlations,
        cronbach_alpha,
        indicator_summary,
        pca,
    )
    from dxframework.io.writers import atomic_folder, check_inputs_outside

    check_inputs_outside(out_dir, [*(data.paths if data is not None else ()), pipeline])
    pack = registry().pack(pack_name)
    results = score_levels(pack, level, data, pipeline)
    multi = len(results) > 1
    files_of: dict[str, tuple[Path, dict[str, str], list[dict[str, Any]]]] = {}

    for name, result in results.items():
        described = result[stage] if stage else result.raw
        final = result[stage] if stage else result.final
        fw = result.framework
        p = final.period_index(None)
        x = final.values[p]
        files: dict[str, str] = {"summary.csv": csv_text(indicator_summary(described))}
        for method in ("pearson", "spearman"):
            r = correlations(x, method)
            rows = [
                {"code": c, **{d: float(r[i, j]) for j, d in enumerate(final.columns)}}
                for i, c in enumerate(final.columns)
            ]
            files[f"correlations-{method}.csv"] = csv_text(rows)
        groups = []
        for parent in fw.aggregate_codes:
            kids = [e.child for e in fw.children(parent) if final.has_column(e.child)]
            if len(kids) < 2:
                continue
            sub = final.get(kids)[p]
            share = (
                pca(sub)["explained"][0] if np.isfinite(sub).all(axis=1).sum() > 2 else float("nan")
            )
            groups.append(
                {
                    "aggregate": parent,
                    "children": len(kids),
                    "cronbach_alpha": cronbach_alpha(sub),
                    "pc1_share": share,
                }
            )
        files["groups.csv"] = csv_text(groups)
        flags = correlation_flags(fw, final)
        files["flags.csv"] = csv_text(
            [
                {
                    "flag": f["flag"],
                    "code": f["code"],
                    "other": f.get("other", ""),
                    "parent": f["parent"],
                    "r": f["r"],
                }
                for f in flags
            ]
        )
        files_of[name] = (out_dir / name if multi else out_dir, files, flags)
    with atomic_folder(out_dir):  # every level in one swap: all or nothing
        for target, files, _ in files_of.values():
            with atomic_folder(target) as tmp:
                for fname, text in files.items():
                    (tmp / fname).write_text(text, encoding="utf-8")
    for name, (target, files, flags) in files_of.items():
        for f in flags:
            what = (
                f"correlates negatively with {f['parent']}"
                if f["flag"] == "negative"
                else f"is nearly collinear with {f['other']} in {f['parent']}"
            )
            out.print(f"flag ({name}): {f['code']} {what} (r = {f['r']:.2f})", markup=False)
        out.print(f"wrote {len(files)} files to {target}", markup=False)


@cli.command("uncertainty")
@pack_option
@level_option
@data_option
@pipeline_option
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(path_type=Path),
    required=True,
    help="TOML file of uncertain assumptions ([[choice]], [[uniform]], [[weights]]).",
)
@click.option("--n", "n", type=int, default=200, show_default=True, help="Number of draws.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the draws.")
@click.option(
    "--sampler",
    type=click.Choice(["random", "sobol"]),
    default="random",
    show_default=True,
    help="Pseudo-random draws or a scrambled Sobol' sequence.",
)
@click.option(
    "--code",
    default=None,
    help="Aggregate whose scores and ranks are analysed (default: the index).",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Also compute Sobol' sensitivity indices (n·(d + 2) more runs).",
)
@click.option(
    "--output",
    "sa_output",
    default="mean_rank_shift",
    show_default=True,
    help="Scalar output of the sensitivity analysis: mean_rank_shift, mean_score_shift, "
    "rank:UNIT or score:UNIT.",
)
@click.option(
    "--bootstrap",
    type=int,
    default=200,
    show_default=True,
    help="Bootstrap resamples for the confidence intervals of the sensitivity indices.",
)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Processes running draws in parallel (results do not depend on it).",
)
@click.option(
    "--dask",
    "dask_workers",
    type=int,
    default=None,
    help="Run the draws on a local Dask cluster with this many worker processes "
    "(needs dxframework[dask]); results do not depend on it.",
)
@click.option(
    "--scheduler",
    default=None,
    help="Address of a running Dask scheduler (tcp://host:8786) to run the draws on.",
)
@click.option("--top", type=int, default=10, show_default=True, help="Rows of the table shown.")
@out_option("the results")
@handle_errors
def uncertainty_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    pipeline: str | None,
    spec_file: Path,
    n: int,
    seed: int,
    sampler: str,
    code: str | None,
    sensitivity: bool,
    sa_output: str,
    bootstrap: int,
    workers: int,
    dask_workers: int | None,
    scheduler: str | None,
    top: int,
    out_dir: Path,
) -> None:
    """Uncertainty (and sensitivity) analysis of a pack's scores and ranks (METHODS.md §10).

    --spec names a TOML file, or a file shipped in the pack's folder (the asem pack ships
    uncertainty.toml). Runs the pipeline N times with the assumptions of the spec drawn at
    random and writes uncertainty.csv (per unit: nominal score and rank; mean, median, 5th
    and 95th percentile of score and rank) and draws.csv (the assumption values of every
    draw). With --sensitivity, also runs the Saltelli design (N·(d + 2) runs, d assumptions)
    and writes sensitivity.csv (first-order and total Sobol' indices with bootstrap 95 %
    intervals).
    """

    from dxframework.analysis.sensitivity import run_sensitivity
    from dxframework.analysis.uncertainty import UncertaintySpec, run_uncertainty
    from dxframework.io.writers import atomic_folder, check_inputs_outside

    check_inputs_outside(out_dir, [*(data.paths if data is not None else ()), pipeline, spec_file])
    pack = registry().pack(pack_name)
    levels = choose_levels(pack, level, data, pipeline)
    if len(levels) > 1:
        raise DxfError(
            Problem(
                f"pack {pack_name!r} scores several levels",
                hint=f"choose one with --level ({', '.join(lvl.name for lvl in levels)})",
            )
        )
    lvl = levels[0]
    fw, dataset = load_level(lvl, data, None, None)
    pipe = lvl.pipeline(pipeline)
    if not spec_file.is_file() and (lvl.root / spec_file).is_file():
        spec_file = lvl.root / spec_file  # a spec shipped with the pack
    spec = UncertaintySpec.from_file(spec_file)
    options: dict[str, Any] = {"sampler": sampler, "code": code, "workers": workers}
    stack = contextlib.ExitStack()
    if dask_workers is not None or scheduler is not None:
        try:
            import distributed
        except ImportError:
            raise DxfError(
                Problem("Dask is not installed", hint="pip install 'dxframework[dask]'")
            ) from None
        target: Any = scheduler or stack.enter_context(
            distributed.LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=dask_workers or 1, threads_per_worker=1, dashboard_address=None
            )
        )
        client = distributed.Client(target)  # type: ignore[no-untyped-call]
        options["client"] = stack.enter_context(client)

    with (
        stack,
        progress_bar() as bar,
    ):
        task = bar.add_task(f"{pack.name}: uncertainty", total=n)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        ua = run_uncertainty(fw, dataset, pipe, spec, n, seed, progress=progress, **options)
        sa = None
        if sensitivity:
            bar.update(task, description=f"{pack.name}: sensitivity", completed=0)
            sa = run_sensitivity(
                fw,
                dataset,
                pipe,
                spec,
                n,
                seed,
                sa_output,
                bootstrap,
                progress=progress,
                **options,
            )
    files = {"uncertainty.csv": csv_text(ua.to_rows()), "draws.csv": csv_text(ua.draw_rows())}
    if sa is not None:
        files["sensitivity.csv"] = csv_text(sa.to_rows())
    with atomic_folder(out_dir) as tmp:
        for fname, text in files.items():
            (tmp / fname).write_text(text, encoding="utf-8")

    ranks = ua.rank_summary()
    width = ranks["p95"] - ranks["p5"]
    order = sorted(
        range(len(ua.units)), key=lambda i: (-np.nan_to_num(width[i], nan=-1.0), ua.units[i])
    )
    node = fw.nodes.get(ua.code)
    t = Table(
        title=f"{node.label('en') if node else ua.code}: widest rank intervals "
        f"({ua.n} draws, seed {seed})"
    )
    for col in ("unit", "name", "nominal rank", "median rank", "rank p5–p95", "score p5–p95"):
        t.add_column(col, justify="left" if col in ("unit", "name") else "right")
    scores = ua.score_summary()

    def num(x: float, fmt: str) -> str:
        return "" if x != x else format(x, fmt)

    for i in order[:top]:
        t.add_row(
            escape(ua.units[i]),
            escape(ua.unit_names[i]),
            num(ua.nominal_rank[i], ".0f"),
            num(ranks["median"][i], ".1f"),
            f"{num(ranks['p5'][i], '.1f')}–{num(ranks['p95'][i], '.1f')}",
            f"{num(scores['p5'][i], '.2f')}–{num(scores['p95'][i], '.2f')}",
        )
    out.print(t)
    if sa is not None:
        t = Table(title=f"Sensitivity of {sa.output} ({sa.runs} runs, {sa.bootstrap} bootstraps)")
        for col in ("assumption", "S", "S 95 %", "ST", "ST 95 %"):
            t.add_column(col, justify="left" if col == "assumption" else "right")
        for r in sa.to_rows():
            t.add_row(
                escape(r["assumption"]),
                num(r["S"], ".3f"),
                f"{num(r['S_low'], '.3f')} – {num(r['S_high'], '.3f')}",
                num(r["ST"], ".3f"),
                f"{num(r['ST_low'], '.3f')} – {num(r['ST_high'], '.3f')}",
            )
        out.print(t)
    out.print(f"wrote {len(files)} files to {out_dir}", markup=False)
