"""Command-line conventions: -q/-v, --json, - for standard input, shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dxframework as dxf
from dxframework.cli import cli

ROOT = Path(__file__).resolve().parents[1]
ASEM = dxf.get_pack("asem").level()


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=True)


def test_verbose_logs_what_the_library_does() -> None:
    """-v shows the library's INFO messages on standard error; without it none is shown."""
    plain = invoke("validate", "--pack", "asem")
    loud = invoke("-v", "validate", "--pack", "asem")
    assert plain.exit_code == loud.exit_code == 0, loud.output
    assert "INFO dxframework" not in plain.stderr
    assert "INFO dxframework.packs.runs: scoring level country" in loud.stderr
    assert loud.stdout == plain.stdout  # standard output is the same


def test_very_verbose_logs_debug_messages() -> None:
    """-vv adds DEBUG messages (files read)."""
    result = invoke("-vv", "validate", "--pack", "asem")
    assert result.exit_code == 0, result.output
    assert "DEBUG dxframework.io.tables: reading" in result.stderr


def test_quiet_prints_no_warnings() -> None:
    """-q keeps the warnings (blank cells scored zero) off standard error; errors stay."""
    loud = invoke("validate", "--pack", "backan", "--level", "commune")
    quiet = invoke("-q", "validate", "--pack", "backan", "--level", "commune")
    assert loud.exit_code == quiet.exit_code == 0, quiet.output
    assert "warning:" in loud.stderr
    assert quiet.stderr == ""
    bad = invoke("-q", "validate", "--pack", "asem", "--level", "nowhere")
    assert bad.exit_code == 2 and "error:" in bad.stderr


def test_quiet_and_verbose_together_is_a_usage_error() -> None:
    result = invoke("-q", "-v", "validate", "--pack", "asem")
    assert result.exit_code == 2 and "not both" in result.stderr


def test_validate_json() -> None:
    """validate --json prints one JSON document: the summary of every level."""
    result = invoke("validate", "--pack", "asem", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["pack"] == "asem"
    (level,) = doc["levels"]
    assert level["level"] == "country" and level["units"] == 51 and level["indicators"] == 49


def test_run_json(tmp_path: Path) -> None:
    """run --json prints the folders, files and rankings instead of tables."""
    out = tmp_path / "out"
    result = invoke("run", "--pack", "asem", "--out", str(out), "--json", "--top", "3")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (level,) = doc["levels"]
    assert Path(level["folder"]) == out
    assert str(out / "results.csv") in level["files"]
    assert [r["rank"] for r in level["ranking"]] == [1, 2, 3]
    assert all(Path(f).is_file() for f in level["files"])


def test_uncertainty_json(tmp_path: Path) -> None:
    """uncertainty --json prints the tables it writes, as rows."""
    result = invoke(
        "uncertainty",
        "--pack",
        "asem",
        "--spec",
        "uncertainty.toml",
        "--n",
        "4",
        "--out",
        str(tmp_path / "ua"),
        "--json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["draws"] == 4 and len(doc["draws.csv"]) == 4
    assert len(doc["uncertainty.csv"]) == 51
    assert (tmp_path / "ua" / "uncertainty.csv").is_file()


def test_assemble_json(tmp_path: Path) -> None:
    """assemble --json prints the counts, conflicts and files written."""
    assert ASEM.data_path is not None
    result = invoke(
        "assemble", str(ASEM.data_path), "--pack", "asem", "--out", str(tmp_path / "a"), "--json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["units"] == 51 and doc["conflicts"] == []
    assert str(tmp_path / "a" / "data.csv") in doc["files"]


def test_data_from_standard_input() -> None:
    """--data - reads a CSV from standard input, as the file itself reads."""
    assert ASEM.data_path is not None
    from_file = invoke("validate", "--pack", "asem", "--data", str(ASEM.data_path))
    from_stdin = invoke(
        "validate", "--pack", "asem", "--data", "-", stdin=ASEM.data_path.read_bytes()
    )
    assert from_file.exit_code == from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout


def test_bad_data_on_standard_input_is_an_input_error() -> None:
    result = invoke("validate", "--pack", "asem", "--data", "-", stdin=b"unit,x\nA,not a number\n")
    assert result.exit_code == 2
    assert "error:" in result.stderr


@pytest.mark.slow
def test_shell_completion_is_documented_and_works() -> None:
    """docs/cli.md shows how to enable completion, and the command it gives works."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "_DXF_COMPLETE=bash_source dxf" in text
    env = {**os.environ, "_DXF_COMPLETE": "bash_source"}
    proc = subprocess.run(
        [sys.executable, "-m", "dxframework"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert "_dxf_completion" in proc.stdout or "complete " in proc.stdout


def test_commands_run_without_the_report_extra() -> None:
    """Without matplotlib and python-docx, dxf still starts and validates (only the commands
    that write documents need the report extra)."""
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['docx'] = None; "
        "from dxframework.cli.main import main; sys.argv = ['dxf', 'validate', '--pack', 'asem']; "
        "main()"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok (country):")
