"""Generate the Bắc Kạn demo data sets. THE DATA ARE SYNTHETIC.

Run from the plugin folder: ``python scripts/make_demo_data.py`` (seeded: the output is the
same every time). Unit codes and names of the province and its 8 districts are real (GSO
codes, 2022); every indicator value, the communes' names and codes, and the populations are
made up within realistic ranges for a mountainous northern province, so that scoring, targets
and trends can be demonstrated. Do not read them as facts about Bắc Kạn.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "src" / "dxf_backan" / "data"
rng = np.random.default_rng(20220314)

# GSO code, name, development factor (0–1, synthetic), communes (sums to 108)
DISTRICTS = [
    ("058", "Thành phố Bắc Kạn", 0.90, 6),
    ("060", "Pác Nặm", 0.30, 10),
    ("061", "Ba Bể", 0.50, 15),
    ("062", "Ngân Sơn", 0.40, 10),
    ("063", "Bạch Thông", 0.55, 14),
    ("064", "Chợ Đồn", 0.50, 20),
    ("065", "Chợ Mới", 0.60, 14),
    ("066", "Na Rì", 0.45, 19),
]
YEARS = [2020, 2021, 2022, 2023, 2024]

# indicator: (value in 2020 at factor 0.5, value in 2024 at factor 0.5, spread by factor, max)
PERCENT = {
    "HT1": (40, 68, 30, 100),
    "HT2": (80, 92, 12, 100),
    "HT3": (10, 60, 25, 100),
    "HT4": (7, 13, 8, 60),
    "NL1": (0, 0.9, 0.5, 5),
    "NL2": (8, 45, 25, 100),
    "NL3": (40, 72, 20, 100),
    "AT1": (20, 60, 30, 100),
    "AT2": (40, 75, 25, 100),
    "CQ1": (4, 45, 30, 100),
    "CQ2": (20, 55, 25, 100),
    "CQ3": (55, 86, 15, 100),
    "KT1": (12, 35, 25, 100),
    "KT2": (2.5, 7, 6, 40),
    "KT3": (1, 4, 4, 40),
    "XH1": (52, 72, 20, 100),
    "XH2": (30, 58, 25, 100),
    "XH3": (0, 55, 30, 100),
    "XH4": (0, 40, 25, 100),
}
STARTS = {"NL1": 2022, "XH3": 2022, "XH4": 2022}  # programmes that began in 2022


def level(code: str, factor: float, year: int, noise: float = 1.0) -> float:
    lo, hi, spread, cap = PERCENT[code]
    if year < STARTS.get(code, 0):
        return 0.0
    t = (year - 2020) / 4
    base = lo + (hi - lo) * t + spread * (factor - 0.5)
    value = base * (1 + rng.normal(0, 0.08 * noise)) + rng.normal(0, 1.0 * noise)
    value = float(np.clip(value, 0, cap))
    return round(value, 2) if cap < 10 else round(value, 1)


def district_rows() -> list[dict[str, object]]:
    rows = []
    for code, name, f, _ in DISTRICTS:
        population = int(rng.integers(25_000, 70_000)) if code != "058" else 45_000
        for year in YEARS:
            t = (year - 2020) / 4
            meetings = int(np.clip(round(1 + 4 * t * f + rng.normal(0, 0.7)), 1, 6))
            required = int(rng.integers(2, 5))
            row: dict[str, object] = {
                "unit": code,
                "name": name,
                "level": "district",
                "parent": "06",
                "period": year,
                "population": population,
                "NT1": int(np.clip(round(meetings * (0.4 + 0.6 * f)), 0, meetings)),
                "NT1_meetings": meetings,
                "NT2": int(
                    np.clip(round(required * (0.3 + 0.7 * f * (0.6 + 0.4 * t))), 0, required)
                ),
                "NT2_required": required,
                "NT3": 1 if (year >= 2022 or f > 0.7) else 0,
                "NT4": meetings,
                "NT5": 1.0 if f >= 0.5 or year >= 2022 else 0.5,
                "TC1": 1 if (year >= 2021 or f > 0.5) else 0,
                "TC2": 1.0 if f > 0.55 else 0.5,
                "DT1": int(np.clip(round(6 * f * t + rng.normal(0, 0.5)), 0, 8)),
            }
            for c in PERCENT:
                row[c] = level(c, f, year)
            rows.append(row)
    # a few values not reported (missing)
    for unit, year, col in (("060", 2021, "HT3"), ("062", 2024, "KT3"), ("066", 2020, "AT1")):
        for r in rows:
            if r["unit"] == unit and r["period"] == year:
                r[col] = ""
    return rows


COMMUNE_COLS = ["NT4", "NT6", "HT1", "HT2", "NL1", "NL2", "CQ1", "CQ3", "KT4", "KT5", "XH1", "XH3"]


def commune_rows() -> list[dict[str, object]]:
    rows = []
    n = 0
    for dcode, dname, f, count in DISTRICTS:
        short = dname.replace("Thành phố ", "")
        for i in range(1, count + 1):
            n += 1
            cf = float(np.clip(f + rng.normal(0, 0.15), 0.05, 0.98))
            kind = "Phường" if dcode == "058" and i <= 4 else "Xã"
            row: dict[str, object] = {
                "unit": f"{int(dcode) * 100 + i:05d}",
                "name": f"{kind} {short} {i:02d}",
                "level": "commune",
                "parent": dcode,
                "period": 2024,
                "population": int(rng.integers(1_500, 12_000)),
                "NT4": int(np.clip(round(1 + 3 * cf + rng.normal(0, 0.8)), 0, 6)),
                "NT6": 1 if rng.uniform() < 0.55 + 0.45 * cf else 0,
            }
            for c in ("HT1", "HT2", "NL1", "NL2", "CQ1", "CQ3", "XH1", "XH3"):
                row[c] = level(c, cf, 2024, noise=1.6)
            row["KT4"] = round(float(np.clip(15 + 60 * cf + rng.normal(0, 8), 0, 100)), 1)
            row["KT5"] = round(float(np.clip(3 + 30 * cf + rng.normal(0, 5), 0, 100)), 1)
            rows.append(row)
    for idx, col in ((3, "KT5"), (17, "NL2"), (40, "HT1"), (41, "HT1"), (77, "XH3")):
        rows[idx][col] = ""
    assert n == 108
    return rows


def province_rows(districts: list[dict[str, object]]) -> list[dict[str, object]]:
    """The province's yearly series of measured shares (for targets and trends, not scored).

    Population-weighted means of the districts' values (synthetic).
    """
    out = []
    cols = list(PERCENT)  # the measured shares; rules and counts are not averaged
    for year in YEARS:
        rows = [r for r in districts if r["period"] == year]
        row: dict[str, object] = {
            "unit": "06",
            "name": "Tỉnh Bắc Kạn",
            "level": "province",
            "parent": "",
            "period": year,
            "population": sum(int(str(r["population"])) for r in rows),
        }
        for c in cols:
            vals = [(float(str(r[c])), int(str(r["population"]))) for r in rows if r[c] != ""]
            mean = sum(v * w for v, w in vals) / sum(w for _, w in vals)
            row[c] = round(mean, 2)
        out.append(row)
    return out


def write(name: str, rows: list[dict[str, object]]) -> None:
    with open(OUT / name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    d = district_rows()
    write("districts-synthetic.csv", d)
    write("communes-synthetic.csv", commune_rows())
    write("province-synthetic.csv", province_rows(d))
