"""Shared parts of the ``dxf`` command line: the group, error handling, common options.

Every error in user input is printed as one line per problem (file, row, column, what is
wrong, how to fix it) on standard error, and the command exits with status 2 without a
traceback and without writing anything. Any other error is a fault of dxf or of a plugin: one
line ``error: internal error: …`` and exit status 1. ``dxf --debug COMMAND`` prints the
traceback of either.

``dxf -v`` and ``-vv`` show what the library does (the ``dxframework`` logger at INFO and
DEBUG, on standard error); ``dxf -q`` shows errors only (no warnings, no progress bar). The
commands that work on data (``validate``, ``run``, ``uncertainty``, ``assemble``) take
``--json``: one JSON document on standard output instead of tables. ``--data -`` reads a CSV
from standard input.

The work itself is done by the library (:mod:`dxframework.packs.runs`,
:mod:`dxframework.analysis.pack_uncertainty`…); a command parses its options, calls it and
prints."""

from __future__ import annotations

import functools
import logging
import shutil
import sys
import tempfile
import traceback
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
from dxframework.io.writers import csv_text, json_text, recording_command
from dxframework.packs.runs import DataInput, choose_levels, load_level, ranking, score_levels
from dxframework.plugins.manager import get_registry

__all__ = [
    "DataInput",
    "choose_levels",
    "cli",
    "csv_text",
    "data_option",
    "debugging",
    "err",
    "fail",
    "framework_option",
    "handle_errors",
    "json_option",
    "lang_option",
    "level_option",
    "load_level",
    "merge_problems",
    "out",
    "out_option",
    "pack_option",
    "period_option",
    "pipeline_option",
    "print_json",
    "print_ranking",
    "progress_bar",
    "quiet",
    "registry",
    "score_levels",
    "split_csv",
    "tasks_option",
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


def debugging() -> bool:
    """Whether ``dxf --debug`` was given (tracebacks are printed)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def handle_errors(func: FC) -> FC:
    """Turn every error into one line per problem on standard error, without a traceback.

    :class:`DxfError` (bad input) and file-system errors exit 2; a missing optional
    dependency names the extra to install (exit 2); any other exception is a fault of the
    program: ``error: internal error: TYPE: MESSAGE`` and exit 1. With ``dxf --debug`` the
    traceback is printed first. Warnings raised while the command ran are printed as
    ``warning: …`` lines when it succeeds; when it fails, only those saying what was done to
    the output folders (:class:`dxframework.io.writers.OutputWarning`).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context(silent=True)
        command = (ctx.command_path, dict(ctx.params)) if ctx is not None else ("dxf", {})
        with warnings.catch_warnings(record=True) as caught, recording_command(*command):
            warnings.simplefilter("always")
            try:
                result = func(*args, **kwargs)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
                raise  # usage errors and exits: click prints them
            except Exception as exc:
                _warn([w for w in caught if w.category.__name__ == "OutputWarning"])
                _report(exc)
            _warn(caught)
            return result

    return wrapper  # type: ignore[return-value]


def _warn(caught: Sequence[warnings.WarningMessage]) -> None:
    if quiet():
        return
    for w in caught:
        err.print(f"warning: {w.message}", markup=False)


def _report(exc: Exception) -> None:
    """Print an error as one line per problem and exit: 2 for bad input, 1 for a fault."""
    if debugging():
        err.print("".join(traceback.format_exception(exc)).rstrip(), markup=False)
    if isinstance(exc, DxfError):
        fail(exc.problems)
    if isinstance(exc, ModuleNotFoundError):
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is not None:
            fail(
                [
                    Problem(
                        f"this command needs {exc.name!r}, which is not installed",
                        hint=f"pip install 'dxframework[{extra}]'",
                    )
                ]
            )
    elif isinstance(exc, OSError | UnicodeError):
        fail([Problem(_one_line(str(exc)))])
    message = _one_line(str(exc))
    err.print(
        f"error: internal error: {type(exc).__name__}"
        + (f": {message}" if message else "")
        + ("" if debugging() else " (run with --debug for the traceback)"),
        markup=False,
    )
    sys.exit(1)


def registry() -> Any:
    """The registry of the installed plugins."""
    return get_registry()


def quiet() -> bool:
    """Whether ``dxf -q`` was given (errors only)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("quiet"))


_LOG_HANDLER = logging.StreamHandler()  # writes to the sys.stderr of the moment
_LOG_HANDLER.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))


def _set_logging(verbose: int, quiet: bool) -> None:
    """The level of the ``dxframework`` logger: -q errors, default warnings, -v info, -vv debug."""
    logger = logging.getLogger("dxframework")
    if quiet:
        level = logging.ERROR
    else:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logger.setLevel(level)
    if _LOG_HANDLER not in logger.handlers:
        logger.addHandler(_LOG_HANDLER)
    _LOG_HANDLER.setStream(sys.stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dxf")
@click.option(
    "--debug",
    is_flag=True,
    help="Print the traceback of an error (for reporting a bug).",
)
@click.option(
    "--verbose",
    "-v",
    count=True,
    help="Say what is done: -v reading, assembling, scoring and writing; -vv more detail.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print errors only: no warnings, no progress bar."
)
def cli(debug: bool, verbose: int, quiet: bool) -> None:
    """dxf: build, score and report digital transformation indices."""
    if verbose and quiet:
        raise click.UsageError("give -q or -v, not both")
    _set_logging(verbose, quiet)


pack_option = click.option("--pack", "-p", "pack_name", required=True, help="Metric pack name.")
level_option = click.option(
    "--level",
    "-l",
    default=None,
    help="Level of the pack to score (default: the one the data fits, or "
    "every level when no data file is given).",
)


def data_option(func: FC) -> FC:
    """``--data`` (repeatable: files and folders), ``--sheet``, ``--encoding``, ``--locale``.

    The command receives them as one ``data`` argument: a :class:`DataInput`, or ``None``
    when none was given.
    """

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        data: tuple[Path, ...] = (),
        sheet: str | None = None,
        encoding: str | None = None,
        locale: str | None = None,
        **kwargs: Any,
    ) -> Any:
        paths = tuple(_stdin_file() if str(p) == "-" else p for p in data)
        given = DataInput(paths, sheet, encoding, locale)
        kwargs["data"] = None if given == DataInput() else given
        return func(*args, **kwargs)

    options = [
        click.option(
            "--data",
            "-d",
            "data",
            type=click.Path(path_type=Path),
            multiple=True,
            help="Data file (.csv, .xlsx, .xls, .ods, .json) or folder, or - for a CSV on "
            "standard input; repeat it for several (they are assembled, and a value two "
            "files report differently is an error); default: the pack's sample data.",
        ),
        click.option(
            "--sheet",
            default=None,
            help="Read only this sheet of each workbook (default: "
            "every visible sheet holding a table).",
        ),
        click.option(
            "--encoding",
            default=None,
            help="Encoding of CSV files (default: UTF-8, or UTF-16 with a byte-order mark; "
            "cp1258 for files saved by Vietnamese Windows).",
        ),
        click.option(
            "--locale",
            default=None,
            help="How the files write numbers: vi (1.234,5) or en (1,234.5); default: as "
            "the pack declares, else as each file's unambiguous numbers show.",
        ),
    ]
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


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


def _stdin_file() -> Path:
    """Standard input saved as ``stdin.csv`` in a temporary folder removed at exit."""
    ctx = click.get_current_context()
    folder = Path(tempfile.mkdtemp(prefix="dxf-stdin-"))
    ctx.call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    path = folder / "stdin.csv"
    path.write_bytes(click.get_binary_stream("stdin").read())
    return path


json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document on standard output instead of tables.",
)


def print_json(doc: Any) -> None:
    """Print ``doc`` as one JSON document on standard output (NaN as null)."""
    click.echo(json_text(doc), nl=False)


def print_ranking(result: Any, top: int) -> None:
    code = result.framework.index or result.scores.columns[0]
    node = result.framework.nodes.get(code)
    table = Table(title=f"{node.label('en') if node else code}")
    for col in ("rank", "unit", "name", "score"):
        table.add_column(col, justify="right" if col in ("rank", "score") else "left")
    for rank, unit, name, score in ranking(result, code)[:top]:  # ties in natural order
        table.add_row(str(rank), unit, name, f"{score:.4f}")
    out.print(table)


lang_option = click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language (Vietnamese or English).",
)


tasks_option = click.option(
    "--tasks",
    "tasks_file",
    type=click.Path(path_type=Path),
    default=None,
    help="An updated copy of the task catalogue (CSV, Excel or JSON; default: the pack's).",
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
    """A transient progress bar on standard error, off when it is not a terminal (or -q)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal or quiet(),
    )


def split_csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
