"""The health commission's workbook: several sheets, a title banner, merged two-row headers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl

from connectors.demo_writers import NativeSheet, write_xlsx
from tests.connectors.conftest import counts, ingest, nodes, rejections
from tests.connectors.samples import IDS, USCCS, uscc_reason, wrong_check

AREAS = ["医疗执业管理", "母婴保健", "专项技术管理", "传染病防治", "综合管理"]


def workbook(path: Path) -> None:
    evaluations = NativeSheet(
        "信用评价",
        ["统一社会信用代码", "机构名称", "评价年度", *AREAS, "评价等级"],
        [
            [USCCS[0], "华氏综合医院", 2025, 95, 90, 92, 98, 91, "优秀"],
            [USCCS[1], "李氏诊所", "2025", 70, None, None, 66, 72, "合格"],
            [USCCS[2], "张氏门诊部", 2025, 40, 50, 45, 30, 52, "差"],
            [wrong_check(USCCS[3]), "刘氏中医医院", 2025, 80, 80, 80, 80, 80, "合格"],
            [USCCS[4], "陈氏诊所", 2025, 80, 180, 80, 80, 80, "合格"],
            [USCCS[5], "杨氏诊所", 2025, 80, 80, 80, 80, 80, "良好"],
        ],
        groups={"评分": AREAS},
        banner="2025年度医疗机构依法执业信用评价结果",
    )
    licences = NativeSheet(
        "机构执业许可",
        [
            "执业许可证登记号",
            "统一社会信用代码",
            "机构名称",
            "机构类别",
            "发证日期",
            "主要负责人",
            "主要负责人证件类型",
            "主要负责人证件号码",
        ],
        [
            [
                "PDY00000001320506",
                USCCS[0],
                "华氏综合医院",
                "综合医院",
                dt.datetime(2015, 6, 30),
                "王伟",
                "居民身份证",
                IDS[0],
            ],
            ["PDY00000002320506", USCCS[1], "李氏诊所", "诊所", 42185, None, None, None],
        ],
        banner="医疗机构执业许可登记信息",
    )
    lists = NativeSheet(
        "红黑榜",
        [
            "名单编号",
            "榜单类型",
            "统一社会信用代码",
            "机构名称",
            "列入事由",
            "认定依据",
            "认定日期",
            "违法行为发生日期",
            "直接责任人证件类型",
            "直接责任人证件号码",
        ],
        [
            [
                "WG2025-H01",
                "黑榜",
                USCCS[2],
                "张氏门诊部",
                "非卫生技术人员从事诊疗活动",
                "《医疗机构管理条例》第四十八条",
                "2025年12月20日",
                "2025-10-01",
                "居民身份证",
                IDS[2],
            ],
            [
                "WG2025-R01",
                "红榜",
                USCCS[0],
                "华氏综合医院",
                "年度信用评价优秀",
                "年度信用评价结果",
                "2025-12-20",
                None,
                None,
                None,
            ],
            ["WG2025-X01", "灰榜", USCCS[1], "李氏诊所", "—", "—", "2025-12-20", None, None, None],
        ],
    )
    commitments = NativeSheet(
        "信用承诺",
        ["承诺书编号", "承诺主体名称", "统一社会信用代码", "承诺内容", "签署日期", "履约情况"],
        [
            ["CN0001", "华氏综合医院", USCCS[0], "依法执业", "2025-01-05", "守诺"],
            ["CN0002", "李氏诊所", USCCS[1], "依法执业", "2025-01-06", "违诺"],
            ["CN0003", "张氏门诊部", USCCS[2], "依法执业", "2025-01-07", ""],
        ],
    )
    write_xlsx(path, [evaluations, licences, lists, commitments], notes="填报说明\n请勿修改表头")


async def test_workbook_with_merged_headers(hub: object, tmp_path: Path) -> None:
    path = tmp_path / "卫健委.xlsx"
    workbook(path)
    book = openpyxl.load_workbook(path)
    assert "D2:H2" in {str(r) for r in book["信用评价"].merged_cells.ranges}  # a real merge

    report = await ingest("health-commission", path)

    assert (report.rows.read, report.rows.accepted, report.rows.rejected) == (14, 10, 4)
    assert report.rows.skipped_sheets == [f"{path.name}:填报说明"]
    assert dict(report.rows.by_table) == {
        "evaluation": 6,
        "licence": 2,
        "red_black": 3,
        "commitment": 3,
    }
    name = path.name
    assert rejections(report) == [
        (f"{name}:信用评价:row 7", "统一社会信用代码", uscc_reason(wrong_check(USCCS[3]))),
        (f"{name}:信用评价:row 8", "母婴保健", "scores are between 0 and 100 (got 180)"),
        (
            f"{name}:信用评价:row 9",
            "评价等级",
            "must be one of 优秀、合格、差、不合格、较差 (got '良好')",
        ),
        (
            f"{name}:红黑榜:row 4",
            "榜单类型",
            "must be one of 红榜、红名单、黑榜、黑名单 (got '灰榜')",
        ),
    ]

    evaluations = await nodes("Evaluation", [f"{USCCS[0]}/2025", f"{USCCS[1]}/2025"])
    top = evaluations[f"{USCCS[0]}/2025"]
    assert top["grade"] == "excellent"
    assert json.loads(top["scores"]) == {
        "practice_management": 95.0,
        "maternal_infant_care": 90.0,
        "special_technology": 92.0,
        "infectious_disease": 98.0,
        "general_management": 91.0,
    }
    assert set(json.loads(evaluations[f"{USCCS[1]}/2025"]["scores"])) == {
        "practice_management",
        "infectious_disease",
        "general_management",
    }
    institution = (await nodes("Institution", [USCCS[0]]))[USCCS[0]]
    assert (institution["licence_no"], institution["kind"]) == ("PDY00000001320506", "综合医院")
    entries = await nodes("ListEntry", ["HC-WG2025-H01", "HC-WG2025-R01"])
    black = entries["HC-WG2025-H01"]
    assert (black["list_type"], black["severity"], black["decided_by"]) == (
        "black",
        "serious",
        "hc",
    )
    assert (black["decided_on"], black["valid_until"]) == ("2025-12-20", "2026-12-20")
    assert entries["HC-WG2025-R01"]["list_type"] == "red"
    graph = await counts()
    assert graph["RESPONSIBLE"] == 1
    assert graph["HOLDS"] == 1  # the principal; the second licence names none
    assert graph["Commitment"] == 3
