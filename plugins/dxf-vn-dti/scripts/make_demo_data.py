"""Generate the vn-dti sample data. THE VALUES ARE SYNTHETIC.

Run from the plugin folder: ``python scripts/make_demo_data.py`` (seeded). Province codes and
names are real (GSO, before the 2025 merger); every value is made up to show the scoring.
For real results, score the published main-indicator values (level ``main``).

``provinces-2024-synthetic.csv`` (level ``province2024``: the 47 ILLUSTRATIVE sub-indicators of
``framework-full-2024.toml``) is drawn from its own generator, ``default_rng(2024)``, for the 63
provinces of ``main-2024-synthetic.csv`` (their codes and names; each province's level of
achievement is the mean of its synthetic main-indicator values there), so the other files come
out the same as before.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "src" / "dxf_vn_dti" / "data"
rng = np.random.default_rng(922)

PROVINCES = [
    ("01", "Thành phố Hà Nội", 0.85),
    ("79", "Thành phố Hồ Chí Minh", 0.85),
    ("48", "Thành phố Đà Nẵng", 0.9),
    ("31", "Thành phố Hải Phòng", 0.75),
    ("22", "Tỉnh Quảng Ninh", 0.85),
    ("26", "Tỉnh Vĩnh Phúc", 0.65),
    ("19", "Tỉnh Thái Nguyên", 0.6),
    ("92", "Thành phố Cần Thơ", 0.6),
    ("06", "Tỉnh Bắc Kạn", 0.4),
    ("02", "Tỉnh Hà Giang", 0.3),
]
MAIN = ["NT", "TC", "HT", "NL", "AT", "DT", "CQ", "KT", "XH"]

PCT = [
    "HT1",
    "HT2",
    "HT3",
    "NL2",
    "NL3",
    "AT1",
    "AT2",
    "CQ1",
    "CQ2",
    "CQ3",
    "KT1",
    "XH1",
    "XH2",
    "XH3",
    "XH4",
]


def main_rows() -> list[dict[str, object]]:
    rows = []
    for code, name, f in PROVINCES:
        row: dict[str, object] = {"unit": code, "name": name, "period": 2022}
        for m in MAIN:
            base = 0.25 + 0.6 * f + rng.normal(0, 0.08)
            row[m] = round(float(np.clip(base, 0.05, 0.99)), 4)
        rows.append(row)
    return rows


def full_rows() -> list[dict[str, object]]:
    rows = []
    for code, name, f in PROVINCES:
        meetings = int(np.clip(round(2 + 3 * f + rng.normal(0, 0.6)), 1, 8))
        required = int(rng.integers(2, 5))
        row: dict[str, object] = {
            "unit": code,
            "name": name,
            "period": 2022,
            "NT1": int(np.clip(round(meetings * (0.5 + 0.5 * f)), 0, meetings)),
            "NT1_meetings": meetings,
            "NT2": int(np.clip(round(required * f + 0.4), 0, required)),
            "NT2_required": required,
            "NT3": 1,
            "NT4": meetings,
            "NT5": 1.0 if f > 0.35 else 0.5,
            "TC1": 1,
            "TC2": 1.0 if f > 0.5 else 0.5,
            "DT1": int(np.clip(round(8 * f + rng.normal(0, 1)), 0, 10)),
            "HT4": round(float(np.clip(8 + 30 * f + rng.normal(0, 3), 1, 60)), 1),
            "NL1": round(float(np.clip(0.3 + 1.5 * f + rng.normal(0, 0.2), 0, 5)), 2),
            "KT2": round(float(np.clip(4 + 20 * f + rng.normal(0, 2), 0, 40)), 1),
            "KT3": round(float(np.clip(2 + 12 * f + rng.normal(0, 1.5), 0, 40)), 1),
        }
        for c in PCT:
            row[c] = round(float(np.clip(25 + 70 * f + rng.normal(0, 8), 0, 100)), 1)
        rows.append(row)
    rows[8]["KT3"] = ""  # one value not reported
    return rows


# -- DTI 2024, 47 illustrative sub-indicators (level province2024) ----------------------------
PCT_2024 = {  # % sub-indicators: (base, slope) of base + slope·f, 0–100
    "TC03": (40, 55),
    "HT01": (45, 50),
    "HT02": (70, 30),
    "HT03": (30, 65),
    "NL02": (25, 60),
    "NL03": (40, 55),
    "NL04": (35, 60),
    "AT01": (30, 65),
    "AT02": (40, 55),
    "AT06": (50, 45),
    "CQ01": (30, 60),
    "CQ02": (35, 60),
    "CQ03": (60, 38),
    "CQ04": (55, 42),
    "CQ05": (25, 65),
    "KT01": (15, 55),
    "KT04": (30, 60),
    "XH01": (55, 40),
    "XH02": (55, 40),
    "XH03": (40, 55),
    "XH04": (50, 48),
}
BLANKS_2024 = {"06": "KT03", "02": "AT04", "12": "CQ07", "64": "NL05"}  # not reported


def provinces_2024() -> list[tuple[str, str, float]]:
    """The 63 provinces of main-2024-synthetic.csv, each with the mean of its main indicators."""
    with open(OUT / "main-2024-synthetic.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    main = ["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"]
    return [(r["unit"], r["name"], sum(float(r[m]) for m in main) / len(main)) for r in rows]


def full_2024_rows() -> list[dict[str, object]]:
    g = np.random.default_rng(2024)

    def pct(base: float, slope: float, f: float) -> float:
        return round(float(np.clip(base + slope * f + g.normal(0, 6), 0, 100)), 1)

    def yes(p: float) -> str:
        return "có" if g.random() < p else "không"

    def part(f: float) -> str:
        u = g.random() + f - 0.5
        return "có" if u > 0.55 else ("một phần" if u > 0.1 else "không")

    def count(x: float, hi: int) -> int:
        return int(np.clip(round(x), 0, hi))

    rows = []
    for code, name, f in provinces_2024():
        meetings = count(2 + 3 * f + g.normal(0, 0.7), 8)
        required = int(g.integers(2, 5))
        departments = int(g.integers(15, 23))
        regimes = int(g.integers(15, 26))
        row: dict[str, object] = {"unit": code, "name": name, "period": 2024}
        row["NT01"] = count(meetings * (0.4 + 0.6 * f), meetings)
        row["NT01_meetings"] = max(meetings, 1)
        row["NT02"] = count(required * f + 0.4, required)
        row["NT02_required"] = required
        row["NT03"] = yes(0.5 + 0.5 * f)
        row["NT04"] = meetings
        row["NT05"] = "chủ tịch" if g.random() < f + 0.1 else "phó chủ tịch"
        row["NT06"] = yes(0.4 + 0.6 * f)
        row["TC01"] = yes(0.7 + 0.3 * f)
        row["TC02"] = part(f)
        row["TC03"] = pct(*PCT_2024["TC03"], f)
        row["TC04"] = round(float(np.clip(0.2 + 1.0 * f + g.normal(0, 0.2), 0, 5)), 2)
        row["TC05"] = yes(0.4 + 0.6 * f)
        row["TC06"] = yes(0.5 + 0.5 * f)
        for c in ("HT01", "HT02", "HT03"):
            row[c] = pct(*PCT_2024[c], f)
        row["HT04"] = round(float(np.clip(8 + 30 * f + g.normal(0, 3), 1, 60)), 1)
        row["HT05"] = count(2 + 10 * f + g.normal(0, 2), 30)
        row["HT06"] = yes(f)
        row["NL01"] = round(float(np.clip(0.3 + 1.2 * f + g.normal(0, 0.2), 0, 5)), 2)
        for c in ("NL02", "NL03", "NL04"):
            row[c] = pct(*PCT_2024[c], f)
        row["NL05"] = count(departments * (0.4 + 0.6 * f), departments)
        row["NL05_departments"] = departments
        row["NL06"] = yes(0.2 + 0.6 * f)
        for c in ("AT01", "AT02"):
            row[c] = pct(*PCT_2024[c], f)
        row["AT03"] = yes(0.5 + 0.5 * f)
        row["AT04"] = yes(0.3 + 0.7 * f)
        row["AT05"] = part(f)
        row["AT06"] = pct(*PCT_2024["AT06"], f)
        for c in ("CQ01", "CQ02", "CQ03", "CQ04", "CQ05"):
            row[c] = pct(*PCT_2024[c], f)
        row["CQ06"] = count(regimes * (0.5 + 0.5 * f), regimes)
        row["CQ06_required"] = regimes
        row["CQ07"] = count(1 + 12 * f + g.normal(0, 2), 40)
        row["CQ08"] = yes(0.8 + 0.2 * f)
        row["KT01"] = pct(*PCT_2024["KT01"], f)
        row["KT02"] = round(float(np.clip(4 + 20 * f + g.normal(0, 2), 0, 40)), 1)
        row["KT03"] = round(float(np.clip(2 + 12 * f + g.normal(0, 1.5), 0, 40)), 1)
        row["KT04"] = pct(*PCT_2024["KT04"], f)
        row["KT05"] = round(float(np.clip(0.3 + 3 * f + g.normal(0, 0.4), 0, 10)), 2)
        for c in ("XH01", "XH02", "XH03", "XH04"):
            row[c] = pct(*PCT_2024[c], f)
        if code in BLANKS_2024:
            row[BLANKS_2024[code]] = ""
        rows.append(row)
    return rows


def write(name: str, rows: list[dict[str, object]]) -> None:
    with open(OUT / name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    write("main-synthetic.csv", main_rows())
    write("provinces-synthetic.csv", full_rows())
    write("provinces-2024-synthetic.csv", full_2024_rows())
