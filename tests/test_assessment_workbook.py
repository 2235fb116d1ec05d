"""``dxf workbook --assessment``: the assessment form, filled, reads back exactly."""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import pytest

import dxframework as dxf
from dxframework.assessment import assessment_config, read_assessment, read_assessments
from dxframework.assessment.records import AssessmentRecord, status_label
from dxframework.errors import DxfError
from dxframework.packs.workbook import HEADER_ROW, status_choices, write_workbook

openpyxl = pytest.importorskip("openpyxl")


def _answer(ind: object, value: float) -> object:
    answers = getattr(ind, "answers", {}) or {}
    for text, v in answers.items():
        if v == value:
            return text
    return value


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_filled_assessment_form_reads_back_exactly(tmp_path: Path, lang: str) -> None:
    pack = dxf.get_pack("backan")
    lvl = pack.level("district")
    cfg = assessment_config(pack)
    assert cfg.data is not None
    demo = read_assessments([cfg.data], lvl.framework, lvl.spec.auxiliary)
    target = tmp_path / "form.xlsx"
    written = write_workbook(pack, "district", target, period=2024, lang=lang, assessment=True)
    assert len(written.sheets) == 1
    wb = openpyxl.load_workbook(target)
    ws = wb[written.sheets[0]]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[:4] == ["unit", "name", "indicator", "indicator name"]
    col = {h: j for j, h in enumerate(header, start=1)}
    by_key = {(r.unit, r.indicator): r for r in demo.records}
    statuses = dict(
        zip(
            ("not_started", "in_progress", "needs_evidence", "done"),
            status_choices(lang),
            strict=True,
        )
    )
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        key = (ws.cell(row, col["unit"]).value, ws.cell(row, col["indicator"]).value)
        rec = by_key.get(key)
        if rec is None:
            continue
        fw = lvl.framework
        ind = fw.indicator(rec.indicator) if rec.indicator in fw.indicator_codes else None
        for side, v in (("self", rec.self_value), ("verified", rec.verified_value)):
            ws.cell(row, col[side]).value = None if math.isnan(v) else _answer(ind, v)
        ws.cell(row, col["evidence"]).value = "; ".join(rec.evidence) or None
        ws.cell(row, col["evidence_note"]).value = rec.evidence_note or None
        ws.cell(row, col["status"]).value = statuses[rec.status]
        ws.cell(row, col["agency"]).value = rec.agency or None
        ws.cell(row, col["person"]).value = rec.person or None
        ws.cell(row, col["deadline"]).value = rec.deadline
        ws.cell(row, col["comment"]).value = rec.comment or None
    wb.save(target)
    back = read_assessment(target, lvl.framework, lvl.spec.auxiliary)
    got = {(r.unit, r.indicator): r for r in back.records}
    assert set(by_key) <= set(got)
    for key, rec in by_key.items():
        assert _fields(got[key]) == _fields(rec), key
    assert status_label("done", lang) in statuses.values()


def _fields(r: AssessmentRecord) -> tuple[object, ...]:
    """Every field but where it was read from; a missing value as None (NaN ≠ NaN)."""
    return tuple(
        None if isinstance(v, float) and math.isnan(v) else v
        for k, v in attrs.asdict(r, recurse=False).items()
        if k not in ("source", "row")
    )


def test_assessment_form_is_one_sheet(tmp_path: Path) -> None:
    pack = dxf.get_pack("backan")
    with pytest.raises(DxfError, match="one data sheet"):
        write_workbook(pack, "district", tmp_path / "f.xlsx", by="agency", assessment=True)
