"""Market regulation penalties (amount in 万元) and the serious-dishonesty list."""

from __future__ import annotations

from pathlib import Path

from connectors.demo_writers import write_csv
from tests.connectors.conftest import counts, ingest, nodes, rejections
from tests.connectors.samples import IDS, USCCS


async def test_penalties_and_black_list(hub: object, tmp_path: Path) -> None:
    penalties = tmp_path / "处罚.csv"
    write_csv(
        penalties,
        [
            "行政处罚决定书文号",
            "当事人名称",
            "统一社会信用代码",
            "证件类型",
            "证件号码",
            "处罚类别",
            "处罚内容",
            "罚款金额（万元）",
            "处罚决定日期",
            "处罚机关",
            "处罚依据",
        ],
        [
            [
                "苏市监罚〔2025〕1号",
                "华氏综合医院",
                USCCS[0],
                "",
                "",
                "罚款",
                "虚假广告",
                "2.5",
                "2025年3月1日",
                "市市场监督管理局",
                "《广告法》第五十五条",
            ],
            [
                "苏市监罚〔2025〕2号",
                "王伟",
                "",
                "居民身份证",
                IDS[0],
                "警告",
                "无证行医",
                "",
                "2025-03-02",
                "市市场监督管理局",
                "《执业医师法》",
            ],
            [
                "苏市监罚〔2025〕3号",
                "无名氏",
                "",
                "",
                "",
                "警告",
                "无证行医",
                "",
                "2025-03-02",
                "市市场监督管理局",
                "《执业医师法》",
            ],
            [
                "苏市监罚〔2025〕4号",
                "华氏综合医院",
                USCCS[0],
                "",
                "",
                "罚款",
                "虚假广告",
                "-1",
                "2025-03-02",
                "市市场监督管理局",
                "《广告法》",
            ],
        ],
        "gbk",
    )
    report = await ingest("market-regulation", penalties)
    assert (report.rows.accepted, report.rows.rejected) == (2, 2)
    assert rejections(report) == [
        (
            "处罚.csv:line 4",
            "统一社会信用代码",
            "is empty (a natural person needs 证件号码 instead)",
        ),
        ("处罚.csv:line 5", "罚款金额", "an amount is a non-negative number (got -1)"),
    ]
    found = await nodes("Penalty", ["mr/苏市监罚〔2025〕1号", "mr/苏市监罚〔2025〕2号"])
    assert found["mr/苏市监罚〔2025〕1号"]["amount"] == "2.5E+4"
    assert found["mr/苏市监罚〔2025〕2号"]["subject_kind"] == "person"

    listed = tmp_path / "名单.csv"
    write_csv(
        listed,
        [
            "列入决定书文号",
            "统一社会信用代码",
            "企业名称",
            "列入严重违法失信企业名单原因",
            "列入日期",
            "作出决定机关",
        ],
        [
            [
                "苏市监信列〔2025〕9号",
                USCCS[1],
                "李氏诊所",
                "提供虚假材料取得登记",
                "2024/2/29",
                "市市场监督管理局",
            ]
        ],
        "utf-8-sig",
    )
    await ingest("mr", listed)
    entry = (await nodes("ListEntry", ["MR-SD-苏市监信列〔2025〕9号"]))[
        "MR-SD-苏市监信列〔2025〕9号"
    ]
    assert (entry["list_type"], entry["valid_from"], entry["valid_until"]) == (
        "black",
        "2024-02-29",
        "2027-02-28",
    )
    assert (await counts())["CONCERNS"] == 1
