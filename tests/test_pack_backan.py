"""The backan pack: district and commune levels, roll-up, crosswalk, series."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dxframework as dxf
from dxframework.packs.rollup import rollup


def test_run_scores_districts_and_communes(tmp_path: Path) -> None:
    """`dxf run --pack backan` scores both levels: 8 districts and 108 communes."""
    subprocess.run(
        [sys.executable, "-m", "dxframework", "run", "--pack", "backan", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    with open(tmp_path / "district" / "results.csv", encoding="utf-8") as f:
        districts = list(csv.DictReader(f))
    with open(tmp_path / "commune" / "results.csv", encoding="utf-8") as f:
        communes = list(csv.DictReader(f))
    assert len({r["unit"] for r in districts}) == 8
    assert len(communes) == 108
    assert all(0 <= float(r["DX"]) <= 1 for r in communes)
    assert (tmp_path / "commune" / "rollup-district.csv").exists()


def test_rollup_is_population_weighted_mean() -> None:
    """A district's roll-up equals Σ pop·score / Σ pop over its communes (by hand)."""
    pack = dxf.get_pack("backan")
    result = pack.run(level="commune")
    rolled = rollup(result, weight="population")
    path = pack.level("commune").data_path
    assert path is not None
    with open(path, encoding="utf-8") as f:
        pop = {r["unit"]: float(r["population"]) for r in csv.DictReader(f)}
    scores = result.scores
    j = scores.column_index("DX")
    members = [u for u in scores.units if u.parent == "061"]
    num = sum(pop[u.code] * scores.values[0, scores.unit_index(u.code), j] for u in members)
    den = sum(pop[u.code] for u in members)
    got = rolled.values[0, rolled.unit_index("061"), rolled.column_index("DX")]
    assert got == pytest.approx(num / den, rel=1e-12)
    assert rolled.values[0, rolled.unit_index("061"), rolled.column_index("n_units")] == 15


def test_vietnamese_names_are_nfc() -> None:
    """Unit and indicator names are Vietnamese in Unicode NFC."""
    import unicodedata

    pack = dxf.get_pack("backan")
    data = pack.load_data(level="district")
    names = [u.name for u in data.units]
    assert "Chợ Đồn" in names
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    fw = pack.level("district").framework
    assert fw.nodes["CQS"].label("vi") == "Chính quyền số"


def test_crosswalk_merges_backan_into_thai_nguyen() -> None:
    """After the 2025 merger a new province's value is the mean of its former provinces."""
    from dxframework import Dataset
    from dxframework.model.crosswalk import apply_crosswalk

    cw = dxf.get_pack("backan").crosswalk("provinces-2025")
    assert (cw.from_level, cw.to_level) == ("province", "province")
    data = Dataset.from_arrays(["06", "19"], ["x"], [[0.4], [0.8]])
    merged = apply_crosswalk(data, cw.unit_map(), {"x": "mean"}).data
    assert merged.unit_codes == ("19",)
    assert merged.values[0, 0, 0] == pytest.approx(0.6)
    assert merged.units[0].name == "Tỉnh Thái Nguyên"


def test_series_has_five_years_of_history() -> None:
    """The province series spans 2020–2024 with targets attached to its indicators."""
    pack = dxf.get_pack("backan")
    series = pack.load_series()
    assert series.periods == (2020, 2021, 2022, 2023, 2024)
    cq1 = series.values[:, 0, series.column_index("CQ1")]
    assert np.all(np.diff(cq1) > 0)  # the synthetic series grows
    assert pack.level("district").framework.indicator("CQ1").targets["2025"] == 80


def test_cli_tasks_copy_edit_and_report(tmp_path: Path) -> None:
    """`dxf tasks --copy` gives an editable catalogue; an edited copy is reported on; a bad
    status in the copy is an error naming its row and column (exit 2)."""
    from click.testing import CliRunner

    from dxframework.cli import cli

    runner = CliRunner()
    copy = tmp_path / "tasks.csv"
    assert runner.invoke(cli, ["tasks", "--pack", "backan", "--copy", str(copy)]).exit_code == 0
    text = copy.read_text(encoding="utf-8")
    edited = text.replace("planned,10,", "done,100,", 1)
    assert edited != text
    copy.write_text(edited, encoding="utf-8")
    result = runner.invoke(cli, ["tasks", "--pack", "backan", "--tasks", str(copy), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "done: 3" in result.output and "planned" not in result.output.split("\n")[-2]
    copy.write_text(edited.replace("done,100,", "finished,100,", 1), encoding="utf-8")
    bad = runner.invoke(cli, ["tasks", "--pack", "backan", "--tasks", str(copy)])
    assert bad.exit_code == 2
    assert "unknown status 'finished'" in bad.output and "column 'status'" in bad.output
