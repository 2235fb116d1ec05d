"""End-to-end behaviour of the ``dxf`` command line on the bundled ``asem`` pack.

A few checks run the real program (``python -m dxframework``) in a subprocess; the rest use
click's ``CliRunner`` in-process, which is faster and exercises the same command code.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dxframework
from dxframework.cli import cli
from helpers import dxf

STAGE_FILES = (
    "denominated.csv",
    "imputed.csv",
    "screened.csv",
    "treated.csv",
    "normalised.csv",
    "aggregated.csv",
)
RUN_FILES = (*STAGE_FILES, "results.csv", "manifest.json")


def invoke(*args: str) -> Result:
    """Run ``dxf ARGS`` in-process with click's test runner (stderr kept apart)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def header(path: Path) -> list[str]:
    """The header row of a CSV file."""
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a folder by name, as bytes (the output marker, which holds the time and
    the command line, aside)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != ".dxf-output.json"
    }


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the asem pack's default pipeline through the real program."""
    out = tmp_path_factory.mktemp("ref") / "out"
    proc = dxf("run", "--pack", "asem", "--out", str(out), cwd=out.parent)
    assert proc.returncode == 0, proc.stderr
    return out


# -- subprocess (the real program) -------------------------------------------------------------
def test_packs_lists_asem(tmp_path: Path) -> None:
    """`dxf packs` exits 0 and lists the installed asem pack with its version and pipeline."""
    proc = dxf("packs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "asem" in proc.stdout
    assert "1.0.0" in proc.stdout
    assert "reference" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_plugins_json_lists_builtin_and_asem_with_hooks(tmp_path: Path) -> None:
    """`dxf plugins --json` is valid JSON naming each plugin's package, version and hooks."""
    proc = dxf("plugins", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    infos = {p["name"]: p for p in json.loads(proc.stdout)}
    assert {"builtin", "asem"} <= set(infos)

    builtin = infos["builtin"]
    assert builtin["package"] == "dxframework"
    assert builtin["version"] == dxframework.__version__
    assert builtin["error"] is None
    for hook in (
        "register_imputation_methods",
        "register_screening_methods",
        "register_treatment_methods",
        "register_normalisation_methods",
        "register_aggregation_methods",
    ):
        assert hook in builtin["hooks"], hook
    assert "register_packs" not in builtin["hooks"]

    asem = infos["asem"]
    assert asem["package"] == "dxf-asem"
    assert asem["version"] == "1.0.0"
    assert asem["error"] is None
    assert "register_packs" in asem["hooks"]


def test_run_writes_every_stage_with_unit_first(reference_run: Path) -> None:
    """`dxf run` writes one CSV per stage, results.csv and manifest.json; CSVs start `unit`."""
    names = {p.name for p in reference_run.iterdir()}
    assert set(RUN_FILES) <= names
    for name in (*STAGE_FILES, "results.csv"):
        cols = header(reference_run / name)
        assert cols[0] == "unit", name
        assert len(cols) > 1, name
    results = header(reference_run / "results.csv")
    assert results[1:3] == ["Index", "Index_rank"]  # the headline index first, then its rank
    with (reference_run / "results.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 51
    top = min(rows, key=lambda r: int(r["Index_rank"]))
    assert top["unit"] == "CHE"  # the published ASEM ranking starts with Switzerland
    manifest = json.loads((reference_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pack"] == {"name": "asem", "version": "1.0.0", "level": "country"}
    assert [s["kind"] for s in manifest["pipeline"]["stages"]] == [
        "denominate",
        "impute",
        "screen",
        "treat",
        "normalise",
        "aggregate",
    ]
    assert len(manifest["inputs"]["data"]["sha256"]) == 64


def test_run_twice_gives_byte_identical_files(reference_run: Path, tmp_path: Path) -> None:
    """Two runs of the same pack and data write byte-identical files (determinism)."""
    out = tmp_path / "again"
    proc = dxf("run", "--pack", "asem", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    first, second = file_bytes(reference_run), file_bytes(out)
    assert set(first) == set(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs between two identical runs"


def test_unknown_pack_exits_2_naming_installed_packs(tmp_path: Path) -> None:
    """An unknown pack is a user error: exit 2, one line naming the installed packs."""
    out = tmp_path / "out"
    proc = dxf("run", "--pack", "nosuchpack", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "nosuchpack" in lines[0]
    assert "asem" in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()


# -- in-process (CliRunner) ---------------------------------------------------------------------
def test_packs_json() -> None:
    """`dxf packs --json` gives the asem pack's metadata as JSON."""
    result = invoke("packs", "--json")
    assert result.exit_code == 0, result.output
    packs = {p["name"]: p for p in json.loads(result.stdout)}
    assert packs["asem"]["plugin"] == "asem"
    assert packs["asem"]["version"] == "1.0.0"
    assert "reference" in packs["asem"]["pipelines"]


def test_validate_sample_data_succeeds() -> None:
    """`dxf validate --pack asem` accepts the sample data and summarises it."""
    result = invoke("validate", "--pack", "asem")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok (country):")
    assert "51 units" in result.stdout
    assert "49 indicators" in result.stdout
    assert result.stderr == ""


def test_validate_explicit_sample_files_succeeds() -> None:
    """Passing the pack's own data and framework files explicitly validates too."""
    pack = dxframework.get_pack("asem").level()
    assert pack.data_path is not None
    result = invoke(
        "validate",
        "--pack",
        "asem",
        "--data",
        str(pack.data_path),
        "--framework",
        str(pack.framework_path),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok (country):")


def test_pipeline_toml_reproduces_results(reference_run: Path, tmp_path: Path) -> None:
    """`--pipeline FILE.toml` with the reference stages gives the same results.csv."""
    pack = dxframework.get_pack("asem").level()
    toml = tmp_path / "my pipeline.toml"
    toml.write_text(
        (pack.root / pack.pipelines["reference"]).read_text(encoding="utf-8"), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = invoke("run", "--pack", "asem", "--pipeline", str(toml), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "results.csv").read_bytes() == (reference_run / "results.csv").read_bytes()
    for name in STAGE_FILES:
        assert (out / name).read_bytes() == (reference_run / name).read_bytes(), name


def test_pipeline_manifest_reproduces_results(reference_run: Path, tmp_path: Path) -> None:
    """A run's own manifest.json given as `--pipeline` repeats that run exactly."""
    out = tmp_path / "out"
    result = invoke(
        "run",
        "--pack",
        "asem",
        "--pipeline",
        str(reference_run / "manifest.json"),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert (out / "results.csv").read_bytes() == (reference_run / "results.csv").read_bytes()
    again = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    first = json.loads((reference_run / "manifest.json").read_text(encoding="utf-8"))
    assert again["pipeline"] == first["pipeline"]


def test_pipeline_file_changes_the_result(reference_run: Path, tmp_path: Path) -> None:
    """A different pipeline file is actually used (guards the two tests above from vacuity)."""
    toml = tmp_path / "plain.toml"
    toml.write_text(
        'name = "plain"\n\n[[stages]]\nkind = "impute"\nmethod = "mean"\n\n'
        '[[stages]]\nkind = "normalise"\nmethod = "minmax"\n\n'
        '[[stages]]\nkind = "aggregate"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = invoke("run", "--pack", "asem", "--pipeline", str(toml), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "results.csv").read_bytes() != (reference_run / "results.csv").read_bytes()
    assert not (out / "treated.csv").exists()
    assert (out / "normalised.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pipeline"]["name"] == "plain"


def test_unknown_pipeline_name_exits_2(tmp_path: Path) -> None:
    """A pipeline name the pack does not have is a user error naming the known ones."""
    out = tmp_path / "never-written"
    result = invoke("run", "--pack", "asem", "--pipeline", "nosuch", "--out", str(out))
    assert result.exit_code == 2
    assert "nosuch" in result.stderr
    assert "reference" in result.stderr
    assert not out.exists()


def test_unknown_pack_in_process_exits_2() -> None:
    """`validate` with an unknown pack exits 2 with a message listing the installed packs."""
    result = invoke("validate", "--pack", "nosuchpack")
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.count("\n") == 1
    assert "unknown metric pack 'nosuchpack'" in result.stderr
    assert re.search(r"installed packs: .*\basem\b", result.stderr)
