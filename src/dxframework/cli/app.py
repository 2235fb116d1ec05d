"""Shared parts of the ``dxf`` command line: the group, error handling, common options.

Every error in user input is printed as one line per problem (file, row, column, what is
wrong, how to fix it) on standard error, and the command exits with status 2 without a
traceback and without writing anything."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dxframework._version import __version__
from dxframework.errors import DxfError, Problem

__all__ = [
    "choose_levels",
    "cli",
    "csv_text",
    "data_option",
    "err",
    "fail",
    "framework_option",
    "handle_errors",
    "lang_option",
    "level_option",
    "load_level",
    "merge_problems",
    "out",
    "out_option",
    "pack_option",
    "period_option",
    "pipeline_option",
    "print_ranking",
    "progress_bar",
    "registry",
    "score_levels",
    "split_csv",
]

FC = TypeVar("FC", bound=Callable[..., Any])

#: Optional dependencies and the extra that installs each.
EXTRAS = {
    "docx": "report",
    "matplotlib": "report",
    "babel": "report",
    "openpyxl": "excel",
    "pandas": "pandas",
    "distributed": "dask",
    "dask": "dask",
}

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def merge_problems(problems: Sequence[Problem]) -> list[Problem]:
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


def fail(problems: Sequence[Problem]) -> None:
    for p in merge_problems(problems):
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
            fail(exc.problems)
        except ModuleNotFoundError as exc:
            extra = EXTRAS.get((exc.name or "").split(".")[0])
            if extra is None:
                raise
            fail(
                [
                    Problem(
                        f"this command needs {exc.name!r}, which is not installed",
                        hint=f"pip install 'dxframework[{extra}]'",
                    )
                ]
            )
        except (OSError, UnicodeError) as exc:
            fail([Problem(str(exc))])
        return None

    return wrapper  # type: ignore[return-value]


def registry() -> Any:
    from dxframework.plugins.manager import get_registry

    return get_registry()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dxf")
def cli() -> None:
    """dxf: build, score and report digital transformation indices."""


def choose_levels(
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


def load_level(
    lvl: Any, data: Path | None, framework: Path | None, period: int | None
) -> tuple[Any, Any]:
    from dxframework.io.frameworks import read_framework

    if framework is None:
        return lvl.framework, lvl.load_data(data, period=period)
    spec = read_framework(framework, lvl.level_names, lvl.index)
    return spec.framework, lvl.load_data(data, period=period, spec=spec)


pack_option = click.option("--pack", "-p", "pack_name", required=True, help="Metric pack name.")
level_option = click.option(
    "--level",
    "-l",
    default=None,
    help="Level of the pack to score (default: the one the data fits, or "
    "every level when no data file is given).",
)
data_option = click.option(
    "--data",
    "-d",
    type=click.Path(path_type=Path),
    default=None,
    help="Data file (.csv, .xlsx, .json); default: the pack's sample data.",
)
framework_option = click.option(
    "--framework",
    "-f",
    type=click.Path(path_type=Path),
    default=None,
    help="Framework file replacing the pack's (.csv metadata table or .toml).",
)
period_option = click.option(
    "--period", type=int, default=None, help="Score one period (year) of a panel."
)
pipeline_option = click.option(
    "--pipeline",
    "pipeline",
    default=None,
    help="Pipeline name of the pack or a .toml/.json file (a manifest.json repeats that run).",
)


def score_levels(
    pack: Any, level: str | None, data: Path | None, pipeline: str | None = None
) -> dict[str, Any]:
    """Run the pack on the chosen levels (see ``choose_levels``); nothing is written."""
    results = {}
    for lvl in choose_levels(pack, level, data, pipeline):
        fw, dataset = load_level(lvl, data, None, None)
        results[lvl.name] = lvl.run(dataset, pipeline, framework=fw, version=pack.version)
    return results


def print_ranking(result: Any, top: int) -> None:
    code = result.framework.index or result.scores.columns[0]
    node = result.framework.nodes.get(code)
    table = Table(title=f"{node.label('en') if node else code}")
    for col in ("rank", "unit", "name", "score"):
        table.add_column(col, justify="right" if col in ("rank", "score") else "left")
    for rank, unit, name, score in result.ranking(code)[:top]:
        table.add_row(str(rank), unit, name, f"{score:.4f}")
    out.print(table)


lang_option = click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language (Vietnamese or English).",
)


def out_option(what: str) -> Callable[[FC], FC]:
    """The required ``--out`` folder option; ``what`` says what goes in it."""
    return click.option(
        "--out",
        "-o",
        "out_dir",
        type=click.Path(path_type=Path),
        required=True,
        help=f"Folder for {what} (created if needed).",
    )


def progress_bar() -> Progress:
    """A transient progress bar on standard error, off when it is not a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV text of a list of dicts (header from the first row); empty for no rows."""
    import csv
    import io

    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def split_csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
