"""The ``dxf`` command line: list packs and plugins, validate data, run pipelines.

Every error in user input is printed as one line per problem (file, row, column, what is
wrong, how to fix it) on standard error, and the command exits with status 2 without a
traceback and without writing anything.
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click
import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dxframework._version import __version__
from dxframework.errors import DxfError, Problem

__all__ = ["cli", "main"]

FC = TypeVar("FC", bound=Callable[..., Any])

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _merge(problems: Sequence[Problem]) -> list[Problem]:
    """One problem per place and fault: those differing only in the indicator become one.

    A zero in a denominator column is one fault, though every indicator divided by that
    column reports it; it is printed once, naming the indicators.
    """
    groups: dict[tuple[Any, ...], list[Problem]] = {}
    for p in problems:
        key = (p.message, p.file, p.row, p.column, p.unit, p.hint)
        groups.setdefault(key, []).append(p)
    merged: list[Problem] = []
    for group in groups.values():
        names = list(dict.fromkeys(p.indicator for p in group if p.indicator is not None))
        if len(names) < 2:
            merged.extend(group[:1])
        else:
            first = group[0]
            merged.append(
                attrs.evolve(
                    first,
                    indicator=None,
                    message=f"{first.message} (indicators: {', '.join(names)})",
                )
            )
    return merged


def _fail(problems: Sequence[Problem]) -> None:
    for p in _merge(problems):
        err.print(f"error: {p}", markup=False)
    sys.exit(2)


def handle_errors(func: FC) -> FC:
    """Turn :class:`DxfError` and file-system errors into one line per problem and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = func(*args, **kwargs)
            for w in caught:
                err.print(f"warning: {w.message}", markup=False)
            return result
        except DxfError as exc:
            _fail(exc.problems)
        except (OSError, UnicodeError) as exc:
            _fail([Problem(str(exc))])
        return None

    return wrapper  # type: ignore[return-value]


def _registry() -> Any:
    from dxframework.plugins.manager import get_registry

    return get_registry()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dxf")
def cli() -> None:
    """dxf: build, score and report digital transformation indices."""


@cli.command("packs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def packs_cmd(as_json: bool) -> None:
    """List the installed metric packs."""
    reg = _registry()
    rows = [
        {
            "name": name,
            "version": pack.version,
            "plugin": plugin,
            "title_en": pack.title_en,
            "title_vi": pack.title_vi,
            "levels": list(pack.levels),
            "pipelines": sorted({p for lvl in pack.levels.values() for p in lvl.pipelines}),
        }
        for name, (plugin, pack) in sorted(reg.packs.items())
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Metric packs")
    for col in ("name", "version", "plugin", "title", "levels", "pipelines"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["name"],
            r["version"],
            r["plugin"],
            r["title_en"] or r["title_vi"],
            ", ".join(r["levels"]),
            ", ".join(r["pipelines"]),
        )
    out.print(table)


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def plugins_cmd(as_json: bool) -> None:
    """List the installed plugins, their versions and the hooks they implement."""
    from dxframework.plugins.manager import plugin_info

    infos = plugin_info()
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in infos], indent=2, ensure_ascii=False))
        return
    table = Table(title="Plugins")
    for col in ("name", "package", "version", "hooks"):
        table.add_column(col)
    for i in infos:
        hooks = ", ".join(i.hooks) if i.error is None else f"[red]failed: {i.error}[/red]"
        table.add_row(i.name, i.package or "", i.version or "", hooks)
    out.print(table)


@cli.command("methods")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def methods_cmd(as_json: bool) -> None:
    """List the registered methods of every family and the plugin providing each."""
    reg = _registry()
    rows = [
        {"family": fam, "name": m.name, "plugin": m.plugin, "description": m.description}
        for fam, methods in reg.methods.items()
        for m in methods.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Methods")
    for col in ("family", "name", "plugin", "description"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["family"], r["name"], r["plugin"], r["description"])
    out.print(table)


def _levels(
    pack: Any, level: str | None, data: Path | None, pipeline: str | None = None
) -> list[Any]:
    """The levels to work on: the one named, the one the data file fits, or all of them.

    Without a level or a data file, a pipeline name restricts the run to the levels that
    declare it.
    """
    if level is not None:
        return [pack.level(level)]
    if data is not None:
        return [pack.level_for(data)] if len(pack.levels) > 1 else [pack.level()]
    levels = list(pack.levels.values())
    if pipeline is not None:
        having = [lvl for lvl in levels if pipeline in lvl.pipelines]
        levels = having or levels
    return levels


def _load(
    lvl: Any, data: Path | None, framework: Path | None, period: int | None
) -> tuple[Any, Any]:
    from dxframework.io.frameworks import read_framework

    if framework is None:
        return lvl.framework, lvl.load_data(data, period=period)
    spec = read_framework(framework, lvl.level_names, lvl.index)
    return spec.framework, lvl.load_data(data, period=period, spec=spec)


_pack_opt = click.option("--pack", "-p", "pack_name", required=True, help="Metric pack name.")
_level_opt = click.option(
    "--level",
    "-l",
    default=None,
    help="Level of the pack to score (default: the one the data fits, or "
    "every level when no data file is given).",
)
_data_opt = click.option(
    "--data",
    "-d",
    type=click.Path(path_type=Path),
    default=None,
    help="Data file (.csv, .xlsx, .json); default: the pack's sample data.",
)
_fw_opt = click.option(
    "--framework",
    "-f",
    type=click.Path(path_type=Path),
    default=None,
    help="Framework file replacing the pack's (.csv metadata table or .toml).",
)
_period_opt = click.option(
    "--period", type=int, default=None, help="Score one period (year) of a panel."
)
_pipeline_opt = click.option(
    "--pipeline",
    "pipeline",
    default=None,
    help="Pipeline name of the pack or a .toml/.json file (a manifest.json repeats that run).",
)


@cli.command("validate")
@_pack_opt
@_level_opt
@_data_opt
@_fw_opt
@_period_opt
@_pipeline_opt
@handle_errors
def validate_cmd(
    pack_name: str,
    level: str | None,
    data: Path | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
) -> None:
    """Check a data file (and framework) against a pack; print every problem found.

    The pipeline is run as a dry run (nothing is written), so faults that only show when
    scoring (a zero denominator, a non-positive value for a geometric mean) are found too.
    """
    pack = _registry().pack(pack_name)
    for lvl in _levels(pack, level, data, pipeline):
        fw, dataset = _load(lvl, data, framework, period)
        lvl.run(dataset, pipeline, framework=fw, version=pack.version)
        n_missing = int((dataset.values != dataset.values).sum())
        out.print(
            f"ok ({lvl.name}): {len(dataset.units)} units × {len(fw.indicators)} "
            f"indicators × {len(dataset.periods)} period(s), {n_missing} missing "
            f"value(s); framework with {len(fw.aggregates)} aggregates, index {fw.index!r}",
            markup=False,
        )


@cli.command("run")
@_pack_opt
@_level_opt
@_data_opt
@_fw_opt
@_period_opt
@_pipeline_opt
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
    data: Path | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    out_dir: Path,
    top: int,
) -> None:
    """Score data with a pack's pipeline and write every stage's data set."""
    _run(pack_name, level, data, framework, period, pipeline, out_dir, top)


def _run(
    pack_name: str,
    level: str | None,
    data: Path | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    out_dir: Path,
    top: int,
) -> None:
    from attrs import evolve

    from dxframework.analysis.rollup import rollup
    from dxframework.io.writers import atomic_folder, dataset_csv_text, write_run
    from dxframework.pipeline.run import file_sha256

    pack = _registry().pack(pack_name)
    levels = _levels(pack, level, data, pipeline)
    results = {}
    for lvl in levels:  # compute everything first: nothing is written if any level fails
        fw, dataset = _load(lvl, data, framework, period)
        pipe = lvl.pipeline(pipeline)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task(f"{pack.name}: {pipe.name}", total=len(pipe.stages))

            def progress(name: str, done: int, total: int, task: Any = task) -> None:
                bar.update(task, completed=done, description=f"{pack.name}: {name}")

            result = lvl.run(dataset, pipe, framework=fw, version=pack.version, progress=progress)
        manifest = dict(result.manifest)
        src = data if data is not None else lvl.data_path
        if src is not None:
            manifest["inputs"] = {"data": {"path": str(src), "sha256": file_sha256(src)}}
        if framework is not None:
            manifest.setdefault("inputs", {})["framework"] = {
                "path": str(framework),
                "sha256": file_sha256(framework),
            }
        results[lvl.name] = evolve(result, manifest=manifest)
    for lvl in levels:
        target = out_dir if len(levels) == 1 else out_dir / lvl.name
        written = write_run(results[lvl.name], target)
        to = lvl.rollup.get("to")
        if to:
            rolled = rollup(results[lvl.name], weight=lvl.rollup.get("weight"))
            with atomic_folder(target) as tmp:
                (tmp / f"rollup-{to}.csv").write_text(dataset_csv_text(rolled), encoding="utf-8")
            written.append(target / f"rollup-{to}.csv")
        if len(levels) > 1:
            out.print(f"[bold]{escape(lvl.title_en or lvl.name)}[/bold]")
        _print_ranking(results[lvl.name], top)
        out.print(f"wrote {len(written)} files to {target}", markup=False)


def _print_ranking(result: Any, top: int) -> None:
    code = result.framework.index or result.scores.columns[0]
    node = result.framework.nodes.get(code)
    table = Table(title=f"{node.label('en') if node else code}")
    for col in ("rank", "unit", "name", "score"):
        table.add_column(col, justify="right" if col in ("rank", "score") else "left")
    for rank, unit, name, score in result.ranking(code)[:top]:
        table.add_row(str(rank), unit, name, f"{score:.4f}")
    out.print(table)


@cli.command("check-pack")
@click.argument("name")
@handle_errors
def check_pack_cmd(name: str) -> None:
    """Run the conformance checks on an installed pack and print the report.

    Exits 2 when a check fails. A pack's own tests run the same checks with
    ``dxframework.testing.assert_pack_conforms``.
    """
    from dxframework.testing import check_pack

    report = check_pack(name)
    table = Table(title=f"dxf check-pack {name}")
    for col in ("", "level", "check", "details"):
        table.add_column(col)
    for c in report.checks:
        table.add_row(
            "[green]ok[/green]" if c.passed else "[red]FAIL[/red]",
            c.level,
            c.name,
            c.message,
            style=None if c.passed else "red",
        )
    out.print(table)
    passed = sum(c.passed for c in report.checks)
    if report.passed:
        out.print(f"{passed}/{len(report.checks)} checks passed")
        return
    for c in report.failures:
        err.print(f"error: pack {name!r} ({c.level}): {c.name}: {c.message}", markup=False)
    sys.exit(2)


@cli.command("new-pack")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the dxf-NAME folder.",
)
@click.option("--title-en", default=None, help="English title of the index.")
@click.option("--title-vi", default=None, help="Vietnamese title of the index.")
@click.option(
    "--level",
    default="district",
    show_default=True,
    help="Administrative level the pack scores (province, district, commune…).",
)
@handle_errors
def new_pack_cmd(
    name: str, directory: Path, title_en: str | None, title_vi: str | None, level: str
) -> None:
    """Create an installable metric-pack plugin dxf-NAME that passes its own tests."""
    from dxframework.packs.scaffold import scaffold_pack

    target = scaffold_pack(name, directory, title_en, title_vi, level)
    out.print(f"created {target}", markup=False)
    out.print(
        f"next: cd {target} && pip install -e '.[test]' && python -m pytest && "
        f"dxf check-pack {name}",
        markup=False,
    )


def _score_levels(
    pack: Any, level: str | None, data: Path | None, pipeline: str | None = None
) -> dict[str, Any]:
    """Run the pack on the chosen levels (see ``_levels``); nothing is written."""
    results = {}
    for lvl in _levels(pack, level, data, pipeline):
        fw, dataset = _load(lvl, data, None, None)
        results[lvl.name] = lvl.run(dataset, pipeline, framework=fw, version=pack.version)
    return results


@cli.command("stats")
@_pack_opt
@_level_opt
@_data_opt
@_pipeline_opt
@click.option(
    "--stage",
    default=None,
    help="Data set to describe (default: the raw data for the summary, the "
    "aggregated set for correlations).",
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the statistics (created if needed).",
)
@handle_errors
def stats_cmd(
    pack_name: str,
    level: str | None,
    data: Path | None,
    pipeline: str | None,
    stage: str | None,
    out_dir: Path,
) -> None:
    """Indicator statistics, correlations, Cronbach's alpha, PCA and flags of a scored run.

    Writes summary.csv, correlations-pearson.csv, correlations-spearman.csv, groups.csv
    (Cronbach's alpha and the first component's share per aggregate) and flags.csv
    (indicators correlating negatively with their aggregate, nearly collinear pairs).
    """
    import csv
    import io

    from dxframework.analysis import (
        correlation_flags,
        correlations,
        cronbach_alpha,
        indicator_summary,
        pca,
    )
    from dxframework.io.writers import atomic_folder

    pack = _registry().pack(pack_name)
    results = _score_levels(pack, level, data, pipeline)
    multi = len(results) > 1

    def table(rows: list[dict[str, Any]]) -> str:
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        return buf.getvalue()

    for name, result in results.items():
        described = result[stage] if stage else result.raw
        final = result[stage] if stage else result.final
        fw = result.framework
        p = final.period_index(None)
        x = final.values[p]
        files: dict[str, str] = {"summary.csv": table(indicator_summary(described))}
        for method in ("pearson", "spearman"):
            r = correlations(x, method)
            rows = [
                {"code": c, **{d: float(r[i, j]) for j, d in enumerate(final.columns)}}
                for i, c in enumerate(final.columns)
            ]
            files[f"correlations-{method}.csv"] = table(rows)
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
        files["groups.csv"] = table(groups)
        flags = correlation_flags(fw, final)
        files["flags.csv"] = table(
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
        target = out_dir / name if multi else out_dir
        with atomic_folder(target) as tmp:
            for fname, text in files.items():
                (tmp / fname).write_text(text, encoding="utf-8")
        for f in flags:
            what = (
                f"correlates negatively with {f['parent']}"
                if f["flag"] == "negative"
                else f"is nearly collinear with {f['other']} in {f['parent']}"
            )
            out.print(f"flag ({name}): {f['code']} {what} (r = {f['r']:.2f})", markup=False)
        out.print(f"wrote {len(files)} files to {target}", markup=False)


@cli.command("report")
@_pack_opt
@_level_opt
@_data_opt
@_pipeline_opt
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the documents.",
)
@click.option(
    "--format",
    "formats",
    default="html,md,docx",
    show_default=True,
    help="Comma-separated formats: html, md, docx.",
)
@click.option(
    "--documents",
    default="proposal,plan,tasks",
    show_default=True,
    help="Comma-separated documents: proposal, plan, tasks.",
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A folder of templates overriding the pack's and the built-in ones.",
)
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
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the documents (created if needed).",
)
@handle_errors
def report_cmd(
    pack_name: str,
    level: str | None,
    data: Path | None,
    pipeline: str | None,
    lang: str,
    formats: str,
    documents: str,
    templates_dir: Path | None,
    tasks_file: Path | None,
    out_dir: Path,
) -> None:
    """Render the proposal, the annual plan and the priority task list from scored data."""
    paths = _report(
        pack_name,
        level,
        data,
        pipeline,
        lang,
        _csv(formats),
        _csv(documents),
        templates_dir,
        tasks_file,
        out_dir,
    )
    for p in paths:
        out.print(f"wrote {p}", markup=False)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _report(
    pack_name: str,
    level: str | None,
    data: Path | None,
    pipeline: str | None,
    lang: str,
    formats: list[str],
    documents: list[str],
    templates_dir: Path | None,
    tasks_file: Path | None,
    out_dir: Path,
) -> list[Path]:
    from dxframework.report.build import render_documents
    from dxframework.report.output import write_documents

    if templates_dir is not None and not templates_dir.is_dir():
        raise DxfError(Problem("template folder not found", file=str(templates_dir)))
    pack = _registry().pack(pack_name)
    results = _score_levels(pack, level, data, pipeline)
    tasks = pack.tasks(tasks_file) if tasks_file is not None else None
    rendered = render_documents(pack, results, lang, documents, user_dir=templates_dir, tasks=tasks)
    return write_documents(rendered, out_dir, formats, user_dir=templates_dir)


@cli.command("tasks")
@_pack_opt
@click.option(
    "--tasks",
    "tasks_file",
    type=click.Path(path_type=Path),
    default=None,
    help="An updated copy of the task catalogue (default: the pack's).",
)
@click.option(
    "--copy",
    "copy_to",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the pack's catalogue to this CSV file, to keep it up to date.",
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@handle_errors
def tasks_cmd(pack_name: str, tasks_file: Path | None, copy_to: Path | None, lang: str) -> None:
    """Report on the priority tasks: status, progress and pillar of each.

    ``--copy FILE`` writes the pack's catalogue for editing (in Excel or any editor);
    report on the edited copy with ``dxf tasks --tasks FILE`` or ``dxf report --tasks FILE``.
    """
    pack = _registry().pack(pack_name)
    if copy_to is not None:
        if pack.tasks_file is None:
            raise DxfError(Problem(f"pack {pack_name!r} ships no task catalogue"))
        if copy_to.exists():
            raise DxfError(
                Problem("the file already exists", file=str(copy_to), hint="choose another name")
            )
        copy_to.parent.mkdir(parents=True, exist_ok=True)
        copy_to.write_bytes((pack.root / pack.tasks_file).read_bytes())
        out.print(f"copied the task catalogue to {copy_to}", markup=False)
        return
    catalogue = pack.tasks(tasks_file)
    catalogue.check_codes(pack.level().framework.nodes)
    table = Table(title=f"{pack.name}: {len(catalogue.tasks)} tasks")
    for col in ("id", "task", "pillar", "years", "status", "progress"):
        table.add_column(col, justify="right" if col == "progress" else "left")
    for t in catalogue.tasks:
        table.add_row(
            escape(t.id),
            escape(t.text("name", lang)),
            escape(t.pillar),
            f"{t.start}–{t.end}",
            t.status,
            f"{t.progress:.0f}%",
        )
    out.print(table)
    summary = ", ".join(f"{status}: {n}" for status, n in catalogue.summary().items() if n)
    mean = (
        sum(t.progress for t in catalogue.tasks) / len(catalogue.tasks) if catalogue.tasks else 0.0
    )
    out.print(f"{summary}; mean progress {mean:.0f}%", markup=False)


@cli.group("templates")
def templates_group() -> None:
    """List the document templates, or copy one to edit it locally."""


@templates_group.command("list")
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A user template folder to include.",
)
@handle_errors
def templates_list_cmd(templates_dir: Path | None) -> None:
    """List every template and where it comes from (the first one found is used)."""
    from dxframework.report.environment import template_sources

    table = Table(title="Document templates")
    for col in ("template", "from", "used"):
        table.add_column(col)
    seen: set[str] = set()
    for prefix, folder in template_sources(templates_dir):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            table.add_row(name, f"{prefix}: {folder}", "yes" if name not in seen else "")
            seen.add(name)
    out.print(table)


@templates_group.command("copy")
@click.argument("name")
@click.argument("directory", type=click.Path(path_type=Path))
@handle_errors
def templates_copy_cmd(name: str, directory: Path) -> None:
    """Copy template NAME (e.g. sections/objectives.md.j2) into DIRECTORY to edit it.

    Render with ``dxf report --templates DIRECTORY``: the copy then replaces the original.
    """
    from dxframework.report.environment import template_sources

    rel = Path(name)
    if rel.is_absolute() or ".." in rel.parts:
        raise DxfError(
            Problem(f"invalid template name {name!r}", hint="use a name from 'dxf templates list'")
        )
    for _, folder in template_sources(None):
        source = folder / rel
        if source.is_file():
            target = directory / rel
            if target.exists():
                raise DxfError(
                    Problem(
                        "the file already exists",
                        file=str(target),
                        hint="edit it, or remove it to copy again",
                    )
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            out.print(f"copied {name} to {target}", markup=False)
            return
    raise DxfError(Problem(f"no template {name!r}", hint="see 'dxf templates list'"))


@cli.command("demo")
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dxf-demo"),
    show_default=True,
    help="Folder for the results.",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the documents.",
)
@handle_errors
def demo_cmd(out_dir: Path, lang: str) -> None:
    """The main job on the bundled Bắc Kạn demo data (synthetic).

    Scores the districts and communes, writes every stage's data set, and writes the
    proposal, the annual plan and the priority task list as HTML, Markdown and DOCX.
    """
    reg = _registry()
    if "backan" not in reg.packs:
        raise DxfError(
            Problem("the demo needs the backan pack", hint="pip install -e plugins/dxf-backan")
        )
    _run("backan", None, None, None, None, None, out_dir / "results", 5)
    paths = _report(
        "backan",
        None,
        None,
        None,
        lang,
        ["html", "md", "docx"],
        ["proposal", "plan", "tasks"],
        None,
        None,
        out_dir / "documents",
    )
    out.print("[bold]Documents[/bold] (synthetic demo data):")
    for p in paths:
        out.print(f"  {p}", markup=False)


@cli.command("uncertainty")
@_pack_opt
@_level_opt
@_data_opt
@_pipeline_opt
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
@click.option("--top", type=int, default=10, show_default=True, help="Rows of the table shown.")
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the results (created if needed).",
)
@handle_errors
def uncertainty_cmd(
    pack_name: str,
    level: str | None,
    data: Path | None,
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
    import csv
    import io

    from dxframework.analysis.sensitivity import run_sensitivity
    from dxframework.analysis.uncertainty import UncertaintySpec, run_uncertainty
    from dxframework.io.writers import atomic_folder

    pack = _registry().pack(pack_name)
    levels = _levels(pack, level, data, pipeline)
    if len(levels) > 1:
        raise DxfError(
            Problem(
                f"pack {pack_name!r} scores several levels",
                hint=f"choose one with --level ({', '.join(lvl.name for lvl in levels)})",
            )
        )
    lvl = levels[0]
    fw, dataset = _load(lvl, data, None, None)
    pipe = lvl.pipeline(pipeline)
    if not spec_file.is_file() and (lvl.root / spec_file).is_file():
        spec_file = lvl.root / spec_file  # a spec shipped with the pack
    spec = UncertaintySpec.from_file(spec_file)
    options: dict[str, Any] = {"sampler": sampler, "code": code, "workers": workers}

    def table(rows: list[dict[str, Any]]) -> str:
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        return buf.getvalue()

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
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
    files = {"uncertainty.csv": table(ua.to_rows()), "draws.csv": table(ua.draw_rows())}
    if sa is not None:
        files["sensitivity.csv"] = table(sa.to_rows())
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


def main() -> None:
    """Entry point of the ``dxf`` script."""
    cli(prog_name="dxf")
