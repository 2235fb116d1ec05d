"""Inputs that used to end in a Python traceback: now one line per problem and exit 2.

The requirement: a pipeline file with a weight written as text, a value of the wrong type or a
value where a table belongs, screening that drops every unit, a template building a huge
text, a broken labels.toml each make the command exit 2 with one ``error:`` line per problem
naming the file and the place, and no traceback. An unexpected fault (here: a plugin's method
raising) prints one ``error: internal error: …`` line and exits 1; ``dxf --debug`` shows the
traceback of either.

Every check runs the real program (``python -m dxframework``) in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import dxf


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The ``error:`` lines of stderr, after checking there is no traceback anywhere."""
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]


def run_pipeline(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    """``dxf run --pack asem --pipeline FILE`` with FILE holding ``text``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return dxf(
        "run",
        "--pack",
        "asem",
        "--pipeline",
        str(path),
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
    )


NUMBER_HINT = '(a number is written without quotes: 2.5, not "2.5")'
TABLE_HINT = "(a table is written { key = value, ... } or as a [section])"

# file name, file text, expected error lines (after "error: FILE: ")
PIPELINE_CASES = {
    "string-weight": (
        "weights.toml",
        '[[stages]]\nkind = "normalise"\n\n'
        '[[stages]]\nkind = "weight"\nmethod = "custom"\n'
        'weights = { Index = { Conn = "heavy", Sust = 1 } }\n\n'
        '[[stages]]\nkind = "aggregate"\n',
        [
            "stage 2 (weight): weights.Index.Conn must be a number, not the text 'heavy' "
            + NUMBER_HINT
        ],
    ),
    "string-bound": (
        "bound.toml",
        '[[stages]]\nkind = "normalise"\nlo = "0"\n\n[[stages]]\nkind = "aggregate"\n',
        [
            "stage 1 (normalise): lo must be a number or a list of numbers, not the text '0' "
            + NUMBER_HINT
        ],
    ),
    "json-wrong-types": (
        "types.json",
        '{"stages": [{"kind": "screen", "force_include": "CHE"},'
        ' {"kind": "normalise", "overrides": {"LPI": 5}}, {"kind": "aggregate"}],'
        ' "ranking": {"digits": "four"}}',
        [
            "stage 1 (screen): force_include must be a list of unit codes, not the text 'CHE' "
            '(a list is written in brackets: ["A", "B"] or [1, 2])',
            "stage 2 (normalise): overrides.LPI must be a table of parameters or a method "
            'name, not the number 5 (e.g. { method = "zscore", mean = 10.0 }, or "none" to '
            "leave it untouched)",
            "ranking.digits must be a whole number, not the text 'four' (use digits = 4, "
            "indicators = true and/or tiers = {thresholds = [...], labels = [...]})",
        ],
    ),
    "not-a-table": (
        "table.toml",
        '[[stages]]\nkind = "treat"\noverrides = 3\n\n'
        '[[stages]]\nkind = "aggregate"\nlevels = "2"\n',
        [
            "stage 1 (treat): overrides must be a table, not the number 3 " + TABLE_HINT,
            "stage 2 (aggregate): levels must be a table of level = {method = ...}, not the "
            "text '2' " + TABLE_HINT,
        ],
    ),
    "json-list": (
        "list.json",
        '[{"kind": "normalise"}]',
        ["a pipeline must be a table (name, description, stages), not a list"],
    ),
}


@pytest.mark.parametrize("case", PIPELINE_CASES)
def test_bad_pipeline_is_one_line_per_problem(case: str, tmp_path: Path) -> None:
    """Each fault of the pipeline file is one line naming the file, the stage and the key."""
    name, text, expected = PIPELINE_CASES[case]
    proc = run_pipeline(tmp_path, name, text)
    assert proc.returncode == 2, proc.stderr
    path = tmp_path / name
    assert error_lines(proc) == [f"error: {path}: {line}" for line in expected]
    assert not (tmp_path / "out").exists()


def test_screening_that_drops_every_unit(tmp_path: Path) -> None:
    """min_availability = 1.5 keeps no unit (no unit has more than 100 % of its data): one line
    naming the stage and its setting instead of a numpy error later on."""
    proc = run_pipeline(
        tmp_path,
        "screen.toml",
        '[[stages]]\nkind = "screen"\nmin_availability = 1.5\n\n'
        '[[stages]]\nkind = "normalise"\n\n[[stages]]\nkind = "aggregate"\n',
    )
    assert proc.returncode == 2, proc.stderr
    (line,) = error_lines(proc)
    assert "stage 'screened' (screen, method 'by_missing', min_availability = 1.5)" in line
    assert "drops every one of the 51 units" in line  # the asem sample has 51 countries
    assert not (tmp_path / "out").exists()


def report(tmp_path: Path, templates: Path) -> subprocess.CompletedProcess[str]:
    """``dxf report`` of the backan tasks list in Markdown with a user template folder."""
    return dxf(
        "report",
        "--pack",
        "backan",
        "--documents",
        "tasks",
        "--format",
        "md",
        "--templates",
        str(templates),
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
    )


@pytest.mark.parametrize(
    ("body", "size"),
    [
        ('{{ "x" * 10**12 }}', "1,000,000,000,000 characters"),
        ('{{ ["row"] * 2000000 }}', "2,000,000 items"),
        ('{{ "{:>3000000000}".format(1) }}', "3,000,000,000 characters"),
        ('{{ "x"|center(50000000) }}', "50,000,000 characters"),
    ],
)
def test_huge_template_value_is_refused(body: str, size: str, tmp_path: Path) -> None:
    """A section template building a huge value is one line naming the template and its line
    (line 2: the value is built on the template's second line), before memory runs out."""
    sections = tmp_path / "tpl" / "sections"
    sections.mkdir(parents=True)
    template = sections / "tasks.md.j2"
    template.write_text(f"## Tasks\n{body}\n", encoding="utf-8")
    proc = report(tmp_path, tmp_path / "tpl")
    assert proc.returncode == 2, proc.stderr
    (line,) = error_lines(proc)
    assert line == (
        f"error: {template}:2: template error: the template builds a value of {size} "
        "(at most 1,000,000), more than a document needs"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[vi]\nproposal = \n", "cannot read the labels: Invalid value (at line 2, column 12)"),
        ("vi = 5\n", "[vi] must be a table of labels, not the number 5"),
        ('[vi]\nproposal = ["Đề", "án"]\n', "label vi.proposal must be text, not a list"),
    ],
)
def test_bad_labels_toml_is_one_line(text: str, expected: str, tmp_path: Path) -> None:
    """A user's labels.toml that is not TOML, or not tables of text: one line naming it."""
    labels = tmp_path / "tpl" / "labels.toml"
    labels.parent.mkdir()
    labels.write_text(text, encoding="utf-8")
    proc = report(tmp_path, tmp_path / "tpl")
    assert proc.returncode == 2, proc.stderr
    assert error_lines(proc) == [
        f'error: {labels}: {expected} (write [vi] and [en] tables of name = "text")'
    ]
    assert not (tmp_path / "out").exists()


# -- unexpected faults and --debug --------------------------------------------------------------
def _broken_plugin(tmp_path: Path) -> dict[str, str]:
    """A real plugin (a module and its distribution metadata on PYTHONPATH) registering a
    normalisation method that raises; returns the environment that installs it."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "dxf_boom.py").write_text(
        "import dxframework as dxf\n\n\n"
        "def boom(x, ctx):\n"
        '    raise RuntimeError("the plugin\'s method\\nfailed")\n\n\n'
        "@dxf.hookimpl\n"
        "def register_normalisation_methods(register):\n"
        '    register("boom", boom, "always fails")\n',
        encoding="utf-8",
    )
    dist = site / "dxf_boom-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: dxf-boom\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[dxframework]\nboom = dxf_boom\n")
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8"}


def _run_boom(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    pipeline = tmp_path / "boom.toml"
    pipeline.write_text(
        '[[stages]]\nkind = "normalise"\nmethod = "boom"\n\n[[stages]]\nkind = "aggregate"\n',
        encoding="utf-8",
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dxframework",
            *options,
            "run",
            "--pack",
            "asem",
            "--pipeline",
            str(pipeline),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        env=_broken_plugin(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def test_unexpected_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """A fault that is not bad input (a plugin's method raising RuntimeError with a two-line
    message): one line, the message joined, a pointer to --debug, exit 1, no traceback."""
    proc = _run_boom(tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert error_lines(proc) == [
        "error: internal error: RuntimeError: the plugin's method failed "
        "(run with --debug for the traceback)"
    ]
    assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    """`dxf --debug` prints the traceback, down to the plugin's line, then the error line."""
    proc = _run_boom(tmp_path, "--debug")
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert 'dxf_boom.py", line 5, in boom' in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1] == (
        "error: internal error: RuntimeError: the plugin's method failed"
    )


def test_debug_shows_the_traceback_of_a_bad_input_too(tmp_path: Path) -> None:
    """With --debug a bad input still exits 2 and ends with its one-line message."""
    path = tmp_path / "weights.toml"
    path.write_text('[[stages]]\nkind = "weight"\nmethod = 3\n', encoding="utf-8")
    proc = dxf(
        "--debug",
        "run",
        "--pack",
        "asem",
        "--pipeline",
        str(path),
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1] == (
        f"error: {path}: stage 1 (weight): method must be text, not the number 3 "
        '(text is written in quotes: method = "minmax")'
    )
