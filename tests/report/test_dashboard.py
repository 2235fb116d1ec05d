"""``dxf dashboard``: one offline HTML file, checked as text and driven in headless Chromium.

What is protected: the page loads nothing (no src/href, no URL, a Content-Security-Policy
forbidding any fetch, and in the browser no request but the file itself); a unit named
``</script><script>alert(1)</script>`` stays data (the JSON element is not ended, no dialog);
numbers follow the language (0,6005 in Vietnamese, 0.6005 in English) and equal the run's
scores and medians computed here with :mod:`statistics`; the search ignores accents exactly
as :func:`dxframework.model.text.fold_text` does ("ngan son" finds "Ngân Sơn"); the group
filter keeps the units of the group; a click shows the unit's profile against the median;
the language switch keeps the state; every level of backan and the asem and vn-dti packs
open without errors. The browser is never downloaded: /usr/bin/chromium, else skipped.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import dxframework as dxf
from dxframework.cli import cli
from dxframework.model.text import fold_text, matches
from dxframework.report.dashboard import dashboard_html

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SCRIPT_NAME = "</script><script>alert(1)</script>"
DATA = re.compile(r'<script type="application/json" id="dxf-data">(.*?)</script>', re.DOTALL)


def vi(value: float, digits: int = 4) -> str:
    """Hand formatting: a decimal comma (the values here are below 1000)."""
    return f"{value:.{digits}f}".replace(".", ",")


def en(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}f}"


def payload(page: str) -> dict[str, Any]:
    found = DATA.findall(page)
    assert len(found) == 1
    doc: dict[str, Any] = json.loads(found[0])
    return doc


def column(result: Any, code: str, p: int = -1) -> list[float]:
    """A score column of the run (the pipeline's numbers, not the dashboard's)."""
    return [float(v) for v in result.scores.values[p, :, result.scores.column_index(code)]]


@pytest.fixture(scope="module")
def backan() -> Any:
    return dxf.get_pack("backan")


@pytest.fixture(scope="module")
def results(backan: Any) -> dict[str, Any]:
    return {name: backan.level(name).run() for name in backan.levels}


@pytest.fixture(scope="module")
def page_vi(backan: Any, results: dict[str, Any]) -> str:
    return dashboard_html(results, backan, "vi")


@pytest.fixture(scope="module")
def files(
    backan: Any, results: dict[str, Any], page_vi: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The dashboards the browser opens: backan (vi), one with a script as a district's
    name, asem and vn-dti."""
    folder = tmp_path_factory.mktemp("dashboards")
    out = {"backan": folder / "backan.html"}
    out["backan"].write_text(page_vi, encoding="utf-8")
    source = backan.level("district").data_path
    with open(source, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        if row["unit"] == "060":
            row["name"] = SCRIPT_NAME
    data = folder / "districts.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    tricky = {"district": backan.level("district").run(data)}
    out["tricky"] = folder / "tricky.html"
    out["tricky"].write_text(dashboard_html(tricky, backan, "vi"), encoding="utf-8")
    for name in ("asem", "vn-dti"):
        pack = dxf.get_pack(name)
        page = dashboard_html({n: pack.level(n).run() for n in pack.levels}, pack, "en")
        out[name] = folder / f"{name}.html"
        out[name].write_text(page, encoding="utf-8")
    return out


# -- the file as text ----------------------------------------------------------------------------


def test_page_is_self_contained(page_vi: str) -> None:
    """No attribute loads anything, no URL at all, no CSS import; the policy forbids fetches."""
    assert re.search(r"\b(src|href|srcset|action)\s*=", page_vi, re.IGNORECASE) is None
    assert "http://" not in page_vi and "https://" not in page_vi
    assert "@import" not in page_vi and "url(" not in page_vi
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page_vi)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    assert "unsafe-inline" not in csp.group(1)
    assert page_vi.count("<script") == 2  # the data and the code, both inline


def test_script_in_a_name_is_inert(files: dict[str, Path]) -> None:
    """The name is in the data, escaped: the page still has two script elements only."""
    text = files["tricky"].read_text(encoding="utf-8")
    assert SCRIPT_NAME not in text
    assert text.count("<script") == 2 and text.count("</script>") == 2
    names = [u["name"] for u in payload(text)["vi"]["levels"][0]["units"]]
    assert SCRIPT_NAME in names


def test_numbers_follow_the_language(page_vi: str, results: dict[str, Any]) -> None:
    """Scores with 4 decimals, a comma in vi and a point in en; the median is the run's."""
    doc = payload(page_vi)
    assert doc["default"] == "vi" and doc["langs"] == ["vi", "en"]
    district = results["district"]
    dx = column(district, "DX")
    median = statistics.median(dx)
    for lang, fmt in (("vi", vi), ("en", en)):
        level = doc[lang]["levels"][0]
        assert level["name"] == "district"
        assert level["periods"] == [2020, 2021, 2022, 2023, 2024]
        series = level["series"]["DX"]
        assert series["medt"][-1] == fmt(median)
        assert series["t"][-1] == [fmt(v) for v in dx]
        assert series["med"][-1] == pytest.approx(median)
    # 8 districts: the median is the mean of the 4th and 5th scores
    ordered = sorted(dx)
    assert median == pytest.approx((ordered[3] + ordered[4]) / 2)
    assert doc["vi"]["labels"]["median"] == "Trung vị"
    assert doc["en"]["labels"]["median"] == "Median"


def test_targets_and_tasks_come_from_the_pack(page_vi: str, backan: Any, results: Any) -> None:
    """A pillar whose mean reached its 2025 target reads as met; every task is listed and
    the late ones (delayed, or ended before the plan year and unfinished) are flagged."""
    doc = payload(page_vi)["vi"]
    spec = backan.targets()["pillars"]["KTS"]
    mean = statistics.mean(column(results["district"], "KTS"))
    kts = next(g for g in doc["targets"]["goals"] if g["code"] == "KTS")
    first = kts["targets"][0]
    assert first["year"] == 2025 and first["value"] == vi(spec["2025"])
    assert first["met"] is (mean >= spec["2025"])
    assert kts["current"] == vi(mean)
    tasks = backan.tasks().tasks
    rows = {r["id"]: r for r in doc["tasks"]["rows"]}
    assert set(rows) == {t.id for t in tasks}
    plan_year = 2025  # the year after the latest data (2024)
    for t in tasks:
        late = t.status == "delayed" or (
            t.end < plan_year and t.status not in ("done", "cancelled") and t.progress < 100
        )
        assert rows[t.id]["late"] is late, t.id
        assert rows[t.id]["progress_t"] == f"{t.progress:.0f}%"


def test_fold_matches_the_library() -> None:
    """The page's fold is written as fold_text (checked in the browser below); here, the
    expectations the browser test compares against."""
    assert fold_text("Ngân  Sơn") == "ngan son"
    assert fold_text("ĐIỆN BIÊN") == "dien bien"


# -- the command ---------------------------------------------------------------------------------


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def test_command_writes_one_file_and_refuses_bad_targets(tmp_path: Path, backan: Any) -> None:
    out = tmp_path / "dash.html"
    done = invoke("-q", "dashboard", "--pack", "backan", "--lang", "en", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert f"wrote {out}" in done.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert [x["name"] for x in payload(text)["en"]["levels"]] == ["district", "commune"]
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left
    again = invoke("-q", "dashboard", "--pack", "backan", "--out", str(out))
    assert again.exit_code == 2 and "exists already" in again.stderr
    assert out.read_text(encoding="utf-8") == text
    forced = invoke(
        "-q", "dashboard", "--pack", "backan", "-l", "commune", "--out", str(out), "--force"
    )
    assert forced.exit_code == 0, forced.output
    assert [x["name"] for x in payload(out.read_text(encoding="utf-8"))["vi"]["levels"]] == [
        "commune"
    ]
    txt = invoke("-q", "dashboard", "--pack", "backan", "--out", str(tmp_path / "d.txt"))
    assert txt.exit_code == 2 and "must end in .html" in txt.stderr
    data = tmp_path / "data.html"
    data.write_text("unit,name\n", encoding="utf-8")
    clash = invoke(
        "-q", "dashboard", "--pack", "backan", "-d", str(data), "--out", str(data), "--force"
    )
    assert clash.exit_code == 2 and "overwrite an input" in clash.stderr
    assert data.read_text(encoding="utf-8") == "unit,name\n"
    framework = backan.levels["district"].framework_path  # a file the pack reads
    before = framework.read_bytes()
    pack_file = invoke("-q", "dashboard", "--pack", "backan", "--out", str(framework), "--force")
    assert pack_file.exit_code == 2 and "must end in .html" in pack_file.stderr
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "a.csv").write_text(
        backan.levels["district"].data_path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    within = invoke(
        "-q",
        "dashboard",
        "--pack",
        "backan",
        "--level",
        "district",
        "-d",
        str(folder),
        "--out",
        str(folder / "x.html"),
    )
    assert within.exit_code == 2 and "inside the input folder" in within.stderr
    assert not (folder / "x.html").exists() and framework.read_bytes() == before


# -- in the browser ------------------------------------------------------------------------------


@dataclass
class Opened:
    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium; never downloaded")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def open_page(browser: Any) -> Iterator[Callable[[Path], Opened]]:
    pages: list[Any] = []

    def open_(path: Path) -> Opened:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        pages.append(page)
        opened = Opened(page)
        page.on("console", lambda m: opened.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("request", lambda r: opened.requests.append(r.url))

        def dialog(d: Any) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(path.as_uri(), wait_until="load")
        return opened

    yield open_
    for page in pages:
        page.close()


def visible_units(page: Any, table: str = "#ranking-table") -> list[str]:
    codes: list[str] = page.eval_on_selector_all(
        f"{table} tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.unit)"
    )
    return codes


def names_of(result: Any) -> dict[str, str]:
    return {u.code: u.name for u in result.scores.units}


def test_opens_offline_without_errors(files: dict[str, Path], open_page: Any) -> None:
    opened = open_page(files["backan"])
    page = opened.page
    assert opened.errors == [] and [m for m in opened.console if m[0] == "error"] == []
    assert opened.requests == [files["backan"].as_uri()]  # the file, nothing else
    assert page.locator("h2").all_inner_texts() == [
        "Bảng xếp hạng",
        "Hồ sơ đơn vị",
        "Chi tiết theo chỉ số",
        "Diễn biến qua các năm",
        "Mục tiêu và khoảng cách",
        "Tiến độ nhiệm vụ",
    ]
    assert page.locator("#count").inner_text() == "8/8 đơn vị"
    assert page.locator("#targets-table td.met").count() >= 1
    assert page.locator("#tasks-table tbody tr").count() == 13


def test_js_fold_is_fold_text(files: dict[str, Path], open_page: Any) -> None:
    words = [
        "Ngân Sơn",
        "ĐIỆN BIÊN  Phủ",
        "Chuyển đổi số",
        "Thành phố Bắc Kạn",
        "Xã Đồng Lạc",
        "Ninh Thuận",
        "ỨNG dụng",
    ]
    page = open_page(files["backan"]).page
    folded = page.evaluate("words => words.map(w => window.dxfDashboard.fold(w))", words)
    assert folded == [fold_text(w) for w in words]
    nfd = page.evaluate("() => window.dxfDashboard.fold('Nga\u0302n So\u031bn')")
    assert nfd == "ngan son"


def test_search_without_accents(files: dict[str, Path], open_page: Any, results: Any) -> None:
    """ "ngan son" leaves the one district whose name folds to contain it; clearing the box
    brings all back; a query matching nothing says so."""
    page = open_page(files["backan"]).page
    names = names_of(results["district"])
    expected = [c for c, n in names.items() if "ngan son" in fold_text(n)]
    assert [names[c] for c in expected] == ["Ngân Sơn"]
    page.fill("#search", "ngan son")
    assert visible_units(page) == expected
    assert page.locator("#count").inner_text() == "1/8 đơn vị"
    page.fill("#search", "THANH PHO bac")
    assert [names[c] for c in visible_units(page)] == ["Thành phố Bắc Kạn"]
    page.fill("#search", "")
    assert len(visible_units(page)) == 8
    page.fill("#search", "zzz")
    assert visible_units(page) == [] and page.locator("#no-match").is_visible()


def test_group_filter_and_search(files: dict[str, Path], open_page: Any, results: Any) -> None:
    """At commune level, the district Ngân Sơn keeps exactly its communes; with a search,
    those of them matching it."""
    page = open_page(files["backan"]).page
    page.select_option("#level", "commune")
    communes = results["commune"].scores.units
    assert len(visible_units(page)) == len(communes) == 108
    assert page.locator("#group").is_enabled()
    page.select_option("#group", label="Ngân Sơn")
    mine = {u.code for u in communes if u.parent == "062"}
    assert len(mine) >= 2
    assert set(visible_units(page)) == mine
    assert page.locator("#count").inner_text() == f"{len(mine)}/108 đơn vị"
    shown = page.eval_on_selector_all(
        "#ranking-table tbody tr", "rs => rs.filter(r => !r.hidden).map(r => r.cells[2].innerText)"
    )
    assert set(shown) == {"Ngân Sơn"}
    # every word in the code, the name or the district's name, as model.text.matches says
    district = names_of(results["district"])
    page.fill("#search", "XA 1")
    wanted = {
        u.code
        for u in communes
        if u.parent == "062" and matches("XA 1", u.code, u.name, district[u.parent or ""])
    }
    assert 0 < len(wanted) < len(mine)
    assert set(visible_units(page)) == wanted
    page.select_option("#group", "")
    everywhere = {
        u.code for u in communes if matches("XA 1", u.code, u.name, district[u.parent or ""])
    }
    assert len(everywhere) > len(wanted)
    assert set(visible_units(page)) == everywhere


def test_click_shows_the_profile_against_the_median(
    files: dict[str, Path], open_page: Any, results: Any
) -> None:
    """Clicking Ngân Sơn shows its name, rank, and per component its score and the median of
    the eight districts (the run's numbers, formatted here); then English keeps the unit."""
    page = open_page(files["backan"]).page
    district = results["district"]
    i = [u.code for u in district.scores.units].index("062")
    page.locator('#ranking-table tr[data-unit="062"] .unit-link').click()
    assert page.locator("#profile-name").inner_text() == "Ngân Sơn (062)"
    rank = int(district.ranks.values[-1, i, district.ranks.column_index("DX")])
    assert page.locator("#profile .badge").inner_text() == f"Xếp hạng {rank}/8"
    for code in ("DX", "CQS", "KTS", "XHS"):
        col = column(district, code)
        row = page.locator(f'#profile-table tr[data-code="{code}"]')
        assert row.locator("td.value").inner_text() == vi(col[i])
        assert row.locator("td.median").inner_text() == vi(statistics.median(col))
    assert (
        page.locator("#profile svg rect.val").count()
        == page.locator("#profile-table tbody tr").count()
    )
    assert page.locator('#ranking-table tr[data-unit="062"]').get_attribute("class") == "selected"
    # the trend: five years, the unit's line and the median's
    assert page.locator("#trend-table tbody tr").count() == 5
    assert page.locator("#trend polyline").count() == 2
    dx = [district.scores.values[p, i, district.scores.column_index("DX")] for p in range(5)]
    assert page.locator("#trend-table tbody tr td:nth-child(3)").all_inner_texts() == [
        vi(v) for v in dx
    ]
    page.click("#lang-en")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.locator("h2").first.inner_text() == "Ranking"
    assert page.locator("#profile-name").inner_text() == "Ngân Sơn (062)"
    assert page.locator("#profile .badge").inner_text() == f"Rank {rank} of 8"
    row = page.locator('#profile-table tr[data-code="DX"]')
    assert row.locator("td.value").inner_text() == en(column(district, "DX")[i])
    assert page.locator("#targets-table td.met").first.inner_text() == "Met"
    page.click("#lang-vi")
    assert page.locator("h2").first.inner_text() == "Bảng xếp hạng"


def test_indicator_drill_down(files: dict[str, Path], open_page: Any, results: Any) -> None:
    """Choosing an indicator lists every unit by its rank, with the raw value."""
    page = open_page(files["backan"]).page
    district = results["district"]
    page.select_option("#indicator", "HT1")
    assert page.locator("#drill-table tbody tr").count() == 8
    ranks = [int(x) for x in page.locator("#drill-table tbody tr td:first-child").all_inner_texts()]
    assert ranks == sorted(ranks) and ranks[0] == 1
    raw = district.raw
    values = dict(zip([u.code for u in raw.units], raw.get(["HT1"])[-1, :, 0], strict=True))
    first = page.locator("#drill-table tbody tr").first
    code = first.get_attribute("data-unit")
    assert first.locator("td:nth-child(4)").inner_text() == vi(values[code], 2).rstrip("0").rstrip(
        ","
    )
    score = [
        float(t.replace(",", "."))
        for t in page.locator("#drill-table tbody tr td:nth-child(3)").all_inner_texts()
    ]
    assert score == sorted(score, reverse=True)


def test_every_level_and_other_packs(files: dict[str, Path], open_page: Any) -> None:
    """Each backan level, asem and vn-dti levels show every unit and no error; asem's
    EurAsia groups filter."""
    opened = open_page(files["backan"])
    for level, n in (("district", 8), ("commune", 108)):
        opened.page.select_option("#level", level)
        assert len(visible_units(opened.page)) == n
        assert opened.page.locator("#profile .note").inner_text().startswith("Chọn một đơn vị")
    opened.page.select_option("#level", "commune")
    assert opened.page.locator("#trend .note").inner_text().startswith("Chỉ có số liệu")
    assert opened.errors == []
    pack = dxf.get_pack("asem")
    units = pack.level("country").run().scores.units
    asem = open_page(files["asem"])
    assert asem.page.locator("h2").first.inner_text() == "Ranking"
    assert len(visible_units(asem.page)) == len(units)
    asem.page.select_option("#group", label="Asia")
    assert set(visible_units(asem.page)) == {
        u.code for u in units if u.groups.get("EurAsia_group") == "Asia"
    }
    with_targets = [i for i in pack.level("country").framework.indicators if i.targets]
    assert asem.page.locator("#indicator-targets-table tbody tr").count() == len(with_targets) > 0
    dti = open_page(files["vn-dti"])
    dti_pack = dxf.get_pack("vn-dti")
    for level in dti_pack.levels:
        dti.page.select_option("#level", level)
        assert len(visible_units(dti.page)) == len(dti_pack.level(level).run().scores.units)
    assert dti.page.locator("#targets .note").inner_text().startswith("The pack sets no")
    dti.page.fill("#search", "ha noi")
    assert "Thành phố Hà Nội" in dti.page.locator("#ranking-table").inner_text()
    assert asem.errors == dti.errors == []
    assert [m for m in asem.console + dti.console if m[0] == "error"] == []


def test_script_name_runs_nothing(files: dict[str, Path], open_page: Any) -> None:
    opened = open_page(files["tricky"])
    page = opened.page
    assert SCRIPT_NAME in page.locator("#ranking-table").inner_text()
    assert page.locator("script").count() == 2
    page.fill("#search", "script")
    page.locator("#ranking-table tr:not([hidden]) .unit-link").click()
    assert page.locator("#profile-name").inner_text() == f"{SCRIPT_NAME} (060)"
    assert opened.errors == [] and opened.dialogs == []
    page.evaluate("() => alert('probe')")  # the dialog listener works
    assert opened.dialogs == ["probe"]


def test_a_very_long_name_keeps_the_scores_in_view(
    backan: Any, tmp_path: Path, open_page: Any
) -> None:
    """A 300-character unit name wraps in the ranking and the drill-down: the tables stay
    as wide as their cards (no column of scores pushed out of view)."""
    source = backan.level("district").data_path
    with open(source, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or []), list(reader)
    long_name = "X" * 300
    for row in rows:
        if row["unit"] == "061":
            row["name"] = long_name
    data = tmp_path / "districts.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    page_file = tmp_path / "long.html"
    run = {"district": backan.level("district").run(data)}
    page_file.write_text(dashboard_html(run, backan, "vi"), encoding="utf-8")
    opened = open_page(page_file)
    page = opened.page
    assert long_name in page.locator("#ranking-table").inner_text()
    for table in ("#ranking-table", "#drill-table"):
        widths = page.evaluate(
            "sel => { const s = document.querySelector(sel).parentElement;"
            " return [s.scrollWidth, s.clientWidth]; }",
            table,
        )
        assert widths[0] <= widths[1], (table, widths)
    assert opened.errors == []
