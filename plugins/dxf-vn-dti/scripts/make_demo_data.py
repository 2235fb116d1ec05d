"""Generate the vn-dti sample data. THE VALUES ARE SYNTHETIC.

Run from the plugin folder: ``python scripts/make_demo_data.py`` (seeded). Province codes and
names are real (GSO, before the 2025 merger); every value is made up to show the scoring.
For real results, score the published main-indicator values (level ``main``).
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


def write(name: str, rows: list[dict[str, object]]) -> None:
    with open(OUT / name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    write("main-synthetic.csv", main_rows())
    write("provinces-synthetic.csv", full_rows())
