"""Shared fixtures of the document tests: the backan documents, rendered once per session.

``rendered`` renders the proposal, the annual plan and the task list of the bundled
(synthetic) backan data in Vietnamese and in English with a fixed date, and writes all of
them, as a user would, into one folder with :func:`write_documents`. ``tricky`` renders the
proposal of a copy of the district data in which three units have awkward names: a script
tag, a name with Markdown's table and bold markers, and a name in Unicode NFD.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import dxframework as dxf
from dxframework.report.build import RenderedDocument, render_documents
from dxframework.report.output import write_documents

TODAY = dt.date(2025, 3, 15)
"""The document date of every rendering here (the documents never depend on the clock)."""

LANGS = ("vi", "en")
DOCUMENT_NAMES = ("proposal", "plan", "tasks")

SCRIPT_NAME = "<script>alert(1)</script>"
PIPE_NAME = "A | B **đậm** C"
NFD_NAME = unicodedata.normalize("NFD", "Ngân Sơn")
TRICKY_NAMES = {"060": SCRIPT_NAME, "061": PIPE_NAME, "062": NFD_NAME}
"""District code → awkward name given to it in the ``tricky`` rendering."""


@dataclass(frozen=True)
class Rendered:
    """Documents of one language and the folder they were written to."""

    lang: str
    docs: Mapping[str, RenderedDocument]
    folder: Path
    paths: tuple[Path, ...]

    def path(self, name: str, ext: str) -> Path:
        """The file of document ``name`` in format ``ext`` (``md``, ``html``, ``docx``)."""
        return self.folder / f"{name}.{self.lang}.{ext}"


@pytest.fixture(scope="session")
def backan() -> Any:
    """The backan metric pack (installed from plugins/dxf-backan)."""
    return dxf.get_pack("backan")


@pytest.fixture(scope="session")
def backan_results(backan: Any) -> dict[str, Any]:
    """Both levels scored on their bundled sample data (what ``dxf report`` does)."""
    return {"district": backan.level("district").run(), "commune": backan.level("commune").run()}


@pytest.fixture(scope="session")
def plan_year(backan_results: dict[str, Any]) -> int:
    """The year of the annual plan: the year after the latest data year (2024 → 2025)."""
    return int(backan_results["district"].scores.periods[-1]) + 1


@pytest.fixture(scope="session")
def rendered(
    backan: Any, backan_results: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Rendered]:
    """Every document in both languages, written together into one folder."""
    folder = tmp_path_factory.mktemp("documents")
    docs = {lang: render_documents(backan, backan_results, lang, today=TODAY) for lang in LANGS}
    paths = tuple(write_documents([d for lang in LANGS for d in docs[lang]], folder))
    return {lang: Rendered(lang, {d.name: d for d in docs[lang]}, folder, paths) for lang in LANGS}


@pytest.fixture(scope="session")
def tricky(
    backan: Any, backan_results: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Rendered:
    """The Vietnamese proposal of district data with the names in ``TRICKY_NAMES``."""
    tmp = tmp_path_factory.mktemp("tricky")
    source = backan.level("district").data_path
    assert source is not None
    with open(source, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    assert {r["unit"] for r in rows} >= set(TRICKY_NAMES)
    for row in rows:
        row["name"] = TRICKY_NAMES.get(row["unit"], row["name"])
    data = tmp / "districts.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    results = {"district": backan.level("district").run(data), "commune": backan_results["commune"]}
    docs = render_documents(backan, results, "vi", names=("proposal",), today=TODAY)
    out = tmp / "out"
    paths = tuple(write_documents(docs, out))
    return Rendered("vi", {d.name: d for d in docs}, out, paths)
