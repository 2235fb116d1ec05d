"""Write the Bắc Kạn district and commune frameworks (TOML) from the tables below.

Run from the plugin folder: ``python scripts/make_framework.py``. The tables are the source of
truth; the TOML files are generated so the point totals are checked in one place.

Sub-indicators marked ``published`` follow the examples of Decision 1294/QĐ-UBND (Bắc Kạn,
14/7/2022) and Decision 922/QĐ-BTTTT as summarised in DOMAIN.md; those marked ``illustrative``
are plausible additions of ours, not taken from a published document.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "src" / "dxf_backan" / "data"

PUB = "published: Decision 1294/QĐ-UBND (Bắc Kạn) / 922/QĐ-BTTTT, as in DOMAIN.md"
ILL = "illustrative (dxframework example, not from a published document)"
T749 = "Decision 749/QĐ-TTg"
T411 = "Decision 411/QĐ-TTg"
T942 = "Decision 942/QĐ-TTg"

MAIN = {
    # code: (vi, en, points, pillars it feeds)
    "NT": ("Nhận thức số", "Digital awareness", 100, "foundation"),
    "TC": ("Thể chế số", "Digital institutions", 100, "foundation"),
    "HT": ("Hạ tầng số", "Digital infrastructure", 100, "foundation"),
    "NL": ("Nhân lực số", "Digital human resources", 100, "foundation"),
    "AT": ("An toàn thông tin mạng", "Cyber security", 100, "foundation"),
    "DT": ("Đô thị thông minh", "Smart urban services", 0, "reported"),
    "CQ": ("Hoạt động chính quyền số", "Digital-government activity", 200, "CQS"),
    "KT": ("Hoạt động kinh tế số", "Digital-economy activity", 150, "KTS"),
    "XH": ("Hoạt động xã hội số", "Digital-society activity", 150, "XHS"),
}
PILLARS = {
    "CQS": ("Chính quyền số", "Digital government"),
    "KTS": ("Kinh tế số", "Digital economy"),
    "XHS": ("Xã hội số", "Digital society"),
}

# code, main, vi, en, unit, points, rule, source, targets, denominator
RATIO = "ratio"
DISTRICT = [
    (
        "NT1",
        "NT",
        "Cuộc họp BCĐ chuyển đổi số do Chủ tịch UBND huyện chủ trì",
        "Steering-committee meetings on DX chaired by the district head",
        "ratio",
        20,
        {"method": "ratio", "points": 20},
        PUB,
        {},
        "NT1_meetings",
    ),
    (
        "NT2",
        "NT",
        "Tỷ lệ chỉ thị về chuyển đổi số do người đứng đầu ký trên số chỉ thị phải ban hành",
        "Share of the required DX directives signed by the head",
        "ratio",
        20,
        {"method": "ratio", "points": 20},
        PUB,
        {},
        "NT2_required",
    ),
    (
        "NT3",
        "NT",
        "Cổng thông tin điện tử có chuyên mục chuyển đổi số",
        "Portal has a dedicated DX section",
        "yes/no",
        20,
        {"method": "categories", "mapping": {"1": 20, "0": 0}},
        PUB,
        {},
        None,
    ),
    (
        "NT4",
        "NT",
        "Số cuộc họp BCĐ chuyển đổi số trong năm",
        "Steering-committee meetings per year",
        "meetings",
        20,
        {"method": "steps", "thresholds": [1, 2, 3, 4], "points": [5, 10, 15, 20]},
        PUB,
        {},
        None,
    ),
    (
        "NT5",
        "NT",
        "Trưởng Ban chỉ đạo chuyển đổi số",
        "Head of the DX steering committee (1 chairman, 0.5 deputy, 0 none)",
        "category",
        20,
        {"method": "categories", "mapping": {"1": 20, "0.5": 10, "0": 0}},
        PUB,
        {},
        None,
    ),
    (
        "TC1",
        "TC",
        "Ban hành kế hoạch, chương trình, đề án chuyển đổi số năm",
        "DX plan, programme or proposal issued for the year",
        "yes/no",
        50,
        {"method": "categories", "mapping": {"1": 50, "0": 0}},
        PUB,
        {},
        None,
    ),
    (
        "TC2",
        "TC",
        "Bố trí cán bộ chuyên trách và kinh phí cho CNTT",
        "Dedicated DX staff and budget for IT (1 both, 0.5 one, 0 none)",
        "category",
        50,
        {"method": "categories", "mapping": {"1": 50, "0.5": 25, "0": 0}},
        PUB,
        {},
        None,
    ),
    (
        "HT1",
        "HT",
        "Tỷ lệ hộ gia đình có kết nối cáp quang",
        "Households with fibre broadband",
        "%",
        25,
        {"method": "ratio", "points": 25, "per": 100},
        PUB,
        {"2025": 80},
        None,
    ),
    (
        "HT2",
        "HT",
        "Tỷ lệ thôn, bản có sóng di động băng rộng",
        "Villages covered by mobile broadband",
        "%",
        25,
        {"method": "ratio", "points": 25, "per": 100},
        PUB,
        {"2025": 100},
        None,
    ),
    (
        "HT3",
        "HT",
        "Tỷ lệ hệ thống thông tin dùng chung triển khai trên nền tảng điện toán đám mây",
        "Shared information systems hosted on the provincial cloud",
        "%",
        25,
        {"method": "ratio", "points": 25, "per": 100},
        PUB,
        {},
        None,
    ),
    (
        "HT4",
        "HT",
        "Thuê bao băng rộng cố định trên 100 dân",
        "Fixed broadband subscriptions per 100 people",
        "per 100",
        25,
        {"method": "ratio", "points": 25, "per": 30},
        PUB,
        {},
        None,
    ),
    (
        "NL1",
        "NL",
        "Thành viên tổ công nghệ số cộng đồng trên 100 dân",
        "Members of community digital technology teams per 100 residents",
        "per 100",
        30,
        {"method": "ratio", "points": 30, "per": 1},
        PUB,
        {},
        None,
    ),
    (
        "NL2",
        "NL",
        "Tỷ lệ người dân được tập huấn kỹ năng số cơ bản",
        "Residents trained in basic digital skills",
        "%",
        40,
        {"method": "ratio", "points": 40, "per": 100},
        PUB,
        {"2025": 70},
        None,
    ),
    (
        "NL3",
        "NL",
        "Tỷ lệ cán bộ chuyên trách CĐS, ATTT được đào tạo trong năm",
        "Dedicated DX / security staff trained this year",
        "%",
        30,
        {"method": "ratio", "points": 30, "per": 100},
        PUB,
        {},
        None,
    ),
    (
        "AT1",
        "AT",
        "Tỷ lệ hệ thống thông tin được phê duyệt cấp độ và triển khai đầy đủ phương án",
        "Information systems with an approved security-level plan, fully implemented",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 100},
        PUB,
        {"2025": 100},
        None,
    ),
    (
        "AT2",
        "AT",
        "Tỷ lệ máy tính cài phần mềm phòng chống mã độc có quản lý tập trung",
        "Computers with anti-malware under central monitoring",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 100},
        PUB,
        {"2025": 100},
        None,
    ),
    (
        "DT1",
        "DT",
        "Số dịch vụ đô thị thông minh triển khai",
        "Smart urban services in operation",
        "services",
        10,
        {"method": "steps", "thresholds": [1, 3, 5], "points": [4, 7, 10]},
        ILL,
        {},
        None,
    ),
    (
        "CQ1",
        "CQ",
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        "Administrative dossiers processed fully online",
        "%",
        70,
        {"method": "ratio", "points": 70, "per": 100},
        PUB,
        {"2025": 80},
        None,
    ),
    (
        "CQ2",
        "CQ",
        "Tỷ lệ dịch vụ công trực tuyến toàn trình",
        "Online public services at the full level",
        "%",
        70,
        {"method": "ratio", "points": 70, "per": 100},
        PUB,
        {"2025": 80, "2030": 100},
        None,
    ),
    (
        "CQ3",
        "CQ",
        "Tỷ lệ văn bản trao đổi dưới dạng điện tử có ký số",
        "Work documents exchanged electronically with digital signatures",
        "%",
        60,
        {"method": "ratio", "points": 60, "per": 100},
        PUB,
        {"2025": 80},
        None,
    ),
    (
        "KT1",
        "KT",
        "Tỷ lệ doanh nghiệp nhỏ và vừa sử dụng nền tảng số",
        "SMEs using digital platforms",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 100},
        PUB,
        {"2025": 50},
        None,
    ),
    (
        "KT2",
        "KT",
        "Tỷ trọng kinh tế số trong GRDP",
        "Digital economy share of GRDP",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 20},
        PUB,
        {"2025": 20, "2030": 30},
        None,
    ),
    (
        "KT3",
        "KT",
        "Tỷ trọng thương mại điện tử trong tổng mức bán lẻ",
        "E-commerce share of retail sales",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 10},
        PUB,
        {"2025": 10},
        None,
    ),
    (
        "XH1",
        "XH",
        "Tỷ lệ người trưởng thành có điện thoại thông minh",
        "Adults with a smartphone",
        "%",
        40,
        {"method": "ratio", "points": 40, "per": 100},
        PUB,
        {"2025": 80},
        None,
    ),
    (
        "XH2",
        "XH",
        "Tỷ lệ dân số từ 15 tuổi có tài khoản ngân hàng hoặc thanh toán điện tử",
        "People 15+ with a bank or e-payment account",
        "%",
        40,
        {"method": "ratio", "points": 40, "per": 100},
        PUB,
        {"2025": 80, "2030": 80},
        None,
    ),
    (
        "XH3",
        "XH",
        "Tỷ lệ người trưởng thành có tài khoản định danh điện tử",
        "Adults with an electronic identity account",
        "%",
        35,
        {"method": "ratio", "points": 35, "per": 100},
        PUB,
        {},
        None,
    ),
    (
        "XH4",
        "XH",
        "Tỷ lệ người dân có hồ sơ sức khỏe điện tử",
        "People with an electronic health record",
        "%",
        35,
        {"method": "ratio", "points": 35, "per": 100},
        PUB,
        {"2025": 90},
        None,
    ),
]

# Text answers accepted in data files for coded indicators (case and accents as typed in
# Vietnamese spreadsheets; matching ignores case and Unicode normalisation).
YES_NO = {"có": 1, "không": 0, "yes": 1, "no": 0}
ANSWERS = {
    "categories": {
        ("0", "1"): YES_NO,
        ("0", "0.5", "1"): {**YES_NO, "một phần": 0.5, "partly": 0.5},
    }
}

COMMUNE_MAIN = ["NT", "HT", "NL", "CQ", "KT", "XH"]
COMMUNE = [
    (
        "NT4",
        "NT",
        "Số cuộc họp Ban chỉ đạo chuyển đổi số xã trong năm",
        "Commune DX steering-board meetings per year",
        "meetings",
        50,
        {"method": "steps", "thresholds": [1, 2, 3, 4], "points": [12.5, 25, 37.5, 50]},
        PUB,
        {},
        None,
    ),
    (
        "NT6",
        "NT",
        "Thành lập tổ công nghệ số cộng đồng ở tất cả thôn",
        "Community digital technology teams in every village",
        "yes/no",
        50,
        {"method": "categories", "mapping": {"1": 50, "0": 0}},
        PUB,
        {},
        None,
    ),
    (
        "HT1",
        "HT",
        "Tỷ lệ hộ gia đình có kết nối cáp quang",
        "Households with fibre broadband",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 100},
        PUB,
        {"2025": 80},
        None,
    ),
    (
        "HT2",
        "HT",
        "Tỷ lệ thôn, bản có sóng di động băng rộng",
        "Villages covered by mobile broadband",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 100},
        PUB,
        {"2025": 100},
        None,
    ),
    (
        "NL1",
        "NL",
        "Thành viên tổ công nghệ số cộng đồng trên 100 dân",
        "Members of community digital technology teams per 100 residents",
        "per 100",
        50,
        {"method": "ratio", "points": 50, "per": 1},
        PUB,
        {},
        None,
    ),
    (
        "NL2",
        "NL",
        "Tỷ lệ người dân được tập huấn kỹ năng số cơ bản",
        "Residents trained in basic digital skills",
        "%",
        50,
        {"method": "ratio", "points": 50, "per": 100},
        PUB,
        {"2025": 70},
        None,
    ),
    (
        "CQ1",
        "CQ",
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        "Administrative dossiers processed fully online",
        "%",
        100,
        {"method": "ratio", "points": 100, "per": 100},
        PUB,
        {"2025": 80},
        None,
    ),
    (
        "CQ3",
        "CQ",
        "Tỷ lệ văn bản trao đổi dưới dạng điện tử có ký số",
        "Work documents exchanged electronically with digital signatures",
        "%",
        100,
        {"method": "ratio", "points": 100, "per": 100},
        PUB,
        {"2025": 60},
        None,
    ),
    (
        "KT4",
        "KT",
        "Tỷ lệ hộ gia đình sử dụng thanh toán không dùng tiền mặt",
        "Households paying electronically (cashless)",
        "%",
        75,
        {"method": "ratio", "points": 75, "per": 100},
        ILL,
        {"2025": 50},
        None,
    ),
    (
        "KT5",
        "KT",
        "Tỷ lệ hợp tác xã, hộ sản xuất bán hàng trên sàn thương mại điện tử",
        "Cooperatives and producer households selling on e-commerce platforms",
        "%",
        75,
        {"method": "ratio", "points": 75, "per": 100},
        ILL,
        {},
        None,
    ),
    (
        "XH1",
        "XH",
        "Tỷ lệ người trưởng thành có điện thoại thông minh",
        "Adults with a smartphone",
        "%",
        75,
        {"method": "ratio", "points": 75, "per": 100},
        PUB,
        {"2025": 80},
        None,
    ),
    (
        "XH3",
        "XH",
        "Tỷ lệ người trưởng thành có tài khoản định danh điện tử",
        "Adults with an electronic identity account",
        "%",
        75,
        {"method": "ratio", "points": 75, "per": 100},
        PUB,
        {},
        None,
    ),
]


def toml_value(v: object) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f'"{k}" = {toml_value(x)}' for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(v)


def write(
    path: Path, title: str, subs: list[tuple], mains: list[str], index_vi: str, index_en: str
) -> None:
    points = {m: sum(s[5] for s in subs if s[1] == m) for m in mains}
    for m in mains:
        if m != "DT":
            assert points[m] == MAIN[m][2], (m, points[m])
    lines = [
        f"# {title}",
        "# Generated by scripts/make_framework.py: edit the tables there.",
        'level_names = ["Chỉ số thành phần", "Chỉ số chính", "Trụ cột", "Chỉ số tổng hợp"]',
        'index = "DX"',
        'auxiliary = ["NT1_meetings", "NT2_required", "population"]'
        if any(s[9] for s in subs)
        else 'auxiliary = ["population"]',
        "",
    ]
    for code, main, vi, en, unit, pts, rule, source, targets, denom in subs:
        lines += [
            "[[indicators]]",
            f"code = {toml_value(code)}",
            f"name_vi = {toml_value(vi)}",
            f"name_en = {toml_value(en)}",
            f"unit = {toml_value(unit)}",
            f"source = {toml_value(source)}",
        ]
        if denom:
            lines.append(f"denominator = {toml_value(denom)}")
        # what a data file may hold, checked cell by cell when it is read
        if denom or unit in ("per 100", "ratio"):
            lines.append("bounds = [0, inf]")
        elif unit == "%":
            lines.append("bounds = [0, 100]")
        elif unit in ("meetings", "services"):
            lines += ["bounds = [0, inf]", "integer = true"]
        answers = ANSWERS.get(rule.get("method", ""), {}).get(
            tuple(sorted(rule.get("mapping", {})))
        )
        if answers:
            lines.append(f"answers = {toml_value(answers)}")
        if targets:
            lines.append(f"targets = {toml_value(targets)}")
            src = (
                T942
                if code == "CQ1"
                else T411
                if code in ("XH1", "XH4", "KT1", "KT3", "NL2")
                else T749
            )
            lines.append(f"description = {toml_value('Target from ' + src)}")
        lines.append(f"parents = {{ {main} = {pts} }}")
        lines.append(f"methods = {{ normalise = {toml_value(rule)} }}")
        lines.append("")
    for m in mains:
        vi, en, pts, role = MAIN[m]
        lines += [
            "[[aggregates]]",
            f"code = {toml_value(m)}",
            f"name_vi = {toml_value(vi)}",
            f"name_en = {toml_value(en)}",
            "level = 2",
            'unit = "0–1"',
        ]
        if role == "foundation":
            lines.append(
                "parents = { " + ", ".join(f"{p} = {pts}" for p in (*PILLARS, "DX")) + " }"
            )
        elif role in PILLARS:
            lines.append(f"parents = {{ {role} = {pts}, DX = {pts} }}")
        else:
            lines.append('description = "Reported, not scored (0 points)"')
        lines.append("")
    for p, (vi, en) in PILLARS.items():
        lines += [
            "[[aggregates]]",
            f"code = {toml_value(p)}",
            f"name_vi = {toml_value(vi)}",
            f"name_en = {toml_value(en)}",
            "level = 3",
            "",
        ]
    lines += [
        "[[aggregates]]",
        'code = "DX"',
        f"name_vi = {toml_value(index_vi)}",
        f"name_en = {toml_value(index_en)}",
        "level = 4",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    write(
        HERE / "framework-district.toml",
        "Bắc Kạn: district-level DX index (after 1294/QĐ-UBND)",
        DISTRICT,
        list(MAIN),
        "Chỉ số chuyển đổi số cấp huyện",
        "District DX index",
    )
    write(
        HERE / "framework-commune.toml",
        "Bắc Kạn: commune-level DX index (after 1294/QĐ-UBND)",
        COMMUNE,
        COMMUNE_MAIN,
        "Chỉ số chuyển đổi số cấp xã",
        "Commune DX index",
    )
