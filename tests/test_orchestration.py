"""The work of the commands is the library's: levels scored once, inputs in the manifest.

``dxframework.packs.runs`` chooses a pack's levels, scores each once and writes the results
(roll-ups included); ``dxf run``, ``validate``, ``stats``, ``report``, ``demo`` and
``uncertainty`` call it. These tests hold the library to what the commands rely on.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import json
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from click.testing import CliRunner, Result

import dxframework as dxf
from dxframework.cli import cli
from dxframework.packs.pack import PackLevel
from dxframework.packs.runs import DataInput, choose_levels, score_levels, write_results
from dxframework.report.context import build_context

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def run_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the levels scored (every call of PackLevel.run), in order."""
    calls: list[str] = []
    real = PackLevel.run

    def counting(self: PackLevel, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PackLevel, "run", counting)
    return calls


def test_score_levels_scores_every_level_once(run_calls: list[str]) -> None:
    """Without a level or data, every level is scored, each once, in the pack's order."""
    pack = dxf.get_pack("backan")
    results = score_levels(pack)
    assert list(results) == list(pack.levels) == ["district", "commune"]
    assert run_calls == ["district", "commune"]


def test_choose_levels_by_data_header() -> None:
    """A data file chooses the level whose indicators it holds."""
    pack = dxf.get_pack("backan")
    commune = pack.level("commune")
    assert commune.data_path is not None
    chosen = choose_levels(pack, data=DataInput((commune.data_path,)))
    assert [lvl.name for lvl in chosen] == ["commune"]


def test_demo_scores_each_level_once(run_calls: list[str], tmp_path: Path) -> None:
    """`dxf demo` writes the results and the documents from one scoring of each level."""
    result = invoke("demo", "--out", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert sorted(run_calls) == ["commune", "district"]
    assert (tmp_path / "demo" / "results" / "commune" / "rollup-district.csv").is_file()
    assert (tmp_path / "demo" / "documents" / "proposal.vi.html").is_file()


def test_manifest_records_the_inputs_of_the_run(tmp_path: Path) -> None:
    """The run's own manifest names the data and framework files with their SHA-256."""
    pack = dxf.get_pack("asem")
    lvl = pack.level()
    assert lvl.data_path is not None
    copy = tmp_path / "data.csv"
    copy.write_bytes(lvl.data_path.read_bytes())
    results = score_levels(pack, data=DataInput((copy,)), framework=lvl.framework_path)
    inputs = results[lvl.name].manifest["inputs"]
    assert inputs["data"] == {"path": str(copy), "sha256": sha256(copy)}
    assert inputs["framework"] == {
        "path": str(lvl.framework_path),
        "sha256": sha256(lvl.framework_path),
    }


def test_sample_data_is_recorded_too() -> None:
    """Without --data, the manifest names the level's sample data."""
    pack = dxf.get_pack("asem")
    lvl = pack.level()
    assert lvl.data_path is not None
    manifest = score_levels(pack)[lvl.name].manifest
    assert manifest["inputs"]["data"]["sha256"] == sha256(lvl.data_path)


def test_write_results_writes_every_level_and_the_rollup(tmp_path: Path) -> None:
    """One sub-folder per level, each with results, records, manifest; the roll-up beside."""
    pack = dxf.get_pack("backan")
    results = score_levels(pack)
    written = write_results(pack, results, tmp_path / "out")
    assert [w.level for w in written] == ["district", "commune"]
    for w in written:
        names = {p.name for p in w.files}
        assert {"results.csv", "records.json", "manifest.json"} <= names
        manifest = json.loads((w.folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest == json.loads(json.dumps(dict(results[w.level].manifest), default=str))
    assert (tmp_path / "out" / "commune" / "rollup-district.csv") in written[1].files


def test_report_honours_framework_and_period(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`dxf report --framework F --period P` scores with that framework and that period."""
    seen: dict[str, Any] = {}

    def capture(pack: Any, results: Any, *args: Any, **kwargs: Any) -> list[Any]:
        seen.update(results)
        return []

    # the module as the CLI will import it (other tests may have dropped it from sys.modules)
    build = importlib.import_module("dxframework.report.build")
    monkeypatch.setattr(build, "render_documents", capture)
    pack = dxf.get_pack("backan")
    lvl = pack.level("district")
    periods = lvl.load_data().periods
    assert len(periods) > 1, "the backan district data is a panel"
    result = invoke(
        "report",
        "--pack",
        "backan",
        "--level",
        "district",
        "--framework",
        str(lvl.framework_path),
        "--period",
        str(periods[0]),
        "--out",
        str(tmp_path / "docs"),
    )
    assert result.exit_code == 0, result.output
    run = seen["district"]
    assert run.scores.periods == (periods[0],)
    assert run.manifest["inputs"]["framework"]["sha256"] == sha256(lvl.framework_path)


def test_report_context_takes_the_ranks_of_the_run() -> None:
    """The documents show the ranks the run computed (not ranks computed again)."""
    pack = dxf.get_pack("asem")
    result = pack.run()
    code = result.framework.index
    assert code is not None
    reversed_ranks = result.ranks.with_columns(
        result.ranks.columns, len(result.ranks.units) + 1 - result.ranks.values
    )
    ctx, _ = build_context(
        pack, {pack.default_level: attrs.evolve(result, ranks=reversed_ranks)}, "en"
    )
    (table,) = ctx["appendix"]["rankings"]
    j = result.ranks.column_index(code)
    expected = {
        u.name or u.code: int(reversed_ranks.values[-1, i, j])
        for i, u in enumerate(result.scores.units)
        if not np.isnan(reversed_ranks.values[-1, i, j])
    }
    shown = {row["name"]: row["rank"] for row in table["rows"] if row["rank"] is not None}
    assert shown == expected


def test_pack_run_accepts_a_dataframe() -> None:
    """pack.run(DataFrame) and level.run(DataFrame) score as the file does."""
    pd = pytest.importorskip("pandas")
    pack = dxf.get_pack("asem")
    lvl = pack.level()
    assert lvl.data_path is not None
    frame = pd.read_csv(lvl.data_path)
    from_file = pack.run()
    for from_frame in (pack.run(frame), lvl.run(frame)):
        assert from_frame.scores.unit_codes == from_file.scores.unit_codes
        np.testing.assert_allclose(
            from_frame.scores.values, from_file.scores.values, rtol=0, atol=1e-12
        )


def test_a_dataframe_of_the_wrong_layout_is_a_data_error() -> None:
    """A DataFrame without the level's indicators is refused with the missing columns."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"unit": ["A"], "x": [1.0]})
    with pytest.raises(dxf.DataError):
        dxf.get_pack("asem").run(frame)


def test_sensitivity_imports_no_private_name() -> None:
    """analysis/sensitivity.py uses the uncertainty package's public names only."""
    path = ROOT / "src" / "dxframework" / "analysis" / "sensitivity.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dxframework")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []
