"""Snapshots of every section's Markdown, in Vietnamese and English, for the bundled data.

What is protected: any change to a section's output — a number, a label, the order of
rows, the escaping, the layout of a table — shows up as a diff against a file that a person
has read. The sections are rendered from the bundled (synthetic) backan data with the fixed
date of ``conftest.py``.

To accept an intended change, regenerate and read the diff before committing::

    DXF_UPDATE_SNAPSHOTS=1 python -m pytest tests/report/test_snapshots.py

Review note: the snapshot files were generated from the output at the time and reviewed by
reading them: the scores lie in [0, 1] with 4 decimals, ranks run 1..8 (districts) and
1..108 (communes, ties sharing a rank), pillar shares add up to 100 %, gaps and yearly
progress follow from the targets in targets.toml (2025: 1 year left, 2030: 6), task effects
are in decreasing order, the plan for 2025 leaves out the finished tasks; labels are in the
file's language (unit and task names stay Vietnamese in English, as in the data); no template
syntax is left over; backslash escapes appear only inside ``(chart:...)`` ids, which the
writers unescape (``ranking\\_district``). Two wording oddities were seen and reported: the
appendix column header "Rank in belongs to" / "Hạng trong trực thuộc", and the "Belongs to"
column of districts showing the province code "06" (the province is not a scored level).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

import pytest

from dxframework.report.build import SECTIONS

SNAPSHOTS = Path(__file__).parent / "snapshots"
LANGS = ("vi", "en")
UPDATE = os.environ.get("DXF_UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("section", SECTIONS)
def test_section_matches_snapshot(rendered: dict[str, Any], section: str, lang: str) -> None:
    """The section's Markdown (from the first document that holds it) equals
    tests/report/snapshots/SECTION.LANG.md exactly."""
    docs = rendered[lang].docs
    text = next(d.sections[section] for d in docs.values() if section in d.sections)
    path = SNAPSHOTS / f"{section}.{lang}.md"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        pytest.skip(f"snapshot written: {path.name} (DXF_UPDATE_SNAPSHOTS=1)")
    assert path.is_file(), f"no snapshot {path.name}: run with DXF_UPDATE_SNAPSHOTS=1"
    with open(path, encoding="utf-8", newline="") as f:
        expected = f.read()
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"snapshots/{path.name}",
                "rendered",
                n=1,
            )
        )
        pytest.fail(
            f"{path.name} differs from the rendered section (regenerate with "
            f"DXF_UPDATE_SNAPSHOTS=1 if intended):\n{diff[:4000]}"
        )


def test_no_stale_snapshots() -> None:
    """Every snapshot file belongs to a section and language that is still rendered."""
    if UPDATE:
        pytest.skip("snapshots are being written")
    expected = {f"{s}.{lang}.md" for s in SECTIONS for lang in LANGS}
    assert {p.name for p in SNAPSHOTS.glob("*.md")} == expected
