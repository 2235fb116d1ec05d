"""``dxf validate`` on every case of the adversarial corpus (:mod:`corpus.cases`).

Each case runs in-process through click's ``CliRunner`` (a few, the JSON bombs and the 5 MB
file, through the real program in a subprocess). For every case: the input files are
unchanged, the run took less than 60 s, and there is no traceback. ``ok`` cases exit 0 and
read the numbers a person means; ``error`` cases exit 2 with one ``error:`` line per problem
naming the file and the place.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dxframework
from corpus.cases import CASES, Case
from dxframework.cli import cli
from dxframework.io.safe import FORMULA_STARTS

LIMIT = 60.0  # seconds, per run
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")  # raw control characters (not \t, \n)


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path: its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _argv(case: Case, paths: list[Path], folder: Path) -> list[str]:
    argv = ["validate", "--pack", case.pack]
    if case.level is not None:
        argv += ["--level", case.level]
    for p in paths:
        argv += ["--data", str(p)]
    if case.framework is not None:
        argv += ["--framework", str(folder / case.framework)]
    return argv + [a.replace("{dir}", str(folder)) for a in case.args]


def _run(argv: list[str], in_subprocess: bool, cwd: Path) -> tuple[int, str, str, float]:
    """Exit status, stdout, stderr and seconds taken of ``dxf ARGV``."""
    start = time.monotonic()
    if in_subprocess:
        env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
        proc = subprocess.run(
            [sys.executable, "-m", "dxframework", *argv],
            capture_output=True,
            timeout=LIMIT,
            cwd=cwd,
            env=env,
            check=False,
        )
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        return proc.returncode, out, err, time.monotonic() - start
    result = CliRunner().invoke(cli, argv, catch_exceptions=True)
    elapsed = time.monotonic() - start
    err = result.stderr
    if result.exc_info is not None and not issubclass(result.exc_info[0], SystemExit):
        err += "".join(traceback.format_exception(*result.exc_info))  # an escaped exception
    return result.exit_code, result.stdout, err, elapsed


def _load(case: Case, paths: list[Path], folder: Path) -> Any:
    pack = dxframework.get_pack(case.pack)
    if case.level is not None:
        level = pack.level(case.level)
    else:  # the level the CLI picks: the one whose indicators the header holds
        from dxframework.io.tables import read_header

        encoding = case.options().get("encoding")  # as the CLI reads the header
        level = pack.level_for_header({h for p in paths for h in read_header(p, encoding)})
    options = case.options()
    if case.framework is not None:
        from dxframework.io.frameworks import read_framework

        options["spec"] = read_framework(folder / case.framework, level.level_names, level.index)
    return level.load_data(paths if len(paths) > 1 else paths[0], **options)


def _check_values(case: Case, paths: list[Path], folder: Path) -> None:
    with warnings.catch_warnings():  # notes on title rows and skipped files: printed by the CLI
        warnings.simplefilter("ignore")
        data = _load(case, paths, folder)
    wrong = []
    for (unit, column), expected in case.values.items():
        assert unit in data.unit_codes, f"unit {unit!r} not read (units: {data.unit_codes[:8]})"
        got = float(data.values[-1, data.unit_index(unit), data.column_index(column)])
        same = (
            math.isnan(got) if math.isnan(expected) else math.isclose(got, expected, rel_tol=1e-12)
        )
        if not same:
            wrong.append(f"{unit}/{column}: read {got!r}, means {expected!r}")
    assert not wrong, "; ".join(wrong[:10])
    names = {u.code: u.name for u in data.units}
    for unit, name in case.names.items():
        assert names.get(unit) == name, (
            f"name of {unit!r}: read {names.get(unit)!r}, means {name!r}"
        )


def _check_outputs(case: Case, paths: list[Path], folder: Path, out: Path) -> None:
    """``dxf run`` too, and no text cell of its CSV outputs runs as a spreadsheet formula."""
    argv = ["run", *_argv(case, paths, folder)[1:], "--out", str(out)]
    code, _, err, _ = _run(argv, False, folder)
    assert code == 0, err
    unsafe = []
    for f in sorted(out.rglob("*.csv")):
        with f.open(newline="", encoding="utf-8") as fh:
            for r, row in enumerate(csv.reader(fh), start=1):
                for cell in row:
                    if cell.startswith(FORMULA_STARTS):
                        try:
                            float(cell)
                        except ValueError:
                            unsafe.append(f"{f.name}:{r}: {cell!r}")
    assert not unsafe, unsafe[:5]


@pytest.mark.parametrize("case", _params())
def test_case(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = case.build(folder)
    before = _snapshot(folder)
    code, out, err, elapsed = _run(_argv(case, paths, folder), case.subprocess, folder)
    shown = f"exit {code}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[:3000]}"

    assert _snapshot(folder) == before, "validate changed or wrote files next to its input"
    assert elapsed < LIMIT, f"took {elapsed:.1f} s"
    assert "Traceback" not in out + err, shown
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if case.expect == "ok":
        assert code == 0, shown
        assert all(ln.startswith("warning:") for ln in lines), shown
        if case.values or case.names:
            _check_values(case, paths, folder)
        if case.check_outputs:
            _check_outputs(case, paths, folder, tmp_path / "out")
        return
    assert code == 2, shown
    assert lines, shown
    assert all(ln.startswith(("error:", "warning:")) for ln in lines), shown
    assert any(ln.startswith("error:") for ln in lines), shown
    assert not CONTROL.search(err), f"raw control characters on stderr: {err[:500]!r}"
    names = case.files if case.files is not None else (paths[0].name,)
    for name in names:
        assert name in err, f"the file {name!r} is not named\n{shown}"
    if case.row is not None:
        assert re.search(rf"(?::|\brow ){case.row}\b", err), f"row {case.row} not named\n{shown}"
    if case.column is not None:
        assert f"column {case.column!r}" in err, f"column {case.column!r} not named\n{shown}"
    if case.sheet is not None:
        assert f"sheet {case.sheet!r}" in err, f"sheet {case.sheet!r} not named\n{shown}"
    if case.says is not None:
        assert re.search(case.says, err, re.I), f"no /{case.says}/ in the message\n{shown}"


def test_corpus_is_large_and_named_uniquely() -> None:
    names = [c.name for c in CASES]
    assert len(names) > 150
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
