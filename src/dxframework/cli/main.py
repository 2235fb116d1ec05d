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
from rich.console import Console
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
            merged.append(attrs.evolve(first, indicator=None,
                                       message=f"{first.message} (indicators: {', '.join(names)})"))
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
    rows = [{"name": name, "version": pack.version, "plugin": plugin, "title_en": pack.title_en,
             "title_vi": pack.title_vi, "levels": list(pack.levels),
             "pipelines": list(pack.pipelines)}
            for name, (plugin, pack) in sorted(reg.packs.items())]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Metric packs")
    for col in ("name", "version", "plugin", "title", "pipelines"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["version"], r["plugin"], r["title_en"] or r["title_vi"],
                      ", ".join(r["pipelines"]))
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
    rows = [{"family": fam, "name": m.name, "plugin": m.plugin, "description": m.description}
            for fam, methods in reg.methods.items() for m in methods.values()]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Methods")
    for col in ("family", "name", "plugin", "description"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["family"], r["name"], r["plugin"], r["description"])
    out.print(table)


def _load(pack_name: str, data: Path | None, framework: Path | None,
          period: int | None) -> tuple[Any, Any, Any]:
    from dxframework.io.frameworks import read_framework

    pack = _registry().pack(pack_name)
    fw = pack.framework
    if framework is not None:
        fw = read_framework(framework, pack.level_names, pack.index).framework
    dataset = pack.load_data(data, period=period, framework=fw)
    return pack, fw, dataset


_pack_opt = click.option("--pack", "-p", "pack_name", required=True, help="Metric pack name.")
_data_opt = click.option("--data", "-d", type=click.Path(path_type=Path), default=None,
                         help="Data file (.csv, .xlsx, .json); default: the pack's sample data.")
_fw_opt = click.option("--framework", "-f", type=click.Path(path_type=Path), default=None,
                       help="Framework file replacing the pack's (.csv metadata table or .toml).")
_period_opt = click.option("--period", type=int, default=None,
                           help="Score one period (year) of a panel.")


@cli.command("validate")
@_pack_opt
@_data_opt
@_fw_opt
@_period_opt
@handle_errors
def validate_cmd(pack_name: str, data: Path | None, framework: Path | None,
                 period: int | None) -> None:
    """Check a data file (and framework) against a pack; print every problem found."""
    from dxframework.pipeline.run import check_data

    _, fw, dataset = _load(pack_name, data, framework, period)
    check_data(fw, dataset)
    n_missing = int((dataset.values != dataset.values).sum())
    out.print(f"ok: {len(dataset.units)} units × {len(fw.indicators)} indicators × "
              f"{len(dataset.periods)} period(s), {n_missing} missing value(s); framework with "
              f"{len(fw.aggregates)} aggregates, index {fw.index!r}")


@cli.command("run")
@_pack_opt
@_data_opt
@_fw_opt
@_period_opt
@click.option("--pipeline", "pipeline", default=None,
              help="Pipeline name of the pack or a .toml/.json file (a manifest.json repeats "
              "that run).")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for the results (created if needed).")
@click.option("--top", type=int, default=10, show_default=True, help="Rows of the ranking shown.")
@handle_errors
def run_cmd(pack_name: str, data: Path | None, framework: Path | None, period: int | None,
            pipeline: str | None, out_dir: Path, top: int) -> None:
    """Score data with a pack's pipeline and write every stage's data set."""
    _run(pack_name, data, framework, period, pipeline, out_dir, top)


def _run(pack_name: str, data: Path | None, framework: Path | None, period: int | None,
         pipeline: str | None, out_dir: Path, top: int) -> None:
    from dxframework.io.writers import write_run
    from dxframework.pipeline.run import file_sha256

    pack, fw, dataset = _load(pack_name, data, framework, period)
    pipe = pack.pipeline(pipeline)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(f"{pack.name}: {pipe.name}", total=len(pipe.stages))

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, description=f"{pack.name}: {name}")

        result = pack.run(dataset, pipe, framework=fw, progress=progress)
    manifest = dict(result.manifest)
    src = data if data is not None else pack.data_path
    if src is not None:
        manifest["inputs"] = {"data": {"path": str(src), "sha256": file_sha256(src)}}
    if framework is not None:
        manifest.setdefault("inputs", {})["framework"] = {
            "path": str(framework), "sha256": file_sha256(framework)}
    from attrs import evolve

    written = write_run(evolve(result, manifest=manifest), out_dir)
    _print_ranking(result, top)
    out.print(f"wrote {len(written)} files to {out_dir}")


def _print_ranking(result: Any, top: int) -> None:
    code = result.framework.index or result.scores.columns[0]
    node = result.framework.nodes.get(code)
    table = Table(title=f"{node.label('en') if node else code}")
    for col in ("rank", "unit", "name", "score"):
        table.add_column(col, justify="right" if col in ("rank", "score") else "left")
    for rank, unit, name, score in result.ranking(code)[:top]:
        table.add_row(str(rank), unit, name, f"{score:.4f}")
    out.print(table)


@cli.command("demo")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path),
              default=Path("dxf-demo"), show_default=True, help="Folder for the results.")
@handle_errors
def demo_cmd(out_dir: Path) -> None:
    """Score the bundled demo data with its reference pipeline and show the ranking."""
    reg = _registry()
    if "asem" not in reg.packs:
        raise DxfError(Problem("the demo needs the asem pack",
                               hint="pip install -e plugins/dxf-asem"))
    _run("asem", None, None, None, None, out_dir, 10)


def main() -> None:
    """Entry point of the ``dxf`` script."""
    cli(prog_name="dxf")
