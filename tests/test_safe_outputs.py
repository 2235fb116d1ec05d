"""Outputs that lose nothing: whole-folder replacement, refused folders, neutralised cells.

The requirement: a command writes its outputs into a hidden folder beside ``--out`` and swaps
it in whole, so a run either replaces the folder or leaves it as it was, and files of an
earlier run never stay beside new ones; an input inside ``--out``, or a folder of someone's
files, is refused before anything is written; a run killed at any moment leaves the folder
absent, as it was, or complete, and the next run tidies what the kill left; text cells that a
spreadsheet would run as formulas are neutralised in every CSV written.

Every check runs the real program (``python -m dxframework``) in a subprocess on real files.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dxframework
from helpers import dxf

PACK = dxframework.get_pack("asem").level()
assert PACK.data_path is not None
DATA: Path = PACK.data_path
MARKER = ".dxf-output.json"


# -- helpers ------------------------------------------------------------------------------------
def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) by relative path, as bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def outputs(folder: Path) -> dict[str, bytes]:
    """The files of an output folder without its markers (they hold the time and command)."""
    return {k: v for k, v in tree(folder).items() if Path(k).name != MARKER}


def leftovers(parent: Path) -> list[str]:
    """Hidden folders of unfinished or replaced runs in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".dxf-"))


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("error: ")]


def write_pipeline(path: Path, kinds: list[str]) -> Path:
    """A pipeline file of default stages of these kinds."""
    path.write_text("".join(f'[[stages]]\nkind = "{k}"\n\n' for k in kinds), encoding="utf-8")
    return path


def dead_pid() -> int:
    """The id of a process that has ended (what a killed run leaves in its folder names)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(proc.stdout)


# -- inputs inside --out ------------------------------------------------------------------------
def test_input_inside_out_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    """A data file inside --out: exit 2, one line naming it, nothing written, input unchanged."""
    out = tmp_path / "out"
    out.mkdir()
    data = out / "data.csv"
    shutil.copyfile(DATA, data)
    before = tree(tmp_path)
    proc = dxf("run", "--pack", "asem", "--data", str(data), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = error_lines(proc.stderr)
    assert line.startswith(f"error: {data}: this input is inside the output folder")
    assert tree(tmp_path) == before  # byte for byte: no file added, changed or removed
    assert data.read_bytes() == DATA.read_bytes()


@pytest.mark.parametrize("command", ["run", "stats", "uncertainty", "report"])
def test_every_command_refuses_a_manifest_or_spec_inside_out(command: str, tmp_path: Path) -> None:
    """Repeating a run from its own manifest.json into the same folder would overwrite the
    manifest being read: every command with --out refuses it and leaves the folder as it was."""
    out = tmp_path / "out"
    first = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    manifest = out / "manifest.json"
    args = {
        "run": ["run", "--pack", "asem", "--pipeline", str(manifest)],
        "stats": ["stats", "--pack", "asem", "--pipeline", str(manifest)],
        "uncertainty": ["uncertainty", "--pack", "asem", "--spec", str(manifest), "--n", "2"],
        "report": ["report", "--pack", "asem", "--tasks", str(manifest)],
    }[command]
    before = tree(tmp_path)
    proc = dxf(*args, "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    (line,) = error_lines(proc.stderr)
    assert line.startswith(f"error: {manifest}: this input is inside the output folder"), line
    assert tree(tmp_path) == before


def test_out_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    """--out inside a folder given as --data would change the input (and be read next time)."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(DATA, folder / "asem.csv")
    before = tree(tmp_path)
    out = folder / "results"
    proc = dxf("run", "--pack", "asem", "--data", str(folder), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    (line,) = error_lines(proc.stderr)
    assert line.startswith(f"error: {folder}: the output folder {out} is inside this input folder")
    assert tree(tmp_path) == before


# -- refused folders ----------------------------------------------------------------------------
def test_folder_of_someones_files_is_refused(tmp_path: Path) -> None:
    """A non-empty folder without a dxf marker is someone's: refused, not emptied."""
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"my thesis")
    (out / "results.csv").write_text("unit,Index\nOLD,1\n", encoding="utf-8")
    before = tree(tmp_path)
    proc = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""  # refused before scoring: no ranking printed
    (line,) = error_lines(proc.stderr)
    assert line == (
        f"error: {out}: the output folder is not empty and was not written by dxf: writing "
        "would delete its files (choose an empty or new folder)"
    )
    assert tree(tmp_path) == before


def test_output_folder_with_a_file_added_by_hand_is_refused(tmp_path: Path) -> None:
    """A dxf output folder into which the user saved a file of their own is refused too,
    naming that file: replacing the folder would delete it."""
    out = tmp_path / "out"
    assert dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path).returncode == 0
    (out / "notes.txt").write_text("remember to check LPI\n", encoding="utf-8")
    before = tree(tmp_path)
    proc = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    (line,) = error_lines(proc.stderr)
    assert line == (
        f"error: {out}: the output folder holds files that are not part of its run (notes.txt): "
        "writing would delete them (move them out, or choose an empty or new folder)"
    )
    assert tree(tmp_path) == before


def test_current_folder_is_not_replaced(tmp_path: Path) -> None:
    """`--out .` from inside an output folder would remove the shell's folder: refused."""
    out = tmp_path / "out"
    assert dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path).returncode == 0
    before = tree(tmp_path)
    proc = dxf("run", "--pack", "asem", "--out", ".", cwd=out)
    assert proc.returncode == 2
    (line,) = error_lines(proc.stderr)
    assert line.startswith("error: .: the output folder holds the current folder")
    assert tree(tmp_path) == before


# -- whole-folder replacement -------------------------------------------------------------------
def test_files_of_an_earlier_run_never_remain(tmp_path: Path) -> None:
    """A run with six stages, then one with two: the folder holds the second run's files only.

    Expected by hand: the pipeline normalise → aggregate writes normalised.csv and
    aggregated.csv, plus results.csv, records.json, manifest.json and the marker.
    """
    out = tmp_path / "out"
    assert dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path).returncode == 0
    assert (out / "treated.csv").is_file()
    short = write_pipeline(tmp_path / "short.toml", ["normalise", "aggregate"])
    proc = dxf("run", "--pack", "asem", "--pipeline", str(short), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        MARKER,
        "aggregated.csv",
        "manifest.json",
        "normalised.csv",
        "records.json",
        "results.csv",
    ]
    assert leftovers(tmp_path) == []


def test_two_levels_are_written_in_one_swap_with_markers(tmp_path: Path) -> None:
    """backan scores two levels: both sub-folders come in one swap, replacing an asem run
    whole, and the marker lists every file; each level folder has its own marker."""
    out = tmp_path / "out"
    assert dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path).returncode == 0
    proc = dxf("run", "--pack", "backan", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "commune", "district"]
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["command"].endswith("run")
    assert marker["options"]["pack_name"] == "backan"
    files = set(tree(out)) - {MARKER}
    assert set(marker["files"]) == files
    assert {"district/results.csv", "commune/rollup-district.csv", f"commune/{MARKER}"} <= files
    assert leftovers(tmp_path) == []


# -- leftovers of killed runs -------------------------------------------------------------------
def test_kill_between_the_renames_is_undone_by_the_next_run(tmp_path: Path) -> None:
    """What a kill between the two renames leaves (no folder, the previous one renamed aside,
    the new one complete beside it) is undone at the next run, even one that then fails."""
    out = tmp_path / "out"
    assert dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path).returncode == 0
    before = tree(out)
    pid = dead_pid()
    old = tmp_path / f".dxf-old-out-{pid}-0123abcd"
    new = tmp_path / f".dxf-tmp-out-{pid}-89abcdef"
    out.rename(old)
    shutil.copytree(old, new)
    proc = dxf("run", "--pack", "asem", "--data", "no-such.csv", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    warned = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warned) == 2, proc.stderr
    assert f"restored the output folder {out} from {old.name}" in warned[0]
    assert f"removed {new}, the unfinished output of an interrupted run" in warned[1]
    assert error_lines(proc.stderr) == ["error: no-such.csv: file not found (check the path)"]
    assert tree(out) == before
    assert leftovers(tmp_path) == []


def test_half_removed_old_folder_and_partial_run_are_removed(tmp_path: Path) -> None:
    """A kill while the replaced folder was being removed leaves part of it; a kill while
    writing leaves a partial folder: the next run removes both and replaces the folder."""
    out = tmp_path / "out"
    assert dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path).returncode == 0
    pid = dead_pid()
    (tmp_path / f".dxf-old-out-{pid}-00000000").mkdir()
    (tmp_path / f".dxf-old-out-{pid}-00000000" / "results.csv").write_text("x\n")
    (tmp_path / f".dxf-tmp-out-{pid}-11111111").mkdir()
    (tmp_path / f".dxf-tmp-out-{pid}-11111111" / "denominated.csv").write_text("unit\n")
    other = tmp_path / f".dxf-tmp-out-2-{pid}-22222222"  # another folder's ("out-2")
    other.mkdir()
    proc = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("warning: removed ") == 2
    assert leftovers(tmp_path) == [other.name]


def test_leftovers_of_a_run_in_progress_are_left_alone(tmp_path: Path) -> None:
    """A staging folder whose process is alive (here: this test's) belongs to a run in
    progress: another run must not remove it."""
    out = tmp_path / "out"
    running = tmp_path / f".dxf-tmp-out-{os.getpid()}-33333333"
    running.mkdir()
    proc = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "warning: removed" not in proc.stderr
    assert leftovers(tmp_path) == [running.name]


def _complete(folder: Path, expected: list[dict[str, bytes]]) -> bool:
    """Whether ``folder`` is one complete run: its marker lists exactly its files, and its
    files are byte for byte those of one of the ``expected`` complete runs."""
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    files = set(tree(folder)) - {MARKER}
    assert set(marker["files"]) == files, "the marker does not list the folder's files"
    return outputs(folder) in expected


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_killed_runs_leave_the_folder_previous_or_new_never_mixed(tmp_path: Path) -> None:
    """`dxf run` killed (SIGKILL) at seeded random moments: after each kill the folder is
    absent, the previous complete run or the new complete run (two pipelines with different
    files alternate, so a mixture would show), and the next run tidies every leftover.

    Half the kills fall at random across the run time; the other half while the files are
    being written: shortly after the run's ``.dxf-tmp-out-…`` folder appears.
    """
    short = write_pipeline(tmp_path / "short.toml", ["denominate", "normalise", "aggregate"])
    variants = [[], ["--pipeline", str(short)]]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def start(args: list[str], out: Path) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-m", "dxframework", "run", "--pack", "asem", *args]
        return subprocess.Popen(
            [*cmd, "--out", str(out)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    expected: list[dict[str, bytes]] = []
    durations = []
    for k, args in enumerate(variants):  # each variant once to the end: its files, its time
        t0 = time.monotonic()
        assert start(args, tmp_path / f"ref{k}").wait(timeout=120) == 0
        durations.append(time.monotonic() - t0)
        expected.append(outputs(tmp_path / f"ref{k}"))
    assert expected[0] != expected[1]
    duration = min(durations)

    def writing(proc: subprocess.Popen[bytes]) -> bool:
        """Wait until the run starts writing (its staging folder appears) or ends."""
        while proc.poll() is None:
            if any(p.name.startswith(".dxf-tmp-out-") for p in tmp_path.iterdir()):
                return True
            time.sleep(0.001)
        return False

    out = tmp_path / "out"
    assert start(variants[1], out).wait(timeout=120) == 0  # the folder a first run left
    previous: dict[str, bytes] | None = expected[1]
    rng = random.Random(20240601)
    killed = 0
    for attempt in range(10):
        k = attempt % 2
        proc = start(variants[k], out)
        if attempt == 5:
            pass  # one run to the end: the previous run changes
        elif attempt % 4 < 2:
            time.sleep(duration * rng.uniform(0.1, 0.8))
        elif writing(proc):
            time.sleep(rng.uniform(0.0, 0.05))
        if attempt != 5 and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        rc = proc.wait(timeout=120)
        if rc == 0:
            assert _complete(out, [expected[k]])
        elif out.exists():
            assert _complete(out, [e for e in (previous, expected[k]) if e is not None])
        # the next run (here one that fails at once) tidies what the kill left
        tidy = dxf(
            "run", "--pack", "asem", "--data", "no-such.csv", "--out", str(out), cwd=tmp_path
        )
        assert tidy.returncode == 2
        assert leftovers(tmp_path) == []
        if out.exists():
            assert _complete(out, [e for e in (previous, expected[k]) if e is not None])
            previous = outputs(out)
        else:
            assert previous is None  # only absent when no run had completed before
    assert killed >= 4  # the random kills, at most 80 % into the run, did interrupt runs
    final = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)
    assert final.returncode == 0
    assert _complete(out, [expected[0]])
    assert leftovers(tmp_path) == []


# -- neutralised cells --------------------------------------------------------------------------
FORMULA_CODES = {"AUT": "=AUT", "BEL": "+BEL", "BGR": "-BGR", "HRV": "@HRV"}


def _formula_data(tmp_path: Path) -> Path:
    """The asem sample data with four unit codes, and their names, made formula-like."""
    with DATA.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        if row["uCode"] in FORMULA_CODES:
            row["uName"] = f'=HYPERLINK("http://example.org","{row["uName"]}")'
            row["uCode"] = FORMULA_CODES[row["uCode"]]
    path = tmp_path / "formulas.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_formula_like_unit_codes_are_neutralised_in_every_csv_of_run(tmp_path: Path) -> None:
    """Every CSV `dxf run` writes shows =AUT, +BEL, -BGR, @HRV with a leading apostrophe
    (a spreadsheet shows them as text); no text cell starts a formula; numbers are untouched:
    LUX's GDPGrow, -0.6773987260464907 in the data, is written as that number."""
    data = _formula_data(tmp_path)
    out = tmp_path / "out"
    proc = dxf("run", "--pack", "asem", "--data", str(data), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    written = sorted(out.glob("*.csv"))
    assert len(written) == 7  # six stages and results.csv
    expected_units = {"'=AUT", "'+BEL", "'-BGR", "'@HRV"}
    for path in written:
        rows = _cells(path)
        units = {r[0] for r in rows[1:]}
        assert expected_units <= units, path.name
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
                assert not cell.startswith("-") or _is_number(cell), (path.name, cell)
    denominated = _cells(out / "denominated.csv")
    col = denominated[0].index("GDPGrow")
    lux = next(r for r in denominated if r[0] == "LUX")
    assert lux[col] == "-0.6773987260464907"


def test_formula_like_names_are_neutralised_in_uncertainty_csv(tmp_path: Path) -> None:
    """uncertainty.csv carries unit names: =HYPERLINK(...) is written as text, '=HYPERLINK."""
    data = _formula_data(tmp_path)
    out = tmp_path / "ua"
    proc = dxf(
        "uncertainty",
        "--pack",
        "asem",
        "--data",
        str(data),
        "--spec",
        "uncertainty.toml",
        "--n",
        "3",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r[0]: r for r in _cells(out / "uncertainty.csv")[1:]}
    assert rows["'=AUT"][1] == """'=HYPERLINK("http://example.org","Austria")"""
    assert set(FORMULA_CODES.values()).isdisjoint(rows)
    for path in out.glob("*.csv"):
        for row in _cells(path):
            assert not any(c.startswith(("=", "+", "@")) for c in row), path.name
