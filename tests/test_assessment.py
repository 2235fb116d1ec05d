"""Assessment records: reading, both scorings, progress and the gap report (with the CLI)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.assessment import (
    Assessment,
    ValuesChoice,
    assessment_config,
    gap_report,
    parse_date,
    parse_status,
    progress,
    read_assessment,
    unit_independent,
)
from dxframework.cli import cli
from dxframework.errors import DataError
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.indicator import Aggregate, Indicator
from dxframework.pipeline.run import run_pipeline
from dxframework.pipeline.spec import Pipeline, Stage

HEADER = (
    "unit,indicator,period,self,verified,evidence,evidence_note,status,agency,person,deadline,"
    "comment\n"
)


def write(path: Path, body: str, header: str = HEADER) -> Path:
    path.write_text(header + body, encoding="utf-8")
    return path


def toy_framework() -> Framework:
    """Two indicators, the index their plain mean; A has yes/no answers."""
    return Framework(
        indicators=[
            Indicator("A", name_vi="Có kế hoạch", unit="0–1", answers={"có": 1, "không": 0}),
            Indicator("B", name_vi="Tỷ lệ", unit="0–1"),
        ],
        aggregates=[Aggregate("I", name_vi="Chỉ số", level=2)],
        edges=[("A", "I", 1.0), ("B", "I", 1.0)],
        index="I",
    )


PIPE = Pipeline(stages=[Stage(kind="aggregate", method="arithmetic")])


# -- statuses, dates, reading ----------------------------------------------------------------
def test_statuses_in_vietnamese_and_english_any_accents_and_case() -> None:
    assert parse_status("Hoàn thành") == "done"
    assert parse_status("HOAN THANH") == "done"
    assert parse_status("done") == "done"
    assert parse_status("cần bổ sung minh chứng") == "needs_evidence"
    assert parse_status("can bo sung minh chung") == "needs_evidence"
    assert parse_status("Needs evidence") == "needs_evidence"
    assert parse_status("đang thực hiện") == "in_progress"
    assert parse_status("In-progress") == "in_progress"
    assert parse_status("Chưa thực hiện") == "not_started"
    assert parse_status("not_started") == "not_started"
    assert parse_status("") == ""
    assert parse_status("maybe") is None


def test_dates_day_first_or_iso() -> None:
    assert parse_date("17/03/2024") == dt.date(2024, 3, 17)
    assert parse_date("2024-03-17") == dt.date(2024, 3, 17)
    assert parse_date("5/2/2024") == dt.date(2024, 2, 5)
    assert parse_date(dt.datetime(2024, 3, 17, 8, 0)) == dt.date(2024, 3, 17)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("32/01/2024")
    with pytest.raises(ValueError):
        parse_date("March 17")


def test_read_long_table_vietnamese_headers_answers_and_decimal_comma(tmp_path: Path) -> None:
    header = (
        "Mã đơn vị,Chỉ tiêu,Năm,Tự đánh giá,Thẩm định,Minh chứng,Ghi chú minh chứng,"
        "Trạng thái,Cơ quan,Người phụ trách,Hạn,Nhận xét\n"
    )
    body = (
        'U1,a,2024,Có,Không,"QĐ 12/QĐ-UBND; kh.pdf",ghi chú,Hoàn thành,Phòng VH-TT,An,17/03/2024,'
        "Chưa đủ căn cứ\n"
        'U1,B,2024,"0,75",,https://x.example/b,,can bo sung minh chung,Phòng VH-TT,An,2024-04-30,\n'
        "U2,A,2024,co,,,,,,,,\n"
        "U2,B,2024,,,,,,,,,\n"
    )
    a = read_assessment(write(tmp_path / "a.csv", body, header), toy_framework())
    r = {(x.unit, x.indicator): x for x in a.records}
    first = r[("U1", "A")]
    assert (first.self_value, first.verified_value) == (1.0, 0.0)
    assert first.evidence == ("QĐ 12/QĐ-UBND", "kh.pdf")
    assert first.status == "done" and first.deadline == dt.date(2024, 3, 17)
    assert first.comment == "Chưa đủ căn cứ" and first.agency == "Phòng VH-TT"
    assert r[("U1", "B")].self_value == 0.75 and math.isnan(r[("U1", "B")].verified_value)
    assert r[("U1", "B")].status == "needs_evidence"
    # a blank status: in progress when a self value is given, else not started
    assert r[("U2", "A")].status == "in_progress" and r[("U2", "A")].self_value == 1.0
    assert r[("U2", "B")].status == "not_started"
    assert a.periods == (2024,)


def test_every_bad_cell_is_a_problem_naming_file_row_and_column(tmp_path: Path) -> None:
    body = (
        "U1,A,2024,peut-être,,,,done,,,,\n"  # row 2: not an answer
        "U1,B,2024,1.5,,,,done,,,,\n"  # row 3: outside 0–1
        "U1,C,2024,1,,,,done,,,,\n"  # row 4: unknown indicator
        "U2,A,2024,1,,,,finished?,,,,\n"  # row 5: unknown status
        "U2,B,2024,0.5,,,,done,,,31/02/2024,\n"  # row 6: not a date
        "U2,B,2024,0.5,,,,done,,,,\n"  # row 7: U2 B again (first on row 6)
        "U2,B,2024,0.6,,,,done,,,,\n"  # row 8: and again
    )
    path = write(tmp_path / "bad.csv", body)
    with pytest.raises(DataError) as info:
        read_assessment(path, toy_framework())
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {
        (2, "self"),
        (3, "self"),
        (4, "indicator"),
        (5, "status"),
        (6, "deadline"),
        (7, "indicator"),
        (8, "indicator"),
    }
    assert all(p.file is not None and p.file.endswith("bad.csv") for p in info.value.problems)


def test_unknown_column_and_no_value_column_are_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown column 'colour'"):
        read_assessment(write(tmp_path / "x.csv", "U1,A,1,red\n", "unit,indicator,self,colour\n"))
    with pytest.raises(DataError, match="no value column"):
        read_assessment(write(tmp_path / "y.csv", "U1,A,done\n", "unit,indicator,status\n"))


# -- the values scored -----------------------------------------------------------------------
def small_assessment(tmp_path: Path) -> Assessment:
    body = (
        "U1,A,2024,1,1,,,done,,,,\n"
        "U1,B,2024,0.8,0.6,,,done,,,,\n"
        "U2,A,2024,1,,,,in progress,,,,\n"  # no verified value
        "U2,B,2024,0.5,0.5,,,done,,,,\n"
    )
    return read_assessment(write(tmp_path / "s.csv", body), toy_framework())


def test_verified_falls_back_to_self_with_a_note(tmp_path: Path) -> None:
    a = small_assessment(tmp_path)
    data, origin, notes = a.dataset(ValuesChoice("verified", "self"))
    i2, a_col = data.unit_index("U2"), data.column_index("A")
    assert data.values[0, i2, a_col] == 1.0  # the self value in place of the missing one
    assert origin[0, i2, a_col] == 3
    assert len(notes) == 1 and "U2" in notes[0]
    strict, _, notes = a.dataset(ValuesChoice("verified", None))
    assert math.isnan(strict.values[0, i2, a_col]) and notes == []
    own, _, _ = a.dataset("self")
    assert own.values[0, own.unit_index("U1"), own.column_index("B")] == 0.8


# -- progress --------------------------------------------------------------------------------
def test_progress_counts_done_needing_evidence_and_overdue(tmp_path: Path) -> None:
    body = (
        "U1,A,2024,1,1,,,hoàn thành,Phòng 1,,01/03/2024,\n"
        "U1,B,2024,0.5,,,,cần bổ sung minh chứng,Phòng 1,,01/03/2024,\n"  # overdue
        "U2,A,2024,1,,,,đang thực hiện,Phòng 2,,30/06/2024,\n"  # not yet due
        "U2,B,2024,,,,,chưa thực hiện,Phòng 2,,01/04/2024,\n"  # overdue
    )
    a = read_assessment(write(tmp_path / "p.csv", body), toy_framework())
    s = progress(a, toy_framework(), dt.date(2024, 5, 15))
    units = {r.key: r for r in s["unit"]}
    # U1: 1 done of 2 → 50 %; 1 needs evidence; 1 overdue (B, due 1/3, not done)
    assert (units["U1"].criteria, units["U1"].done, units["U1"].needs_evidence) == (2, 1, 1)
    assert units["U1"].overdue == 1 and units["U1"].share_done == 0.5
    # U2: nothing done; B overdue (1/4 < 15/5), A not yet (30/6)
    assert (units["U2"].done, units["U2"].overdue, units["U2"].share_done) == (0, 1, 0.0)
    agencies = {r.key: r.done for r in s["agency"]}
    assert agencies == {"Phòng 1": 1, "Phòng 2": 0}
    assert [(r.key, r.criteria, r.done) for r in s["group"]] == [("I", 4, 1)]
    # earlier as-of date: nothing is overdue yet on 1/2/2024
    early = progress(a, toy_framework(), dt.date(2024, 2, 1))
    assert sum(r.overdue for r in early["unit"]) == 0


# -- the gap report --------------------------------------------------------------------------
def test_gap_ranking_by_rank_move_hand_case(tmp_path: Path) -> None:
    """Index I = (A + B) / 2. Verified: U1 = (0.8 + 0.6)/2 = 0.70 (rank 1),
    U2 = (0.7 + 0.5)/2 = 0.60 (rank 2), U3 = (0.5 + 0.5)/2 = 0.50 (rank 3).

    Self-assessed disagreements, each alone against the others' verified scores:
    - U3 A 0.9: I = (0.9 + 0.5)/2 = 0.70 → ties U1 at 0.70 → rank 1; shift +2, effect +0.20
    - U1 B 0.2: I = (0.8 + 0.2)/2 = 0.50 → U2 0.60 above, ties U3 → rank 2; shift −1, −0.20
    - U2 B 0.6: I = (0.7 + 0.6)/2 = 0.65 → U1 above → rank 2; shift 0, effect +0.05
    Ordered by |shift| then |effect|: U3 A, U1 B, U2 B.
    """
    fw = Framework(
        indicators=[Indicator("A", unit="0–1"), Indicator("B", unit="0–1")],
        aggregates=[Aggregate("I", level=2)],
        edges=[("A", "I", 1.0), ("B", "I", 1.0)],
        index="I",
    )
    body = (
        "U1,A,0,0.8,0.8,,,done,,,,\nU1,B,0,0.2,0.6,,,done,,,,\n"
        "U2,A,0,0.7,0.7,,,done,,,,\nU2,B,0,0.6,0.5,,,done,,,,\n"
        "U3,A,0,0.9,0.5,,,done,,,,\nU3,B,0,0.5,0.5,,,done,,,,\n"
    )
    a = read_assessment(write(tmp_path / "g.csv", body), fw)

    def run(d: Dataset) -> dxf.RunResult:
        return run_pipeline(fw, d, PIPE)

    assert unit_independent(PIPE, fw)
    report = gap_report(a, run, PIPE, fw)
    got = [
        (g.unit, g.indicator, g.rank_verified, g.rank_if_self, g.rank_shift) for g in report.gaps
    ]
    assert got == [("U3", "A", 3, 1, 2), ("U1", "B", 1, 2, -1), ("U2", "B", 2, 2, 0)]
    effects = [g.index_effect for g in report.gaps]
    assert effects == pytest.approx([0.20, -0.20, 0.05])
    assert [g.gap for g in report.gaps] == pytest.approx([0.4, -0.4, 0.1])
    # the same report one run per disagreement (a pipeline that is not unit-independent)
    minmax = Pipeline(
        stages=[
            Stage(kind="normalise", method="none"),
            Stage(kind="aggregate", method="arithmetic"),
        ]
    )
    assert unit_independent(minmax, fw)
    z = Pipeline(stages=[Stage(kind="aggregate", method="copeland")])
    assert not unit_independent(z, fw)


def test_gap_report_loop_path_matches_batched_path(tmp_path: Path) -> None:
    pack = dxf.get_pack("backan")
    cfg = assessment_config(pack)
    lvl = pack.level(cfg.level)
    a = read_assessment(cfg.data, lvl.framework, lvl.spec.auxiliary)
    pipe = lvl.pipeline()

    def run(d: Dataset) -> dxf.RunResult:
        return lvl.run(d, pipe)

    batched = gap_report(a, run, pipe, lvl.framework, choice=cfg.choice)
    import dxframework.assessment.gaps as gaps_module

    original = gaps_module.unit_independent
    gaps_module.unit_independent = lambda p, f: False  # type: ignore[assignment]
    try:
        looped = gap_report(a, run, pipe, lvl.framework, choice=cfg.choice)
    finally:
        gaps_module.unit_independent = original
    assert len(batched.gaps) == len(looped.gaps) > 10
    for x, y in zip(batched.gaps, looped.gaps, strict=True):
        assert (x.unit, x.indicator) == (y.unit, y.indicator)
        assert x.index_if_self == pytest.approx(y.index_if_self, rel=1e-12)
        assert x.points_self == pytest.approx(y.points_self, rel=1e-12)


# -- the Bắc Kạn demo from the CLI -------------------------------------------------------------
def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_backan_demo_both_scorings_and_gaps_from_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "gaps"
    result = CliRunner().invoke(cli, ["gaps", "--pack", "backan", "--out", str(out)])
    assert result.exit_code == 0, result.output
    verified = {r["unit"]: float(r["DX"]) for r in read_csv(out / "results-verified.csv")}
    own = {r["unit"]: float(r["DX"]) for r in read_csv(out / "results-self.csv")}
    assert set(verified) == set(own) and len(verified) == 8
    assert verified != own  # the council changed some scores
    gaps = read_csv(out / "gaps.csv")
    assert gaps and [int(r["order"]) for r in gaps] == list(range(1, len(gaps) + 1))
    shifts = [abs(int(r["rank_shift"])) for r in gaps]
    assert shifts == sorted(shifts, reverse=True)
    for r in gaps:
        assert float(r["gap"]) == pytest.approx(float(r["self"]) - float(r["verified"]))
        assert float(r["index_effect"]) == pytest.approx(
            float(r["index_if_self"]) - float(r["index_verified"])
        )
        assert float(r["index_verified"]) == pytest.approx(verified[r["unit"]])
    assert "no verified value" in (out / "notes.txt").read_text(encoding="utf-8")


def test_backan_demo_status_from_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["status", "--pack", "backan", "--as-of", "15/05/2024"])
    assert table.exit_code == 0, table.output
    assert "Tiến độ theo đơn vị" in table.output and "15/05/2024" in table.output
    en = runner.invoke(
        cli,
        ["status", "--pack", "backan", "--as-of", "2024-05-15", "--lang", "en", "--format", "json"],
    )
    assert en.exit_code == 0, en.output
    doc = json.loads(en.output)
    # recount by hand from the data file: 27 criteria per district, auxiliary rows excluded
    rows = read_csv(assessment_config(dxf.get_pack("backan")).data)  # type: ignore[arg-type]
    criteria = [
        r for r in rows if r["indicator"] not in ("NT1_meetings", "NT2_required", "population")
    ]
    as_of = dt.date(2024, 5, 15)
    for unit in doc["unit"]:
        mine = [r for r in criteria if r["unit"] == unit["key"]]
        done = [r for r in mine if r["status"] == "hoàn thành"]
        late = [
            r for r in mine if r["status"] != "hoàn thành" and parse_date(r["deadline"]) < as_of
        ]  # type: ignore[operator]
        assert (unit["criteria"], unit["done"], unit["overdue"]) == (
            len(mine),
            len(done),
            len(late),
        )
    csv_out = runner.invoke(
        cli, ["status", "--pack", "backan", "--group", "CQS", "--format", "csv", "--lang", "en"]
    )
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.output.splitlines()[0].startswith("by,code,name,criteria,done,share done")
    # the digital-government pillar: NT…AT and CQ criteria, not KT or XH
    groups = {
        line.split(",")[1]
        for line in csv_out.output.splitlines()[1:]
        if line.startswith("indicator group")
    }
    assert "CQ" in groups and "KT" not in groups and "XH" not in groups


def test_status_errors_exit_2_one_line_each(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "058,HT1,2024,120,,,,xong,,,99/99/2024,\n")
    result = CliRunner().invoke(cli, ["status", "--pack", "backan", "--data", str(bad)])
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert len(lines) == 2  # HT1 out of bounds; the date (the status "xong" is accepted)
    assert all("bad.csv:2" in x for x in lines)


def test_values_arrays_vectorised_shape(tmp_path: Path) -> None:
    a = small_assessment(tmp_path)
    own, verified, present = a.arrays(["U1", "U2", "U9"], ["A", "B"], [2024])
    assert own.shape == (1, 3, 2) and present[0, 2].sum() == 0
    assert np.isnan(verified[0, 1, 0]) and verified[0, 0, 1] == 0.6


def test_json_round_trip(tmp_path: Path) -> None:
    from dxframework.assessment import assessment_json

    a = small_assessment(tmp_path)
    path = tmp_path / "a.json"
    path.write_text(assessment_json(a), encoding="utf-8")
    back = read_assessment(path, toy_framework())
    assert [(r.unit, r.indicator, r.status) for r in back.records] == [
        (r.unit, r.indicator, r.status) for r in a.records
    ]
    own, verified, _ = back.arrays(["U1", "U2"], ["A", "B"], [2024])
    own0, verified0, _ = a.arrays(["U1", "U2"], ["A", "B"], [2024])
    np.testing.assert_array_equal(own, own0)
    np.testing.assert_array_equal(verified, verified0)


def test_excel_table_with_a_title_row_and_typed_dates(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["BẢNG TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM 2024"])
    ws.append(["Mã đơn vị", "Chỉ tiêu", "Năm", "Tự đánh giá", "Thẩm định", "Trạng thái", "Hạn"])
    ws.append(["U1", "B", 2024, 0.8, 0.6, "Hoàn thành", dt.datetime(2024, 3, 17)])
    ws.append(["U1", "A", 2024, "Có", None, "Đang thực hiện", "30/04/2024"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    a = read_assessment(path, toy_framework())
    r = {x.indicator: x for x in a.records}
    assert r["B"].deadline == dt.date(2024, 3, 17) and r["B"].verified_value == 0.6
    assert r["B"].row == 3 and r["A"].status == "in_progress" and r["A"].self_value == 1.0
    assert a.periods == (2024,)
