"""Bad input at the command line: exit 2, one clear line per problem, nothing written.

The requirement: a missing file, an unknown indicator column, text in a numeric cell, a
duplicate unit code, a framework with a cycle, weights summing to zero (and, at ``run``, a zero
denominator) make ``dxf validate`` / ``dxf run`` exit with status 2 and print one line per
problem naming the file, the row, the column and what is wrong — no traceback, no output
folder, and the input files untouched.

The bad inputs are copies of the asem pack's sample data and metadata edited in ``tmp_path``.
Every check runs the real program in a subprocess.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import dxframework
from helpers import dxf

PACK = dxframework.get_pack("asem").level()
assert PACK.data_path is not None
DATA: Path = PACK.data_path
META: Path = PACK.framework_path

BAD_ROW = 12  # line of the file edited in the data cases (the header is line 1)


@dataclass(frozen=True)
class Expected:
    """One expected error line: which file, which rows may be named, which column, what."""

    file: Path
    rows: frozenset[int] | None
    column: str | None
    what: str


@dataclass
class Case:
    """A bad input: the extra CLI arguments, the files it reads, the lines it must print."""

    args: list[str]
    inputs: list[Path]
    expected: list[Expected]


# -- helpers ------------------------------------------------------------------------------------
def read_rows(path: Path) -> list[list[str]]:
    """All rows of a CSV file, header included."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    """Write rows as a comma-separated UTF-8 CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def edit_data(tmp: Path, name: str, cells: dict[tuple[int, str], str]) -> Path:
    """A copy of the sample data with ``{(file line, column): new text}`` applied."""
    rows = read_rows(DATA)
    head = rows[0]
    for (line, col), text in cells.items():
        rows[line - 1][head.index(col)] = text
    return write_rows(tmp / name, rows)


def meta_rows() -> list[list[str]]:
    """The sample metadata table, header included."""
    return read_rows(META)


def meta_line(rows: list[list[str]], code: str) -> int:
    """The file line of a metadata row by its iCode."""
    i = rows[0].index("iCode")
    return next(n for n, r in enumerate(rows, start=1) if n > 1 and r[i] == code)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below a folder with its bytes and modification time."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def file_state(path: Path) -> tuple[bytes, int]:
    """A file's bytes and modification time."""
    return path.read_bytes(), path.stat().st_mtime_ns


def matches(line: str, exp: Expected) -> bool:
    """Whether an error line names the expected file, row, column and fault."""
    where = re.match(
        r"error: (?P<file>.+?)(?::(?P<row>\d+))?(?:, column '(?P<col>[^']+)')?"
        r"(?:, |: )",
        line,
    )
    if where is None or Path(where["file"]) != exp.file:
        return False
    row = int(where["row"]) if where["row"] else None
    if exp.rows is None:
        if row is not None:
            return False
    elif row not in exp.rows:
        return False
    return where["col"] == exp.column and exp.what in line


# -- the bad inputs -----------------------------------------------------------------------------
def missing_file(tmp: Path) -> Case:
    path = tmp / "no such data.csv"
    return Case(["--data", str(path)], [], [Expected(path, None, None, "file not found")])


def unknown_column(tmp: Path) -> Case:
    rows = read_rows(DATA)
    rows = [r + (["Bogus"] if n == 0 else ["1.5"]) for n, r in enumerate(rows)]
    path = write_rows(tmp / "unknown column.csv", rows)
    return Case(
        ["--data", str(path)],
        [path],
        [Expected(path, frozenset({1}), "Bogus", "unknown column 'Bogus'")],
    )


def text_in_numeric(tmp: Path) -> Case:
    path = edit_data(tmp, "text.csv", {(BAD_ROW, "LPI"): "abc"})
    return Case(
        ["--data", str(path)],
        [path],
        [Expected(path, frozenset({BAD_ROW}), "LPI", "'abc' is not a number")],
    )


def duplicate_unit(tmp: Path) -> Case:
    rows = read_rows(DATA)
    first = rows[3][rows[0].index("uCode")]
    path = edit_data(tmp, "duplicate.csv", {(BAD_ROW, "uCode"): first})
    return Case(
        ["--data", str(path)],
        [path],
        [Expected(path, frozenset({BAD_ROW}), "uCode", f"duplicate unit code {first!r}")],
    )


def framework_cycle(tmp: Path) -> Case:
    rows = meta_rows()
    head = rows[0]
    # the index becomes the parent of one of its own ancestors' children: Physical → Conn →
    # Index → Physical
    rows[meta_line(rows, "Index") - 1][head.index("Parent")] = "Physical"
    path = write_rows(tmp / "cycle.csv", rows)
    in_cycle = frozenset(meta_line(rows, c) for c in ("Physical", "Conn", "Index"))
    return Case(
        ["--framework", str(path)],
        [path],
        [Expected(path, in_cycle, "Parent", "cycle in the framework")],
    )


def zero_weights(tmp: Path) -> Case:
    rows = meta_rows()
    head = rows[0]
    children = [r[head.index("iCode")] for r in rows[1:] if r[head.index("Parent")] == "Political"]
    assert children == ["Embs", "IGOs", "UNVote"]
    for code in children:
        rows[meta_line(rows, code) - 1][head.index("Weight")] = "0"
    path = write_rows(tmp / "zero weights.csv", rows)
    return Case(
        ["--framework", str(path)],
        [path],
        [
            Expected(
                path,
                frozenset(meta_line(rows, c) for c in children),
                "Weight",
                "the weights of the children of 'Political'",
            )
        ],
    )


def zero_denominator(tmp: Path) -> Case:
    path = edit_data(tmp, "zero population.csv", {(BAD_ROW, "Population"): "0"})
    return Case(
        ["--data", str(path)],
        [path],
        [Expected(path, frozenset({BAD_ROW}), "Population", "denominator 'Population' is zero")],
    )


def several_bad_cells(tmp: Path) -> Case:
    path = edit_data(tmp, "two bad cells.csv", {(BAD_ROW, "LPI"): "abc", (20, "Flights"): "n.a"})
    return Case(
        ["--data", str(path)],
        [path],
        [
            Expected(path, frozenset({BAD_ROW}), "LPI", "'abc' is not a number"),
            Expected(path, frozenset({20}), "Flights", "'n.a' is not a number"),
        ],
    )


def several_framework_faults(tmp: Path) -> Case:
    rows = meta_rows()
    head = rows[0]
    rows[meta_line(rows, "Index") - 1][head.index("Parent")] = "Physical"
    for code in ("Embs", "IGOs", "UNVote"):
        rows[meta_line(rows, code) - 1][head.index("Weight")] = "0"
    path = write_rows(tmp / "two faults.csv", rows)
    return Case(
        ["--framework", str(path)],
        [path],
        [
            Expected(
                path,
                frozenset(meta_line(rows, c) for c in ("Physical", "Conn", "Index")),
                "Parent",
                "cycle in the framework",
            ),
            Expected(
                path,
                frozenset(meta_line(rows, c) for c in ("Embs", "IGOs", "UNVote")),
                "Weight",
                "sum to zero",
            ),
        ],
    )


CASES: dict[str, Callable[[Path], Case]] = {
    "missing-file": missing_file,
    "unknown-column": unknown_column,
    "text-in-numeric-cell": text_in_numeric,
    "duplicate-unit-code": duplicate_unit,
    "framework-cycle": framework_cycle,
    "zero-sum-weights": zero_weights,
    "zero-denominator": zero_denominator,
    "several-bad-cells": several_bad_cells,
    "several-framework-faults": several_framework_faults,
}

# a zero denominator is a fault of the denominate stage, found when the pipeline runs
RUN_ONLY = {"zero-denominator"}

PARAMS = [
    pytest.param(name, command, id=f"{command}-{name}")
    for name in CASES
    for command in ("validate", "run")
    if command == "run" or name not in RUN_ONLY
]


@pytest.mark.parametrize(("case_name", "command"), PARAMS)
def test_bad_input_exits_2_with_one_line_per_problem(
    case_name: str, command: str, tmp_path: Path
) -> None:
    """Bad input: exit 2, one `error:` line per problem with file, row, column and fault,
    no traceback, no output folder, and neither the inputs nor the pack's files touched."""
    case = CASES[case_name](tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    out = work / "results"
    args = [command, "--pack", "asem", *case.args]
    if command == "run":
        args += ["--out", str(out)]
    inputs_before = {p: file_state(p) for p in case.inputs}
    pack_before = {p: file_state(p) for p in (DATA, META)}
    tree_before = snapshot(tmp_path)

    proc = dxf(*args, cwd=work)

    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.stderr.strip("\n").splitlines() == lines, "blank lines on stderr"
    assert all(ln.startswith("error: ") for ln in lines), lines
    assert len(lines) == len(case.expected), "\n".join(lines)
    for exp in case.expected:
        assert any(matches(ln, exp) for ln in lines), (
            f"no line names {exp.file.name}, row {sorted(exp.rows or [])}, column "
            f"{exp.column!r} and {exp.what!r}:\n" + "\n".join(lines)
        )

    assert not out.exists()
    assert snapshot(tmp_path) == tree_before  # nothing written, nothing modified
    assert {p: file_state(p) for p in case.inputs} == inputs_before
    assert {p: file_state(p) for p in (DATA, META)} == pack_before


def test_run_error_leaves_existing_output_folder_alone(tmp_path: Path) -> None:
    """A failing run into an existing results folder neither adds nor changes its files."""
    bad = edit_data(tmp_path, "zero.csv", {(BAD_ROW, "Population"): "0"})
    out = tmp_path / "results"
    earlier = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)  # an earlier run
    assert earlier.returncode == 0, earlier.stderr
    before = snapshot(tmp_path)
    proc = dxf("run", "--pack", "asem", "--data", str(bad), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dxf-")]


def test_zero_denominator_is_one_line_naming_every_indicator(tmp_path: Path) -> None:
    """A zero in a denominator column is one problem, however many indicators use it."""
    bad = edit_data(tmp_path, "zero.csv", {(BAD_ROW, "Population"): "0"})
    proc = dxf(
        "run", "--pack", "asem", "--data", str(bad), "--out", str(tmp_path / "o"), cwd=tmp_path
    )
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    unit = read_rows(DATA)[BAD_ROW - 1][read_rows(DATA)[0].index("uCode")]
    assert f"unit {unit!r}" in line
    users = [i.code for i in PACK.framework.indicators if i.denominator == "Population"]
    assert len(users) > 1
    for code in users:
        assert code in line


def test_missing_optional_dependency_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command needing an optional extra that is not installed exits 2 naming the extra."""
    import builtins

    from click.testing import CliRunner

    from dxframework.cli import cli

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "babel" or name.startswith("babel."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    for mod in [m for m in list(sys.modules) if m.startswith(("babel", "dxframework.report"))]:
        monkeypatch.delitem(sys.modules, mod)
    result = CliRunner().invoke(cli, ["report", "--pack", "backan", "--out", "unused-out"])
    assert result.exit_code == 2
    assert "dxframework[report]" in result.output and "Traceback" not in result.output
