"""Documents render for packs without tasks or targets, and for many units (the EGDI)."""

from __future__ import annotations

import datetime as dt

import pytest

import dxframework as dxf
from dxframework.report.build import render_documents
from dxframework.report.context import MAX_SERIES, build_context
from dxframework.report.model import Figure, Heading, Table


@pytest.mark.parametrize("name", ["vn-dti", "egdi"])
def test_proposal_renders_for_other_packs(name: str) -> None:
    """The proposal renders with every section even without tasks, targets or series."""
    pack = dxf.get_pack(name)
    results = {pack.default_level: pack.run(level=pack.default_level)}
    (doc,) = render_documents(pack, results, "en", ["proposal"], today=dt.date(2025, 3, 15))
    top = [b.text for b in doc.document.blocks if isinstance(b, Heading) and b.level == 1]
    assert top == [
        "I. NECESSITY AND LEGAL BASES",
        "II. CURRENT STATE OF DIGITAL TRANSFORMATION",
        "III. VIEWPOINTS AND OBJECTIVES",
        "IV. TASKS AND SOLUTIONS",
        "V. PRIORITY TASK LIST",
        "VI. FUNDING",
        "VII. IMPLEMENTATION",
        "Appendices",
    ]
    assert any(isinstance(b, Table) for b in doc.document.blocks)
    figures = [b.chart for b in doc.document.blocks if isinstance(b, Figure)]
    assert set(figures) <= set(doc.document.charts)


def test_many_units_compare_pillars_by_spread() -> None:
    """With more than MAX_SERIES units the pillar chart shows highest, mean and lowest."""
    pack = dxf.get_pack("egdi")
    result = pack.run()
    assert len(result.scores.units) > MAX_SERIES
    _, charts = build_context(pack, {"country": result}, "en", today=dt.date(2025, 3, 15))
    pillars = next(c for c in charts if c.id == "pillars")
    assert list(pillars.data["series"]) == ["Highest", "Mean", "Lowest"]
    assert pillars.data["groups"] == [
        "Online Service Index",
        "Human Capital Index",
        "Telecommunication Infrastructure Index",
    ]
